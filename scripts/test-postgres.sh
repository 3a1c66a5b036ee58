#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests that need one.
#   eval "$(bash scripts/test-postgres.sh start)"   # exports SYNAPSE_TEST_POSTGRES_URL and SYNAPSE_TEST_POSTGRES_DIR
#   bash scripts/test-postgres.sh stop "$SYNAPSE_TEST_POSTGRES_DIR"
# Installs PostgreSQL from Debian's packages when it is missing. The server refuses to run as
# root, so as root it runs as the `postgres` user (created when missing). Trust authentication,
# fsync off: a cluster for tests, never for data.
set -euo pipefail

# The newest server that is installed: a client-only package has a bin/ folder without initdb.
pg_bin() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(shuf -i 54329-54999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port between 54329 and 54999" >&2
  return 1
}

start() {
  local bin dir port
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    # No default cluster on port 5432: the tests start their own, and nothing would stop that one.
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >> /etc/postgresql-common/createcluster.conf
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
    bin=$(pg_bin)
  fi
  [ -n "$bin" ] || { echo "PostgreSQL is not installed and could not be" >&2; return 1; }
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --create-home postgres; fi
  dir=$(mktemp -d /tmp/synapse-pg-XXXXXX)
  # Whatever fails from here on, leave no server running and no folder behind.
  trap 'stop "$dir"' ERR
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U synapse --no-sync >&2
  # Another start may take the port between the check and the bind: try the next one then.
  local tries=0
  until port=$(free_port) && as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2; do
    tries=$((tries + 1))
    [ "$tries" -lt 5 ] || { cat "$dir/server.log" >&2; return 1; }
  done
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U synapse synapse_test >&2
  trap - ERR
  echo "export SYNAPSE_TEST_POSTGRES_URL=postgres://synapse@127.0.0.1:$port/synapse_test"
  echo "export SYNAPSE_TEST_POSTGRES_DIR=$dir"
}

stop() {
  local dir=$1 bin
  bin=$(pg_bin)
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?the cluster folder}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
