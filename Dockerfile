# clerkd: the same install, build and start steps as a fresh clone (`npm ci`, `npm start`).
FROM node:20-bookworm-slim AS build
# better-sqlite3 builds its native addon from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3500 CLERKD_DATA_DIR=/data
VOLUME /data
EXPOSE 3500
CMD ["node", "dist/main.js"]
