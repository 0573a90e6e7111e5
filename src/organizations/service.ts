import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import { isUniqueViolation, uniqueViolationMessage, type Executor } from '../db/executor.js';
import type { OrganizationRow } from '../db/schema.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import type {
  CreateMembershipBody,
  CreateOrganizationBody,
  OrganizationMetadataBody,
  UpdateOrganizationBody,
} from '../schemas/organizations.js';
import { nowMillis, parseRfc3339 } from '../time.js';
import { deepMergeMetadata, parseMetadata, serializeMetadata } from '../users/metadata.js';
import { writeTransaction } from '../users/transaction.js';
import { DEFAULT_LIMIT, includeExclude, parseOrder } from '../lists/params.js';
import { CREATOR_ROLE, isOrganizationRole, ORGANIZATION_ROLES, type OrganizationRole } from './permissions.js';
import { organizationRepository as repo } from './repository.js';
import {
  MEMBERSHIP_ORDER_FIELDS,
  ORGANIZATION_ORDER_FIELDS,
  type MembershipListFilter,
  type MembershipOrderField,
  type MembershipView,
  type Order,
  type OrganizationListFilter,
  type OrganizationOrderField,
  type OrganizationView,
  type Page,
} from './types.js';

/**
 * The rules of organizations and their memberships. Every change runs in one IMMEDIATE
 * write transaction, so the checks it makes (slug free, not yet a member, room left under
 * `max_allowed_memberships`) still hold when it writes.
 */

export interface OrganizationServiceDeps {
  db: Db;
  config: Pick<Config, 'defaultApiVersion'>;
}

export interface Listed<T> {
  items: T[];
  total: number;
}

/** The first API version whose PATCH /organizations/{id} rejects metadata. */
const METADATA_ON_UPDATE_REMOVED_IN = '2026-05-12';
const METADATA_FIELDS = ['public_metadata', 'private_metadata'] as const;
const METADATA_COLUMNS = { public_metadata: 'publicMetadata', private_metadata: 'privateMetadata' } as const;

type MetadataColumns = { publicMetadata?: string; privateMetadata?: string };
type StoredMetadata = { publicMetadata: string; privateMetadata: string };

const SLUG_PATTERN = /^[a-z0-9-]+$/;
const HTML_PATTERN = /<[^>]*>/;
const URL_PATTERN = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S/i;

function rfc3339(param: string, value: string): number {
  const ms = parseRfc3339(value);
  if (ms === null) throw errors.paramInvalidTime(param);
  return ms;
}

function effectiveApiVersion(requested: string | undefined, fallback: string): string {
  return requested && /^\d{4}-\d{2}-\d{2}$/.test(requested) ? requested : fallback;
}

/** The name as stored: trimmed, present, and free of HTML and URLs (as the spec requires). */
function checkedName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw errors.paramMissing('name');
  if (HTML_PATTERN.test(name)) throw errors.organizationNameInvalid(name, 'it may not contain HTML.');
  if (URL_PATTERN.test(name)) throw errors.organizationNameInvalid(name, 'it may not contain URLs.');
  return name;
}

function checkedSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) {
    throw errors.paramFormatInvalid('slug', 'slug can contain only lowercase alphanumeric characters (letters and digits) and the dash "-".');
  }
  return slug;
}

function checkedRole(role: string): OrganizationRole {
  if (!isOrganizationRole(role)) throw errors.organizationRoleInvalid(role, ORGANIZATION_ROLES);
  return role;
}

function rejectRoleSetKey(value: string | null | undefined): void {
  if (value !== undefined && value !== null) {
    throw errors.paramValueInvalid('role_set_key', 'clerkd has no role sets: every organization uses the default roles org:admin and org:member.');
  }
}

/** A slug made from the name: lowercase ASCII letters and digits, runs of anything else as one dash. */
export function slugFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'organization' : slug;
}

/** Metadata columns for the fields given (replace semantics; `null` stores `{}`). */
function replacedMetadata(input: OrganizationMetadataBody): MetadataColumns {
  const changes: MetadataColumns = {};
  for (const field of METADATA_FIELDS) {
    const value = input[field];
    if (value !== undefined) changes[METADATA_COLUMNS[field]] = serializeMetadata(field, value);
  }
  return changes;
}

/** Metadata columns for the fields given, deep-merged into what is stored (`null` deletes a key). */
function mergedMetadata(stored: StoredMetadata, input: OrganizationMetadataBody): MetadataColumns {
  const changes: MetadataColumns = {};
  for (const field of METADATA_FIELDS) {
    const patch = input[field];
    if (patch === undefined) continue;
    const column = METADATA_COLUMNS[field];
    changes[column] = serializeMetadata(field, patch === null ? {} : deepMergeMetadata(parseMetadata(stored[column]), patch));
  }
  return changes;
}

// ---------------------------------------------------------------------------------------
// List parameters
// ---------------------------------------------------------------------------------------


export function parseOrganizationOrder(raw: string | undefined): Order<OrganizationOrderField> {
  return parseOrder(raw, ORGANIZATION_ORDER_FIELDS, { field: 'created_at', direction: 'desc' });
}

export function parseMembershipOrder(raw: string | undefined): Order<MembershipOrderField> {
  return parseOrder(raw, MEMBERSHIP_ORDER_FIELDS, { field: 'created_at', direction: 'desc' });
}

export function pageOf(query: { limit?: number; offset?: number }): Page {
  return { limit: query.limit ?? DEFAULT_LIMIT, offset: query.offset ?? 0 };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export function organizationFilter(q: { query?: string; user_id?: string[]; organization_id?: string[] }): OrganizationListFilter {
  return { query: nonEmpty(q.query), userIds: includeExclude(q.user_id), organizationIds: includeExclude(q.organization_id) };
}

export function membershipFilter(q: { query?: string; user_id?: string[]; role?: string[] }): MembershipListFilter {
  return { query: nonEmpty(q.query), userIds: includeExclude(q.user_id), roles: q.role?.length ? q.role : undefined };
}

// ---------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------

export class OrganizationService {
  constructor(private readonly deps: OrganizationServiceDeps) {}

  /** One write transaction; a slug taken by a concurrent writer still answers `form_identifier_exists`. */
  private async write<T>(work: (tx: Executor) => T): Promise<T> {
    try {
      return await writeTransaction(this.deps.db, work);
    } catch (error) {
      if (isUniqueViolation(error) && /organizations\.slug/.test(uniqueViolationMessage(error))) throw errors.identifierExists('slug', 'slug');
      throw error;
    }
  }

  private requireOrganization(x: Executor, id: string): OrganizationView {
    const view = repo.findOrganization(x, id);
    if (!view) throw errors.organizationNotFound();
    return view;
  }

  private requireMembership(x: Executor, organizationId: string, userId: string) {
    this.requireOrganization(x, organizationId);
    const membership = repo.findMembership(x, organizationId, userId);
    if (!membership) throw errors.organizationMembershipNotFound(organizationId, userId);
    return membership;
  }

  private loadMembership(x: Executor, organizationId: string, userId: string): MembershipView {
    const [view] = repo.loadMembershipViews(x, [this.requireMembership(x, organizationId, userId)]);
    return view!;
  }

  /** `wanted` itself when free; otherwise (derived slugs only) the first free `wanted-N`. */
  private freeSlug(x: Executor, wanted: string, derived: boolean, ownId?: string): string {
    const taken = repo.slugsLike(x, wanted);
    if (!taken.has(wanted)) return wanted;
    if (ownId !== undefined && repo.findOrganizationBySlug(x, wanted)?.organization.id === ownId) return wanted;
    if (!derived) throw errors.identifierExists('slug', 'slug');
    for (let n = 2; ; n += 1) {
      const candidate = `${wanted}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  // ------------------------------------------------------------------ organizations

  createOrganization(input: CreateOrganizationBody): Promise<OrganizationView> {
    const name = checkedName(input.name);
    const explicitSlug = input.slug === undefined || input.slug === null || input.slug === '' ? null : checkedSlug(input.slug);
    rejectRoleSetKey(input.role_set_key);
    const now = nowMillis();
    const createdAt = typeof input.created_at === 'string' ? rfc3339('created_at', input.created_at) : now;
    const createdBy = input.created_by ? input.created_by : null;
    const publicMetadata = serializeMetadata('public_metadata', input.public_metadata ?? null);
    const privateMetadata = serializeMetadata('private_metadata', input.private_metadata ?? null);
    const id = newId('org', now);

    return this.write((tx) => {
      if (createdBy !== null && !repo.userExists(tx, createdBy)) throw errors.organizationCreatorNotFound(createdBy);
      const slug = explicitSlug === null ? this.freeSlug(tx, slugFromName(name), true) : this.freeSlug(tx, explicitSlug, false);
      repo.insertOrganization(tx, {
        id,
        name,
        slug,
        publicMetadata,
        privateMetadata,
        maxAllowedMemberships: input.max_allowed_memberships ?? 0,
        adminDeleteEnabled: true,
        createdBy,
        createdAt,
        updatedAt: now,
      });
      if (createdBy !== null) {
        repo.insertMembership(tx, { id: newId('orgmem', now), organizationId: id, userId: createdBy, role: CREATOR_ROLE, createdAt: now, updatedAt: now });
      }
      return this.requireOrganization(tx, id);
    });
  }

  /** By id, or by slug (GET /organizations/{id_or_slug}). */
  getOrganization(idOrSlug: string): OrganizationView {
    const view = repo.findOrganization(this.deps.db, idOrSlug) ?? repo.findOrganizationBySlug(this.deps.db, idOrSlug);
    if (!view) throw errors.organizationNotFound();
    return view;
  }

  listOrganizations(filter: OrganizationListFilter, order: Order<OrganizationOrderField>, page: Page): Listed<OrganizationView> {
    return { items: repo.listOrganizations(this.deps.db, filter, order, page), total: repo.countOrganizations(this.deps.db, filter) };
  }

  updateOrganization(id: string, input: UpdateOrganizationBody, requestedApiVersion: string | undefined): Promise<OrganizationView> {
    const apiVersion = effectiveApiVersion(requestedApiVersion, this.deps.config.defaultApiVersion);
    if (apiVersion >= METADATA_ON_UPDATE_REMOVED_IN) {
      const field = METADATA_FIELDS.find((name) => input[name] !== undefined);
      if (field) throw errors.organizationMetadataNotAllowed(field, METADATA_ON_UPDATE_REMOVED_IN);
    }
    rejectRoleSetKey(input.role_set_key);
    const now = nowMillis();
    const changes: Partial<OrganizationRow> = { updatedAt: now, ...replacedMetadata(input) };
    if (input.name != null) changes.name = checkedName(input.name);
    if (input.max_allowed_memberships != null) changes.maxAllowedMemberships = input.max_allowed_memberships;
    if (input.admin_delete_enabled != null) changes.adminDeleteEnabled = input.admin_delete_enabled;
    if (typeof input.created_at === 'string') changes.createdAt = rfc3339('created_at', input.created_at);
    const slug = input.slug == null ? null : checkedSlug(input.slug);

    return this.write((tx) => {
      this.requireOrganization(tx, id);
      if (slug !== null) changes.slug = this.freeSlug(tx, slug, false, id);
      repo.updateOrganization(tx, id, changes);
      return this.requireOrganization(tx, id);
    });
  }

  /** PUT /organizations/{id}/metadata: each field given replaces that metadata. */
  replaceMetadata(id: string, input: OrganizationMetadataBody): Promise<OrganizationView> {
    const changes = replacedMetadata(input);
    return this.write((tx) => {
      this.requireOrganization(tx, id);
      repo.updateOrganization(tx, id, { ...changes, updatedAt: nowMillis() });
      return this.requireOrganization(tx, id);
    });
  }

  /** PATCH /organizations/{id}/metadata: deep merge, read and written in one transaction. */
  mergeMetadata(id: string, input: OrganizationMetadataBody): Promise<OrganizationView> {
    return this.write((tx) => {
      const { organization } = this.requireOrganization(tx, id);
      repo.updateOrganization(tx, id, { ...mergedMetadata(organization, input), updatedAt: nowMillis() });
      return this.requireOrganization(tx, id);
    });
  }

  /** Deletes the organization and (by cascade) its memberships; returns what DeletedObject names. */
  deleteOrganization(id: string): Promise<{ id: string; slug: string }> {
    return this.write((tx) => {
      const { organization } = this.requireOrganization(tx, id);
      repo.deleteOrganization(tx, id);
      return { id: organization.id, slug: organization.slug };
    });
  }

  // ------------------------------------------------------------------ memberships

  createMembership(organizationId: string, input: CreateMembershipBody): Promise<MembershipView> {
    const role = checkedRole(input.role);
    const publicMetadata = serializeMetadata('public_metadata', input.public_metadata ?? null);
    const privateMetadata = serializeMetadata('private_metadata', input.private_metadata ?? null);
    const userId = input.user_id;
    return this.write((tx) => {
      const { organization, membersCount } = this.requireOrganization(tx, organizationId);
      if (!repo.userExists(tx, userId)) throw errors.userNotFound(userId);
      if (repo.findMembership(tx, organizationId, userId)) throw errors.alreadyAMemberInOrganization(userId);
      const max = organization.maxAllowedMemberships;
      if (max > 0 && membersCount >= max) throw errors.organizationMembershipQuotaExceeded(max);
      const now = nowMillis();
      repo.insertMembership(tx, { id: newId('orgmem', now), organizationId, userId, role, publicMetadata, privateMetadata, createdAt: now, updatedAt: now });
      return this.loadMembership(tx, organizationId, userId);
    });
  }

  listMemberships(
    organizationId: string,
    filter: MembershipListFilter,
    order: Order<MembershipOrderField>,
    page: Page,
  ): Listed<MembershipView> {
    const db = this.deps.db;
    this.requireOrganization(db, organizationId);
    const rows = repo.listOrganizationMemberships(db, organizationId, filter, order, page);
    return { items: repo.loadMembershipViews(db, rows), total: repo.countOrganizationMemberships(db, organizationId, filter) };
  }

  updateMembership(organizationId: string, userId: string, roleInput: string): Promise<MembershipView> {
    const role = checkedRole(roleInput);
    return this.write((tx) => {
      const membership = this.requireMembership(tx, organizationId, userId);
      repo.updateMembership(tx, membership.id, { role, updatedAt: nowMillis() });
      return this.loadMembership(tx, organizationId, userId);
    });
  }

  /** PATCH /organizations/{id}/memberships/{user_id}/metadata: deep merge. */
  mergeMembershipMetadata(organizationId: string, userId: string, input: OrganizationMetadataBody): Promise<MembershipView> {
    return this.write((tx) => {
      const membership = this.requireMembership(tx, organizationId, userId);
      repo.updateMembership(tx, membership.id, { ...mergedMetadata(membership, input), updatedAt: nowMillis() });
      return this.loadMembership(tx, organizationId, userId);
    });
  }

  /** Removes the membership and returns it as it was, embedding the organization as it now is. */
  deleteMembership(organizationId: string, userId: string): Promise<MembershipView> {
    return this.write((tx) => {
      const before = this.loadMembership(tx, organizationId, userId);
      repo.deleteMembership(tx, before.membership.id);
      return { ...before, organization: this.requireOrganization(tx, organizationId) };
    });
  }

  /** GET /users/{user_id}/organization_memberships, newest first. */
  listUserMemberships(userId: string, page: Page): Listed<MembershipView> {
    const db = this.deps.db;
    if (!repo.userExists(db, userId)) throw errors.userNotFound(userId);
    const rows = repo.listUserMemberships(db, userId, page);
    return { items: repo.loadMembershipViews(db, rows), total: repo.countUserMemberships(db, userId) };
  }
}
