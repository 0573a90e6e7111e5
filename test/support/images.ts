/**
 * Tiny real images (1×1, colour #6c47ff) for upload tests, pasted as base64 so the tests need
 * no image tools at run time. Produced with ImageMagick 6.9.11-60 (Debian 12 `imagemagick`):
 *
 *   convert -size 1x1 xc:'#6c47ff' -strip png:one.png
 *   convert -size 1x1 xc:'#6c47ff' -strip -quality 90 jpg:one.jpg
 *   convert -size 1x1 xc:'#6c47ff' -strip gif:one.gif          (GIF89a)
 *   convert -size 1x1 xc:'#6c47ff' -strip gif87:old.gif        (GIF87a)
 *   convert -size 1x1 xc:'#6c47ff' -strip -define webp:lossless=true webp:one.webp
 *   convert -size 2x2 xc:'#00aa55' -strip png:two.png
 *
 * and checked with `file` and `identify` (e.g. "PNG image data, 1 x 1", "RIFF … Web/P image").
 */
export interface ImageFixture {
  name: string;
  bytes: Buffer;
  contentType: string;
  extension: string;
}

function fixture(name: string, base64: string, contentType: string, extension: string): ImageFixture {
  return { name, bytes: Buffer.from(base64, 'base64'), contentType, extension };
}

export const PNG = fixture('PNG', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABAQMAAAAl21bKAAAAA1BMVEVsR/90jTnRAAAACklEQVQI12NgAAAAAgAB4iG8MwAAAABJRU5ErkJggg==', 'image/png', 'png');

export const PNG_2X2 = fixture('PNG 2x2', 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACAQMAAABIeJ9nAAAAA1BMVEUAqlXok8zCAAAADElEQVQI12NgYGAAAAAEAAEnNCcKAAAAAElFTkSuQmCC', 'image/png', 'png');

export const JPEG = fixture(
  'JPEG',
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAABAAEDAREAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAB//EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAECP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/ADxcpb//2Q==',
  'image/jpeg',
  'jpg',
);

export const GIF = fixture('GIF89a', 'R0lGODlhAQABAPAAAGxH/wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==', 'image/gif', 'gif');

export const GIF87 = fixture('GIF87a', 'R0lGODdhAQABAPAAAGxH/wAAACwAAAAAAQABAAACAkQBADs=', 'image/gif', 'gif');

export const WEBP = fixture('WebP', 'UklGRh4AAABXRUJQVlA4TBEAAAAvAAAAAAfQo7L1v/+BiOh/AAA=', 'image/webp', 'webp');

export const ALL_FORMATS: ImageFixture[] = [PNG, JPEG, GIF, GIF87, WEBP];

/** A valid image signature followed by padding, `size` bytes in all (the server reads signatures only). */
export function paddedImage(size: number, image: ImageFixture = PNG): Buffer {
  const out = Buffer.alloc(size);
  image.bytes.copy(out, 0, 0, Math.min(size, image.bytes.length));
  return out;
}
