#!/usr/bin/env bash
# The installed package as an embedder meets it (ctest -L packaging):
#  1. installs the build into a temporary prefix and checks what is there: headers free of
#     third-party includes and each compiling on its own, shared libraries with an SONAME that
#     export only boxtool's API, static archives, the CMake package, pkg-config files, plugins,
#     Lua scripts and the CLI;
#  2. builds every example in examples/ against the installed package (CMake), and the C and a C++
#     example with pkg-config alone;
#  3. runs each example against local registry:2 instances (anonymous and htpasswd), with images
#     generated here and pushed with skopeo, and checks what it did;
#  4. has the installed boxtool load a plain C plugin and the example's C++ plugin built from the
#     installed SDK, and pull with the credentials the plugin found;
#  5. configures a project that takes boxtool with add_subdirectory and checks that it builds no
#     tests, benchmarks or CLI by default.
set -euo pipefail
build_dir="$1"
source_dir="$2"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect_in() {  # expect_in TEXT NEEDLE WHAT
  grep -qF -- "$2" <<<"$1" || fail "$3: expected \"$2\" in:
$1"
}

prefix="$work/prefix"
step "install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
libdir="$(dirname "$(find "$prefix" -name libboxtool.so -print -quit)")"
[ -d "$libdir" ] || fail "libboxtool.so was not installed"

step "installed files"
for f in include/boxtool/engine.hpp include/boxtool/output_sink.hpp include/boxtool/output.hpp \
  include/boxtool/progress.hpp include/boxtool/export.hpp include/boxtool/c_api.h \
  include/boxtool/credential_plugin.h include/boxtool/credential_plugin.hpp \
  include/boxtool/credential_chain.hpp include/boxtool/lua_policy.hpp \
  share/boxtool/lua/default.lua share/boxtool/lua/mirror_fallback.lua share/boxtool/lua/default.cases.json \
  include/boxtool/network.hpp share/man/man1/boxtool.1 share/man/man1/boxtool-pull.1 share/man/man1/boxtool-login.1 \
  share/bash-completion/completions/boxtool share/zsh/vendor-completions/_boxtool \
  share/fish/vendor_completions.d/boxtool.fish \
  bin/boxtool; do
  [ -e "$prefix/$f" ] || fail "$f is not installed"
done
for f in libboxtool.a libboxtool-lua.a libboxtool-plugins.a libboxtool-c.a \
  cmake/boxtool/boxtoolConfig.cmake cmake/boxtool/boxtoolConfigVersion.cmake \
  cmake/boxtool/boxtoolTargets.cmake cmake/boxtool/boxtoolStaticTargets.cmake \
  pkgconfig/boxtool-core.pc pkgconfig/boxtool-lua.pc pkgconfig/boxtool-plugins.pc pkgconfig/boxtool-c.pc \
  pkgconfig/boxtool-plugin-sdk.pc boxtool/plugins/docker-config.so boxtool/plugins/helper.so \
  boxtool/plugins/encrypted-store.so boxtool/plugins/ssm.so boxtool/plugins/kbs.so; do
  [ -e "$libdir/$f" ] || fail "$f is not installed in $libdir"
done
[ ! -e "$prefix/include/boxtool/store.hpp" ] || fail "the store's internals are still a public header"

step "public headers: no third-party includes, each compiles on its own"
if grep -lE '#include *[<"](Poco|archive|openssl|lua|lauxlib|zstd|zlib)' "$prefix"/include/boxtool/*; then
  fail "a public header includes a third-party library"
fi
for h in "$prefix"/include/boxtool/*.hpp; do
  echo "#include <boxtool/$(basename "$h")>" |
    c++ -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" -x c++ - ||
    fail "$(basename "$h") does not compile on its own"
done
for h in c_api.h credential_plugin.h; do
  echo "#include <boxtool/$h>" | cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$prefix/include" -x c - ||
    fail "$h is not plain C99"
done

step "shared libraries: SONAME, only the API exported"
for lib in libboxtool libboxtool-lua libboxtool-plugins libboxtool-c; do
  so="$libdir/$lib.so"
  readelf -d "$so" | grep -q "SONAME.*\[$lib\.so\.[0-9]*\.[0-9]*\]" || fail "$lib.so has no versioned SONAME"
  leaked="$(nm -D --defined-only "$so" | awk '{print $3}' |
    grep -vE '^(_ZN7boxtool|_ZNK7boxtool|_ZT[VIST]N7boxtool|_ZThn[0-9]+_N7boxtool|_ZThn[0-9]+_NK7boxtool|boxtool_)' || true)"
  [ -z "$leaked" ] || fail "$lib.so exports more than boxtool's API: $(c++filt <<<"$leaked" | head -5)"
  [ "$(nm -D --defined-only "$so" | wc -l)" -gt 5 ] || fail "$lib.so exports nothing"
done

step "build the examples against the installed package (CMake)"
cmake -S "$source_dir/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >"$work/examples-configure.log" 2>&1 ||
  { cat "$work/examples-configure.log"; fail "the examples do not configure"; }
cmake --build "$work/examples" -j "$(nproc)" >"$work/examples-build.log" 2>&1 ||
  { cat "$work/examples-build.log"; fail "the examples do not build"; }
ex="$work/examples"
[ -x "$ex/minimal_pull/minimal_pull_static" ] || fail "the static libraries were not usable (minimal_pull_static)"

step "build with pkg-config alone"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror "$source_dir/examples/c_api/pull.c" $(pkg-config --cflags --libs boxtool-c) \
  -o "$work/c_pull_pkgconfig" || fail "the C example does not build with pkg-config"
# shellcheck disable=SC2046
c++ -std=c++20 -Wall -Werror "$source_dir/examples/minimal_pull/main.cpp" $(pkg-config --cflags --libs boxtool-core) \
  -o "$work/minimal_pull_pkgconfig" || fail "minimal_pull does not build with pkg-config"
pkg-config --static --libs boxtool-core | grep -q -- "-lPocoNet" || fail "boxtool-core.pc lacks its static dependencies"
[ "$(realpath -m "$(pkg-config --variable=scriptdir boxtool-lua)")" = "$prefix/share/boxtool/lua" ] || fail "boxtool-lua.pc scriptdir"
export LD_LIBRARY_PATH="$libdir"

step "local registries with generated images"
source "$source_dir/scripts/lib/local_registry.sh"
python=/usr/bin/python3
start_local_registry "$work/anonymous"
pids+=("$REGISTRY_PID")
open="127.0.0.1:$REGISTRY_PORT"
htpasswd -Bbn example-user 'Example-Pa55-6d1e' >"$work/htpasswd"
start_local_registry "$work/private" "$work/htpasswd"
pids+=("$REGISTRY_PID")
private="127.0.0.1:$REGISTRY_PORT"
$python "$source_dir/tools/fixtures/make_image.py" --out "$work/layout" --tag 1.0 --layers 3 \
  --layer-size 262144 >"$work/image.json"
skopeo copy --quiet "oci:$work/layout:1.0" "docker://$open/samples/hello:1.0" --dest-tls-verify=false
skopeo copy --quiet "oci:$work/layout:1.0" "docker://$private/team/app:1.0" --dest-tls-verify=false \
  --dest-creds 'example-user:Example-Pa55-6d1e'
digest="$($python -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$work/image.json")"

step "minimal_pull (shared, static and pkg-config builds)"
for bin in "$ex/minimal_pull/minimal_pull" "$ex/minimal_pull/minimal_pull_static" "$work/minimal_pull_pkgconfig"; do
  out="$("$bin" "$open/samples/hello:1.0" "$work/store-$(basename "$bin")" "$open")" || fail "$bin failed: $out"
  expect_in "$out" "digest $digest" "$(basename "$bin")"
  expect_in "$out" "layers 3" "$(basename "$bin")"
done

step "progress_and_cancel"
out="$("$ex/progress_and_cancel/progress_and_cancel" "$open/samples/hello:1.0" "$work/store-progress" \
  "rootfs:$work/rootfs" "$open")" || fail "progress_and_cancel failed: $out"
for event in candidate-start resolved blob-queued blob-start blob-done layer-unpacking layer-unpacked output-written; do
  expect_in "$out" "\"event\":\"$event\"" "progress events"
done
expect_in "$out" '"time":"' "progress events carry a timestamp"
[ -f "$work/rootfs/data/layer-1.bin" ] || fail "the rootfs was not unpacked"
set +e
out="$("$ex/progress_and_cancel/progress_and_cancel" "$open/samples/hello:1.0" "$work/store-cancel" \
  "rootfs:$work/rootfs-cancelled" "$open" --cancel-after 0 2>&1)"
rc=$?
set -e
[ "$rc" -eq 130 ] || fail "a cancelled pull exited $rc: $out"
expect_in "$out" "cancelled" "the cancelled pull's error"
[ ! -e "$work/rootfs-cancelled" ] || fail "a cancelled pull left its output"
if ls -A "$work" | grep -q '\.boxtool-'; then fail "a cancelled pull left a temporary directory"; fi

step "in_process_credentials"
set +e
out="$("$ex/in_process_credentials/in_process_credentials" "$private/team/app:1.0" "$work/store-creds" "$private" 2>&1)"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a pull without credentials from a private registry succeeded"
out="$(EXAMPLE_USER=example-user EXAMPLE_PASSWORD='Example-Pa55-6d1e' \
  "$ex/in_process_credentials/in_process_credentials" "$private/team/app:1.0" "$work/store-creds" "$private")" ||
  fail "in_process_credentials failed: $out"
expect_in "$out" "with credentials from the environment" "in_process_credentials"

step "in_process_policy"
out="$("$ex/in_process_policy/in_process_policy" samples/hello:1.0 "$work/store-policy" "$open")" ||
  fail "in_process_policy failed: $out"
expect_in "$out" "every image comes from $open" "the policy's reason"
expect_in "$out" "from $open/samples/hello:1.0" "in_process_policy"
set +e
out="$("$ex/in_process_policy/in_process_policy" docker.io/library/alpine "$work/store-policy" "$open" 2>&1)"
rc=$?
set -e
[ "$rc" -eq 8 ] || fail "the policy did not refuse another registry (exit $rc): $out"

step "signature_policy"
printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s/samples":[{"type":"insecureAcceptAnything"}]}}}' \
  "$open" >"$work/policy-open.json"
printf '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"%s":[{"type":"reject"}]}}}' \
  "$open" >"$work/policy-closed.json"
mkdir -p "$work/registries.d"
out="$("$ex/signature_policy/signature_policy" "$open/samples/hello:1.0" "$work/store-trust" "$work/policy-open.json" \
  "$work/registries.d" "$open")" || fail "signature_policy failed: $out"
expect_in "$out" "docker scope \"$open/samples\"" "the scope that applied"
expect_in "$out" "pulled $digest" "signature_policy"
set +e
out="$("$ex/signature_policy/signature_policy" "$open/samples/hello:1.0" "$work/store-trust" \
  "$work/policy-closed.json" "$work/registries.d" "$open" 2>&1)"
rc=$?
set -e
[ "$rc" -eq 8 ] || fail "the signature policy did not refuse the image (exit $rc): $out"
expect_in "$out" "refused $open/samples/hello:1.0" "the refusal"

step "custom_sink"
out="$("$ex/custom_sink/custom_sink" "$open/samples/hello:1.0" "$work/layers-dir" "$work/store-sink" "$open")" ||
  fail "custom_sink failed: $out"
for f in manifest.json config.json image.txt layers/001.tar.gz layers/002.tar.gz layers/003.tar.gz; do
  [ -f "$work/layers-dir/$f" ] || fail "custom_sink did not write $f"
done
[ "sha256:$(sha256sum <"$work/layers-dir/manifest.json" | cut -d' ' -f1)" = "$digest" ] ||
  fail "custom_sink's manifest.json is not the pulled manifest"
tar -tzf "$work/layers-dir/layers/001.tar.gz" >"$work/layer-001.list"  # no pipe: grep -q would cut it short
grep -q "etc/platform" "$work/layer-001.list" || fail "custom_sink's first layer"

step "lua_policy (installed default.lua)"
out="$("$ex/lua_policy/lua_policy" samples/hello:1.0 "$work/store-lua" "$prefix/share/boxtool/lua/default.lua" "$open")" ||
  fail "lua_policy failed: $out"
expect_in "$out" "policy outcome: candidates" "lua_policy"
expect_in "$out" "from $open/samples/hello:1.0" "lua_policy"

step "credential_plugin (an out-of-tree plugin through the installed chain)"
printf 'machine %s login example-user password Example-Pa55-6d1e\n' "$private" >"$work/registries.netrc"
out="$("$ex/credential_plugin/chain_pull" "$private/team/app:1.0" "$work/store-chain" "$work/registries.netrc" \
  "$private")" || fail "chain_pull failed: $out"
expect_in "$out" "source: netrc: $work/registries.netrc" "chain_pull's sources"
expect_in "$out" "source: docker-config" "chain_pull found the installed docker-config plugin"
expect_in "$out" "pulled sha256:" "chain_pull"

step "C API from C (CMake and pkg-config builds)"
for bin in "$ex/c_api/c_pull" "$work/c_pull_pkgconfig"; do
  out="$("$bin" "$open/samples/hello:1.0" "$work/store-c-$(basename "$bin")" "oci:$work/c-layout-$(basename "$bin"):v1" "$open")" ||
    fail "$bin failed: $out"
  expect_in "$out" "\"digest\":\"$digest\"" "$(basename "$bin")"
  expect_in "$out" '"event":"blob-done"' "$(basename "$bin") progress"
  skopeo inspect "oci:$work/c-layout-$(basename "$bin"):v1" >/dev/null || fail "skopeo cannot read the C API's layout"
done

step "C API from Python (ctypes)"
out="$(BOXTOOL_C_LIBRARY="$libdir/libboxtool-c.so" $python "$source_dir/examples/python/pull.py" \
  "$open/samples/hello:1.0" "$work/store-python" "oci:$work/python-layout:v1" "$open")" ||
  fail "the Python example failed: $out"
expect_in "$out" "pulled $open/samples/hello:1.0 $digest" "python"
expect_in "$out" "cancelled: cancelled" "python cancellation"
expect_in "$out" "error: manifest-unknown" "python error kinds"
skopeo inspect "oci:$work/python-layout:v1" >/dev/null || fail "skopeo cannot read the Python example's layout"

step "the installed boxtool loads plugins built from the installed SDK"
mkdir -m 755 "$work/plugins"
cc -std=c99 -Wall -Wextra -Werror -pedantic -fPIC -shared -fvisibility=hidden -I"$prefix/include" \
  "$source_dir/plugins/loader/test_plugins/plain_c.c" -o "$work/plugins/plain_c.so"
cp "$ex/credential_plugin/netrc.so" "$work/plugins/netrc.so"
chmod 755 "$work/plugins"/*.so
cat >"$work/config.json" <<JSON
{"plugin_dirs": ["$work/plugins"],
 "credential_sources": [{"plugin": "plain_c"}, {"plugin": "netrc", "file": "$work/registries.netrc"},
                        {"plugin": "docker-config"}]}
JSON
out="$(HOME="$work" "$prefix/bin/boxtool" pull "$private/team/app:1.0" --config "$work/config.json" \
  --store "$work/store-cli" --insecure-registry "$private" 2>&1)" || fail "the installed boxtool failed: $out"
expect_in "$out" "Digest: $digest" "the installed boxtool with the netrc plugin"

step "add_subdirectory: libraries only, no tests, benchmarks or CLI"
mkdir -p "$work/subproject"
cat >"$work/subproject/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(embedder LANGUAGES C CXX)
add_subdirectory("$source_dir" boxtool)
foreach(t boxtool::core boxtool::lua_policy boxtool::plugins boxtool::plugin_sdk boxtool::c_api boxtool::core_static)
  if(NOT TARGET \${t})
    message(FATAL_ERROR "\${t} is missing")
  endif()
endforeach()
foreach(t boxtool core_unit_tests boxtool_conformance boxtool_micro_bench)
  if(TARGET \${t})
    message(FATAL_ERROR "\${t} is built by default in a subproject")
  endif()
endforeach()
CMAKE
cmake -S "$work/subproject" -B "$work/subproject/build" >"$work/subproject.log" 2>&1 ||
  { cat "$work/subproject.log"; fail "boxtool does not configure as a subproject"; }

echo "packaging: all checks passed"
