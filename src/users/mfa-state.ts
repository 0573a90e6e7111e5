import type { UserRow } from '../db/schema.js';

type SecondFactors = Pick<UserRow, 'totpSecret' | 'backupCodes'>;

export function mfaEnabled(factors: SecondFactors): boolean {
  return factors.totpSecret !== null || factors.backupCodes !== null;
}

/**
 * `mfa_enabled_at` / `mfa_disabled_at` move only when MFA as a whole turns on or off; the
 * spec keeps each one when the other changes.
 */
export function mfaTimestamps(before: SecondFactors, after: SecondFactors, now: number): Partial<Pick<UserRow, 'mfaEnabledAt' | 'mfaDisabledAt'>> {
  const was = mfaEnabled(before);
  const is = mfaEnabled(after);
  if (!was && is) return { mfaEnabledAt: now };
  if (was && !is) return { mfaDisabledAt: now };
  return {};
}
