import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The storage model on PostgreSQL: the same tables and columns as the SQLite one
 * (src/db/schema.ts), in PostgreSQL's own types. Timestamps are unix milliseconds in
 * `bigint` (read as JS numbers: every one fits in 2^53), metadata is `jsonb`, flags are real
 * booleans, and `query` search uses a pg_trgm GIN index on `users.search_text` where SQLite
 * uses FTS5. Profile images live in the database (`profile_images`), so any replica serves
 * any image. Self-contained on purpose: drizzle-kit loads this file on its own
 * (drizzle.postgres.config.ts writes migrations/postgres/).
 *
 * Not used by the server yet: the PostgreSQL adapter behind the storage port (issue 12)
 * reads and writes through it.
 */

const millis = (name: string) => bigint(name, { mode: 'number' });

const timestamps = {
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
};

type Metadata = Record<string, unknown>;
const metadata = (name: string) => jsonb(name).$type<Metadata>().notNull().default({});

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export type IdentificationStatus = 'verified' | 'reserved';

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    externalId: text('external_id'),
    username: text('username'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    locale: text('locale'),
    timezone: text('timezone'),
    primaryEmailAddressId: text('primary_email_address_id'),
    primaryPhoneNumberId: text('primary_phone_number_id'),
    primaryWeb3WalletId: text('primary_web3_wallet_id'),
    passwordDigest: text('password_digest'),
    passwordHasher: text('password_hasher'),
    passwordLastUpdatedAt: millis('password_last_updated_at'),
    totpSecret: text('totp_secret'),
    totpLastUsedStep: bigint('totp_last_used_step', { mode: 'number' }),
    /** The unused backup codes' digests (src/mfa/backup-codes.ts). */
    backupCodes: jsonb('backup_codes').$type<string[]>(),
    mfaEnabledAt: millis('mfa_enabled_at'),
    mfaDisabledAt: millis('mfa_disabled_at'),
    banned: boolean('banned').notNull().default(false),
    locked: boolean('locked').notNull().default(false),
    lockoutExpiresAt: millis('lockout_expires_at'),
    failedVerificationAttempts: bigint('failed_verification_attempts', { mode: 'number' }).notNull().default(0),
    verificationsInFlight: bigint('verifications_in_flight', { mode: 'number' }).notNull().default(0),
    verificationsReservedAt: millis('verifications_reserved_at'),
    publicMetadata: metadata('public_metadata'),
    privateMetadata: metadata('private_metadata'),
    unsafeMetadata: metadata('unsafe_metadata'),
    profileImageKey: text('profile_image_key'),
    lastSignInAt: millis('last_sign_in_at'),
    lastActiveAt: millis('last_active_at'),
    legalAcceptedAt: millis('legal_accepted_at'),
    deleteSelfEnabled: boolean('delete_self_enabled').notNull().default(true),
    createOrganizationEnabled: boolean('create_organization_enabled').notNull().default(true),
    createOrganizationsLimit: bigint('create_organizations_limit', { mode: 'number' }),
    bypassClientTrust: boolean('bypass_client_trust').notNull().default(false),
    /** Lowercased text of every field `query` searches (the same folding as SQLite's). */
    searchText: text('search_text').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_external_id_unique').on(t.externalId),
    uniqueIndex('users_username_unique').on(t.username),
    index('users_created_at_id').on(t.createdAt, t.id),
    index('users_updated_at').on(t.updatedAt),
    index('users_last_active_at').on(t.lastActiveAt),
    index('users_last_sign_in_at').on(t.lastSignInAt),
    index('users_first_name').on(t.firstName),
    index('users_last_name').on(t.lastName),
    index('users_banned').on(t.banned),
    index('users_search_text_trgm').using('gin', t.searchText.op('gin_trgm_ops')),
  ],
);

export const emailAddresses = pgTable(
  'email_addresses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emailAddress: text('email_address').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('email_addresses_email_unique').on(t.emailAddress), index('email_addresses_user_id').on(t.userId)],
);

export const phoneNumbers = pgTable(
  'phone_numbers',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    phoneNumber: text('phone_number').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    reservedForSecondFactor: boolean('reserved_for_second_factor').notNull().default(false),
    defaultSecondFactor: boolean('default_second_factor').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('phone_numbers_phone_unique').on(t.phoneNumber), index('phone_numbers_user_id').on(t.userId)],
);

export const web3Wallets = pgTable(
  'web3_wallets',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    web3Wallet: text('web3_wallet').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('web3_wallets_wallet_unique').on(sql`lower(${t.web3Wallet})`), index('web3_wallets_user_id').on(t.userId)],
);

export const externalAccounts = pgTable(
  'external_accounts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    providerUserId: text('provider_user_id').notNull(),
    emailAddress: text('email_address').notNull().default(''),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    imageUrl: text('image_url'),
    username: text('username'),
    phoneNumber: text('phone_number'),
    approvedScopes: text('approved_scopes').notNull().default(''),
    publicMetadata: metadata('public_metadata'),
    label: text('label'),
    /** OAuth tokens, each encrypted at rest (AES-256-GCM, see src/oauth); null when absent. */
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    tokenSecret: text('token_secret'),
    accessTokenExpiresAt: millis('access_token_expires_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('external_accounts_provider_user').on(t.provider, t.providerUserId), index('external_accounts_user_id').on(t.userId)],
);

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    imageUrl: text('image_url'),
    publicMetadata: metadata('public_metadata'),
    privateMetadata: metadata('private_metadata'),
    /** 0 means no limit. */
    maxAllowedMemberships: bigint('max_allowed_memberships', { mode: 'number' }).notNull().default(0),
    adminDeleteEnabled: boolean('admin_delete_enabled').notNull().default(true),
    createdBy: text('created_by'),
    ...timestamps,
  },
  (t) => [uniqueIndex('organizations_slug_unique').on(t.slug), index('organizations_created_at').on(t.createdAt)],
);

export const organizationMemberships = pgTable(
  'organization_memberships',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    publicMetadata: metadata('public_metadata'),
    privateMetadata: metadata('private_metadata'),
    ...timestamps,
  },
  (t) => [uniqueIndex('organization_memberships_org_user').on(t.organizationId, t.userId), index('organization_memberships_user_id').on(t.userId, t.createdAt)],
);

/** Profile images, one row each, served by any replica under the same immutable keys as files. */
export const profileImages = pgTable('profile_images', {
  key: text('key').primaryKey(),
  contentType: text('content_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  bytes: bytea('bytes').notNull(),
  createdAt: millis('created_at').notNull(),
});
