#!/usr/bin/env bash
# A PostgreSQL server for the tests of `adsterra sync`: Debian's package, installed when missing,
# its cluster in .tools/postgres (which git ignores), listening on a Unix socket in that folder
# only (no TCP port). Started when it is not running; prints the connection string the tests
# take from ADSTERRA_TEST_POSTGRES. .ci/run starts it before the tests (and stops it with
# `.ci/postgres.sh stop`); a test run without the variable runs this script itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/postgres"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ ! -x "$bin/pg_ctl" ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# The server refuses to run as root: as root, it runs as Debian's postgres user, which must be
# able to reach the folder (each folder above it gets the search bit, o+x, if it lacks it).
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  as_server() { runuser -u postgres -- "$@"; }
  chown postgres: "$dir"
  up="$dir"
  until as_server test -x "$dir"; do
    up=$(dirname "$up")
    chmod o+x "$up"
    [ "$up" = / ] && break
  done
  user=postgres
else
  as_server() { "$@"; }
  user=$(id -un)
fi

if [ "${1:-}" = stop ]; then
  as_server "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast stop >/dev/null 2>&1 || true
  exit 0
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_server "$bin/initdb" --pgdata="$dir/data" --username="$user" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_server "$bin/pg_ctl" --pgdata="$dir/data" status >/dev/null 2>&1; then
  # No TCP port, the socket in the folder; durability is not what the tests measure.
  as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off" \
    start >/dev/null
fi
echo "host=$dir user=$user dbname=postgres"
