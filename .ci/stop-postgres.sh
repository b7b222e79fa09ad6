#!/usr/bin/env bash
# Stops the cluster started by start-postgres.sh and removes it.
dir=$(realpath -m "$1")
cd /
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ -d "$dir/data" ] && as_postgres /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1
rm -rf "$dir"
exit 0
