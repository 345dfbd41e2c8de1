#!/usr/bin/env bash
# End to end: deploy_production.sh (full, failing preflight, migrate-only,
# skip-migration), backup_postgres.sh retention and restore_postgres.sh, against the
# throwaway server of scripts/test.sh. Run by ctest (label integration):
#   test_scripts.sh PATH/TO/sqlite2pg
# Needs SQLITE2PG_TEST_PG (superuser, to create and drop the database) and
# SQLITE2PG_TEST_APP_PG (the app role the scripts run as). SQLITE2PG_KEEP_DB=1 keeps
# the database and the work directory.
set -euo pipefail

bin=${1:?usage: test_scripts.sh PATH/TO/sqlite2pg}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${SQLITE2PG_TEST_PG:?is not set: run through scripts/test.sh}"
app=${SQLITE2PG_TEST_APP_PG:-$SQLITE2PG_TEST_PG}
# Only the conninfo strings decide where the scripts connect.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE DATABASE_URL

db=s2p_scripts_$$
work=$(mktemp -d /tmp/sqlite2pg-scripts.XXXXXX)
admin="$SQLITE2PG_TEST_PG dbname=postgres"
target="$app dbname=$db" # later keywords win in a conninfo string
export SQLITE2PG=$bin
# shellcheck source=tests/integration/shell_fixture.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell_fixture.sh"
count() { psql "$target" -XAtqc "SELECT count(*) FROM $1"; }

app_role=$(psql "$app" -XAtqc 'SELECT current_user')
psql "$admin" -Xqc "CREATE DATABASE $db OWNER $app_role" >/dev/null
psql "$target" -Xq -v ON_ERROR_STOP=1 -f "$root/fixtures/signals.pg.sql" >/dev/null

deploy() { bash "$root/scripts/deploy_production.sh" --source "$root/fixtures/signals.db" --yes \
    --backup-dir "$work/backups" --report-dir "$work/reports" "$@" "$target"; }

step "--help"
for s in deploy_production backup_postgres restore_postgres; do
    bash "$root/scripts/$s.sh" --help | grep -q '^Usage:' || fail "$s.sh --help"
done
bash "$root/scripts/deploy_production.sh" --bogus >/dev/null 2>&1 && fail "unknown option accepted"

step "deploy --mode full"
deploy --mode full >"$work/full.log" 2>&1 || { cat "$work/full.log"; fail "full deploy"; }
[[ $(count tweets) == 2000 && $(count artifact_scores) == 3000 ]] || fail "rows after full deploy"
backups=("$work"/backups/"$db"-*.dump)
((${#backups[@]} == 1)) || fail "expected one backup, got ${#backups[@]}"
first_backup=${backups[0]}
[[ -f $first_backup.sha256 ]] || fail "no .sha256 next to the backup"
report=$(ls "$work"/reports/migrate-*.json)
grep -q '"status":"ok"' "$report" || fail "report does not say ok"
grep -q 'password=\*\*\*\*' "$report" || fail "report target not masked"
grep -q '"fingerprint_xxh3_128":"[0-9a-f]\{32\}"' "$report" || fail "no source fingerprint in the report"
grep -q 'CHECK OK' "$work/full.log" || fail "no preflight in the log"
grep -q 'DRY RUN OK' "$work/full.log" || fail "no rehearsal in the log"
grep -q 'verification (full) passed' "$work/full.log" || fail "no full verification in the log"
if [[ $target == *password=* ]]; then
    pw=${target##*password=}; pw=${pw%% *}
    grep -qF -- "$pw" "$work/full.log" "$report" && fail "a password appears in the deploy log or report"
fi

step "deploy again: preflight fails on full tables, target unchanged, exit 4"
status=0
deploy --mode full >"$work/again.log" 2>&1 || status=$?
((status == 4)) || { cat "$work/again.log"; fail "second deploy exited $status, expected 4"; }
grep -q "FAILED at step 'check'" "$work/again.log" || fail "failure step not named"
grep -q "target is unchanged" "$work/again.log" || fail "unchanged target not stated"
[[ $(count tweets) == 2000 ]] || fail "rows changed by a failed deploy"

step "deploy --mode skip-migration: re-verify and back up"
deploy --mode skip-migration >"$work/skip.log" 2>&1 || { cat "$work/skip.log"; fail "skip-migration"; }
grep -q 'verification (full) passed' "$work/skip.log" || fail "skip-migration did not verify"
grep -q 'rehearsal' "$work/skip.log" && fail "skip-migration ran the migration steps"

step "restore the pre-migration backup (empty tables); refused without --yes off a terminal"
status=0
bash "$root/scripts/restore_postgres.sh" "$first_backup" "$target" </dev/null >"$work/norestore.log" 2>&1 || status=$?
((status == 2)) || fail "restore without --yes exited $status, expected 2"
[[ $(count tweets) == 2000 ]] || fail "an unconfirmed restore changed data"
bash "$root/scripts/restore_postgres.sh" --yes "$first_backup" "$target" >"$work/restore.log" 2>&1 ||
    { cat "$work/restore.log"; fail "restore"; }
[[ $(count tweets) == 0 ]] || fail "restore did not bring back the empty tables"
ls "$work"/backups/PRE-RESTORE-"$db"-*.dump >/dev/null || fail "no pre-restore backup"
cp "$first_backup" "$work/corrupt.dump"
printf 'garbage' | dd of="$work/corrupt.dump" bs=1 seek=200 conv=notrunc status=none
status=0
bash "$root/scripts/restore_postgres.sh" --yes --no-pre-backup "$work/corrupt.dump" "$target" >"$work/corrupt.log" 2>&1 || status=$?
((status != 0)) || fail "a corrupt dump was restored"

step "deploy --mode migrate-only into the restored (empty) tables"
deploy --mode migrate-only >"$work/only.log" 2>&1 || { cat "$work/only.log"; fail "migrate-only"; }
[[ $(count tweets) == 2000 ]] || fail "rows after migrate-only"
grep -q 'backup of the target' "$work/only.log" && fail "migrate-only took a backup"

step "backup retention removes old dumps of the same label only"
touch -d '20 days ago' "$work/backups/$db-20000101T000000Z.dump" "$work/backups/other-20000101T000000Z.dump"
newest=$(bash "$root/scripts/backup_postgres.sh" --dir "$work/backups" --retention-days 7 "$target" 2>"$work/backup.log")
[[ -f $newest ]] || fail "backup_postgres.sh did not print the dump path"
[[ ! -e $work/backups/$db-20000101T000000Z.dump ]] || fail "retention kept an old dump"
[[ -e $work/backups/other-20000101T000000Z.dump ]] || fail "retention removed another label's dump"
grep -q 'retention: removing' "$work/backup.log" || fail "retention not reported"

step "a backup never overwrites one taken the same second"
taken=()
for sec in 0 1 2 3 4 5; do # the names of the coming seconds, taken
    f="$work/backups/$db-$(date -u -d "+$sec sec" +%Y%m%dT%H%M%SZ).dump"
    [[ -e $f ]] || { : >"$f"; taken+=("$f"); }
done
again=$(bash "$root/scripts/backup_postgres.sh" --dir "$work/backups" "$target" 2>/dev/null)
[[ $again == *-1.dump && -s $again ]] || fail "backup in a taken second: got '$again'"
for f in "${taken[@]}"; do [[ ! -s $f ]] || fail "backup overwrote $f"; rm -f "$f"; done

echo "test_scripts.sh: all script checks passed"
