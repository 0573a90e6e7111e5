import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { assertClerkErrorBody, errorCode } from '../support/clerk-errors.js';
import { parseRawResponse, type RawResponse } from '../support/raw-http.js';
import { api, startTestServer, unique, type TestServer } from '../support/server.js';

/**
 * A client that sends a body over CLERKD_BODY_LIMIT_BYTES gets to finish sending it (up to
 * 10 MB) and then reads a complete 413 `request_body_too_large` in Clerk's shape, whether it
 * framed the body with Content-Length or chunked. Before, Fastify answered and the socket was
 * closed with the body still arriving: the client's write failed (EPIPE / ECONNRESET) and the
 * answer was often lost with it.
 */

let server: TestServer;
let userId: string;
before(async () => {
  server = await startTestServer();
  const created = await api(server, 'POST', '/v1/users', { body: { username: unique('big') } });
  assert.equal(created.status, 200, created.text);
  userId = (created.body as { id: string }).id;
});
after(async () => {
  await server.close();
});

/** About `bytes` of JSON whose one string is all three-byte characters (U+20AC). */
function multiByteMetadata(bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ public_metadata: { note: '\u20ac'.repeat(Math.floor(bytes / 3)) } }), 'utf8');
}

interface Exchange {
  /** The client wrote every byte of the request without an error. */
  sentAll: boolean;
  writeError: string | undefined;
  response: RawResponse | undefined;
  /** The bytes that arrived, when they were not a complete response. */
  received: string;
}

/**
 * Writes the whole request (headers, then the body in 64 KiB pieces a millisecond apart, as
 * over a real link: on loopback the kernel's buffers would otherwise swallow megabytes at
 * once and hide an early close), then reads until the server closes. The response must be complete: its
 * Content-Length bytes all arrived.
 */
function sendWhole(method: string, target: string, body: Buffer, framing: 'content-length' | 'chunked'): Promise<Exchange> {
  const { hostname, port } = new URL(server.baseUrl);
  const head = [
    `${method} ${target} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    `Authorization: Bearer ${server.secretKey}`,
    'Content-Type: application/json',
    framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    let writeError: string | undefined;
    let sentAll = false;
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 30 s')), 30_000);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      writeError ??= error.code ?? error.message;
    });
    let writerDone: () => void = () => undefined;
    const writing = new Promise<void>((done) => (writerDone = done));
    // The last write's callback can come after the server's close: wait for it before judging.
    socket.on('close', async () => {
      await writing;
      clearTimeout(timer);
      const data = Buffer.concat(received);
      let response: RawResponse | undefined;
      try {
        response = parseRawResponse(data);
        if (response.body.length !== Number(response.headers['content-length'])) response = undefined;
      } catch {
        response = undefined;
      }
      resolve({ sentAll, writeError, response, received: data.toString('latin1').slice(0, 300) });
    });
    const write = (piece: Buffer | string) =>
      new Promise<boolean>((done) => {
        if (socket.destroyed) return done(false);
        socket.write(piece, (error) => done(!error));
      });
    const sendRequest = async () => {
      if (!(await write(head))) return;
      const PIECE = 64 * 1024;
      for (let offset = 0; offset < body.length; offset += PIECE) {
        const piece = body.subarray(offset, offset + PIECE);
        const framed = framing === 'chunked' ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
        if (!(await write(framed))) return;
        await delay(1);
      }
      if (framing === 'chunked' && !(await write('0\r\n\r\n'))) return;
      sentAll = true;
    };
    socket.on('connect', () => void sendRequest().finally(writerDone));
    socket.on('error', () => writerDone());
  });
}

function assertTooLarge(exchange: Exchange): void {
  const context = JSON.stringify({ sentAll: exchange.sentAll, writeError: exchange.writeError, received: exchange.received });
  assert.equal(exchange.writeError, undefined, `the client could not finish sending: ${context}`);
  assert.ok(exchange.sentAll, `the body was not all sent: ${context}`);
  assert.ok(exchange.response, `no complete response: ${context}`);
  assert.equal(exchange.response.status, 413, exchange.response.text);
  assert.equal(exchange.response.headers['content-type'], 'application/json');
  assertClerkErrorBody(exchange.response.json, 'oversized body');
  assert.equal(errorCode(exchange.response.json), 'request_body_too_large');
}

async function assertStillServes(): Promise<void> {
  const response = await api(server, 'GET', `/v1/users/${userId}`);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual((response.body as { public_metadata: unknown }).public_metadata, {});
}

describe('a body over the limit is read to the end and answered 413', () => {
  const body = multiByteMetadata(3 * 1024 * 1024);

  test('a 3 MB multi-byte PUT /metadata with Content-Length is sent whole and answered with a complete 413, and the server serves the next request', async () => {
    assert.ok(body.length > server.config.bodyLimitBytes * 2);
    assertTooLarge(await sendWhole('PUT', `/v1/users/${userId}/metadata`, body, 'content-length'));
    await assertStillServes();
  });

  test('the same body sent chunked is sent whole and answered with a complete 413, and the server serves the next request', async () => {
    assertTooLarge(await sendWhole('PUT', `/v1/users/${userId}/metadata`, body, 'chunked'));
    await assertStillServes();
  });

  test('a 10 MB body (Content-Length) on POST /v1/users is sent whole and answered with a complete 413', async () => {
    const tenMegabytes = multiByteMetadata(10 * 1000 * 1000);
    assertTooLarge(await sendWhole('POST', '/v1/users', tenMegabytes, 'content-length'));
    await assertStillServes();
  });

  test('a body far past the drain allowance is cut off, and the server still serves the next request', async () => {
    const huge = multiByteMetadata(40 * 1024 * 1024);
    const exchange = await sendWhole('PUT', `/v1/users/${userId}/metadata`, huge, 'content-length');
    // Closing is allowed here; if an answer arrived it is the 413.
    if (exchange.response) assert.equal(exchange.response.status, 413);
    await assertStillServes();
  });
});
