#!/bin/sh
# PgBouncer's container entrypoint: writes pgbouncer.ini and the auth file from the
# environment (Compose's env file, Kubernetes' ConfigMap and Secret), then becomes PgBouncer.
# deploy/test runs this very script against the real PgBouncer and PostgreSQL.
#
#   PGBOUNCER_DB_HOST, PGBOUNCER_DB_PORT (5432), PGBOUNCER_DB_NAME   the PostgreSQL behind it
#   PGBOUNCER_DB_USER, PGBOUNCER_DB_PASSWORD   accepted from clients and used towards the server
#   PGBOUNCER_PORT (6432), PGBOUNCER_LISTEN_ADDR (0.0.0.0)
#   PGBOUNCER_DEFAULT_POOL_SIZE   server connections per database/user pair (20)
#   PGBOUNCER_RESERVE_POOL_SIZE   more when clients wait over a second (5)
#   PGBOUNCER_MAX_DB_CONNECTIONS  server connections to the database in all; the cap that
#                                 keeps every replica of PgBouncer under max_connections (40)
#   PGBOUNCER_MAX_CLIENT_CONN     client connections in all (1000)
#   PGBOUNCER_SERVER_TLS_SSLMODE  TLS towards PostgreSQL: disable, prefer, require ... (prefer)
#   DB_STATEMENT_TIMEOUT_MS       the application's statement timeout (5000): clients behind
#                                 PgBouncer cannot send it, so each server connection sets it
#   PGBOUNCER_CONFIG_DIR          where the two files are written (a tmpfs in Kubernetes)
set -eu

fail() {
  echo "strata-pgbouncer: $*" >&2
  exit 1
}
# Values end up inside pgbouncer.ini: only plain words and numbers, so none can add a line.
word() {
  case $2 in
    '' | *[!A-Za-z0-9._-]*) fail "$1 must be a host or name of letters, digits, . _ - (got '$2')" ;;
  esac
}
number() {
  case $2 in
    '' | *[!0-9]*) fail "$1 must be a whole number (got '$2')" ;;
  esac
}

: "${PGBOUNCER_DB_HOST:?is required}" "${PGBOUNCER_DB_NAME:?is required}"
: "${PGBOUNCER_DB_USER:?is required}" "${PGBOUNCER_DB_PASSWORD:?is required}"
db_port=${PGBOUNCER_DB_PORT:-5432}
port=${PGBOUNCER_PORT:-6432}
listen=${PGBOUNCER_LISTEN_ADDR:-0.0.0.0}
pool=${PGBOUNCER_DEFAULT_POOL_SIZE:-20}
reserve=${PGBOUNCER_RESERVE_POOL_SIZE:-5}
max_db=${PGBOUNCER_MAX_DB_CONNECTIONS:-40}
max_client=${PGBOUNCER_MAX_CLIENT_CONN:-1000}
sslmode=${PGBOUNCER_SERVER_TLS_SSLMODE:-prefer}
timeout=${DB_STATEMENT_TIMEOUT_MS:-5000}
dir=${PGBOUNCER_CONFIG_DIR:-/var/run/strata-pgbouncer}

word PGBOUNCER_DB_HOST "$PGBOUNCER_DB_HOST"
word PGBOUNCER_DB_NAME "$PGBOUNCER_DB_NAME"
word PGBOUNCER_DB_USER "$PGBOUNCER_DB_USER"
word PGBOUNCER_LISTEN_ADDR "$listen"
word PGBOUNCER_SERVER_TLS_SSLMODE "$sslmode"
for pair in PGBOUNCER_DB_PORT="$db_port" PGBOUNCER_PORT="$port" \
  PGBOUNCER_DEFAULT_POOL_SIZE="$pool" PGBOUNCER_RESERVE_POOL_SIZE="$reserve" \
  PGBOUNCER_MAX_DB_CONNECTIONS="$max_db" PGBOUNCER_MAX_CLIENT_CONN="$max_client" \
  DB_STATEMENT_TIMEOUT_MS="$timeout"; do
  number "${pair%%=*}" "${pair#*=}"
done

umask 077
mkdir -p "$dir"
# The auth file holds the password in plain text, which lets PgBouncer answer the client's
# SCRAM exchange and run its own towards PostgreSQL. A double quote is written twice.
password=$(printf '%s' "$PGBOUNCER_DB_PASSWORD" | sed 's/"/""/g')
printf '"%s" "%s"\n' "$PGBOUNCER_DB_USER" "$password" >"$dir/userlist.txt"

cat >"$dir/pgbouncer.ini" <<EOF
; Written by deploy/pgbouncer/entrypoint.sh at container start; edit the environment instead.
[databases]
$PGBOUNCER_DB_NAME = host=$PGBOUNCER_DB_HOST port=$db_port dbname=$PGBOUNCER_DB_NAME connect_query='SET statement_timeout = $timeout'

[pgbouncer]
listen_addr = $listen
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
admin_users = $PGBOUNCER_DB_USER
stats_users = $PGBOUNCER_DB_USER
; A server connection returns to the pool at COMMIT/ROLLBACK: no session state survives.
pool_mode = transaction
default_pool_size = $pool
reserve_pool_size = $reserve
reserve_pool_timeout = 1
max_db_connections = $max_db
max_client_conn = $max_client
server_tls_sslmode = $sslmode
server_check_delay = 30
server_lifetime = 3600
server_idle_timeout = 600
; A client waiting this long for a server connection gets an error rather than hanging.
query_wait_timeout = 30
log_connections = 0
log_disconnections = 0
EOF

exec pgbouncer "$dir/pgbouncer.ini"
