import { Writable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import pino from 'pino';
import type { LogFormat } from './config.js';

/**
 * The process log. One line per request (method, route pattern, status, Clerk error code,
 * duration) — never the URL's values, so email addresses in filters stay out of the log —
 * and start-up lines. JSON for log collectors; readable lines when stdout is a terminal
 * (CLERKD_LOG_FORMAT=auto) or when asked (pretty). Secrets are redacted whatever is logged.
 */

/** Log redaction: secrets never reach the log, whatever a route logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.password_digest',
  '*.totp_secret',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.token_secret',
  '*.client_secret',
  '*.backup_codes',
];

export function loggerOptions(level: string): pino.LoggerOptions {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields a pretty line leaves out: pino's envelope, and what the request line already says. */
const ENVELOPE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);
/** What a request line's message already says. */
const REQUEST_LINE_FIELDS = new Set(['method', 'route', 'status', 'code', 'ms']);

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  return date.toISOString().slice(11, 23);
}

function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One JSON log record as a readable line: `12:00:01.234 INFO  GET /v1/users/:user_id 404 resource_not_found 1.2 ms`. */
export function prettyLine(record: Record<string, unknown>): string {
  const level = (LEVEL_NAMES[record.level as number] ?? String(record.level)).padEnd(5);
  const extras = Object.entries(record)
    .filter(([key, value]) => !ENVELOPE.has(key) && value !== undefined && !('route' in record && REQUEST_LINE_FIELDS.has(key)))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return `${clock(record.time)} ${level} ${String(record.msg ?? '')}${extras.length > 0 ? `  ${extras.join(' ')}` : ''}\n`;
}

function prettyStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          out.write(prettyLine(JSON.parse(line) as Record<string, unknown>));
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

export function usePrettyLog(format: LogFormat, stdoutIsTerminal: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTerminal);
}

export function createLogger(level: string, format: LogFormat, out: NodeJS.WriteStream = process.stdout): pino.Logger {
  if (!usePrettyLog(format, out.isTTY === true)) return pino(loggerOptions(level), out === process.stdout ? pino.destination({ fd: 1, sync: true }) : out);
  return pino(loggerOptions(level), prettyStream(out));
}

/** The Clerk error code a request was answered with, set where error bodies are written. */
const errorCodes = new WeakMap<FastifyRequest, string>();

export function noteErrorCode(request: FastifyRequest, code: string): void {
  errorCodes.set(request, code);
}

/** The query's parameter names, without their values (values can be email addresses). */
function queryNames(url: string): string[] | undefined {
  const question = url.indexOf('?');
  if (question < 0) return undefined;
  const names = new Set<string>();
  for (const name of new URLSearchParams(url.slice(question + 1)).keys()) names.add(name);
  return names.size > 0 ? [...names] : undefined;
}

/**
 * One line per answered request. The route is the pattern (`/v1/users/:user_id`), so ids and
 * identifiers never reach the log; unmatched paths are logged as `(no route)`.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(no route)';
    const status = reply.statusCode;
    const code = errorCodes.get(request);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const line = `${request.method} ${route} ${status}${code ? ` ${code}` : ''} ${ms} ms`;
    const details = { method: request.method, route, status, code, ms, query: queryNames(request.url) };
    if (status >= 500) request.log.error(details, line);
    else request.log.info(details, line);
  });
}
