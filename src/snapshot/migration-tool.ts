import { newId } from '../ids.js';
import { parseRfc3339 } from '../time.js';
import { SnapshotError } from './errors.js';
import type { MigrationToolUser, Snapshot, SnapshotEmailAddress, SnapshotPhoneNumber, SnapshotUser } from './schema.js';

/**
 * Clerk's migration tool (github.com/clerk/migration-tool) reads a JSON array of users
 * (`userSchema` in its src/migrate/validator.ts) and creates each one through the Backend
 * API. clerkd imports the same file directly, mapping each field where that tool's
 * createUser call sends it:
 *
 *   userId                               → external_id (a new user_… id is generated)
 *   email, emailAddresses                → verified email addresses; the first `email` is primary
 *   unverifiedEmailAddresses             → reserved (unverified) email addresses
 *   phone, phoneNumbers                  → verified phone numbers; the first `phone` is primary
 *   unverifiedPhoneNumbers               → reserved phone numbers
 *   username, firstName, lastName        → username, first_name, last_name
 *   password + passwordHasher            → password_digest + password_hasher
 *   totpSecret, backupCodes              → totp_secret, backup_codes (MFA enabled at import)
 *   public/private/unsafeMetadata        → the three metadata objects
 *   bypassClientTrust, createOrganizationEnabled, createOrganizationsLimit,
 *   deleteSelfEnabled                    → the same settings
 *   createdAt, legalAcceptedAt (RFC 3339) → created_at, legal_accepted_at
 *   backupCodesEnabled, skipLegalChecks, skipPasswordChecks, unknown keys, null values → ignored
 *
 * An address listed twice for one user (the tool's Clerk transformer repeats the primary
 * one) is kept once. Unlike the tool, a user with no verified identifier is accepted: clerkd
 * has no instance settings that would require one.
 */

/** Where a snapshot field of a mapped user came from in the migration-tool file, for error messages. */
export interface MigrationToolSources {
  emails: string[][];
  phones: string[][];
}

const FIELD_SOURCES: Record<string, string> = {
  id: 'userId',
  external_id: 'userId',
  username: 'username',
  first_name: 'firstName',
  last_name: 'lastName',
  password_digest: 'password',
  password_hasher: 'passwordHasher',
  totp_secret: 'totpSecret',
  backup_codes: 'backupCodes',
  public_metadata: 'publicMetadata',
  private_metadata: 'privateMetadata',
  unsafe_metadata: 'unsafeMetadata',
  create_organizations_limit: 'createOrganizationsLimit',
  created_at: 'createdAt',
  legal_accepted_at: 'legalAcceptedAt',
};

/** `users[3].email_addresses[1].email_address` of the mapped snapshot → `[3].emailAddresses[0]` in the source file. */
export function migrationToolPath(sources: MigrationToolSources, snapshotPath: string): string {
  const match = /^users\[(\d+)\](?:\.(.*))?$/.exec(snapshotPath);
  if (!match) return snapshotPath;
  const index = Number(match[1]);
  const rest = match[2] ?? '';
  const identification = /^(email_addresses|phone_numbers)\[(\d+)\]/.exec(rest);
  if (identification) {
    const list = identification[1] === 'email_addresses' ? sources.emails : sources.phones;
    return list[index]?.[Number(identification[2])] ?? `[${index}]`;
  }
  const field = /^[a-z_]+/.exec(rest)?.[0];
  const source = field === undefined ? undefined : FIELD_SOURCES[field];
  return source === undefined ? `[${index}]` : `[${index}].${source}`;
}

function list(value: string | string[] | undefined, path: string): { value: string; path: string }[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.trim() === '' ? [] : [{ value, path }];
  return value.map((item, i) => ({ value: item, path: `${path}[${i}]` })).filter((item) => item.value.trim() !== '');
}

function metadata(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotError(path, 'must be an object');
  return value as Record<string, unknown>;
}

function timestamp(value: string | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseRfc3339(value);
  if (ms === null) throw new SnapshotError(path, 'must be an RFC 3339 date-time, like 2024-05-01T12:00:00Z');
  return ms;
}

export function mapMigrationToolUsers(records: MigrationToolUser[], now: number): { snapshot: Snapshot; sources: MigrationToolSources } {
  const sources: MigrationToolSources = { emails: [], phones: [] };
  const users = records.map((record, index): SnapshotUser => {
    const at = (field: string) => `[${index}].${field}`;
    if (record.password !== undefined && record.passwordHasher === undefined) {
      throw new SnapshotError(at('passwordHasher'), 'is required when password is provided');
    }
    const createdAt = timestamp(record.createdAt, at('createdAt')) ?? now;

    const emailSources: string[] = [];
    const emails: SnapshotEmailAddress[] = [];
    const seenEmails = new Set<string>();
    const addEmail = (item: { value: string; path: string }, status: 'verified' | 'reserved') => {
      const key = item.value.trim().toLowerCase();
      if (seenEmails.has(key)) return;
      seenEmails.add(key);
      emails.push({ id: newId('idn', now), email_address: item.value, status });
      emailSources.push(item.path);
    };
    for (const item of [...list(record.email, at('email')), ...list(record.emailAddresses, at('emailAddresses'))]) addEmail(item, 'verified');
    for (const item of list(record.unverifiedEmailAddresses, at('unverifiedEmailAddresses'))) addEmail(item, 'reserved');

    const phoneSources: string[] = [];
    const phones: SnapshotPhoneNumber[] = [];
    const seenPhones = new Set<string>();
    const addPhone = (item: { value: string; path: string }, status: 'verified' | 'reserved') => {
      const key = item.value.replace(/[\s().-]/g, '');
      if (seenPhones.has(key)) return;
      seenPhones.add(key);
      phones.push({ id: newId('idn', now), phone_number: item.value, status });
      phoneSources.push(item.path);
    };
    for (const item of [...list(record.phone, at('phone')), ...list(record.phoneNumbers, at('phoneNumbers'))]) addPhone(item, 'verified');
    for (const item of list(record.unverifiedPhoneNumbers, at('unverifiedPhoneNumbers'))) addPhone(item, 'reserved');

    sources.emails.push(emailSources);
    sources.phones.push(phoneSources);

    // The first verified address is primary, as the tool creates the user with it.
    const primaryEmail = emails.find((email) => email.status === 'verified') ?? null;
    const primaryPhone = phones.find((phone) => phone.status === 'verified') ?? null;
    const user: SnapshotUser = {
      id: newId('user', now),
      external_id: record.userId,
      username: record.username ?? null,
      first_name: record.firstName ?? null,
      last_name: record.lastName ?? null,
      primary_email_address_id: primaryEmail?.id ?? null,
      primary_phone_number_id: primaryPhone?.id ?? null,
      email_addresses: emails,
      phone_numbers: phones,
      password_digest: record.password ?? null,
      password_hasher: record.password === undefined ? null : (record.passwordHasher ?? null),
      totp_secret: record.totpSecret ?? null,
      backup_codes: record.backupCodes ?? null,
      legal_accepted_at: timestamp(record.legalAcceptedAt, at('legalAcceptedAt')) ?? null,
      created_at: createdAt,
      updated_at: now,
    };
    const publicMetadata = metadata(record.publicMetadata, at('publicMetadata'));
    const privateMetadata = metadata(record.privateMetadata, at('privateMetadata'));
    const unsafeMetadata = metadata(record.unsafeMetadata, at('unsafeMetadata'));
    if (publicMetadata) user.public_metadata = publicMetadata;
    if (privateMetadata) user.private_metadata = privateMetadata;
    if (unsafeMetadata) user.unsafe_metadata = unsafeMetadata;
    if (record.bypassClientTrust !== undefined) user.bypass_client_trust = record.bypassClientTrust;
    if (record.createOrganizationEnabled !== undefined) user.create_organization_enabled = record.createOrganizationEnabled;
    if (record.createOrganizationsLimit !== undefined) {
      if (record.createOrganizationsLimit < 0) throw new SnapshotError(at('createOrganizationsLimit'), 'must be >= 0');
      user.create_organizations_limit = record.createOrganizationsLimit;
    }
    if (record.deleteSelfEnabled !== undefined) user.delete_self_enabled = record.deleteSelfEnabled;
    return user;
  });
  return { snapshot: { clerkd_snapshot: 1, users }, sources };
}
