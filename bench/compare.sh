#!/usr/bin/env bash
# Whole-pull comparison: boxtool vs skopeo, side by side, in one run, against one local registry:2.
# Generates an image of about 1 GiB uncompressed in 8 layers (incompressible, gzip), pushes it, then
# times `boxtool pull --output oci:` against `skopeo copy docker://... oci:` from a cold start each
# run (fresh store, fresh output), and prints medians and the ratio. Not a test: numbers vary by machine.
#
#   bench/compare.sh [RUNS] [LAYER_SIZE_BYTES]     (defaults: 3 runs, 128 MiB layers)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
layer_size="${2:-134217728}"
boxtool="${BOXTOOL:-$root/build/tools/boxtool}"
[ -x "$boxtool" ] || { echo "build first: ./scripts/setup.sh" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/boxtool-bench.XXXXXX")"
source "$root/scripts/lib/local_registry.sh"
trap 'kill ${REGISTRY_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT
start_local_registry "$work"
port=$REGISTRY_PORT

echo "generating 8 layers x $layer_size bytes (incompressible, gzip)..."
/usr/bin/python3 "$root/tools/fixtures/make_image.py" --out "$work/layout" --tag big --layers 8 \
  --layer-size "$layer_size" --random --compression gzip >/dev/null
skopeo copy --quiet "oci:$work/layout:big" "docker://127.0.0.1:$port/bench/big:big" --dest-tls-verify=false
image="127.0.0.1:$port/bench/big:big"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

b_times=() s_times=()
for i in $(seq "$runs"); do
  # Alternate who goes first so neither always gets the warmer page cache.
  for tool in $( ((i % 2)) && echo "boxtool skopeo" || echo "skopeo boxtool"); do
    rm -rf "$work/out-$tool" "$work/store"
    t0=$(now)
    if [ "$tool" = boxtool ]; then
      "$boxtool" pull "$image" --insecure-registry "127.0.0.1:$port" --store "$work/store" \
        --output "oci:$work/out-$tool:big" -q >/dev/null
    else
      skopeo copy --quiet --src-tls-verify=false "docker://$image" "oci:$work/out-$tool:big"
    fi
    t1=$(now)
    t=$(awk "BEGIN{print $t1 - $t0}")
    echo "run $i $tool: ${t}s"
    if [ "$tool" = boxtool ]; then b_times+=("$t"); else s_times+=("$t"); fi
  done
done
b=$(printf '%s\n' "${b_times[@]}" | median)
s=$(printf '%s\n' "${s_times[@]}" | median)
echo
printf 'median boxtool pull: %.2fs\n' "$b"
printf 'median skopeo copy:  %.2fs\n' "$s"
awk -v b="$b" -v s="$s" 'BEGIN { printf "ratio skopeo/boxtool: %.2fx (above 1 means boxtool is faster)\n", s / b }'
