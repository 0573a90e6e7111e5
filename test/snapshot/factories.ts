import bcryptjs from 'bcryptjs';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type DatabaseHandle, type Db } from '../../src/db/connection.js';
import { newId } from '../../src/ids.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { organizationRepository } from '../../src/organizations/repository.js';
import { OrganizationService } from '../../src/organizations/service.js';
import { ExternalAccountService } from '../../src/users/external-accounts.js';
import { ModerationService } from '../../src/users/moderation.js';
import { userRepository } from '../../src/users/repository.js';
import { UserService } from '../../src/users/service.js';
import { phoneNumbers } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';

/**
 * Databases for snapshot tests, filled through the services the routes call (so the rows
 * are what the API writes), plus the few columns only sign-in activity would set.
 */

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ CLERKD_DATABASE: ':memory:', CLERKD_ARGON2_MEMORY_KIB: '1024', CLERKD_ARGON2_TIME_COST: '1', ...env });
}

/** A second, different key: an import re-encrypts tokens with the importing server's key. */
export const OTHER_KEY = Buffer.alloc(32, 7);

export function memoryDatabase(): DatabaseHandle {
  return openDatabase(':memory:', { busyTimeoutMs: 0 });
}

export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const BCRYPT_DIGEST = bcryptjs.hashSync('imported-password-1', 4);

export interface RichData {
  userIds: string[];
  organizationIds: string[];
  /** A user with a google account holding these tokens. */
  tokenUserId: string;
  accessToken: string;
}

/** Users with every kind of data, two organizations and their memberships. */
export async function fillRichDatabase(db: Db, config: Config, cipher: TokenCipher): Promise<RichData> {
  const users = new UserService({ db, config });
  const moderation = new ModerationService({ db, config });
  const organizations = new OrganizationService({ db, config });
  const accounts = new ExternalAccountService({ db, cipher, providers: {}, refreshTimeoutMs: 1000 });

  const ada = await users.createUser({
    email_address: ['ada@example.com', 'ada.lovelace@example.org'],
    email_address_identification_status: ['verified', 'reserved'],
    phone_number: ['+14155550100'],
    web3_wallet: ['0x52908400098527886E0F7030069857D2E4169EE7'],
    username: 'ada_l',
    first_name: 'Ada',
    last_name: 'Lovelace',
    external_id: 'ext-ada',
    locale: 'en-GB',
    password_digest: BCRYPT_DIGEST,
    password_hasher: 'bcrypt',
    totp_secret: TOTP_SECRET,
    backup_codes: ['backup-code-1', 'backup-code-2'],
    public_metadata: { plan: 'pro', nested: { a: [1, 2, { b: null }] } },
    private_metadata: { stripe: 'cus_123' },
    unsafe_metadata: { theme: 'dark', 'ünïcødé': '✓' },
    legal_accepted_at: '2024-01-02T03:04:05.678Z',
    created_at: '2023-06-01T00:00:00Z',
    delete_self_enabled: false,
    create_organization_enabled: false,
    create_organizations_limit: 3,
    bypass_client_trust: true,
  });
  const grace = await users.createUser({ email_address: ['grace@example.com'], first_name: 'Grace', password: 'correct-horse-battery-9', skip_password_checks: true });
  const banned = await users.createUser({ phone_number: ['+442071838750'], username: 'banned_one', banned: true });
  const locked = await users.createUser({ email_address: ['locked@example.com'], locked: true });
  const bare = await users.createUser({});
  await moderation.ban(grace.user.id);
  await moderation.lockUser(grace.user.id);

  const now = Date.now();
  userRepository.updateUser(db, ada.user.id, {
    lastSignInAt: now - 1000,
    lastActiveAt: now - 500,
    totpLastUsedStep: Math.floor(now / 30_000) - 2,
    failedVerificationAttempts: 2,
    mfaDisabledAt: now - 100_000,
    profileImageKey: `${newId('img')}.png`,
    timezone: 'Europe/London',
  });
  userRepository.updateUser(db, locked.user.id, { failedVerificationAttempts: 10, lockoutExpiresAt: null });
  db.update(phoneNumbers).set({ reservedForSecondFactor: true, defaultSecondFactor: true }).where(eq(phoneNumbers.userId, ada.user.id)).run();

  const accessToken = 'ya29.access-token-for-ada';
  await accounts.create(ada.user.id, {
    provider: 'google',
    provider_user_id: '1234567890',
    email_address: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'L.',
    image_url: 'https://lh3.googleusercontent.com/a/ada',
    username: 'adal',
    phone_number: '+14155550100',
    approved_scopes: 'openid email profile',
    label: 'work',
    public_metadata: { hd: 'example.com' },
    access_token: accessToken,
    refresh_token: '1//refresh-token-for-ada',
    id_token: 'eyJhbGciOiJSUzI1NiJ9.id.token',
    expires_in: 3600,
  });
  await accounts.create(ada.user.id, { provider: 'oauth_twitter', provider_user_id: 'tw-42', token_secret: 'oauth1-secret', access_token: 'oauth1-token' });
  await accounts.create(banned.user.id, { provider: 'github', provider_user_id: 'gh-7' });

  const acme = await organizations.createOrganization({
    name: 'Acme Inc.',
    created_by: ada.user.id,
    max_allowed_memberships: 10,
    public_metadata: { tier: 'gold' },
    private_metadata: { crm: 42 },
  });
  const globex = await organizations.createOrganization({ name: 'Globex', slug: 'globex-corp' });
  organizationRepository.updateOrganization(db, globex.organization.id, { imageUrl: 'https://img.example.com/globex.png', adminDeleteEnabled: false });
  await organizations.createMembership(acme.organization.id, { user_id: grace.user.id, role: 'org:member', public_metadata: { title: 'Rear Admiral' }, private_metadata: { badge: 7 } });
  await organizations.createMembership(globex.organization.id, { user_id: ada.user.id, role: 'org:admin' });

  return {
    userIds: [ada, grace, banned, locked, bare].map((aggregate) => aggregate.user.id),
    organizationIds: [acme.organization.id, globex.organization.id],
    tokenUserId: ada.user.id,
    accessToken,
  };
}

/** Keys sorted at every depth and records with an id sorted by it: what "the same JSON after normalisation" means. */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    const allHaveIds = items.length > 0 && items.every((item) => item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string');
    return allHaveIds ? [...items].sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id))) : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, normalise((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
