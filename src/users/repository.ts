import { and, asc, desc, eq, gt, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import { isUniqueViolation, uniqueViolationMessage, type Executor } from '../db/executor.js';
import {
  emailAddresses,
  externalAccounts,
  organizationMemberships,
  phoneNumbers,
  users,
  web3Wallets,
  type EmailAddressRow,
  type NewUserRow,
  type PhoneNumberRow,
  type UserRow,
  type Web3WalletRow,
} from '../db/schema.js';
import { ANCHOR_MIN_OFFSET, OffsetAnchors } from './offset-anchors.js';
import type { UserAggregate, UserListFilter, UserOrder, UserOrderField, UserPage } from './types.js';

/**
 * Every SQL statement about users lives here, so a PostgreSQL backend replaces this
 * module and nothing above it. Methods run on whatever executor they are given:
 * the database, or the transaction the service opened.
 */

type NewEmailAddress = typeof emailAddresses.$inferInsert;
type NewPhoneNumber = typeof phoneNumbers.$inferInsert;
type NewWeb3Wallet = typeof web3Wallets.$inferInsert;

function likePattern(value: string): string {
  return `%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Drizzle spends ~80 µs building a query and SQLite ~25 µs preparing it, against ~6 µs to
 * run a prepared one, so the statements every request runs are prepared once per executor.
 */
const preparedStatements = new WeakMap<Executor, Map<string, unknown>>();
function prepared<T>(x: Executor, name: string, build: (x: Executor) => T): T {
  let statements = preparedStatements.get(x);
  if (!statements) preparedStatements.set(x, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) statements.set(name, (statement = build(x)));
  return statement;
}

/** A list of ids as one bound parameter (a JSON array), so statements over id lists can be prepared. */
const idList = sql`(SELECT value FROM json_each(${sql.placeholder('ids')}))`;

function contains(column: SQL, value: string): SQL {
  return sql`unicode_lower(${column}) LIKE ${likePattern(value)} ESCAPE '\\'`;
}

/**
 * `query`: a case-insensitive substring of users.search_text. Three or more plain characters
 * go through the `users_search` trigram index (migrations/sqlite/0001); shorter queries, or ones
 * containing LIKE wildcards (which the index cannot escape), scan.
 */
function searchMatches(query: string): SQL {
  const text = query.toLowerCase();
  if ([...text].length >= 3 && !/[%_\\]/.test(text)) {
    return sql`${users.seq} IN (SELECT rowid FROM users_search WHERE search_text LIKE ${`%${text}%`})`;
  }
  return sql`${users.searchText} LIKE ${likePattern(text)} ESCAPE '\\'`;
}

const ORDER_COLUMNS: Record<UserOrderField, SQL> = {
  created_at: sql`${users.createdAt}`,
  updated_at: sql`${users.updatedAt}`,
  first_name: sql`${users.firstName}`,
  last_name: sql`${users.lastName}`,
  username: sql`${users.username}`,
  last_active_at: sql`${users.lastActiveAt}`,
  last_sign_in_at: sql`${users.lastSignInAt}`,
  email_address: sql`(SELECT ${emailAddresses.emailAddress} FROM ${emailAddresses} WHERE ${emailAddresses.id} = ${users.primaryEmailAddressId})`,
  phone_number: sql`(SELECT ${phoneNumbers.phoneNumber} FROM ${phoneNumbers} WHERE ${phoneNumbers.id} = ${users.primaryPhoneNumberId})`,
  web3wallet: sql`(SELECT lower(${web3Wallets.web3Wallet}) FROM ${web3Wallets} WHERE ${web3Wallets.id} = ${users.primaryWeb3WalletId})`,
};

function filterConditions(filter: UserListFilter): SQL[] {
  const where: SQL[] = [];
  // `id IN (SELECT user_id … WHERE <indexed condition>)` lets SQLite start from the identifier's
  // index; a correlated EXISTS would visit every user.
  const ownedBy = (table: typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets, condition: SQL) =>
    sql`${users.id} IN (SELECT ${table.userId} FROM ${table} WHERE ${condition})`;

  if (filter.emailAddresses?.length) {
    where.push(ownedBy(emailAddresses, inArray(emailAddresses.emailAddress, filter.emailAddresses)));
  }
  if (filter.phoneNumbers?.length) {
    where.push(ownedBy(phoneNumbers, inArray(phoneNumbers.phoneNumber, filter.phoneNumbers)));
  }
  if (filter.web3Wallets?.length) {
    where.push(ownedBy(web3Wallets, sql`lower(${web3Wallets.web3Wallet}) IN ${filter.web3Wallets}`));
  }
  if (filter.usernames?.length) where.push(inArray(users.username, filter.usernames));
  if (filter.externalIds?.include.length) where.push(inArray(users.externalId, filter.externalIds.include));
  if (filter.externalIds?.exclude.length) {
    where.push(sql`(${users.externalId} IS NULL OR ${notInArray(users.externalId, filter.externalIds.exclude)})`);
  }
  if (filter.userIds?.include.length) where.push(inArray(users.id, filter.userIds.include));
  if (filter.userIds?.exclude.length) where.push(notInArray(users.id, filter.userIds.exclude));

  const members = (organizationIds: string[]) =>
    sql`(SELECT ${organizationMemberships.userId} FROM ${organizationMemberships} WHERE ${inArray(organizationMemberships.organizationId, organizationIds)})`;
  if (filter.organizationIds?.include.length) where.push(sql`${users.id} IN ${members(filter.organizationIds.include)}`);
  if (filter.organizationIds?.exclude.length) where.push(sql`${users.id} NOT IN ${members(filter.organizationIds.exclude)}`);

  if (filter.query) where.push(searchMatches(filter.query));
  if (filter.emailAddressQuery) where.push(ownedBy(emailAddresses, contains(sql`${emailAddresses.emailAddress}`, filter.emailAddressQuery)));
  if (filter.phoneNumberQuery) where.push(ownedBy(phoneNumbers, contains(sql`${phoneNumbers.phoneNumber}`, filter.phoneNumberQuery)));
  if (filter.usernameQuery) where.push(contains(sql`${users.username}`, filter.usernameQuery));
  if (filter.nameQuery) {
    where.push(contains(sql`coalesce(${users.firstName}, '') || ' ' || coalesce(${users.lastName}, '')`, filter.nameQuery));
  }
  if (filter.banned !== undefined) where.push(eq(users.banned, filter.banned));

  if (filter.lastActiveAtBefore !== undefined) where.push(lt(users.lastActiveAt, filter.lastActiveAtBefore));
  if (filter.lastActiveAtAfter !== undefined) where.push(gt(users.lastActiveAt, filter.lastActiveAtAfter));
  if (filter.createdAtBefore !== undefined) where.push(lt(users.createdAt, filter.createdAtBefore));
  if (filter.createdAtAfter !== undefined) where.push(gt(users.createdAt, filter.createdAtAfter));
  if (filter.lastSignInAtBefore !== undefined) where.push(lt(users.lastSignInAt, filter.lastSignInAtBefore));
  if (filter.lastSignInAtAfter !== undefined) where.push(gt(users.lastSignInAt, filter.lastSignInAtAfter));

  if (filter.provider !== undefined && filter.providerUserIds?.length) {
    where.push(
      sql`${users.id} IN (SELECT ${externalAccounts.userId} FROM ${externalAccounts} WHERE ${externalAccounts.provider} = ${filter.provider} AND ${inArray(externalAccounts.providerUserId, filter.providerUserIds)})`,
    );
  }
  return where;
}

/** Postgres orders NULLs as the largest value (Clerk runs on Postgres); SQLite as the smallest. */
function orderTerms(order: UserOrder): SQL[] {
  const column = ORDER_COLUMNS[order.field];
  const dir = order.direction === 'asc' ? sql`ASC` : sql`DESC`;
  const terms = order.field === 'created_at' || order.field === 'updated_at' ? [] : [sql`(${column} IS NULL) ${dir}`];
  terms.push(sql`${column} ${dir}`, order.direction === 'asc' ? asc(users.id) : desc(users.id));
  return terms;
}

const anchorsByExecutor = new WeakMap<Executor, OffsetAnchors>();
function offsetAnchors(x: Executor): OffsetAnchors {
  let anchors = anchorsByExecutor.get(x);
  if (!anchors) anchorsByExecutor.set(x, (anchors = new OffsetAnchors()));
  return anchors;
}

/**
 * Changes whenever any connection commits: `data_version` moves on other connections'
 * commits, `total_changes()` on this one's.
 */
function dataVersion(x: Executor): string {
  const row = prepared(x, 'dataVersion', (db) => db.select({ version: sql<string>`(SELECT data_version FROM pragma_data_version) || ':' || total_changes()` }).from(sql`(SELECT 1)`).prepare()).get();
  return row!.version;
}

/** Rows per multi-row INSERT and ids per IN (...): well below SQLite's 32766 parameters. */
const ROW_CHUNK = 200;
const ID_CHUNK = 5000;

function chunks<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += ROW_CHUNK) result.push(rows.slice(start, start + ROW_CHUNK));
  return result;
}

/** Rows of several users, by user id, each list in the order given. */
export function groupByUser<T extends { userId: string }>(rows: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.userId);
    if (list) list.push(row);
    else grouped.set(row.userId, [row]);
  }
  return grouped;
}

export const userRepository = {
  findUser(x: Executor, id: string): UserRow | undefined {
    return prepared(x, 'users.byId', (db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare()).get({ id });
  },

  /** Loads users with their identifications, in the order of `ids`; unknown ids are skipped. */
  loadAggregates(x: Executor, ids: string[]): UserAggregate[] {
    if (ids.length === 0) return [];
    const params = { ids: JSON.stringify(ids) };
    // Identifications are listed in the order they were added (as given in the request).
    const inserted = sql`rowid`;
    const userRows = prepared(x, 'users.byIds', (db) => db.select().from(users).where(sql`${users.id} IN ${idList}`).prepare()).all(params);
    const byId = new Map(userRows.map((row) => [row.id, row]));
    const emails = groupByUser(
      prepared(x, 'emails.byUserIds', (db) => db.select().from(emailAddresses).where(sql`${emailAddresses.userId} IN ${idList}`).orderBy(inserted).prepare()).all(params),
    );
    const phones = groupByUser(
      prepared(x, 'phones.byUserIds', (db) => db.select().from(phoneNumbers).where(sql`${phoneNumbers.userId} IN ${idList}`).orderBy(inserted).prepare()).all(params),
    );
    const wallets = groupByUser(
      prepared(x, 'wallets.byUserIds', (db) => db.select().from(web3Wallets).where(sql`${web3Wallets.userId} IN ${idList}`).orderBy(inserted).prepare()).all(params),
    );
    const accounts = groupByUser(
      prepared(x, 'accounts.byUserIds', (db) => db.select().from(externalAccounts).where(sql`${externalAccounts.userId} IN ${idList}`).orderBy(inserted).prepare()).all(params),
    );
    const result: UserAggregate[] = [];
    for (const id of ids) {
      const user = byId.get(id);
      if (!user) continue;
      result.push({
        user,
        emailAddresses: emails.get(id) ?? [],
        phoneNumbers: phones.get(id) ?? [],
        web3Wallets: wallets.get(id) ?? [],
        externalAccounts: accounts.get(id) ?? [],
      });
    }
    return result;
  },

  insertUser(x: Executor, row: NewUserRow): void {
    x.insert(users).values(row).run();
  },

  /** Multi-row inserts for bulk loads (seed, import, bench). */
  insertUsers(x: Executor, rows: NewUserRow[]): void {
    for (const chunk of chunks(rows)) x.insert(users).values(chunk).run();
  },

  updateUser(x: Executor, id: string, changes: Partial<NewUserRow>): void {
    if (Object.keys(changes).length === 0) return;
    x.update(users).set(changes).where(eq(users.id, id)).run();
  },

  /** Deletes the user; identifications, accounts and memberships go with it (ON DELETE CASCADE). */
  deleteUser(x: Executor, id: string): boolean {
    return x.delete(users).where(eq(users.id, id)).run().changes > 0;
  },

  insertEmailAddresses(x: Executor, rows: NewEmailAddress[]): EmailAddressRow[] {
    return chunks(rows).flatMap((chunk) => x.insert(emailAddresses).values(chunk).returning().all());
  },

  insertPhoneNumbers(x: Executor, rows: NewPhoneNumber[]): PhoneNumberRow[] {
    return chunks(rows).flatMap((chunk) => x.insert(phoneNumbers).values(chunk).returning().all());
  },

  insertWeb3Wallets(x: Executor, rows: NewWeb3Wallet[]): Web3WalletRow[] {
    return chunks(rows).flatMap((chunk) => x.insert(web3Wallets).values(chunk).returning().all());
  },

  /** Every stored profile image key, to tell stored files from orphans. */
  profileImageKeys(x: Executor): Set<string> {
    const rows = x.select({ key: users.profileImageKey }).from(users).where(sql`${users.profileImageKey} IS NOT NULL`).all();
    return new Set(rows.map((row) => row.key!));
  },

  /** Phone numbers stop being second factors when MFA is disabled. */
  clearSecondFactorPhones(x: Executor, userId: string, now: number): void {
    x.update(phoneNumbers)
      .set({ reservedForSecondFactor: false, defaultSecondFactor: false, updatedAt: now })
      .where(and(eq(phoneNumbers.userId, userId), eq(phoneNumbers.reservedForSecondFactor, true)))
      .run();
  },

  /** Recomputes the text that `query` searches from the user's current fields and identifications. */
  refreshSearchText(x: Executor, id: string): void {
    userRepository.refreshSearchTexts(x, [id]);
  },

  /** The same for many users at once (bulk loads); ids go in chunks below SQLite's parameter limit. */
  refreshSearchTexts(x: Executor, ids: string[]): void {
    for (let start = 0; start < ids.length; start += ID_CHUNK) userRepository.refreshSearchTextChunk(x, ids.slice(start, start + ID_CHUNK));
  },

  refreshSearchTextChunk(x: Executor, ids: string[]): void {
    const nl = sql`char(10)`;
    x.run(sql`UPDATE ${users} SET search_text = unicode_lower(
        ${users.id} || ${nl} || coalesce(${users.username}, '') || ${nl} ||
        coalesce(${users.firstName}, '') || ' ' || coalesce(${users.lastName}, '') || ${nl} ||
        coalesce((SELECT group_concat(${emailAddresses.emailAddress}, char(10)) FROM ${emailAddresses} WHERE ${emailAddresses.userId} = ${users.id}), '') || ${nl} ||
        coalesce((SELECT group_concat(${phoneNumbers.phoneNumber}, char(10)) FROM ${phoneNumbers} WHERE ${phoneNumbers.userId} = ${users.id}), '') || ${nl} ||
        coalesce((SELECT group_concat(${web3Wallets.web3Wallet}, char(10)) FROM ${web3Wallets} WHERE ${web3Wallets.userId} = ${users.id}), ''))
      WHERE ${inArray(users.id, ids)}`);
  },

  listUserIds(x: Executor, filter: UserListFilter, order: UserOrder, page: UserPage): string[] {
    const where = filterConditions(filter);
    // A row-value comparison: SQLite seeks the (created_at, id) index with it, where the
    // equivalent `a < x OR (a = x AND b < y)` makes it scan the whole index.
    const keysetAfter = (cursor: { createdAt: number; id: string }) => {
      const after = order.direction === 'asc' ? sql`>` : sql`<`;
      return sql`(${users.createdAt}, ${users.id}) ${after} (${cursor.createdAt}, ${cursor.id})`;
    };
    if (page.startingAfter) where.push(keysetAfter(page.startingAfter));

    // Deep offsets in created_at order start from the nearest remembered position (see offset-anchors.ts).
    const anchored = order.field === 'created_at' && !page.startingAfter && page.offset >= ANCHOR_MIN_OFFSET;
    const list = anchored ? JSON.stringify([filter, order.direction]) : '';
    const version = anchored ? dataVersion(x) : '';
    const anchor = anchored ? offsetAnchors(x).nearest(list, version, page.offset) : undefined;
    if (anchor) where.push(keysetAfter(anchor));
    const offset = anchor ? page.offset - anchor.position - 1 : page.offset;
    // Also read the row just before the page, so the same page (or the next) starts from it later.
    const lead = anchored && offset > 0 ? 1 : 0;

    const rows = x
      .select({ id: users.id, createdAt: users.createdAt })
      .from(users)
      .where(and(...where))
      .orderBy(...orderTerms(order))
      .limit(page.limit + lead)
      .offset(offset - lead)
      .all();
    const before = lead ? rows.shift() : undefined;
    const last = rows.at(-1);
    if (before) offsetAnchors(x).remember(list, version, { position: page.offset - 1, ...before });
    if (anchored && last) offsetAnchors(x).remember(list, version, { position: page.offset + rows.length - 1, ...last });
    return rows.map((row) => row.id);
  },

  countUsers(x: Executor, filter: UserListFilter): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(users)
      .where(and(...filterConditions(filter)))
      .get();
    return row?.count ?? 0;
  },
};

export type UserRepository = typeof userRepository;

/** The identifier a unique-index conflict is about, so a race still answers `form_identifier_exists`. */
const UNIQUE_TARGETS: { pattern: RegExp; param: string; label: string }[] = [
  { pattern: /email_addresses\.email_address/, param: 'email_address', label: 'email address' },
  { pattern: /phone_numbers\.phone_number/, param: 'phone_number', label: 'phone number' },
  { pattern: /web3_wallets_wallet_unique|web3_wallets\.web3_wallet/, param: 'web3_wallet', label: 'web3 wallet' },
  { pattern: /users\.username/, param: 'username', label: 'username' },
  { pattern: /users\.external_id/, param: 'external_id', label: 'external ID' },
];

export function identifierFromUniqueViolation(error: unknown): { param: string; label: string } | null {
  if (!isUniqueViolation(error)) return null;
  const message = uniqueViolationMessage(error);
  const target = UNIQUE_TARGETS.find(({ pattern }) => pattern.test(message));
  return target ? { param: target.param, label: target.label } : null;
}
