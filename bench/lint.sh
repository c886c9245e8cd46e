#!/usr/bin/env bash
# Lints one generated corpus of 1,000 Dockerfiles with Bulwark and with
# `trivy config` (its Dockerfile checks), side by side in one run, and prints
# wall time, throughput, peak memory and finding counts for each.
#
#   bench/lint.sh            # uses trivy from PATH or $(go env GOPATH)/bin
#   TRIVY=/path/to/trivy RUNS=5 bench/lint.sh
#
# Trivy: GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s build
BULWARK_WRITE_CORPUS="$work/corpus" go test ./bench -run '^TestWriteCorpus$' -count=1 >/dev/null
n=$(find "$work/corpus" -name Dockerfile | wc -l)

UNIT=Dockerfiles
# shellcheck source=bench/config-lib.sh
. bench/config-lib.sh

echo "corpus: $n Dockerfiles (bench/corpus, seed 2026); best of $RUNS runs; $(nproc) cores; $(date -u +%F)"
best_of bulwark ./bin/bulwark lint --format json "$work/corpus"
if [ -n "$TRIVY" ]; then
  best_of trivy "$TRIVY" config --skip-version-check --disable-telemetry --skip-check-update --quiet \
    --cache-dir "$work/trivy-cache" --format json "$work/corpus"
  ratio "20x"
fi
