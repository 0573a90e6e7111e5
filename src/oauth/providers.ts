/**
 * OAuth providers clerkd can refresh tokens with, configured as JSON in
 * `CLERKD_OAUTH_PROVIDERS`:
 *
 *   {"oauth_google": {"token_url": "https://oauth2.googleapis.com/token",
 *                     "client_id": "…", "client_secret": "…",
 *                     "auth_method": "client_secret_basic"}}
 *
 * Keys may omit the `oauth_` prefix. `auth_method` is how the client authenticates at the
 * token endpoint (RFC 6749 §2.3.1): `client_secret_basic` (the default, the method every
 * authorization server must support) or `client_secret_post`.
 */

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export interface OAuthProviderConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
}

/** `oauth_google`, `oauth_github`, `oauth_custom_acme`: what Clerk's strategy pattern allows. */
const PROVIDER_ID = /^oauth_(?:custom_)?[a-z]+$/;

/** `google` → `oauth_google`; `oauth_google` is kept. Clerk's SDK adds the prefix the same way. */
export function withOAuthPrefix(provider: string): string {
  return provider.startsWith('oauth_') ? provider : `oauth_${provider}`;
}

export function isProviderId(provider: string): boolean {
  return PROVIDER_ID.test(provider);
}

/** Thrown with a message naming the setting and the bad value's place; config.ts wraps it. */
export class ProviderConfigError extends Error {}

const FIELDS = ['token_url', 'client_id', 'client_secret', 'auth_method'];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requiredString(entry: Record<string, unknown>, where: string, field: string): string {
  const value = entry[field];
  if (typeof value !== 'string' || value.trim() === '') throw new ProviderConfigError(`${where}.${field} must be a non-empty string`);
  return value;
}

function tokenUrl(where: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderConfigError(`${where}.token_url must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProviderConfigError(`${where}.token_url must be an http(s) URL, got "${raw}"`);
  if (url.username !== '' || url.password !== '') throw new ProviderConfigError(`${where}.token_url must not carry credentials; use client_id and client_secret`);
  return url.toString();
}

/** Parses and checks the whole setting; `name` is the variable, for messages. */
export function parseOAuthProviders(text: string, name: string): Record<string, OAuthProviderConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderConfigError(`${name} must be a JSON object mapping provider ids (like "oauth_google") to {token_url, client_id, client_secret}`);
  }
  if (!isObject(parsed)) throw new ProviderConfigError(`${name} must be a JSON object mapping provider ids (like "oauth_google") to {token_url, client_id, client_secret}`);

  const providers: Record<string, OAuthProviderConfig> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    const id = withOAuthPrefix(key.trim());
    const where = `${name}["${key}"]`;
    if (!isProviderId(id)) throw new ProviderConfigError(`${where}: provider ids look like "oauth_google" (lowercase letters after "oauth_")`);
    if (providers[id]) throw new ProviderConfigError(`${where}: ${id} is configured twice`);
    if (!isObject(entry)) throw new ProviderConfigError(`${where} must be an object with token_url, client_id and client_secret`);
    const unknown = Object.keys(entry).find((field) => !FIELDS.includes(field));
    if (unknown !== undefined) throw new ProviderConfigError(`${where}.${unknown} is not a known setting (expected ${FIELDS.join(', ')})`);
    const authMethod = entry.auth_method ?? 'client_secret_basic';
    if (!CLIENT_AUTH_METHODS.includes(authMethod as ClientAuthMethod)) {
      throw new ProviderConfigError(`${where}.auth_method must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
    }
    providers[id] = {
      tokenUrl: tokenUrl(where, requiredString(entry, where, 'token_url')),
      clientId: requiredString(entry, where, 'client_id'),
      clientSecret: requiredString(entry, where, 'client_secret'),
      authMethod: authMethod as ClientAuthMethod,
    };
  }
  return providers;
}
