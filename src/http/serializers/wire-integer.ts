/**
 * What a stored number may become on the wire. The response serializer (fast-json-stringify)
 * throws on an integer field holding Infinity, NaN or text, and it runs after the write
 * committed, so a serializer hands it only safe integers: a stored value that is anything
 * else (a REAL `inf` or 1e20 in an INTEGER column, text, a blob, 2^53 + 1) reads as null,
 * or as `fallback` where the field is not nullable. Reading a row never fails on its numbers.
 */
export function wireIntegerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

export function wireInteger(value: unknown, fallback = 0): number {
  return wireIntegerOrNull(value) ?? fallback;
}
