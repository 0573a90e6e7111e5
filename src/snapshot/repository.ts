import { asc, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Executor } from '../db/executor.js';
import {
  emailAddresses,
  externalAccounts,
  organizationMemberships,
  organizations,
  phoneNumbers,
  users,
  web3Wallets,
  type EmailAddressRow,
  type ExternalAccountRow,
  type OrganizationMembershipRow,
  type OrganizationRow,
  type PhoneNumberRow,
  type UserRow,
  type Web3WalletRow,
} from '../db/schema.js';

/**
 * The whole-database statements snapshots need (export, import, reset), beside the users and
 * organizations repositories rather than inside them: reading every table in a stable order,
 * bulk inserts, wiping everything, and the conflict lookups an import runs before it writes.
 */

export type NewPhoneNumberRow = typeof phoneNumbers.$inferInsert;
export type NewWeb3WalletRow = typeof web3Wallets.$inferInsert;
export type NewExternalAccountRow = typeof externalAccounts.$inferInsert;
export type NewOrganizationRow = typeof organizations.$inferInsert;
export type NewMembershipRow = typeof organizationMemberships.$inferInsert;

export interface AllRows {
  users: UserRow[];
  emailAddresses: EmailAddressRow[];
  phoneNumbers: PhoneNumberRow[];
  web3Wallets: Web3WalletRow[];
  externalAccounts: ExternalAccountRow[];
  organizations: OrganizationRow[];
  memberships: OrganizationMembershipRow[];
}

export interface TableCounts {
  users: number;
  organizations: number;
  organization_memberships: number;
}

/** Rows per multi-row INSERT, well below SQLite's parameter limit (as in the users repository). */
const ROW_CHUNK = 200;

function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => void): void {
  for (let start = 0; start < rows.length; start += ROW_CHUNK) insert(rows.slice(start, start + ROW_CHUNK));
}

/** `column IN (values)` with the values as one bound JSON array, so any number of them fits. */
function inJson(column: SQLiteColumn | SQL, values: string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** Identifications and accounts in the order they were added: the order the API lists them. */
const inserted = sql`rowid`;

function count(x: Executor, table: typeof users | typeof organizations | typeof organizationMemberships): number {
  return x.select({ count: sql<number>`count(*)` }).from(table).get()?.count ?? 0;
}

export const snapshotRepository = {
  /** Every row, users and organizations by (created_at, id), the rest in insertion order. */
  readAll(x: Executor): AllRows {
    return {
      users: x.select().from(users).orderBy(asc(users.createdAt), asc(users.id)).all(),
      emailAddresses: x.select().from(emailAddresses).orderBy(inserted).all(),
      phoneNumbers: x.select().from(phoneNumbers).orderBy(inserted).all(),
      web3Wallets: x.select().from(web3Wallets).orderBy(inserted).all(),
      externalAccounts: x.select().from(externalAccounts).orderBy(inserted).all(),
      organizations: x.select().from(organizations).orderBy(asc(organizations.createdAt), asc(organizations.id)).all(),
      memberships: x
        .select()
        .from(organizationMemberships)
        .orderBy(asc(organizationMemberships.createdAt), asc(organizationMemberships.id))
        .all(),
    };
  },

  counts(x: Executor): TableCounts {
    return { users: count(x, users), organizations: count(x, organizations), organization_memberships: count(x, organizationMemberships) };
  },

  /** Deletes every row of every table (children first, so no cascade has to find them); returns what was there. */
  deleteAll(x: Executor): TableCounts {
    const before = snapshotRepository.counts(x);
    x.delete(organizationMemberships).run();
    x.delete(organizations).run();
    x.delete(externalAccounts).run();
    x.delete(emailAddresses).run();
    x.delete(phoneNumbers).run();
    x.delete(web3Wallets).run();
    x.delete(users).run();
    return before;
  },

  insertExternalAccounts(x: Executor, rows: NewExternalAccountRow[]): void {
    insertInChunks(rows, (chunk) => x.insert(externalAccounts).values(chunk).run());
  },

  insertOrganizations(x: Executor, rows: NewOrganizationRow[]): void {
    insertInChunks(rows, (chunk) => x.insert(organizations).values(chunk).run());
  },

  insertMemberships(x: Executor, rows: NewMembershipRow[]): void {
    insertInChunks(rows, (chunk) => x.insert(organizationMemberships).values(chunk).run());
  },

  // Conflict lookups: which of the given values the database already holds, and whose they are.

  existingUserIds(x: Executor, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    return new Set(x.select({ id: users.id }).from(users).where(inJson(users.id, ids)).all().map((row) => row.id));
  },

  /** external_id → user id. */
  usersByExternalId(x: Executor, values: string[]): Map<string, string> {
    if (values.length === 0) return new Map();
    const rows = x.select({ value: users.externalId, id: users.id }).from(users).where(inJson(users.externalId, values)).all();
    return new Map(rows.map((row) => [row.value!, row.id]));
  },

  /** username (stored lowercased) → user id. */
  usersByUsername(x: Executor, values: string[]): Map<string, string> {
    if (values.length === 0) return new Map();
    const rows = x.select({ value: users.username, id: users.id }).from(users).where(inJson(users.username, values)).all();
    return new Map(rows.map((row) => [row.value!, row.id]));
  },

  /** email address → user id. */
  emailOwners(x: Executor, values: string[]): Map<string, string> {
    if (values.length === 0) return new Map();
    const rows = x.select({ value: emailAddresses.emailAddress, userId: emailAddresses.userId }).from(emailAddresses).where(inJson(emailAddresses.emailAddress, values)).all();
    return new Map(rows.map((row) => [row.value, row.userId]));
  },

  /** phone number → user id. */
  phoneOwners(x: Executor, values: string[]): Map<string, string> {
    if (values.length === 0) return new Map();
    const rows = x.select({ value: phoneNumbers.phoneNumber, userId: phoneNumbers.userId }).from(phoneNumbers).where(inJson(phoneNumbers.phoneNumber, values)).all();
    return new Map(rows.map((row) => [row.value, row.userId]));
  },

  /** lowercased wallet → user id (the unique index is on lower(web3_wallet)). */
  walletOwners(x: Executor, lowercased: string[]): Map<string, string> {
    if (lowercased.length === 0) return new Map();
    const rows = x
      .select({ value: sql<string>`lower(${web3Wallets.web3Wallet})`, userId: web3Wallets.userId })
      .from(web3Wallets)
      .where(inJson(sql`lower(${web3Wallets.web3Wallet})`, lowercased))
      .all();
    return new Map(rows.map((row) => [row.value, row.userId]));
  },

  /** Identification ids (email, phone, wallet) already used. */
  existingIdentificationIds(x: Executor, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const found = [
      ...x.select({ id: emailAddresses.id }).from(emailAddresses).where(inJson(emailAddresses.id, ids)).all(),
      ...x.select({ id: phoneNumbers.id }).from(phoneNumbers).where(inJson(phoneNumbers.id, ids)).all(),
      ...x.select({ id: web3Wallets.id }).from(web3Wallets).where(inJson(web3Wallets.id, ids)).all(),
    ];
    return new Set(found.map((row) => row.id));
  },

  existingExternalAccountIds(x: Executor, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    return new Set(x.select({ id: externalAccounts.id }).from(externalAccounts).where(inJson(externalAccounts.id, ids)).all().map((row) => row.id));
  },

  /** Accounts whose provider_user_id is among the given ones, to match (provider, provider_user_id) pairs. */
  accountsByProviderUserId(x: Executor, providerUserIds: string[]): { provider: string; providerUserId: string; userId: string }[] {
    if (providerUserIds.length === 0) return [];
    return x
      .select({ provider: externalAccounts.provider, providerUserId: externalAccounts.providerUserId, userId: externalAccounts.userId })
      .from(externalAccounts)
      .where(inJson(externalAccounts.providerUserId, providerUserIds))
      .all();
  },

  existingOrganizationIds(x: Executor, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    return new Set(x.select({ id: organizations.id }).from(organizations).where(inJson(organizations.id, ids)).all().map((row) => row.id));
  },

  /** slug → organization id. */
  organizationsBySlug(x: Executor, slugs: string[]): Map<string, string> {
    if (slugs.length === 0) return new Map();
    const rows = x.select({ slug: organizations.slug, id: organizations.id }).from(organizations).where(inJson(organizations.slug, slugs)).all();
    return new Map(rows.map((row) => [row.slug, row.id]));
  },

  existingMembershipIds(x: Executor, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    return new Set(
      x.select({ id: organizationMemberships.id }).from(organizationMemberships).where(inJson(organizationMemberships.id, ids)).all().map((row) => row.id),
    );
  },

  /** Memberships of the given organizations, to match (organization, user) pairs. */
  membershipsOf(x: Executor, organizationIds: string[]): { organizationId: string; userId: string }[] {
    if (organizationIds.length === 0) return [];
    return x
      .select({ organizationId: organizationMemberships.organizationId, userId: organizationMemberships.userId })
      .from(organizationMemberships)
      .where(inJson(organizationMemberships.organizationId, organizationIds))
      .all();
  },
};
