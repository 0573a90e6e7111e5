import { randomUUID } from 'node:crypto';
import { constants, type ReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../ids.js';
import { detectImageFormat, IMAGE_FORMATS, isImageExtension, SIGNATURE_BYTES, type ImageFormat } from './detect.js';
import { imageErrors } from './errors.js';

/**
 * Uploaded images on local disk, one file per image, named by an opaque immutable key
 * (`img_<KSUID>.<ext>`). A save streams into a temporary file in the same directory and is
 * renamed into place only when complete, so a failed or oversized upload leaves nothing
 * behind and a reader never sees half a file. Keys are checked against a strict pattern
 * before any path is built, so no key can name a file outside the directory, and a file is
 * opened without following a symbolic link, so a link planted under a key's name is no image.
 *
 * The directory may be shared: two servers (one on a file, one on `:memory:`, or on two
 * database files) can point at the same one. An image file belongs to the database whose row
 * names its key, and nothing here can tell which database that is, so the store never deletes
 * an image because one database does not refer to it: images go only when the row that named
 * them is changed or deleted (ProfileImageService, reset, import --replace). The one thing
 * swept is a stale temporary upload (see removeStaleUploads). The cost: a process killed
 * between renaming an upload into place and committing its row leaves that one file behind.
 *
 * Modes: the directory is created 0750 and files are written 0640 (then narrowed by the
 * umask): images are public through their URLs, but other local users have no business in
 * the directory, and a half-written upload is 0600 until it is complete.
 */

export const IMAGE_KEY_PATTERN = /^img_[0-9A-Za-z]{27}\.(png|jpg|gif|webp)$/;

export function isImageKey(key: string): boolean {
  return IMAGE_KEY_PATTERN.test(key);
}

export interface StoredImage {
  key: string;
  format: ImageFormat;
  size: number;
}

export interface ImageStat {
  format: ImageFormat;
  size: number;
}

export interface OpenedImage extends ImageStat {
  stream: ReadStream;
}

export type ImageSource = Uint8Array | AsyncIterable<Uint8Array | string>;

export interface ImageStoreOptions {
  dir: string;
  maxBytes: number;
  /** The clock removeStaleUploads judges a temporary file's age by; Date.now by default. */
  now?: () => number;
}

/**
 * Temporary uploads start with a dot, which no key does, so they are never served. The name
 * carries the writer's process id (for whoever reads a directory listing) and a random part;
 * ownership is judged by the lease below, not by the name, because process ids mean nothing
 * across containers sharing a volume.
 */
const TEMP_PREFIX = '.upload-';
/** While an upload is open its writer touches the temporary file at least this often (every write does too). */
export const UPLOAD_LEASE_REFRESH_MS = 60_000;
/** A temporary file untouched for this long has no live writer: a process that is alive refreshes it 60 times in that span. */
export const STALE_UPLOAD_MS = 60 * UPLOAD_LEASE_REFRESH_MS;

const DIR_MODE = 0o750;
const FILE_MODE = 0o640;
const TEMP_MODE = 0o600;
/** No symbolic link is followed, and a FIFO planted under a key's name cannot block the open. */
const OPEN_IMAGE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function formatOf(key: string): ImageFormat {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  if (!isImageExtension(extension)) throw new Error(`not an image key: ${key}`);
  return IMAGE_FORMATS[extension];
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What opening a symbolic link with O_NOFOLLOW answers (ELOOP on Linux, EMLINK on some BSDs). */
function isSymlinkRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ELOOP' || code === 'EMLINK';
}

async function* chunksOf(source: ImageSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

export class ImageStore {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly now: () => number;

  constructor(options: ImageStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
    this.now = options.now ?? Date.now;
  }

  private pathOf(key: string): string | null {
    return isImageKey(key) ? path.join(this.dir, key) : null;
  }

  /**
   * Streams `source` to disk and returns its new key. Throws `form_param_missing` for an empty
   * file, `form_param_format_invalid` when the first bytes are not a PNG, JPEG, GIF or WebP
   * signature, and `request_body_too_large` as soon as more than `maxBytes` have arrived.
   * `beforePublish` runs with the key just before the file takes it; when it throws, nothing is kept.
   */
  async save(source: ImageSource, beforePublish?: (key: string) => Promise<void>): Promise<StoredImage> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomUUID()}`);
    const handle = await open(temp, 'wx', TEMP_MODE);
    let closed = false;
    // The lease: a client that pauses mid-upload must not make its file look abandoned.
    const lease = setInterval(() => {
      if (!closed) handle.utimes(new Date(), new Date()).catch(() => undefined);
    }, UPLOAD_LEASE_REFRESH_MS);
    lease.unref();
    try {
      let size = 0;
      let head = Buffer.alloc(0);
      let format: ImageFormat | null = null;
      for await (const chunk of chunksOf(source)) {
        size += chunk.length;
        if (size > this.maxBytes) throw imageErrors.tooLarge(this.maxBytes);
        if (format === null) {
          head = Buffer.concat([head, chunk]).subarray(0, SIGNATURE_BYTES);
          if (head.length >= SIGNATURE_BYTES) {
            format = detectImageFormat(head);
            // Refused at the first bytes: the rest of a non-image is never written.
            if (format === null) throw imageErrors.formatUnsupported();
          }
        }
        await writeFully(handle, chunk);
      }
      if (size === 0) throw imageErrors.fileMissing();
      // A file shorter than the longest signature is judged on what there is.
      format ??= detectImageFormat(head);
      if (format === null) throw imageErrors.formatUnsupported();

      await handle.chmod(FILE_MODE);
      await handle.sync();
      closed = true;
      await handle.close();
      const key = `${newId('img')}.${format.extension}`;
      // The caller records the key as its own before the file can be seen under it.
      await beforePublish?.(key);
      await rename(temp, path.join(this.dir, key));
      return { key, format, size };
    } catch (error) {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await unlink(temp).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(lease);
    }
  }

  /** The image's size and format, or null when there is no such image (or the key is not one). */
  async stat(key: string): Promise<ImageStat | null> {
    const file = this.pathOf(key);
    if (file === null) return null;
    try {
      // lstat: a symbolic link under a key's name is not an image.
      const stats = await lstat(file);
      return stats.isFile() ? { format: formatOf(key), size: stats.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** A read stream over the image, or null when there is no such image. The caller must consume or destroy it. */
  async open(key: string): Promise<OpenedImage | null> {
    const file = this.pathOf(key);
    if (file === null) return null;
    let handle: FileHandle;
    try {
      handle = await open(file, OPEN_IMAGE_FLAGS);
    } catch (error) {
      if (isMissing(error) || isSymlinkRefusal(error)) return null;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      return { format: formatOf(key), size: stats.size, stream: handle.createReadStream() };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Removes temporary uploads nobody is writing any more (their process died mid-upload) and
   * returns how many. Safe to run while other processes upload into the same directory: a live
   * writer touches its file at least every UPLOAD_LEASE_REFRESH_MS, and only files untouched for
   * STALE_UPLOAD_MS are removed. Image files are never touched here, referenced or not.
   */
  async removeStaleUploads(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    const cutoff = this.now() - STALE_UPLOAD_MS;
    let removed = 0;
    for (const name of names) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = path.join(this.dir, name);
      try {
        const stats = await lstat(file);
        if (!stats.isFile() || stats.mtimeMs > cutoff) continue;
        await unlink(file);
        removed += 1;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return removed;
  }

  /** Deletes the image; true when a file was removed. A missing file or a non-key is not an error. */
  async remove(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    if (file === null) return false;
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
