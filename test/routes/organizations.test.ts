/**
 * Organizations and organization memberships over raw HTTP: every route, every error in
 * Clerk's shape with its exact code, and every response against the spec's schemas.
 *
 * One server for the file; each test creates its own users and organizations with random
 * markers and scopes list queries to them, so tests never see each other's data.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { organizationMemberships } from '../../src/db/schema.js';
import { SYSTEM_PERMISSIONS } from '../../src/organizations/permissions.js';
import type { MembershipJson, MembershipListJson, OrganizationJson, OrganizationListJson } from '../../src/schemas/organizations.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

// ---------------------------------------------------------------------------------------
// Factories and assertions
// ---------------------------------------------------------------------------------------

const ADMIN_PERMISSIONS = [...SYSTEM_PERMISSIONS];
const MEMBER_PERMISSIONS = ['org:sys_memberships:read', 'org:sys_billing:read'];
const OLD_API_VERSION = { 'clerk-api-version': '2021-02-05' };

/** A random marker starting with a letter, valid in names, slugs, usernames and emails. */
function marker(): string {
  return `m${randomBytes(5).toString('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createUser(body: Record<string, unknown> = {}): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('e')}@example.com`], ...body } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

function assertOrganization(response: ApiResponse): OrganizationJson {
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('Organization', response.body);
  return response.body as OrganizationJson;
}

function assertMembership(response: ApiResponse): MembershipJson {
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('OrganizationMembership', response.body);
  return response.body as MembershipJson;
}

function assertMembershipList(response: ApiResponse): MembershipListJson {
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('OrganizationMemberships', response.body);
  return response.body as MembershipListJson;
}

/** The spec's Organizations wrapper: exactly `data` and `total_count`, each item an Organization. */
function assertOrganizationList(response: ApiResponse): OrganizationListJson {
  assert.equal(response.status, 200, response.text);
  const body = response.body as OrganizationListJson;
  assert.deepEqual(Object.keys(body).sort(), ['data', 'total_count']);
  assert.equal(typeof body.total_count, 'number');
  assertArrayMatchesSpec('Organization', body.data);
  return body;
}


async function createOrganization(body: Record<string, unknown> = {}): Promise<OrganizationJson> {
  return assertOrganization(await api(server, 'POST', '/v1/organizations', { body: { name: `Org ${marker()}`, ...body } }));
}

async function addMember(organizationId: string, userId: string, role = 'org:member', extra: Record<string, unknown> = {}): Promise<MembershipJson> {
  return assertMembership(await api(server, 'POST', `/v1/organizations/${organizationId}/memberships`, { body: { user_id: userId, role, ...extra } }));
}

async function getOrganization(idOrSlug: string): Promise<OrganizationJson> {
  return assertOrganization(await api(server, 'GET', `/v1/organizations/${idOrSlug}`));
}

function membershipRows(organizationId: string): number {
  return server.db.select({ n: count() }).from(organizationMemberships).where(eq(organizationMemberships.organizationId, organizationId)).get()?.n ?? -1;
}

// ---------------------------------------------------------------------------------------
// POST /organizations
// ---------------------------------------------------------------------------------------

describe('POST /v1/organizations', () => {
  test('creates an organization with a slug derived from the name and the spec defaults', async () => {
    const m = marker();
    const before = Date.now();
    const org = await createOrganization({ name: `Ácme Widgets ${m}!` });
    assert.match(org.id, /^org_[0-9A-Za-z]{27}$/);
    assert.equal(org.object, 'organization');
    assert.equal(org.name, `Ácme Widgets ${m}!`);
    assert.equal(org.slug, `acme-widgets-${m}`);
    assert.equal(org.members_count, 0);
    assert.equal(org.has_image, false);
    assert.equal(org.image_url, `${server.config.publicUrl}/images/default-avatar.svg`);
    assert.equal(org.max_allowed_memberships, 0);
    assert.equal(org.admin_delete_enabled, true);
    assert.deepEqual(org.public_metadata, {});
    assert.deepEqual(org.private_metadata, {});
    assert.equal('created_by' in org, false);
    assert.ok(org.created_at >= before && org.created_at <= Date.now(), 'created_at is in milliseconds');
    assert.equal(org.updated_at, org.created_at);
  });

  test('keeps an explicit slug, metadata and max_allowed_memberships', async () => {
    const slug = `team-${marker()}`;
    const org = await createOrganization({ slug, public_metadata: { plan: 'pro' }, private_metadata: { seat: { n: 1 } }, max_allowed_memberships: 3 });
    assert.equal(org.slug, slug);
    assert.deepEqual(org.public_metadata, { plan: 'pro' });
    assert.deepEqual(org.private_metadata, { seat: { n: 1 } });
    assert.equal(org.max_allowed_memberships, 3);
  });

  test('makes created_by an org:admin member of the new organization', async () => {
    const user = await createUser();
    const org = await createOrganization({ created_by: user.id });
    assert.equal(org.created_by, user.id);
    assert.equal(org.members_count, 1);
    const list = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships`));
    assert.equal(list.total_count, 1);
    assert.equal(list.data[0]?.role, 'org:admin');
    assert.equal(list.data[0]?.role_name, 'Admin');
    assert.deepEqual(list.data[0]?.permissions, ADMIN_PERMISSIONS);
    assert.equal(list.data[0]?.public_user_data.user_id, user.id);
  });

  test('makes a derived slug unique by numbering it', async () => {
    const name = `Dup ${marker()}`;
    const first = await createOrganization({ name });
    const second = await createOrganization({ name });
    const third = await createOrganization({ name });
    assert.equal(second.slug, `${first.slug}-2`);
    assert.equal(third.slug, `${first.slug}-3`);
  });

  test('a name with nothing slug-worthy still gets a slug', async () => {
    const org = await createOrganization({ name: '日本' });
    assert.match(org.slug, /^organization(-\d+)?$/);
  });

  test('back-dates created_at when given in RFC 3339', async () => {
    const org = await createOrganization({ created_at: '2020-01-02T03:04:05.678Z' });
    assert.equal(org.created_at, Date.UTC(2020, 0, 2, 3, 4, 5, 678));
  });

  test('refuses a slug that is taken with 422 form_identifier_exists', async () => {
    const org = await createOrganization();
    const response = await api(server, 'POST', '/v1/organizations', { body: { name: 'Another', slug: org.slug } });
    assertClerkError(response, 422, 'form_identifier_exists', 'slug');
  });

  test('refuses a slug with characters other than lowercase letters, digits and dashes', async () => {
    for (const slug of ['Upper', 'with space', 'under_score', 'dot.ted']) {
      assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'X', slug } }), 422, 'form_param_format_invalid', 'slug');
    }
  });

  test('refuses a missing or blank name with form_param_missing', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: {} }), 422, 'form_param_missing', 'name');
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: '   ' } }), 422, 'form_param_missing', 'name');
  });

  test('refuses a name over 256 characters', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'x'.repeat(257) } }), 422, 'form_param_max_length_exceeded', 'name');
  });

  test('refuses a name containing HTML or a URL', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: '<b>Bold</b>' } }), 422, 'form_param_value_invalid', 'name');
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'Visit https://evil.test' } }), 422, 'form_param_value_invalid', 'name');
  });

  test('refuses a name of the wrong type', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 42 } }), 422, 'form_param_type_invalid', 'name');
  });

  test('refuses a negative max_allowed_memberships', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'X', max_allowed_memberships: -1 } }), 422, 'form_param_value_invalid', 'max_allowed_memberships');
  });

  test('refuses an unknown created_by with 400 organization_creator_not_found and creates nothing', async () => {
    const name = `Ghost ${marker()}`;
    const response = await api(server, 'POST', '/v1/organizations', { body: { name, created_by: 'user_doesnotexist' } });
    assertClerkError(response, 400, 'organization_creator_not_found');
    const list = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${encodeURIComponent(name)}`));
    assert.equal(list.total_count, 0);
  });

  test('refuses metadata over 8 KB', async () => {
    const response = await api(server, 'POST', '/v1/organizations', { body: { name: 'Big', public_metadata: { blob: 'x'.repeat(9000) } } });
    assertClerkError(response, 422, 'form_param_exceeds_allowed_size', 'public_metadata');
  });

  test('refuses a created_at that is not RFC 3339', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'X', created_at: 'yesterday' } }), 422, 'form_param_invalid_time', 'created_at');
  });

  test('refuses a role_set_key, since clerkd has no role sets', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'X', role_set_key: 'role_set:custom' } }), 422, 'form_param_value_invalid', 'role_set_key');
  });

  test('requires the secret key', async () => {
    assertClerkError(await api(server, 'POST', '/v1/organizations', { body: { name: 'X' }, anonymous: true }), 401, 'authentication_invalid');
  });
});

// ---------------------------------------------------------------------------------------
// GET /organizations/{id}
// ---------------------------------------------------------------------------------------

describe('GET /v1/organizations/{organization_id}', () => {
  test('finds an organization by id and by slug', async () => {
    const org = await createOrganization();
    assert.deepEqual(await getOrganization(org.id), org);
    assert.deepEqual(await getOrganization(org.slug), org);
  });

  test('answers 404 resource_not_found for an unknown id or slug', async () => {
    assertClerkError(await api(server, 'GET', '/v1/organizations/org_doesnotexist'), 404, 'resource_not_found');
    assertClerkError(await api(server, 'GET', `/v1/organizations/${marker()}`), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// GET /organizations
// ---------------------------------------------------------------------------------------

describe('GET /v1/organizations', () => {
  /** Three organizations sharing a marker, created a second apart (oldest first). */
  async function seedThree() {
    const m = marker();
    const orgs = [];
    for (const [i, name] of [`Charlie ${m}`, `alpha ${m}`, `Bravo ${m}`].entries()) {
      orgs.push(await createOrganization({ name, created_at: new Date(Date.UTC(2022, 0, 1, 0, 0, i)).toISOString() }));
    }
    return { m, orgs };
  }

  test('lists newest first as {data, total_count}', async () => {
    const { m, orgs } = await seedThree();
    const list = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}`));
    assert.equal(list.total_count, 3);
    assert.deepEqual(list.data.map((o) => o.id), [orgs[2]!.id, orgs[1]!.id, orgs[0]!.id]);
  });

  test('pages with limit and offset; total_count counts every match', async () => {
    const { m, orgs } = await seedThree();
    const page = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&limit=1&offset=1`));
    assert.equal(page.total_count, 3);
    assert.deepEqual(page.data.map((o) => o.id), [orgs[1]!.id]);
  });

  test('query matches the exact id or part of the name or slug, ignoring case', async () => {
    const { m, orgs } = await seedThree();
    const byName = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=ALPHA%20${m}`));
    assert.deepEqual(byName.data.map((o) => o.id), [orgs[1]!.id]);
    const bySlug = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=bravo-${m}`));
    assert.deepEqual(bySlug.data.map((o) => o.id), [orgs[2]!.id]);
    const byId = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${orgs[0]!.id}`));
    assert.deepEqual(byId.data.map((o) => o.id), [orgs[0]!.id]);
  });

  test('order_by name and members_count, ascending or descending', async () => {
    const { m, orgs } = await seedThree();
    const [charlie, alpha, bravo] = orgs;
    const byName = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&order_by=name`));
    assert.deepEqual(byName.data.map((o) => o.id), [alpha!.id, bravo!.id, charlie!.id]);
    const byNameDesc = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&order_by=-name`));
    assert.deepEqual(byNameDesc.data.map((o) => o.id), [charlie!.id, bravo!.id, alpha!.id]);

    const [u1, u2] = [await createUser(), await createUser()];
    await addMember(bravo!.id, u1.id);
    await addMember(bravo!.id, u2.id);
    await addMember(charlie!.id, u1.id);
    const byCount = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&order_by=-members_count`));
    assert.deepEqual(byCount.data.map((o) => [o.id, o.members_count]), [[bravo!.id, 2], [charlie!.id, 1], [alpha!.id, 0]]);
  });

  test('user_id keeps organizations the user belongs to; -user_id drops them', async () => {
    const { m, orgs } = await seedThree();
    const user = await createUser();
    await addMember(orgs[0]!.id, user.id);
    const mine = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&user_id=${user.id}`));
    assert.deepEqual(mine.data.map((o) => o.id), [orgs[0]!.id]);
    const others = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&user_id=-${user.id}`));
    assert.deepEqual(others.data.map((o) => o.id), [orgs[2]!.id, orgs[1]!.id]);
  });

  test('organization_id includes and excludes by id', async () => {
    const { m, orgs } = await seedThree();
    const included = assertOrganizationList(await api(server, 'GET', `/v1/organizations?organization_id=${orgs[0]!.id}&organization_id=%2B${orgs[1]!.id}`));
    assert.deepEqual(included.data.map((o) => o.id).sort(), [orgs[0]!.id, orgs[1]!.id].sort());
    const excluded = assertOrganizationList(await api(server, 'GET', `/v1/organizations?query=${m}&organization_id=-${orgs[0]!.id}`));
    assert.deepEqual(excluded.data.map((o) => o.id), [orgs[2]!.id, orgs[1]!.id]);
  });

  test('refuses an unknown order_by with 400 invalid_query_parameter_value', async () => {
    assertClerkError(await api(server, 'GET', '/v1/organizations?order_by=-slug'), 400, 'invalid_query_parameter_value', 'order_by');
  });

  test('refuses a limit outside 1..500 and a negative offset', async () => {
    assertClerkError(await api(server, 'GET', '/v1/organizations?limit=0'), 422, 'form_param_value_invalid', 'limit');
    assertClerkError(await api(server, 'GET', '/v1/organizations?limit=501'), 422, 'form_param_value_invalid', 'limit');
    assertClerkError(await api(server, 'GET', '/v1/organizations?offset=-1'), 422, 'form_param_value_invalid', 'offset');
  });
});

// ---------------------------------------------------------------------------------------
// PATCH /organizations/{id} and metadata
// ---------------------------------------------------------------------------------------

describe('PATCH /v1/organizations/{organization_id}', () => {
  test('changes name, slug, max_allowed_memberships and admin_delete_enabled', async () => {
    const org = await createOrganization();
    await sleep(2);
    const slug = `renamed-${marker()}`;
    const response = await api(server, 'PATCH', `/v1/organizations/${org.id}`, {
      body: { name: 'Renamed', slug, max_allowed_memberships: 7, admin_delete_enabled: false },
    });
    const updated = assertOrganization(response);
    assert.equal(updated.name, 'Renamed');
    assert.equal(updated.slug, slug);
    assert.equal(updated.max_allowed_memberships, 7);
    assert.equal(updated.admin_delete_enabled, false);
    assert.ok(updated.updated_at > org.updated_at);
    assert.equal(updated.created_at, org.created_at);
    assert.deepEqual(await getOrganization(slug), updated);
  });

  test('null fields and an empty body change nothing but updated_at', async () => {
    const org = await createOrganization();
    const updated = assertOrganization(await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { name: null, slug: null } }));
    assert.equal(updated.name, org.name);
    assert.equal(updated.slug, org.slug);
    assertOrganization(await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: {} }));
  });

  test('keeping its own slug is not a conflict; taking another organization\'s is', async () => {
    const [a, b] = [await createOrganization(), await createOrganization()];
    assertOrganization(await api(server, 'PATCH', `/v1/organizations/${a.id}`, { body: { slug: a.slug } }));
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${a.id}`, { body: { slug: b.slug } }), 422, 'form_identifier_exists', 'slug');
  });

  test('refuses an invalid slug, an unknown key and a blank name', async () => {
    const org = await createOrganization();
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { slug: 'Bad Slug' } }), 422, 'form_param_format_invalid', 'slug');
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { nickname: 'x' } }), 422, 'form_param_unknown', 'nickname');
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { name: '' } }), 422, 'form_param_missing', 'name');
  });

  test('refuses metadata for API version 2026-05-12 (the default) with form_param_unknown', async () => {
    const org = await createOrganization({ public_metadata: { keep: true } });
    const response = await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { public_metadata: { a: 1 } } });
    assertClerkError(response, 422, 'form_param_unknown', 'public_metadata');
    assert.deepEqual((await getOrganization(org.id)).public_metadata, { keep: true });
  });

  test('replaces metadata for API version 2021-02-05', async () => {
    const org = await createOrganization({ public_metadata: { keep: true }, private_metadata: { secret: 1 } });
    const response = await api(server, 'PATCH', `/v1/organizations/${org.id}`, { body: { public_metadata: { a: 1 } }, headers: OLD_API_VERSION });
    const updated = assertOrganization(response);
    assert.deepEqual(updated.public_metadata, { a: 1 });
    assert.deepEqual(updated.private_metadata, { secret: 1 });
  });

  test('answers 404 for an unknown organization', async () => {
    assertClerkError(await api(server, 'PATCH', '/v1/organizations/org_doesnotexist', { body: { name: 'X' } }), 404, 'resource_not_found');
  });
});

describe('PUT and PATCH /v1/organizations/{organization_id}/metadata', () => {
  test('PUT replaces each given field and leaves the other alone', async () => {
    const org = await createOrganization({ public_metadata: { a: 1, b: { c: 2 } }, private_metadata: { p: 1 } });
    const updated = assertOrganization(await api(server, 'PUT', `/v1/organizations/${org.id}/metadata`, { body: { public_metadata: { b: { d: 3 } } } }));
    assert.deepEqual(updated.public_metadata, { b: { d: 3 } });
    assert.deepEqual(updated.private_metadata, { p: 1 });
  });

  test('PATCH deep-merges, and null deletes a key', async () => {
    const org = await createOrganization({ public_metadata: { a: 1, b: { c: 2, d: 3 } } });
    const body = { public_metadata: { a: null, b: { c: 20 }, e: [1] }, private_metadata: { x: true } };
    const updated = assertOrganization(await api(server, 'PATCH', `/v1/organizations/${org.id}/metadata`, { body }));
    assert.deepEqual(updated.public_metadata, { b: { c: 20, d: 3 }, e: [1] });
    assert.deepEqual(updated.private_metadata, { x: true });
  });

  test('refuses unknown keys and unknown organizations', async () => {
    const org = await createOrganization();
    assertClerkError(await api(server, 'PUT', `/v1/organizations/${org.id}/metadata`, { body: { unsafe_metadata: {} } }), 422, 'form_param_unknown', 'unsafe_metadata');
    assertClerkError(await api(server, 'PATCH', '/v1/organizations/org_doesnotexist/metadata', { body: { public_metadata: {} } }), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// DELETE /organizations/{id}
// ---------------------------------------------------------------------------------------

describe('DELETE /v1/organizations/{organization_id}', () => {
  test('answers a DeletedObject and takes the memberships with it', async () => {
    const user = await createUser();
    const org = await createOrganization({ created_by: user.id });
    await addMember(org.id, (await createUser()).id);
    assert.equal(membershipRows(org.id), 2);

    const response = await api(server, 'DELETE', `/v1/organizations/${org.id}`);
    assert.equal(response.status, 200, response.text);
    assertMatchesSpec('DeletedObject', response.body);
    assert.deepEqual(response.body, { object: 'organization', id: org.id, slug: org.slug, deleted: true });
    assert.equal(membershipRows(org.id), 0);
    assertClerkError(await api(server, 'GET', `/v1/organizations/${org.id}`), 404, 'resource_not_found');
    const mine = assertMembershipList(await api(server, 'GET', `/v1/users/${user.id}/organization_memberships`));
    assert.equal(mine.total_count, 0);
  });

  test('answers 404 for an unknown or already deleted organization', async () => {
    const org = await createOrganization();
    assert.equal((await api(server, 'DELETE', `/v1/organizations/${org.id}`)).status, 200);
    assertClerkError(await api(server, 'DELETE', `/v1/organizations/${org.id}`), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// POST /organizations/{id}/memberships
// ---------------------------------------------------------------------------------------

describe('POST /v1/organizations/{organization_id}/memberships', () => {
  test('adds a member with the full organization and public user data', async () => {
    const org = await createOrganization();
    const user = await createUser({ first_name: 'Ada', last_name: 'Lovelace', username: unique('ada').toLowerCase() });
    const membership = await addMember(org.id, user.id, 'org:member', { public_metadata: { team: 'core' }, private_metadata: { note: 1 } });
    assert.match(membership.id, /^orgmem_[0-9A-Za-z]{27}$/);
    assert.equal(membership.object, 'organization_membership');
    assert.equal(membership.role, 'org:member');
    assert.equal(membership.role_name, 'Member');
    assert.deepEqual(membership.permissions, MEMBER_PERMISSIONS);
    assert.deepEqual(membership.public_metadata, { team: 'core' });
    assert.deepEqual(membership.private_metadata, { note: 1 });
    assert.equal(membership.organization.id, org.id);
    assert.equal(membership.organization.members_count, 1);
    assert.deepEqual(membership.public_user_data, {
      user_id: user.id,
      first_name: 'Ada',
      last_name: 'Lovelace',
      profile_image_url: user.image_url,
      image_url: user.image_url,
      has_image: false,
      identifier: user.email_addresses[0]!.email_address,
      username: user.username,
      banned: false,
    });
  });

  test('an org:admin membership carries every system permission', async () => {
    const org = await createOrganization();
    const membership = await addMember(org.id, (await createUser()).id, 'org:admin');
    assert.equal(membership.role_name, 'Admin');
    assert.deepEqual(membership.permissions, ADMIN_PERMISSIONS);
  });

  test('identifier falls back to the phone number, then the username', async () => {
    const org = await createOrganization();
    const phoneUser = await createUser({ email_address: [], phone_number: [`+1555${String(Date.now()).slice(-7)}`] });
    assert.equal((await addMember(org.id, phoneUser.id)).public_user_data.identifier, phoneUser.phone_numbers[0]!.phone_number);
    const username = unique('nameonly').toLowerCase();
    const nameUser = await createUser({ email_address: [], username });
    assert.equal((await addMember(org.id, nameUser.id)).public_user_data.identifier, username);
  });

  test('refuses an unknown role with 422 form_param_value_invalid', async () => {
    const org = await createOrganization();
    const user = await createUser();
    for (const role of ['org:owner', 'admin', '']) {
      const response = await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { user_id: user.id, role } });
      assertClerkError(response, 422, 'form_param_value_invalid', 'role');
    }
    assert.equal(membershipRows(org.id), 0);
  });

  test('refuses a body without user_id or role', async () => {
    const org = await createOrganization();
    const user = await createUser();
    assertClerkError(await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { role: 'org:member' } }), 422, 'form_param_missing', 'user_id');
    assertClerkError(await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { user_id: user.id } }), 422, 'form_param_missing', 'role');
  });

  test('refuses a second membership for the same user with 400 already_a_member_in_organization', async () => {
    const org = await createOrganization();
    const user = await createUser();
    await addMember(org.id, user.id);
    const response = await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { user_id: user.id, role: 'org:admin' } });
    assertClerkError(response, 400, 'already_a_member_in_organization');
    assert.equal(membershipRows(org.id), 1);
  });

  test('enforces max_allowed_memberships with 403 organization_membership_quota_exceeded', async () => {
    const creator = await createUser();
    const org = await createOrganization({ created_by: creator.id, max_allowed_memberships: 2 });
    await addMember(org.id, (await createUser()).id);
    const response = await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { user_id: (await createUser()).id, role: 'org:member' } });
    assertClerkError(response, 403, 'organization_membership_quota_exceeded');
    assert.equal(membershipRows(org.id), 2);
  });

  test('max_allowed_memberships 0 means no limit', async () => {
    const org = await createOrganization({ max_allowed_memberships: 0 });
    for (let i = 0; i < 3; i += 1) await addMember(org.id, (await createUser()).id);
    assert.equal((await getOrganization(org.id)).members_count, 3);
  });

  test('answers 404 resource_not_found for an unknown organization or user', async () => {
    const org = await createOrganization();
    const user = await createUser();
    assertClerkError(await api(server, 'POST', '/v1/organizations/org_doesnotexist/memberships', { body: { user_id: user.id, role: 'org:member' } }), 404, 'resource_not_found');
    assertClerkError(await api(server, 'POST', `/v1/organizations/${org.id}/memberships`, { body: { user_id: 'user_doesnotexist', role: 'org:member' } }), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// GET /organizations/{id}/memberships
// ---------------------------------------------------------------------------------------

describe('GET /v1/organizations/{organization_id}/memberships', () => {
  async function seedMembers() {
    const org = await createOrganization();
    const users = [
      await createUser({ first_name: 'Carol' }),
      await createUser({ first_name: 'alice' }),
      await createUser({ first_name: 'Bob' }),
    ];
    const memberships = [];
    for (const [i, user] of users.entries()) {
      memberships.push(await addMember(org.id, user.id, i === 0 ? 'org:admin' : 'org:member'));
      await sleep(3);
    }
    return { org, users, memberships };
  }

  test('lists newest first as {data, total_count}, paged by limit and offset', async () => {
    const { org, memberships } = await seedMembers();
    const all = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships`));
    assert.equal(all.total_count, 3);
    assert.deepEqual(all.data.map((m) => m.id), [memberships[2]!.id, memberships[1]!.id, memberships[0]!.id]);
    const page = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?limit=2&offset=1`));
    assert.equal(page.total_count, 3);
    assert.deepEqual(page.data.map((m) => m.id), [memberships[1]!.id, memberships[0]!.id]);
  });

  test('order_by created_at and first_name', async () => {
    const { org, users } = await seedMembers();
    const oldest = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?order_by=created_at`));
    assert.deepEqual(oldest.data.map((m) => m.public_user_data.user_id), users.map((u) => u.id));
    const byName = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?order_by=-first_name`));
    assert.deepEqual(byName.data.map((m) => m.public_user_data.first_name), ['Carol', 'Bob', 'alice']);
  });

  test('filters by role and by user_id', async () => {
    const { org, users } = await seedMembers();
    const admins = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?role=org:admin`));
    assert.deepEqual(admins.data.map((m) => m.public_user_data.user_id), [users[0]!.id]);
    assert.equal(admins.total_count, 1);
    const one = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?user_id=${users[1]!.id}`));
    assert.deepEqual(one.data.map((m) => m.public_user_data.user_id), [users[1]!.id]);
    const notOne = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?user_id=-${users[1]!.id}`));
    assert.equal(notOne.total_count, 2);
  });

  test('query matches part of a member\'s identifiers', async () => {
    const org = await createOrganization();
    const m = marker();
    const user = await createUser({ email_address: [`${m}@example.com`] });
    await addMember(org.id, user.id);
    await addMember(org.id, (await createUser()).id);
    const found = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?query=${m.toUpperCase()}`));
    assert.deepEqual(found.data.map((x) => x.public_user_data.user_id), [user.id]);
  });

  test('an organization without members lists nothing', async () => {
    const org = await createOrganization();
    assert.deepEqual(assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships`)), { data: [], total_count: 0 });
  });

  test('refuses an unknown order_by and answers 404 for an unknown organization', async () => {
    const org = await createOrganization();
    assertClerkError(await api(server, 'GET', `/v1/organizations/${org.id}/memberships?order_by=role`), 400, 'invalid_query_parameter_value', 'order_by');
    assertClerkError(await api(server, 'GET', '/v1/organizations/org_doesnotexist/memberships'), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// PATCH and DELETE /organizations/{id}/memberships/{user_id}
// ---------------------------------------------------------------------------------------

describe('PATCH /v1/organizations/{organization_id}/memberships/{user_id}', () => {
  test('changes the role and with it role_name and permissions', async () => {
    const org = await createOrganization();
    const user = await createUser();
    const created = await addMember(org.id, user.id);
    await sleep(2);
    const updated = assertMembership(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${user.id}`, { body: { role: 'org:admin' } }));
    assert.equal(updated.id, created.id);
    assert.equal(updated.role, 'org:admin');
    assert.equal(updated.role_name, 'Admin');
    assert.deepEqual(updated.permissions, ADMIN_PERMISSIONS);
    assert.ok(updated.updated_at > created.updated_at);
    assert.equal(updated.created_at, created.created_at);
  });

  test('refuses an unknown or missing role', async () => {
    const org = await createOrganization();
    const user = await createUser();
    await addMember(org.id, user.id);
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${user.id}`, { body: { role: 'org:guest' } }), 422, 'form_param_value_invalid', 'role');
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${user.id}`, { body: {} }), 422, 'form_param_missing', 'role');
  });

  test('answers 404 for a non-member, an unknown user or an unknown organization', async () => {
    const org = await createOrganization();
    const outsider = await createUser();
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${outsider.id}`, { body: { role: 'org:admin' } }), 404, 'resource_not_found');
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/user_doesnotexist`, { body: { role: 'org:admin' } }), 404, 'resource_not_found');
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/org_doesnotexist/memberships/${outsider.id}`, { body: { role: 'org:admin' } }), 404, 'resource_not_found');
  });
});

describe('PATCH /v1/organizations/{organization_id}/memberships/{user_id}/metadata', () => {
  test('deep-merges membership metadata', async () => {
    const org = await createOrganization();
    const user = await createUser();
    await addMember(org.id, user.id, 'org:member', { public_metadata: { a: 1, b: { c: 1 } } });
    const body = { public_metadata: { a: null, b: { d: 2 } }, private_metadata: { p: true } };
    const updated = assertMembership(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${user.id}/metadata`, { body }));
    assert.deepEqual(updated.public_metadata, { b: { c: 1, d: 2 } });
    assert.deepEqual(updated.private_metadata, { p: true });
  });

  test('answers 404 for a non-member', async () => {
    const org = await createOrganization();
    const outsider = await createUser();
    assertClerkError(await api(server, 'PATCH', `/v1/organizations/${org.id}/memberships/${outsider.id}/metadata`, { body: { public_metadata: {} } }), 404, 'resource_not_found');
  });
});

describe('DELETE /v1/organizations/{organization_id}/memberships/{user_id}', () => {
  test('answers the removed membership, embedding the organization with its new count', async () => {
    const org = await createOrganization();
    const [staying, leaving] = [await createUser(), await createUser()];
    await addMember(org.id, staying.id);
    const created = await addMember(org.id, leaving.id, 'org:admin');
    assert.equal(created.organization.members_count, 2);

    const removed = assertMembership(await api(server, 'DELETE', `/v1/organizations/${org.id}/memberships/${leaving.id}`));
    assert.equal(removed.id, created.id);
    assert.equal(removed.role, 'org:admin');
    assert.equal(removed.public_user_data.user_id, leaving.id);
    assert.equal(removed.organization.members_count, 1);
    assert.equal((await getOrganization(org.id)).members_count, 1);
    assertClerkError(await api(server, 'DELETE', `/v1/organizations/${org.id}/memberships/${leaving.id}`), 404, 'resource_not_found');
  });

  test('answers 404 for an unknown organization', async () => {
    const user = await createUser();
    assertClerkError(await api(server, 'DELETE', `/v1/organizations/org_doesnotexist/memberships/${user.id}`), 404, 'resource_not_found');
  });
});

// ---------------------------------------------------------------------------------------
// Users and memberships
// ---------------------------------------------------------------------------------------

describe('memberships and users', () => {
  test('deleting a user removes their memberships and decrements members_count', async () => {
    const [stays, goes] = [await createUser(), await createUser()];
    const org = await createOrganization({ created_by: stays.id });
    await addMember(org.id, goes.id);
    assert.equal((await getOrganization(org.id)).members_count, 2);

    assert.equal((await api(server, 'DELETE', `/v1/users/${goes.id}`)).status, 200);
    assert.equal((await getOrganization(org.id)).members_count, 1);
    const list = assertMembershipList(await api(server, 'GET', `/v1/organizations/${org.id}/memberships`));
    assert.deepEqual(list.data.map((m) => m.public_user_data.user_id), [stays.id]);
    assert.equal(list.total_count, 1);
  });

  test('GET /users/{id}/organization_memberships lists the user\'s memberships newest first, paged', async () => {
    const user = await createUser();
    const orgs = [await createOrganization(), await createOrganization(), await createOrganization()];
    const memberships = [];
    for (const org of orgs) {
      memberships.push(await addMember(org.id, user.id));
      await sleep(3);
    }
    const all = assertMembershipList(await api(server, 'GET', `/v1/users/${user.id}/organization_memberships`));
    assert.equal(all.total_count, 3);
    assert.deepEqual(all.data.map((m) => m.id), [memberships[2]!.id, memberships[1]!.id, memberships[0]!.id]);
    assert.deepEqual(all.data.map((m) => m.organization.id), [orgs[2]!.id, orgs[1]!.id, orgs[0]!.id]);
    const page = assertMembershipList(await api(server, 'GET', `/v1/users/${user.id}/organization_memberships?limit=1&offset=2`));
    assert.equal(page.total_count, 3);
    assert.deepEqual(page.data.map((m) => m.id), [memberships[0]!.id]);
  });

  test('GET /users/{id}/organization_memberships is empty for a user in no organization', async () => {
    const user = await createUser();
    assert.deepEqual(assertMembershipList(await api(server, 'GET', `/v1/users/${user.id}/organization_memberships`)), { data: [], total_count: 0 });
  });

  test('GET /users/{id}/organization_memberships answers 404 for an unknown user and 422 for a bad limit', async () => {
    assertClerkError(await api(server, 'GET', '/v1/users/user_doesnotexist/organization_memberships'), 404, 'resource_not_found');
    const user = await createUser();
    assertClerkError(await api(server, 'GET', `/v1/users/${user.id}/organization_memberships?limit=0`), 422, 'form_param_value_invalid', 'limit');
  });

  test('GET /users?organization_id= finds the members added through the memberships API', async () => {
    const [a, b, outsider] = [await createUser(), await createUser(), await createUser()];
    const org = await createOrganization({ created_by: a.id });
    await addMember(org.id, b.id);
    const scope = [a, b, outsider].map((u) => `user_id=${u.id}`).join('&');

    const members = await api(server, 'GET', `/v1/users?organization_id=${org.id}&${scope}`);
    assert.equal(members.status, 200, members.text);
    assert.deepEqual((members.body as UserJson[]).map((u) => u.id).sort(), [a.id, b.id].sort());
    const count = await api(server, 'GET', `/v1/users/count?organization_id=${org.id}&${scope}`);
    assert.deepEqual(count.body, { object: 'total_count', total_count: 2 });
    const nonMembers = await api(server, 'GET', `/v1/users?organization_id=-${org.id}&${scope}`);
    assert.deepEqual((nonMembers.body as UserJson[]).map((u) => u.id), [outsider.id]);

    await api(server, 'DELETE', `/v1/organizations/${org.id}/memberships/${b.id}`);
    const after = await api(server, 'GET', `/v1/users?organization_id=${org.id}&${scope}`);
    assert.deepEqual((after.body as UserJson[]).map((u) => u.id), [a.id]);
  });
});
