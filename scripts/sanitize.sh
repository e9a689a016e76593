#!/usr/bin/env bash
# Builds with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/ and runs the unit and
# conformance tests there: every pull in the suite then runs under the sanitizers (leaks included).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBOXTOOL_SANITIZE=address,undefined -DBOXTOOL_BUILD_BENCH=OFF -DBOXTOOL_WERROR=ON
cmake --build build-asan -j "$(nproc)"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" --timeout 600 -L 'unit|conformance' "$@"
