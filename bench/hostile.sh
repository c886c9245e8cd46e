#!/usr/bin/env bash
# Peak memory and time of Bulwark on the full-size hostile shapes of issue
# 13, item 10 (tests build them scaled down in code): every command must
# end, exit 0 or refuse with exit 2, and stay under its memory budget
# (--max-memory, 1 GB by default). No peer takes these inputs by design;
# the targets are the budget and a finish.
#
#   bench/hostile.sh            # writes the shapes to $HOSTILE (kept between runs)
#   HOSTILE=/tmp/bulwark-hostile bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTILE=${HOSTILE:-/tmp/bulwark-hostile}
make -s build
go run ./bench/mkhostile -o "$HOSTILE" >/dev/null
# A second image just under the entry limit: the largest one that is read.
go run ./bench/mkhostile -o "$HOSTILE/under" -files 1990000 -runs 1 -pods 1 -records 1 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" # a cold layer cache

run() {
  local label=$1; shift
  local start end code=0
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/out" 2> "$work/err" || code=$?
  end=$(date +%s%N)
  local rss; rss=$(tail -n 1 "$work/rss")
  printf '| %s | %d | %s ms | %s MB | %s |\n' "$label" "$code" "$(( (end - start) / 1000000 ))" "$(( rss / 1024 ))" \
    "$(grep -v '^Command exited' "$work/err" | tail -n 1 | cut -c1-90)"
}

echo "| shape | exit | wall | peak RSS | last line of stderr |"
echo "| --- | --- | --- | --- | --- |"
run "3M empty files, one layer" bin/bulwark sbom "oci-dir:$HOSTILE/empty-files" -o "$work/sbom.json"
run "1.99M empty files" bin/bulwark sbom "oci-dir:$HOSTILE/under/empty-files" -o "$work/sbom.json"
run "200,000 RUN lines (3 MB)" bin/bulwark lint "$HOSTILE/Dockerfile.runs"
run "100,000 Pods (10 MB)" bin/bulwark audit "$HOSTILE/pods.yaml"
run "OSV zip of 1.5M records" bin/bulwark db build --from "$HOSTILE/feeds" --db "$work/db"
