#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds and runs a consumer with find_package(boxtool),
# and builds credential plugins (plain C and C++) from the installed plugin headers alone, then has
# the installed boxtool load them and its own plugins from the install location.
set -euo pipefail
build_dir="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/cmake/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"

mkdir -m 755 "$work/plugins"
cc -std=c99 -Wall -Wextra -Werror -pedantic -fPIC -shared -fvisibility=hidden -I"$work/prefix/include" \
  "$source_dir/plugins/loader/test_plugins/plain_c.c" -o "$work/plugins/plain_c.so"
c++ -std=c++17 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -I"$work/prefix/include" \
  "$source_dir/cmake/consumer/third_party_plugin.cpp" -o "$work/plugins/third-party.so"
chmod 755 "$work/plugins"/*.so
cat > "$work/config.json" <<JSON
{"plugin_dirs": ["$work/plugins"],
 "credential_sources": [{"plugin": "plain_c"}, {"plugin": "third-party"}, {"plugin": "docker-config"}]}
JSON
# Nothing listens on port 1: the pull fails on the network, after every plugin loaded.
set +e
out="$(HOME="$work" "$work/prefix/bin/boxtool" pull 127.0.0.1:1/x/y:1 --config "$work/config.json" \
  --store "$work/store" --insecure-registry 127.0.0.1:1 --connect-timeout 1 --retries 0 2>&1)"
rc=$?
set -e
if [ "$rc" -ne 5 ] || grep -q "refusing credential plugin\|not found (looked" <<<"$out"; then
  echo "installed boxtool did not load the plugins (exit $rc):"
  echo "$out"
  exit 1
fi
echo "plugins built from installed headers load in the installed boxtool"
