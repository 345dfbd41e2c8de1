#!/usr/bin/env bash
# The cutover runbook as a script: preflight, backup, rehearsal, migration with a
# report, full verification; on failure, what state the target is in and the exact
# command that rolls it back.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/deploy_production.sh --source APP.db [options] [TARGET]

TARGET   PostgreSQL URL or 'key=value' conninfo; default $DATABASE_URL, else the
         usual PG* variables and ~/.pgpass.

Modes (--mode):
  full            check -> backup -> dry run -> migrate --report -> verify --full
  migrate-only    check -> dry run -> migrate --report -> verify --full (no backup:
                  you took one already)
  skip-migration  check --truncate -> backup -> verify --full (the data was moved
                  before: re-verify it and keep a backup of the result)

Options:
  --source FILE          the SQLite database (required)
  --mode MODE            full (default), migrate-only, skip-migration
  --target-schema S      schema of the target tables (default: public)
  --truncate             migrate with --truncate (replace rows already there)
  --backup-dir DIR       where backups go (default: $BACKUP_DIR, else ./backups)
  --retention-days N     backups older than this are deleted (default: 14)
  --report-dir DIR       where the run reports go (default: ./reports)
  --sqlite2pg PATH       the sqlite2pg binary (default: $SQLITE2PG, else sqlite2pg in PATH)
  --yes                  do not ask before migrating (required without a terminal)
  -h, --help             this text
Anything after `--` is passed to `sqlite2pg migrate` (and the dry run); the
conversion options among them (--source-timezone, --epoch-unit, --text-to-bytea)
also to `sqlite2pg verify`. E.g.  -- --source-timezone Europe/Berlin --epoch-unit s

Exit status: 0 done and verified; otherwise the failing step's status (sqlite2pg's
exit codes: 4 target, 5 data, 6 mismatch...; 2 usage). On failure the script says
whether the target was changed and prints the restore command.
Example:
  DATABASE_URL=postgresql://app@db/app scripts/deploy_production.sh --source app.db \
      --target-schema app --backup-dir /var/backups/app --yes
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_db=""
mode=full
schema=public
truncate=()
backup_dir=${BACKUP_DIR:-./backups}
retention=14
report_dir=./reports
bin=${SQLITE2PG:-sqlite2pg}
yes=0
target=${DATABASE_URL:-}
extra=()
while (($#)); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --source) source_db=${2:?--source needs a value}; shift 2 ;;
        --mode) mode=${2:?--mode needs a value}; shift 2 ;;
        --target-schema) schema=${2:?--target-schema needs a value}; shift 2 ;;
        --truncate) truncate=(--truncate); shift ;;
        --backup-dir) backup_dir=${2:?--backup-dir needs a value}; shift 2 ;;
        --retention-days) retention=${2:?--retention-days needs a value}; shift 2 ;;
        --report-dir) report_dir=${2:?--report-dir needs a value}; shift 2 ;;
        --sqlite2pg) bin=${2:?--sqlite2pg needs a value}; shift 2 ;;
        --yes) yes=1; shift ;;
        --) shift; extra=("$@"); break ;;
        -*) echo "deploy_production.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) target=$1; shift ;;
    esac
done
[[ -n $source_db ]] || { echo "deploy_production.sh: --source is required (see --help)" >&2; exit 2; }
[[ -f $source_db ]] || { echo "deploy_production.sh: no such file: $source_db" >&2; exit 2; }
case "$mode" in full|migrate-only|skip-migration) ;; *)
    echo "deploy_production.sh: --mode must be full, migrate-only or skip-migration" >&2; exit 2 ;;
esac
# verify must convert the source the way migrate did: it gets the conversion options.
convert=()
for ((i = 0; i < ${#extra[@]}; i++)); do
    case "${extra[i]}" in
        --source-timezone|--epoch-unit) convert+=("${extra[i]}" "${extra[i + 1]:-}"); i=$((i + 1)) ;;
        --source-timezone=*|--epoch-unit=*|--text-to-bytea) convert+=("${extra[i]}") ;;
    esac
done
command -v "$bin" >/dev/null || { echo "deploy_production.sh: $bin not found (use --sqlite2pg)" >&2; exit 2; }

# sqlite2pg and the backup script take the target as an argument; empty means "from
# the environment" for both.
tgt=()
[[ -n $target ]] && tgt=("$target")
# For messages only: the target without its password.
masked=$(printf '%s' "${target:-\$DATABASE_URL/PG* variables}" |
    sed -E 's#(://[^:/@]*:)[^@]*@#\1****@#; s#(password=)[^ &]*#\1****#g')

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$report_dir"
report="$report_dir/migrate-$stamp.json"
backup=""
step=""
migrated=0

say() { printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%SZ)" "$*" >&2; }

# shellcheck disable=SC2317  # called from the EXIT trap
on_exit() {
    local status=$?
    ((status == 0)) && return
    echo >&2
    echo "deploy_production.sh: FAILED at step '$step' (exit $status)" >&2
    if ((migrated)); then
        echo "  The migration was committed; the target holds the new data." >&2
    else
        echo "  The migration did not commit: sqlite2pg works in one transaction, the target is unchanged." >&2
    fi
    [[ -f $report ]] && echo "  Run report: $report" >&2
    if [[ -n $backup ]]; then
        echo "  To roll the target back to the backup taken before this run:" >&2
        if [[ -n $target ]]; then
            echo "    $here/restore_postgres.sh --yes '$backup' '$masked'" >&2
            [[ $masked != "$target" ]] && echo "    (the password is masked: put it back, or use PGPASSWORD or ~/.pgpass)" >&2
        else
            echo "    $here/restore_postgres.sh --yes '$backup'    # with the same DATABASE_URL/PG* settings" >&2
        fi
    fi
}
trap on_exit EXIT

say "deploy: mode $mode, source $source_db, target $masked, schema $schema"

step=check
say "preflight: sqlite2pg check"
if [[ $mode == skip-migration ]]; then
    "$bin" check "${tgt[@]}" --target-schema "$schema" --source "$source_db" --truncate
else
    "$bin" check "${tgt[@]}" --target-schema "$schema" --source "$source_db" "${truncate[@]}"
fi

if [[ $mode != migrate-only ]]; then
    step=backup
    say "backup of the target (pg_dump -Fc, retention $retention days)"
    backup=$(bash "$here/backup_postgres.sh" --dir "$backup_dir" --retention-days "$retention" "${tgt[@]}" | tail -n 1)
    echo "backup: $backup" >&2
fi

if [[ $mode != skip-migration ]]; then
    step=rehearsal
    say "rehearsal: sqlite2pg migrate --dry-run"
    "$bin" migrate "$source_db" "${tgt[@]}" --target-schema "$schema" "${truncate[@]}" --dry-run "${extra[@]}"

    if ((!yes)); then
        [[ -t 0 ]] || { echo "deploy_production.sh: not a terminal: pass --yes to migrate without asking" >&2; exit 2; }
        read -r -p "Rehearsal passed. Migrate now? [y/N] " answer
        [[ $answer == y || $answer == Y ]] || { step="confirmation"; echo "not confirmed" >&2; exit 2; }
    fi
    step=migrate
    say "migration: sqlite2pg migrate --report $report"
    "$bin" migrate "$source_db" "${tgt[@]}" --target-schema "$schema" "${truncate[@]}" --report "$report" "${extra[@]}"
    migrated=1
fi

step=verify
say "verification: sqlite2pg verify --full"
"$bin" verify "$source_db" "${tgt[@]}" --target-schema "$schema" --full "${convert[@]}"

step="done"
say "done: mode $mode succeeded${backup:+; backup $backup}"
[[ -f $report ]] && echo "report: $report" >&2
exit 0
