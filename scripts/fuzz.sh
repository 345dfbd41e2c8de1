#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang into build-fuzz/ and runs each
# for SECONDS (default 60). Not part of CI: a bounded search for crashes and broken
# invariants in the converters, the COPY encoders and the SQL translation.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/fuzz.sh [SECONDS] [TARGET...]

Builds tests/fuzz with CC=clang CXX=clang++ -DSQLITE2PG_FUZZ=ON into build-fuzz/
and runs each target (default: all) for SECONDS (default 60), one after the other.
Corpora grow in build-fuzz/corpus/TARGET (kept between runs); a failing input is
saved as build-fuzz/crash-TARGET-* and the script exits 1 after the remaining runs.
Reproduce one with: build-fuzz/tests/fuzz/TARGET build-fuzz/crash-TARGET-...
Needs clang and libclang-rt-14-dev (installed with apt-get when missing).
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_convert fuzz_convert_time fuzz_copy_encoder fuzz_sql_translate)

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y --no-install-recommends clang libclang-rt-14-dev
fi

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSQLITE2PG_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]}"

status=0
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t"
    echo "fuzz.sh: $t for ${seconds}s"
    # -rss_limit_mb: simdjson and the tz database stay well below it.
    if ! "build-fuzz/tests/fuzz/$t" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$t-" "build-fuzz/corpus/$t" \
            2>"build-fuzz/$t.log"; then
        status=1
        echo "fuzz.sh: $t FAILED, see build-fuzz/$t.log:"
        grep -E 'INVARIANT|ERROR: |SUMMARY|Test unit written' "build-fuzz/$t.log" | head -8 || true
        continue
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "build-fuzz/$t.log" | tr '\n' ' '
    echo "corpus: $(find "build-fuzz/corpus/$t" -type f | wc -l) inputs"
done
exit "$status"
