import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { imageErrors } from './errors.js';

/**
 * Reading the image out of a `multipart/form-data` upload, straight from busboy.
 *
 * The form holds one file part named `file` (what @clerk/backend sends) and maybe some text
 * fields, which are ignored. Busboy is given limits and keeps them quietly: past
 * `MAX_TEXT_FIELDS` text fields it skips the rest unread, a second file is skipped, and a
 * file over `maxBytes` is cut short and flagged `truncated` (refused here with a 413).
 *
 * Why not @fastify/multipart's `request.parts()`: it turns busboy's "fields limit reached"
 * into an error queued on the next tick, in front of whatever part busboy emits after it.
 * So an upload with many text fields before the file got 200 when the file's headers came
 * in the same socket read as the field that hit the limit, and 400 when they came in a
 * later one: the same bytes, two answers, decided by TCP segmentation.
 */

const FILE_FIELD = 'file';
/** Text fields past this many are skipped unread: memory stays bounded however many arrive. */
const MAX_TEXT_FIELDS = 16;
const MAX_TEXT_FIELD_BYTES = 16 * 1024;

/** Malformed multipart (a missing boundary, a part or body cut short), as busboy and dicer word it. */
function isMalformed(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /multipart|boundary|terminated early|unexpected end/i.test(message);
}

const formUnreadable = () => imageErrors.multipartInvalid('the multipart form could not be read');

type FileStream = Readable & { truncated?: boolean };

/**
 * The file part's bytes; an oversized file fails at the chunk that crosses the limit, so the
 * store deletes what it wrote. Stopping early leaves the stream open, so the rest of the part
 * can still be drained through the parser.
 */
async function* refusingTruncation(file: FileStream, maxBytes: number): AsyncIterable<Buffer> {
  try {
    for await (const chunk of file.iterator({ destroyOnReturn: false })) {
      if (file.truncated) throw imageErrors.tooLarge(maxBytes);
      yield chunk as Buffer;
    }
  } catch (error) {
    throw isMalformed(error) ? formUnreadable() : error;
  }
  if (file.truncated) throw imageErrors.tooLarge(maxBytes);
}

function isUnexpectedEnd(error: unknown): boolean {
  return /unexpected end/i.test(String((error as Error | null)?.message));
}

/**
 * Parses the multipart body of `raw` and hands the `file` part's bytes to `consume`, returning
 * what it returns. Throws `form_param_missing` when the form's first file part is missing or
 * not named `file`, `request_body_invalid` for a malformed body, `request_body_too_large` for a
 * file over `maxBytes`, or what `consume` throws.
 *
 * When `consume` fails, the rest of the form is still parsed before answering, so a body that
 * is malformed answers `request_body_invalid` whatever else is wrong with it (not sometimes a
 * 422 for its first bytes, depending on when the rest arrives). Either way the whole body is
 * read, so the client can finish sending and read the answer (an early 404 or 413 must not
 * reset the connection).
 */
export async function consumeUploadedFile<T>(raw: IncomingMessage, maxBytes: number, consume: (file: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
  let parser: InstanceType<typeof Busboy>;
  try {
    parser = new Busboy({
      headers: raw.headers as { 'content-type': string },
      limits: { fileSize: maxBytes, files: 1, fields: MAX_TEXT_FIELDS, fieldSize: MAX_TEXT_FIELD_BYTES },
    });
  } catch (error) {
    raw.resume();
    throw isMalformed(error) ? formUnreadable() : error;
  }

  let file: FileStream | undefined;
  let sawData = false;
  const onFirstData = () => {
    sawData = true;
  };
  let settle: (wellFormed: boolean) => void = () => {};
  /** Resolves once the whole form is parsed: true when it was well formed (an empty body is an empty form). */
  const formEnded = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  /** The `file` part, or null when the form has no file or its first file is named otherwise. */
  const found = new Promise<FileStream | null>((resolve) => {
    parser.on('file', (fieldname: string, stream: FileStream) => {
      // A part cut short emits an error on its stream, perhaps after the consumer stopped reading.
      stream.on('error', () => undefined);
      if (fieldname !== FILE_FIELD) {
        stream.resume();
        resolve(null);
        return;
      }
      file = stream;
      resolve(stream);
    });
    void formEnded.then(() => resolve(null));
  });
  parser.on('finish', () => settle(true));
  parser.on('error', (error: unknown) => {
    file?.destroy(formUnreadable());
    settle(!sawData && isUnexpectedEnd(error));
  });
  // A client that goes away mid-body: busboy is never ended, so end the waits (and the file) here.
  const onClose = () => {
    if (raw.complete) return;
    file?.destroy(formUnreadable());
    settle(false);
  };
  raw.once('data', onFirstData);
  raw.on('close', onClose);
  raw.pipe(parser);

  try {
    const stream = await found;
    if (stream === null) {
      if (!(await formEnded)) throw formUnreadable();
      throw imageErrors.fileMissing();
    }
    try {
      return await consume(refusingTruncation(stream, maxBytes));
    } catch (error) {
      if (!stream.destroyed) stream.resume();
      if (!(await formEnded)) throw formUnreadable();
      throw error;
    }
  } finally {
    raw.off('close', onClose);
    raw.off('data', onFirstData);
    raw.unpipe(parser);
    raw.resume();
  }
}
