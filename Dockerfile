# clerkd: the install, build and start steps of a fresh clone, in two stages.
# Node 22 is the image's release line (Node 20 reached end of life on 2026-04-30).
# scripts/dockerfile-steps.sh replays these steps without a Docker engine.
FROM node:22-bookworm-slim AS build
# better-sqlite3 builds its native addon from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so a change under src/ reuses this layer and its native modules.
# --ignore-scripts skips `prepare` (it compiles src/, not copied yet); the rebuild runs the
# install scripts of the native addons that package.json `allowScripts` names (esbuild, the
# third, is a development tool of tsx and is not needed to build or run).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 argon2
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3500 CLERKD_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY docs ./docs
# /data belongs to the unprivileged `node` user (uid 1000) the server runs as; /app stays root's.
# `clerkd` is a command (`docker exec … clerkd export -`), as `npm install` makes it in a clone.
RUN mkdir -p /data && chown node:node /data && ln -s /app/bin/clerkd.js /usr/local/bin/clerkd
USER node
VOLUME /data
EXPOSE 3500
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3500) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
