import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { startTestServer, type TestServer } from '../support/server.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

/**
 * What every SDK suite starts: a server, the real @clerk/backend pointed at it (`clerk`),
 * and a second client behind a recording proxy (`recorded`) for tests that check the wire.
 */
export interface SdkSuite {
  server: TestServer;
  proxy: RecordingProxy;
  clerk: ClerkClient;
  recorded: ClerkClient;
  close(): Promise<void>;
}

export async function startSdkSuite(env: Record<string, string> = {}): Promise<SdkSuite> {
  const server = await startTestServer(env);
  const proxy = await startRecordingProxy(server.baseUrl);
  return {
    server,
    proxy,
    clerk: createClerkClient({ secretKey: server.secretKey, apiUrl: server.baseUrl }),
    recorded: createClerkClient({ secretKey: server.secretKey, apiUrl: proxy.baseUrl }),
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
