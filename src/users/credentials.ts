import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import type { NewUserRow, UserRow } from '../db/schema.js';
import { errors } from '../errors.js';
import { findBackupCode } from '../mfa/backup-codes.js';
import { matchTotp, TOTP_CODE } from '../mfa/totp.js';
import { sharedHashPool, type HashPool } from '../passwords/hash-pool.js';
import { isPasswordHasher, type PasswordHasher } from '../passwords/hashers.js';
import { verifyDigest } from '../passwords/imported.js';
import { hashPassword, NATIVE_HASHER, needsRehash } from '../passwords/native.js';
import { checkPasswordSize } from '../passwords/policy.js';
import { nowMillis } from '../time.js';
import {
  AFTER_SUCCESSFUL_VERIFICATION,
  afterFailedVerification,
  afterRelease,
  afterReservation,
  lockState,
  mayReserveVerification,
} from './lock-state.js';
import { mfaTimestamps } from './mfa-state.js';
import { userRepository as repo } from './repository.js';
import { writeTransaction } from './transaction.js';
import type { UserAggregate } from './types.js';

/**
 * Verifying and removing a user's credentials: passwords (native or imported), TOTP and
 * backup codes, and the lockout that failed attempts lead to.
 *
 * Every verification is three steps. (1) A write transaction checks that the user may
 * verify (not banned, not locked) and reserves one comparison (src/users/lock-state.ts):
 * confirmed failures plus comparisons in flight must stay under the lockout limit, so
 * however many requests arrive at once, from however many processes sharing the database,
 * at most `maxAttempts` wrong guesses are compared per lockout window. A request that finds
 * every remaining attempt in flight waits, asynchronously and for a bounded time, and
 * tries again: usually it then finds the user locked. (2) The comparison runs outside any
 * transaction, the costly ones in the hash pool. (3) A write transaction releases the
 * reservation and records the outcome; a match is accepted only if the user is, at that
 * moment, still neither locked nor banned, so nothing verifies once a lock has started.
 */

export interface CredentialServiceDeps {
  db: Db;
  config: Pick<Config, 'argon2' | 'lockout' | 'hashThreads' | 'encryptionKey'>;
}

export type SecondFactorType = 'totp' | 'backup_code';

/** How long a verification waits for a comparison slot before answering 429 (far beyond any comparison). */
const RESERVATION_WAIT_MS = 15_000;
const FIRST_RETRY_MS = 2;
const LONGEST_RETRY_MS = 50;

function backupCodesOf(user: Pick<UserRow, 'backupCodes'>): string[] {
  return user.backupCodes === null ? [] : (JSON.parse(user.backupCodes) as string[]);
}

/** What the transaction recording an outcome decided: a value to return, or an error to throw once it has committed. */
type Outcome<T> = { value: T } | { refused: Error };

export class CredentialService {
  private readonly hashes: HashPool;

  constructor(private readonly deps: CredentialServiceDeps) {
    this.hashes = sharedHashPool(deps.config.hashThreads);
  }

  private requireUser(x: Executor, id: string): UserRow {
    const user = repo.findUser(x, id);
    if (!user) throw errors.userNotFound(id);
    return user;
  }

  /**
   * A banned user cannot sign in, so verifying on their behalf is refused with 403
   * `user_banned` (and nothing is counted). A locked user gets 403 `user_locked` with the
   * seconds left. Null when the user may verify.
   */
  private refusal(user: UserRow, now: number): Error | null {
    if (user.banned) return errors.userBanned();
    const lock = lockState(user, this.deps.config.lockout, now);
    return lock.locked ? errors.userLocked(lock.lockoutExpiresInSeconds) : null;
  }

  /**
   * Step 1: reserves one comparison and returns the user as read when it was reserved.
   * `check` refuses what needs no comparison (no password set, a malformed code).
   */
  private async reserveComparison(id: string, check: (user: UserRow) => void): Promise<UserRow> {
    const deadline = nowMillis() + RESERVATION_WAIT_MS;
    for (let wait = FIRST_RETRY_MS; ; wait = Math.min(wait * 2, LONGEST_RETRY_MS)) {
      const now = nowMillis();
      const reserved = await writeTransaction(this.deps.db, (tx) => {
        const user = this.requireUser(tx, id);
        const refused = this.refusal(user, now);
        if (refused) throw refused;
        check(user);
        if (!mayReserveVerification(user, this.deps.config.lockout, now)) return null;
        repo.updateUser(tx, id, afterReservation(user, now));
        return user;
      });
      if (reserved !== null) return reserved;
      if (now >= deadline) throw errors.tooManyRequests('Every verification attempt this user has left is already in progress.', 1);
      await delay(wait);
    }
  }

  /**
   * Steps 2 and 3: runs the comparison, then releases the reservation and lets `settle`
   * record the outcome in the same transaction. The user must still be neither banned nor
   * locked for anything to count; a comparison that failed to run only releases.
   */
  private async compareReserved<R, T>(id: string, compare: () => Promise<R>, settle: (tx: Executor, current: UserRow, result: R, now: number) => Outcome<T>): Promise<T> {
    let result: R;
    try {
      result = await compare();
    } catch (error) {
      await writeTransaction(this.deps.db, (tx) => {
        const current = repo.findUser(tx, id);
        if (current) repo.updateUser(tx, id, afterRelease(current, nowMillis()));
      });
      throw error;
    }
    const outcome = await writeTransaction(this.deps.db, (tx): Outcome<T> => {
      const now = nowMillis();
      const current = this.requireUser(tx, id);
      repo.updateUser(tx, id, afterRelease(current, now));
      const refused = this.refusal(current, now);
      return refused ? { refused } : settle(tx, current, result, now);
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.value;
  }

  /** Counts a failed attempt (locking at the limit) and returns the attempts left. */
  private recordFailure(tx: Executor, current: UserRow, now: number): number {
    const columns = afterFailedVerification(current, this.deps.config.lockout, now);
    repo.updateUser(tx, current.id, columns);
    return Math.max(0, this.deps.config.lockout.maxAttempts - columns.failedVerificationAttempts);
  }

  async verifyPassword(id: string, password: string): Promise<void> {
    checkPasswordSize(password);
    const user = await this.reserveComparison(id, (candidate) => {
      const { passwordDigest: digest, passwordHasher: hasher } = candidate;
      if (digest === null || hasher === null || !isPasswordHasher(hasher)) throw errors.noPasswordSet();
    });
    const digest = user.passwordDigest!;
    const hasher = user.passwordHasher as PasswordHasher;

    await this.compareReserved(
      id,
      async () => {
        if (!(await verifyDigest(hasher, digest, password, this.hashes))) return { matched: false, rehashed: null };
        // An imported digest (or one of ours with outdated parameters) becomes argon2id.
        const rehashed = needsRehash(hasher, digest, this.deps.config.argon2) ? await hashPassword(password, this.deps.config.argon2, this.hashes) : null;
        return { matched: true, rehashed };
      },
      (tx, current, { matched, rehashed }, now): Outcome<void> => {
        if (!matched) return { refused: errors.incorrectPassword(this.recordFailure(tx, current, now)) };
        const changes: Partial<NewUserRow> = { ...AFTER_SUCCESSFUL_VERIFICATION };
        // Skip the re-hash if the password changed while we were verifying.
        if (rehashed !== null && current.passwordDigest === digest) Object.assign(changes, { passwordDigest: rehashed, passwordHasher: NATIVE_HASHER });
        repo.updateUser(tx, id, changes);
        return { value: undefined };
      },
    );
  }

  async verifySecondFactor(id: string, rawCode: string): Promise<SecondFactorType> {
    const code = rawCode.trim();
    const user = await this.reserveComparison(id, (candidate) => {
      const codes = backupCodesOf(candidate);
      if (candidate.totpSecret === null && codes.length === 0) throw errors.totpDisabled();
      // A code of the wrong shape for a TOTP-only user is a malformed request, not a guess.
      if (codes.length === 0 && !TOTP_CODE.test(code)) throw errors.totpInvalidLength();
    });

    return this.compareReserved(
      id,
      async () => {
        const step = user.totpSecret === null ? null : await matchTotp(user.totpSecret, code, user.totpLastUsedStep, nowMillis());
        const codes = backupCodesOf(user);
        const backupCode = step === null && codes.length > 0 ? await findBackupCode(code, codes, this.deps.config.encryptionKey, this.hashes) : null;
        return { step, backupCode };
      },
      (tx, current, { step, backupCode }, now): Outcome<SecondFactorType> => {
        // A concurrent request may have used this step (or a later one) meanwhile.
        if (step !== null && current.totpSecret === user.totpSecret && (current.totpLastUsedStep === null || step > current.totpLastUsedStep)) {
          repo.updateUser(tx, id, { totpLastUsedStep: step, ...AFTER_SUCCESSFUL_VERIFICATION });
          return { value: 'totp' };
        }
        const remaining = backupCodesOf(current);
        const index = backupCode === null ? -1 : remaining.indexOf(backupCode);
        if (index >= 0) {
          remaining.splice(index, 1);
          const backupCodes = remaining.length > 0 ? JSON.stringify(remaining) : null;
          repo.updateUser(tx, id, { backupCodes, ...mfaTimestamps(current, { totpSecret: current.totpSecret, backupCodes }, now), ...AFTER_SUCCESSFUL_VERIFICATION });
          return { value: 'backup_code' };
        }
        // Wrong, or consumed by a concurrent request.
        return { refused: errors.totpIncorrectCode(this.recordFailure(tx, current, now)) };
      },
    );
  }

  private async clearFactors(id: string, factors: { totp: boolean; backupCodes: boolean; phones: boolean }): Promise<void> {
    const now = nowMillis();
    await writeTransaction(this.deps.db, (tx) => {
      const user = this.requireUser(tx, id);
      const after = {
        totpSecret: factors.totp ? null : user.totpSecret,
        backupCodes: factors.backupCodes ? null : user.backupCodes,
      };
      const changes: Partial<NewUserRow> = { ...after, ...mfaTimestamps(user, after, now), updatedAt: now };
      if (factors.totp) changes.totpLastUsedStep = null;
      repo.updateUser(tx, id, changes);
      if (factors.phones) repo.clearSecondFactorPhones(tx, id, now);
    });
  }

  /** DELETE /users/{id}/mfa: every second factor at once. */
  disableMfa(id: string): Promise<void> {
    return this.clearFactors(id, { totp: true, backupCodes: true, phones: true });
  }

  deleteTotp(id: string): Promise<void> {
    return this.clearFactors(id, { totp: true, backupCodes: false, phones: false });
  }

  deleteBackupCodes(id: string): Promise<void> {
    return this.clearFactors(id, { totp: false, backupCodes: true, phones: false });
  }

  /** POST /users/{id}/remove_password: the user keeps every other way in. */
  removePassword(id: string): Promise<UserAggregate> {
    return writeTransaction(this.deps.db, (tx) => {
      this.requireUser(tx, id);
      repo.updateUser(tx, id, { passwordDigest: null, passwordHasher: null, failedVerificationAttempts: 0, updatedAt: nowMillis() });
      const [aggregate] = repo.loadAggregates(tx, [id]);
      return aggregate!;
    });
  }
}
