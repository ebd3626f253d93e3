#!/usr/bin/env bash
# run-archive-dev.sh DEV_DIR — the consent archive for `make run`, when
# PostgreSQL is installed (Debian's postgresql; scripts/deps.sh): a cluster
# under DEV_DIR/archive-pg on a unix socket only (no TCP), the roles and
# schema, the archive keys, the dev kiosk enrolled, and ventanilla-archive
# serving mutual TLS on 127.0.0.1:8444 with ine-sim's development PKI.
# Without PostgreSQL it says so and exits 0 (the kiosk then only logs that
# its archive pushes fail). Stops the server and the cluster on exit.
set -euo pipefail
dev=$(realpath "$1")
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "archive:         not started (PostgreSQL is not installed: scripts/deps.sh installs it)"
  exit 0
fi
pg="$dev/archive-pg"
as=()
if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi # postgres refuses root
fresh=0
if [ ! -e "$pg/data/PG_VERSION" ]; then
  mkdir -p "$pg"
  if [ "${#as[@]}" -gt 0 ]; then chown postgres: "$pg"; fi
  "${as[@]}" "$pgbin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --locale=C >"$dev/archive-initdb.log" 2>&1
  fresh=1
fi
"${as[@]}" "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -o "-c listen_addresses='' -k $pg" -w start >/dev/null
srv=""
stop() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  "${as[@]}" "$pgbin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 || true
}
trap stop EXIT INT TERM
owner="host=$pg user=postgres dbname=archive"
service="host=$pg user=ventanilla_archive dbname=archive"
if [ "$fresh" = 1 ]; then
  "$pgbin/psql" -q -h "$pg" -U postgres -d postgres -c "CREATE ROLE ventanilla_archive LOGIN" \
    -c "CREATE ROLE ventanilla_retention LOGIN" -c "CREATE DATABASE archive"
fi
bin/ventanilla-archive migrate --dsn "$owner"
mkdir -p "$dev/archive-keys"
[ -e "$dev/archive-keys/archive.key" ] || bin/ventanilla-archive keygen --key "$dev/archive-keys/archive.key" --lookup "$dev/archive-keys/lookup.key"
bin/ventanilla-archive enroll --dsn "$service" --kiosk dev-kiosk --pubkey "$dev/ine/kiosks/dev-kiosk.pub"
bin/ventanilla-archive serve --dsn "$service" --listen 127.0.0.1:8444 --cert "$dev/ine/server.pem" --key "$dev/ine/server.key" \
  --client-ca "$dev/ine/ca.pem" --archive-key "$dev/archive-keys/archive.key" --name dev >"$dev/archive.log" 2>&1 &
srv=$!
echo "archive:         https://127.0.0.1:8444 (PostgreSQL socket $pg; log $dev/archive.log)"
wait "$srv"
