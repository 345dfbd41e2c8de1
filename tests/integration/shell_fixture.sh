# Sourced by the shell integration tests after they set $db, $work and $admin: the
# database and work directory go away on exit (unless SQLITE2PG_KEEP_DB=1), and the
# helpers every such test uses.
# shellcheck shell=bash disable=SC2154  # db, work, admin: set by the sourcing test

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    if [[ ${SQLITE2PG_KEEP_DB:-} == 1 ]]; then echo "kept database $db and $work"; return; fi
    psql "$admin" -Xqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }
