import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectImageFormat } from '../../src/images/detect.js';
import { ALL_FORMATS } from '../support/images.js';

for (const image of ALL_FORMATS) {
  test(`a real ${image.name} file is recognised as ${image.contentType} by its first bytes`, () => {
    assert.deepEqual(detectImageFormat(image.bytes), { contentType: image.contentType, extension: image.extension });
  });
}

test('text, SVG, an empty buffer and truncated signatures are not images', () => {
  for (const bytes of [
    Buffer.from('definitely not an image, even if named avatar.png'),
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    Buffer.alloc(0),
    Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    Buffer.from('GIF8'),
    Buffer.from([0xff, 0xd8]),
  ]) {
    assert.equal(detectImageFormat(bytes), null, bytes.toString('hex'));
  }
});

test('a RIFF container that is not WEBP (a WAV file) is not an image', () => {
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WAVEfmt ')]);
  assert.equal(detectImageFormat(wav), null);
});

test('GIF versions other than 87a and 89a are refused', () => {
  assert.equal(detectImageFormat(Buffer.from('GIF88a\x01\x00\x01\x00\x00\x00')), null);
});
