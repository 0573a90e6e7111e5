import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OAuth 2.0 token endpoint (RFC 6749 §6, refresh-token grant only) on 127.0.0.1:0,
 * for tests of clerkd's refresh. It authenticates the client the way it is told to
 * (client_secret_basic or client_secret_post), accepts only refresh tokens it has issued,
 * revokes a refresh token once it rotates it, and records every request. A test can hold
 * replies back, make them fail, or make the endpoint hang.
 */

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface TokenEndpointClient {
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
}

/** One request as the endpoint saw it. */
export interface TokenRequest {
  method: string;
  contentType: string | undefined;
  grantType: string | null;
  refreshToken: string | null;
  /** How the client authenticated, and as whom. */
  authMethod: ClientAuthMethod | 'none';
  clientId: string | null;
  clientSecret: string | null;
}

/** What a refresh with a given refresh token returns (RFC 6749 §5.1 fields). */
export interface Grant {
  access_token: string;
  expires_in?: number | string;
  /** Rotation: the new refresh token; the one presented is revoked. */
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type?: string;
}

/** Overrides the normal answer: a status with a body, a non-JSON body, or no answer at all. */
export type Failure = { status: number; json?: unknown; text?: string } | 'hang';

export interface TokenEndpoint {
  url: string;
  requests: TokenRequest[];
  /** Registers what refreshing with `refreshToken` returns. */
  issue(refreshToken: string, grant: Grant): void;
  /** Every following request gets this answer, until `failWith(null)`. */
  failWith(failure: Failure | null): void;
  /** Holds each answer back this long, so concurrent callers overlap. */
  delayMs: number;
  close(): Promise<void>;
}

function formDecode(value: string): string {
  return new URLSearchParams(`v=${value}`).get('v') ?? '';
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

export async function startTokenEndpoint(client: TokenEndpointClient): Promise<TokenEndpoint> {
  const grants = new Map<string, Grant>();
  const requests: TokenRequest[] = [];
  let failure: Failure | null = null;

  const endpoint: TokenEndpoint = {
    url: '',
    requests,
    delayMs: 0,
    issue: (refreshToken, grant) => void grants.set(refreshToken, grant),
    failWith: (next) => {
      failure = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(raw);
      const seen: TokenRequest = {
        method: request.method ?? '',
        contentType: request.headers['content-type'],
        grantType: form.get('grant_type'),
        refreshToken: form.get('refresh_token'),
        authMethod: 'none',
        clientId: null,
        clientSecret: null,
      };
      const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        seen.authMethod = 'client_secret_basic';
        seen.clientId = formDecode(decoded.slice(0, colon));
        seen.clientSecret = formDecode(decoded.slice(colon + 1));
      } else if (form.has('client_secret')) {
        seen.authMethod = 'client_secret_post';
        seen.clientId = form.get('client_id');
        seen.clientSecret = form.get('client_secret');
      }
      requests.push(seen);

      const answer = () => {
        if (failure === 'hang') return; // never answers; close() drops the socket
        if (failure !== null) {
          response.writeHead(failure.status, { 'content-type': failure.text === undefined ? 'application/json' : 'text/plain' });
          response.end(failure.text ?? JSON.stringify(failure.json ?? {}));
          return;
        }
        if (seen.method !== 'POST' || !seen.contentType?.startsWith('application/x-www-form-urlencoded')) {
          return send(response, 400, { error: 'invalid_request' });
        }
        const authenticated =
          seen.authMethod === client.authMethod && seen.clientId === client.clientId && seen.clientSecret === client.clientSecret;
        if (!authenticated) return send(response, 401, { error: 'invalid_client' });
        if (seen.grantType !== 'refresh_token') return send(response, 400, { error: 'unsupported_grant_type' });
        const grant = seen.refreshToken === null ? undefined : grants.get(seen.refreshToken);
        if (!grant) return send(response, 400, { error: 'invalid_grant', error_description: 'unknown or revoked refresh token' });
        if (grant.refresh_token !== undefined) grants.delete(seen.refreshToken!);
        send(response, 200, { token_type: 'Bearer', ...grant });
      };
      if (endpoint.delayMs > 0) setTimeout(answer, endpoint.delayMs);
      else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return endpoint;
}
