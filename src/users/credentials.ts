import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import type { NewUserRow, UserRow } from '../db/schema.js';
import { errors } from '../errors.js';
import { findBackupCode } from '../mfa/backup-codes.js';
import { matchTotp, TOTP_CODE } from '../mfa/totp.js';
import { isPasswordHasher } from '../passwords/hashers.js';
import { verifyDigest } from '../passwords/imported.js';
import { hashPassword, NATIVE_HASHER, needsRehash } from '../passwords/native.js';
import { nowMillis } from '../time.js';
import { AFTER_SUCCESSFUL_VERIFICATION, afterFailedVerification, lockState } from './lock-state.js';
import { mfaTimestamps } from './mfa-state.js';
import { userRepository as repo } from './repository.js';
import { writeTransaction } from './transaction.js';
import type { UserAggregate } from './types.js';

/**
 * Verifying and removing a user's credentials: passwords (native or imported), TOTP and
 * backup codes, and the lockout that failed attempts lead to. Slow comparisons run before
 * the write transaction; what they decided is re-checked inside it, so concurrent requests
 * cannot both consume one backup code or skip a failed-attempt count.
 */

export interface CredentialServiceDeps {
  db: Db;
  config: Pick<Config, 'argon2' | 'lockout'>;
}

export type SecondFactorType = 'totp' | 'backup_code';

function backupCodesOf(user: Pick<UserRow, 'backupCodes'>): string[] {
  return user.backupCodes === null ? [] : (JSON.parse(user.backupCodes) as string[]);
}

export class CredentialService {
  constructor(private readonly deps: CredentialServiceDeps) {}

  private requireUser(x: Executor, id: string): UserRow {
    const user = repo.findUser(x, id);
    if (!user) throw errors.userNotFound(id);
    return user;
  }

  /**
   * A banned user cannot sign in, so verifying on their behalf is refused with 403
   * `user_banned` before anything is compared (and nothing is counted). A locked user gets
   * 403 `user_locked` with the seconds left.
   */
  private requireUsable(id: string, now: number): UserRow {
    const user = this.requireUser(this.deps.db, id);
    if (user.banned) throw errors.userBanned();
    const lock = lockState(user, this.deps.config.lockout, now);
    if (lock.locked) throw errors.userLocked(lock.lockoutExpiresInSeconds);
    return user;
  }

  /** Counts a failed attempt (locking at the limit) and returns the attempts left. */
  private recordFailure(id: string, now: number): number {
    return writeTransaction(this.deps.db, (tx) => {
      const columns = afterFailedVerification(this.requireUser(tx, id), this.deps.config.lockout, now);
      repo.updateUser(tx, id, columns);
      return Math.max(0, this.deps.config.lockout.maxAttempts - columns.failedVerificationAttempts);
    });
  }

  async verifyPassword(id: string, password: string): Promise<void> {
    const now = nowMillis();
    const user = this.requireUsable(id, now);
    const { passwordDigest: digest, passwordHasher: hasher } = user;
    if (digest === null || hasher === null || !isPasswordHasher(hasher)) throw errors.noPasswordSet();

    if (!(await verifyDigest(hasher, digest, password))) throw errors.incorrectPassword(this.recordFailure(id, now));

    // An imported digest (or one of ours with outdated parameters) becomes argon2id now.
    const rehashed = needsRehash(hasher, digest, this.deps.config.argon2) ? await hashPassword(password, this.deps.config.argon2) : null;
    writeTransaction(this.deps.db, (tx) => {
      const current = this.requireUser(tx, id);
      const changes: Partial<NewUserRow> = { ...AFTER_SUCCESSFUL_VERIFICATION };
      // Skip the re-hash if the password changed while we were verifying.
      if (rehashed !== null && current.passwordDigest === digest) Object.assign(changes, { passwordDigest: rehashed, passwordHasher: NATIVE_HASHER });
      repo.updateUser(tx, id, changes);
    });
  }

  async verifySecondFactor(id: string, rawCode: string): Promise<SecondFactorType> {
    const now = nowMillis();
    const user = this.requireUsable(id, now);
    const codes = backupCodesOf(user);
    if (user.totpSecret === null && codes.length === 0) throw errors.totpDisabled();
    const code = rawCode.trim();

    if (user.totpSecret !== null) {
      const step = await matchTotp(user.totpSecret, code, user.totpLastUsedStep, now);
      const accepted =
        step !== null &&
        writeTransaction(this.deps.db, (tx) => {
          const current = this.requireUser(tx, id);
          // A concurrent request may have used this step (or a later one) meanwhile.
          if (current.totpSecret !== user.totpSecret || (current.totpLastUsedStep !== null && step <= current.totpLastUsedStep)) return false;
          repo.updateUser(tx, id, { totpLastUsedStep: step, ...AFTER_SUCCESSFUL_VERIFICATION });
          return true;
        });
      if (accepted) return 'totp';
    }

    const matched = codes.length > 0 ? await findBackupCode(code, codes) : null;
    const consumed =
      matched !== null &&
      writeTransaction(this.deps.db, (tx) => {
        const current = this.requireUser(tx, id);
        const remaining = backupCodesOf(current);
        const index = remaining.indexOf(matched);
        if (index < 0) return false; // consumed by a concurrent request
        remaining.splice(index, 1);
        const backupCodes = remaining.length > 0 ? JSON.stringify(remaining) : null;
        repo.updateUser(tx, id, { backupCodes, ...mfaTimestamps(current, { totpSecret: current.totpSecret, backupCodes }, now), ...AFTER_SUCCESSFUL_VERIFICATION });
        return true;
      });
    if (consumed) return 'backup_code';

    // A code of the wrong shape for a TOTP-only user is a malformed request, not a guess.
    if (codes.length === 0 && !TOTP_CODE.test(code)) throw errors.totpInvalidLength();
    throw errors.totpIncorrectCode(this.recordFailure(id, now));
  }

  private clearFactors(id: string, factors: { totp: boolean; backupCodes: boolean; phones: boolean }): void {
    const now = nowMillis();
    writeTransaction(this.deps.db, (tx) => {
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
  disableMfa(id: string): void {
    this.clearFactors(id, { totp: true, backupCodes: true, phones: true });
  }

  deleteTotp(id: string): void {
    this.clearFactors(id, { totp: true, backupCodes: false, phones: false });
  }

  deleteBackupCodes(id: string): void {
    this.clearFactors(id, { totp: false, backupCodes: true, phones: false });
  }

  /** POST /users/{id}/remove_password: the user keeps every other way in. */
  removePassword(id: string): UserAggregate {
    return writeTransaction(this.deps.db, (tx) => {
      this.requireUser(tx, id);
      repo.updateUser(tx, id, { passwordDigest: null, passwordHasher: null, failedVerificationAttempts: 0, updatedAt: nowMillis() });
      const [aggregate] = repo.loadAggregates(tx, [id]);
      return aggregate!;
    });
  }
}
