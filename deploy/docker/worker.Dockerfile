# syntax=docker/dockerfile:1
# The worker image (BullMQ consumer: thumbnails, CSV imports). Build from the repository root:
#   docker build -f deploy/docker/worker.Dockerfile -t strata-worker .
# It runs the esbuild bundle the stack runs (apps/worker/dist/main.mjs; docs/decisions.md,
# "Deployment").
ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace's package.json plus the lock file: the install layer is rebuilt only when
# dependencies change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json .npmrc /manifests/

# Production dependencies of the worker workspace only. sharp's libvips comes as a prebuilt
# platform package (@img/sharp-linux-*), so no install script and no compiler are needed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace=@strata/worker --ignore-scripts --no-audit --no-fund

# The bundle: every dependency (esbuild among them), the sources, one build command.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:servers -- worker

FROM ${NODE_IMAGE} AS runtime
# A fixed port for /health, /ready and /metrics (the default 0 picks a random one, which no
# probe or scraper could find), on every interface of the container.
ENV NODE_ENV=production \
    WORKER_HOST=0.0.0.0 \
    WORKER_PORT=3001
WORKDIR /app
COPY --from=deps /app ./
COPY apps/worker/package.json ./apps/worker/package.json
COPY --from=build /src/apps/worker/dist ./apps/worker/dist
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
# `node`, numerically (Kubernetes verifies runAsNonRoot only for a numeric user).
USER 1000:1000
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs", "WORKER_PORT"]
# SIGTERM: stop taking jobs, finish or hand back the active ones (apps/worker/src/main.ts).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "apps/worker/dist/main.mjs"]
