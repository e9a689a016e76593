#!/usr/bin/env bash
# Generates the API reference of the public headers with Doxygen (Debian's doxygen package):
#   ./scripts/docs.sh [OUTPUT_DIR]      (default build/docs; open OUTPUT_DIR/html/index.html)
# A malformed documentation comment is an error (the packaging tests run this).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v doxygen >/dev/null || { echo "docs.sh: doxygen is not installed (apt-get install doxygen)" >&2; exit 1; }
out="${1:-build/docs}"
mkdir -p "$out"
version="$(sed -n 's/^project(boxtool VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
BOXTOOL_VERSION="$version" BOXTOOL_DOCS_OUT="$out" BOXTOOL_DOCS_WARN_AS_ERROR="${BOXTOOL_DOCS_WARN_AS_ERROR:-FAIL_ON_WARNINGS}" \
  doxygen docs/Doxyfile
echo "API reference: $out/html/index.html"
