#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster in DIR on PORT and prints its URL.
# Usage: .ci/start-postgres.sh DIR PORT      Stop it with: .ci/stop-postgres.sh DIR
set -euo pipefail
dir=$(realpath -m "$1")
cd /  # runuser keeps the working directory, which the postgres user may not be able to enter
port=$2
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ]; then
  echo "installing PostgreSQL 15" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >&2
fi
rm -rf "$dir"
mkdir -p "$dir/socket"
chown -R postgres:postgres "$dir" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres "$bin/initdb" -D "$dir/data" -U trellis --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U trellis trellis_test
echo "postgres://trellis@127.0.0.1:$port/trellis_test?sslmode=disable"
