# syntax=docker/dockerfile:1
# The nginx front: load balancer, proxy_cache and the built front end, with the generated
# configuration (deploy/nginx/strata.conf, `npm run deploy:nginx`). Build from the root:
#   docker build -f deploy/docker/nginx.Dockerfile -t strata-nginx .
ARG NODE_IMAGE=node:20-bookworm-slim
# Debian's nginx, the same package and version the tests run the generated configuration on.
ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json .npmrc /manifests/

# The front end's build: its dependencies (Vite included) as locked, then `vite build`.
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --workspace=@strata/web --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps/web ./apps/web
RUN npm run build --workspace=@strata/web

FROM ${DEBIAN_IMAGE} AS runtime
# nginx runs as www-data, not root: the folders it writes to (pid, temp files, the proxy cache)
# belong to www-data, and the logs go to the container's stdout/stderr. No extra module: the
# API refreshes cache entries with a request header, not a purge module.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d \
 && mkdir -p /var/cache/nginx /var/lib/nginx \
 && ln -sf /dev/stdout /var/log/nginx/strata-access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && chown -R www-data:www-data /run /var/cache/nginx /var/lib/nginx /var/log/nginx
COPY deploy/nginx/strata.conf /etc/nginx/nginx.conf
COPY --from=web /app/apps/web/dist /usr/share/strata/web
# www-data (33 in every Debian), numerically, so that Kubernetes can verify runAsNonRoot.
USER 33:33
# Port 80 as a non-root user: Docker sets net.ipv4.ip_unprivileged_port_start=0 in the
# container's network namespace (deploy/compose sets it explicitly too).
EXPOSE 80
# The internal refresh listener (X-Cache-Refresh from the API and worker): never publish it.
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
# SIGQUIT: nginx's graceful shutdown (finish in-flight requests), not SIGTERM's fast one.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
