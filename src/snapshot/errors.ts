/**
 * Why a snapshot was refused: the record and field (`users[12].email_addresses[0].email_address`)
 * and what is wrong with it. Nothing has been written when this is thrown.
 */
export class SnapshotError extends Error {
  constructor(
    /** JavaScript-style path into the document; empty for the document as a whole. */
    readonly path: string,
    readonly detail: string,
  ) {
    super(path === '' ? detail : `${path}: ${detail}`);
    this.name = 'SnapshotError';
  }
}

/** A snapshot or seed file that cannot be read or is not JSON. */
export class SnapshotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

/** `/users/12/email_addresses/0` (a JSON pointer, as ajv reports it) → `users[12].email_addresses[0]`. */
export function pathFromPointer(pointer: string, root = ''): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) path += path === '' ? part : `.${part}`;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}
