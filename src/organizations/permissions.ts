/**
 * Organization roles and the permissions each one carries. clerkd models Clerk's two
 * default roles only (no custom roles or role sets), so this table is the whole RBAC model.
 *
 * Source: Clerk docs, "Roles and permissions" (clerk/clerk-docs,
 * docs/guides/organizations/control-access/roles-and-permissions.mdx): Admin (`org:admin`)
 * has every system permission; Member (`org:member`) has "Read members" and "Read billing".
 */

/** Clerk's system permissions, in the order the docs list them. */
export const SYSTEM_PERMISSIONS = [
  'org:sys_profile:manage',
  'org:sys_profile:delete',
  'org:sys_memberships:read',
  'org:sys_memberships:manage',
  'org:sys_domains:read',
  'org:sys_domains:manage',
  'org:sys_billing:read',
  'org:sys_billing:manage',
] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];

interface RoleDefinition {
  /** `role_name` on the wire. */
  name: string;
  permissions: readonly SystemPermission[];
}

const ROLES = {
  'org:admin': { name: 'Admin', permissions: SYSTEM_PERMISSIONS },
  'org:member': { name: 'Member', permissions: ['org:sys_memberships:read', 'org:sys_billing:read'] },
} as const satisfies Record<string, RoleDefinition>;

export type OrganizationRole = keyof typeof ROLES;
export const ORGANIZATION_ROLES = Object.keys(ROLES) as OrganizationRole[];

/** The role a user who creates an organization (`created_by`) is given. */
export const CREATOR_ROLE: OrganizationRole = 'org:admin';

export function isOrganizationRole(role: string): role is OrganizationRole {
  return Object.hasOwn(ROLES, role);
}

/** `role_name` for a stored role; a role clerkd does not know (never stored by it) shows its key. */
export function roleName(role: string): string {
  return isOrganizationRole(role) ? ROLES[role].name : role;
}

/** The permissions a stored role grants, as a fresh array. */
export function rolePermissions(role: string): string[] {
  return isOrganizationRole(role) ? [...ROLES[role].permissions] : [];
}
