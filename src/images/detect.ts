/**
 * What kind of image a file is, read from its first bytes only. The declared part
 * Content-Type and the filename are never trusted: @clerk/backend names every Blob upload
 * `blob`, and a client can label anything `image/png`.
 */

export type ImageExtension = 'png' | 'jpg' | 'gif' | 'webp';

export interface ImageFormat {
  contentType: string;
  extension: ImageExtension;
}

/** Enough leading bytes to tell every supported format apart (WebP needs 12). */
export const SIGNATURE_BYTES = 12;

export const IMAGE_FORMATS: Record<ImageExtension, ImageFormat> = {
  png: { contentType: 'image/png', extension: 'png' },
  jpg: { contentType: 'image/jpeg', extension: 'jpg' },
  gif: { contentType: 'image/gif', extension: 'gif' },
  webp: { contentType: 'image/webp', extension: 'webp' },
};

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89PNG\r\n\x1a\n
const JPEG = [0xff, 0xd8, 0xff]; // SOI marker, then the first segment's marker
const GIF87A = [0x47, 0x49, 0x46, 0x38, 0x37, 0x61]; // GIF87a
const GIF89A = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]; // GIF89a
const RIFF = [0x52, 0x49, 0x46, 0x46]; // RIFF, then a 4-byte little-endian size
const WEBP = [0x57, 0x45, 0x42, 0x50]; // WEBP at offset 8

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

/** The image format whose signature `head` starts with, or null (too short, or not an image we take). */
export function detectImageFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, PNG)) return IMAGE_FORMATS.png;
  if (startsWith(head, JPEG)) return IMAGE_FORMATS.jpg;
  if (startsWith(head, GIF87A) || startsWith(head, GIF89A)) return IMAGE_FORMATS.gif;
  if (startsWith(head, RIFF) && startsWith(head, WEBP, 8)) return IMAGE_FORMATS.webp;
  return null;
}

export function isImageExtension(value: string): value is ImageExtension {
  return Object.hasOwn(IMAGE_FORMATS, value);
}
