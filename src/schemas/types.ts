import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

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
