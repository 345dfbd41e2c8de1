#!/usr/bin/env bash
# A bigger copy of a real SQLite database, for measuring rows per second at a size no
# real database here has (issue 6: "hundreds of MB, millions of narrow rows"): every
# row of each table repeated TIMES times. Tables whose rows must stay unique (a primary
# key other than the rowid, or a unique index) are copied once; a rowid-alias key
# (INTEGER PRIMARY KEY) is left to SQLite, so the copies get new ids and foreign keys
# still point at the original rows. Same schema, indexes included.
#   scripts/make_scaled_db.sh SOURCE.db OUT.db [TIMES]   (default 100; OUT must not exist)
# Example: scripts/make_scaled_db.sh ../shared/corpus/cangjie_big.db /tmp/scaled/cangjie_x100.db
#          scripts/bench_corpus.sh /tmp/scaled
set -euo pipefail
src=${1:?usage: make_scaled_db.sh SOURCE.db OUT.db [TIMES]}
out=${2:?usage: make_scaled_db.sh SOURCE.db OUT.db [TIMES]}
times=${3:-100}
[[ $times =~ ^[1-9][0-9]*$ ]] || { echo "make_scaled_db.sh: TIMES must be a positive whole number" >&2; exit 2; }
[[ -r $src ]] || { echo "make_scaled_db.sh: cannot read $src" >&2; exit 1; }
[[ ! -e $out ]] || { echo "make_scaled_db.sh: $out exists (remove it first)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "make_scaled_db.sh: needs the sqlite3 shell (apt install sqlite3)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

q() { sqlite3 -batch -noheader "$src" "$1"; }
# Internal and virtual tables left out.
user_tables="FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'
    ORDER BY rowid"
ident() { printf '"%s"' "${1//\"/\"\"}"; }

sql="ATTACH '${src//\'/\'\'}' AS src; BEGIN;"
# Tables first, rows, then the indexes.
sql+=$(q "SELECT sql || ';' $user_tables")
repeat="(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $times) SELECT i FROM n) k"
while IFS= read -r t; do
    qt=$(ident "$t")
    lit=${t//\'/\'\'}
    unique=$(q "SELECT (SELECT count(*) FROM pragma_index_list('$lit') WHERE \"unique\") +
                       (SELECT count(*) FROM pragma_table_info('$lit') WHERE pk > 0)")
    alias=$(q "SELECT name FROM pragma_table_info('$lit') WHERE pk = 1 AND upper(type) = 'INTEGER'
               AND (SELECT count(*) FROM pragma_table_info('$lit') WHERE pk > 0) = 1")
    if [[ -n $alias ]] && ((unique == 1)); then # only the rowid alias: copies get new ids
        cols=$(q "SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"', ', ')
                  FROM pragma_table_info('$lit') WHERE name <> '${alias//\'/\'\'}'")
        sql+="INSERT INTO $qt ($cols) SELECT $cols FROM $repeat, src.$qt AS s ORDER BY k.i, s.rowid;"
    elif ((unique > 0)); then
        sql+="INSERT INTO $qt SELECT * FROM src.$qt;"
    else
        sql+="INSERT INTO $qt SELECT s.* FROM $repeat, src.$qt AS s;"
    fi
done < <(q "SELECT name $user_tables")
sql+=$(q "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid")
sql+="COMMIT;"
sqlite3 -batch "$out" "$sql"
rows=0
while IFS= read -r t; do
    rows=$((rows + $(sqlite3 -batch "$out" "SELECT count(*) FROM $(ident "$t")")))
done < <(sqlite3 -batch "$out" "SELECT name $user_tables")
echo "make_scaled_db.sh: $out: $rows rows, $(($(stat -c %s "$out") / 1048576)) MB ($src, rows x$times)"
