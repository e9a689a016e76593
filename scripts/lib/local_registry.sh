# Sourced by scripts that need a throwaway registry:2 (quickstart, bench/compare.sh).
#
# start_local_registry DIR [HTPASSWD_FILE]
#   starts `docker-registry serve` on a free 127.0.0.1 port with its storage and log in DIR, waits
#   until /v2/ answers (401 counts when HTPASSWD_FILE asks for Basic auth), and sets
#   REGISTRY_PORT and REGISTRY_PID. The caller stops it (kill).
start_local_registry() {
  local dir="$1" htpasswd="${2:-}"
  mkdir -p "$dir"
  REGISTRY_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry-data
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
  if [ -n "$htpasswd" ]; then
    cat >>"$dir/registry.yml" <<YAML
auth:
  htpasswd:
    realm: boxtool-local
    path: $htpasswd
YAML
  fi
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  local _
  for _ in $(seq 100); do
    if /usr/bin/python3 - "$REGISTRY_PORT" 2>/dev/null <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 401 else 1)
PY
    then
      return 0
    fi
    sleep 0.1
  done
  echo "the local registry did not start; its log:" >&2
  cat "$dir/registry.log" >&2
  return 1
}
