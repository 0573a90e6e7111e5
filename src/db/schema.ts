import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The storage model. Timestamps are unix milliseconds; JSON columns hold text.
 * Self-contained on purpose: drizzle-kit loads this file on its own.
 */

const timestamps = {
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
};

/** `verified` (created by the admin API) or `reserved` (unverified, but claimed). */
export type IdentificationStatus = 'verified' | 'reserved';

export const users = sqliteTable(
  'users',
  {
    /**
     * The rowid, made explicit so it never changes (VACUUM renumbers implicit rowids): the
     * `users_search` FTS5 index (migrations/sqlite/0001) refers to users by it.
     */
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    externalId: text('external_id'),
    /** Stored lowercased: Clerk usernames are case-insensitive. */
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
    passwordLastUpdatedAt: integer('password_last_updated_at'),
    totpSecret: text('totp_secret'),
    /** The TOTP time step last accepted: a code is good once. */
    totpLastUsedStep: integer('totp_last_used_step'),
    /** JSON array of the unused backup codes' digests (src/mfa/backup-codes.ts: keyed HMAC-SHA256, or bcrypt as imported). */
    backupCodes: text('backup_codes'),
    mfaEnabledAt: integer('mfa_enabled_at'),
    mfaDisabledAt: integer('mfa_disabled_at'),
    banned: integer('banned', { mode: 'boolean' }).notNull().default(false),
    locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
    /** When a lock ends; null while `locked` means it never ends on its own. */
    lockoutExpiresAt: integer('lockout_expires_at'),
    failedVerificationAttempts: integer('failed_verification_attempts').notNull().default(0),
    /**
     * Comparisons started but not yet finished (src/users/lock-state.ts): each is reserved
     * before it runs, so confirmed failures plus these never exceed the lockout limit.
     */
    verificationsInFlight: integer('verifications_in_flight').notNull().default(0),
    /** When the latest reservation was taken; reservations older than the bound are a crashed process's and lapse. */
    verificationsReservedAt: integer('verifications_reserved_at'),
    publicMetadata: text('public_metadata').notNull().default('{}'),
    privateMetadata: text('private_metadata').notNull().default('{}'),
    unsafeMetadata: text('unsafe_metadata').notNull().default('{}'),
    /** Opaque key of the stored profile image; null means the default avatar. */
    profileImageKey: text('profile_image_key'),
    lastSignInAt: integer('last_sign_in_at'),
    lastActiveAt: integer('last_active_at'),
    legalAcceptedAt: integer('legal_accepted_at'),
    deleteSelfEnabled: integer('delete_self_enabled', { mode: 'boolean' }).notNull().default(true),
    createOrganizationEnabled: integer('create_organization_enabled', { mode: 'boolean' }).notNull().default(true),
    createOrganizationsLimit: integer('create_organizations_limit'),
    bypassClientTrust: integer('bypass_client_trust', { mode: 'boolean' }).notNull().default(false),
    /** Lowercased text of every field `query` searches, kept in sync by the repository; indexed by `users_search`. */
    searchText: text('search_text').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_id_unique').on(t.id),
    uniqueIndex('users_external_id_unique').on(t.externalId),
    uniqueIndex('users_username_unique').on(t.username),
    index('users_created_at_id').on(t.createdAt, t.id),
    index('users_updated_at').on(t.updatedAt),
    index('users_last_active_at').on(t.lastActiveAt),
    index('users_last_sign_in_at').on(t.lastSignInAt),
    index('users_first_name').on(t.firstName),
    index('users_last_name').on(t.lastName),
    index('users_banned').on(t.banned),
  ],
);

export const emailAddresses = sqliteTable(
  'email_addresses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Stored lowercased: Clerk treats email addresses case-insensitively. */
    emailAddress: text('email_address').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('email_addresses_email_unique').on(t.emailAddress), index('email_addresses_user_id').on(t.userId)],
);

export const phoneNumbers = sqliteTable(
  'phone_numbers',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    phoneNumber: text('phone_number').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    reservedForSecondFactor: integer('reserved_for_second_factor', { mode: 'boolean' }).notNull().default(false),
    defaultSecondFactor: integer('default_second_factor', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('phone_numbers_phone_unique').on(t.phoneNumber), index('phone_numbers_user_id').on(t.userId)],
);

export const web3Wallets = sqliteTable(
  'web3_wallets',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Kept as given (checksum case); uniqueness and filters compare lowercased. */
    web3Wallet: text('web3_wallet').notNull(),
    status: text('status').$type<IdentificationStatus>().notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('web3_wallets_wallet_unique').on(sql`lower(${t.web3Wallet})`),
    index('web3_wallets_user_id').on(t.userId),
  ],
);

/** OAuth accounts linked to a user (`provider` like `oauth_google`). Tokens arrive with the OAuth issue. */
export const externalAccounts = sqliteTable(
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
    publicMetadata: text('public_metadata').notNull().default('{}'),
    label: text('label'),
    /** OAuth tokens, each encrypted at rest (AES-256-GCM, see src/oauth); null when absent. */
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    tokenSecret: text('token_secret'),
    accessTokenExpiresAt: integer('access_token_expires_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('external_accounts_provider_user').on(t.provider, t.providerUserId),
    index('external_accounts_user_id').on(t.userId),
  ],
);

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    imageUrl: text('image_url'),
    publicMetadata: text('public_metadata').notNull().default('{}'),
    privateMetadata: text('private_metadata').notNull().default('{}'),
    /** 0 means no limit. */
    maxAllowedMemberships: integer('max_allowed_memberships').notNull().default(0),
    adminDeleteEnabled: integer('admin_delete_enabled', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by'),
    ...timestamps,
  },
  (t) => [uniqueIndex('organizations_slug_unique').on(t.slug), index('organizations_created_at').on(t.createdAt)],
);

export const organizationMemberships = sqliteTable(
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
    publicMetadata: text('public_metadata').notNull().default('{}'),
    privateMetadata: text('private_metadata').notNull().default('{}'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('organization_memberships_org_user').on(t.organizationId, t.userId),
    index('organization_memberships_user_id').on(t.userId, t.createdAt),
  ],
);

/**
 * Image files this database is about to refer to: written just before a finished upload is
 * renamed into place, deleted in the transaction that sets `profile_image_key`. A row left
 * behind names a file only this database can own (a process died between the two), which
 * a server that finds itself alone on the database removes at start (users/profile-image.ts).
 */
export const pendingImages = sqliteTable('pending_images', {
  key: text('key').primaryKey(),
  createdAt: integer('created_at').notNull(),
});

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type EmailAddressRow = typeof emailAddresses.$inferSelect;
export type NewEmailAddressRow = typeof emailAddresses.$inferInsert;
export type PhoneNumberRow = typeof phoneNumbers.$inferSelect;
export type Web3WalletRow = typeof web3Wallets.$inferSelect;
export type ExternalAccountRow = typeof externalAccounts.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type OrganizationMembershipRow = typeof organizationMemberships.$inferSelect;
