import { and, asc, desc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/executor.js';
import { organizationMemberships, organizations, users, type OrganizationMembershipRow } from '../db/schema.js';
import type {
  MemberPublicData,
  MembershipListFilter,
  MembershipOrderField,
  MembershipView,
  Order,
  OrganizationListFilter,
  OrganizationOrderField,
  OrganizationView,
  Page,
} from './types.js';

/**
 * Every SQL statement about organizations and their memberships. Like the users
 * repository, each method runs on the executor it is given: the database or an open
 * transaction. Member counts are computed when read, so a deleted user or membership can
 * never leave a stale `members_count` behind.
 */

type NewOrganizationRow = typeof organizations.$inferInsert;
type NewMembershipRow = typeof organizationMemberships.$inferInsert;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function containsIgnoringCase(column: SQL, value: string): SQL {
  return sql`unicode_lower(${column}) LIKE ${`%${escapeLike(value.toLowerCase())}%`} ESCAPE '\\'`;
}

/**
 * A column named with its table. Drizzle leaves columns unqualified in the select list of a
 * single-table query, where a correlated subquery would then bind them to its own table.
 */
function qualified(table: string, column: string): SQL {
  return sql`${sql.identifier(table)}.${sql.identifier(column)}`;
}

const MEMBERS_COUNT = sql<number>`(SELECT count(*) FROM organization_memberships AS m WHERE m.organization_id = ${qualified('organizations', 'id')})`;

function withCount(x: Executor) {
  return x.select({ organization: organizations, membersCount: MEMBERS_COUNT }).from(organizations);
}

function organizationConditions(filter: OrganizationListFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.query) {
    where.push(
      sql`(${organizations.id} = ${filter.query} OR ${containsIgnoringCase(sql`${organizations.name}`, filter.query)} OR ${containsIgnoringCase(sql`${organizations.slug}`, filter.query)})`,
    );
  }
  const hasMember = (userIds: string[]) =>
    sql`EXISTS (SELECT 1 FROM ${organizationMemberships} WHERE ${organizationMemberships.organizationId} = ${organizations.id} AND ${inArray(organizationMemberships.userId, userIds)})`;
  if (filter.userIds?.include.length) where.push(hasMember(filter.userIds.include));
  if (filter.userIds?.exclude.length) where.push(sql`NOT ${hasMember(filter.userIds.exclude)}`);
  if (filter.organizationIds?.include.length) where.push(inArray(organizations.id, filter.organizationIds.include));
  if (filter.organizationIds?.exclude.length) where.push(notInArray(organizations.id, filter.organizationIds.exclude));
  return where;
}

const ORGANIZATION_ORDER_COLUMNS: Record<OrganizationOrderField, SQL> = {
  created_at: sql`${organizations.createdAt}`,
  name: sql`lower(${organizations.name})`,
  members_count: MEMBERS_COUNT,
};

function organizationOrder(order: Order<OrganizationOrderField>): SQL[] {
  const dir = order.direction === 'asc' ? sql`ASC` : sql`DESC`;
  return [sql`${ORGANIZATION_ORDER_COLUMNS[order.field]} ${dir}`, order.direction === 'asc' ? asc(organizations.id) : desc(organizations.id)];
}

const primaryEmail = sql<string | null>`(SELECT e.email_address FROM email_addresses AS e WHERE e.id = ${qualified('users', 'primary_email_address_id')})`;
const primaryPhone = sql<string | null>`(SELECT p.phone_number FROM phone_numbers AS p WHERE p.id = ${qualified('users', 'primary_phone_number_id')})`;
const primaryWallet = sql<string | null>`(SELECT w.web3_wallet FROM web3_wallets AS w WHERE w.id = ${qualified('users', 'primary_web3_wallet_id')})`;

const MEMBERSHIP_ORDER_COLUMNS: Record<MembershipOrderField, SQL> = {
  created_at: sql`${organizationMemberships.createdAt}`,
  // Case-insensitive, closer to Clerk's Postgres collation than SQLite's byte order.
  first_name: sql`lower(${users.firstName})`,
  last_name: sql`lower(${users.lastName})`,
  username: sql`${users.username}`,
  email_address: primaryEmail,
  phone_number: primaryPhone,
};

/** NULLs sort as the largest value, as on Clerk's Postgres; ties fall back to the membership id. */
function membershipOrder(order: Order<MembershipOrderField>): SQL[] {
  const column = MEMBERSHIP_ORDER_COLUMNS[order.field];
  const dir = order.direction === 'asc' ? sql`ASC` : sql`DESC`;
  const terms = order.field === 'created_at' ? [] : [sql`(${column} IS NULL) ${dir}`];
  terms.push(sql`${column} ${dir}`, order.direction === 'asc' ? asc(organizationMemberships.id) : desc(organizationMemberships.id));
  return terms;
}

function membershipConditions(organizationId: string, filter: MembershipListFilter): SQL[] {
  const where: SQL[] = [eq(organizationMemberships.organizationId, organizationId)];
  if (filter.userIds?.include.length) where.push(inArray(organizationMemberships.userId, filter.userIds.include));
  if (filter.userIds?.exclude.length) where.push(notInArray(organizationMemberships.userId, filter.userIds.exclude));
  if (filter.roles?.length) where.push(inArray(organizationMemberships.role, filter.roles));
  if (filter.query) where.push(sql`${users.searchText} LIKE ${`%${escapeLike(filter.query.toLowerCase())}%`} ESCAPE '\\'`);
  return where;
}

export const organizationRepository = {
  findOrganization(x: Executor, id: string): OrganizationView | undefined {
    return withCount(x).where(eq(organizations.id, id)).get();
  },

  findOrganizationBySlug(x: Executor, slug: string): OrganizationView | undefined {
    return withCount(x).where(eq(organizations.slug, slug)).get();
  },

  /** The slugs in use that are `base` or `base-<anything>`, to pick a free one from. */
  slugsLike(x: Executor, base: string): Set<string> {
    const rows = x
      .select({ slug: organizations.slug })
      .from(organizations)
      .where(sql`${organizations.slug} = ${base} OR ${organizations.slug} LIKE ${`${escapeLike(base)}-%`} ESCAPE '\\'`)
      .all();
    return new Set(rows.map((row) => row.slug));
  },

  insertOrganization(x: Executor, row: NewOrganizationRow): void {
    x.insert(organizations).values(row).run();
  },

  updateOrganization(x: Executor, id: string, changes: Partial<NewOrganizationRow>): void {
    if (Object.keys(changes).length === 0) return;
    x.update(organizations).set(changes).where(eq(organizations.id, id)).run();
  },

  /** Deletes the organization; its memberships go with it (ON DELETE CASCADE). */
  deleteOrganization(x: Executor, id: string): boolean {
    return x.delete(organizations).where(eq(organizations.id, id)).run().changes > 0;
  },

  listOrganizations(x: Executor, filter: OrganizationListFilter, order: Order<OrganizationOrderField>, page: Page): OrganizationView[] {
    return withCount(x)
      .where(and(...organizationConditions(filter)))
      .orderBy(...organizationOrder(order))
      .limit(page.limit)
      .offset(page.offset)
      .all();
  },

  countOrganizations(x: Executor, filter: OrganizationListFilter): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(organizations)
      .where(and(...organizationConditions(filter)))
      .get();
    return row?.count ?? 0;
  },

  userExists(x: Executor, userId: string): boolean {
    return x.select({ id: users.id }).from(users).where(eq(users.id, userId)).get() !== undefined;
  },

  findMembership(x: Executor, organizationId: string, userId: string): OrganizationMembershipRow | undefined {
    return x
      .select()
      .from(organizationMemberships)
      .where(and(eq(organizationMemberships.organizationId, organizationId), eq(organizationMemberships.userId, userId)))
      .get();
  },

  insertMembership(x: Executor, row: NewMembershipRow): OrganizationMembershipRow {
    return x.insert(organizationMemberships).values(row).returning().get();
  },

  updateMembership(x: Executor, id: string, changes: Partial<NewMembershipRow>): OrganizationMembershipRow | undefined {
    return x.update(organizationMemberships).set(changes).where(eq(organizationMemberships.id, id)).returning().get();
  },

  deleteMembership(x: Executor, id: string): boolean {
    return x.delete(organizationMemberships).where(eq(organizationMemberships.id, id)).run().changes > 0;
  },

  countMembers(x: Executor, organizationId: string): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(organizationMemberships)
      .where(eq(organizationMemberships.organizationId, organizationId))
      .get();
    return row?.count ?? 0;
  },

  listOrganizationMemberships(
    x: Executor,
    organizationId: string,
    filter: MembershipListFilter,
    order: Order<MembershipOrderField>,
    page: Page,
  ): OrganizationMembershipRow[] {
    return x
      .select({ membership: organizationMemberships })
      .from(organizationMemberships)
      .innerJoin(users, eq(users.id, organizationMemberships.userId))
      .where(and(...membershipConditions(organizationId, filter)))
      .orderBy(...membershipOrder(order))
      .limit(page.limit)
      .offset(page.offset)
      .all()
      .map((row) => row.membership);
  },

  countOrganizationMemberships(x: Executor, organizationId: string, filter: MembershipListFilter): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(organizationMemberships)
      .innerJoin(users, eq(users.id, organizationMemberships.userId))
      .where(and(...membershipConditions(organizationId, filter)))
      .get();
    return row?.count ?? 0;
  },

  /** A user's memberships, newest first. */
  listUserMemberships(x: Executor, userId: string, page: Page): OrganizationMembershipRow[] {
    return x
      .select()
      .from(organizationMemberships)
      .where(eq(organizationMemberships.userId, userId))
      .orderBy(desc(organizationMemberships.createdAt), desc(organizationMemberships.id))
      .limit(page.limit)
      .offset(page.offset)
      .all();
  },

  countUserMemberships(x: Executor, userId: string): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(organizationMemberships)
      .where(eq(organizationMemberships.userId, userId))
      .get();
    return row?.count ?? 0;
  },

  /** Joins each membership to its organization (with member count) and its user's public data, keeping order. */
  loadMembershipViews(x: Executor, memberships: OrganizationMembershipRow[]): MembershipView[] {
    if (memberships.length === 0) return [];
    const organizationIds = [...new Set(memberships.map((m) => m.organizationId))];
    const userIds = [...new Set(memberships.map((m) => m.userId))];
    const orgs = new Map(
      withCount(x)
        .where(inArray(organizations.id, organizationIds))
        .all()
        .map((view) => [view.organization.id, view]),
    );
    const members = new Map(
      x
        .select({
          userId: users.id,
          firstName: users.firstName,
          lastName: users.lastName,
          username: users.username,
          profileImageKey: users.profileImageKey,
          banned: users.banned,
          primaryEmailAddress: primaryEmail,
          primaryPhoneNumber: primaryPhone,
          primaryWeb3Wallet: primaryWallet,
        })
        .from(users)
        .where(inArray(users.id, userIds))
        .all()
        .map((row): [string, MemberPublicData] => [row.userId, row]),
    );
    const views: MembershipView[] = [];
    for (const membership of memberships) {
      const organization = orgs.get(membership.organizationId);
      const user = members.get(membership.userId);
      if (organization && user) views.push({ membership, organization, user });
    }
    return views;
  },
};

export type OrganizationRepository = typeof organizationRepository;
