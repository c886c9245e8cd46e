#!/usr/bin/env bash
# Audits one generated corpus of 1,000 Kubernetes manifest files
# (bench/manifests, seed 2026: every workload kind, init containers, several
# containers, settings between none and the restricted level, ConfigMaps and
# Services beside them) with Bulwark and with `trivy config` (its Kubernetes
# checks), side by side in one run: wall time, throughput, peak memory and
# finding counts.
#
#   bench/audit.sh            # uses trivy from PATH or $(go env GOPATH)/bin
#   TRIVY=/path/to/trivy RUNS=5 bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s build
BULWARK_WRITE_MANIFESTS="$work/corpus" go test ./bench -run '^TestWriteManifests$' -count=1 >/dev/null
n=$(find "$work/corpus" -name '*.yaml' | wc -l)

TRIVY=${TRIVY:-$(command -v trivy || echo "$(go env GOPATH)/bin/trivy")}
if [ ! -x "$TRIVY" ]; then
  echo "trivy not found (set TRIVY=...); timing Bulwark alone" >&2
  TRIVY=
fi

best_of() {
  local label=$1; shift
  local best="" peak=0
  for _ in $(seq "$RUNS"); do
    local start end ms rss
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/$label.out" 2> "$work/$label.err" || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    rss=$(tail -n 1 "$work/rss")
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  local rate
  rate=$(awk -v n="$n" -v ms="$best" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
  printf '%-8s %6d ms  %7s files/s  %6d MB peak  %s\n' "$label" "$best" "$rate" $((peak / 1024)) "$(count "$label")"
  echo "$best" > "$work/$label.ms"
}

count() {
  case $1 in
    bulwark) echo "$(jq '.findings | length' "$work/bulwark.out") findings" ;;
    trivy) echo "$(jq '[.Results[]?.Misconfigurations[]? | select(.Status == "FAIL")] | length' "$work/trivy.out") failures" ;;
  esac
}

echo "corpus: $n manifest files (bench/manifests, seed 2026); best of $RUNS runs; $(nproc) cores; $(date -u +%F)"
best_of bulwark ./bin/bulwark audit --format json "$work/corpus"
if [ -n "$TRIVY" ]; then
  best_of trivy "$TRIVY" config --skip-version-check --disable-telemetry --skip-check-update --quiet \
    --misconfig-scanners kubernetes --cache-dir "$work/trivy-cache" --format json "$work/corpus"
  awk -v b="$(cat "$work/bulwark.ms")" -v t="$(cat "$work/trivy.ms")" \
    'BEGIN { printf "Bulwark throughput is %.1fx Trivy'"'"'s\n", t / b }'
fi
