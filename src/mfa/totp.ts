import { createGuardrails, verify } from 'otplib';
import { errors } from '../errors.js';

/**
 * TOTP as Clerk configures it: SHA-1, 6 digits, 30-second period, one step of clock skew
 * either way. Secrets are base32; Clerk issues 20-byte ones, and imported 10-byte secrets
 * (16 base32 characters, still common) are accepted too.
 */
const PERIOD_SECONDS = 30;
const BASE32 = /^[A-Z2-7]+=*$/;
const MIN_SECRET_CHARS = 16;
const MAX_SECRET_CHARS = 128;

export function normalizeTotpSecret(value: string): string {
  const secret = value.replace(/\s+/g, '').toUpperCase();
  if (secret.length < MIN_SECRET_CHARS || secret.length > MAX_SECRET_CHARS || !BASE32.test(secret)) throw errors.totpSecretInvalid();
  return secret.replace(/=+$/, '');
}

export const TOTP_CODE = /^\d{6}$/;

const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });

/**
 * The time step `code` belongs to, or null when it is wrong, or was already used (its step
 * is not after `lastUsedStep`): a code works once.
 */
export async function matchTotp(secret: string, code: string, lastUsedStep: number | null, nowMs: number): Promise<number | null> {
  if (!TOTP_CODE.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    period: PERIOD_SECONDS,
    epochTolerance: PERIOD_SECONDS,
    guardrails: GUARDRAILS,
    ...(lastUsedStep === null ? {} : { afterTimeStep: lastUsedStep }),
  });
  return result.valid ? Math.floor(nowMs / 1000 / PERIOD_SECONDS) + result.delta : null;
}
