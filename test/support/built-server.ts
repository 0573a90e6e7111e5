import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * clerkd as `npm start` runs it: the built entry point (dist/main.js, made by `npm run build`)
 * in its own process, on a free loopback port. For tests that kill it, restart it, or watch
 * its memory from outside.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = path.join(ROOT, 'dist', 'main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface BuiltServer {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  output(): string;
  /** Resolves with the exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts dist/main.js with `env` on top of the caller's environment and waits for "clerkd is ready". */
export async function startBuiltServer(env: Record<string, string>, options: { port?: number; readyTimeoutMs?: number } = {}): Promise<BuiltServer> {
  const port = options.port ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const server: BuiltServer = { child, port, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clerkd exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clerkd was not ready in time:\n${output}`);
    }
    try {
      // Any HTTP answer means it listens; LOG_LEVEL=warn hides the "ready" line.
      await fetch(`${server.baseUrl}/images/default-avatar.svg`);
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
