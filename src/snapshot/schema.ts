import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PASSWORD_HASHERS } from '../passwords/hashers.js';
import { ORGANIZATION_ROLES } from '../organizations/permissions.js';
import { Nullable } from '../schemas/types.js';

/**
 * The clerkd snapshot: one JSON document holding every user (with identifications,
 * credentials, MFA state, lock state, metadata and external accounts with their tokens),
 * every organization and every membership. `clerkd export` writes it, `clerkd import`,
 * `CLERKD_SEED` and `POST /_clerkd/reset` read it. docs/snapshot.schema.json is generated
 * from this module (scripts/write-snapshot-schema.ts); a test keeps the two equal.
 *
 * Export writes every field. Import needs only what identifies a record (see `required`
 * below) and fills the rest with the values the API would have given it, so a seed file can
 * be written by hand. Timestamps are unix milliseconds, as on Clerk's wire.
 *
 * A snapshot holds secrets: password digests, TOTP secrets, backup code digests and OAuth
 * tokens in plain text (tokens are re-encrypted with the importing server's key).
 */

export const SNAPSHOT_VERSION = 1;

const Millis = (description: string) => Type.Integer({ minimum: 0, description });
const NullableMillis = (description: string) => Nullable(Type.Integer({ minimum: 0, description }));
const NullableString = (description: string) => Nullable(Type.String({ description }));
const Metadata = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });
const Id = (prefix: string, description: string) =>
  Type.String({ pattern: `^${prefix}_[0-9A-Za-z_-]+$`, maxLength: 128, description: `${description} (\`${prefix}_…\`)` });
const Status = Type.Unsafe<'verified' | 'reserved'>({
  type: 'string',
  enum: ['verified', 'reserved'],
  description: '`verified` (verified by the admin API) or `reserved` (claimed, unverified). Default `verified`.',
});

function record<T extends Record<string, TSchema>>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, description });
}

/** Fields every identification (email, phone, wallet) carries besides its value. */
const identificationId = { id: Type.Optional(Id('idn', 'Identification id; generated when absent')), status: Type.Optional(Status) };
const identificationTimestamps = {
  created_at: Type.Optional(Millis("Default: the user's created_at")),
  updated_at: Type.Optional(Millis("Default: the user's updated_at")),
};

export const SnapshotEmailAddress = record(
  {
    ...identificationId,
    email_address: Type.String({ description: 'Stored lowercased; unique across all users' }),
    ...identificationTimestamps,
  },
  'An email address of the user.',
);

export const SnapshotPhoneNumber = record(
  {
    ...identificationId,
    phone_number: Type.String({ description: 'E.164; unique across all users' }),
    reserved_for_second_factor: Type.Optional(Type.Boolean({ description: 'Default false' })),
    default_second_factor: Type.Optional(Type.Boolean({ description: 'Default false' })),
    ...identificationTimestamps,
  },
  'A phone number of the user.',
);

export const SnapshotWeb3Wallet = record(
  {
    ...identificationId,
    web3_wallet: Type.String({ description: '0x and 40 hex digits; unique (case-insensitively) across all users' }),
    ...identificationTimestamps,
  },
  'A web3 wallet of the user.',
);

export const SnapshotExternalAccount = record(
  {
    id: Type.Optional(Id('eac', 'External account id; generated when absent')),
    provider: Type.String({ description: '`oauth_google` (or `google`: the prefix is added)' }),
    provider_user_id: Type.String({ minLength: 1, description: "The user's id at the provider; (provider, provider_user_id) is unique" }),
    email_address: Type.Optional(Type.String({ description: 'Default ""' })),
    first_name: Type.Optional(Type.String({ description: 'Default ""' })),
    last_name: Type.Optional(Type.String({ description: 'Default ""' })),
    image_url: Type.Optional(NullableString('Absolute http(s) URL')),
    username: Type.Optional(NullableString('Username at the provider')),
    phone_number: Type.Optional(NullableString('E.164')),
    approved_scopes: Type.Optional(Type.String({ description: 'Space-separated scopes. Default ""' })),
    public_metadata: Type.Optional(Metadata('Default {}')),
    label: Type.Optional(NullableString('Label')),
    access_token: Type.Optional(NullableString('OAuth access token, in plain text (encrypted at rest by the importing server)')),
    refresh_token: Type.Optional(NullableString('OAuth refresh token, in plain text')),
    id_token: Type.Optional(NullableString('OpenID Connect id token, in plain text')),
    token_secret: Type.Optional(NullableString('OAuth 1.0a token secret, in plain text')),
    access_token_expires_at: Type.Optional(NullableMillis('When the access token expires; null means never')),
    created_at: Type.Optional(Millis("Default: the user's created_at")),
    updated_at: Type.Optional(Millis("Default: the user's updated_at")),
  },
  'An OAuth account linked to the user, with its tokens.',
);

export const SnapshotUser = record(
  {
    id: Type.Optional(Id('user', 'User id; generated when absent')),
    external_id: Type.Optional(NullableString('Unique across users')),
    username: Type.Optional(NullableString('4 to 64 letters, digits, _ and -; stored lowercased; unique')),
    first_name: Type.Optional(NullableString('First name')),
    last_name: Type.Optional(NullableString('Last name')),
    locale: Type.Optional(NullableString('Locale')),
    timezone: Type.Optional(NullableString('Time zone')),
    primary_email_address_id: Type.Optional(NullableString('One of email_addresses[].id. Absent: the first email address')),
    primary_phone_number_id: Type.Optional(NullableString('One of phone_numbers[].id. Absent: the first phone number')),
    primary_web3_wallet_id: Type.Optional(NullableString('One of web3_wallets[].id. Absent: the first wallet')),
    email_addresses: Type.Optional(Type.Array(SnapshotEmailAddress, { description: 'In the order the API lists them' })),
    phone_numbers: Type.Optional(Type.Array(SnapshotPhoneNumber, { description: 'In the order the API lists them' })),
    web3_wallets: Type.Optional(Type.Array(SnapshotWeb3Wallet, { description: 'In the order the API lists them' })),
    password_digest: Type.Optional(NullableString('Password digest in the format of password_hasher')),
    password_hasher: Type.Optional(
      Type.Unsafe<string | null>({ type: ['string', 'null'], enum: [...PASSWORD_HASHERS, null], description: 'How password_digest was made' }),
    ),
    password_last_updated_at: Type.Optional(NullableMillis('Default: created_at when a digest is given')),
    totp_secret: Type.Optional(NullableString('Base32 TOTP secret')),
    totp_last_used_step: Type.Optional(NullableMillis('The TOTP time step last accepted (a code works once)')),
    backup_codes: Type.Optional(
      Nullable(Type.Array(Type.String(), { description: 'Unused backup codes as stored: $hmac-sha256$<key id>$<mac>$<bcrypt> or bcrypt digests; plain codes are digested on import' })),
    ),
    mfa_enabled_at: Type.Optional(NullableMillis('Default: created_at when a TOTP secret or backup codes are given')),
    mfa_disabled_at: Type.Optional(NullableMillis('When MFA was last turned off')),
    banned: Type.Optional(Type.Boolean({ description: 'Default false' })),
    locked: Type.Optional(Type.Boolean({ description: 'Default false' })),
    lockout_expires_at: Type.Optional(NullableMillis('When the lock ends; null while locked means never')),
    failed_verification_attempts: Type.Optional(Type.Integer({ minimum: 0, description: 'Default 0' })),
    public_metadata: Type.Optional(Metadata('Default {}')),
    private_metadata: Type.Optional(Metadata('Default {}')),
    unsafe_metadata: Type.Optional(Metadata('Default {}')),
    profile_image_key: Type.Optional(
      Nullable(
        Type.String({
          pattern: '^img_[0-9A-Za-z]{27}\\.(png|jpg|gif|webp)$',
          description: 'Key of a file in the images directory; the image file itself is not in the snapshot',
        }),
      ),
    ),
    last_sign_in_at: Type.Optional(NullableMillis('Last sign-in')),
    last_active_at: Type.Optional(NullableMillis('Last activity')),
    legal_accepted_at: Type.Optional(NullableMillis('When the legal terms were accepted')),
    delete_self_enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    create_organization_enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    create_organizations_limit: Type.Optional(Nullable(Type.Integer({ minimum: 0, description: 'Default null (no limit)' }))),
    bypass_client_trust: Type.Optional(Type.Boolean({ description: 'Default false' })),
    external_accounts: Type.Optional(Type.Array(SnapshotExternalAccount, { description: 'In the order they were linked' })),
    created_at: Type.Optional(Millis('Default: the time of import')),
    updated_at: Type.Optional(Millis('Default: created_at')),
  },
  'A user with everything clerkd stores about it.',
);

export const SnapshotOrganization = record(
  {
    id: Type.Optional(Id('org', 'Organization id; generated when absent')),
    name: Type.String({ minLength: 1, description: 'Name' }),
    slug: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$', description: 'Unique. Default: derived from the name' })),
    image_url: Type.Optional(NullableString('Image URL')),
    public_metadata: Type.Optional(Metadata('Default {}')),
    private_metadata: Type.Optional(Metadata('Default {}')),
    max_allowed_memberships: Type.Optional(Type.Integer({ minimum: 0, description: '0 (the default) means no limit' })),
    admin_delete_enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    created_by: Type.Optional(NullableString('Id of the user who created it (not checked)')),
    created_at: Type.Optional(Millis('Default: the time of import')),
    updated_at: Type.Optional(Millis('Default: created_at')),
  },
  'An organization.',
);

export const SnapshotMembership = record(
  {
    id: Type.Optional(Id('orgmem', 'Membership id; generated when absent')),
    organization_id: Type.String({ description: 'An organization in this snapshot (or already in the database when not replacing)' }),
    user_id: Type.String({ description: 'A user in this snapshot (or already in the database when not replacing)' }),
    role: Type.Optional(Type.String({ enum: [...ORGANIZATION_ROLES], description: 'Default org:member' })),
    public_metadata: Type.Optional(Metadata('Default {}')),
    private_metadata: Type.Optional(Metadata('Default {}')),
    created_at: Type.Optional(Millis('Default: the time of import')),
    updated_at: Type.Optional(Millis('Default: created_at')),
  },
  'A user’s membership in an organization.',
);

export const Snapshot = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'Ignored: lets an editor find this schema' })),
    clerkd_snapshot: Type.Literal(SNAPSHOT_VERSION, { description: 'Format version' }),
    users: Type.Optional(Type.Array(SnapshotUser)),
    organizations: Type.Optional(Type.Array(SnapshotOrganization)),
    organization_memberships: Type.Optional(Type.Array(SnapshotMembership)),
  },
  {
    additionalProperties: false,
    title: 'clerkd snapshot',
    description:
      'Users, organizations and memberships as clerkd stores them. Written by `clerkd export`; read by `clerkd import`, CLERKD_SEED and POST /_clerkd/reset. Holds secrets (password digests, TOTP secrets, OAuth tokens in plain text). Profile image files are not included.',
  },
);

export type Snapshot = Static<typeof Snapshot>;
export type SnapshotUser = Static<typeof SnapshotUser>;
export type SnapshotEmailAddress = Static<typeof SnapshotEmailAddress>;
export type SnapshotPhoneNumber = Static<typeof SnapshotPhoneNumber>;
export type SnapshotWeb3Wallet = Static<typeof SnapshotWeb3Wallet>;
export type SnapshotExternalAccount = Static<typeof SnapshotExternalAccount>;
export type SnapshotOrganization = Static<typeof SnapshotOrganization>;
export type SnapshotMembership = Static<typeof SnapshotMembership>;

const OneOrMany = (description: string) =>
  Type.Union([Type.String(), Type.Array(Type.String())], { description: `${description}: a string or an array of strings` });

/**
 * One user as Clerk's migration tool (github.com/clerk/migration-tool, `userSchema` in
 * src/migrate/validator.ts) reads it. Unknown keys are ignored, as the tool's schema does.
 */
export const MigrationToolUser = Type.Object(
  {
    userId: Type.String({ description: "The user's id in the source system; becomes external_id" }),
    email: Type.Optional(OneOrMany('Verified email address(es); the first is primary')),
    emailAddresses: Type.Optional(OneOrMany('More verified email addresses')),
    unverifiedEmailAddresses: Type.Optional(OneOrMany('Unverified email addresses (stored as reserved)')),
    phone: Type.Optional(OneOrMany('Verified phone number(s); the first is primary')),
    phoneNumbers: Type.Optional(OneOrMany('More verified phone numbers')),
    unverifiedPhoneNumbers: Type.Optional(OneOrMany('Unverified phone numbers (stored as reserved)')),
    username: Type.Optional(Type.String()),
    firstName: Type.Optional(Type.String()),
    lastName: Type.Optional(Type.String()),
    password: Type.Optional(Type.String({ description: 'A password digest (never a plain password)' })),
    passwordHasher: Type.Optional(Type.String({ enum: [...PASSWORD_HASHERS] })),
    totpSecret: Type.Optional(Type.String()),
    backupCodesEnabled: Type.Optional(Type.Boolean()),
    backupCodes: Type.Optional(Type.Array(Type.String())),
    unsafeMetadata: Type.Optional(Type.Unknown()),
    publicMetadata: Type.Optional(Type.Unknown()),
    privateMetadata: Type.Optional(Type.Unknown()),
    bypassClientTrust: Type.Optional(Type.Boolean()),
    createOrganizationEnabled: Type.Optional(Type.Boolean()),
    createOrganizationsLimit: Type.Optional(Type.Integer()),
    createdAt: Type.Optional(Type.String({ description: 'RFC 3339' })),
    deleteSelfEnabled: Type.Optional(Type.Boolean()),
    legalAcceptedAt: Type.Optional(Type.String({ description: 'RFC 3339' })),
    skipLegalChecks: Type.Optional(Type.Boolean()),
    skipPasswordChecks: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

export const MigrationToolUsers = Type.Array(MigrationToolUser);
export type MigrationToolUser = Static<typeof MigrationToolUser>;

/** The committed JSON Schema document (docs/snapshot.schema.json). */
export function snapshotJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...(JSON.parse(JSON.stringify(Snapshot)) as Record<string, unknown>),
  };
}
