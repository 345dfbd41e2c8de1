#!/usr/bin/env bash
# Benchmark for issue 6: sqlite2pg against PostgreSQL's own COPY (the floor) and pgloader,
# on a deterministic, app-like SQLite database, in one go on one machine.
#
# Everything runs against a private PostgreSQL cluster (scripts/pg_cluster.sh) that is
# stopped and removed on exit. Each contender loads into a fresh database each run; the
# set-up (CREATE DATABASE, schema) is not timed; the load is timed with /usr/bin/time -v
# and then checked: every table's row count must equal the source's, else FAILED.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/.." && pwd -P)
BENCH_SQL_DIR=$SCRIPT_DIR/bench

SIZE_MB=1000
RUNS=2
OUT=""
SKIP_PGLOADER=0
WORK_DIR=/tmp/sqlite2pg-bench
PGLOADER_HEAP_MB=4096
RUN_TIMEOUT=3600

# Parents first: the order the floor's \copy uses with foreign keys in place.
TABLES=(users tags posts events attachments post_tags follows)
IDENTITY_TABLES=(users tags posts events attachments)

# Same for every contender; applied with ALTER SYSTEM + reload. Without them a 1 GB load
# spends its time in checkpoints forced by the 1 GB default max_wal_size, which would
# measure the cluster's configuration rather than the loaders.
PG_SETTINGS=("max_wal_size=8GB" "min_wal_size=1GB" "checkpoint_timeout=1h")

usage() {
    cat <<USAGE
Usage: scripts/bench.sh [--size-mb N] [--runs R] [--out FILE] [--skip-pgloader]
                        [--work-dir DIR] [--pgloader-heap-mb M] [--timeout S]

Benchmarks sqlite2pg against the floor (psql \\copy of the already-converted data) and
pgloader, on a generated SQLite database of about N MB (10^6 bytes), each contender R
times into a fresh database, round-robin. Contenders:
  floor-full          psql \\copy into the full schema (indexes + FKs in place), 1 transaction
  floor-bare+build    psql \\copy into bare tables (PKs only), then CREATE INDEX + ADD FOREIGN KEY,
                      timed together, 1 transaction
  floor-2par+build    bare tables, two psql processes loading tables at once, then indexes + FKs
  floor-2par-freeze+build  the same, each lane truncating its tables in its transaction and
                      loading them with COPY ... (FREEZE), as sqlite2pg does where it can
  pgloader-existing   pgloader WITH data only into the full schema (heap: --pgloader-heap-mb)
  pgloader-create     pgloader creating tables, indexes and FKs itself in an empty database
  sqlite2pg-existing  sqlite2pg migrate DB URL -q into the full schema
  sqlite2pg-create    sqlite2pg migrate DB URL --create-schema -q into an empty database
                      (only if 'sqlite2pg migrate --help' lists --create-schema)
  sqlite2pg-create-json  the same with the column types pgloader-create chooses where they
                      differ in cost: --cast 'type:JSON=json' --varchar-as-text (json is
                      only syntax-checked, jsonb is parsed into its binary form); compared
                      with pgloader-create for information, not a target
  sqlite2pg-verify    sqlite2pg verify DB URL --full -q on the database each sqlite2pg-existing
                      run has just loaded (after CHECKPOINT + sync, like every run); its ratio
                      to sqlite2pg-existing is issue 4's "verify --full takes less time than
                      migrating" (target < 1)
Prints wall time, rows/s, MB/s (source file size / wall), peak RSS of the client process
tree (not the server's), exit status, best of runs and the ratios of issue 6, and writes
them to FILE (default: bench-results/<date>-<N>mb.txt in the repository) and FILE's .tsv.

Options:
  --size-mb N          source database size, about N MB (default $SIZE_MB)
  --runs R             runs per contender (default $RUNS)
  --out FILE           results file (the .tsv goes next to it)
  --skip-pgloader      leave out both pgloader contenders
  --work-dir DIR       cache of generated databases and per-run logs (default $WORK_DIR);
                       the database is reused when size and generator are unchanged
  --pgloader-heap-mb M SBCL dynamic space for pgloader (default $PGLOADER_HEAP_MB; pgloader's
                       built-in default of 1024 runs out of heap on large files)
  --timeout S          kill a run after S seconds, counted as FAILED (default $RUN_TIMEOUT)
  -h, --help           this text

Environment:
  SQLITE2PG_BIN        use this binary instead of building (e.g. when the tree is mid-edit)
  SQLITE2PG_BUILD_DIR  build directory when building (default: <repo>/build)
Installs missing Debian packages (sqlite3, time, postgresql, pgloader; build dependencies
via scripts/install_deps.sh when building). Needs root or passwordless sudo for that.
Exit status: 0 when every floor and sqlite2pg run succeeded (pgloader failures are
results, not errors), 1 otherwise, 2 on bad usage.
USAGE
}

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "bench.sh [$(date +%H:%M:%S)] $*" >&2; }

need_value() { [[ $# -ge 2 && -n "$2" ]] || { echo "bench.sh: $1 needs a value" >&2; usage >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mb) need_value "$@"; SIZE_MB=$2; shift 2 ;;
        --runs) need_value "$@"; RUNS=$2; shift 2 ;;
        --out) need_value "$@"; OUT=$2; shift 2 ;;
        --skip-pgloader) SKIP_PGLOADER=1; shift ;;
        --work-dir) need_value "$@"; WORK_DIR=$2; shift 2 ;;
        --pgloader-heap-mb) need_value "$@"; PGLOADER_HEAP_MB=$2; shift 2 ;;
        --timeout) need_value "$@"; RUN_TIMEOUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for v in SIZE_MB RUNS PGLOADER_HEAP_MB RUN_TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: ${v,,} must be a positive integer, got '${!v}'" >&2; exit 2; }
done

# The cluster owner (a system user, when run as root) must be able to traverse WORK_DIR.
mkdir -p "$WORK_DIR"
chmod 755 "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd -P)
STAMP=$(date +%Y%m%d-%H%M%S)
if [[ -z "$OUT" ]]; then
    OUT=$REPO/bench-results/$STAMP-${SIZE_MB}mb.txt
fi
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd -P)/$(basename "$OUT")
TSV=${OUT%.txt}.tsv
LOG_DIR=$WORK_DIR/logs/$STAMP-${SIZE_MB}mb
mkdir -p "$LOG_DIR"
: >"$OUT"

# Prints to the terminal and appends to the results file.
say() { printf '%s\n' "$*" | tee -a "$OUT"; }

# Ambient libpq variables must not redirect any connection made below: every tool gets
# an explicit conninfo or URL.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE \
      PGSERVICEFILE PGOPTIONS PGSSLMODE PGTZ PGDATESTYLE DATABASE_URL

# ---------------------------------------------------------------------------- packages
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
    else die "not root and no passwordless sudo; run: sudo apt-get install -y ${*: -1}"
    fi
}

ensure_packages() {
    local p status missing=()
    for p in "$@"; do
        # "install ok installed" is the only state in which the files are really there.
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found; this script is for Debian"
pkgs=(sqlite3 time postgresql postgresql-client)
(( SKIP_PGLOADER )) || pkgs+=(pgloader)
ensure_packages "${pkgs[@]}"

# ------------------------------------------------------------------------------- build
if [[ -n "${SQLITE2PG_BIN:-}" ]]; then
    [[ -x "$SQLITE2PG_BIN" ]] || die "SQLITE2PG_BIN=$SQLITE2PG_BIN is not executable"
    BIN=$(cd "$(dirname "$SQLITE2PG_BIN")" && pwd -P)/$(basename "$SQLITE2PG_BIN")
    log "using SQLITE2PG_BIN=$BIN (not building)"
else
    build_dir=${SQLITE2PG_BUILD_DIR:-$REPO/build}
    bash "$REPO/scripts/install_deps.sh" >&2
    log "building sqlite2pg (Release) in $build_dir"
    # A failed build must not silently benchmark a stale binary.
    if ! { cmake -S "$REPO" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >&2 &&
           cmake --build "$build_dir" -j2 --target sqlite2pg >&2; }; then
        die "build failed (tree mid-edit?); set SQLITE2PG_BIN=/path/to/sqlite2pg to benchmark an existing binary"
    fi
    BIN=$build_dir/sqlite2pg
fi
"$BIN" --version >/dev/null 2>&1 || die "$BIN --version failed"
HAS_CREATE_SCHEMA=0
# Captured first: with pipefail, grep -q closing the pipe early could fail the pipeline.
migrate_help=$("$BIN" migrate --help 2>/dev/null || true)
if grep -q -- '--create-schema' <<<"$migrate_help"; then HAS_CREATE_SCHEMA=1; fi

# ------------------------------------------------------------------- source database
# Rows per MB (10^6 bytes) of file, calibrated so that the file lands near the requested
# size; about 3.0M rows per GB, close to the 4.8M rows / 1.46 GB of issue 6's reference.
# Minimums keep tiny sizes valid (tags > 4*37 for distinct post_tags pairs; users > the
# follows rounds).
n_users=$(( SIZE_MB * 40 > 200 ? SIZE_MB * 40 : 200 ))
n_tags=$(( 200 + (SIZE_MB < 4800 ? SIZE_MB : 4800) ))
n_posts=$(( SIZE_MB * 150 > 500 ? SIZE_MB * 150 : 500 ))
n_events=$(( SIZE_MB * 1700 ))
n_attachments=$(( SIZE_MB * 20 ))
n_follows=$(( SIZE_MB * 600 ))

# Keyed by size and by the generator's text, so an edited generator never reuses a stale file.
gen_hash=$(sha256sum "$BENCH_SQL_DIR/sqlite_gen.sql" | cut -c1-10)
SRC_DB=$WORK_DIR/bench-${SIZE_MB}mb-$gen_hash.db
if [[ -f "$SRC_DB" ]]; then
    log "reusing $SRC_DB"
else
    log "generating $SRC_DB (users=$n_users posts=$n_posts events=$n_events attachments=$n_attachments follows=$n_follows tags=$n_tags)"
    tmp_db=$SRC_DB.tmp.$$
    rm -f "$tmp_db"
    sed -e "s/@USERS@/$n_users/g; s/@TAGS@/$n_tags/g; s/@POSTS@/$n_posts/g" \
        -e "s/@EVENTS@/$n_events/g; s/@ATTACHMENTS@/$n_attachments/g; s/@FOLLOWS@/$n_follows/g" \
        "$BENCH_SQL_DIR/sqlite_gen.sql" | sqlite3 -bail "$tmp_db" >/dev/null \
        || { rm -f "$tmp_db"; die "generating the SQLite database failed"; }
    mv "$tmp_db" "$SRC_DB"   # only a complete file ever carries the cache name
fi
chmod 644 "$SRC_DB"
SRC_BYTES=$(stat -c %s "$SRC_DB")
SRC_MB=$(awk -v b="$SRC_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')

declare -A SRC_COUNT=()
TOTAL_ROWS=0
for t in "${TABLES[@]}"; do
    SRC_COUNT[$t]=$(sqlite3 "$SRC_DB" "SELECT count(*) FROM $t")
    TOTAL_ROWS=$(( TOTAL_ROWS + SRC_COUNT[$t] ))
done

# ---------------------------------------------------------------------------- cluster
CLUSTER_DIR=$(mktemp -d /tmp/sqlite2pg-bench-pg.XXXXXX)
COPY_DIR=$WORK_DIR/copy-$STAMP.$$
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    rm -rf -- "$COPY_DIR"
    bash "$REPO/scripts/pg_cluster.sh" stop "$CLUSTER_DIR" >/dev/null 2>&1 \
        || rmdir "$CLUSTER_DIR" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting a private PostgreSQL cluster in $CLUSTER_DIR"
bash "$REPO/scripts/pg_cluster.sh" start "$CLUSTER_DIR" >/dev/null
PG_PORT=$(sed -n "s/^export PGPORT='\(.*\)'$/\1/p" "$CLUSTER_DIR/env")
PG_BINDIR=$(sed -n "s/^export PG_BINDIR='\(.*\)'$/\1/p" "$CLUSTER_DIR/env")
[[ -n "$PG_PORT" && -n "$PG_BINDIR" ]] || die "could not read $CLUSTER_DIR/env"
PSQL=$PG_BINDIR/psql
[[ -x "$PSQL" ]] || PSQL=$(command -v psql)
SU_CONN="host=$CLUSTER_DIR/sock port=$PG_PORT user=postgres dbname=postgres"
APP_PASSWORD=s3cret-pw   # set by pg_cluster.sh for its throwaway cluster
app_conn() { echo "host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD dbname=$1"; }
app_url() { echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/$1"; }
# client_min_messages: no "does not exist, skipping" notices from DROP ... IF EXISTS
su_sql() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$SU_CONN" -c "$1"; }

for s in "${PG_SETTINGS[@]}"; do
    su_sql "ALTER SYSTEM SET ${s%%=*} = '${s#*=}'" >/dev/null
done
su_sql "SELECT pg_reload_conf()" >/dev/null

# A database owned by app (so the loaders run as a plain owner, no superuser), with the
# given schema parts loaded by app: full = tables+indexes+FKs, bare = tables+PKs, none.
fresh_db() {
    local db=$1 schema=$2 f
    su_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    su_sql "CREATE DATABASE $db OWNER app" >/dev/null
    local files=()
    case "$schema" in
        full) files=(pg_tables.sql pg_indexes.sql pg_fks.sql) ;;
        bare) files=(pg_tables.sql) ;;
        none) ;;
        *) die "unknown schema variant $schema" ;;
    esac
    for f in ${files[@]+"${files[@]}"}; do
        "$PSQL" -X -q -v ON_ERROR_STOP=1 "$(app_conn "$db")" -f "$BENCH_SQL_DIR/$f" >/dev/null
    done
}

# Prints "ok" when every table of public has the source's row count, else what differs.
check_counts() {
    local db=$1 t got bad=""
    for t in "${TABLES[@]}"; do
        got=$("$PSQL" -X -q -A -t "host=$CLUSTER_DIR/sock port=$PG_PORT user=postgres dbname=$db" \
              -c "SELECT count(*) FROM public.$t" 2>/dev/null || echo missing)
        [[ "$got" == "${SRC_COUNT[$t]}" ]] || bad+="$t=$got/${SRC_COUNT[$t]} "
    done
    if [[ -z "$bad" ]]; then echo ok; else echo "rows ${bad% }"; fi
}

# ------------------------------------------------- floor: converted data, prepared untimed
log "preparing the floor's COPY files (one untimed sqlite2pg run; also warms the page cache)"
mkdir -p "$COPY_DIR"
fresh_db bench_prep full
prep_status=0
"$BIN" migrate "$SRC_DB" "$(app_url bench_prep)" -q >"$LOG_DIR/prep-sqlite2pg.out" 2>&1 || prep_status=$?
[[ $prep_status -eq 0 ]] || die "the preparatory sqlite2pg run failed (exit $prep_status); see $LOG_DIR/prep-sqlite2pg.out"
[[ "$(check_counts bench_prep)" == ok ]] || die "the preparatory sqlite2pg run lost rows: $(check_counts bench_prep)"
declare -A COPY_BYTES=()
for t in "${TABLES[@]}"; do
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "$(app_conn bench_prep)" -c "COPY $t TO STDOUT" >"$COPY_DIR/$t.copy"
    COPY_BYTES[$t]=$(stat -c %s "$COPY_DIR/$t.copy")
done
su_sql "DROP DATABASE bench_prep WITH (FORCE)" >/dev/null

# psql scripts of the floor (the same for every run; only the database changes).
copy_lines() { local t; for t in "$@"; do printf "\\\\copy %s FROM '%s'\n" "$t" "$COPY_DIR/$t.copy"; done; }
# The same with FREEZE, which needs the table truncated (or created) in the transaction.
freeze_lines() {
    local t
    printf 'TRUNCATE %s;\n' "$(IFS=,; echo "$*")"
    for t in "$@"; do printf "\\\\copy %s FROM '%s' WITH (FREEZE)\n" "$t" "$COPY_DIR/$t.copy"; done
}
# sqlite2pg and pgloader reset the sequences, so the floor does too (an index lookup each).
setval_lines() {
    local t
    for t in "${IDENTITY_TABLES[@]}"; do
        printf "SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s;\n" "$t" "$t"
    done
}
{ echo "BEGIN;"; copy_lines "${TABLES[@]}"; setval_lines; echo "COMMIT;"; } >"$LOG_DIR/floor-full.sql"
{ echo "BEGIN;"; copy_lines "${TABLES[@]}"; cat "$BENCH_SQL_DIR/pg_indexes.sql" "$BENCH_SQL_DIR/pg_fks.sql"
  setval_lines; echo "COMMIT;"; } >"$LOG_DIR/floor-bare+build.sql"
{ echo "BEGIN;"; cat "$BENCH_SQL_DIR/pg_indexes.sql" "$BENCH_SQL_DIR/pg_fks.sql"; setval_lines; echo "COMMIT;"; } \
    >"$LOG_DIR/floor-post.sql"
# Two lanes for the parallel floor: largest file first, each to the lighter lane.
lane_a=() lane_b=()
bytes_a=0 bytes_b=0
while read -r _ t; do
    if (( bytes_a <= bytes_b )); then lane_a+=("$t"); bytes_a=$(( bytes_a + COPY_BYTES[$t] ))
    else lane_b+=("$t"); bytes_b=$(( bytes_b + COPY_BYTES[$t] )); fi
done < <(for t in "${TABLES[@]}"; do echo "${COPY_BYTES[$t]} $t"; done | sort -rn)
{ echo "BEGIN;"; copy_lines "${lane_a[@]}"; echo "COMMIT;"; } >"$LOG_DIR/floor-lane-a.sql"
{ echo "BEGIN;"; copy_lines "${lane_b[@]}"; echo "COMMIT;"; } >"$LOG_DIR/floor-lane-b.sql"
{ echo "BEGIN;"; freeze_lines "${lane_a[@]}"; echo "COMMIT;"; } >"$LOG_DIR/floor-freeze-lane-a.sql"
{ echo "BEGIN;"; freeze_lines "${lane_b[@]}"; echo "COMMIT;"; } >"$LOG_DIR/floor-freeze-lane-b.sql"

# ----------------------------------------------------------------------------- pgloader
PGLOADER_NOTE=""
if (( ! SKIP_PGLOADER )); then
    PGLOADER_VERSION="$(dpkg-query -W -f='${Version}' pgloader 2>/dev/null) ($(pgloader --version 2>/dev/null | tr '\n' ' ' | sed 's/ *$//'))"
    # The Debian binary is an SBCL core that still accepts SBCL's runtime options; ask the
    # running image what heap it really got rather than trusting the option.
    printf '(format t "~&BENCH-HEAP-BYTES ~D~%%" (sb-ext:dynamic-space-size))\n(finish-output)\n' >"$LOG_DIR/pgloader-heap.lisp"
    heap_bytes=$(pgloader --dynamic-space-size "$PGLOADER_HEAP_MB" -l "$LOG_DIR/pgloader-heap.lisp" --dry-run \
                 "sqlite://$SRC_DB" "$(app_url postgres)" </dev/null 2>&1 | sed -n 's/^BENCH-HEAP-BYTES \([0-9]*\).*/\1/p' | head -n 1 || true)
    if [[ -n "$heap_bytes" ]]; then
        PGLOADER_NOTE="pgloader heap: --dynamic-space-size $PGLOADER_HEAP_MB -> SBCL dynamic space $(( heap_bytes / 1048576 )) MB (checked in the running image)"
    else
        PGLOADER_NOTE="pgloader heap: could not confirm --dynamic-space-size $PGLOADER_HEAP_MB (probe printed nothing; see pgloader logs)"
    fi
    pgloader_load_file() {   # db mode -> path of the .load command file
        local db=$1 mode=$2 f=$LOG_DIR/pgloader-$2-$1.load with
        if [[ $mode == existing ]]; then
            with="data only, reset sequences"
        else
            with="include drop, create tables, create indexes, foreign keys, reset sequences, downcase identifiers"
        fi
        cat >"$f" <<PGLOADER_COMMANDS
LOAD DATABASE
     FROM sqlite://$SRC_DB
     INTO $(app_url "$db")
     WITH $with;
PGLOADER_COMMANDS
        echo "$f"
    }
fi

# -------------------------------------------------------------------------- contenders
CONTENDERS=(floor-full floor-bare+build floor-2par+build floor-2par-freeze+build)
(( SKIP_PGLOADER )) || CONTENDERS+=(pgloader-existing pgloader-create)
CONTENDERS+=(sqlite2pg-existing)
(( HAS_CREATE_SCHEMA )) && CONTENDERS+=(sqlite2pg-create sqlite2pg-create-json)
# Not run on its own: each sqlite2pg-existing run is followed by it, on the loaded database.
REPORTED=("${CONTENDERS[@]}" sqlite2pg-verify)

schema_of() {
    case "$1" in
        floor-full|pgloader-existing|sqlite2pg-existing) echo full ;;
        floor-bare+build|floor-2par+build|floor-2par-freeze+build) echo bare ;;
        *) echo none ;;
    esac
}

# Writes the shell script a timed run executes (kept in the log directory, so the exact
# command of every number can be rerun by hand). Single commands are exec'd, so the peak
# RSS measured is that process's own.
write_runner() {
    local c=$1 db=$2 f=$3 conn psql_cmd
    conn=$(app_conn "$db")
    printf -v psql_cmd '%q -X -q -v ON_ERROR_STOP=1 %q' "$PSQL" "$conn"
    {
        echo "#!/usr/bin/env bash"
        echo "set -euo pipefail"
        case "$c" in
            floor-full|floor-bare+build)
                echo "exec $psql_cmd -f $(printf %q "$LOG_DIR/$c.sql")" ;;
            floor-2par+build)
                echo "$psql_cmd -f $(printf %q "$LOG_DIR/floor-lane-a.sql") & a=\$!"
                echo "$psql_cmd -f $(printf %q "$LOG_DIR/floor-lane-b.sql") & b=\$!"
                echo "wait \$a; wait \$b"
                echo "exec $psql_cmd -f $(printf %q "$LOG_DIR/floor-post.sql")" ;;
            floor-2par-freeze+build)
                echo "$psql_cmd -f $(printf %q "$LOG_DIR/floor-freeze-lane-a.sql") & a=\$!"
                echo "$psql_cmd -f $(printf %q "$LOG_DIR/floor-freeze-lane-b.sql") & b=\$!"
                echo "wait \$a; wait \$b"
                echo "exec $psql_cmd -f $(printf %q "$LOG_DIR/floor-post.sql")" ;;
            pgloader-existing|pgloader-create)
                local lf mode=${c#pgloader-}
                lf=$(pgloader_load_file "$db" "$mode")
                printf 'exec pgloader --dynamic-space-size %q --root-dir %q --logfile %q %q\n' \
                    "$PGLOADER_HEAP_MB" "$LOG_DIR/pgloader-root" "${f%.sh}.pgloader.log" "$lf" ;;
            sqlite2pg-existing)
                printf 'exec %q migrate %q %q -q\n' "$BIN" "$SRC_DB" "$(app_url "$db")" ;;
            sqlite2pg-create)
                printf 'exec %q migrate %q %q --create-schema -q\n' "$BIN" "$SRC_DB" "$(app_url "$db")" ;;
            sqlite2pg-create-json)
                printf 'exec %q migrate %q %q --create-schema --cast type:JSON=json --varchar-as-text -q\n' \
                    "$BIN" "$SRC_DB" "$(app_url "$db")" ;;
            sqlite2pg-verify)
                printf 'exec %q verify %q %q --full -q\n' "$BIN" "$SRC_DB" "$(app_url "$db")" ;;
        esac
    } >"$f"
}

# "h:mm:ss.ss" or "m:ss.ss" -> seconds
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"; }

printf 'contender\trun\twall_s\trows_per_s\tmb_per_s\tpeak_rss_mb\texit\tstatus\n' >"$TSV"
declare -A BEST_WALL=() PEAK_RSS=() ANY_FAIL=()
OVERALL_FAIL=0
VERIFY_RATIOS=()   # sqlite2pg-verify / sqlite2pg-existing, per run where both succeeded

# Runs the contender's runner script under /usr/bin/time; sets WALL, RSS, STATUS.
timed_run() {
    local c=$1 run=$2 db=$3 runner=$LOG_DIR/$1-r$2.sh tf=$LOG_DIR/$1-r$2.time out=$LOG_DIR/$1-r$2.out
    write_runner "$c" "$db" "$runner"
    # Previous runs' dirty pages must not be written back on this run's clock.
    su_sql "CHECKPOINT" >/dev/null
    sync
    log "run $run/$RUNS: $c"
    STATUS=0
    /usr/bin/time -v -o "$tf" timeout --kill-after=30 "$RUN_TIMEOUT" bash "$runner" </dev/null >"$out" 2>&1 || STATUS=$?
    WALL=$(to_seconds "$(sed -n 's/^\s*Elapsed (wall clock) time ([^)]*): //p' "$tf")")
    RSS=$(awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$tf")
}

# Adds one run's line to the TSV and the best/peak tallies.
record() {
    local c=$1 run=$2 wall=$3 rss=$4 status=$5 result=$6 rows_s mb_s
    if [[ "$result" == ok ]]; then
        rows_s=$(awk -v r="$TOTAL_ROWS" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? r / w : 0) }')
        mb_s=$(awk -v m="$SRC_MB" -v w="$wall" 'BEGIN { printf "%.1f", (w > 0 ? m / w : 0) }')
        if [[ -z "${BEST_WALL[$c]:-}" ]] || awk -v a="$wall" -v b="${BEST_WALL[$c]}" 'BEGIN { exit !(a < b) }'; then
            BEST_WALL[$c]=$wall
        fi
    else
        rows_s=-; mb_s=-
        ANY_FAIL[$c]=1
        [[ $c == pgloader-* ]] || OVERALL_FAIL=1
        log "$c run $run: $result (output: $LOG_DIR/$c-r$run.out)"
    fi
    if [[ -n "$rss" ]] && { [[ -z "${PEAK_RSS[$c]:-}" ]] || awk -v a="$rss" -v b="${PEAK_RSS[$c]}" 'BEGIN { exit !(a > b) }'; }; then
        PEAK_RSS[$c]=$rss
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$run" "$wall" "$rows_s" "$mb_s" "$rss" "$status" "$result" >>"$TSV"
}

run_one() {
    local c=$1 run=$2 db result
    db="bench_$(tr -c 'a-z0-9\n' '_' <<<"$c")"
    fresh_db "$db" "$(schema_of "$c")"
    timed_run "$c" "$run" "$db"
    result=$(check_counts "$db")
    if [[ $STATUS -eq 124 || $STATUS -eq 137 ]]; then result="FAILED (timeout ${RUN_TIMEOUT}s)"
    elif [[ $STATUS -ne 0 ]]; then result="FAILED (exit $STATUS${result:+, $result})"
    elif [[ "$result" != ok ]]; then result="FAILED ($result)"
    fi
    record "$c" "$run" "$WALL" "$RSS" "$STATUS" "$result"
    if [[ $c == sqlite2pg-existing ]]; then
        # verify --full of what this run loaded; exit 6 means it found differences.
        if [[ "$result" == ok ]]; then
            local migrate_wall=$WALL
            timed_run sqlite2pg-verify "$run" "$db"
            if [[ $STATUS -eq 124 || $STATUS -eq 137 ]]; then result="FAILED (timeout ${RUN_TIMEOUT}s)"
            elif [[ $STATUS -eq 6 ]]; then result="FAILED (differences found)"
            elif [[ $STATUS -ne 0 ]]; then result="FAILED (exit $STATUS)"
            fi
            record sqlite2pg-verify "$run" "$WALL" "$RSS" "$STATUS" "$result"
            [[ "$result" == ok ]] && VERIFY_RATIOS+=("$(awk -v v="$WALL" -v m="$migrate_wall" 'BEGIN { printf "%.2f", (m > 0 ? v / m : 0) }')")
        else
            record sqlite2pg-verify "$run" - "" - "FAILED (the migration run failed)"
        fi
    fi
    su_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

# ------------------------------------------------------------------------------ header
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[[ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]] && dirty=" (working tree modified)"
say "sqlite2pg benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "command:    scripts/bench.sh --size-mb $SIZE_MB --runs $RUNS$( (( SKIP_PGLOADER )) && echo ' --skip-pgloader') --pgloader-heap-mb $PGLOADER_HEAP_MB"
say "machine:    $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "sqlite2pg:  $BIN, $("$BIN" --version 2>&1 | head -n 1), commit $commit$dirty"
say "source:     $SRC_DB"
say "            $SRC_MB MB, $TOTAL_ROWS rows: $(for t in "${TABLES[@]}"; do printf '%s=%s ' "$t" "${SRC_COUNT[$t]}"; done)"
say "PostgreSQL: $("$PG_BINDIR/postgres" --version | awk '{print $3}'), private cluster (scripts/pg_cluster.sh), TCP 127.0.0.1 as role app for every contender"
say "settings:   $(su_sql "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_wal_size','min_wal_size','checkpoint_timeout','maintenance_work_mem','max_parallel_maintenance_workers','wal_level','work_mem')")"
say "            (pg_cluster.sh sets fsync/synchronous_commit/full_page_writes off; bench.sh adds ${PG_SETTINGS[*]} via ALTER SYSTEM; same for all contenders)"
if (( SKIP_PGLOADER )); then
    say "pgloader:   skipped (--skip-pgloader)"
else
    say "pgloader:   $PGLOADER_VERSION; $PGLOADER_NOTE"
    say "            data only into the existing schema drops its foreign keys and recreates them after the load (pgloader's own behaviour)"
fi
(( HAS_CREATE_SCHEMA )) || say "sqlite2pg-create: not run ('$BIN migrate --help' does not list --create-schema)"
say "floor:      COPY text files made from one untimed sqlite2pg load ($(du -sh "$COPY_DIR" | cut -f1)); 2par lanes: [${lane_a[*]}] [${lane_b[*]}]"
say "method:     fresh database per run (set-up untimed), CHECKPOINT + sync before each run, runs round-robin;"
say "            wall and peak RSS of the client process tree from /usr/bin/time -v; row counts checked after each run"
say "            sqlite2pg-verify: verify --full of the database each sqlite2pg-existing run loaded (migrate's own"
say "            default --verify sample is part of sqlite2pg-existing's time)"
say "logs:       $LOG_DIR"
say ""

# -------------------------------------------------------------------------------- runs
for ((run = 1; run <= RUNS; run++)); do
    for c in "${CONTENDERS[@]}"; do
        run_one "$c" "$run"
    done
done

# ------------------------------------------------------------------------------ report
fmt_row() { printf '%-23s %4s %9s %10s %8s %12s %5s  %s\n' "$@"; }
say "$(fmt_row contender run "wall s" "rows/s" "MB/s" "peak RSS MB" exit status)"
while IFS=$'\t' read -r c run wall rows_s mb_s rss status result; do
    [[ $c == contender ]] && continue
    say "$(fmt_row "$c" "$run" "$wall" "$rows_s" "$mb_s" "$rss" "$status" "$result")"
done <"$TSV"
say ""
say "best of runs (peak RSS: highest of the runs)"
for c in "${REPORTED[@]}"; do
    if [[ -n "${BEST_WALL[$c]:-}" ]]; then
        w=${BEST_WALL[$c]}
        say "$(fmt_row "$c" best "$w" "$(awk -v r="$TOTAL_ROWS" -v w="$w" 'BEGIN { printf "%.0f", r / w }')" \
            "$(awk -v m="$SRC_MB" -v w="$w" 'BEGIN { printf "%.1f", m / w }')" "${PEAK_RSS[$c]}" - \
            "$([[ -n "${ANY_FAIL[$c]:-}" ]] && echo "some runs FAILED" || echo ok)")"
    else
        say "$(fmt_row "$c" best - - - "${PEAK_RSS[$c]:-?}" - "FAILED in every run")"
    fi
done

# Best floor: the fastest of the floor variants that finished (they all end with the same
# schema, indexes and FKs; issue 6 compares with the "built after" ones).
best_floor="" best_floor_name=""
for c in floor-full floor-bare+build floor-2par+build floor-2par-freeze+build; do
    w=${BEST_WALL[$c]:-}
    [[ -n "$w" ]] || continue
    if [[ -z "$best_floor" ]] || awk -v a="$w" -v b="$best_floor" 'BEGIN { exit !(a < b) }'; then
        best_floor=$w; best_floor_name=$c
    fi
done
ratio() {   # label numerator-contender denominator-wall denominator-name target-op target
    local label=$1 num=${BEST_WALL[$2]:-} den=$3 dname=$4 op=$5 target=$6 r verdict
    if [[ -z "$num" || -z "$den" ]]; then
        say "$(printf '%-38s n/a (%s or %s has no successful run)' "$label" "$2" "$dname")"
        return
    fi
    r=$(awk -v a="$num" -v b="$den" 'BEGIN { printf "%.2f", a / b }')
    if awk -v r="$r" -v t="$target" -v op="$op" 'BEGIN { exit !((op == "<=") ? r <= t : (op == "<") ? r < t : r >= t) }'; then
        verdict="meets target $op $target"
    else
        verdict="MISSES target $op $target"
    fi
    say "$(printf '%-38s %6s  (%s s / %s s; %s)' "$label" "$r" "$num" "$den" "$verdict")"
}
say ""
say "ratios of best wall times (issue 6 targets; issue 4 for verify)"
ratio "sqlite2pg-existing / best floor" sqlite2pg-existing "$best_floor" "${best_floor_name:-floor}" "<=" 1.2
[[ -n "$best_floor_name" ]] && say "    best floor: $best_floor_name"
if (( ! SKIP_PGLOADER )); then
    ratio "pgloader-existing / sqlite2pg-existing" pgloader-existing "${BEST_WALL[sqlite2pg-existing]:-}" sqlite2pg-existing ">=" 3
fi
if (( HAS_CREATE_SCHEMA )); then
    ratio "sqlite2pg-create / best floor" sqlite2pg-create "$best_floor" "${best_floor_name:-floor}" "<=" 1.2
    (( SKIP_PGLOADER )) || ratio "pgloader-create / sqlite2pg-create" pgloader-create "${BEST_WALL[sqlite2pg-create]:-}" sqlite2pg-create ">=" 3
    if (( ! SKIP_PGLOADER )); then
        say "    the same with pgloader's column types (json, text; information, not a target):"
        ratio "pgloader-create / sqlite2pg-create-json" pgloader-create "${BEST_WALL[sqlite2pg-create-json]:-}" sqlite2pg-create-json ">=" 3
    fi
fi
ratio "sqlite2pg-verify / sqlite2pg-existing" sqlite2pg-verify "${BEST_WALL[sqlite2pg-existing]:-}" sqlite2pg-existing "<" 1
(( ${#VERIFY_RATIOS[@]} )) && say "    verify --full / migrate, per run: ${VERIFY_RATIOS[*]}"
say "sqlite2pg peak RSS: existing ${PEAK_RSS[sqlite2pg-existing]:-?} MB$( (( HAS_CREATE_SCHEMA )) && echo ", create ${PEAK_RSS[sqlite2pg-create]:-?} MB") (target < 256 MB)"
say ""
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (timings on a busy machine are noise)"
say "results: $OUT and $TSV"
exit "$OVERALL_FAIL"
