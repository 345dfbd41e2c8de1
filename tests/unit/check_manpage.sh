#!/usr/bin/env bash
# Every option each command's --help lists is described in the man page (docs/sqlite2pg.1
# is written by hand: this keeps it in step). Usage: check_manpage.sh SQLITE2PG MANPAGE
set -euo pipefail
bin=${1:?sqlite2pg binary}
page=${2:?man page}
missing=0
for cmd in "" migrate verify inspect check; do
    # shellcheck disable=SC2086 # "" runs the top-level --help
    for opt in $("$bin" $cmd --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        [[ $opt == --help || $opt == --version ]] && continue
        if ! grep -qF -- "${opt//-/\\-}" "$page"; then
            echo "check_manpage.sh: '${cmd:-sqlite2pg} $opt' is in --help but not in $page" >&2
            missing=1
        fi
    done
done
exit "$missing"
