import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/connection.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { snapshotRepository } from '../../src/snapshot/repository.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { UserService } from '../../src/users/service.js';
import { testConfig } from './factories.js';

/** 10,000 users without passwords go in through the bulk inserts in seconds (timing printed, not asserted). */

const COUNT = 10_000;

test(`importing ${COUNT} users without passwords takes seconds`, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-bulk-'));
  const database = openDatabase(path.join(dir, 'clerkd.sqlite'), { busyTimeoutMs: 0 });
  const config = testConfig();
  const base = Date.UTC(2024, 0, 1);
  const snapshot: Snapshot = {
    clerkd_snapshot: 1,
    users: Array.from({ length: COUNT }, (_, i) => ({
      email_addresses: [{ email_address: `bulk.user${i}@example.com` }],
      username: `bulkuser${i}`,
      first_name: 'Bulk',
      last_name: `User${i}`,
      public_metadata: { index: i },
      created_at: base + i * 1000,
    })),
  };
  const input = JSON.parse(JSON.stringify(snapshot)) as unknown;
  const started = process.hrtime.bigint();
  const result = await importSnapshot(database.db, new TokenCipher(config.encryptionKey), input);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  t.diagnostic(`imported ${COUNT} users in ${seconds.toFixed(2)} s (${Math.round(COUNT / seconds)} users/s)`);

  assert.equal(result.imported.users, COUNT);
  assert.equal(snapshotRepository.counts(database.db).users, COUNT);
  const users = new UserService({ db: database.db, config });
  assert.equal(users.countUsers({ query: 'bulk.user9999@' }), 1, 'the search index covers imported users');
  assert.equal(users.countUsers({ emailAddresses: ['bulk.user5000@example.com'] }), 1);
  database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
