import { rolePermissions, roleName } from '../../organizations/permissions.js';
import type { MemberPublicData, MembershipView, OrganizationView } from '../../organizations/types.js';
import type {
  DeletedOrganizationJson,
  MembershipJson,
  MembershipListJson,
  OrganizationJson,
  OrganizationListJson,
  PublicUserDataJson,
} from '../../schemas/organizations.js';
import { metadataOrEmpty } from '../../users/metadata.js';
import { imageUrl } from './user.js';
import { wireInteger } from './wire-integer.js';

/**
 * The only place a stored organization or membership becomes Clerk JSON. A membership
 * always embeds its full `organization` and `public_user_data`: @clerk/backend's
 * OrganizationMembership.fromJSON throws without either.
 */

export interface OrganizationSerializeContext {
  publicUrl: string;
}

export function serializeOrganization(view: OrganizationView, ctx: OrganizationSerializeContext): OrganizationJson {
  const { organization: org, membersCount } = view;
  return {
    object: 'organization',
    id: org.id,
    name: org.name,
    slug: org.slug,
    image_url: org.imageUrl ?? `${ctx.publicUrl}/images/default-avatar.svg`,
    has_image: org.imageUrl !== null,
    members_count: wireInteger(membersCount),
    // clerkd has no organization invitations.
    pending_invitations_count: 0,
    max_allowed_memberships: wireInteger(org.maxAllowedMemberships),
    admin_delete_enabled: org.adminDeleteEnabled,
    public_metadata: metadataOrEmpty(org.publicMetadata),
    private_metadata: metadataOrEmpty(org.privateMetadata),
    ...(org.createdBy === null ? {} : { created_by: org.createdBy }),
    created_at: wireInteger(org.createdAt),
    updated_at: wireInteger(org.updatedAt),
  };
}

export function serializeOrganizationList(views: OrganizationView[], total: number, ctx: OrganizationSerializeContext): OrganizationListJson {
  return { data: views.map((view) => serializeOrganization(view, ctx)), total_count: total };
}

export function serializeDeletedOrganization(id: string, slug: string): DeletedOrganizationJson {
  return { object: 'organization', id, slug, deleted: true };
}

/** The identifier Clerk shows for a member: primary email, else phone, else username, else web3 wallet. */
function identifier(user: MemberPublicData): string | null {
  return user.primaryEmailAddress ?? user.primaryPhoneNumber ?? user.username ?? user.primaryWeb3Wallet ?? null;
}

export function serializePublicUserData(user: MemberPublicData, ctx: OrganizationSerializeContext): PublicUserDataJson {
  const url = imageUrl(user, ctx.publicUrl);
  return {
    user_id: user.userId,
    first_name: user.firstName,
    last_name: user.lastName,
    profile_image_url: url,
    image_url: url,
    has_image: user.profileImageKey !== null,
    identifier: identifier(user),
    username: user.username,
    banned: user.banned,
  };
}

export function serializeMembership(view: MembershipView, ctx: OrganizationSerializeContext): MembershipJson {
  const { membership } = view;
  return {
    object: 'organization_membership',
    id: membership.id,
    role: membership.role,
    role_name: roleName(membership.role),
    permissions: rolePermissions(membership.role),
    public_metadata: metadataOrEmpty(membership.publicMetadata),
    private_metadata: metadataOrEmpty(membership.privateMetadata),
    organization: serializeOrganization(view.organization, ctx),
    public_user_data: serializePublicUserData(view.user, ctx),
    created_at: wireInteger(membership.createdAt),
    updated_at: wireInteger(membership.updatedAt),
  };
}

export function serializeMembershipList(views: MembershipView[], total: number, ctx: OrganizationSerializeContext): MembershipListJson {
  return { data: views.map((view) => serializeMembership(view, ctx)), total_count: total };
}
