import assert from 'node:assert/strict';
import { PNG } from './images.js';
import { api, unique, type ApiTarget, type TestServer } from './server.js';

/**
 * Small factories over HTTP for the reliability tests: a user with every credential, a
 * profile image, a linked external account with tokens, an organization they belong to.
 * Each takes a base URL and key, so they work against an in-process server or a spawned one.
 */

export type Target = ApiTarget;

export const FIXTURE_PASSWORD = 'fixture-Password-8812';
export const FIXTURE_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const FIXTURE_BACKUP_CODES = ['fixture-code-1111', 'fixture-code-2222'];

export async function postJson(target: Target, path: string, body: unknown, method = 'POST'): Promise<{ status: number; body: unknown; text: string }> {
  return api(target, method, path, { body });
}

export async function uploadProfileImage(target: Target, userId: string, bytes: Uint8Array = PNG.bytes): Promise<{ status: number; body: unknown; text: string }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'blob');
  return api(target, 'POST', `/v1/users/${userId}/profile_image`, { formData: form });
}

export interface RichFixtures {
  user_id: string;
  organization_id: string;
  external_account_id: string;
  provider: string;
  /** The stored profile image's key (`/images/:key`). */
  key: string;
}

/** A user with password, TOTP, backup codes, a profile image, a linked Google account and an organization. */
export async function createRichFixtures(server: TestServer): Promise<RichFixtures> {
  const user = await api(server, 'POST', '/v1/users', {
    body: {
      email_address: [`${unique('fx')}@example.com`],
      username: unique('fx'),
      password: FIXTURE_PASSWORD,
      totp_secret: FIXTURE_TOTP_SECRET,
      backup_codes: FIXTURE_BACKUP_CODES,
      public_metadata: { tier: 'gold' },
    },
  });
  assert.equal(user.status, 200, user.text);
  const userId = (user.body as { id: string }).id;
  const image = await uploadProfileImage(server, userId);
  assert.equal(image.status, 200, image.text);
  const imageUrl = (image.body as { image_url: string }).image_url;
  const account = await api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, {
    body: { provider: 'oauth_google', provider_user_id: unique('g'), email_address: 'fx@example.com', access_token: unique('at'), refresh_token: unique('rt') },
  });
  assert.equal(account.status, 200, account.text);
  const organization = await api(server, 'POST', '/v1/organizations', { body: { name: unique('Org '), created_by: userId } });
  assert.equal(organization.status, 200, organization.text);
  return {
    user_id: userId,
    organization_id: (organization.body as { id: string }).id,
    external_account_id: (account.body as { id: string }).id,
    provider: 'oauth_google',
    key: imageUrl.slice(imageUrl.lastIndexOf('/') + 1),
  };
}
