#!/usr/bin/env bash
# Builds the SQLite fixture databases from the SQL kept in fixtures/:
#   fixtures/NAME.sqlite.sql  ->  fixtures/NAME.db
# The SQL is deterministic (recursive CTEs and arithmetic, no random() or 'now'),
# so reruns with the same sqlite3 produce byte-identical files.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/make_fixtures.sh [--check] [NAME...]

Rebuilds fixtures/NAME.db from fixtures/NAME.sqlite.sql with the sqlite3 CLI
(default: every fixtures/*.sqlite.sql). Existing .db files are replaced.

  --check   build twice and fail unless both builds are byte-identical
  --help    show this help
USAGE
}

check=0
names=()
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        --check) check=1 ;;
        -*) echo "make_fixtures.sh: unknown option: $arg" >&2; usage >&2; exit 2 ;;
        *) names+=("$arg") ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "make_fixtures.sh: sqlite3 CLI not found (apt-get install sqlite3, or run scripts/install_deps.sh)" >&2
    exit 1
fi

if [[ ${#names[@]} -eq 0 ]]; then
    for f in fixtures/*.sqlite.sql; do
        [[ -e "$f" ]] || continue
        n=${f#fixtures/}
        names+=("${n%.sqlite.sql}")
    done
fi
if [[ ${#names[@]} -eq 0 ]]; then
    echo "make_fixtures.sh: no fixtures/*.sqlite.sql found" >&2
    exit 1
fi

# Build into a temp file next to the target and rename, so a failed build never
# leaves a half-written .db behind (and a stale -journal can't be picked up).
build() {
    local sql=$1 out=$2 tmp
    tmp=$(mktemp "${out}.tmp.XXXXXX")
    rm -f "$tmp"
    if ! sqlite3 -bail "$tmp" <"$sql" >/dev/null; then
        rm -f "$tmp" "$tmp-journal"
        echo "make_fixtures.sh: building $out from $sql failed" >&2
        return 1
    fi
    rm -f "$out" "$out-journal" "$out-wal" "$out-shm"
    mv "$tmp" "$out"
    chmod 644 "$out"
}

for name in "${names[@]}"; do
    sql="fixtures/$name.sqlite.sql"
    db="fixtures/$name.db"
    if [[ ! -f "$sql" ]]; then
        echo "make_fixtures.sh: $sql not found" >&2
        exit 1
    fi
    build "$sql" "$db"
    if [[ $check -eq 1 ]]; then
        first=$(sha256sum <"$db")
        build "$sql" "$db"
        second=$(sha256sum <"$db")
        if [[ "$first" != "$second" ]]; then
            echo "make_fixtures.sh: $db differs between two builds" >&2
            exit 1
        fi
    fi
    echo "$db  $(sha256sum <"$db" | cut -c1-16)  $(stat -c %s "$db") bytes"
done
