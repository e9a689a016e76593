#!/usr/bin/env bash
# Unpack comparison: boxtool --output rootfs: vs umoci unpack, side by side, in one run.
# Generates an image of 8 gzip layers (compressible payload, LAYER_SIZE bytes each uncompressed),
# pushes it to a local registry:2, then times, from a cold output each run:
#   unpack only:   boxtool pull --output rootfs:DIR with every blob already in its store
#                  vs  umoci unpack --image LAYOUT:TAG BUNDLE from an OCI layout on disk
#   pull + unpack: boxtool pull --output rootfs:DIR from an empty store (layers unpacked while
#                  later ones download)  vs  skopeo copy to an OCI layout, then umoci unpack
# and prints medians and ratios. umoci runs with --rootless when not root (boxtool then is rootless
# automatically). Not a test: numbers vary by machine.
#
#   bench/compare_unpack.sh [RUNS] [LAYER_SIZE_BYTES]     (defaults: 3 runs, 64 MiB layers)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
layer_size="${2:-67108864}"
boxtool="${BOXTOOL:-$root/build/tools/boxtool}"
[ -x "$boxtool" ] || { echo "build first: ./scripts/setup.sh" >&2; exit 1; }
rootless=()
[ "$(id -u)" -eq 0 ] || rootless=(--rootless)

work="$(mktemp -d "${TMPDIR:-/tmp}/boxtool-bench-unpack.XXXXXX")"
source "$root/scripts/lib/local_registry.sh"
trap 'kill ${REGISTRY_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT
start_local_registry "$work"
port=$REGISTRY_PORT

echo "generating 8 layers x $layer_size bytes (gzip)..."
/usr/bin/python3 "$root/tools/fixtures/make_image.py" --out "$work/layout" --tag big --layers 8 \
  --layer-size "$layer_size" --compression gzip >/dev/null
skopeo copy --quiet "oci:$work/layout:big" "docker://127.0.0.1:$port/bench/unpack:big" --dest-tls-verify=false
image="127.0.0.1:$port/bench/unpack:big"
pull=("$boxtool" pull "$image" --plain-http "127.0.0.1:$port" -q)
"${pull[@]}" --store "$work/warm-store" >/dev/null  # the warm store for "unpack only"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
clean() { rm -rf "$work/rootfs" "$work/bundle" "$work/cold-store" "$work/copied"; }
timed() {  # NAME COMMAND...: runs it, prints and records the seconds in times_NAME
  local name="$1"; shift
  local t0 t1 t
  t0=$(now); "$@" >/dev/null; t1=$(now)
  t=$(awk "BEGIN{print $t1 - $t0}")
  echo "  $name: ${t}s"
  eval "times_$name+=(\"$t\")"
}
unpack_boxtool() { "${pull[@]}" --store "$work/warm-store" --output "rootfs:$work/rootfs"; }
unpack_umoci() { umoci unpack "${rootless[@]}" --image "$work/layout:big" "$work/bundle"; }
pull_boxtool() { "${pull[@]}" --store "$work/cold-store" --output "rootfs:$work/rootfs"; }
pull_peers() {
  skopeo copy --quiet --src-tls-verify=false "docker://$image" "oci:$work/copied:big" &&
    umoci unpack "${rootless[@]}" --image "$work/copied:big" "$work/bundle"
}

times_unpack_boxtool=() times_unpack_umoci=() times_pull_boxtool=() times_pull_peers=()
for i in $(seq "$runs"); do
  echo "run $i"
  # Alternate who goes first so neither always gets the warmer page cache.
  if ((i % 2)); then order="boxtool umoci"; else order="umoci boxtool"; fi
  for who in $order; do
    clean
    if [ "$who" = boxtool ]; then timed unpack_boxtool unpack_boxtool; else timed unpack_umoci unpack_umoci; fi
  done
  for who in $order; do
    clean
    if [ "$who" = boxtool ]; then timed pull_boxtool pull_boxtool; else timed pull_peers pull_peers; fi
  done
done
clean

m() { printf '%s\n' "$@" | median; }
ub=$(m "${times_unpack_boxtool[@]}"); uu=$(m "${times_unpack_umoci[@]}")
pb=$(m "${times_pull_boxtool[@]}"); pp=$(m "${times_pull_peers[@]}")
echo
printf 'median unpack only:   boxtool %.2fs, umoci unpack %.2fs\n' "$ub" "$uu"
awk -v b="$ub" -v u="$uu" 'BEGIN { printf "ratio umoci/boxtool (unpack only): %.2fx (above 1 means boxtool is faster)\n", u / b }'
printf 'median pull + unpack: boxtool %.2fs, skopeo copy + umoci unpack %.2fs\n' "$pb" "$pp"
awk -v b="$pb" -v u="$pp" 'BEGIN { printf "ratio peers/boxtool (pull + unpack): %.2fx (above 1 means boxtool is faster)\n", u / b }'
