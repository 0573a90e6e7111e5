import { errors } from '../errors.js';

/**
 * User metadata: free-form JSON objects whose keys are kept exactly as sent. Each of the
 * three is limited to 8 KB serialized, as Clerk limits it.
 */
export type Metadata = Record<string, unknown>;

export const METADATA_FIELDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

export const METADATA_MAX_BYTES = 8 * 1024;

function isPlainObject(value: unknown): value is Metadata {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * PATCH semantics: objects merge key by key at every depth, `null` deletes a key, and
 * anything else (arrays, scalars, an object replacing a non-object) replaces the old value.
 */
export function deepMergeMetadata(current: Metadata, patch: Metadata): Metadata {
  const merged: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isPlainObject(value)) {
      const base = merged[key];
      merged[key] = deepMergeMetadata(isPlainObject(base) ? base : {}, value);
    } else merged[key] = value;
  }
  return merged;
}

/** The stored form of a metadata object, refused when it is over the size limit. */
export function serializeMetadata(field: MetadataField, value: Metadata | null): string {
  const json = JSON.stringify(value ?? {});
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > METADATA_MAX_BYTES) throw errors.metadataTooLarge(field, METADATA_MAX_BYTES, bytes);
  return json;
}

export function parseMetadata(json: string): Metadata {
  const value: unknown = JSON.parse(json);
  return isPlainObject(value) ? value : {};
}

/**
 * For serializers: stored text that is not JSON (damaged by hand, say) reads as `{}` rather
 * than failing every read of its row. Writes and exports keep parseMetadata, which refuses it.
 */
export function metadataOrEmpty(json: string): Metadata {
  try {
    return parseMetadata(json);
  } catch {
    return {};
  }
}

export const METADATA_COLUMNS = {
  public_metadata: 'publicMetadata',
  private_metadata: 'privateMetadata',
  unsafe_metadata: 'unsafeMetadata',
} as const satisfies Record<MetadataField, string>;
