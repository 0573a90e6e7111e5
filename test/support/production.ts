/**
 * Secrets that production mode accepts: long, not placeholders, not repeated bytes. Fixed,
 * so failures reproduce; never use them outside tests.
 */
export const PRODUCTION_SECRET_KEY = 'sk_live_4f9c2a7e81b03d56e9a1c4f7b2d8e05a6c3f91b7';
export const PRODUCTION_ENCRYPTION_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');

/** NODE_ENV=production with both secrets set. */
export const PRODUCTION_ENV = { NODE_ENV: 'production', CLERKD_SECRET_KEYS: PRODUCTION_SECRET_KEY, CLERKD_ENCRYPTION_KEY: PRODUCTION_ENCRYPTION_KEY } as const;
