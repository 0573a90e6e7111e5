import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loggerOptions } from '../../src/logging.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';

/**
 * A real clerkd listening on an ephemeral loopback port with its own in-memory database,
 * built exactly as main.ts builds it. Argon2 runs with small parameters so tests stay fast.
 * Uploaded images go to a fresh temporary directory (removed on close) unless the test
 * passes its own CLERKD_IMAGES_DIR.
 */
export interface TestServer {
  baseUrl: string;
  secretKey: string;
  config: Config;
  app: FastifyInstance;
  db: Db;
  close(): Promise<void>;
}

export const TEST_SECRET_KEY = 'sk_test_clerkd_suite_key';

export interface TestServerOptions {
  /** Receives every log line at trace level, through the production logger settings (redaction included). */
  logStream?: Writable;
}

export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // Only named here: the store creates it on the first upload, so a server that fails to start leaves nothing.
  const ownImagesDir = env.CLERKD_IMAGES_DIR === undefined ? path.join(os.tmpdir(), `clerkd-images-${randomUUID()}`) : undefined;
  const config = loadConfig({
    CLERKD_DATABASE: ':memory:',
    CLERKD_SECRET_KEYS: TEST_SECRET_KEY,
    CLERKD_ARGON2_MEMORY_KIB: '1024',
    CLERKD_ARGON2_TIME_COST: '1',
    CLERKD_PUBLIC_URL: 'http://127.0.0.1:1',
    PORT: '0',
    ...(ownImagesDir === undefined ? {} : { CLERKD_IMAGES_DIR: ownImagesDir }),
    ...env,
  });
  const database = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  const logger = options.logStream ? pino(loggerOptions('trace'), options.logStream) : false;
  const app = await buildApp({ config, db: database.db, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    secretKey: config.secretKeys[0]!,
    config,
    app,
    db: database.db,
    close: async () => {
      await app.close();
      database.close();
      if (ownImagesDir !== undefined) fs.rmSync(ownImagesDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  text: string;
}

export interface ApiRequest {
  body?: unknown;
  /** Sent as is, bypassing JSON encoding. */
  rawBody?: string;
  /** A multipart body; fetch sets its Content-Type with the boundary. */
  formData?: FormData;
  headers?: Record<string, string>;
  /** Omit the Authorization header. */
  anonymous?: boolean;
}

/** Raw HTTP against the server, for what the SDK cannot express (bad keys, bad bodies). */
/** Where `api` sends requests: an in-process test server, or a spawned one. */
export type ApiTarget = Pick<TestServer, 'baseUrl' | 'secretKey'>;

export async function api(server: ApiTarget, method: string, path: string, options: ApiRequest = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(options.anonymous ? {} : { authorization: `Bearer ${server.secretKey}` }) };
  let body: string | FormData | undefined;
  if (options.formData !== undefined) body = options.formData;
  else if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

let counter = 0;
/** Unique identifiers per call, so tests sharing a server never collide. */
export function unique(label = 'u'): string {
  counter += 1;
  return `${label}${process.pid}${Date.now().toString(36)}${counter}`;
}

export function uniqueEmail(label = 'e'): string {
  return `${unique(label)}@example.com`;
}

let phoneCounter = 0;
/** A fresh E.164 number: the process id and a counter keep it unique within a test run. */
export function uniquePhone(): string {
  phoneCounter += 1;
  return `+1555${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

export function uniqueWallet(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}
