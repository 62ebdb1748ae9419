#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests (docs/postgres.md).
#   scripts/pg-test.sh start DIR   a fresh cluster in DIR/data, its socket in DIR, no TCP, trust
#                                  for local connections; prints nothing on success. Connect with
#                                  postgresql:///postgres?host=DIR&user=postgres
#   scripts/pg-test.sh stop DIR    stops it (fast shutdown) and removes DIR
# Both are idempotent: start replaces whatever DIR held (a server left running by a killed run is
# stopped first), stop of nothing succeeds. initdb and the server refuse to run as root, so as
# root they run as the Debian `postgres` user; when that user cannot reach DIR (a checkout under
# /root), the cluster lives in a directory under /tmp and DIR is a link to it.
set -euo pipefail

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
# Absolute, but not resolved: DIR may be a link that this script made.
dir=$(realpath -m -- "$(dirname -- "$2")")/$(basename -- "$2")

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The cluster's real directory: DIR, or where DIR links to.
real_dir() {
  if [ -L "$dir" ]; then readlink -f -- "$dir"; else echo "$dir"; fi
}

stop() {
  local real
  real=$(real_dir)
  if [ -f "$real/data/postmaster.pid" ]; then
    # A server that is already gone leaves only its pid file: nothing to stop then.
    as_server_user "$bin/pg_ctl" -D "$real/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if [ -L "$dir" ]; then rm -rf -- "$real"; fi
  rm -rf -- "$dir"
}

start() {
  if [ ! -x "$bin/initdb" ]; then
    echo "$0: no PostgreSQL 15 in $bin (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
  stop
  mkdir -p -- "$dir"
  local real=$dir
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres -- "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      rmdir -- "$dir"
      real=$(mktemp -d /tmp/jiesu-pg.XXXXXX)
      chown postgres:postgres -- "$real"
      ln -s -- "$real" "$dir"
    fi
  fi
  # --no-sync: initdb's own files need not survive a crash of a cluster made for one test run;
  # the server itself runs with fsync on, as in production.
  if ! as_server_user "$bin/initdb" -D "$real/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync --no-instructions >"$real/initdb.log" 2>&1; then
    echo "$0: initdb failed:" >&2
    cat "$real/initdb.log" >&2
    exit 1
  fi
  cat >>"$real/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$real'
fsync = on
synchronous_commit = on
EOF
  if ! as_server_user "$bin/pg_ctl" -D "$real/data" -l "$real/server.log" -w -t 60 start \
      >/dev/null 2>&1; then
    echo "$0: the server did not start:" >&2
    tail -n 20 "$real/server.log" >&2 || true
    exit 1
  fi
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
