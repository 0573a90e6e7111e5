/**
 * The official @clerk/backend SDK (pinned 3.25.0) driven against a real clerkd through
 * every organization and organization-membership method the server implements, plus
 * `users.getOrganizationMembershipList`. Each call must resolve to the SDK's own resource
 * classes (Organization, OrganizationMembership, DeletedObject), not raw JSON; a recording
 * proxy shows what went over the wire where the SDK drops it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient, type Organization, type OrganizationMembership, type User } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { SYSTEM_PERMISSIONS } from '../../src/organizations/permissions.js';
import { unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import type { Exchange, RecordingProxy } from './recording-proxy.js';
import { startSdkSuite } from './sdk-suite.js';

let server: TestServer;
let proxy: RecordingProxy;
let clerk: ClerkClient;
let recorded: ClerkClient;
let close: () => Promise<void>;

before(async () => {
  ({ server, proxy, clerk, recorded, close } = await startSdkSuite());
});

after(async () => {
  await close();
});

// ---------------------------------------------------------------------------------------
// Factories and assertions
// ---------------------------------------------------------------------------------------

function marker(): string {
  return `m${randomBytes(5).toString('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createUser(extra: Parameters<ClerkClient['users']['createUser']>[0] = {}): Promise<User> {
  return clerk.users.createUser({ emailAddress: [`${unique('e')}@example.com`], ...extra });
}

function assertInstance(value: unknown, what: string): void {
  assert.ok(value !== null && typeof value === 'object', `${what}: expected an object`);
  assert.notEqual(Object.getPrototypeOf(value), Object.prototype, `${what}: expected an SDK instance, got plain JSON`);
  assert.equal(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(value), 'raw')?.get, 'function', `${what}: raw getter missing`);
}

/** A real SDK Organization (camelCased, with `raw`) whose raw JSON matches the spec. */
function assertSdkOrganization(org: Organization): void {
  assertInstance(org, 'Organization');
  assert.equal('members_count' in org, false);
  assert.equal(typeof org.hasImage, 'boolean');
  assert.equal(typeof org.membersCount, 'number');
  assertMatchesSpec('Organization', org.raw);
  assert.equal(org.raw?.id, org.id);
}

function assertSdkMembership(membership: OrganizationMembership): void {
  assertInstance(membership, 'OrganizationMembership');
  assertSdkOrganization(membership.organization);
  assert.equal(typeof membership.publicUserData?.userId, 'string');
  assertMatchesSpec('OrganizationMembership', membership.raw);
}

async function rejectsWith(work: () => Promise<unknown>, status: number, code: string): Promise<void> {
  const { error, exchanges } = await proxy.recordFailure(work);
  assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.errors[0]?.code, code, `errors: ${JSON.stringify(error.errors)}`);
  const last = exchanges.at(-1);
  assert.ok(last, 'expected the SDK to reach the server');
  assertMatchesSpec('ClerkErrors', last.json);
}

function only(exchanges: Exchange[], method: string, path: string): Exchange {
  const matching = exchanges.filter((e) => e.method === method && e.path === path);
  assert.equal(matching.length, 1, `expected one ${method} ${path}, saw: ${exchanges.map((e) => `${e.method} ${e.path}`).join(', ')}`);
  return matching[0]!;
}

// ---------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------

test('createOrganization resolves to an SDK Organization; createdBy becomes its admin', async () => {
  const user = await createUser();
  const slug = `acme-${marker()}`;
  const org = await clerk.organizations.createOrganization({
    name: 'Acme',
    slug,
    createdBy: user.id,
    maxAllowedMemberships: 10,
    publicMetadata: { planTier: 'pro' },
    privateMetadata: { billing: { customerId: 'cus_1' } },
  });
  assertSdkOrganization(org);
  assert.match(org.id, /^org_/);
  assert.equal(org.name, 'Acme');
  assert.equal(org.slug, slug);
  assert.equal(org.createdBy, user.id);
  assert.equal(org.membersCount, 1);
  assert.equal(org.maxAllowedMemberships, 10);
  assert.equal(org.adminDeleteEnabled, true);
  assert.equal(org.hasImage, false);
  assert.equal(org.imageUrl, `${server.config.publicUrl}/images/default-avatar.svg`);
  assert.deepEqual(org.publicMetadata, { planTier: 'pro' });
  assert.deepEqual(org.privateMetadata, { billing: { customerId: 'cus_1' } });

  const { data } = await clerk.users.getOrganizationMembershipList({ userId: user.id });
  assert.equal(data[0]?.role, 'org:admin');
});

test('createOrganization without a slug derives one from the name', async () => {
  const m = marker();
  const org = await clerk.organizations.createOrganization({ name: `Big Corp ${m}` });
  assertSdkOrganization(org);
  assert.equal(org.slug, `big-corp-${m}`);
  assert.equal(org.membersCount, 0);
});

test('createOrganization with a taken slug rejects with 422 form_identifier_exists', async () => {
  const org = await clerk.organizations.createOrganization({ name: 'First', slug: `taken-${marker()}` });
  await rejectsWith(() => recorded.organizations.createOrganization({ name: 'Second', slug: org.slug }), 422, 'form_identifier_exists');
});

test('getOrganization finds an organization by organizationId and by slug', async () => {
  const created = await clerk.organizations.createOrganization({ name: `Find ${marker()}` });
  const byId = await clerk.organizations.getOrganization({ organizationId: created.id });
  assertSdkOrganization(byId);
  assert.deepEqual(byId.raw, created.raw);
  const bySlug = await clerk.organizations.getOrganization({ slug: created.slug });
  assertSdkOrganization(bySlug);
  assert.equal(bySlug.id, created.id);
});

test('getOrganization of an unknown organization rejects with 404 resource_not_found', async () => {
  await rejectsWith(() => recorded.organizations.getOrganization({ organizationId: 'org_doesnotexist' }), 404, 'resource_not_found');
});

test('getOrganizationList pages newest first and reports totalCount', async () => {
  const m = marker();
  const created: Organization[] = [];
  for (const name of [`One ${m}`, `Two ${m}`, `Three ${m}`]) {
    created.push(await clerk.organizations.createOrganization({ name }));
    await sleep(3);
  }
  const { data, totalCount } = await clerk.organizations.getOrganizationList({ query: m });
  assert.equal(totalCount, 3);
  data.forEach(assertSdkOrganization);
  assert.deepEqual(data.map((o) => o.id), created.map((o) => o.id).reverse());

  const page = await clerk.organizations.getOrganizationList({ query: m, limit: 1, offset: 1 });
  assert.equal(page.totalCount, 3);
  assert.deepEqual(page.data.map((o) => o.id), [created[1]!.id]);

  const byName = await clerk.organizations.getOrganizationList({ query: m, orderBy: '+name', organizationId: [created[0]!.id, created[2]!.id] });
  assert.deepEqual(byName.data.map((o) => o.name), [`One ${m}`, `Three ${m}`]);
});

test('updateOrganization changes name, slug, maxAllowedMemberships and adminDeleteEnabled with one PATCH', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Before ${marker()}` });
  const slug = `after-${marker()}`;
  const { result, exchanges } = await proxy.record(() =>
    recorded.organizations.updateOrganization(org.id, { name: 'After', slug, maxAllowedMemberships: 4, adminDeleteEnabled: false }),
  );
  assertSdkOrganization(result);
  assert.equal(result.name, 'After');
  assert.equal(result.slug, slug);
  assert.equal(result.maxAllowedMemberships, 4);
  assert.equal(result.adminDeleteEnabled, false);
  const exchange = only(exchanges, 'PATCH', `/v1/organizations/${org.id}`);
  assert.deepEqual(JSON.parse(exchange.requestBody), { name: 'After', slug, max_allowed_memberships: 4, admin_delete_enabled: false });
});

test('updateOrganization with metadata (deprecated) goes through PUT /metadata and replaces it', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Meta ${marker()}`, publicMetadata: { old: true } });
  const { result, exchanges } = await proxy.record(() => recorded.organizations.updateOrganization(org.id, { name: 'Meta renamed', publicMetadata: { fresh: 1 } }));
  assertSdkOrganization(result);
  assert.equal(result.name, 'Meta renamed');
  assert.deepEqual(result.publicMetadata, { fresh: 1 });
  only(exchanges, 'PATCH', `/v1/organizations/${org.id}`);
  only(exchanges, 'PUT', `/v1/organizations/${org.id}/metadata`);
});

test('updateOrganizationMetadata deep-merges and replaceOrganizationMetadata replaces', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Merge ${marker()}`, publicMetadata: { a: 1, nested: { b: 2 } } });
  const merged = await clerk.organizations.updateOrganizationMetadata(org.id, { publicMetadata: { nested: { c: 3 } } });
  assertSdkOrganization(merged);
  assert.deepEqual(merged.publicMetadata, { a: 1, nested: { b: 2, c: 3 } });
  const replaced = await clerk.organizations.replaceOrganizationMetadata(org.id, { publicMetadata: { only: true } });
  assert.deepEqual(replaced.publicMetadata, { only: true });
});

test('deleteOrganization resolves to a DeletedObject and removes the memberships', async () => {
  const user = await createUser();
  const org = await clerk.organizations.createOrganization({ name: `Doomed ${marker()}`, createdBy: user.id });
  const { result, exchanges } = await proxy.record(async (): Promise<unknown> => recorded.organizations.deleteOrganization(org.id));
  assert.notEqual(Object.getPrototypeOf(result), Object.prototype, 'expected an SDK DeletedObject instance');
  assert.deepEqual({ ...(result as object) }, { object: 'organization', id: org.id, slug: org.slug, deleted: true });
  assertMatchesSpec('DeletedObject', only(exchanges, 'DELETE', `/v1/organizations/${org.id}`).json);

  const { data, totalCount } = await clerk.users.getOrganizationMembershipList({ userId: user.id });
  assert.deepEqual(data, []);
  assert.equal(totalCount, 0);
  await rejectsWith(() => recorded.organizations.deleteOrganization(org.id), 404, 'resource_not_found');
});

// ---------------------------------------------------------------------------------------
// Memberships
// ---------------------------------------------------------------------------------------

test('createOrganizationMembership resolves to an SDK OrganizationMembership with organization and publicUserData', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Members ${marker()}` });
  const user = await createUser({ firstName: 'Grace', lastName: 'Hopper' });
  const membership = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:member' });
  assertSdkMembership(membership);
  assert.match(membership.id, /^orgmem_/);
  assert.equal(membership.role, 'org:member');
  assert.deepEqual(membership.permissions, ['org:sys_memberships:read', 'org:sys_billing:read']);
  assert.equal(membership.organization.id, org.id);
  assert.equal(membership.organization.membersCount, 1);
  assert.equal(membership.publicUserData?.userId, user.id);
  assert.equal(membership.publicUserData?.firstName, 'Grace');
  assert.equal(membership.publicUserData?.lastName, 'Hopper');
  assert.equal(membership.publicUserData?.identifier, user.primaryEmailAddress?.emailAddress);
  assert.equal(membership.publicUserData?.imageUrl, user.imageUrl);
  assert.equal(membership.publicUserData?.hasImage, false);
  // The SDK types its JSON without role_name, but keeps it in raw.
  assert.equal((membership.raw as unknown as { role_name?: string } | null)?.role_name, 'Member');
});

test('createOrganizationMembership twice rejects with 400 already_a_member_in_organization', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Twice ${marker()}` });
  const user = await createUser();
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:member' });
  await rejectsWith(
    () => recorded.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:admin' }),
    400,
    'already_a_member_in_organization',
  );
});

test('createOrganizationMembership with an unknown role or user rejects with 422 and 404', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Roles ${marker()}` });
  const user = await createUser();
  await rejectsWith(() => recorded.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:owner' }), 422, 'form_param_value_invalid');
  await rejectsWith(
    () => recorded.organizations.createOrganizationMembership({ organizationId: org.id, userId: 'user_doesnotexist', role: 'org:member' }),
    404,
    'resource_not_found',
  );
});

test('createOrganizationMembership past maxAllowedMemberships rejects with 403 organization_membership_quota_exceeded', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Small ${marker()}`, maxAllowedMemberships: 1 });
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: (await createUser()).id, role: 'org:member' });
  const second = await createUser();
  await rejectsWith(
    () => recorded.organizations.createOrganizationMembership({ organizationId: org.id, userId: second.id, role: 'org:member' }),
    403,
    'organization_membership_quota_exceeded',
  );
});

test('getOrganizationMembershipList pages newest first and reports totalCount', async () => {
  const org = await clerk.organizations.createOrganization({ name: `List ${marker()}` });
  const users = [await createUser(), await createUser(), await createUser()];
  for (const user of users) {
    await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:member' });
    await sleep(3);
  }
  const { data, totalCount } = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.equal(totalCount, 3);
  data.forEach(assertSdkMembership);
  assert.deepEqual(data.map((m) => m.publicUserData?.userId), users.map((u) => u.id).reverse());

  const page = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, limit: 2, offset: 2 });
  assert.equal(page.totalCount, 3);
  assert.deepEqual(page.data.map((m) => m.publicUserData?.userId), [users[0]!.id]);

  const oldestFirst = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, orderBy: '+created_at' });
  assert.deepEqual(oldestFirst.data.map((m) => m.publicUserData?.userId), users.map((u) => u.id));
});

test('updateOrganizationMembership changes the role and its permissions', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Promote ${marker()}` });
  const user = await createUser();
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:member' });
  const updated = await clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:admin' });
  assertSdkMembership(updated);
  assert.equal(updated.role, 'org:admin');
  assert.deepEqual(updated.permissions, [...SYSTEM_PERMISSIONS]);
  await rejectsWith(() => recorded.organizations.updateOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:nope' }), 422, 'form_param_value_invalid');
});

test('updateOrganizationMembershipMetadata deep-merges the membership metadata', async () => {
  const org = await clerk.organizations.createOrganization({ name: `MemberMeta ${marker()}` });
  const user = await createUser();
  await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:member' });
  await clerk.organizations.updateOrganizationMembershipMetadata({ organizationId: org.id, userId: user.id, publicMetadata: { a: { b: 1 } } });
  const updated = await clerk.organizations.updateOrganizationMembershipMetadata({
    organizationId: org.id,
    userId: user.id,
    publicMetadata: { a: { c: 2 } },
    privateMetadata: { secret: true },
  });
  assertSdkMembership(updated);
  assert.deepEqual(updated.publicMetadata, { a: { b: 1, c: 2 } });
  assert.deepEqual(updated.privateMetadata, { secret: true });
});

test('deleteOrganizationMembership resolves to the removed membership; a second delete is 404', async () => {
  const org = await clerk.organizations.createOrganization({ name: `Leave ${marker()}` });
  const user = await createUser();
  const created = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: 'org:admin' });
  const removed = await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: user.id });
  assertSdkMembership(removed);
  assert.equal(removed.id, created.id);
  assert.equal(removed.organization.membersCount, 0);
  assert.equal((await clerk.organizations.getOrganization({ organizationId: org.id })).membersCount, 0);
  await rejectsWith(() => recorded.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: user.id }), 404, 'resource_not_found');
});

test('users.getOrganizationMembershipList lists a user\'s memberships newest first, paged', async () => {
  const user = await createUser();
  const orgs: Organization[] = [];
  for (let i = 0; i < 3; i += 1) {
    const org = await clerk.organizations.createOrganization({ name: `Mine ${marker()}` });
    await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: user.id, role: i === 0 ? 'org:admin' : 'org:member' });
    orgs.push(org);
    await sleep(3);
  }
  const { data, totalCount } = await clerk.users.getOrganizationMembershipList({ userId: user.id });
  assert.equal(totalCount, 3);
  data.forEach(assertSdkMembership);
  assert.deepEqual(data.map((m) => m.organization.id), orgs.map((o) => o.id).reverse());

  const page = await clerk.users.getOrganizationMembershipList({ userId: user.id, limit: 1, offset: 2 });
  assert.equal(page.totalCount, 3);
  assert.equal(page.data[0]?.organization.id, orgs[0]!.id);
  assert.equal(page.data[0]?.role, 'org:admin');
});

test('users.getOrganizationMembershipList of an unknown user rejects with 404', async () => {
  await rejectsWith(() => recorded.users.getOrganizationMembershipList({ userId: 'user_doesnotexist' }), 404, 'resource_not_found');
});

test('getUserList({ organizationId }) finds the members added through the SDK', async () => {
  const [member, outsider] = [await createUser(), await createUser()];
  const org = await clerk.organizations.createOrganization({ name: `Filter ${marker()}`, createdBy: member.id });
  const { data, totalCount } = await clerk.users.getUserList({ organizationId: [org.id], userId: [member.id, outsider.id] });
  assert.deepEqual(data.map((u) => u.id), [member.id]);
  assert.equal(totalCount, 1);
});
