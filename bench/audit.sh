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

UNIT=files
# shellcheck source=bench/config-lib.sh
. bench/config-lib.sh

echo "corpus: $n manifest files (bench/manifests, seed 2026); best of $RUNS runs; $(nproc) cores; $(date -u +%F)"
best_of bulwark ./bin/bulwark audit --format json "$work/corpus"
if [ -n "$TRIVY" ]; then
  best_of trivy "$TRIVY" config --skip-version-check --disable-telemetry --skip-check-update --quiet \
    --misconfig-scanners kubernetes --cache-dir "$work/trivy-cache" --format json "$work/corpus"
  ratio ""
fi
