#!/usr/bin/env bash
# Sets up and builds, starts a local registry:2 on 127.0.0.1 seeded with a generated multi-platform
# image, pulls it with boxtool (showing progress), and says where the result is.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

work="$PWD/build/quickstart"
rm -rf "$work"
mkdir -p "$work"
source scripts/lib/local_registry.sh
trap 'kill ${REGISTRY_PID:-} 2>/dev/null || true' EXIT
start_local_registry "$work"
port=$REGISTRY_PORT

echo "== generating a multi-platform sample image (linux/amd64, linux/arm64)"
/usr/bin/python3 tools/fixtures/make_image.py --out "$work/sample-layout" --tag 1.0 \
  --platforms linux/amd64,linux/arm64 --layers 4 --layer-size 4194304 >/dev/null
skopeo copy --quiet --all "oci:$work/sample-layout:1.0" "docker://127.0.0.1:$port/samples/hello:1.0" --dest-tls-verify=false

echo "== boxtool pull 127.0.0.1:$port/samples/hello:1.0"
./build/tools/boxtool pull "127.0.0.1:$port/samples/hello:1.0" \
  --insecure-registry "127.0.0.1:$port" --store "$work/store" --output "oci:$work/hello:1.0"

echo
echo "The image is in $work/hello (an OCI layout, tag 1.0); blobs are in the store $work/store."
echo "Try: skopeo inspect oci:$work/hello:1.0    or    umoci unpack --rootless --image $work/hello:1.0 $work/bundle"
