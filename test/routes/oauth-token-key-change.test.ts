import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

test('a token stored under another CLERKD_ENCRYPTION_KEY answers 400 oauth_token_retrieval_error, not 500', async () => {
  const server = await startTestServer();
  const rekeyedApp = await buildApp({ config: { ...server.config, encryptionKey: randomBytes(32) }, db: server.db, logger: false });
  try {
    const user = (await api(server, 'POST', '/v1/users', { body: { first_name: 'Rekeyed' } })).body as { id: string };
    const linked = await api(server, 'POST', `/_clerkd/users/${user.id}/external_accounts`, {
      body: { provider: 'oauth_google', provider_user_id: 'g-rekey-1', email_address: 'rekey@example.com', access_token: 'ya29.rekey-token' },
    });
    assert.equal(linked.status, 200, linked.text);

    await rekeyedApp.listen({ host: '127.0.0.1', port: 0 });
    const rekeyed: TestServer = { ...server, baseUrl: `http://127.0.0.1:${(rekeyedApp.server.address() as AddressInfo).port}` };
    const response = await api(rekeyed, 'GET', `/v1/users/${user.id}/oauth_access_tokens/oauth_google?paginated=true`);
    assert.equal(response.status, 400, response.text);
    assertMatchesSpec('ClerkErrors', response.body);
    assert.equal((response.body as { errors: { code: string }[] }).errors[0]!.code, 'oauth_token_retrieval_error');
    assert.ok(!response.text.includes('ya29.rekey-token'));
  } finally {
    await rekeyedApp.close();
    await server.close();
  }
});
