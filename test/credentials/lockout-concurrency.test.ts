import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { generate, generateSecret } from 'otplib';
import { api, startTestServer, type ApiResponse, type TestServer } from '../support/server.js';
import { symfonyDigest } from '../support/symfony-digest.js';
import {
  assertLockConsistent,
  createUser,
  errorMeta,
  getUser,
  newPassword,
  outcome,
  storedRow,
  tally,
  verifyPassword,
  verifyTotp,
  wrongPassword,
  wrongTotpCode,
} from './support.js';

/**
 * The lockout holds under concurrency: however many verifications arrive at once, at most
 * CLERKD_LOCKOUT_MAX_ATTEMPTS (10 by default) wrong guesses are compared per lockout window,
 * every other one answers 403 user_locked (the correct one sent last too), and the user's
 * lock fields agree afterwards. Counted over HTTP against a real server with the default policy.
 */

const MAX_ATTEMPTS = 10;
const PARALLEL = 200;

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

/**
 * `count` parallel wrong guesses, then the correct one, sent once every attempt the user has
 * is taken (counted failures plus comparisons in flight, as stored) but before the wrong
 * guesses have all been answered.
 */
async function burst(id: string, wrong: () => Promise<ApiResponse>, count: number, correct: () => Promise<ApiResponse>): Promise<{ wrong: ApiResponse[]; correct: ApiResponse }> {
  let answered = 0;
  const wrongAnswers = Array.from({ length: count }, () => wrong().finally(() => (answered += 1)));
  for (;;) {
    const row = storedRow(server, id);
    if (row.locked || row.failedVerificationAttempts + (row.verificationsInFlight ?? 0) >= MAX_ATTEMPTS) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.ok(answered < count, 'the correct guess is sent while wrong ones are still pending');
  const correctAnswer = correct();
  return { wrong: await Promise.all(wrongAnswers), correct: await correctAnswer };
}

function assertAtMostLimitCompared(responses: ApiResponse[], incorrectCode: string): void {
  const counts = tally(responses);
  const compared = counts[`422 ${incorrectCode}`] ?? 0;
  assert.ok(compared <= MAX_ATTEMPTS, `${compared} wrong guesses were compared, at most ${MAX_ATTEMPTS} may be: ${JSON.stringify(counts)}`);
  assert.equal(compared + (counts['403 user_locked'] ?? 0), responses.length, `every other guess answers 403 user_locked: ${JSON.stringify(counts)}`);
  const remaining = responses.filter((response) => response.status === 422).map((response) => errorMeta(response).verification_attempts_remaining);
  assert.deepEqual(
    [...remaining].sort(),
    Array.from({ length: compared }, (_, i) => MAX_ATTEMPTS - 1 - i).sort(),
    `each compared guess is counted once: ${JSON.stringify(remaining)}`,
  );
}

async function assertLockedForTheHour(id: string): Promise<void> {
  const user = await getUser(server, id);
  assertLockConsistent(user);
  assert.equal(user.locked, true);
  assert.equal(user.verification_attempts_remaining, 0);
  assert.ok(typeof user.lockout_expires_in_seconds === 'number' && user.lockout_expires_in_seconds > 3500, `lockout_expires_in_seconds: ${user.lockout_expires_in_seconds}`);
  assert.equal(storedRow(server, id).verificationsInFlight, 0, 'every reservation was released');
}

test(`${PARALLEL} parallel wrong passwords compare at most ${MAX_ATTEMPTS}, and the correct password sent last answers 403 user_locked`, async () => {
  const password = newPassword();
  const user = await createUser(server, { password });
  const answers = await burst(user.id, () => verifyPassword(server, user.id, wrongPassword()), PARALLEL, () => verifyPassword(server, user.id, password));
  assertAtMostLimitCompared(answers.wrong, 'incorrect_password');
  assert.equal(outcome(answers.correct), '403 user_locked');
  await assertLockedForTheHour(user.id);
});

test('parallel wrong passwords against a slower imported bcrypt digest compare at most the limit too', async () => {
  const password = newPassword();
  const user = await createUser(server, { password_digest: bcryptjs.hashSync(password, 6), password_hasher: 'bcrypt' });
  const answers = await burst(user.id, () => verifyPassword(server, user.id, wrongPassword()), PARALLEL, () => verifyPassword(server, user.id, password));
  assertAtMostLimitCompared(answers.wrong, 'incorrect_password');
  assert.equal(outcome(answers.correct), '403 user_locked');
  await assertLockedForTheHour(user.id);
  assert.equal(storedRow(server, user.id).passwordHasher, 'bcrypt', 'a refused correct password is not re-hashed');
});

test('parallel wrong backup codes compare at most the limit, and a valid backup code sent last answers 403 user_locked and stays unused', async () => {
  const codes = Array.from({ length: 5 }, (_, i) => `code-${i}-${Math.random().toString(36).slice(2, 10)}`);
  const user = await createUser(server, { backup_codes: codes });
  const answers = await burst(user.id, () => verifyTotp(server, user.id, `nope-${Math.random().toString(36).slice(2, 12)}`), 100, () => verifyTotp(server, user.id, codes[0]!));
  assertAtMostLimitCompared(answers.wrong, 'totp_incorrect_code');
  assert.equal(outcome(answers.correct), '403 user_locked');
  await assertLockedForTheHour(user.id);
  assert.equal((JSON.parse(storedRow(server, user.id).backupCodes ?? '[]') as string[]).length, 5, 'no backup code was consumed');
});

test('parallel wrong TOTP codes compare at most the limit, and the current TOTP code sent last answers 403 user_locked', async () => {
  const totpSecret = generateSecret();
  const user = await createUser(server, { totp_secret: totpSecret });
  const wrong = await wrongTotpCode(totpSecret);
  const answers = await burst(user.id, () => verifyTotp(server, user.id, wrong), 100, async () => verifyTotp(server, user.id, await generate({ secret: totpSecret })));
  assertAtMostLimitCompared(answers.wrong, 'totp_incorrect_code');
  assert.equal(outcome(answers.correct), '403 user_locked');
  await assertLockedForTheHour(user.id);
});

test('two servers sharing one SQLite file compare at most the limit between them', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-lockout-'));
  const env = { CLERKD_DATA_DIR: dataDir, CLERKD_DATABASE: 'shared.sqlite' };
  const first = await startTestServer(env);
  const second = await startTestServer(env);
  try {
    const password = newPassword();
    const user = await createUser(first, { password });
    const responses = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => verifyPassword(i % 2 === 0 ? first : second, user.id, wrongPassword())));
    assertAtMostLimitCompared(responses, 'incorrect_password');
    assert.equal(outcome(await verifyPassword(second, user.id, password)), '403 user_locked');
    const seen = await getUser(second, user.id);
    assertLockConsistent(seen);
    assert.equal(seen.locked, true);
  } finally {
    await second.close();
    await first.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a locked user always reads locked with no attempts left, even after the password is removed', async () => {
  const password = newPassword();
  const user = await createUser(server, { password });
  await Promise.all(Array.from({ length: MAX_ATTEMPTS }, () => verifyPassword(server, user.id, wrongPassword())));
  const removed = await api(server, 'POST', `/v1/users/${user.id}/remove_password`, { body: {} });
  assert.equal(removed.status, 200, removed.text);
  const after = await getUser(server, user.id);
  assertLockConsistent(after);
  assert.equal(after.locked, true);
  assert.equal(after.verification_attempts_remaining, 0);
});


for (const [action, expected] of [
  ['lock', '403 user_locked'],
  ['ban', '403 user_banned'],
] as const) {
  test(`a correct password still being compared when the user is ${action === 'lock' ? 'locked' : 'banned'} answers ${expected}, and counts nothing`, async () => {
    const password = newPassword();
    const user = await createUser(server, { password_digest: symfonyDigest(password, 400_000), password_hasher: 'sha512_symfony' });
    let answered = false;
    const verification = verifyPassword(server, user.id, password).finally(() => (answered = true));
    for (let polls = 0; storedRow(server, user.id).verificationsInFlight !== 1; polls++) {
      assert.ok(polls < 2000, 'the verification never reserved its comparison');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }

    const moderated = await api(server, 'POST', `/v1/users/${user.id}/${action}`);
    assert.equal(moderated.status, 200, moderated.text);
    assert.equal(answered, false, 'the comparison was still running when the user was moderated');

    assert.equal(outcome(await verification), expected);
    const row = storedRow(server, user.id);
    assert.equal(row.passwordHasher, 'sha512_symfony', 'a refused match is not re-hashed');
    assert.equal(row.verificationsInFlight, 0);
  });
}
