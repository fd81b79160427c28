# syntax=docker/dockerfile:1
# The API image. Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t strata-api .
# It also runs the migrations (packages/db) as a one-shot: see deploy/compose and deploy/k8s.
# It runs the esbuild bundle the stack runs (apps/api/dist/server.mjs; docs/decisions.md,
# "Deployment"); the migration one-shot runs packages/db from source through tsx.
ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace's package.json plus the lock file, and nothing else, so that the install
# layer below is rebuilt only when dependencies change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json .npmrc /manifests/

# Production dependencies of the API workspace only (tsx among them), exactly as locked.
# No install scripts: native parts (argon2) arrive as prebuilt platform packages.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace=@strata/api --ignore-scripts --no-audit --no-fund

# The bundle: every dependency (esbuild among them), the sources, one build command.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:servers -- api

FROM ${NODE_IMAGE} AS runtime
# HOST 0.0.0.0: inside a container the loopback default would refuse every other container.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and not writable by the process: the code cannot be changed at run time.
COPY --from=deps /app ./
COPY tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps/api/package.json ./apps/api/package.json
COPY --from=build /src/apps/api/dist ./apps/api/dist
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
# The node image's unprivileged user `node`, numerically, so that Kubernetes can verify
# runAsNonRoot. tsx (migrations only) keeps its transpile cache in /tmp.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs", "PORT"]
# SIGTERM starts the drain (DRAIN_DELAY_MS, then SHUTDOWN_TIMEOUT_MS): apps/api/src/server.ts.
STOPSIGNAL SIGTERM
# The heap bounds: see API_HEAP_LIMIT_MB and API_SEMI_SPACE_MB in stack/src/build/server-bundles.ts.
CMD ["node", "--enable-source-maps", "--max-old-space-size=128", "--max-semi-space-size=8", "apps/api/dist/server.mjs"]
