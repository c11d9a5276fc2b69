# One image for the API, the worker and the migration step; docker-compose.yml picks the command.
# It carries only what those three run: the built apps/api (with the static pages it serves,
# apps/web/dist), apps/worker and packages/{core,config,db,queue} (with the queue's Lua scripts and
# the SQL migrations) and their production dependencies. No bench/faults/load/redis-cluster
# scripts, no packages/testkit, no dev dependencies (Jest, TypeScript, Turborepo, the Prisma CLI).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: everything the runtime workspaces need to compile ---------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json prisma.config.ts ./
COPY apps ./apps
COPY packages ./packages
COPY prisma ./prisma
COPY scripts ./scripts
# No install script is needed to build (prisma generate takes Node as its engine, see
# scripts/prisma-generate.mjs); skipping them keeps the build off the network after the download.
RUN npm ci --ignore-scripts --no-audit --no-fund
# The API, the worker and the migration CLI (packages/db), with the packages they depend on, and the
# pages the API serves (apps/web, built by Vite into static files).
RUN npx turbo run build --filter=@ticketing/api --filter=@ticketing/worker --filter=@ticketing/db --filter=@ticketing/web
# The runtime files only: package.json files (module type, exports), dist/ (the Prisma client is
# compiled into packages/db/dist/generated), the Lua scripts packages/queue/dist reads from ../lua,
# and the migrations packages/db/dist/migrations reads from prisma/migrations.
RUN mkdir /out && cp -a --parents package.json \
      apps/api/package.json apps/api/dist apps/web/dist \
      apps/worker/package.json apps/worker/dist \
      packages/core/package.json packages/core/dist \
      packages/config/package.json packages/config/dist \
      packages/db/package.json packages/db/dist \
      packages/queue/package.json packages/queue/dist packages/queue/lua \
      prisma/migrations \
      /out/

# --- deps: production node_modules of the runtime workspaces only ------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY packages/config/package.json packages/config/
COPY packages/db/package.json packages/db/
COPY packages/queue/package.json packages/queue/
# --omit=optional as well as dev: the root's dev dependencies prisma and typescript are also
# optional peers of @prisma/client, which npm keeps under --omit=dev alone. The only optional
# runtime package it drops is msgpackr-extract, a decoder speed-up; BullMQ only encodes.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
      --workspace=@ticketing/api --workspace=@ticketing/worker --workspace=@ticketing/db

# --- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
USER node
EXPOSE 3000
# Ready when MySQL and Redis both answer (GET /readyz). Only the API serves HTTP: compose turns
# this off for the worker and the migration.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The heap is bounded as npm start bounds it (WATCH_MAX held polls plus a flood fit, see test/faults);
# docker-compose runs the worker with the same limit.
CMD ["node", "--max-old-space-size=1024", "--max-semi-space-size=16", "apps/api/dist/main.js"]
