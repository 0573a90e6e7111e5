import net from 'node:net';

/**
 * HTTP/1.1 over a bare socket, for requests fetch refuses to send: bytes that are not UTF-8
 * in the path or body, duplicated headers, a Content-Length that lies, an unencoded `..`.
 * One request per connection (`Connection: close`); the answer is read to the end.
 */

export interface RawResponse {
  status: number;
  /** Lowercased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface RawRequest {
  method: string;
  /** The request target exactly as written on the request line (bytes, not re-encoded). */
  target: string | Buffer;
  /** Header lines in order; a name may repeat. */
  headers?: [string, string][];
  body?: Buffer | string;
  /** Leave out the Content-Length header that would otherwise describe `body`. */
  omitContentLength?: boolean;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseRawResponse(data: Buffer): RawResponse {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no complete HTTP response: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = data.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = data.subarray(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, body, text, json };
}

export async function rawRequest(baseUrl: string, request: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const head: Buffer[] = [Buffer.from(`${request.method} `, 'latin1'), Buffer.isBuffer(request.target) ? request.target : Buffer.from(request.target, 'latin1')];
  head.push(Buffer.from(` HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n`, 'latin1'));
  for (const [name, value] of request.headers ?? []) head.push(Buffer.from(`${name}: ${value}\r\n`, 'utf8'));
  if (body !== undefined && !request.omitContentLength) head.push(Buffer.from(`Content-Length: ${body.length}\r\n`, 'latin1'));
  head.push(Buffer.from('\r\n', 'latin1'));

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms to ${request.method} ${String(request.target).slice(0, 100)}`)), timeoutMs);
    socket.on('connect', () => {
      socket.write(Buffer.concat(head));
      // The server may answer (413, 415) and close before reading all of a large body.
      if (body !== undefined) socket.write(body, () => undefined);
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // A reset after the answer arrived (the server stopped reading an oversized body) still counts as the answer.
    socket.on('error', (error) => {
      clearTimeout(timer);
      const data = Buffer.concat(received);
      if (data.includes('\r\n\r\n')) resolve(parseRawResponse(data));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const data = Buffer.concat(received);
      try {
        resolve(parseRawResponse(data));
      } catch (error) {
        reject(error);
      }
    });
  });
}
