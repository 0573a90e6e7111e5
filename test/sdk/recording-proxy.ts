import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A transparent HTTP proxy in front of a test server that records every exchange.
 *
 * The SDK keeps the raw JSON only for some resources (`user.raw`); a DeletedObject, a
 * count or an error body is turned into something else. Pointing a second SDK client at
 * this proxy lets a test see exactly what the SDK sent and what the server answered,
 * byte for byte, without touching the SDK or the server.
 */
export interface Exchange {
  method: string;
  /** Path without the query string, e.g. `/v1/users/count`. */
  path: string;
  query: URLSearchParams;
  requestHeaders: IncomingHttpHeaders;
  /** Raw request body ('' when none was sent). */
  requestBody: string;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  /** Raw response body. */
  responseBody: string;
  /** The response body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface RecordingProxy {
  baseUrl: string;
  /** Runs `work` and returns its result with the exchanges made while it ran, in completion order. */
  record<T>(work: () => Promise<T>): Promise<{ result: T; exchanges: Exchange[] }>;
  /** Like `record`, for work expected to reject: returns the rejection instead of throwing it. */
  recordFailure(work: () => Promise<unknown>): Promise<{ error: unknown; exchanges: Exchange[] }>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startRecordingProxy(targetBaseUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetBaseUrl);
  const exchanges: Exchange[] = [];

  const server = createServer((req, res) => {
    const requestChunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => requestChunks.push(chunk));
    req.on('end', () => {
      const requestBody = Buffer.concat(requestChunks);
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          const responseChunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => responseChunks.push(chunk));
          upstreamRes.on('end', () => {
            const responseBody = Buffer.concat(responseChunks);
            const url = new URL(req.url ?? '/', target);
            const text = responseBody.toString('utf8');
            exchanges.push({
              method: req.method ?? '',
              path: url.pathname,
              query: url.searchParams,
              requestHeaders: req.headers,
              requestBody: requestBody.toString('utf8'),
              status: upstreamRes.statusCode ?? 0,
              responseHeaders: upstreamRes.headers,
              responseBody: text,
              json: parseJson(text),
            });
            const headers: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(upstreamRes.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
            }
            headers['content-length'] = String(responseBody.length);
            res.writeHead(upstreamRes.statusCode ?? 502, headers);
            res.end(responseBody);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording proxy: ${error.message}`);
      });
      upstream.end(requestBody);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  async function record<T>(work: () => Promise<T>): Promise<{ result: T; exchanges: Exchange[] }> {
    const start = exchanges.length;
    const result = await work();
    return { result, exchanges: exchanges.slice(start) };
  }

  async function recordFailure(work: () => Promise<unknown>): Promise<{ error: unknown; exchanges: Exchange[] }> {
    const start = exchanges.length;
    try {
      await work();
    } catch (error) {
      return { error, exchanges: exchanges.slice(start) };
    }
    throw new Error('expected the SDK call to reject, but it resolved');
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    record,
    recordFailure,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
