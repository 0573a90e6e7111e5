import { randomUUID } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../ids.js';
import { detectImageFormat, IMAGE_FORMATS, isImageExtension, SIGNATURE_BYTES, type ImageFormat } from './detect.js';
import { imageErrors } from './errors.js';

/**
 * Uploaded images on local disk, one file per image, named by an opaque immutable key
 * (`img_<KSUID>.<ext>`). A save streams into a temporary file in the same directory and is
 * renamed into place only when complete, so a failed or oversized upload leaves nothing
 * behind and a reader never sees half a file. Keys are checked against a strict pattern
 * before any path is built, so no key can name a file outside the directory.
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
}

/** Temporary uploads start with a dot, which no key does, so they are never served. */
const TEMP_PREFIX = '.upload-';

function formatOf(key: string): ImageFormat {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  if (!isImageExtension(extension)) throw new Error(`not an image key: ${key}`);
  return IMAGE_FORMATS[extension];
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
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

  constructor(options: ImageStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
  }

  private pathOf(key: string): string | null {
    return isImageKey(key) ? path.join(this.dir, key) : null;
  }

  /**
   * Streams `source` to disk and returns its new key. Throws `form_param_missing` for an empty
   * file, `form_param_format_invalid` when the first bytes are not a PNG, JPEG, GIF or WebP
   * signature, and `request_body_too_large` as soon as more than `maxBytes` have arrived.
   */
  async save(source: ImageSource): Promise<StoredImage> {
    await mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
    const handle = await open(temp, 'wx', 0o644);
    let closed = false;
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

      await handle.sync();
      await handle.close();
      closed = true;
      const key = `${newId('img')}.${format.extension}`;
      await rename(temp, path.join(this.dir, key));
      return { key, format, size };
    } catch (error) {
      if (!closed) await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** The image's size and format, or null when there is no such image (or the key is not one). */
  async stat(key: string): Promise<ImageStat | null> {
    const file = this.pathOf(key);
    if (file === null) return null;
    try {
      const stats = await stat(file);
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
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
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
   * Removes what a crash can leave behind: half-written uploads, and stored images that no
   * committed row refers to (written, but the process died before its transaction committed).
   * Run at start, before any upload can be in flight.
   */
  async removeOrphans(referenced: Set<string>): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    const orphans = names.filter((name) => name.startsWith(TEMP_PREFIX) || (isImageKey(name) && !referenced.has(name)));
    await Promise.all(orphans.map((name) => unlink(path.join(this.dir, name)).catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)))));
    return orphans.length;
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
