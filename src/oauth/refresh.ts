import type { OAuthProviderConfig } from './providers.js';
import { MAX_EXPIRES_IN_SECONDS } from '../schemas/types.js';

/**
 * The refresh-token grant (RFC 6749 §6) against a provider's token endpoint: one POST of
 * `grant_type=refresh_token&refresh_token=…`, the client authenticated per §2.3.1, bounded
 * by a timeout that covers the whole exchange (connect, headers and body). No token ever
 * appears in an error this module throws.
 */

export interface RefreshedTokens {
  accessToken: string;
  /** Seconds from now, or null when the provider did not say. */
  expiresIn: number | null;
  /** A rotated refresh token; null means keep using the old one. */
  refreshToken: string | null;
  idToken: string | null;
  /** The granted scope (space-separated) when the provider states it. */
  scope: string | null;
}

export type RefreshFailureReason = 'timeout' | 'network' | 'status' | 'invalid_response';

/** Why a refresh failed, in terms safe to log: no token, no response body. */
export class TokenRefreshFailure extends Error {
  constructor(
    readonly reason: RefreshFailureReason,
    readonly status?: number,
    /** The RFC 6749 §5.2 `error` code (`invalid_grant`, …) when the provider sent one. */
    readonly oauthError?: string,
  ) {
    super(`OAuth token refresh failed: ${reason}${status === undefined ? '' : ` (HTTP ${status})`}${oauthError ? ` ${oauthError}` : ''}`);
    this.name = 'TokenRefreshFailure';
  }
}

/** Largest token response read; real ones are a few KB. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/** application/x-www-form-urlencoded, as §2.3.1 asks for the client id and secret inside Basic. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `expires_in` is a number per RFC 6749 §5.1; some providers send it as a string. */
function seconds(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  // A provider's absurd lifetime (1e300) is capped like a client's, so the stored expiry stays an exact integer.
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.min(Math.floor(number), MAX_EXPIRES_IN_SECONDS) : null;
}

/** An RFC 6749 §5.2 error code is short ASCII; anything else is not repeated in logs. */
function oauthErrorCode(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const code = (parsed as { error?: unknown } | null)?.error;
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) throw new TokenRefreshFailure('invalid_response', response.status);
  const text = await response.text();
  if (Buffer.byteLength(text, 'utf8') > MAX_RESPONSE_BYTES) throw new TokenRefreshFailure('invalid_response', response.status);
  return text;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export async function refreshAccessToken(provider: OAuthProviderConfig, refreshToken: string, timeoutMs: number): Promise<RefreshedTokens> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (provider.authMethod === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(provider.clientId)}:${formEncode(provider.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', provider.clientId);
    form.set('client_secret', provider.clientSecret);
  }

  let status: number;
  let body: string;
  try {
    // Redirects are not followed: the request carries client credentials and a refresh token.
    const response = await fetch(provider.tokenUrl, { method: 'POST', headers, body: form.toString(), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    body = await readBody(response);
  } catch (error) {
    if (error instanceof TokenRefreshFailure) throw error;
    throw new TokenRefreshFailure(isAbort(error) ? 'timeout' : 'network');
  }
  if (status < 200 || status > 299) throw new TokenRefreshFailure('status', status, oauthErrorCode(body));

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TokenRefreshFailure('invalid_response', status);
  }
  const fields = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const accessToken = nonEmptyString(fields.access_token);
  if (accessToken === null) throw new TokenRefreshFailure('invalid_response', status, oauthErrorCode(body));
  return {
    accessToken,
    expiresIn: seconds(fields.expires_in),
    refreshToken: nonEmptyString(fields.refresh_token),
    idToken: nonEmptyString(fields.id_token),
    scope: typeof fields.scope === 'string' ? fields.scope : null,
  };
}
