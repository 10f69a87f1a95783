# Mission Control: one process (web + jobs + ingest). Build: docker build -t mission-control .
# Run:   docker run -p 3000:3000 -v mc-data:/data mission-control
# With an external database: add -e DATABASE_URL=postgresql://user:pass@host:5432/db
# No `# syntax=` line: it makes BuildKit pull a frontend image from Docker Hub, and the built-in one
# covers everything used here (CI machines reach no registry; see docs/decisions/016).

# --- all dependencies (dev included) to build with ----------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci needs a lock file with every platform's optional binaries; the registry mirror this lock was made
# against lacks some, so fall back to npm install (same versions, resolved from package.json).
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund

# --- production dependencies only: the same tree without dev packages (no second download) ----
# TypeScript (23 MB) survives the prune as an optional peer of @remix-run/* (for their type checks);
# nothing loads it at run time, so it goes too.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

# --- build: Remix client + server bundles, then server.ts -> build/server.js -----------------
# Built on top of the deps layer rather than copying its node_modules into a fresh stage. The context
# keeps .gitignore: Tailwind skips what it lists (build/), so the client and server builds emit the same CSS.
FROM deps AS build
COPY . .
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=3000 \
    NODE_ENV=production \
    MC_DATA_DIR=/data
WORKDIR /app
# Production node_modules first: its layer stays cached (and shared) across source-only changes.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json ./
# Without DATABASE_URL the process starts an embedded PostgreSQL in /data/pg. PostgreSQL refuses to
# run as root, so the image runs as the unprivileged `node` user (uid 1000), which owns /data; the app
# files stay root's, read-only to it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM goes straight to node (exec form, no shell), which closes HTTP, jobs, pools and PostgreSQL.
CMD ["node", "build/server.js"]
