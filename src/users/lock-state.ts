import type { LockoutPolicy } from '../config.js';
import type { UserRow } from '../db/schema.js';

export interface LockState {
  locked: boolean;
  /** Seconds until the lock ends; null when unlocked or when the lock never ends. */
  lockoutExpiresInSeconds: number | null;
  /** Null when lockout is not enabled (clerkd always enables it). Zero exactly when locked. */
  verificationAttemptsRemaining: number | null;
}

type LockColumns = Pick<UserRow, 'locked' | 'lockoutExpiresAt' | 'failedVerificationAttempts'>;
type ReservationColumns = Pick<UserRow, 'verificationsInFlight' | 'verificationsReservedAt'>;

function lockExpired(user: LockColumns, now: number): boolean {
  return user.locked && user.lockoutExpiresAt !== null && user.lockoutExpiresAt <= now;
}

/**
 * Confirmed failures in the current lockout window. An unlocked user has at least one
 * attempt left (a limit lowered since the failures were counted leaves exactly one), so
 * `locked` and "no attempts left" always mean the same thing.
 */
function attemptsUsed(user: LockColumns, policy: LockoutPolicy, now: number): number {
  if (lockExpired(user, now)) return 0;
  if (user.locked) return policy.maxAttempts;
  return Math.min(user.failedVerificationAttempts, policy.maxAttempts - 1);
}

/** The one rule for reading lock state: a lock whose time has passed reads as no lock. */
export function lockState(user: LockColumns, policy: LockoutPolicy, now: number): LockState {
  const locked = user.locked && !lockExpired(user, now);
  return {
    locked,
    lockoutExpiresInSeconds: locked && user.lockoutExpiresAt !== null ? Math.ceil((user.lockoutExpiresAt - now) / 1000) : null,
    verificationAttemptsRemaining: Math.max(0, policy.maxAttempts - attemptsUsed(user, policy, now)),
  };
}

/** Columns after a failed verification: it counts, and the last allowed one locks the user. */
export function afterFailedVerification(user: LockColumns, policy: LockoutPolicy, now: number): LockColumns {
  const expired = lockExpired(user, now);
  const attempts = attemptsUsed(user, policy, now) + 1;
  if (attempts >= policy.maxAttempts) return { ...lockColumns(policy, now), failedVerificationAttempts: attempts };
  return { locked: expired ? false : user.locked, lockoutExpiresAt: expired ? null : user.lockoutExpiresAt, failedVerificationAttempts: attempts };
}

/** Columns after a successful verification: the count starts over. */
export const AFTER_SUCCESSFUL_VERIFICATION = { failedVerificationAttempts: 0 } as const;

/** Columns that start a lock now under the policy. */
export function lockColumns(policy: LockoutPolicy, now: number): Pick<UserRow, 'locked' | 'lockoutExpiresAt'> {
  return { locked: true, lockoutExpiresAt: policy.durationSeconds === null ? null : now + policy.durationSeconds * 1000 };
}

// ---- reservations --------------------------------------------------------------------
//
// A comparison (password, TOTP, backup code) is reserved in a write transaction before it
// runs and released in the one that records its outcome. A comparison may start only while
// confirmed failures plus reservations stay under the limit, so however many requests
// arrive at once, and from however many processes sharing the database, at most
// `maxAttempts` wrong guesses are ever compared per lockout window.

/**
 * Reservations taken this long after the latest one are taken to belong to a process that
 * died mid-comparison, and lapse. Far longer than any verification takes (the costliest
 * digest a hasher accepts is about a second of work, queued behind at most the hash pool).
 */
export const RESERVATION_LAPSE_MS = 5 * 60 * 1000;

/** Comparisons in flight for the user, lapsed reservations not counted. */
export function verificationsInFlight(user: ReservationColumns, now: number): number {
  if (user.verificationsInFlight <= 0 || user.verificationsReservedAt === null) return 0;
  // A reservation stamped in the future (a damaged row, a clock set back) lapses the same way.
  if (Math.abs(now - user.verificationsReservedAt) >= RESERVATION_LAPSE_MS) return 0;
  return user.verificationsInFlight;
}

/** Whether one more comparison may start: the failures it could add still fit under the limit. */
export function mayReserveVerification(user: LockColumns & ReservationColumns, policy: LockoutPolicy, now: number): boolean {
  const { locked, verificationAttemptsRemaining } = lockState(user, policy, now);
  return !locked && (verificationAttemptsRemaining ?? 0) - verificationsInFlight(user, now) > 0;
}

/** Columns after reserving one comparison. */
export function afterReservation(user: ReservationColumns, now: number): ReservationColumns {
  return { verificationsInFlight: verificationsInFlight(user, now) + 1, verificationsReservedAt: now };
}

/** Columns after a reserved comparison has finished (its outcome is recorded alongside). */
export function afterRelease(user: ReservationColumns, now: number): ReservationColumns {
  const left = Math.max(0, verificationsInFlight(user, now) - 1);
  return { verificationsInFlight: left, verificationsReservedAt: left === 0 ? null : user.verificationsReservedAt };
}
