#!/usr/bin/env bash
# Side-by-side pull benchmarks (issue 14): boxtool against skopeo, skopeo + umoci, containerd's
# `ctr images pull` (a scratch daemon with a fresh root before every run), curl fetching the blobs in
# parallel, the `pigz -dc | tar -x` floor, and, for the OCI cases, the verifying floor
# (bench/verify_floor.cpp: fetch, SHA-256, write and rename each blob, nothing else), all against one
# local registry:2, on
#   synthetic  8 gzip layers of LAYER_SIZE incompressible bytes: pull to an OCI layout and to a rootfs
#   small      100 small gzip layers: pull to an OCI layout
#   real       an image built from this machine's system directories (tools/fixtures/make_system_image.py,
#              about 54,000 files, 1.3 GB in 10 gzip layers by default): pull to a rootfs
# Everything (registry storage, store, outputs, containerd's root) lives on tmpfs (/dev/shm) unless
# --disk. Each case runs in one hyperfine session (medians of RUNS, alternating commands); then one
# extra boxtool pull per case runs under `strace -c -f` (system calls per regular file unpacked) and
# one under /usr/bin/time (peak RSS, beside the peers'). Prints a table of medians and ratios,
# writes RESULTS/<case>.json (hyperfine's), RESULTS/summary.json, RESULTS/compare.dat, and draws
# RESULTS/compare.png with bench/compare_chart.gp. Never a test of speed: numbers vary by machine.
#
#   bench/compare.sh [--runs N] [--disk] [--quick|--smoke] [--layer-size BYTES] [--small-layers N]
#                    [--real-files N] [--real-bytes BYTES] [--real-layers N] [--cases LIST]
#                    [--results DIR] [--no-strace]
#   bench/compare.sh --chart-only [--results DIR]     # redraw the chart from RESULTS/compare.dat
#
#   --quick   3 runs, 8 x 32 MiB, 50 small layers, a real image of 12,000 files / 250 MB
#   --smoke   1 run, tiny images, results in a temporary directory unless --results (ctest bench-smoke)
#   --cases   comma-separated subset of: synthetic-oci,synthetic-rootfs,small-oci,real-rootfs
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs=5 disk=0 layer_size=$((128 << 20)) small_layers=100 real_files=54000 real_bytes=1300000000 real_layers=10
cases="synthetic-oci,synthetic-rootfs,small-oci,real-rootfs" results="$root/bench/results" strace_on=1
chart_only=0 smoke=0
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --disk) disk=1 ;;
    --quick) runs=3 layer_size=$((32 << 20)) small_layers=50 real_files=12000 real_bytes=250000000 real_layers=6 ;;
    --smoke) smoke=1 runs=1 layer_size=$((1 << 20)) small_layers=5 real_files=300 real_bytes=4000000 real_layers=2 ;;
    --layer-size) layer_size="$2"; shift ;;
    --small-layers) small_layers="$2"; shift ;;
    --real-files) real_files="$2"; shift ;;
    --real-bytes) real_bytes="$2"; shift ;;
    --real-layers) real_layers="$2"; shift ;;
    --cases) cases="$2"; shift ;;
    --results) results="$2"; shift ;;
    --no-strace) strace_on=0 ;;
    --chart-only) chart_only=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

draw_chart() {
  if command -v gnuplot >/dev/null; then
    gnuplot -e "datafile='$results/compare.dat'; outfile='$results/compare.png'" "$root/bench/compare_chart.gp"
    echo "chart: $results/compare.png"
  else
    echo "gnuplot is not installed: no chart (apt-get install gnuplot-nox)" >&2
  fi
}
if ((chart_only)); then draw_chart; exit 0; fi

boxtool="${BOXTOOL:-$root/build/tools/boxtool}"
[ -x "$boxtool" ] || { echo "build first: ./scripts/setup.sh" >&2; exit 1; }
for tool in hyperfine skopeo umoci pigz tar curl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool (./scripts/setup.sh --packages)" >&2; exit 1; }
done
# The verifying floor (bench/verify_floor.cpp), built beside boxtool: left out when missing.
floor_tool="${VERIFY_FLOOR:-$(dirname "$boxtool")/../bench/boxtool_verify_floor}"
if [ ! -x "$floor_tool" ]; then
  echo "note: $floor_tool is missing (cmake --build BUILD --target boxtool_verify_floor): no verify-floor column" >&2
  floor_tool=""
fi
have_ctr=1
if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null || [ "$(id -u)" -ne 0 ]; then
  have_ctr=0
  echo "note: containerd/ctr missing or not root: the ctr case is left out" >&2
fi
((smoke)) && [ "$results" = "$root/bench/results" ] && results="" # set below, inside the work dir
rootless=()
[ "$(id -u)" -eq 0 ] || rootless=(--rootless)

if ((disk)); then base="${TMPDIR:-/var/tmp}"; else base=/dev/shm; fi
work="$(mktemp -d "$base/boxtool-compare.XXXXXX")"
[ -n "$results" ] || results="$work/results"
mkdir -p "$results"
ctr_pid_file="$work/containerd.pid"
cleanup() {
  [ -f "$ctr_pid_file" ] && kill "$(cat "$ctr_pid_file")" 2>/dev/null && sleep 0.5
  kill "${REGISTRY_PID:-}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
source "$root/scripts/lib/local_registry.sh"
start_local_registry "$work/registry"
port=$REGISTRY_PORT
reg="127.0.0.1:$port"
echo "work directory: $work ($( ((disk)) && echo disk || echo tmpfs)); registry $reg; $runs runs"

# --- images -------------------------------------------------------------------------------------
push() {  # LAYOUT TAG REPO
  skopeo copy --quiet "oci:$1:$2" "docker://$reg/$3:$2" --dest-tls-verify=false
}
want() { [[ ",$cases," == *",$1,"* ]]; }
if want synthetic-oci || want synthetic-rootfs; then
  echo "image synthetic: 8 gzip layers x $layer_size bytes (incompressible)"
  /usr/bin/python3 "$root/tools/fixtures/make_image.py" --out "$work/src/synthetic" --tag t --layers 8 \
    --layer-size "$layer_size" --random --compression gzip >/dev/null
  push "$work/src/synthetic" t bench/synthetic
fi
if want small-oci; then
  echo "image small: $small_layers gzip layers x 64 KiB"
  /usr/bin/python3 "$root/tools/fixtures/make_image.py" --out "$work/src/small" --tag t --layers "$small_layers" \
    --layer-size 65536 --compression gzip >/dev/null
  push "$work/src/small" t bench/small
fi
if want real-rootfs; then
  echo "image real: about $real_files files, $real_bytes bytes from system directories, $real_layers layers"
  /usr/bin/python3 "$root/tools/fixtures/make_system_image.py" --out "$work/src/real" --tag t \
    --files "$real_files" --bytes "$real_bytes" --layers "$real_layers" >"$work/real.json"
  push "$work/src/real" t bench/real
fi

# The blobs of LAYOUT's tag, config first, then the layers in order.
blobs_of() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
layout = sys.argv[1]
index = json.load(open(layout + "/index.json"))
digest = index["manifests"][0]["digest"]
m = json.load(open(layout + "/blobs/" + digest.replace(":", "/")))
for d in [m["config"]] + m["layers"]:
    print(d["digest"])
PY
}

# --- helper scripts hyperfine runs --------------------------------------------------------------
# containerd: a scratch daemon with a fresh root, config and socket before every timed ctr run.
cat >"$work/ctr-restart.sh" <<EOF
#!/usr/bin/env bash
set -e
d="$work/containerd"
[ -f "$ctr_pid_file" ] && { kill \$(cat "$ctr_pid_file") 2>/dev/null || true; while kill -0 \$(cat "$ctr_pid_file") 2>/dev/null; do sleep 0.05; done; }
umount -R "\$d/root" 2>/dev/null || true
rm -rf "\$d"; mkdir -p "\$d"
cat >"\$d/config.toml" <<TOML
version = 2
root = "\$d/root"
state = "\$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "\$d/sock"
[ttrpc]
  address = "\$d/sock.ttrpc"
TOML
setsid containerd -c "\$d/config.toml" >"\$d/log" 2>&1 </dev/null &
echo \$! >"$ctr_pid_file"
for _ in \$(seq 200); do ctr -a "\$d/sock" version >/dev/null 2>&1 && exit 0; sleep 0.05; done
echo "containerd did not start:" >&2; cat "\$d/log" >&2; exit 1
EOF
chmod +x "$work/ctr-restart.sh"
ctr_sock="$work/containerd/sock"

# Every timed case: NAME, then triples of LABEL PREPARE COMMAND.
case_names=()
run_case() {
  local name="$1"; shift
  local args=()
  while (($#)); do
    args+=(-n "$1" --prepare "$2" "$3")
    shift 3
  done
  echo
  echo "== $name"
  hyperfine --style basic --runs "$runs" --export-json "$results/$name.json" "${args[@]}"
  case_names+=("$name")
}

pull=("$boxtool" pull --plain-http "$reg" -q)  # as ctr --plain-http: no TLS attempt first
box_oci() { echo "${pull[*]} $reg/$1:t --store $work/store --output oci:$work/out:t"; }
box_rootfs() { echo "${pull[*]} ${rootless[*]} $reg/$1:t --store $work/store --output rootfs:$work/rootfs"; }
skopeo_oci() { echo "skopeo copy --quiet --src-tls-verify=false docker://$reg/$1:t oci:$work/out:t"; }
skopeo_umoci() {
  echo "skopeo copy --quiet --src-tls-verify=false docker://$reg/$1:t oci:$work/copied:t && umoci unpack ${rootless[*]} --image $work/copied:t $work/bundle >/dev/null"
}
ctr_pull() { echo "ctr -a $ctr_sock images pull --plain-http $reg/$1:t >/dev/null"; }
curl_blobs() {  # a curl config fetching every blob of the image in parallel to /dev/null
  local cfg="$work/curl-$1.cfg"
  : >"$cfg"
  for d in $(blobs_of "$work/src/$1"); do
    printf 'url = "http://%s/v2/bench/%s/blobs/%s"\noutput = "/dev/null"\n' "$reg" "$1" "$d" >>"$cfg"
  done
  echo "curl -sf --parallel --parallel-max 16 -K $cfg"
}
verify_floor() {  # IMAGE JOBS: bench/verify_floor.cpp fetching, hashing and keeping every blob
  local paths=() d
  for d in $(blobs_of "$work/src/$1"); do paths+=("/v2/bench/$1/blobs/$d"); done
  echo "$floor_tool --jobs $2 --out $work/floor $reg ${paths[*]}"
}
tar_floor() {  # the layers from local files, in order: no download, no verification
  local layers=() d
  for d in $(blobs_of "$work/src/$1" | tail -n +2); do layers+=("$work/src/$1/blobs/${d/://}"); done
  echo "for l in ${layers[*]}; do pigz -dc \$l | tar --numeric-owner -x -C $work/floor || exit 1; done"
}
clean="rm -rf $work/store $work/out $work/rootfs $work/copied $work/bundle $work/floor; mkdir -p $work/floor"
ctr_prep="$clean; $work/ctr-restart.sh"

oci_peers() {  # IMAGE JOBS: the OCI-layout commands for run_case
  local cmds=(boxtool "$clean" "$(box_oci "bench/$1")" skopeo "$clean" "$(skopeo_oci "bench/$1")"
    curl "$clean" "$(curl_blobs "$1")")
  [ -n "$floor_tool" ] && cmds+=(verify-floor "$clean" "$(verify_floor "$1" "$2")")
  run_case "$1-oci" "${cmds[@]}"
}
want synthetic-oci && oci_peers synthetic 4  # boxtool's large downloads at once
rootfs_peers() {  # IMAGE: the rootfs commands for run_case
  local cmds=(boxtool "$clean" "$(box_rootfs "bench/$1")" "skopeo+umoci" "$clean" "$(skopeo_umoci "bench/$1")")
  ((have_ctr)) && cmds+=(ctr "$ctr_prep" "$(ctr_pull "bench/$1")")
  cmds+=(curl "$clean" "$(curl_blobs "$1")" "tar-floor" "$clean" "$(tar_floor "$1")")
  run_case "$1-rootfs" "${cmds[@]}"
}
want synthetic-rootfs && rootfs_peers synthetic
want small-oci && oci_peers small 16  # as curl's --parallel-max and boxtool's small downloads
want real-rootfs && rootfs_peers real
[ -f "$ctr_pid_file" ] && { kill "$(cat "$ctr_pid_file")" 2>/dev/null || true; rm -f "$ctr_pid_file"; sleep 0.5; }

# --- peak RSS and system calls, one extra run each ----------------------------------------------
measure="$results/measurements.txt"
: >"$measure"
rss() {  # CASE LABEL COMMAND: peak resident KiB of the command and its children (the largest one)
  eval "$clean"
  /usr/bin/time -f "%M" -o "$work/rss" bash -c "$3" >/dev/null
  echo "rss $1 $2 $(tail -1 "$work/rss")" >>"$measure"
}
syscalls() {  # CASE COMMAND OUTPUT_DIR: total system calls of the pull, and regular files unpacked
  eval "$clean"
  strace -c -f -o "$work/strace" bash -c "exec $2" >/dev/null
  local total files recv
  total=$(awk '$NF == "total" {print $4}' "$work/strace")
  recv=$(awk '$NF == "recvfrom" {print $4}' "$work/strace")
  files=$(find "$3" -type f | wc -l)
  echo "syscalls $1 $total $files ${recv:-0}" >>"$measure"
  awk 'NR > 2 && $1 ~ /^[0-9.]+$/ && $NF != "total" {print "top '"$1"' " $NF " " $4}' "$work/strace" |
    sort -k4 -n -r | head -8 >>"$measure"
}
# The unpacked trees must be the same as tar's: types, modes, owners, sizes, link targets.
listing() { (cd "$1" && find . -mindepth 1 -printf '%P %y %m %U %G %s %l\n' | LC_ALL=C sort); }
for name in "${case_names[@]}"; do
  [ "${name##*-}" = rootfs ] || continue
  image="${name%-*}"
  eval "$clean"
  bash -c "$(box_rootfs "bench/$image")" >/dev/null
  bash -c "$(tar_floor "$image")"
  # (tar sizes directories as the file system does; compare the entries, not directory sizes)
  if ! diff <(listing "$work/rootfs" | awk '$2 == "d" {$6 = ""} 1') \
    <(listing "$work/floor" | awk '$2 == "d" {$6 = ""} 1') >"$work/tree.diff"; then
    echo "compare.sh: boxtool's root filesystem of $image differs from tar's:" >&2
    head -20 "$work/tree.diff" >&2
    exit 1
  fi
  echo "$name: boxtool's tree matches tar's ($(listing "$work/rootfs" | wc -l) entries)"
done

for name in "${case_names[@]}"; do
  image="${name%-*}"
  kind="${name##*-}"
  if [ "$kind" = oci ]; then
    rss "$name" boxtool "$(box_oci "bench/$image")"
    rss "$name" skopeo "$(skopeo_oci "bench/$image")"
  else
    rss "$name" boxtool "$(box_rootfs "bench/$image")"
    rss "$name" "skopeo+umoci" "$(skopeo_umoci "bench/$image")"
    if ((strace_on)) && command -v strace >/dev/null; then
      syscalls "$name" "$(box_rootfs "bench/$image")" "$work/rootfs"
    fi
  fi
done
eval "$clean"

# --- table, summary.json, compare.dat, chart ----------------------------------------------------
/usr/bin/python3 "$root/bench/compare_report.py" --results "$results" --measurements "$measure" \
  --setup "$( ((disk)) && echo disk || echo tmpfs), $runs runs, $(nproc) cores, $(uname -r)" \
  --real-json "$work/real.json" "${case_names[@]}"
draw_chart
