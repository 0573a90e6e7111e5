import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startBuiltServer, type BuiltServer } from '../support/built-server.js';
import { parseRawResponse } from '../support/raw-http.js';
import { TEST_SECRET_KEY, uniqueEmail } from '../support/server.js';

/**
 * CLERKD_REQUEST_TIMEOUT_MS, CLERKD_KEEP_ALIVE_TIMEOUT_MS and CLERKD_SHUTDOWN_TIMEOUT_MS: a
 * client cannot hold a socket, or the process, for longer than they say. Each wait below is
 * bounded by a guard far longer than the setting, so a pass never depends on the machine's speed.
 */

const SETTINGS = {
  CLERKD_DATABASE: ':memory:',
  CLERKD_SECRET_KEYS: TEST_SECRET_KEY,
  CLERKD_REQUEST_TIMEOUT_MS: '1000',
  CLERKD_HEADERS_TIMEOUT_MS: '1000',
  CLERKD_KEEP_ALIVE_TIMEOUT_MS: '300',
  CLERKD_SHUTDOWN_TIMEOUT_MS: '1500',
};

interface Trickle {
  socket: net.Socket;
  received: () => Buffer;
  closed: Promise<void>;
}

/** A client that sends headers announcing a body, then a byte now and then, never finishing. */
function trickle(server: BuiltServer, withKey: boolean): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      const auth = withKey ? `Authorization: Bearer ${TEST_SECRET_KEY}\r\n` : '';
      socket.write(`POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write(' ')), 100);
      socket.once('close', () => clearInterval(drip));
      resolve({ socket, received: () => Buffer.concat(chunks), closed });
    });
    socket.once('error', reject);
  });
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const guard = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

test('a client trickling its body gets 408 in Clerk shape and the socket is closed', async () => {
  const server = await startBuiltServer(SETTINGS);
  try {
    const client = await trickle(server, true);
    await within(client.closed, 15_000, 'the server closes the trickling connection');
    const response = parseRawResponse(client.received());
    assert.equal(response.status, 408);
    assert.equal((response.json as { errors: { code: string }[] }).errors[0]!.code, 'request_timeout');
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const server = await startBuiltServer(SETTINGS);
  try {
    const socket = net.connect(server.port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await within(closed, 15_000, 'the idle connection is closed');
    assert.match(data, /^HTTP\/1\.1 200/);
    assert.match(data, /keep-alive/i, 'the connection was kept alive after the answer');
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

test('SIGTERM lets a request in flight finish, and exits within the shutdown timeout however many sockets trickle', async () => {
  const server = await startBuiltServer(SETTINGS);
  try {
    // 400 sockets without a key, each sending a body a byte at a time.
    const trickles = await Promise.all(Array.from({ length: 400 }, () => trickle(server, false)));

    // A real request, half sent when the signal arrives. `Expect: 100-continue` makes the server
    // say when it has read the headers, so the signal cannot come before the request exists.
    const body = JSON.stringify({ email_address: [uniqueEmail('shutdown')] });
    const inFlight = net.connect(server.port, '127.0.0.1');
    const answer: Buffer[] = [];
    inFlight.on('data', (chunk: Buffer) => answer.push(chunk));
    inFlight.on('error', () => undefined);
    const answered = new Promise<void>((done) => inFlight.on('close', () => done()));
    await new Promise<void>((done) => inFlight.once('connect', () => done()));
    const continued = new Promise<void>((done) => inFlight.on('data', () => Buffer.concat(answer).includes('100 Continue') && done()));
    inFlight.write(`POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_SECRET_KEY}\r\nContent-Type: application/json\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    await within(continued, 10_000, 'the server reads the headers');
    inFlight.write(body.slice(0, 10));

    server.child.kill('SIGTERM');
    inFlight.write(body.slice(10));
    await within(answered, 10_000, 'the request in flight is answered');
    const final = Buffer.concat(answer).toString('latin1').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
    assert.equal(parseRawResponse(Buffer.from(final, 'latin1')).status, 200, 'the request in flight finished');

    const code = await within(server.exited, 1500 + 8000, 'the process exits');
    assert.equal(code, 0);
    for (const client of trickles) client.socket.destroy();
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
});
