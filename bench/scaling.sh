#!/usr/bin/env bash
# The scaling curve (issue 14): boxtool pull time and peak RSS against image size, for an OCI layout
# and a root filesystem, and four concurrent pulls of four different images against one at a time.
# Synthetic images of 8 gzip layers (make_image.py's compressible payload) from a local registry:2, everything on
# tmpfs unless --disk. Writes RESULTS/scaling.json and RESULTS/scaling.dat and draws
# RESULTS/scaling.png (bench/scaling_chart.gp). Not a test: numbers vary by machine.
#
#   bench/scaling.sh [--sizes "256 512 1024 2048 4096"] (MiB) [--runs N] [--disk] [--results DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="256 512 1024 2048 4096" runs=1 disk=0 results="$root/bench/results"
while (($#)); do
  case "$1" in
    --sizes) sizes="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --disk) disk=1 ;;
    --results) results="$2"; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "scaling.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
boxtool="${BOXTOOL:-$root/build/tools/boxtool}"
[ -x "$boxtool" ] || { echo "build first: ./scripts/setup.sh" >&2; exit 1; }
if ((disk)); then base="${TMPDIR:-/var/tmp}"; else base=/dev/shm; fi
work="$(mktemp -d "$base/boxtool-scaling.XXXXXX")"
mkdir -p "$results"
source "$root/scripts/lib/local_registry.sh"
trap 'kill ${REGISTRY_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT
start_local_registry "$work/registry"
reg="127.0.0.1:$REGISTRY_PORT"

make() {  # NAME MIB SEED: generates and pushes bench/NAME:t, then drops the local copy
  /usr/bin/python3 "$root/tools/fixtures/make_image.py" --out "$work/src" --tag "$1" --layers 8 \
    --layer-size $(($2 * 1048576 / 8)) --compression gzip --seed "$3" >/dev/null
  skopeo copy --quiet "oci:$work/src:$1" "docker://$reg/bench/$1:t" --dest-tls-verify=false
  rm -rf "$work/src"
}
pull() {  # NAME OUTPUT_KIND STORE OUT: one timed pull; prints "seconds peak_kib"
  rm -rf "$3" "$4"
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$4.rss" "$boxtool" pull -q --plain-http "$reg" "$reg/bench/$1:t" \
    --store "$3" --output "$2:$4" >/dev/null
  t1=$(date +%s.%N)
  echo "$(awk "BEGIN{print $t1 - $t0}") $(tail -1 "$4.rss")"
  rm -rf "$3" "$4" "$4.rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '# MiB oci_s oci_rss_kib rootfs_s rootfs_rss_kib\n' >"$results/scaling.dat"
for mib in $sizes; do
  echo "image of $mib MiB..."
  make "s$mib" "$mib" "$mib"
  oci=() rootfs=() orss=0 rrss=0
  for _ in $(seq "$runs"); do
    read -r t r < <(pull "s$mib" oci "$work/store" "$work/out")
    oci+=("$t"); ((r > orss)) && orss=$r
    read -r t r < <(pull "s$mib" rootfs "$work/store" "$work/out")
    rootfs+=("$t"); ((r > rrss)) && rrss=$r
  done
  o=$(printf '%s\n' "${oci[@]}" | median)
  f=$(printf '%s\n' "${rootfs[@]}" | median)
  printf '%s %s %s %s %s\n' "$mib" "$o" "$orss" "$f" "$rrss" | tee -a "$results/scaling.dat"
done

# Four different images pulled at once (each to its own store and output), against one at a time.
first=${sizes%% *}
echo "four concurrent pulls of $first MiB images..."
for i in 1 2 3 4; do make "c$i" "$first" "c$i"; done
t0=$(date +%s.%N)
pids=()
for i in 1 2 3 4; do
  "$boxtool" pull -q --plain-http "$reg" "$reg/bench/c$i:t" --store "$work/cstore$i" \
    --output "rootfs:$work/cout$i" >/dev/null &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done  # (not a bare wait: the registry is a child too)
t1=$(date +%s.%N)
concurrent=$(awk "BEGIN{print $t1 - $t0}")
rm -rf "$work"/cstore* "$work"/cout*
sequential=0
for i in 1 2 3 4; do
  read -r t _ < <(pull "c$i" rootfs "$work/store" "$work/out")
  sequential=$(awk "BEGIN{print $sequential + $t}")
done
echo "four concurrent rootfs pulls: ${concurrent}s; the same four one after another: ${sequential}s"
/usr/bin/python3 - "$results" "$concurrent" "$sequential" "$first" "$(nproc)" "$( ((disk)) && echo disk || echo tmpfs)" <<'PY'
import json, sys
results, concurrent, sequential, first, cores, where = sys.argv[1:]
rows = [l.split() for l in open(results + "/scaling.dat") if not l.startswith("#")]
out = {"setup": f"{where}, {cores} cores, 8 gzip layers per image",
       "sizes": [{"mib": int(r[0]), "oci_s": float(r[1]), "oci_peak_rss_kib": int(r[2]),
                  "rootfs_s": float(r[3]), "rootfs_peak_rss_kib": int(r[4])} for r in rows],
       "four_concurrent": {"image_mib": int(first), "concurrent_s": float(concurrent),
                           "sequential_s": float(sequential)}}
json.dump(out, open(results + "/scaling.json", "w"), indent=2)
PY
if command -v gnuplot >/dev/null; then
  gnuplot -e "datafile='$results/scaling.dat'; outfile='$results/scaling.png'" "$root/bench/scaling_chart.gp"
  echo "chart: $results/scaling.png"
fi
