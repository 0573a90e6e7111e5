import { Type, type IntegerOptions, type Static, type TInteger, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * `{type: [T, 'null']}` rather than TypeBox's anyOf union: ajv reports one clear error for
 * it, and fast-json-stringify then writes `null` instead of coercing to `""` or `0`.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** A JSON object whose keys are kept exactly as sent (metadata). */
export const FreeFormObject = Type.Record(Type.String(), Type.Unknown(), { additionalProperties: true });
export type FreeFormObject = Static<typeof FreeFormObject>;

/**
 * Integer bounds. A JSON number is a double, so past 2^53 - 1 neighbouring integers read as
 * the same value, and `1e400` parses to Infinity, which ajv's `integer` type lets through, so
 * every integer carries a maximum. (Not ajv's `strictNumbers`: with query coercion it skips the
 * bounds for a non-finite value and lets Infinity through.) SQLite's INTEGER column holds
 * 2^63 - 1, more than any of these.
 */
export const MAX_WIRE_INTEGER = Number.MAX_SAFE_INTEGER;
/** The last instant a JavaScript Date can represent (ECMA-262 §21.4.1.22), in unix milliseconds. */
export const MAX_UNIX_MILLIS = 8_640_000_000_000_000;
/** `expires_in` seconds: now plus this is still a date (about 31,700 years). */
export const MAX_EXPIRES_IN_SECONDS = 1_000_000_000_000;

/** An integer from 0 to MAX_WIRE_INTEGER unless `options` narrows it; every integer a request carries is one. */
export function BoundedInteger(options: IntegerOptions = {}): TInteger {
  return Type.Integer({ minimum: 0, maximum: MAX_WIRE_INTEGER, ...options });
}
