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

/** Columns that start a lock now under the policy. */
export function lockColumns(policy: LockoutPolicy, now: number): Pick<UserRow, 'locked' | 'lockoutExpiresAt'> {
  return { locked: true, lockoutExpiresAt: policy.durationSeconds === null ? null : now + policy.durationSeconds * 1000 };
}
