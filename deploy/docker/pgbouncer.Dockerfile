# syntax=docker/dockerfile:1
# PgBouncer in transaction mode, from Debian's package: the same binary and version the
# PgBouncer pass of `npm test` runs the integration suites through. Build from the root:
#   docker build -f deploy/docker/pgbouncer.Dockerfile -t strata-pgbouncer .
# Its configuration is written from the environment at start (deploy/pgbouncer/entrypoint.sh).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
# A fixed uid/gid (999, as the official postgres image) made before the package would make
# one at random: Kubernetes can only verify runAsNonRoot for a numeric USER.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --shell /bin/sh postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends pgbouncer \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 0700 /var/run/strata-pgbouncer
COPY --chmod=0755 deploy/pgbouncer/entrypoint.sh /usr/local/bin/strata-pgbouncer
# PgBouncer refuses to run as root anyway.
USER 999:999
ENV PGBOUNCER_CONFIG_DIR=/var/run/strata-pgbouncer \
    PGBOUNCER_PORT=6432
EXPOSE 6432
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PGBOUNCER_PORT}"]
# SIGINT is PgBouncer's safe shutdown (PAUSE, then exit once transactions have finished);
# SIGTERM would drop them at once.
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/strata-pgbouncer"]
