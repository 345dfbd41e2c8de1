#!/usr/bin/env bash
# Rows per second of sqlite2pg and pgloader on real SQLite databases (issue 6: "on the
# real databases, rows/s at least 2x pgloader's"), each creating its own schema in a
# fresh database, runs alternating. Needs a built sqlite2pg (build/ or $SQLITE2PG_BIN)
# and pgloader (scripts/bench.sh installs it). A private cluster is started and stopped.
#   scripts/bench_corpus.sh [DIR_OF_SQLITE_FILES] [RUNS]   (default ../shared/corpus, 2)
# Prints one line per run: wall time, rows/s, peak RSS, exit status and the rows the
# target holds afterwards (it must equal the source's).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${1:-$REPO/../shared/corpus}
RUNS=${2:-2}
BIN=${SQLITE2PG_BIN:-$REPO/build/sqlite2pg}
[[ -x $BIN ]] || { echo "bench_corpus.sh: no sqlite2pg at $BIN (build first)" >&2; exit 1; }
command -v pgloader >/dev/null || { echo "bench_corpus.sh: pgloader missing (scripts/bench.sh installs it)" >&2; exit 1; }
shopt -s nullglob
files=("$DIR"/*.sqlite "$DIR"/*.db)
((${#files[@]})) || { echo "bench_corpus.sh: no *.sqlite or *.db in $DIR" >&2; exit 1; }

CLUSTER=$(mktemp -d /tmp/sqlite2pg-corpus-pg.XXXXXX)
WORK=$(mktemp -d /tmp/sqlite2pg-corpus.XXXXXX)
trap 'bash "$REPO/scripts/pg_cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
bash "$REPO/scripts/pg_cluster.sh" start "$CLUSTER" >/dev/null
PORT=$(sed -n "s/^export PGPORT='\(.*\)'$/\1/p" "$CLUSTER/env")
BINDIR=$(sed -n "s/^export PG_BINDIR='\(.*\)'$/\1/p" "$CLUSTER/env")
PSQL=$BINDIR/psql
SU="host=$CLUSTER/sock port=$PORT user=postgres dbname=postgres"
APP_PASSWORD=s3cret-pw # pg_cluster.sh's throwaway role
url() { echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PORT/$1"; }
fresh() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q "$SU" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 OWNER app"; }
target_rows() {
    "$PSQL" -X -At "host=127.0.0.1 port=$PORT user=app password=$APP_PASSWORD dbname=$1" -c \
        "SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
         schemaname, tablename), false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE schemaname = 'public'"
}

for f in "${files[@]}"; do
    rows=0
    while read -r t; do
        rows=$((rows + $(sqlite3 "$f" "SELECT count(*) FROM \"${t//\"/\"\"}\"")))
    done < <(sqlite3 "$f" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    for run in $(seq 1 "$RUNS"); do
        for tool in sqlite2pg pgloader; do
            fresh corpus
            rc=0
            if [[ $tool == sqlite2pg ]]; then
                /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" migrate "$f" "$(url corpus)" --create-schema -q \
                    >"$WORK/out" 2>&1 || rc=$?
            else
                /usr/bin/time -f "%e %M" -o "$WORK/time" pgloader --dynamic-space-size 4096 --root-dir "$WORK/pgl" \
                    --logfile "$WORK/pgl.log" "sqlite://$f" "$(url corpus)" >"$WORK/out" 2>&1 || rc=$?
            fi
            read -r wall rss < <(tail -n 1 "$WORK/time")
            printf '%-24s %-9s run %d  rows %8d  wall %6.2f s  rows/s %9.0f  peak RSS %5d MB  exit %d  target rows %s\n' \
                "$(basename "$f")" "$tool" "$run" "$rows" "$wall" "$(awk -v r="$rows" -v w="$wall" 'BEGIN { print r / w }')" \
                $((rss / 1024)) "$rc" "$(target_rows corpus)"
        done
    done
done
