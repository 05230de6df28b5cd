#!/usr/bin/env bash
# Start a PostgreSQL server owned by this project on 127.0.0.1 and print its URL.
#
#   scripts/postgres.sh          # install (Debian packages, only if missing), start, print URL
#   scripts/postgres.sh stop     # stop it
#   scripts/postgres.sh url      # print the URL of the running server (exit 1 if none)
#
# The cluster lives in $NARRASCOPE_PG_DIR (default /tmp/narrascope-pg-$UID): data/, the
# log, a socket folder and the port.  Authentication is "trust" for local connections
# only (listen_addresses = 127.0.0.1): a server for development and tests, not for
# production.  Use the URL with `narrascope ingest --db URL`.
set -euo pipefail

DIR=${NARRASCOPE_PG_DIR:-/tmp/narrascope-pg-$(id -u)}
DB=${NARRASCOPE_PG_DB:-narrascope}
USER_NAME=narrascope

say() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

install_postgres() {
  if [ "$(id -u)" != 0 ]; then
    say "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
    exit 1
  fi
  say "installing PostgreSQL from the Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
}

# PostgreSQL refuses to run as root: then the server runs as the 'postgres' user
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql://$USER_NAME@127.0.0.1:$(cat "$DIR/port")/$DB"; }

running() { [ -f "$DIR/port" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

BIN=$(find_bindir || true)
case "${1:-start}" in
  stop)
    if [ -n "$BIN" ] && running; then as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2; fi
    exit 0 ;;
  url)
    if [ -n "$BIN" ] && running; then url; exit 0; fi
    exit 1 ;;
  start) ;;
  *) say "usage: $0 [start|stop|url]"; exit 2 ;;
esac

if [ -z "$BIN" ]; then
  install_postgres
  BIN=$(find_bindir) || { say "no initdb found after installing postgresql"; exit 1; }
fi

if running; then url; exit 0; fi

mkdir -p "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DIR/data" -U "$USER_NAME" --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
    || { say "initdb failed:"; cat "$DIR/initdb.log" >&2; exit 1; }
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner mkdir -p "$DIR/sock"
echo "$PORT" >"$DIR/port.tmp" && mv "$DIR/port.tmp" "$DIR/port"
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k $DIR/sock -c listen_addresses=127.0.0.1" start >/dev/null \
  || { say "the server did not start:"; tail -20 "$DIR/server.log" >&2; exit 1; }
if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" "$DB"
fi
url
