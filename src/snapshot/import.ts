import type { Db } from '../db/connection.js';
import { isUniqueViolation, uniqueViolationMessage, type Executor } from '../db/executor.js';
import type { NewEmailAddressRow, NewUserRow } from '../db/schema.js';
import { writeTransaction } from '../db/write-transaction.js';
import { ClerkApiError } from '../errors.js';
import { newId } from '../ids.js';
import { hashBackupCodes } from '../mfa/backup-codes.js';
import { normalizeTotpSecret } from '../mfa/totp.js';
import type { TokenCipher } from '../oauth/crypto.js';
import { isProviderId, withOAuthPrefix } from '../oauth/providers.js';
import { slugFromName } from '../organizations/service.js';
import { isPasswordHasher } from '../passwords/hashers.js';
import { digestParses } from '../passwords/imported.js';
import { normalizeScopes } from '../users/external-accounts.js';
import { normalizeEmailAddress, normalizePhoneNumber, normalizeUsername, normalizeWeb3Wallet } from '../users/identifiers.js';
import { serializeMetadata, type MetadataField } from '../users/metadata.js';
import { userRepository } from '../users/repository.js';
import { SnapshotError } from './errors.js';
import { mapMigrationToolUsers, migrationToolPath } from './migration-tool.js';
import {
  snapshotRepository as repo,
  type NewExternalAccountRow,
  type NewMembershipRow,
  type NewOrganizationRow,
  type NewPhoneNumberRow,
  type NewWeb3WalletRow,
  type TableCounts,
} from './repository.js';
import type { Snapshot, SnapshotUser } from './schema.js';
import { TOKEN_COLUMNS, tokenContext } from '../oauth/token-context.js';
import { detectAndValidate } from './validate.js';

/**
 * Import is all-or-nothing. The whole document is checked first: its JSON Schema, then
 * every rule the API would apply (identifier formats, digest formats, metadata sizes) and
 * every cross-record rule (ids and identifiers unique, memberships pointing at known users
 * and organizations). Slow work (hashing plain backup codes, encrypting tokens) happens
 * then too. Only a document that passes reaches the one write transaction, which checks it
 * against the rows already stored (unless it replaces them) and inserts everything through
 * the repositories' bulk paths. Any failure leaves the database as it was and names the
 * record and field: `users[12].email_addresses[0].email_address: duplicate of users[3]`.
 */

export interface ImportOptions {
  /** Delete everything first (in the same transaction). */
  replace?: boolean;
  /** Write nothing when the database already holds users or organizations (CLERKD_SEED). */
  onlyIfEmpty?: boolean;
  /** The time defaults are filled with; now by default. */
  now?: number;
}

export interface ImportResult {
  format: 'clerkd' | 'migration-tool';
  /** True when `onlyIfEmpty` found data, so nothing was written. */
  skipped: boolean;
  /** What `replace` deleted; null when nothing was. */
  deleted: TableCounts | null;
  imported: TableCounts;
  /** Profile image keys no row refers to any more (replace); the caller removes the files after the commit. */
  removedImageKeys: string[];
}

interface Claim {
  /** The record that claimed the value (`users[3].email_addresses[0]`). */
  record: string;
  /** The field (`users[3].email_addresses[0].email_address`). */
  field: string;
  /** The top-level record it belongs to (`users[3]`). */
  owner: string;
}

/** Values that must be unique, with where each was first seen in the document. */
class UniqueValues {
  readonly claims = new Map<string, Claim>();

  claim(value: string, claim: Claim): void {
    const first = this.claims.get(value);
    if (first) throw new SnapshotError(claim.field, `duplicate of ${first.owner === claim.owner ? first.record : first.owner}`);
    this.claims.set(value, claim);
  }

  has(value: string): boolean {
    return this.claims.has(value);
  }

  keys(): string[] {
    return [...this.claims.keys()];
  }
}

interface Registries {
  userIds: UniqueValues;
  externalIds: UniqueValues;
  usernames: UniqueValues;
  emails: UniqueValues;
  phones: UniqueValues;
  wallets: UniqueValues;
  identificationIds: UniqueValues;
  accountIds: UniqueValues;
  /** `provider\0provider_user_id` */
  providerAccounts: UniqueValues;
  organizationIds: UniqueValues;
  slugs: UniqueValues;
  membershipIds: UniqueValues;
  /** `organization_id\0user_id` */
  memberships: UniqueValues;
}

/** A membership that points at a user or organization not in the document: it must be in the database. */
interface ExternalReference {
  field: string;
  id: string;
  kind: 'user' | 'organization';
}

export interface PreparedImport {
  format: 'clerkd' | 'migration-tool';
  users: NewUserRow[];
  emailAddresses: NewEmailAddressRow[];
  phoneNumbers: NewPhoneNumberRow[];
  web3Wallets: NewWeb3WalletRow[];
  externalAccounts: NewExternalAccountRow[];
  organizations: NewOrganizationRow[];
  memberships: NewMembershipRow[];
  registries: Registries;
  externalReferences: ExternalReference[];
  imageKeys: Set<string>;
  /** Turns a path in the (mapped) snapshot into one in the file as given. */
  presentPath(path: string): string;
}

function registries(): Registries {
  return {
    userIds: new UniqueValues(),
    externalIds: new UniqueValues(),
    usernames: new UniqueValues(),
    emails: new UniqueValues(),
    phones: new UniqueValues(),
    wallets: new UniqueValues(),
    identificationIds: new UniqueValues(),
    accountIds: new UniqueValues(),
    providerAccounts: new UniqueValues(),
    organizationIds: new UniqueValues(),
    slugs: new UniqueValues(),
    membershipIds: new UniqueValues(),
    memberships: new UniqueValues(),
  };
}

/** Runs one of the API's own normalisers, turning its Clerk error into a SnapshotError at `path`. */
function checked<T>(path: string, work: () => T, detail?: string): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ClerkApiError) throw new SnapshotError(path, detail ?? error.longMessage);
    throw error;
  }
}

function metadataText(path: string, field: MetadataField, value: Record<string, unknown> | undefined): string {
  return checked(path, () => serializeMetadata(field, value ?? null));
}

function httpUrl(path: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SnapshotError(path, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SnapshotError(path, 'must be an absolute http(s) URL');
  return value;
}

/** The primary id a user names must be one of its own identifications; absent means the first. */
function primaryId(path: string, given: string | null | undefined, ids: string[], what: string): string | null {
  if (given === undefined) return ids[0] ?? null;
  if (given === null) return null;
  if (!ids.includes(given)) throw new SnapshotError(path, `${given} is not one of this user's ${what}`);
  return given;
}

async function prepareUser(
  user: SnapshotUser,
  index: number,
  now: number,
  cipher: TokenCipher,
  reg: Registries,
  out: PreparedImport,
): Promise<void> {
  const owner = `users[${index}]`;
  const at = (field: string) => `${owner}.${field}`;
  const createdAt = user.created_at ?? now;
  const updatedAt = user.updated_at ?? createdAt;

  const id = user.id ?? newId('user', now);
  reg.userIds.claim(id, { record: owner, field: at('id'), owner });
  const externalId = user.external_id ?? null;
  if (externalId !== null) reg.externalIds.claim(externalId, { record: owner, field: at('external_id'), owner });
  const username = user.username === undefined || user.username === null ? null : checked(at('username'), () => normalizeUsername(user.username!));
  if (username !== null) reg.usernames.claim(username, { record: owner, field: at('username'), owner });

  const emailIds: string[] = [];
  (user.email_addresses ?? []).forEach((email, i) => {
    const record = at(`email_addresses[${i}]`);
    const address = checked(`${record}.email_address`, () => normalizeEmailAddress(email.email_address), 'is not a valid email address');
    reg.emails.claim(address, { record, field: `${record}.email_address`, owner });
    const emailId = email.id ?? newId('idn', now);
    reg.identificationIds.claim(emailId, { record, field: `${record}.id`, owner });
    emailIds.push(emailId);
    out.emailAddresses.push({
      id: emailId,
      userId: id,
      emailAddress: address,
      status: email.status ?? 'verified',
      createdAt: email.created_at ?? createdAt,
      updatedAt: email.updated_at ?? updatedAt,
    });
  });

  const phoneIds: string[] = [];
  (user.phone_numbers ?? []).forEach((phone, i) => {
    const record = at(`phone_numbers[${i}]`);
    const number = checked(`${record}.phone_number`, () => normalizePhoneNumber(phone.phone_number), 'is not an E.164 phone number');
    reg.phones.claim(number, { record, field: `${record}.phone_number`, owner });
    const phoneId = phone.id ?? newId('idn', now);
    reg.identificationIds.claim(phoneId, { record, field: `${record}.id`, owner });
    phoneIds.push(phoneId);
    out.phoneNumbers.push({
      id: phoneId,
      userId: id,
      phoneNumber: number,
      status: phone.status ?? 'verified',
      reservedForSecondFactor: phone.reserved_for_second_factor ?? false,
      defaultSecondFactor: phone.default_second_factor ?? false,
      createdAt: phone.created_at ?? createdAt,
      updatedAt: phone.updated_at ?? updatedAt,
    });
  });

  const walletIds: string[] = [];
  (user.web3_wallets ?? []).forEach((wallet, i) => {
    const record = at(`web3_wallets[${i}]`);
    const address = checked(`${record}.web3_wallet`, () => normalizeWeb3Wallet(wallet.web3_wallet), 'is not a web3 wallet (0x and 40 hex digits)');
    reg.wallets.claim(address.toLowerCase(), { record, field: `${record}.web3_wallet`, owner });
    const walletId = wallet.id ?? newId('idn', now);
    reg.identificationIds.claim(walletId, { record, field: `${record}.id`, owner });
    walletIds.push(walletId);
    out.web3Wallets.push({
      id: walletId,
      userId: id,
      web3Wallet: address,
      status: wallet.status ?? 'verified',
      createdAt: wallet.created_at ?? createdAt,
      updatedAt: wallet.updated_at ?? updatedAt,
    });
  });

  const digest = user.password_digest ?? null;
  const hasher = user.password_hasher ?? null;
  if (digest !== null && hasher === null) throw new SnapshotError(at('password_hasher'), 'is required when password_digest is given');
  if (digest === null && hasher !== null) throw new SnapshotError(at('password_digest'), 'is required when password_hasher is given');
  if (hasher !== null && (!isPasswordHasher(hasher) || !digestParses(hasher, digest!))) {
    throw new SnapshotError(at('password_digest'), `is not in the format of the ${hasher} hasher`);
  }

  const totpSecret = user.totp_secret ? checked(at('totp_secret'), () => normalizeTotpSecret(user.totp_secret!), 'is not a base32 TOTP secret') : null;
  let backupCodes: string | null = null;
  if (user.backup_codes && user.backup_codes.length > 0) {
    const codes = user.backup_codes;
    try {
      backupCodes = JSON.stringify(await hashBackupCodes(codes, cipher.encryptionKey));
    } catch (error) {
      if (error instanceof ClerkApiError) throw new SnapshotError(at('backup_codes'), 'must hold bcrypt digests, digests exported by clerkd, or plain codes of 4 to 64 printable characters');
      throw error;
    }
  }
  const mfa = totpSecret !== null || backupCodes !== null;

  const profileImageKey = user.profile_image_key ?? null;
  if (profileImageKey !== null) out.imageKeys.add(profileImageKey);

  out.users.push({
    id,
    externalId,
    username,
    firstName: user.first_name ?? null,
    lastName: user.last_name ?? null,
    locale: user.locale ?? null,
    timezone: user.timezone ?? null,
    primaryEmailAddressId: primaryId(at('primary_email_address_id'), user.primary_email_address_id, emailIds, 'email_addresses'),
    primaryPhoneNumberId: primaryId(at('primary_phone_number_id'), user.primary_phone_number_id, phoneIds, 'phone_numbers'),
    primaryWeb3WalletId: primaryId(at('primary_web3_wallet_id'), user.primary_web3_wallet_id, walletIds, 'web3_wallets'),
    passwordDigest: digest,
    passwordHasher: hasher,
    passwordLastUpdatedAt: user.password_last_updated_at !== undefined ? user.password_last_updated_at : digest !== null ? createdAt : null,
    totpSecret,
    totpLastUsedStep: user.totp_last_used_step ?? null,
    backupCodes,
    mfaEnabledAt: user.mfa_enabled_at !== undefined ? user.mfa_enabled_at : mfa ? createdAt : null,
    mfaDisabledAt: user.mfa_disabled_at ?? null,
    banned: user.banned ?? false,
    locked: user.locked ?? false,
    lockoutExpiresAt: user.lockout_expires_at ?? null,
    failedVerificationAttempts: user.failed_verification_attempts ?? 0,
    publicMetadata: metadataText(at('public_metadata'), 'public_metadata', user.public_metadata),
    privateMetadata: metadataText(at('private_metadata'), 'private_metadata', user.private_metadata),
    unsafeMetadata: metadataText(at('unsafe_metadata'), 'unsafe_metadata', user.unsafe_metadata),
    profileImageKey,
    lastSignInAt: user.last_sign_in_at ?? null,
    lastActiveAt: user.last_active_at ?? null,
    legalAcceptedAt: user.legal_accepted_at ?? null,
    deleteSelfEnabled: user.delete_self_enabled ?? true,
    createOrganizationEnabled: user.create_organization_enabled ?? true,
    createOrganizationsLimit: user.create_organizations_limit ?? null,
    bypassClientTrust: user.bypass_client_trust ?? false,
    createdAt,
    updatedAt,
  });

  (user.external_accounts ?? []).forEach((account, i) => {
    const record = at(`external_accounts[${i}]`);
    const provider = withOAuthPrefix(account.provider.trim());
    if (!isProviderId(provider)) throw new SnapshotError(`${record}.provider`, 'must name an OAuth provider, like oauth_google or google');
    reg.providerAccounts.claim(`${provider}\0${account.provider_user_id}`, { record, field: `${record}.provider_user_id`, owner });
    const accountId = account.id ?? newId('eac', now);
    reg.accountIds.claim(accountId, { record, field: `${record}.id`, owner });
    const email = account.email_address?.trim() ? checked(`${record}.email_address`, () => normalizeEmailAddress(account.email_address!), 'is not a valid email address') : '';
    const phone = account.phone_number?.trim() ? checked(`${record}.phone_number`, () => normalizePhoneNumber(account.phone_number!), 'is not an E.164 phone number') : null;
    const tokens = Object.fromEntries(
      TOKEN_COLUMNS.map((column) => [column, cipher.encryptNullable(account[column] ?? null, tokenContext(accountId, column))]),
    ) as Record<(typeof TOKEN_COLUMNS)[number], string | null>;
    out.externalAccounts.push({
      id: accountId,
      userId: id,
      provider,
      providerUserId: account.provider_user_id,
      emailAddress: email,
      firstName: account.first_name ?? '',
      lastName: account.last_name ?? '',
      imageUrl: httpUrl(`${record}.image_url`, account.image_url),
      username: account.username ?? null,
      phoneNumber: phone,
      approvedScopes: normalizeScopes(account.approved_scopes ?? null),
      publicMetadata: metadataText(`${record}.public_metadata`, 'public_metadata', account.public_metadata),
      label: account.label ?? null,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
      tokenSecret: tokens.token_secret,
      accessTokenExpiresAt: account.access_token_expires_at ?? null,
      createdAt: account.created_at ?? createdAt,
      updatedAt: account.updated_at ?? updatedAt,
    });
  });
}

function prepareOrganizations(snapshot: Snapshot, now: number, reg: Registries, out: PreparedImport): void {
  (snapshot.organizations ?? []).forEach((organization, index) => {
    const owner = `organizations[${index}]`;
    const at = (field: string) => `${owner}.${field}`;
    const id = organization.id ?? newId('org', now);
    reg.organizationIds.claim(id, { record: owner, field: at('id'), owner });
    const name = organization.name.trim();
    if (name === '') throw new SnapshotError(at('name'), 'must not be blank');
    const slug = organization.slug ?? slugFromName(name);
    try {
      reg.slugs.claim(slug, { record: owner, field: at('slug'), owner });
    } catch (error) {
      if (organization.slug === undefined && error instanceof SnapshotError) {
        throw new SnapshotError(at('slug'), `"${slug}" (derived from the name) is taken by ${error.detail.replace(/^duplicate of /, '')}; give each organization a slug`);
      }
      throw error;
    }
    const createdAt = organization.created_at ?? now;
    out.organizations.push({
      id,
      name,
      slug,
      imageUrl: organization.image_url ?? null,
      publicMetadata: metadataText(at('public_metadata'), 'public_metadata', organization.public_metadata),
      privateMetadata: metadataText(at('private_metadata'), 'private_metadata', organization.private_metadata),
      maxAllowedMemberships: organization.max_allowed_memberships ?? 0,
      adminDeleteEnabled: organization.admin_delete_enabled ?? true,
      createdBy: organization.created_by ?? null,
      createdAt,
      updatedAt: organization.updated_at ?? createdAt,
    });
  });

  (snapshot.organization_memberships ?? []).forEach((membership, index) => {
    const owner = `organization_memberships[${index}]`;
    const at = (field: string) => `${owner}.${field}`;
    const id = membership.id ?? newId('orgmem', now);
    reg.membershipIds.claim(id, { record: owner, field: at('id'), owner });
    if (!reg.organizationIds.has(membership.organization_id)) {
      out.externalReferences.push({ field: at('organization_id'), id: membership.organization_id, kind: 'organization' });
    }
    if (!reg.userIds.has(membership.user_id)) out.externalReferences.push({ field: at('user_id'), id: membership.user_id, kind: 'user' });
    reg.memberships.claim(`${membership.organization_id}\0${membership.user_id}`, { record: owner, field: at('user_id'), owner });
    const createdAt = membership.created_at ?? now;
    out.memberships.push({
      id,
      organizationId: membership.organization_id,
      userId: membership.user_id,
      role: membership.role ?? 'org:member',
      publicMetadata: metadataText(at('public_metadata'), 'public_metadata', membership.public_metadata),
      privateMetadata: metadataText(at('private_metadata'), 'private_metadata', membership.private_metadata),
      createdAt,
      updatedAt: membership.updated_at ?? createdAt,
    });
  });
}

/** Paths inside a message (`duplicate of users[3]`) follow the file's own naming too. */
function presentError(error: SnapshotError, presentPath: (path: string) => string): SnapshotError {
  const detail = error.detail.replace(/\busers\[\d+\](?:\.[a-z_]+(?:\[\d+\])?)*/g, (path) => presentPath(path));
  return new SnapshotError(presentPath(error.path), detail);
}

/**
 * Everything that can be checked without the database: schema, formats, uniqueness within
 * the document. Returns the rows to insert (tokens already encrypted).
 */
export async function prepareImport(input: unknown, cipher: TokenCipher, now: number = Date.now()): Promise<PreparedImport> {
  const document = detectAndValidate(input);
  let snapshot: Snapshot;
  let presentPath: (path: string) => string = (path) => path;
  if (document.format === 'migration-tool') {
    const mapped = mapMigrationToolUsers(document.users, now);
    snapshot = mapped.snapshot;
    presentPath = (path) => migrationToolPath(mapped.sources, path);
  } else {
    snapshot = document.snapshot;
  }
  const reg = registries();
  const out: PreparedImport = {
    format: document.format,
    users: [],
    emailAddresses: [],
    phoneNumbers: [],
    web3Wallets: [],
    externalAccounts: [],
    organizations: [],
    memberships: [],
    registries: reg,
    externalReferences: [],
    imageKeys: new Set(),
    presentPath,
  };
  try {
    const users = snapshot.users ?? [];
    for (let index = 0; index < users.length; index++) await prepareUser(users[index]!, index, now, cipher, reg, out);
    prepareOrganizations(snapshot, now, reg, out);
  } catch (error) {
    if (error instanceof SnapshotError) throw presentError(error, presentPath);
    throw error;
  }
  return out;
}

/** The first value of `values` (in document order) that `existing` holds. */
function firstConflict(values: UniqueValues, existing: Set<string> | Map<string, string>): { claim: Claim; owner: string | undefined } | null {
  for (const [value, claim] of values.claims) {
    if (existing.has(value)) return { claim, owner: existing instanceof Map ? existing.get(value) : undefined };
  }
  return null;
}

/** Refuses a document that collides with rows already stored (when not replacing them). */
function checkAgainstDatabase(x: Executor, prepared: PreparedImport): void {
  const reg = prepared.registries;
  const usedBy = (owner: string | undefined) => (owner === undefined ? 'already in the database' : `already used by ${owner} in the database`);
  const checks: [UniqueValues, (values: string[]) => Set<string> | Map<string, string>][] = [
    [reg.userIds, (ids) => repo.existingUserIds(x, ids)],
    [reg.externalIds, (values) => repo.usersByExternalId(x, values)],
    [reg.usernames, (values) => repo.usersByUsername(x, values)],
    [reg.emails, (values) => repo.emailOwners(x, values)],
    [reg.phones, (values) => repo.phoneOwners(x, values)],
    [reg.wallets, (values) => repo.walletOwners(x, values)],
    [reg.identificationIds, (ids) => repo.existingIdentificationIds(x, ids)],
    [reg.accountIds, (ids) => repo.existingExternalAccountIds(x, ids)],
    [
      reg.providerAccounts,
      (keys) =>
        new Map(
          repo
            .accountsByProviderUserId(x, [...new Set(keys.map((key) => key.split('\0')[1]!))])
            .map((row) => [`${row.provider}\0${row.providerUserId}`, row.userId]),
        ),
    ],
    [reg.organizationIds, (ids) => repo.existingOrganizationIds(x, ids)],
    [reg.slugs, (slugs) => repo.organizationsBySlug(x, slugs)],
    [reg.membershipIds, (ids) => repo.existingMembershipIds(x, ids)],
  ];
  for (const [values, lookup] of checks) {
    const keys = values.keys();
    if (keys.length === 0) continue;
    const conflict = firstConflict(values, lookup(keys));
    if (conflict) throw new SnapshotError(conflict.claim.field, usedBy(conflict.owner));
  }

  const references = prepared.externalReferences;
  if (references.length > 0) {
    const users = repo.existingUserIds(x, references.filter((ref) => ref.kind === 'user').map((ref) => ref.id));
    const organizations = repo.existingOrganizationIds(x, references.filter((ref) => ref.kind === 'organization').map((ref) => ref.id));
    for (const ref of references) {
      const found = ref.kind === 'user' ? users.has(ref.id) : organizations.has(ref.id);
      if (!found) throw new SnapshotError(ref.field, `${ref.id} is not a${ref.kind === 'organization' ? 'n' : ''} ${ref.kind} in this snapshot or in the database`);
    }
    const organizationIds = [...new Set(prepared.memberships.map((membership) => membership.organizationId))];
    const stored = new Set(repo.membershipsOf(x, organizationIds).map((row) => `${row.organizationId}\0${row.userId}`));
    const conflict = firstConflict(reg.memberships, stored);
    if (conflict) throw new SnapshotError(conflict.claim.field, 'is already a member of that organization in the database');
  }
}

function refuseUnknownReferences(prepared: PreparedImport): void {
  const ref = prepared.externalReferences[0];
  if (ref) throw new SnapshotError(ref.field, `${ref.id} is not a${ref.kind === 'organization' ? 'n' : ''} ${ref.kind} in this snapshot`);
}

/** Inserts a prepared document; run inside the write transaction. */
export function insertPrepared(x: Executor, prepared: PreparedImport): TableCounts {
  userRepository.insertUsers(x, prepared.users);
  userRepository.insertEmailAddresses(x, prepared.emailAddresses);
  userRepository.insertPhoneNumbers(x, prepared.phoneNumbers);
  userRepository.insertWeb3Wallets(x, prepared.web3Wallets);
  repo.insertExternalAccounts(x, prepared.externalAccounts);
  userRepository.refreshSearchTexts(
    x,
    prepared.users.map((user) => user.id),
  );
  repo.insertOrganizations(x, prepared.organizations);
  repo.insertMemberships(x, prepared.memberships);
  return { users: prepared.users.length, organizations: prepared.organizations.length, organization_memberships: prepared.memberships.length };
}

/**
 * Wipes every table and, when given, inserts a prepared document, in the transaction `x`.
 * Returns what was deleted and the image keys nothing refers to any more.
 */
export function replaceAll(x: Executor, prepared: PreparedImport | null): { deleted: TableCounts; imported: TableCounts; removedImageKeys: string[] } {
  const before = userRepository.profileImageKeys(x);
  const deleted = repo.deleteAll(x);
  let imported: TableCounts = { users: 0, organizations: 0, organization_memberships: 0 };
  if (prepared) {
    refuseUnknownReferences(prepared);
    imported = insertPrepared(x, prepared);
  }
  const kept = prepared?.imageKeys ?? new Set<string>();
  return { deleted, imported, removedImageKeys: [...before].filter((key) => !kept.has(key)) };
}

/** One IMMEDIATE transaction; a unique-index conflict the checks did not foresee still names itself. */
export function inWriteTransaction<T>(db: Db, work: (tx: Executor) => T): Promise<T> {
  return writeTransaction(db, work, (error) => (isUniqueViolation(error) ? new SnapshotError('', `conflicts with data already stored (${uniqueViolationMessage(error)})`) : error));
}

/** Applies a prepared document in one write transaction (see ImportOptions). */
export async function applyImport(db: Db, prepared: PreparedImport, options: Omit<ImportOptions, 'now'> = {}): Promise<ImportResult> {
  const empty: TableCounts = { users: 0, organizations: 0, organization_memberships: 0 };
  try {
    return await inWriteTransaction(db, (tx): ImportResult => {
      if (options.onlyIfEmpty) {
        const counts = repo.counts(tx);
        if (counts.users > 0 || counts.organizations > 0) return { format: prepared.format, skipped: true, deleted: null, imported: empty, removedImageKeys: [] };
      }
      if (options.replace) {
        const { deleted, imported, removedImageKeys } = replaceAll(tx, prepared);
        return { format: prepared.format, skipped: false, deleted, imported, removedImageKeys };
      }
      checkAgainstDatabase(tx, prepared);
      return { format: prepared.format, skipped: false, deleted: null, imported: insertPrepared(tx, prepared), removedImageKeys: [] };
    });
  } catch (error) {
    if (error instanceof SnapshotError) throw presentError(error, prepared.presentPath);
    throw error;
  }
}

/**
 * Imports a clerkd snapshot, or a migration-tool user array, all or nothing. `input` is the
 * parsed JSON document. Throws SnapshotError (nothing written) when any record is refused.
 */
export async function importSnapshot(db: Db, cipher: TokenCipher, input: unknown, options: ImportOptions = {}): Promise<ImportResult> {
  const prepared = await prepareImport(input, cipher, options.now);
  return applyImport(db, prepared, options);
}
