#!/usr/bin/env bash
# The long forms of the resilience tests (the test suite runs them short):
#   - a soak of PULLS pulls (default 1000) through conformance/fixtures/fault_proxy.py with random
#     faults (seed SEED, rate RATE) in front of a real registry:2, each into a fresh store: every
#     pull must end in correct content or a clear error, with 0 corrupt blobs and under 1.1x the
#     image's bytes downloaded per pull;
#   - KILLS pulls (default 50) killed with SIGKILL at random points, each followed by
#     `boxtool store verify` (must be clean) and a pull that completes, resuming the partial.
# Usage: conformance/soak.sh [BUILD_DIR]   (env: PULLS, SEED, RATE, KILLS, KILL_SEED)
set -euo pipefail
build="${1:-build}"
binary="$build/conformance/boxtool_conformance"
[ -x "$binary" ] || { echo "no $binary: build first (scripts/setup.sh)" >&2; exit 2; }
export BOXTOOL_SOAK_PULLS="${PULLS:-1000}" BOXTOOL_SOAK_SEED="${SEED:-1}" BOXTOOL_SOAK_RATE="${RATE:-0.15}"
export BOXTOOL_KILL_PULLS="${KILLS:-50}" BOXTOOL_KILL_SEED="${KILL_SEED:-7}"
echo "soak: $BOXTOOL_SOAK_PULLS pulls, seed $BOXTOOL_SOAK_SEED, fault rate $BOXTOOL_SOAK_RATE;" \
  "$BOXTOOL_KILL_PULLS kills, seed $BOXTOOL_KILL_SEED"
start=$(date +%s)
"$binary" --gtest_filter='SoakTest.*:CrashTest.*' 2>&1 | grep -Ev '^\[ RUN|^\[----------\]|^$'
echo "took $(( $(date +%s) - start )) s"
