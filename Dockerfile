# clerkd container: the same install and start steps as a fresh clone.
FROM node:20-bookworm-slim
# better-sqlite3 and argon2 build native addons when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
COPY migrations ./migrations
COPY tsconfig.json ./
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3500 CLERKD_DATA_DIR=/data
VOLUME /data
EXPOSE 3500
CMD ["npm", "start"]
