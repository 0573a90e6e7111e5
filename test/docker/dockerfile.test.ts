import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/**
 * Static checks of the Dockerfile, .dockerignore and docker/compose.yml (there is no Docker
 * engine here; scripts/dockerfile-steps.sh replays the build and runs the image's checks).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages, each a list of instructions (continuation lines joined, comments dropped). */
function dockerfileStages(): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  for (const raw of read('Dockerfile').split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    if (/\\\s*$/.test(raw)) {
      pending += raw.replace(/\\\s*$/, ' ');
      continue;
    }
    const line = (pending + raw).trim();
    pending = '';
    if (line === '') continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const finalStage = (): Instruction[] => dockerfileStages().at(-1) ?? [];
/** The stage that compiles src/: the one with `COPY src`. */
const buildStage = (): Instruction[] => dockerfileStages().find((stage) => stage.some(copiesSource('src'))) ?? [];

/** `COPY [--flags] <sources> <dest>` whose sources include `source` (from the build context, not another stage). */
function copiesSource(source: string): (instruction: Instruction) => boolean {
  return ({ keyword, args }) => {
    if (keyword !== 'COPY') return false;
    const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
    if (/--from=/.test(args)) return false;
    return words.slice(0, -1).some((word) => word.replace(/^\.\//, '').replace(/\/$/, '') === source);
  };
}

/** Node release lines and the end of their support (nodejs.org/en/about/previous-releases). */
const NODE_END_OF_LIFE: Record<number, string> = {
  18: '2025-04-30',
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

test('the final stage runs as a user who is not root', () => {
  const users = finalStage().filter((i) => i.keyword === 'USER');
  assert.ok(users.length > 0, 'the final stage has a USER instruction');
  const user = users.at(-1)!.args.split(':')[0]!;
  assert.ok(user !== 'root' && user !== '0', `USER ${user} is not root`);
});

test('the final stage makes /data belong to the user it runs as', () => {
  const user = finalStage()
    .filter((i) => i.keyword === 'USER')
    .at(-1)?.args.split(':')[0];
  const run = finalStage()
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args)
    .join('\n');
  assert.ok(user, 'the final stage has a USER');
  assert.match(run, new RegExp(`chown (-R )?${user}(:${user})? /data`));
  assert.match(finalStage().find((i) => i.keyword === 'ENV')?.args ?? '', /CLERKD_DATA_DIR=\/data/);
});

test('the final stage has a HEALTHCHECK that asks /healthz on $PORT with node, not curl', () => {
  const check = finalStage().find((i) => i.keyword === 'HEALTHCHECK');
  assert.ok(check, 'the final stage has a HEALTHCHECK');
  assert.match(check.args, /CMD \["node"/);
  assert.match(check.args, /127\.0\.0\.1/);
  assert.match(check.args, /process\.env\.PORT/);
  assert.match(check.args, /\/healthz/);
  assert.match(check.args, /--start-period=/);
  assert.doesNotMatch(check.args, /curl|wget/);
});

test('package files are copied and npm ci runs before src/ is copied', () => {
  const stage = buildStage();
  const copySrc = stage.findIndex(copiesSource('src'));
  const copyPackage = stage.findIndex((i) => copiesSource('package.json')(i) && copiesSource('package-lock.json')(i));
  const npmCi = stage.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
  assert.ok(copySrc >= 0, 'a stage copies src/');
  assert.ok(copyPackage >= 0 && copyPackage < copySrc, 'package.json and package-lock.json are copied before src/');
  assert.ok(npmCi > copyPackage && npmCi < copySrc, 'npm ci runs after the package files and before src/ is copied');
});

test('npm ci skips scripts and rebuilds exactly the native addons the image needs, all in allowScripts', () => {
  const npmCi = buildStage().find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))?.args ?? '';
  assert.match(npmCi, /npm ci --ignore-scripts/, 'prepare (tsc) cannot run before src/ is copied');
  const rebuilt = /npm rebuild ([\w@/ -]+)/.exec(npmCi)?.[1]?.trim().split(/\s+/) ?? [];
  assert.deepEqual([...rebuilt].sort(), ['argon2', 'better-sqlite3']);
  const allowScripts = Object.keys((JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> }).allowScripts);
  for (const name of rebuilt) assert.ok(allowScripts.includes(name), `${name} is in package.json allowScripts`);
});

test('the final stage has bin/ and docs/ and a clerkd command', () => {
  const stage = finalStage();
  assert.ok(stage.some(copiesSource('bin')), 'COPY bin');
  assert.ok(stage.some(copiesSource('docs')), 'COPY docs (docs/seed.example.json)');
  assert.ok(stage.some(copiesSource('migrations')), 'COPY migrations');
  const run = stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
  const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
  assert.match(run, new RegExp(`ln -s /app/${pkg.bin.clerkd!.replace('.', '\\.')} /usr/local/bin/clerkd`));
});

test('every stage starts FROM a Node release line that is still supported', () => {
  const today = new Date().toISOString().slice(0, 10);
  for (const stage of dockerfileStages()) {
    const image = stage[0]!.args.split(/\s+/)[0]!;
    const major = Number(/^node:(\d+)/.exec(image)?.[1]);
    const endOfLife = NODE_END_OF_LIFE[major];
    assert.ok(endOfLife, `${image}: a node:<major> image whose end of life is in NODE_END_OF_LIFE`);
    assert.ok(today < endOfLife, `${image}: Node ${major} reached end of life on ${endOfLife}`);
  }
});

test('.dockerignore keeps node_modules, data, dist, .git and snapshots out of the context', () => {
  assert.ok(fs.existsSync(path.join(ROOT, '.dockerignore')), '.dockerignore exists');
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^\/|\/$/g, '').replace(/^\*\*\//, ''));
  for (const entry of ['node_modules', 'data', 'dist', '.git', 'snapshot.json', 'bench-results']) {
    assert.ok(patterns.includes(entry), `.dockerignore lists ${entry}`);
  }
  for (const copied of ['src', 'bin', 'docs', 'migrations', 'package.json', 'package-lock.json']) {
    assert.ok(!patterns.includes(copied), `.dockerignore keeps ${copied}, which the Dockerfile copies`);
  }
});

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: Record<string, unknown>;
}

const composeService = (): ComposeService =>
  (parseYaml(read('docker/compose.yml')) as { services: Record<string, ComposeService> }).services.clerkd!;

test('compose publishes the port on 127.0.0.1 only', () => {
  const ports = composeService().ports ?? [];
  assert.ok(ports.length > 0, 'compose publishes a port');
  for (const port of ports) assert.match(String(port), /^127\.0\.0\.1:\d+:\d+$/);
});

test('compose requires both secrets from the environment with ${VAR:?…}', () => {
  const environment = composeService().environment ?? {};
  for (const name of ['CLERKD_SECRET_KEYS', 'CLERKD_ENCRYPTION_KEY']) {
    assert.match(environment[name] ?? '', new RegExp(`^\\$\\{${name}:\\?.+\\}$`), `${name} is \${${name}:?message}`);
  }
});

test('compose has no placeholder secrets', () => {
  assert.doesNotMatch(read('docker/compose.yml'), /change[-_]?me|sk_test_|sk_live_[0-9a-z]/i);
});

test('the compose health check gives the server a start_period', () => {
  const healthcheck = composeService().healthcheck ?? {};
  assert.ok(healthcheck.start_period, 'healthcheck.start_period is set');
  assert.notEqual(healthcheck.disable, true);
});
