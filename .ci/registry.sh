#!/usr/bin/env bash
# Installs (once, into a cache folder) and starts the reference OCI registry
# (distribution v3) on 127.0.0.1 with deletes enabled, for the tests that
# prove registry features against the real thing. Prints the address.
#
#   eval "$(.ci/registry.sh start)"   # exports BULWARK_TEST_REGISTRY
#   .ci/registry.sh stop
set -euo pipefail
CACHE=${BULWARK_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-ci}
BIN="$CACHE/bin/registry"
# BULWARK_REGISTRY_STATE gives a second instance its own storage and pid
# (bench-smoke runs one beside the tests' instance).
STATE=${BULWARK_REGISTRY_STATE:-$CACHE/registry-run}

case "${1:-start}" in
start)
  if [ ! -x "$BIN" ]; then
    GOBIN="$CACHE/bin" go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2 >&2
  fi
  mkdir -p "$STATE"
  port=${BULWARK_REGISTRY_PORT:-5123}
  cat > "$STATE/config.yml" <<CFG
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    echo "export BULWARK_TEST_REGISTRY=127.0.0.1:$port BULWARK_REGISTRY_BIN=$BIN"
    exit 0
  fi
  "$BIN" serve "$STATE/config.yml" > "$STATE/log" 2>&1 &
  echo $! > "$STATE/pid"
  for _ in $(seq 50); do
    if curl -fsS "http://127.0.0.1:$port/v2/" > /dev/null 2>&1; then
      echo "export BULWARK_TEST_REGISTRY=127.0.0.1:$port BULWARK_REGISTRY_BIN=$BIN"
      exit 0
    fi
    sleep 0.1
  done
  echo "the registry did not start; see $STATE/log" >&2
  exit 1
  ;;
stop)
  if [ -f "$STATE/pid" ]; then kill "$(cat "$STATE/pid")" 2>/dev/null || true; rm -f "$STATE/pid"; fi
  ;;
esac
