import { Type, type Static } from '@sinclair/typebox';
import { BoundedInteger, FreeFormObject, Nullable } from './types.js';

/** Request bodies of the user operations, as the 2026-05-12 spec defines them. */

const IdentificationStatus = Type.Union([Type.Literal('verified'), Type.Literal('reserved')]);

const metadataFields = {
  public_metadata: Type.Optional(Nullable(FreeFormObject)),
  private_metadata: Type.Optional(Nullable(FreeFormObject)),
  unsafe_metadata: Type.Optional(Nullable(FreeFormObject)),
};

const sharedFields = {
  external_id: Type.Optional(Nullable(Type.String())),
  first_name: Type.Optional(Nullable(Type.String())),
  last_name: Type.Optional(Nullable(Type.String())),
  locale: Type.Optional(Nullable(Type.String())),
  /** Not in the spec, but @clerk/backend sends it on create and update. */
  timezone: Type.Optional(Nullable(Type.String())),
  username: Type.Optional(Nullable(Type.String())),
  password: Type.Optional(Nullable(Type.String())),
  password_digest: Type.Optional(Nullable(Type.String())),
  password_hasher: Type.Optional(Nullable(Type.String())),
  skip_password_checks: Type.Optional(Nullable(Type.Boolean())),
  totp_secret: Type.Optional(Nullable(Type.String())),
  backup_codes: Type.Optional(Nullable(Type.Array(Type.String(), { maxItems: 100 }))),
  delete_self_enabled: Type.Optional(Nullable(Type.Boolean())),
  create_organization_enabled: Type.Optional(Nullable(Type.Boolean())),
  create_organizations_limit: Type.Optional(Nullable(BoundedInteger())),
  legal_accepted_at: Type.Optional(Nullable(Type.String())),
  skip_legal_checks: Type.Optional(Nullable(Type.Boolean())),
  created_at: Type.Optional(Nullable(Type.String())),
  bypass_client_trust: Type.Optional(Nullable(Type.Boolean())),
};

export const CreateUserBody = Type.Object(
  {
    ...sharedFields,
    email_address: Type.Optional(Nullable(Type.Array(Type.String(), { maxItems: 100 }))),
    email_address_identification_status: Type.Optional(Nullable(Type.Array(IdentificationStatus, { maxItems: 100 }))),
    phone_number: Type.Optional(Nullable(Type.Array(Type.String(), { maxItems: 100 }))),
    phone_number_identification_status: Type.Optional(Nullable(Type.Array(IdentificationStatus, { maxItems: 100 }))),
    web3_wallet: Type.Optional(Nullable(Type.Array(Type.String(), { maxItems: 100 }))),
    skip_password_requirement: Type.Optional(Nullable(Type.Boolean())),
    skip_user_requirement: Type.Optional(Nullable(Type.Boolean())),
    banned: Type.Optional(Nullable(Type.Boolean())),
    locked: Type.Optional(Nullable(Type.Boolean())),
    ...metadataFields,
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

/**
 * UpdateUser. Metadata is in the schema because API versions before 2026-05-12 (the Go
 * SDK sends 2021-02-05) accept it; the service rejects it for newer versions.
 */
export const UpdateUserBody = Type.Object(
  {
    ...sharedFields,
    primary_email_address_id: Type.Optional(Nullable(Type.String())),
    primary_phone_number_id: Type.Optional(Nullable(Type.String())),
    primary_web3_wallet_id: Type.Optional(Nullable(Type.String())),
    notify_primary_email_address_changed: Type.Optional(Nullable(Type.Boolean())),
    profile_image_id: Type.Optional(Nullable(Type.String())),
    sign_out_of_other_sessions: Type.Optional(Nullable(Type.Boolean())),
    ...metadataFields,
  },
  { additionalProperties: false },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

/** PUT (replace) and PATCH (deep merge) /users/{id}/metadata: the same three fields. */
export const MetadataBody = Type.Object(metadataFields, { additionalProperties: false });
export type MetadataBody = Static<typeof MetadataBody>;

export const UserIdParams = Type.Object({ user_id: Type.String({ minLength: 1 }) });
export type UserIdParams = Static<typeof UserIdParams>;
