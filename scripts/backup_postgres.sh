#!/usr/bin/env bash
# Compressed, checked, timestamped pg_dump of the target database, with retention.
# Used by deploy_production.sh before a cutover and by restore_postgres.sh before a
# restore; usable on its own.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/backup_postgres.sh [options] [TARGET]

Dumps the database with `pg_dump -Fc` (custom format, compressed) into
DIR/LABEL-YYYYmmddTHHMMSSZ.dump (-1, -2, ... added within one second), checks that pg_restore can read the whole dump,
writes DIR/....dump.sha256, deletes this label's dumps older than the retention,
and prints the dump's path as the last line on stdout.

TARGET   PostgreSQL URL or 'key=value' conninfo; default $DATABASE_URL, else the
         usual PG* variables and ~/.pgpass (as psql would connect).

Options:
  --dir DIR             where dumps go (default: $BACKUP_DIR, else ./backups)
  --label NAME          file name prefix (default: the database name)
  --retention-days N    delete this label's dumps older than N days (default: 14;
                        0 keeps everything)
  --schema S            dump only this schema (default: the whole database)
  -h, --help            this text

Exit status: 0 ok, 2 usage, 1 the dump or its check failed (a partial file is removed).
Example:
  scripts/backup_postgres.sh --dir /var/backups/app --retention-days 7 postgresql://app@db/app
USAGE
}

dir=${BACKUP_DIR:-./backups}
label=""
retention=14
schema=""
target=${DATABASE_URL:-}
while (($#)); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --dir) dir=${2:?--dir needs a value}; shift 2 ;;
        --label) label=${2:?--label needs a value}; shift 2 ;;
        --retention-days) retention=${2:?--retention-days needs a value}; shift 2 ;;
        --schema) schema=${2:?--schema needs a value}; shift 2 ;;
        -*) echo "backup_postgres.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) target=$1; shift ;;
    esac
done
[[ $retention =~ ^[0-9]+$ ]] || { echo "backup_postgres.sh: --retention-days must be a whole number" >&2; exit 2; }

# An empty TARGET lets libpq use PG* variables; -d with a conninfo string or URL
# works for psql, pg_dump and pg_restore alike.
conn=()
[[ -n $target ]] && conn=(-d "$target")

db=$(psql "${conn[@]}" -XAtqc 'SELECT current_database()')
[[ -n $label ]] || label=$db
[[ $label =~ ^[A-Za-z0-9._-]+$ ]] || { echo "backup_postgres.sh: label '$label' is not a safe file name (use --label)" >&2; exit 2; }
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$dir/$label-$stamp.dump"
# Two backups in one second (a rehearsal run twice by a script): number the second.
n=1
while [[ -e $file ]]; do file="$dir/$label-$stamp-$n.dump"; n=$((n + 1)); done

dump_args=(-Fc --compress=6 --no-password)
[[ -n $schema ]] && dump_args+=(--schema="$schema")
echo "backup_postgres.sh: dumping database $db to $file" >&2
if ! pg_dump "${conn[@]}" "${dump_args[@]}" -f "$file.partial"; then
    rm -f "$file.partial"
    echo "backup_postgres.sh: pg_dump failed; no backup was written" >&2
    exit 1
fi
# The integrity check: pg_restore must be able to read the table of contents, and
# writing the whole dump as SQL reads every data block (compressed data included).
if ! pg_restore --list "$file.partial" >/dev/null || ! pg_restore -f /dev/null "$file.partial"; then
    rm -f "$file.partial"
    echo "backup_postgres.sh: the dump does not read back; no backup was written" >&2
    exit 1
fi
mv "$file.partial" "$file"
(cd "$dir" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
size=$(du -h "$file" | cut -f1)
echo "backup_postgres.sh: ok: $file ($size, $(pg_restore --list "$file" | grep -c ' TABLE DATA ') tables with data)" >&2

if ((retention > 0)); then
    while IFS= read -r old; do
        echo "backup_postgres.sh: retention: removing $old (older than $retention days)" >&2
        rm -f -- "$old" "$old.sha256"
    done < <(find "$dir" -maxdepth 1 -type f -name "$label-*.dump" -mtime "+$((retention - 1))" ! -newer "$file" ! -path "$file")
fi
echo "$file"
