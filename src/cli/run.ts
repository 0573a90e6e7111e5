import fs from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DatabaseOpenError } from '../db/connection.js';
import { DatabaseInUseError } from '../db/server-lock.js';
import { runExport, runImport, runReset, type Output } from './data-commands.js';
import { CliError, helpText, parseCommandLine } from './options.js';
import { startServer } from './start.js';
import { SnapshotFileError } from '../snapshot/errors.js';
import { SeedError } from '../snapshot/reset.js';

/**
 * The `clerkd` command: `clerkd [start|import FILE|export FILE|reset] [options]`. A mistake the user can fix
 * (bad flag, bad setting, unreadable or refused file, database in use) prints one line,
 * `clerkd: <what is wrong>`, and exits with 1; anything else is a bug and prints its stack.
 */

type Env = Record<string, string | undefined>;

/** Errors whose message is the whole story. */
function isUserError(error: unknown): error is Error {
  return (
    error instanceof CliError ||
    error instanceof ConfigError ||
    error instanceof DatabaseInUseError ||
    error instanceof DatabaseOpenError ||
    error instanceof SnapshotFileError ||
    error instanceof SeedError
  );
}

/** `PORT must be an integer` reads `--port must be an integer` when the flag set it. */
function nameFlags(message: string, flagNames: Record<string, string>): string {
  let named = message;
  for (const [env, flag] of Object.entries(flagNames)) named = named.replace(new RegExp(`(?<![A-Z_])${env}(?![A-Z_])`, 'g'), flag);
  return named;
}

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function fail(message: string): never {
  process.stderr.write(`clerkd: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

export async function runCli(argv: string[], env: Env = process.env): Promise<void> {
  let flagNames: Record<string, string> = {};
  let command = 'clerkd';
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === 'help') {
      process.stdout.write(helpText(parsed.command));
      return;
    }
    if (parsed.kind === 'version') {
      process.stdout.write(`clerkd ${version()}\n`);
      return;
    }
    flagNames = parsed.flagNames;
    command = `clerkd ${parsed.command}`;
    const config: Config = loadConfig({ ...env, ...parsed.flagEnv });
    const output: Output = { info: (line) => process.stderr.write(`${line}\n`), stdout: process.stdout };
    switch (parsed.command) {
      case 'start':
        await startServer(config);
        return;
      case 'import':
        await runImport(config, parsed.positionals[0]!, parsed.booleans.replace === true, output);
        return;
      case 'export':
        await runExport(config, parsed.positionals[0]!, output);
        return;
      case 'reset':
        await runReset(config, output);
        return;
    }
  } catch (error) {
    if (isUserError(error)) fail(nameFlags(error.message, flagNames));
    process.stderr.write(`${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}
