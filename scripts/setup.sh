#!/usr/bin/env bash
# Installs boxtool's build and test dependencies (Debian packages only) and builds into build/.
# Idempotent: packages already present are not reinstalled; apt-get update runs only when needed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang-format
  libpoco-dev liblua5.4-dev libarchive-dev libisal-dev libssl-dev libzstd-dev zlib1g-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  docker-registry skopeo umoci apache2-utils openssl ca-certificates
  python3 python3-cryptography pigz zstd podman
  golang-docker-credential-helpers pass gnupg libgpgme-dev libyaml-cpp-dev
  python3-botocore
  doxygen
  hyperfine containerd curl strace time gnuplot-nox
  tinyproxy tmux zsh fish bash-completion util-linux
  clang libfuzzer-14-dev libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --packages: only the packages (scripts/fuzz.sh, which makes its own build).
[ "${1:-}" = "--packages" ] && exit 0

build_type="${BOXTOOL_BUILD_TYPE:-RelWithDebInfo}"
# Warnings are errors here (and so in CI); a packager's build leaves BOXTOOL_WERROR off.
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" -DBOXTOOL_WERROR=ON ${BOXTOOL_CMAKE_ARGS:-}
cmake --build build -j "$(nproc)"
