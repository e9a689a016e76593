#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/) with clang's libFuzzer, AddressSanitizer and UBSan into
# build-fuzz/, and runs each for SECONDS (default 60) on its committed seed corpus (fuzz/corpus/,
# never modified: new inputs go to build-fuzz/fuzz/corpus/). Prints each target's executions and
# any findings (crash-*, leak-*, timeout-* files in build-fuzz/fuzz/findings/); exits non-zero if
# a target found something. Reproduce one: build-fuzz/fuzz/fuzz_NAME FINDING_FILE; keep it as a
# regression by copying it into fuzz/corpus/NAME/ once fixed.
# Usage: scripts/fuzz.sh [SECONDS] [ctest -R regex]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
filter="${2:-}"
./scripts/setup.sh --packages >/dev/null
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOXTOOL_FUZZ=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  -DBOXTOOL_BUILD_TESTS=OFF -DBOXTOOL_BUILD_BENCH=OFF -DBOXTOOL_BUILD_CLI=OFF -DBOXTOOL_WERROR=ON \
  -DBOXTOOL_FUZZ_SECONDS="$seconds" ${BOXTOOL_CMAKE_ARGS:-} >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target boxtool_fuzzers
rm -rf build-fuzz/fuzz/findings && mkdir -p build-fuzz/fuzz/findings
status=0
ctest --test-dir build-fuzz -L fuzz -j "$(nproc)" --output-on-failure ${filter:+-R "$filter"} || status=$?
echo "fuzz: executions per target (${seconds} s each):"
log=build-fuzz/Testing/Temporary/LastTest.log
awk '/^[0-9]+\/[0-9]+ Testing: /{name=$3} /stat::number_of_executed_units:/{print "  " name ": " $2}' "$log"
findings=$(ls build-fuzz/fuzz/findings)
if [ -n "$findings" ]; then
  echo "fuzz: findings in build-fuzz/fuzz/findings:"; echo "$findings" | sed 's/^/  /'
  status=1
else
  echo "fuzz: no findings"
fi
exit "$status"
