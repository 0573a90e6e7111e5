import type { Db } from '../db/connection.js';
import { isUniqueViolation, uniqueViolationMessage, type Executor } from '../db/executor.js';
import type { ExternalAccountRow } from '../db/schema.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import type { TokenCipher } from '../oauth/crypto.js';
import { isProviderId, withOAuthPrefix, type OAuthProviderConfig } from '../oauth/providers.js';
import { refreshAccessToken, TokenRefreshFailure, type RefreshedTokens } from '../oauth/refresh.js';
import type { CreateExternalAccountBody, UpdateExternalAccountBody } from '../schemas/external-accounts.js';
import { nowMillis } from '../time.js';
import { externalAccountRepository as accounts, type ExternalAccountChanges } from './external-account-repository.js';
import { normalizeEmailAddress, normalizePhoneNumber } from './identifiers.js';
import { serializeMetadata } from './metadata.js';
import { userRepository as users } from './repository.js';
import { writeTransaction } from './transaction.js';
import { TOKEN_COLUMNS, tokenContext, type TokenColumn } from '../oauth/token-context.js';

/**
 * External (OAuth) accounts and their tokens. Tokens are encrypted before they reach the
 * repository and decrypted only to hand out. An expired access token is refreshed against
 * the provider's token endpoint: the network call happens outside any transaction, then one
 * write transaction stores the new tokens. Concurrent requests for one account share one
 * refresh (an in-process single flight keyed by account id).
 */

export interface ExternalAccountLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ExternalAccountServiceDeps {
  db: Db;
  cipher: TokenCipher;
  providers: Record<string, OAuthProviderConfig>;
  refreshTimeoutMs: number;
  log?: ExternalAccountLog;
}

/** An account as the control surface returns it: the row and the identification it is tied to. */
export interface ExternalAccountView {
  account: ExternalAccountRow;
  /** The user's email address matching the account's, else the account's own id (as in the User). */
  identificationId: string;
}

/** An account with its tokens decrypted, for the OAuthAccessToken response only. */
export interface AccessTokenView {
  account: ExternalAccountRow;
  token: string;
  idToken: string | null;
  tokenSecret: string | null;
}

export interface AccessTokenPage {
  tokens: AccessTokenView[];
  totalCount: number;
}

/**
 * A token this close to its expiry counts as expired, so it does not lapse on its way to
 * the caller (golang.org/x/oauth2 uses the same 10 s).
 */
export const EXPIRY_SKEW_MS = 10_000;

const TOKEN_FIELDS = { access_token: 'accessToken', refresh_token: 'refreshToken', id_token: 'idToken', token_secret: 'tokenSecret' } as const;


function needsRefresh(account: ExternalAccountRow, now: number): boolean {
  if (account.accessToken === null) return account.refreshToken !== null;
  return account.accessTokenExpiresAt !== null && account.accessTokenExpiresAt <= now + EXPIRY_SKEW_MS;
}

function normalizeProvider(value: string): string {
  const provider = withOAuthPrefix(value.trim());
  if (!isProviderId(provider)) {
    throw errors.paramFormatInvalid('provider', 'provider must name an OAuth provider, like `oauth_google` or `google` (lowercase letters).');
  }
  return provider;
}

/** Scopes as Clerk stores them: one space-separated string, each scope once. */
export function normalizeScopes(value: string | string[] | null): string {
  const list = (Array.isArray(value) ? value : (value ?? '').split(/\s+/)).map((scope) => scope.trim()).filter((scope) => scope !== '');
  return [...new Set(list)].join(' ');
}

function textOrNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value.trim();
}

function imageUrl(value: string | null): string | null {
  const text = textOrNull(value);
  if (text === null) return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw errors.paramFormatInvalid('image_url', 'image_url must be an absolute http(s) URL.');
  return text;
}

type ProfileInput = Omit<UpdateExternalAccountBody, TokenColumn | 'expires_at' | 'expires_in'>;

/** The profile columns the given fields set (create: every field, defaults for the absent). */
function profileColumns(input: ProfileInput, all: boolean): ExternalAccountChanges {
  const changes: ExternalAccountChanges = {};
  const given = <K extends keyof ProfileInput>(key: K) => all || input[key] !== undefined;
  if (given('email_address')) {
    const email = textOrNull(input.email_address ?? null);
    changes.emailAddress = email === null ? '' : normalizeEmailAddress(email);
  }
  if (given('first_name')) changes.firstName = textOrNull(input.first_name ?? null) ?? '';
  if (given('last_name')) changes.lastName = textOrNull(input.last_name ?? null) ?? '';
  if (given('image_url')) changes.imageUrl = imageUrl(input.image_url ?? null);
  if (given('username')) changes.username = textOrNull(input.username ?? null);
  if (given('phone_number')) {
    const phone = textOrNull(input.phone_number ?? null);
    changes.phoneNumber = phone === null ? null : normalizePhoneNumber(phone);
  }
  if (given('approved_scopes')) changes.approvedScopes = normalizeScopes(input.approved_scopes ?? null);
  if (given('label')) changes.label = textOrNull(input.label ?? null);
  if (given('public_metadata')) changes.publicMetadata = serializeMetadata('public_metadata', input.public_metadata ?? null);
  return changes;
}

type TokenInput = Pick<UpdateExternalAccountBody, TokenColumn | 'expires_at' | 'expires_in'>;

export class ExternalAccountService {
  /** Refreshes in progress, by account id: later callers await the first one's result. */
  private readonly inFlight = new Map<string, Promise<ExternalAccountRow | null>>();

  constructor(private readonly deps: ExternalAccountServiceDeps) {}

  private async write<T>(work: (tx: Executor) => T): Promise<T> {
    try {
      return await writeTransaction(this.deps.db, work);
    } catch (error) {
      // The pre-check inside the transaction makes this a backstop only.
      if (isUniqueViolation(error) && /external_accounts/.test(uniqueViolationMessage(error))) {
        throw errors.identifierExists('provider_user_id', 'external account');
      }
      throw error;
    }
  }

  private requireUser(x: Executor, userId: string): void {
    if (!users.findUser(x, userId)) throw errors.userNotFound(userId);
  }

  private view(x: Executor, account: ExternalAccountRow): ExternalAccountView {
    const identificationId = account.emailAddress === '' ? undefined : accounts.emailAddressId(x, account.userId, account.emailAddress);
    return { account, identificationId: identificationId ?? account.id };
  }

  /** The token columns the given fields set, encrypted for the account `id`. */
  private tokenColumns(id: string, input: TokenInput, all: boolean, now: number): ExternalAccountChanges {
    if (input.expires_at != null && input.expires_in != null) throw errors.conditionalParamDisallowed('expires_in', '`expires_at` is provided');
    const changes: ExternalAccountChanges = {};
    for (const column of TOKEN_COLUMNS) {
      if (!all && input[column] === undefined) continue;
      const value = input[column] ?? null;
      // An empty token is no token.
      changes[TOKEN_FIELDS[column]] = value === null || value === '' ? null : this.deps.cipher.encrypt(value, tokenContext(id, column));
    }
    if (input.expires_in != null) changes.accessTokenExpiresAt = now + input.expires_in * 1000;
    else if (input.expires_at !== undefined) changes.accessTokenExpiresAt = input.expires_at;
    else if (all) changes.accessTokenExpiresAt = null;
    return changes;
  }

  /** Control surface: links a new external account to the user. */
  create(userId: string, input: CreateExternalAccountBody): Promise<ExternalAccountView> {
    const now = nowMillis();
    const provider = normalizeProvider(input.provider);
    const providerUserId = input.provider_user_id.trim();
    if (providerUserId === '') throw errors.paramMissing('provider_user_id');
    const id = newId('eac', now);
    const columns = { ...profileColumns(input, true), ...this.tokenColumns(id, input, true, now) };

    return this.write((tx) => {
      this.requireUser(tx, userId);
      if (accounts.findByProviderUserId(tx, provider, providerUserId)) throw errors.identifierExists('provider_user_id', 'external account');
      const account = accounts.insertAccount(tx, { ...columns, id, userId, provider, providerUserId, createdAt: now, updatedAt: now });
      accounts.touchUser(tx, userId, now);
      return this.view(tx, account);
    });
  }

  /** Control surface: changes the given fields of one of the user's accounts (tokens included). */
  update(userId: string, accountId: string, input: UpdateExternalAccountBody): Promise<ExternalAccountView> {
    const now = nowMillis();
    const columns = { ...profileColumns(input, false), ...this.tokenColumns(accountId, input, false, now), updatedAt: now };
    return this.write((tx) => {
      this.requireUser(tx, userId);
      if (!accounts.findOwnedAccount(tx, userId, accountId)) throw errors.resourceNotFound();
      const account = accounts.updateAccount(tx, accountId, columns)!;
      accounts.touchUser(tx, userId, now);
      return this.view(tx, account);
    });
  }

  /** DELETE /v1/users/{user_id}/external_accounts/{id}: another user's account is not found. */
  delete(userId: string, accountId: string): Promise<void> {
    return this.write((tx) => {
      this.requireUser(tx, userId);
      if (!accounts.deleteOwnedAccount(tx, userId, accountId)) throw errors.resourceNotFound();
      accounts.touchUser(tx, userId, nowMillis());
    });
  }

  /**
   * GET /v1/users/{user_id}/oauth_access_tokens/{provider}: the user's accounts of that
   * provider that hold tokens, a page of them, each with a live access token (refreshed
   * first when expired).
   */
  async accessTokens(userId: string, providerParam: string, page: { limit: number; offset: number }): Promise<AccessTokenPage> {
    const { db } = this.deps;
    const provider = withOAuthPrefix(providerParam);
    this.requireUser(db, userId);
    const totalCount = accounts.countTokenAccounts(db, userId, provider);
    const listed = accounts.listTokenAccounts(db, userId, provider, page.limit, page.offset);
    const now = nowMillis();
    const fresh = await Promise.all(listed.map((account) => (needsRefresh(account, now) ? this.refreshOnce(account.id) : account)));
    const tokens: AccessTokenView[] = [];
    for (const account of fresh) {
      // Deleted while refreshing, or left without an access token by a concurrent change.
      if (account === null || account.accessToken === null) continue;
      tokens.push(this.decrypted(account, account.accessToken));
    }
    return { tokens, totalCount };
  }

  private decrypted(account: ExternalAccountRow, accessToken: string): AccessTokenView {
    const { cipher } = this.deps;
    return {
      account,
      token: cipher.decrypt(accessToken, tokenContext(account.id, 'access_token')),
      idToken: cipher.decryptNullable(account.idToken, tokenContext(account.id, 'id_token')),
      tokenSecret: cipher.decryptNullable(account.tokenSecret, tokenContext(account.id, 'token_secret')),
    };
  }

  /** One refresh per account at a time in this process; everyone waiting gets its outcome. */
  private refreshOnce(accountId: string): Promise<ExternalAccountRow | null> {
    const running = this.inFlight.get(accountId);
    if (running) return running;
    const flight = this.refresh(accountId).finally(() => this.inFlight.delete(accountId));
    this.inFlight.set(accountId, flight);
    return flight;
  }

  private async refresh(accountId: string): Promise<ExternalAccountRow | null> {
    const { db, cipher, log } = this.deps;
    // Read again: a refresh that finished a moment ago may have made this one unnecessary.
    const current = accounts.findAccount(db, accountId);
    if (!current || !needsRefresh(current, nowMillis())) return current ?? null;
    const storedRefreshToken = current.refreshToken;
    if (storedRefreshToken === null) throw errors.oauthMissingRefreshToken();
    const provider = this.deps.providers[current.provider];
    if (!provider) throw errors.oauthTokenProviderNotEnabled(current.provider);

    const details = { provider: current.provider, externalAccountId: accountId };
    let refreshed: RefreshedTokens;
    try {
      refreshed = await refreshAccessToken(provider, cipher.decrypt(storedRefreshToken, tokenContext(accountId, 'refresh_token')), this.deps.refreshTimeoutMs);
    } catch (error) {
      if (!(error instanceof TokenRefreshFailure)) throw error;
      log?.warn({ ...details, reason: error.reason, status: error.status, oauthError: error.oauthError }, 'OAuth access token refresh failed');
      throw errors.oauthTokenRetrievalError();
    }

    const now = nowMillis();
    const stored = await writeTransaction(db, (tx) =>
      accounts.storeRefreshedTokens(tx, accountId, storedRefreshToken, {
        accessToken: cipher.encrypt(refreshed.accessToken, tokenContext(accountId, 'access_token')),
        accessTokenExpiresAt: refreshed.expiresIn === null ? null : now + refreshed.expiresIn * 1000,
        // No new refresh token means the old one stays valid (RFC 6749 §6); likewise the ID token.
        refreshToken: refreshed.refreshToken === null ? storedRefreshToken : cipher.encrypt(refreshed.refreshToken, tokenContext(accountId, 'refresh_token')),
        idToken: refreshed.idToken === null ? current.idToken : cipher.encrypt(refreshed.idToken, tokenContext(accountId, 'id_token')),
        approvedScopes: refreshed.scope === null ? current.approvedScopes : normalizeScopes(refreshed.scope),
        updatedAt: now,
      }),
    );
    if (stored) {
      log?.info({ ...details, rotated: refreshed.refreshToken !== null, expiresIn: refreshed.expiresIn }, 'OAuth access token refreshed');
      return stored;
    }
    // Another writer changed the refresh token meanwhile (another process refreshed, or the
    // control surface replaced it): what it stored wins over what this refresh got.
    log?.warn(details, 'OAuth access token refresh lost a race; keeping the tokens stored meanwhile');
    return accounts.findAccount(db, accountId) ?? null;
  }
}
