#!/usr/bin/env bash
# Times the image checks: `bulwark scan` with and without them (their
# overhead on the one pass), against `dive --ci` and `dockle` on the same
# docker-archive images: the real Debian and Alpine-based images of
# ../shared/testdata, and testimage.Bad (bench/mkimages). Best of RUNS, wall
# time and peak memory.
#
#   bench/image.sh            # dive and dockle from PATH
#   RUNS=7 bench/image.sh
#
# dive:   go install github.com/wagoodman/dive/cmd/dive@latest
# dockle: go mod download github.com/goodwithtech/dockle@v0.4.15, then
#         CGO_ENABLED=0 go build ./cmd/dockle in that module's folder of the
#         module cache.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SHARED=${BULWARK_SHARED:-../shared}
[ -d "$SHARED/testdata/images" ] || { echo "$SHARED/testdata/images is absent: nothing to measure" >&2; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make -s build
go run ./bench/mkimages -shared "$SHARED/testdata" -o "$work" > /dev/null
./bin/bulwark db build --from "$SHARED/testdata/feeds" --db "$work/bulwark.db" > /dev/null

best() {
  local label=$1; shift
  local best="" peak=0
  for _ in $(seq "$RUNS"); do
    local start end ms rss
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); rss=$(tail -n 1 "$work/rss")
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  printf '  %-34s %6d ms %6d MB\n' "$label" "$best" $((peak / 1024))
  last=$best
}

for img in "$SHARED/testdata/images/debian-bookworm.docker.tar" "$work/vulnapp-alpine3.18-multilayer.docker.tar" "$work/bad.docker.tar"; do
  echo "$(basename "$img")"
  scan=(./bin/bulwark scan --offline --no-cache --db "$work/bulwark.db" -f json)
  best "bulwark scan --scanners vuln" "${scan[@]}" --scanners vuln "docker-archive:$img"
  best "bulwark scan (vuln+image+secret)" "${scan[@]}" "docker-archive:$img"
  # The overhead is small against the run-to-run noise: time the two
  # interleaved, PAIRS times each, and compare medians.
  : > "$work/pairs"
  for _ in $(seq "${PAIRS:-21}"); do
    for sc in vuln vuln,image,secret; do
      start=$(date +%s%N)
      "${scan[@]}" --scanners "$sc" "docker-archive:$img" > /dev/null 2>&1 || true
      echo "$sc $(( ($(date +%s%N) - start) / 100000 ))" >> "$work/pairs"
    done
  done
  median() { awk -v k="$1" '$1 == k { print $2 }' "$work/pairs" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] / 10 }'; }
  v=$(median vuln); a=$(median vuln,image,secret)
  awk -v v="$v" -v a="$a" -v n="${PAIRS:-21}" 'BEGIN { printf "  median of %d interleaved runs each: %.1f ms vuln only, %.1f ms all: image and secret checks add %+.1f%%\n", n, v, a, (a - v) * 100 / v }'
  if command -v dive > /dev/null; then best "dive --ci" dive --ci --source docker-archive "$img"; else echo "  dive: not installed"; fi
  if command -v dockle > /dev/null; then best "dockle" dockle --input "$img"; else echo "  dockle: not installed"; fi
done
