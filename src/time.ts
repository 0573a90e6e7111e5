/**
 * Clerk's wire time: responses carry unix milliseconds; request bodies carry RFC 3339
 * strings (`created_at`, `legal_accepted_at`); query filters carry unix milliseconds.
 */
export type UnixMillis = number;

export function nowMillis(): UnixMillis {
  return Date.now();
}

// Full RFC 3339 date-time: date, 'T' (or space, as RFC 3339 §5.6 allows), time, optional fraction, zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp to unix milliseconds, or returns null when it is not one. */
export function parseRfc3339(value: string): UnixMillis | null {
  const match = RFC3339.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return null;
  const ms = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2023-02-30 over to March; reject dates that do not exist.
  const check = new Date(Date.UTC(y!, mo! - 1, d!));
  if (check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d!) return null;
  return ms;
}
