#!/usr/bin/env bash
# Times `bulwark sbom` against `syft` and `trivy image --format cyclonedx`
# on the same inputs, side by side in one run: the Debian bookworm
# docker-archive and a multi-layer OCI layout (Alpine, a Go binary and a
# node_modules tree), cold (no layer cache) and warm (cache filled), with
# wall time and peak memory; and the floor, decompressing and listing the
# layer with the fastest decompressor there is (igzip | tar -t).
#
#   bench/sbom.sh                  # peers from PATH or $(go env GOPATH)/bin
#   TRIVY=... SYFT=... RUNS=5 bench/sbom.sh
#
# Peers: GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
#        go install github.com/anchore/syft/cmd/syft@v1.57.1
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SHARED=${BULWARK_SHARED:-../shared}
DEB="$SHARED/testdata/images/debian-bookworm.docker.tar"
[ -f "$DEB" ] || { echo "$DEB is absent: no real images to measure" >&2; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s build
BULWARK_WRITE_OCI="$work/oci" go test ./bench -run '^TestWriteOCILayout$' -count=1 >/dev/null
gobin=$(go env GOPATH)/bin
TRIVY=${TRIVY:-$(command -v trivy || echo "$gobin/trivy")}
SYFT=${SYFT:-$(command -v syft || echo "$gobin/syft")}
export SYFT_CHECK_FOR_APP_UPDATE=false

# best LABEL CMD...: fastest wall time and largest peak RSS of RUNS runs.
best() {
  local label=$1; shift
  local best="" peak=0
  for _ in $(seq "$RUNS"); do
    local start end ms rss
    start=$(date +%s%N)
    if ! /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/out" 2> "$work/err"; then
      echo "$label: failed: $(tail -n 1 "$work/err")"; return
    fi
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); rss=$(tail -n 1 "$work/rss")
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  printf '  %-28s %6d ms %6d MB\n' "$label" "$best" $((peak / 1024))
}

echo "bulwark $(./bin/bulwark version); best of $RUNS; $(nproc) cores; $(date -u +%F)"
for input in "docker-archive:$DEB" "oci-dir:$work/oci"; do
  kind=${input%%:*}; path=${input#*:}
  echo "$kind $(basename "$path")"
  if [ "$kind" = docker-archive ] && command -v igzip >/dev/null; then
    layer=$(tar -tf "$DEB" | grep -E '\.tar(\.gz)?$|layer' | head -n 1)
    tar -xOf "$DEB" "$layer" > "$work/layer"
    best "floor (igzip | tar -t)" sh -c "igzip -dc '$work/layer' | tar -t > /dev/null"
  fi
  best "bulwark cold" ./bin/bulwark sbom --no-cache -f cyclonedx "$input"
  ./bin/bulwark sbom --cache-dir "$work/cache" -f cyclonedx "$input" > /dev/null
  best "bulwark warm" ./bin/bulwark sbom --cache-dir "$work/cache" -f cyclonedx "$input"
  if [ -x "$TRIVY" ]; then
    best "trivy cold" "$TRIVY" image --skip-version-check --disable-telemetry --cache-backend memory -q --format cyclonedx --input "$path"
    "$TRIVY" image --skip-version-check --disable-telemetry --cache-dir "$work/trivy" -q --format cyclonedx --input "$path" > /dev/null 2>&1 || true
    best "trivy warm" "$TRIVY" image --skip-version-check --disable-telemetry --cache-dir "$work/trivy" -q --format cyclonedx --input "$path"
  else
    echo "  trivy: not installed (see bench/README.md)"
  fi
  if [ -x "$SYFT" ]; then
    best "syft" "$SYFT" -q "$input" -o cyclonedx-json
  else
    echo "  syft: not installed (see bench/README.md)"
  fi
done
