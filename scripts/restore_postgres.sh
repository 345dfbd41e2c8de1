#!/usr/bin/env bash
# Restores a dump made by backup_postgres.sh into the target database: checks the
# dump first, takes a pre-restore backup of what is there now, asks before
# overwriting (unless --yes), then restores in one transaction.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/restore_postgres.sh [options] DUMP [TARGET]

DUMP     a pg_dump custom-format file (from backup_postgres.sh)
TARGET   PostgreSQL URL or 'key=value' conninfo; default $DATABASE_URL, else the
         usual PG* variables and ~/.pgpass.

Steps: verify DUMP (its .sha256 when present, and pg_restore --list); ask for the
database name as confirmation unless --yes; back up the target as it is now
(backup_postgres.sh, label PRE-RESTORE-<db>, never deleted by retention); then
    pg_restore --clean --if-exists --no-owner --single-transaction
so the restore either completes or changes nothing. Objects the dump holds are
dropped and recreated; objects created after the dump are left alone.

Options:
  --yes                 do not ask (required when stdin is not a terminal)
  --backup-dir DIR      where the pre-restore backup goes (default: the dump's directory)
  --no-pre-backup       skip the pre-restore backup (only if you have another one)
  -h, --help            this text

Exit status: 0 restored, 2 usage or not confirmed, 1 a check, the backup or the restore failed.
Example:
  scripts/restore_postgres.sh backups/app-20260101T120000Z.dump postgresql://app@db/app
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
yes=0
pre_backup=1
backup_dir=""
dump=""
target=${DATABASE_URL:-}
positional=()
while (($#)); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --yes) yes=1; shift ;;
        --no-pre-backup) pre_backup=0; shift ;;
        --backup-dir) backup_dir=${2:?--backup-dir needs a value}; shift 2 ;;
        -*) echo "restore_postgres.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) positional+=("$1"); shift ;;
    esac
done
((${#positional[@]} >= 1 && ${#positional[@]} <= 2)) || { usage >&2; exit 2; }
dump=${positional[0]}
((${#positional[@]} == 2)) && target=${positional[1]}
[[ -f $dump ]] || { echo "restore_postgres.sh: no such dump: $dump" >&2; exit 2; }
[[ -n $backup_dir ]] || backup_dir=$(dirname "$dump")

conn=()
[[ -n $target ]] && conn=(-d "$target")

if [[ -f $dump.sha256 ]]; then
    (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") ||
        { echo "restore_postgres.sh: $dump does not match its .sha256: not restoring" >&2; exit 1; }
fi
pg_restore --list "$dump" >/dev/null ||
    { echo "restore_postgres.sh: $dump is not a readable pg_dump archive: not restoring" >&2; exit 1; }

db=$(psql "${conn[@]}" -XAtqc 'SELECT current_database()')
if ((!yes)); then
    if [[ ! -t 0 ]]; then
        echo "restore_postgres.sh: not a terminal: pass --yes to restore without asking" >&2
        exit 2
    fi
    read -r -p "Restore $dump over database '$db'? Type the database name to confirm: " answer
    [[ $answer == "$db" ]] || { echo "restore_postgres.sh: not confirmed; nothing changed" >&2; exit 2; }
fi

if ((pre_backup)); then
    pre=$(bash "$here/backup_postgres.sh" --dir "$backup_dir" --label "PRE-RESTORE-$db" --retention-days 0 "${conn[@]:1}")
    echo "restore_postgres.sh: pre-restore backup: $pre" >&2
fi

echo "restore_postgres.sh: restoring $dump into $db" >&2
pg_restore "${conn[@]}" --clean --if-exists --no-owner --single-transaction --exit-on-error --no-password "$dump"
echo "restore_postgres.sh: ok: database $db restored from $dump" >&2
