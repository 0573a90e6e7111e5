import { parseArgs } from 'node:util';
import { SETTINGS, type Setting, type SettingScope } from '../config.js';

/**
 * The `clerkd` command line. Every server setting is an environment variable declared in
 * src/config.ts's SETTINGS; each has a flag here that sets it, and a flag wins over the
 * variable. `--help` prints that table, so flags, variables and defaults cannot drift.
 */

type Scope = SettingScope;

export type ConfigFlag = Setting;

/** The settings table of src/config.ts: every setting has its flag. */
export const CONFIG_FLAGS: readonly ConfigFlag[] = SETTINGS;

export type CommandName = 'start' | 'import' | 'export' | 'reset';

interface CommandSpec {
  usage: string;
  summary: string;
  scopes: Scope[];
  /** Positional arguments: exactly this many. */
  positionals: string[];
  booleans: { flag: string; description: string }[];
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  start: {
    usage: 'clerkd start [options]',
    summary: 'run the server (the default command)',
    scopes: ['server', 'storage', 'seed'],
    positionals: [],
    booleans: [],
  },
  import: {
    usage: 'clerkd import FILE [--replace] [options]',
    summary: 'import a clerkd snapshot or a migration-tool user file, all or nothing',
    scopes: ['storage'],
    positionals: ['FILE'],
    booleans: [{ flag: 'replace', description: 'delete every user, organization and membership first (same transaction)' }],
  },
  export: {
    usage: 'clerkd export FILE|- [options]',
    summary: 'write every user, organization and membership as a snapshot (- for stdout); it holds secrets',
    scopes: ['storage'],
    positionals: ['FILE'],
    booleans: [],
  },
  reset: {
    usage: 'clerkd reset [options]',
    summary: 'delete every user, organization and membership, then apply --seed / CLERKD_SEED',
    scopes: ['storage', 'seed'],
    positionals: [],
    booleans: [],
  },
};

/** A mistake on the command line or in what it names: printed as one line, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export type ParsedCommand =
  | { kind: 'help'; command: CommandName | null }
  | { kind: 'version' }
  | {
      kind: 'run';
      command: CommandName;
      positionals: string[];
      /** Environment variables set by flags. */
      flagEnv: Record<string, string>;
      /** env name → the flag that set it, to name the flag in configuration errors. */
      flagNames: Record<string, string>;
      booleans: Record<string, boolean>;
    };

function isCommand(value: string): value is CommandName {
  return Object.hasOwn(COMMANDS, value);
}

function flagsOf(command: CommandName): ConfigFlag[] {
  return CONFIG_FLAGS.filter((option) => COMMANDS[command].scopes.includes(option.scope));
}

function parseError(error: unknown, command: CommandName): CliError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  const hint = `(see clerkd ${command} --help)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return new CliError(`unknown option ${option} for clerkd ${command} ${hint}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? new CliError(`${option} needs a value ${hint}`) : new CliError(`${option} takes no value ${hint}`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new CliError(`unexpected argument ${hint}`);
  return new CliError(`${message.split('. ')[0]} ${hint}`);
}

export function parseCommandLine(argv: string[]): ParsedCommand {
  let command: CommandName = 'start';
  let rest = argv;
  const first = argv[0];
  if (first === 'help') return { kind: 'help', command: argv[1] !== undefined && isCommand(argv[1]) ? argv[1] : null };
  if (first !== undefined && !first.startsWith('-')) {
    if (!isCommand(first)) throw new CliError(`unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')}; see clerkd --help)`);
    command = first;
    rest = argv.slice(1);
  }
  const flags = flagsOf(command);
  const spec = COMMANDS[command];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        ...Object.fromEntries(flags.map((option) => [option.flag, { type: 'string' as const }])),
        ...Object.fromEntries(spec.booleans.map((option) => [option.flag, { type: 'boolean' as const }])),
      },
    });
  } catch (error) {
    throw parseError(error, command);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: 'help', command: first !== undefined && isCommand(first) ? command : null };
  if (values.version) return { kind: 'version' };
  if (parsed.positionals.length !== spec.positionals.length) {
    const expected = spec.positionals.length === 0 ? 'no arguments' : spec.positionals.join(' ');
    throw new CliError(`clerkd ${command} takes ${expected} (usage: ${spec.usage})`);
  }
  const flagEnv: Record<string, string> = {};
  const flagNames: Record<string, string> = {};
  for (const option of flags) {
    const value = values[option.flag];
    if (typeof value !== 'string') continue;
    flagEnv[option.env] = value;
    flagNames[option.env] = `--${option.flag}`;
  }
  const booleans = Object.fromEntries(spec.booleans.map((option) => [option.flag, values[option.flag] === true]));
  return { kind: 'run', command, positionals: parsed.positionals, flagEnv, flagNames, booleans };
}

function optionLines(options: { left: string; right: string }[]): string[] {
  const width = Math.max(...options.map((option) => option.left.length)) + 2;
  return options.map((option) => `  ${option.left.padEnd(width)}${option.right}`);
}

export function helpText(command: CommandName | null): string {
  const lines: string[] = [];
  if (command === null) {
    lines.push('Usage: clerkd [command] [options]', '', "A self-hosted server that speaks Clerk's Backend API.", '', 'Commands:');
    lines.push(...optionLines((Object.keys(COMMANDS) as CommandName[]).map((name) => ({ left: COMMANDS[name].usage.replace(' [options]', ''), right: COMMANDS[name].summary }))));
    lines.push('', 'Run clerkd COMMAND --help for the options of one command.', '');
  } else {
    lines.push(`Usage: ${COMMANDS[command].usage}`, '', `${COMMANDS[command].summary[0]!.toUpperCase()}${COMMANDS[command].summary.slice(1)}.`, '');
  }
  const flags = command === null ? CONFIG_FLAGS : flagsOf(command);
  const envWidth = Math.max(...flags.map((option) => option.env.length)) + 2;
  lines.push('Options (each sets the environment variable named; a flag wins over the variable):');
  lines.push(
    ...optionLines([
      ...flags.map((option) => ({
        left: `--${option.flag} ${option.placeholder}`,
        right: `${option.env.padEnd(envWidth)}${option.description} [default: ${option.defaultValue}]`,
      })),
      ...(command === null ? Object.values(COMMANDS).flatMap((spec) => spec.booleans) : COMMANDS[command].booleans).map((option) => ({
        left: `--${option.flag}`,
        right: `${''.padEnd(envWidth)}${option.description}`,
      })),
      { left: '-h, --help', right: `${''.padEnd(envWidth)}show this help` },
      { left: '-v, --version', right: `${''.padEnd(envWidth)}print the version` },
    ]),
  );
  lines.push(
    '',
    'NODE_ENV=production requires CLERKD_SECRET_KEYS and CLERKD_ENCRYPTION_KEY and disables reset.',
    'import and reset refuse to run while a clerkd serves the same database; export may.',
  );
  return `${lines.join('\n')}\n`;
}
