import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashPool, libuvSlotsFor, libuvThreadpoolSize } from '../../src/passwords/hash-pool.js';
import { afterReservation, afterRelease, mayReserveVerification, RESERVATION_LAPSE_MS, verificationsInFlight } from '../../src/users/lock-state.js';

/** The hash pool's admission rules, and the reservation arithmetic the lockout rests on. */

const FAST_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

test('argon2 is admitted two fewer at a time than libuv has threads, at least one, at most the workers', () => {
  assert.equal(libuvThreadpoolSize({}), 4);
  assert.equal(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '16' }), 16);
  assert.equal(libuvSlotsFor(8, 4), 2);
  assert.equal(libuvSlotsFor(8, 16), 8);
  assert.equal(libuvSlotsFor(1, 4), 1);
  assert.equal(libuvSlotsFor(4, 2), 1);
});

test('a pool runs every job kind in its workers and never has more argon2 jobs in flight than its libuv slots', async () => {
  const pool = new HashPool(4, 1);
  try {
    let most = 0;
    const sampling = setInterval(() => (most = Math.max(most, pool.stats().libuvInFlight)), 0);
    const digests = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run({ kind: 'hash-argon2id', password: `pw-${i}`, params: FAST_ARGON2 })));
    clearInterval(sampling);
    assert.ok(most <= 1, `argon2 jobs in flight at once: ${most}`);
    for (const digest of digests) assert.match(digest, /^\$argon2id\$v=19\$/);
    assert.equal(await pool.run({ kind: 'verify-digest', hasher: 'argon2id', digest: digests[2]!, password: 'pw-2' }), true);
    assert.equal(await pool.run({ kind: 'verify-digest', hasher: 'md5', digest: '5f4dcc3b5aa765d61d8327deb882cf99', password: 'password' }), true);
    assert.equal(await pool.run({ kind: 'verify-digest', hasher: 'md5', digest: '5f4dcc3b5aa765d61d8327deb882cf99', password: 'wrong' }), false);
    assert.ok(pool.stats().workers <= 4);
  } finally {
    await pool.close();
  }
});

test('a closed pool rejects what it had not answered, and everything after', async () => {
  const pool = new HashPool(1);
  const refused = assert.rejects(pool.run({ kind: 'hash-argon2id', password: 'pw', params: FAST_ARGON2 }), /closed/);
  await pool.close();
  await refused;
  await assert.rejects(pool.run({ kind: 'verify-digest', hasher: 'md5', digest: '5f4dcc3b5aa765d61d8327deb882cf99', password: 'password' }), /closed/);
});

const POLICY = { maxAttempts: 3, durationSeconds: 3600 };
const NOW = 1_800_000_000_000;
type Row = { locked: boolean; lockoutExpiresAt: number | null; failedVerificationAttempts: number; verificationsInFlight: number; verificationsReservedAt: number | null };
const fresh: Row = { locked: false, lockoutExpiresAt: null, failedVerificationAttempts: 0, verificationsInFlight: 0, verificationsReservedAt: null };

test('comparisons may be reserved only while counted failures plus those in flight stay under the limit', () => {
  let user: Row = { ...fresh };
  for (let i = 0; i < 3; i++) {
    assert.equal(mayReserveVerification(user, POLICY, NOW), true);
    user = { ...user, ...afterReservation(user, NOW) };
  }
  assert.equal(mayReserveVerification(user, POLICY, NOW), false);
  user = { ...user, ...afterRelease(user, NOW), failedVerificationAttempts: 1 };
  assert.equal(verificationsInFlight(user, NOW), 2);
  assert.equal(mayReserveVerification(user, POLICY, NOW), false);
  user = { ...user, ...afterRelease(user, NOW) };
  assert.equal(mayReserveVerification(user, POLICY, NOW), true);
});

test('reservations lapse after the bound (a crashed process) and when stamped in the future (a damaged row)', () => {
  const held = { ...fresh, verificationsInFlight: 3, verificationsReservedAt: NOW };
  assert.equal(mayReserveVerification(held, POLICY, NOW + 1000), false);
  assert.equal(mayReserveVerification(held, POLICY, NOW + RESERVATION_LAPSE_MS), true);
  assert.equal(mayReserveVerification({ ...held, verificationsReservedAt: Number.MAX_SAFE_INTEGER }, POLICY, NOW), true);
  assert.deepEqual(afterRelease({ verificationsInFlight: 0, verificationsReservedAt: null }, NOW), { verificationsInFlight: 0, verificationsReservedAt: null });
});
