import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import type { NewUserRow, UserRow } from '../db/schema.js';
import { errors } from '../errors.js';
import type { CreateUserBody, MetadataBody, UpdateUserBody } from '../schemas/user-bodies.js';
import { newId } from '../ids.js';
import { hashBackupCodes } from '../mfa/backup-codes.js';
import { normalizeTotpSecret } from '../mfa/totp.js';
import { isPasswordHasher, PASSWORD_HASHERS } from '../passwords/hashers.js';
import { digestParses } from '../passwords/imported.js';
import { hashPassword, NATIVE_HASHER } from '../passwords/native.js';
import { checkPasswordPolicy } from '../passwords/policy.js';
import { nowMillis, parseRfc3339 } from '../time.js';
import { normalizeEmailAddress, normalizePhoneNumber, normalizeUsername, normalizeWeb3Wallet } from './identifiers.js';
import { lockColumns } from './lock-state.js';
import { deepMergeMetadata, METADATA_COLUMNS, METADATA_FIELDS, parseMetadata, serializeMetadata } from './metadata.js';
import { mfaTimestamps } from './mfa-state.js';
import { userRepository as repo } from './repository.js';
import { writeTransaction } from './transaction.js';
import type { UserAggregate, UserListFilter, UserOrder, UserPage } from './types.js';

/**
 * The rules of the users resource. Every change runs in one transaction, so a rejected
 * request leaves nothing behind. Slow work (password hashing) happens before the
 * transaction opens, keeping SQLite's write lock short.
 */

export interface UserServiceDeps {
  db: Db;
  config: Pick<Config, 'argon2' | 'lockout' | 'encryptionKey'>;
}

/** The first API version whose PATCH /users/{id} rejects metadata. */
const METADATA_ON_UPDATE_REMOVED_IN = '2026-05-12';

type PasswordColumns = Pick<NewUserRow, 'passwordDigest' | 'passwordHasher' | 'passwordLastUpdatedAt'>;

interface PasswordInput {
  password?: string | null;
  password_digest?: string | null;
  password_hasher?: string | null;
  skip_password_checks?: boolean | null;
}

function rfc3339(param: string, value: string): number {
  const ms = parseRfc3339(value);
  if (ms === null) throw errors.paramInvalidTime(param);
  return ms;
}

/** Nullable text fields: `null` and `""` both clear (Clerk never returns `""` for them). */
function textOrNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/** Checks what a password change carries and hashes it; returns the columns to store. */
async function passwordColumns(input: PasswordInput, argon2: Config['argon2'], now: number): Promise<PasswordColumns | null> {
  const password = input.password ?? null;
  const digest = input.password_digest ?? null;
  const hasher = input.password_hasher ?? null;
  if (password !== null && digest !== null) {
    throw errors.conditionalParamDisallowed('password_digest', '`password` is provided');
  }
  if (digest !== null) {
    if (hasher === null) throw errors.conditionalParamMissing('password_hasher', '`password_digest` is provided');
    if (!isPasswordHasher(hasher)) {
      throw errors.paramValueInvalid('password_hasher', `${hasher} does not match one of the allowed values for parameter password_hasher (${PASSWORD_HASHERS.join(', ')})`);
    }
    if (!digestParses(hasher, digest)) throw errors.passwordDigestInvalid(hasher);
    return { passwordDigest: digest, passwordHasher: hasher, passwordLastUpdatedAt: now };
  }
  if (hasher !== null) throw errors.conditionalParamMissing('password_digest', '`password_hasher` is provided');
  if (password === null) return null;
  checkPasswordPolicy(password, input.skip_password_checks === true);
  return { passwordDigest: await hashPassword(password, argon2), passwordHasher: NATIVE_HASHER, passwordLastUpdatedAt: now };
}

function statuses(param: string, values: string[], given: ('verified' | 'reserved')[] | null | undefined): ('verified' | 'reserved')[] {
  if (!given || given.length === 0) return values.map(() => 'verified');
  if (given.length !== values.length) {
    throw errors.paramValueInvalid(param, `${param} must contain exactly one item per ${param.replace('_identification_status', '')} (${values.length}), got ${given.length}.`);
  }
  return given;
}

function effectiveApiVersion(requested: string | undefined, fallback: string): string {
  return requested && /^\d{4}-\d{2}-\d{2}$/.test(requested) ? requested : fallback;
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  private write<T>(work: (tx: Executor) => T): Promise<T> {
    return writeTransaction(this.deps.db, work);
  }

  private loadOne(x: Executor, id: string): UserAggregate {
    const [aggregate] = repo.loadAggregates(x, [id]);
    if (!aggregate) throw errors.userNotFound(id);
    return aggregate;
  }

  private requireUser(x: Executor, id: string): UserRow {
    const user = repo.findUser(x, id);
    if (!user) throw errors.userNotFound(id);
    return user;
  }

  getUser(id: string): UserAggregate {
    return this.loadOne(this.deps.db, id);
  }

  listUsers(filter: UserListFilter, order: UserOrder, page: UserPage): UserAggregate[] {
    return repo.loadAggregates(this.deps.db, repo.listUserIds(this.deps.db, filter, order, page));
  }

  countUsers(filter: UserListFilter): number {
    return repo.countUsers(this.deps.db, filter);
  }

  /** The user a `starting_after` cursor names, or a 422 when there is none. */
  cursorOf(id: string): { createdAt: number; id: string } {
    const user = repo.findUser(this.deps.db, id);
    if (!user) throw errors.paramValueInvalid('starting_after', `No user was found with id ${id}`);
    return { createdAt: user.createdAt, id: user.id };
  }

  async createUser(input: CreateUserBody): Promise<UserAggregate> {
    const now = nowMillis();
    const emails = (input.email_address ?? []).map((value) => normalizeEmailAddress(value));
    const emailStatuses = statuses('email_address_identification_status', emails, input.email_address_identification_status);
    const phones = (input.phone_number ?? []).map((value) => normalizePhoneNumber(value));
    const phoneStatuses = statuses('phone_number_identification_status', phones, input.phone_number_identification_status);
    const wallets = (input.web3_wallet ?? []).map((value) => normalizeWeb3Wallet(value));
    const username = input.username ? normalizeUsername(input.username) : null;
    const createdAt = typeof input.created_at === 'string' ? rfc3339('created_at', input.created_at) : now;
    const legalAcceptedAt = typeof input.legal_accepted_at === 'string' ? rfc3339('legal_accepted_at', input.legal_accepted_at) : null;
    const totp = input.totp_secret ? normalizeTotpSecret(input.totp_secret) : null;
    const backupCodes = input.backup_codes?.length ? JSON.stringify(await hashBackupCodes(input.backup_codes, this.deps.config.encryptionKey)) : null;
    const password = await passwordColumns(input, this.deps.config.argon2, now);

    // The id carries the real creation time: a back-dated `created_at` may predate the KSUID epoch.
    const id = newId('user', now);
    const emailRows = emails.map((emailAddress, i) => ({ id: newId('idn', now), userId: id, emailAddress, status: emailStatuses[i]!, createdAt: now, updatedAt: now }));
    const phoneRows = phones.map((phoneNumber, i) => ({ id: newId('idn', now), userId: id, phoneNumber, status: phoneStatuses[i]!, createdAt: now, updatedAt: now }));
    const walletRows = wallets.map((web3Wallet) => ({ id: newId('idn', now), userId: id, web3Wallet, status: 'verified' as const, createdAt: now, updatedAt: now }));

    return this.write((tx) => {
      repo.insertUser(tx, {
        id,
        externalId: textOrNull(input.external_id ?? null),
        username,
        firstName: textOrNull(input.first_name ?? null),
        lastName: textOrNull(input.last_name ?? null),
        locale: textOrNull(input.locale ?? null),
        timezone: textOrNull(input.timezone ?? null),
        primaryEmailAddressId: emailRows[0]?.id ?? null,
        primaryPhoneNumberId: phoneRows[0]?.id ?? null,
        primaryWeb3WalletId: walletRows[0]?.id ?? null,
        ...password,
        totpSecret: totp,
        backupCodes,
        mfaEnabledAt: totp !== null || backupCodes !== null ? now : null,
        banned: input.banned ?? false,
        ...(input.locked ? lockColumns(this.deps.config.lockout, now) : {}),
        publicMetadata: serializeMetadata('public_metadata', input.public_metadata ?? null),
        privateMetadata: serializeMetadata('private_metadata', input.private_metadata ?? null),
        unsafeMetadata: serializeMetadata('unsafe_metadata', input.unsafe_metadata ?? null),
        legalAcceptedAt,
        deleteSelfEnabled: input.delete_self_enabled ?? true,
        createOrganizationEnabled: input.create_organization_enabled ?? true,
        createOrganizationsLimit: input.create_organizations_limit ?? null,
        bypassClientTrust: input.bypass_client_trust ?? false,
        createdAt,
        updatedAt: now,
      });
      repo.insertEmailAddresses(tx, emailRows);
      repo.insertPhoneNumbers(tx, phoneRows);
      repo.insertWeb3Wallets(tx, walletRows);
      repo.refreshSearchText(tx, id);
      return this.loadOne(tx, id);
    });
  }

  async updateUser(id: string, input: UpdateUserBody, requestedApiVersion: string | undefined, defaultApiVersion: string): Promise<UserAggregate> {
    const apiVersion = effectiveApiVersion(requestedApiVersion, defaultApiVersion);
    if (apiVersion >= METADATA_ON_UPDATE_REMOVED_IN) {
      const field = METADATA_FIELDS.find((name) => input[name] !== undefined);
      if (field) throw errors.metadataNotAllowed(field, METADATA_ON_UPDATE_REMOVED_IN);
    }
    // Fail fast on a missing user before spending time on a password hash.
    this.requireUser(this.deps.db, id);

    const now = nowMillis();
    const changes: Partial<NewUserRow> = { updatedAt: now };
    if (input.external_id !== undefined) changes.externalId = textOrNull(input.external_id);
    if (input.first_name !== undefined) changes.firstName = textOrNull(input.first_name);
    if (input.last_name !== undefined) changes.lastName = textOrNull(input.last_name);
    if (input.locale !== undefined) changes.locale = textOrNull(input.locale);
    if (input.timezone !== undefined) changes.timezone = textOrNull(input.timezone);
    if (input.username !== undefined) changes.username = input.username === null || input.username === '' ? null : normalizeUsername(input.username);
    if (typeof input.created_at === 'string') changes.createdAt = rfc3339('created_at', input.created_at);
    if (input.legal_accepted_at !== undefined) {
      changes.legalAcceptedAt = input.legal_accepted_at === null ? null : rfc3339('legal_accepted_at', input.legal_accepted_at);
    }
    if (input.delete_self_enabled != null) changes.deleteSelfEnabled = input.delete_self_enabled;
    if (input.create_organization_enabled != null) changes.createOrganizationEnabled = input.create_organization_enabled;
    if (input.create_organizations_limit !== undefined) changes.createOrganizationsLimit = input.create_organizations_limit;
    if (input.bypass_client_trust != null) changes.bypassClientTrust = input.bypass_client_trust;
    Object.assign(changes, replacedMetadata(input));
    if (input.totp_secret !== undefined) {
      changes.totpSecret = input.totp_secret === null ? null : normalizeTotpSecret(input.totp_secret);
      changes.totpLastUsedStep = null;
    }
    if (input.backup_codes != null) changes.backupCodes = input.backup_codes.length ? JSON.stringify(await hashBackupCodes(input.backup_codes, this.deps.config.encryptionKey)) : null;
    Object.assign(changes, await passwordColumns(input, this.deps.config.argon2, now));

    return this.write((tx) => {
      const user = this.requireUser(tx, id);
      const current = this.loadOne(tx, id);
      const primary = (param: string, candidates: { id: string; status: string }[], wanted: string | null | undefined) => {
        if (wanted == null) return undefined;
        const match = candidates.find((candidate) => candidate.id === wanted);
        if (!match) throw errors.paramValueInvalid(param, `${wanted} does not belong to user ${id}.`);
        if (match.status !== 'verified') throw errors.paramValueInvalid(param, `${param} must name a verified identification.`);
        return wanted;
      };
      const email = primary('primary_email_address_id', current.emailAddresses, input.primary_email_address_id);
      if (email) changes.primaryEmailAddressId = email;
      const phone = primary('primary_phone_number_id', current.phoneNumbers, input.primary_phone_number_id);
      if (phone) changes.primaryPhoneNumberId = phone;
      const wallet = primary('primary_web3_wallet_id', current.web3Wallets, input.primary_web3_wallet_id);
      if (wallet) changes.primaryWeb3WalletId = wallet;
      if (input.profile_image_id != null) throw errors.imageNotFound('profile_image_id');

      const after = {
        totpSecret: changes.totpSecret !== undefined ? changes.totpSecret : user.totpSecret,
        backupCodes: changes.backupCodes !== undefined ? changes.backupCodes : user.backupCodes,
      };
      Object.assign(changes, mfaTimestamps(user, after, now));

      repo.updateUser(tx, id, changes);
      repo.refreshSearchText(tx, id);
      return this.loadOne(tx, id);
    });
  }

  /** PUT /users/{id}/metadata: each field given replaces that metadata; `null` clears it. */
  replaceMetadata(id: string, input: MetadataBody): Promise<UserAggregate> {
    const changes = replacedMetadata(input);
    return this.write((tx) => {
      this.requireUser(tx, id);
      repo.updateUser(tx, id, { ...changes, updatedAt: nowMillis() });
      return this.loadOne(tx, id);
    });
  }

  /**
   * PATCH /users/{id}/metadata: deep merge into what is stored. Read and write happen in one
   * IMMEDIATE transaction, so concurrent merges of different keys all land.
   */
  mergeMetadata(id: string, input: MetadataBody): Promise<UserAggregate> {
    return this.write((tx) => {
      const user = this.requireUser(tx, id);
      const changes: Partial<NewUserRow> = { updatedAt: nowMillis() };
      for (const field of METADATA_FIELDS) {
        const patch = input[field];
        if (patch === undefined) continue;
        const column = METADATA_COLUMNS[field];
        changes[column] = serializeMetadata(field, patch === null ? {} : deepMergeMetadata(parseMetadata(user[column]), patch));
      }
      repo.updateUser(tx, id, changes);
      return this.loadOne(tx, id);
    });
  }

  /**
   * Deletes the user and everything that is theirs. Returns the key of their stored profile
   * image, read in the same transaction, for the caller to remove once this has committed.
   */
  deleteUser(id: string): Promise<string | null> {
    return this.write((tx) => {
      const user = this.requireUser(tx, id);
      repo.deleteUser(tx, id);
      return user.profileImageKey;
    });
  }
}

/** The columns a replace of the given metadata fields writes (validated, size-checked). */
function replacedMetadata(input: MetadataBody): Partial<NewUserRow> {
  const changes: Partial<NewUserRow> = {};
  for (const field of METADATA_FIELDS) {
    const value = input[field];
    if (value !== undefined) changes[METADATA_COLUMNS[field]] = serializeMetadata(field, value);
  }
  return changes;
}
