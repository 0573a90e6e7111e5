import type { LockoutPolicy } from '../config.js';
import type { UserRow } from '../db/schema.js';

export interface LockState {
  locked: boolean;
  /** Seconds until the lock ends; null when unlocked or when the lock never ends. */
  lockoutExpiresInSeconds: number | null;
  /** Null when lockout is not enabled (clerkd always enables it). */
  verificationAttemptsRemaining: number | null;
}

/** The one rule for reading lock state: a lock whose time has passed reads as no lock. */
export function lockState(user: Pick<UserRow, 'locked' | 'lockoutExpiresAt' | 'failedVerificationAttempts'>, policy: LockoutPolicy, now: number): LockState {
  const expired = user.locked && user.lockoutExpiresAt !== null && user.lockoutExpiresAt <= now;
  const locked = user.locked && !expired;
  const attemptsUsed = expired ? 0 : user.failedVerificationAttempts;
  return {
    locked,
    lockoutExpiresInSeconds: locked && user.lockoutExpiresAt !== null ? Math.ceil((user.lockoutExpiresAt - now) / 1000) : null,
    verificationAttemptsRemaining: Math.max(0, policy.maxAttempts - attemptsUsed),
  };
}

type LockColumns = Pick<UserRow, 'locked' | 'lockoutExpiresAt' | 'failedVerificationAttempts'>;

/** Columns after a failed verification: it counts, and the last allowed one locks the user. */
export function afterFailedVerification(user: LockColumns, policy: LockoutPolicy, now: number): LockColumns {
  const expired = user.locked && user.lockoutExpiresAt !== null && user.lockoutExpiresAt <= now;
  const attempts = (expired ? 0 : user.failedVerificationAttempts) + 1;
  if (attempts >= policy.maxAttempts) return { ...lockColumns(policy, now), failedVerificationAttempts: attempts };
  return { locked: expired ? false : user.locked, lockoutExpiresAt: expired ? null : user.lockoutExpiresAt, failedVerificationAttempts: attempts };
}

/** Columns after a successful verification: the count starts over. */
export const AFTER_SUCCESSFUL_VERIFICATION = { failedVerificationAttempts: 0 } as const;

/** Columns that start a lock now under the policy. */
export function lockColumns(policy: LockoutPolicy, now: number): Pick<UserRow, 'locked' | 'lockoutExpiresAt'> {
  return { locked: true, lockoutExpiresAt: policy.durationSeconds === null ? null : now + policy.durationSeconds * 1000 };
}
