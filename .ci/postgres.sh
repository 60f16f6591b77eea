#!/usr/bin/env bash
# A PostgreSQL server for the tests of `adsterra sync`: Debian's package, installed when missing,
# its cluster in .tools/postgres (which git ignores). It listens on a Unix socket in that folder
# and, with TLS on, on a TCP port of 127.0.0.1 only. The port is free when the server starts
# (written in postmaster.pid), so a server left by an old clone at the same path never shares a
# socket file with this one.
#
# TLS: at the cluster's creation, openssl makes a CA of its own (.tools/postgres/tls/ca.crt) and
# the server's certificate for `localhost`, signed by it. A test connects with
#   postgres://USER@localhost:PORT/postgres?sslmode=verify-full&sslrootcert=.tools/postgres/tls/ca.crt
#
# Prints the socket's connection string (`host=… port=… user=… dbname=postgres`), which the tests
# take from ADSTERRA_TEST_POSTGRES. .ci/run starts it before the tests and stops it with
# `.ci/postgres.sh stop`. A test run without the variable runs `.ci/postgres.sh --until PID`:
# a server this call starts is stopped once process PID (the test run) has ended. `--dir DIR`
# puts a server of its own in DIR instead (a test that stops its server mid-sync).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/postgres"
action=start
until_pid=
while [ $# -gt 0 ]; do
  case "$1" in
    stop) action=stop ;;
    --until) until_pid="$2"; shift ;;
    --dir) dir="$2"; shift ;;
    *) echo "usage: $0 [stop] [--until PID] [--dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ ! -x "$bin/pg_ctl" ] || ! command -v openssl >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql openssl >/dev/null
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
pg_ctl() { as_server "$bin/pg_ctl" --pgdata="$dir/data" "$@"; }

if [ "$action" = stop ]; then
  pg_ctl --mode=fast stop >/dev/null 2>&1 || true
  exit 0
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_server "$bin/initdb" --pgdata="$dir/data" --username="$user" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
if [ ! -f "$dir/tls/server.crt" ]; then
  # Made by the server's user: it reads only a key that it owns, with no access for others.
  as_server mkdir -p "$dir/tls"
  as_server bash -c "cd '$dir/tls' && umask 077 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=adsterra test CA' \
      -keyout ca.key -out ca.crt 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key -out server.csr 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost\n' > server.ext &&
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null &&
    chmod 644 ca.crt server.crt"
fi
if ! pg_ctl status >/dev/null 2>&1; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Durability is not what the tests measure.
  pg_ctl --log="$dir/server.log" --wait \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' \
        -c ssl=on -c ssl_cert_file='$dir/tls/server.crt' -c ssl_key_file='$dir/tls/server.key' \
        -c fsync=off -c full_page_writes=off" \
    start >/dev/null
  if [ -n "$until_pid" ]; then
    # Detached, its output nowhere: the caller reads this script's output to its end.
    nohup bash -c "while kill -0 $until_pid 2>/dev/null; do sleep 1; done; $(declare -f as_server pg_ctl)
      bin='$bin' dir='$dir' pg_ctl --mode=fast stop" >/dev/null 2>&1 &
  fi
fi
# The 4th line of postmaster.pid is the port the running server listens on.
port=$(sed -n 4p "$dir/data/postmaster.pid")
echo "host=$dir port=$port user=$user dbname=postgres"
