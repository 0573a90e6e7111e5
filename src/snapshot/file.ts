import { readFile } from 'node:fs/promises';
import secureJson from 'secure-json-parse';
import { jsonDepth, MAX_JSON_DEPTH } from '../http/json-body.js';
import { SnapshotFileError } from './errors.js';

/**
 * Reading a snapshot (or seed, or migration-tool) file: a missing or unreadable file and
 * text that is not JSON each get one clear line. Prototype-poisoning keys are refused, as in
 * request bodies.
 */

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** A snapshot nests a few levels above the metadata it holds, which requests limit to MAX_JSON_DEPTH. */
export const MAX_SNAPSHOT_DEPTH = MAX_JSON_DEPTH + 8;

export function parseSnapshotText(text: string, name: string): unknown {
  // Checked before parsing: a document nested 100,000 deep would overflow the stack later.
  if (jsonDepth(text) > MAX_SNAPSHOT_DEPTH) throw new SnapshotFileError(`${name} nests JSON deeper than ${MAX_SNAPSHOT_DEPTH} levels, which no snapshot does`);
  try {
    return secureJson.parse(text.replace(/^\uFEFF/, ''), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    throw new SnapshotFileError(`${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function readSnapshotFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SnapshotFileError(`cannot read ${file}: ${reason(error)}`);
  }
  return parseSnapshotText(text, file);
}
