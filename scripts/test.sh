#!/usr/bin/env bash
# Builds sqlite2pg and runs the whole test suite against a private PostgreSQL
# cluster that lives only as long as this script (stopped on any exit).
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/test.sh [CTEST-ARGS...]

Installs missing Debian packages (scripts/install_deps.sh), rebuilds the SQLite
fixtures, builds into build/ (Release, -j2), starts a throwaway PostgreSQL cluster
(scripts/pg_cluster.sh) and runs
    ctest --test-dir build --output-on-failure -j2 [CTEST-ARGS...]
Exits with ctest's status. The cluster is stopped and removed on exit.

Then (unless SQLITE2PG_TEST_SANITIZE=0) the unit tests are built again with
AddressSanitizer and UndefinedBehaviorSanitizer (-DSQLITE2PG_SANITIZE=ON, into
build-asan/, Debug at -O1) and run with `ctest -L unit`; any finding fails the run.

The tests get:
  SQLITE2PG_TEST_PG      superuser, Unix socket:  host=DIR/sock port=P user=postgres dbname=postgres
  SQLITE2PG_TEST_APP_PG  role app (not superuser, CREATEDB), TCP with password:
                         host=127.0.0.1 port=P user=app password=s3cret-pw dbname=postgres
Examples: scripts/test.sh -L unit      scripts/test.sh -R cli
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install_deps.sh
bash scripts/make_fixtures.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2

cluster_dir=$(mktemp -d /tmp/sqlite2pg-test.XXXXXX)
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    # If start failed before marking the directory, stop refuses; remove it if empty.
    bash scripts/pg_cluster.sh stop "$cluster_dir" 2>/dev/null || rmdir "$cluster_dir" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash scripts/pg_cluster.sh start "$cluster_dir" >/dev/null

# Tests see only the two conninfo strings: ambient libpq variables (PGHOST,
# PGUSER, PGPASSWORD...) could silently redirect or authenticate a connection
# that a test means to make from its conninfo alone.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE \
      PGSERVICEFILE PGOPTIONS PGSSLMODE PGCONNECT_TIMEOUT PGAPPNAME PGTZ PGDATESTYLE
eval "$(grep -E '^export (SQLITE2PG_TEST_(APP_)?PG|PG_CLUSTER_DIR|PG_BINDIR)=' "$cluster_dir/env")"
: "${SQLITE2PG_TEST_PG:?}" "${SQLITE2PG_TEST_APP_PG:?}"
echo "test.sh: SQLITE2PG_TEST_PG=$SQLITE2PG_TEST_PG"
echo "test.sh: SQLITE2PG_TEST_APP_PG=${SQLITE2PG_TEST_APP_PG/password=* /password=*** }"

status=0
ctest --test-dir build --output-on-failure -j2 "$@" || status=$?

# The unit tests again under ASan+UBSan: memory errors and undefined behaviour in the
# converters, encoders and parsers fail CI instead of corrupting a value one day.
if [ "${SQLITE2PG_TEST_SANITIZE:-1}" = 1 ]; then
    san_start=$SECONDS
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DSQLITE2PG_SANITIZE=ON >/dev/null
    cmake --build build-asan -j2 --target unit_tests
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j2 -L unit || status=$?
    echo "test.sh: sanitizer build and unit tests took $((SECONDS - san_start)) s"
fi
exit "$status"
