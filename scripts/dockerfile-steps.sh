#!/usr/bin/env bash
# Replays the Dockerfile without a Docker engine, then runs the image's checks as a user
# who is not root. A manual check (minutes, needs the npm registry), not part of `npm test`:
#
#   sudo scripts/dockerfile-steps.sh            # RUN_AS=nobody by default; KEEP=1 keeps the folder
#
# 1. The build context: the checkout minus what .dockerignore excludes, copied to a clean
#    temporary folder.
# 2. Each stage gets its own folder standing for the image's root (/app is <stage>/app). The
#    instructions are read from the Dockerfile itself and carried out in order: COPY copies
#    exactly its sources (from the context, or from an earlier stage with --from), RUN runs in
#    the WORKDIR with absolute paths moved under the stage folder, ENV, WORKDIR and USER are
#    kept. Differences from an engine: the host's Node and build tools stand in for the base
#    image (so `apt-get` steps are skipped), the image's `node` user is RUN_AS, and there is
#    no network namespace, so the server gets a free port on 127.0.0.1 (-e PORT, -e HOST).
# 3. The final stage runs twice, each time on a fresh copy of its /data (as `docker run` gives
#    a new volume): in production mode (the image's NODE_ENV) with real-looking secrets, and
#    in development mode (-e NODE_ENV=development). Each run checks /healthz, creates a user
#    with curl, runs `clerkd export -` beside the server (as `docker exec` would), runs the
#    HEALTHCHECK command and tries the reset endpoint; every process runs as RUN_AS.
set -euo pipefail
umask 022

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_AS="${RUN_AS:-nobody}"
RUN_GROUP="$(id -gn "$RUN_AS")"
DEVELOPMENT_SECRET_KEY=sk_test_clerkd_development_secret_key

if [ "$(id -u)" != 0 ]; then
  echo "dockerfile-steps: run as root (it builds as root, as docker build does, and starts the server as $RUN_AS)" >&2
  exit 1
fi
if [ "$(id -u "$RUN_AS")" = 0 ]; then
  echo "dockerfile-steps: RUN_AS must not be root" >&2
  exit 1
fi

WORK="$(mktemp -d /tmp/clerkd-dockerfile-steps.XXXXXX)"
chmod 755 "$WORK" # mktemp makes it 0700; RUN_AS must reach the stage folders
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
step() { printf -- '-- %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
say "build context: $ROOT minus .dockerignore"
node --input-type=module - "$ROOT" "$WORK/context" <<'JS'
import fs from 'node:fs';
import path from 'node:path';

const [root, out] = process.argv.slice(2);
const ignoreFile = path.join(root, '.dockerignore');
const lines = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8').split('\n') : [];

// Docker's rules: patterns are cleaned paths relative to the context root; `*` and `?` stay
// within one path segment, `**` spans any number of them; a pattern also excludes everything
// below a directory it matches; `!` re-includes; the last matching pattern wins.
function compile(line) {
  let p = line.trim();
  const negate = p.startsWith('!');
  if (negate) p = p.slice(1).trim();
  p = path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { negate, regex: new RegExp(`^${re}$`) };
}
const patterns = lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).map(compile);
const hasNegation = patterns.some((p) => p.negate);

function excluded(rel) {
  const prefixes = rel.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let result = false;
  for (const { negate, regex } of patterns) if (prefixes.some((prefix) => regex.test(prefix))) result = !negate;
  return result;
}

let files = 0;
const skipped = [];
function walk(rel) {
  const source = path.join(root, rel);
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    const isOut = excluded(childRel);
    if (isOut && (!entry.isDirectory() || !hasNegation)) {
      if (!rel.includes('/')) skipped.push(childRel + (entry.isDirectory() ? '/' : ''));
      continue;
    }
    const from = path.join(root, childRel);
    const to = path.join(out, childRel);
    if (entry.isDirectory()) {
      fs.mkdirSync(to, { recursive: true, mode: fs.statSync(from).mode & 0o7777 });
      walk(childRel);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
      files++;
    } else {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, fs.statSync(from).mode & 0o7777);
      files++;
    }
  }
}
fs.mkdirSync(out, { recursive: true });
walk('');
console.log(`${files} files; left out: ${skipped.sort().join(' ') || '(nothing)'}`);
JS

# ---------------------------------------------------------------------------------------
# The Dockerfile as one instruction a line, fields separated by tabs:
#   FROM image name | RUN command | COPY arg... | ENV KEY=VALUE... | WORKDIR dir | USER name |
#   HEALTHCHECK --opt=value... CMD arg... | CMD arg... | VOLUME dir... | EXPOSE port...
# An instruction this script does not know stops it, rather than being replayed wrongly.
PLAN="$WORK/plan.tsv"
node --input-type=module - "$ROOT/Dockerfile" >"$PLAN" <<'JS'
import fs from 'node:fs';

const text = fs.readFileSync(process.argv[2], 'utf8');
const instructions = [];
let pending = '';
for (const raw of text.split('\n')) {
  if (/^\s*#/.test(raw)) continue;
  if (/\\\s*$/.test(raw)) { pending += raw.replace(/\\\s*$/, ' '); continue; }
  const line = (pending + raw).trim();
  pending = '';
  if (line !== '') instructions.push(line);
}
const words = (s) => s.trim().split(/\s+/).filter(Boolean);
const command = (s) => (s.trim().startsWith('[') ? JSON.parse(s) : ['/bin/sh', '-c', s.trim()]);
for (const line of instructions) {
  const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line);
  const name = keyword.toUpperCase();
  let fields;
  if (name === 'FROM') {
    const [image, as, stage] = words(rest);
    fields = [image, as?.toUpperCase() === 'AS' ? stage : ''];
  } else if (name === 'RUN') {
    if (rest.trim().startsWith('[')) throw new Error(`exec-form RUN is not replayed: ${line}`);
    fields = [rest.trim()];
  } else if (name === 'COPY' || name === 'VOLUME' || name === 'EXPOSE' || name === 'WORKDIR' || name === 'USER') {
    if (rest.trim().startsWith('[')) throw new Error(`JSON form is not replayed: ${line}`);
    fields = words(rest);
  } else if (name === 'ENV') {
    fields = /^\S+=/.test(rest.trim()) ? (rest.match(/\S+=("[^"]*"|\S*)/g) ?? []).map((kv) => kv.replace(/="(.*)"$/, '=$1')) : [`${words(rest)[0]}=${words(rest).slice(1).join(' ')}`];
  } else if (name === 'HEALTHCHECK') {
    const [, options, cmd] = /^((?:--\S+\s+)*)CMD\s+(.*)$/s.exec(rest.trim()) ?? [];
    if (cmd === undefined) throw new Error(`HEALTHCHECK without CMD is not replayed: ${line}`);
    fields = [...words(options), 'CMD', ...command(cmd)];
  } else if (name === 'CMD') {
    fields = command(rest);
  } else {
    throw new Error(`dockerfile-steps.sh does not know ${name}: teach it, or keep the Dockerfile to what it replays`);
  }
  if (fields.some((f) => f.includes('\t') || f.includes('\n'))) throw new Error(`a tab or newline inside: ${line}`);
  console.log([name, ...fields].join('\t'));
}
JS

# ---------------------------------------------------------------------------------------
declare -A STAGE_DIR=()
STAGE_COUNT=0
S=""           # the folder standing for the current stage's root
WD="/"         # its WORKDIR
IMAGE_USER=root
declare -a STAGE_ENV=()
HEALTHCHECK=()
HEALTHCHECK_OPTIONS=()
CMD=()
TOOLS_PATH="$(dirname "$(command -v node)"):/usr/local/bin:/usr/bin:/bin"

# An absolute path of the image, under the stage folder; a relative one, under the WORKDIR.
in_stage() { case "$1" in /*) printf '%s%s' "$S" "$1" ;; *) printf '%s%s/%s' "$S" "${WD%/}" "$1" ;; esac; }
# The image's `node` user is RUN_AS here.
map_user() { sed -E "s/^node(:node)?\$/$RUN_AS\1/; s/:node\$/:$RUN_GROUP/" <<<"$1"; }
# Absolute paths in a shell command (after a space, `=` or a quote), moved under the stage
# folder; `2>/dev/null` and URLs are left alone.
map_command() {
  STAGE="$S" RUN_AS="$RUN_AS" RUN_GROUP="$RUN_GROUP" perl -pe '
    s{(^|[\s="'"'"'])(/[A-Za-z0-9._/-]*)}{$1$ENV{STAGE}$2}g;
    s{(^|\s)node:node(?=\s|$)}{$1$ENV{RUN_AS}:$ENV{RUN_GROUP}}g;
  ' <<<"$1"
}
as_image_user() {
  if [ "$IMAGE_USER" = root ]; then "$@"; else setpriv --reuid="$IMAGE_USER" --regid="$(id -gn "$IMAGE_USER")" --init-groups -- "$@"; fi
}

say "replaying $ROOT/Dockerfile"
while IFS=$'\t' read -r -a f; do
  instr="${f[0]}"
  case "$instr" in
    FROM)
      S="$WORK/stage-$STAGE_COUNT"
      STAGE_DIR[$STAGE_COUNT]="$S"
      [ -n "${f[2]:-}" ] && STAGE_DIR[${f[2]}]="$S"
      STAGE_COUNT=$((STAGE_COUNT + 1))
      WD="/"; IMAGE_USER=root; STAGE_ENV=(); HEALTHCHECK=(); CMD=()
      # What the base image provides that later steps rely on.
      mkdir -p "$S/usr/local/bin" "$S/tmp" "$S/home/node"
      chown "$RUN_AS:$RUN_GROUP" "$S/home/node"
      step "FROM ${f[1]} ${f[2]:+AS ${f[2]}} -> $S (host Node $(node --version) stands in for the image's)"
      ;;
    WORKDIR)
      case "${f[1]}" in /*) WD="${f[1]}" ;; *) WD="${WD%/}/${f[1]}" ;; esac
      mkdir -p "$(in_stage "$WD")"
      step "WORKDIR $WD"
      ;;
    ENV)
      for kv in "${f[@]:1}"; do STAGE_ENV+=("$kv"); done
      step "ENV ${f[*]:1}"
      ;;
    USER)
      IMAGE_USER="$(map_user "${f[1]}")"
      IMAGE_USER="${IMAGE_USER%%:*}"
      step "USER ${f[1]} (here: $IMAGE_USER, uid $(id -u "$IMAGE_USER"))"
      ;;
    COPY)
      from=""; chown_to=""; args=()
      for a in "${f[@]:1}"; do
        case "$a" in
          --from=*) from="${a#--from=}" ;;
          --chown=*) chown_to="$(map_user "${a#--chown=}")" ;;
          --*) fail "COPY $a is not replayed" ;;
          *) args+=("$a") ;;
        esac
      done
      dest="${args[-1]}"; sources=("${args[@]:0:${#args[@]}-1}")
      target="$(in_stage "$dest")"
      as_dir=0; { [[ "$dest" == */ ]] || [ "${#sources[@]}" -gt 1 ]; } && as_dir=1
      for src in "${sources[@]}"; do
        if [ -n "$from" ]; then
          [ -n "${STAGE_DIR[$from]:-}" ] || fail "COPY --from=$from: no such stage"
          origin="${STAGE_DIR[$from]}/${src#/}"
        else
          origin="$WORK/context/${src#/}"
        fi
        [ -e "$origin" ] || fail "COPY $src: not in the ${from:+stage $from}${from:-build context (left out by .dockerignore?)}"
        if [ -d "$origin" ]; then
          mkdir -p "$target"; cp -a "$origin/." "$target/"
        elif [ "$as_dir" = 1 ] || [ -d "$target" ]; then
          mkdir -p "$target"; cp -a "$origin" "$target/"
        else
          mkdir -p "$(dirname "$target")"; cp -a "$origin" "$target"
        fi
        [ -n "$chown_to" ] && chown -R "$chown_to" "$target"
      done
      step "COPY ${f[*]:1}"
      ;;
    RUN)
      cmd="${f[1]}"
      if [[ "$cmd" == apt-get* ]]; then
        for tool in python3 make g++; do command -v "$tool" >/dev/null || fail "RUN apt-get: the host lacks $tool"; done
        step "RUN $cmd"
        echo "   skipped: the host provides python3, make and g++"
        continue
      fi
      step "RUN $cmd"
      mapped="$(map_command "$cmd")"
      started=$SECONDS
      if ! (
        cd "$(in_stage "$WD")"
        as_image_user env -u NODE_ENV PATH="$TOOLS_PATH" "${STAGE_ENV[@]}" sh -c "$mapped"
      ) </dev/null 2>&1 | sed 's/^/   | /' | tail -n 15; then
        fail "RUN $cmd (as it would fail docker build)"
      fi
      echo "   ($((SECONDS - started)) s)"
      ;;
    HEALTHCHECK)
      HEALTHCHECK_OPTIONS=(); HEALTHCHECK=()
      seen_cmd=0
      for a in "${f[@]:1}"; do
        if [ "$seen_cmd" = 1 ]; then HEALTHCHECK+=("$a"); elif [ "$a" = CMD ]; then seen_cmd=1; else HEALTHCHECK_OPTIONS+=("$a"); fi
      done
      step "HEALTHCHECK ${HEALTHCHECK_OPTIONS[*]} CMD ${HEALTHCHECK[*]}"
      ;;
    CMD) CMD=("${f[@]:1}"); step "CMD ${CMD[*]}" ;;
    VOLUME | EXPOSE) step "$instr ${f[*]:1}" ;;
  esac
done <"$PLAN"

FINAL="$S"
FINAL_WD="$WD"
FINAL_USER="$IMAGE_USER"
[ "$FINAL_USER" != root ] || fail "the final stage runs as root (no USER)"
[ "${#CMD[@]}" -gt 0 ] || fail "the final stage has no CMD"
[ "${#HEALTHCHECK[@]}" -gt 0 ] || fail "the final stage has no HEALTHCHECK"
# Built artefacts must exist; a RUN that failed above shows here at the latest.
[ -f "$FINAL/app/dist/main.js" ] || fail "no dist/main.js in the final stage"
say "final stage: $FINAL (the image's /), $(du -sh "$FINAL" | cut -f1); runs as $FINAL_USER"
ls -ld "$FINAL$FINAL_WD" "$FINAL/data" | sed 's/^/   /'
node -e '
  const fs = require("node:fs");
  const app = process.argv[1];
  // The packages the lock marks "dev" (only development needs them; yaml, a devDependency, is also needed by swagger).
  const lock = JSON.parse(fs.readFileSync(`${app}/node_modules/.package-lock.json`, "utf8"));
  const wanted = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).packages;
  const dev = Object.keys(wanted).filter((key) => wanted[key].dev);
  const left = dev.filter((key) => fs.existsSync(`${app}/${key}/package.json`));
  console.log(`   node_modules: ${Object.keys(lock.packages).length} packages; of the ${dev.length} development-only packages, left: ${left.join(" ") || "none"}`);
  if (left.length > 0) process.exit(1);
' "$FINAL$FINAL_WD" "$WORK/context/package-lock.json" || fail "npm prune --omit=dev left development packages"

# ---------------------------------------------------------------------------------------
# The container's environment: the image's ENV, then the `docker run -e` flags; absolute
# paths point into the stage folder, /data into this run's volume.
VOLUME_DIR=""
container_env() {
  local kv key value
  printf '%s\n' "HOME=$FINAL/home/node" "PATH=$FINAL/usr/local/bin:$TOOLS_PATH"
  for kv in "${STAGE_ENV[@]}" "$@"; do
    key="${kv%%=*}"; value="${kv#*=}"
    case "$value" in
      /data | /data/*) value="$VOLUME_DIR${value#/data}" ;;
      /*) value="$FINAL$value" ;;
    esac
    printf '%s\n' "$key=$value"
  done
}
# `docker exec`/`docker run`: as the image's user, in its WORKDIR, with only its environment.
in_container() {
  local -a envs
  mapfile -t envs < <(container_env "${RUN_FLAGS[@]}")
  (cd "$FINAL$FINAL_WD" && exec setpriv --reuid="$FINAL_USER" --regid="$(id -gn "$FINAL_USER")" --init-groups -- env -i "${envs[@]}" "$@")
}
free_port() { node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }

run_mode() {
  local mode="$1" key="$2"; shift 2
  local port log status body
  port="$(free_port)"
  RUN_FLAGS=("PORT=$port" "HOST=127.0.0.1" "$@")
  VOLUME_DIR="$WORK/volume-$mode"
  cp -a "$FINAL/data" "$VOLUME_DIR" # a new volume starts as a copy of the image's /data
  log="$WORK/server-$mode.log"
  # Secrets are shown by their first characters only.
  say "$mode: docker run $(printf -- '-e %s ' "${RUN_FLAGS[@]}" | sed -E 's/((SECRET_KEYS|ENCRYPTION_KEY)=.{8})[^ ]*/\1…/g')"

  local -a envs
  mapfile -t envs < <(container_env "${RUN_FLAGS[@]}")
  # One process: the subshell becomes setpriv, then env, then the server, so $! is the server.
  (cd "$FINAL$FINAL_WD" && exec setpriv --reuid="$FINAL_USER" --regid="$(id -gn "$FINAL_USER")" --init-groups -- env -i "${envs[@]}" "${CMD[@]}") >"$log" 2>&1 &
  SERVER_PID=$!
  status=""
  for _ in $(seq 1 120); do
    status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)"
    [ "$status" = 200 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log"; fail "$mode: the server exited"; }
    sleep 0.5
  done
  echo "process: $(ps -o user=,uid=,args= -p "$SERVER_PID" | tr -s ' ')"
  echo "GET /healthz -> $status $(curl -s "http://127.0.0.1:$port/healthz")"
  [ "$status" = 200 ] || { cat "$log"; fail "$mode: /healthz"; }

  body="$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/v1/users" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"email_address":["a@example.com"]}')"
  status="${body##*$'\n'}"; body="${body%$'\n'*}"
  echo "POST /v1/users -> $status $(grep -o '"id":"user_[^"]*"' <<<"$body" | head -n 1)"
  [ "$status" = 200 ] || { echo "$body"; fail "$mode: create user"; }

  in_container clerkd export - >"$WORK/export-$mode.json" 2>"$WORK/export-$mode.err" || { cat "$WORK/export-$mode.err"; fail "$mode: clerkd export -"; }
  echo "clerkd export - -> $(node -e '
    const s = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const emails = s.users.flatMap((u) => u.email_addresses.map((e) => e.email_address));
    console.log(`clerkd_snapshot ${s.clerkd_snapshot}, ${s.users.length} user(s): ${emails.join(" ")}; ${s.organizations.length} organization(s)`);
  ' "$WORK/export-$mode.json")"
  grep -q '"a@example.com"' "$WORK/export-$mode.json" || fail "$mode: the export lacks the new user"

  if in_container "${HEALTHCHECK[@]}"; then status=0; else status=$?; fi
  echo "HEALTHCHECK ${HEALTHCHECK[*]:0:2} ... -> exit $status"
  [ "$status" = 0 ] || fail "$mode: HEALTHCHECK"

  body="$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$port/_clerkd/reset" -H "Authorization: Bearer $key")"
  status="${body##*$'\n'}"; body="${body%$'\n'*}"
  echo "POST /_clerkd/reset -> $status $body"

  if in_container touch "$FINAL$FINAL_WD/written-by-$FINAL_USER" 2>/dev/null; then fail "$mode: $FINAL_USER can write $FINAL_WD"; fi
  echo "files in /data: $(find "$VOLUME_DIR" -mindepth 1 -maxdepth 1 -printf '%f(%u) ' | sed 's/ $//'); $FINAL_WD is not writable by $FINAL_USER"

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  echo "server stopped; last log line: $(tail -n 1 "$log" | cut -c1-160)"
  LAST_RESET_STATUS="$status"
}

SECRET_KEY="sk_live_$(openssl rand -hex 24)"
ENCRYPTION_KEY="$(openssl rand -base64 32)"

say "production without secrets: docker run (no -e)"
VOLUME_DIR="$WORK/volume-refused"; cp -a "$FINAL/data" "$VOLUME_DIR"; RUN_FLAGS=("PORT=$(free_port)" "HOST=127.0.0.1")
if in_container timeout 30 "${CMD[@]}" >"$WORK/refused.log" 2>&1; then fail "production started without secrets"; fi
echo "refused to start: $(grep -o 'clerkd: .*' "$WORK/refused.log" | head -n 1)"

run_mode production "$SECRET_KEY" "CLERKD_SECRET_KEYS=$SECRET_KEY" "CLERKD_ENCRYPTION_KEY=$ENCRYPTION_KEY"
[ "$LAST_RESET_STATUS" = 403 ] || fail "production: reset should answer 403"
run_mode development "$DEVELOPMENT_SECRET_KEY" "NODE_ENV=development" "CLERKD_SEED=/app/docs/seed.example.json"
[ "$LAST_RESET_STATUS" = 200 ] || fail "development: reset should answer 200"

say "all steps passed"
