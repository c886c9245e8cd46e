#!/usr/bin/env bash
# The registry commands against the reference registry (started here with
# .ci/registry.sh): prune planning over 1,000 tags (400 distinct images, so
# tags share digests), and a registry scan of 20 tags that share the real
# Alpine 3.18.9 base. Reports time and requests by method. The targets:
# each manifest and config fetched at most once per run, and the shared
# base layers analysed once.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${BULWARK_SHARED:-../shared}
make -s build
eval "$(.ci/registry.sh start)"
trap '.ci/registry.sh stop' EXIT
run=$(date +%s)
prune_repo="$BULWARK_TEST_REGISTRY/bench/prune-$run"
scan_repo="$BULWARK_TEST_REGISTRY/bench/scan-$run"
work=$(mktemp -d)
trap '.ci/registry.sh stop; rm -rf "$work"' EXIT

echo "prune planning, 1,000 tags over 400 images"
go run ./bench/mkregistry -repo "$prune_repo" -tags "${PRUNE_TAGS:-1000}" -images "${PRUNE_IMAGES:-400}"
for _ in 1 2 3; do
  ./bin/bulwark prune --keep-last 50 --keep-tag '^t-00' "$prune_repo" 2>&1 >/dev/null | grep planned
done

if [ -d "$SHARED/testdata/images/alpine-oci" ]; then
  echo "registry scan, 20 tags sharing the Alpine 3.18.9 base (no layer cache on disk)"
  go run ./bench/mkregistry -repo "$scan_repo" -tags 20 -base "$SHARED/testdata/images/alpine-oci"
  ./bin/bulwark db build --from "$SHARED/testdata/feeds" --db "$work/bulwark.db" > /dev/null
  for _ in 1 2 3; do
    ./bin/bulwark registry scan --offline --no-cache --db "$work/bulwark.db" "$scan_repo" 2>&1 >/dev/null | grep images
  done
fi
