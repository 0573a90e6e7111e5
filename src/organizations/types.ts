import type { OrganizationMembershipRow, OrganizationRow } from '../db/schema.js';
import type { IncludeExclude, Order } from '../lists/params.js';

export type { Order };

/** An organization as its Clerk JSON needs it: the row plus its live member count. */
export interface OrganizationView {
  organization: OrganizationRow;
  membersCount: number;
}

/** What `public_user_data` shows of a member: the user's name, image and primary identifiers. */
export interface MemberPublicData {
  userId: string;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  profileImageKey: string | null;
  banned: boolean;
  primaryEmailAddress: string | null;
  primaryPhoneNumber: string | null;
  primaryWeb3Wallet: string | null;
}

/** A membership with the organization and user its Clerk JSON embeds. */
export interface MembershipView {
  membership: OrganizationMembershipRow;
  organization: OrganizationView;
  user: MemberPublicData;
}

export interface Page {
  limit: number;
  offset: number;
}

export const ORGANIZATION_ORDER_FIELDS = ['created_at', 'name', 'members_count'] as const;
export type OrganizationOrderField = (typeof ORGANIZATION_ORDER_FIELDS)[number];

export const MEMBERSHIP_ORDER_FIELDS = ['created_at', 'first_name', 'last_name', 'username', 'email_address', 'phone_number'] as const;
export type MembershipOrderField = (typeof MEMBERSHIP_ORDER_FIELDS)[number];


export interface OrganizationListFilter {
  /** Exact id, or part of the name or slug (case-insensitive). */
  query?: string;
  /** Organizations with (or without) any of these users as members. */
  userIds?: IncludeExclude;
  organizationIds?: IncludeExclude;
}

export interface MembershipListFilter {
  userIds?: IncludeExclude;
  roles?: string[];
  /** Part of the member's id, username, name, email address, phone number or web3 wallet. */
  query?: string;
}
