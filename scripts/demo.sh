#!/usr/bin/env bash
# End-to-end demo: build sqlite2pg, start a private PostgreSQL, create the signals
# app's schema as its migrations would, migrate fixtures/signals.db into it, then
# rehearse a re-run with --dry-run --truncate. The cluster is left running so the
# result can be inspected; the script prints how to connect and how to stop it.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/demo.sh

Installs missing packages, builds build/sqlite2pg (Release), starts a throwaway
PostgreSQL cluster under /tmp, creates database "demo" owned by role "app",
loads fixtures/signals.pg.sql as app, and runs
    build/sqlite2pg migrate fixtures/signals.db postgresql://app@localhost:PORT/demo?host=SOCKDIR
    build/sqlite2pg migrate fixtures/signals.db postgresql://app:***@127.0.0.1:PORT/demo --dry-run --truncate
Exits non-zero if either run fails. The cluster keeps running afterwards.
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; "") ;; *) usage >&2; exit 2 ;; esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Dependencies"
bash scripts/install_deps.sh

step "Fixtures"
bash scripts/make_fixtures.sh signals

step "Build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
[[ -x build/sqlite2pg ]] || { echo "demo.sh: build/sqlite2pg was not built" >&2; exit 1; }

step "PostgreSQL"
cluster_dir=$(mktemp -d /tmp/sqlite2pg-demo.XXXXXX)
# Until the migration runs, a failure leaves nothing worth inspecting: clean up.
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() { bash scripts/pg_cluster.sh stop "$cluster_dir" 2>/dev/null || rmdir "$cluster_dir" 2>/dev/null || true; }
trap cleanup EXIT
bash scripts/pg_cluster.sh start "$cluster_dir" >/dev/null
# shellcheck disable=SC1091
source "$cluster_dir/env"
sock=$PGHOST
port=$PGPORT
psql_su() { psql -X -q -v ON_ERROR_STOP=1 "host=$sock port=$port user=$PGUSER dbname=postgres" "$@"; }
psql_app() { psql -X -q -v ON_ERROR_STOP=1 "host=$sock port=$port user=app dbname=demo" "$@"; }

psql_su -c "CREATE DATABASE demo OWNER app"
# The schema is created by app itself, as the app's migrations would run.
psql_app -f fixtures/signals.pg.sql
echo "database demo ready: $(psql_app -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") tables in public"

# From here on the cluster stays up, also on failure, for inspection.
trap - EXIT

status=0
url="postgresql://app@localhost:$port/demo?host=$sock"
step "Migrate: build/sqlite2pg migrate fixtures/signals.db \"$url\""
build/sqlite2pg migrate fixtures/signals.db "$url" || status=$?

if [[ $status -eq 0 ]]; then
    psql_app -c "SELECT 'tweets' AS table_name, count(*) FROM tweets
                 UNION ALL SELECT 'artifacts', count(*) FROM artifacts
                 UNION ALL SELECT 'artifact_scores', count(*) FROM artifact_scores
                 UNION ALL SELECT 'snapshots', count(*) FROM snapshots
                 UNION ALL SELECT 'cursors', count(*) FROM cursors"

    # Rehearsal over TCP with a password in the URL: the tool must not echo it.
    url_pw="postgresql://app:s3cret-pw@127.0.0.1:$port/demo"
    step "Rehearsal: build/sqlite2pg migrate fixtures/signals.db \"postgresql://app:***@127.0.0.1:$port/demo\" --dry-run --truncate"
    build/sqlite2pg migrate fixtures/signals.db "$url_pw" --dry-run --truncate || status=$?
fi

cat <<EOF_MSG

The demo cluster is still running (data in $cluster_dir).
  Connect:  psql "host=$sock port=$port user=app dbname=demo"
            psql "postgresql://app:s3cret-pw@127.0.0.1:$port/demo"
  Stop:     scripts/pg_cluster.sh stop $cluster_dir
EOF_MSG

if [[ $status -ne 0 ]]; then
    echo "demo.sh: migration failed (exit $status)" >&2
fi
exit "$status"
