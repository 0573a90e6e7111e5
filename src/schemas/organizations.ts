import { Type, type Static } from '@sinclair/typebox';
import { BoundedInteger, FreeFormObject, Nullable } from './types.js';

/**
 * Request and response schemas of the organization and organization-membership operations,
 * as the 2026-05-12 spec defines them. Bodies the spec closes (`additionalProperties:
 * false`: UpdateOrganization and the metadata endpoints) refuse unknown keys; the others are
 * open in the spec and ignore them.
 */

const NAME_MAX_LENGTH = 256;
const ValueList = Type.Array(Type.String(), { maxItems: 100 });
const Limit = BoundedInteger({ minimum: 1, maximum: 500 });
const Offset = BoundedInteger();

// ---------------------------------------------------------------------------------------
// Path parameters
// ---------------------------------------------------------------------------------------

export const OrganizationIdParams = Type.Object({ organization_id: Type.String({ minLength: 1 }) });
export type OrganizationIdParams = Static<typeof OrganizationIdParams>;

export const MembershipParams = Type.Object({
  organization_id: Type.String({ minLength: 1 }),
  user_id: Type.String({ minLength: 1 }),
});
export type MembershipParams = Static<typeof MembershipParams>;

// ---------------------------------------------------------------------------------------
// Query strings (unknown parameters are ignored, as Clerk does)
// ---------------------------------------------------------------------------------------

export const OrganizationListQuery = Type.Object(
  {
    query: Type.Optional(Type.String()),
    user_id: Type.Optional(ValueList),
    organization_id: Type.Optional(ValueList),
    order_by: Type.Optional(Type.String()),
    /** Accepted for compatibility: `members_count` is always included. */
    include_members_count: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: true },
);
export type OrganizationListQuery = Static<typeof OrganizationListQuery>;

export const MembershipListQuery = Type.Object(
  {
    order_by: Type.Optional(Type.String()),
    user_id: Type.Optional(ValueList),
    role: Type.Optional(ValueList),
    query: Type.Optional(Type.String()),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: true },
);
export type MembershipListQuery = Static<typeof MembershipListQuery>;

export const PageQuery = Type.Object({ limit: Type.Optional(Limit), offset: Type.Optional(Offset) }, { additionalProperties: true });
export type PageQuery = Static<typeof PageQuery>;

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

const metadataFields = {
  public_metadata: Type.Optional(Nullable(FreeFormObject)),
  private_metadata: Type.Optional(Nullable(FreeFormObject)),
};

export const CreateOrganizationBody = Type.Object(
  {
    name: Type.String({ maxLength: NAME_MAX_LENGTH }),
    slug: Type.Optional(Nullable(Type.String())),
    created_by: Type.Optional(Nullable(Type.String())),
    max_allowed_memberships: Type.Optional(Nullable(BoundedInteger())),
    created_at: Type.Optional(Nullable(Type.String())),
    role_set_key: Type.Optional(Nullable(Type.String())),
    ...metadataFields,
  },
  { additionalProperties: true },
);
export type CreateOrganizationBody = Static<typeof CreateOrganizationBody>;

/**
 * UpdateOrganization. Metadata is in the schema because API versions before 2026-05-12
 * accept it; the service refuses it for newer versions.
 */
export const UpdateOrganizationBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: NAME_MAX_LENGTH }))),
    slug: Type.Optional(Nullable(Type.String())),
    max_allowed_memberships: Type.Optional(Nullable(BoundedInteger())),
    admin_delete_enabled: Type.Optional(Nullable(Type.Boolean())),
    created_at: Type.Optional(Nullable(Type.String())),
    role_set_key: Type.Optional(Nullable(Type.String())),
    ...metadataFields,
  },
  { additionalProperties: false },
);
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBody>;

/** PUT (replace) and PATCH (deep merge) of organization and membership metadata. */
export const OrganizationMetadataBody = Type.Object(metadataFields, { additionalProperties: false });
export type OrganizationMetadataBody = Static<typeof OrganizationMetadataBody>;

export const CreateMembershipBody = Type.Object(
  {
    user_id: Type.String({ minLength: 1 }),
    role: Type.String(),
    ...metadataFields,
  },
  { additionalProperties: true },
);
export type CreateMembershipBody = Static<typeof CreateMembershipBody>;

export const UpdateMembershipBody = Type.Object({ role: Type.String() }, { additionalProperties: true });
export type UpdateMembershipBody = Static<typeof UpdateMembershipBody>;

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

const Metadata = Type.Object({}, { additionalProperties: true });

export const OrganizationResponse = Type.Object({
  object: Type.Literal('organization'),
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  image_url: Type.String(),
  has_image: Type.Boolean(),
  members_count: Type.Integer(),
  pending_invitations_count: Type.Integer(),
  max_allowed_memberships: Type.Integer(),
  admin_delete_enabled: Type.Boolean(),
  public_metadata: Metadata,
  private_metadata: Metadata,
  /** The spec types it as a non-nullable string, so it is left out when nobody is recorded. */
  created_by: Type.Optional(Type.String()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const OrganizationListResponse = Type.Object({
  data: Type.Array(OrganizationResponse),
  total_count: Type.Integer(),
});

export const DeletedOrganizationResponse = Type.Object({
  object: Type.Literal('organization'),
  id: Type.String(),
  slug: Type.String(),
  deleted: Type.Boolean(),
});

export const PublicUserDataResponse = Type.Object({
  user_id: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  profile_image_url: Type.String(),
  image_url: Type.String(),
  has_image: Type.Boolean(),
  identifier: Nullable(Type.String()),
  username: Nullable(Type.String()),
  banned: Type.Boolean(),
});

export const MembershipResponse = Type.Object({
  object: Type.Literal('organization_membership'),
  id: Type.String(),
  role: Type.String(),
  role_name: Type.String(),
  permissions: Type.Array(Type.String()),
  public_metadata: Metadata,
  private_metadata: Metadata,
  organization: OrganizationResponse,
  public_user_data: PublicUserDataResponse,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const MembershipListResponse = Type.Object({
  data: Type.Array(MembershipResponse),
  total_count: Type.Integer(),
});

export type OrganizationJson = Static<typeof OrganizationResponse>;
export type OrganizationListJson = Static<typeof OrganizationListResponse>;
export type DeletedOrganizationJson = Static<typeof DeletedOrganizationResponse>;
export type PublicUserDataJson = Static<typeof PublicUserDataResponse>;
export type MembershipJson = Static<typeof MembershipResponse>;
export type MembershipListJson = Static<typeof MembershipListResponse>;
