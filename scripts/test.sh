#!/usr/bin/env bash
# Sets up, builds, and runs every test with ctest. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600 "$@"
