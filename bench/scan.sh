#!/usr/bin/env bash
# Times `bulwark scan` against `osv-scanner scan image --offline` on the
# same images and the same OSV data (../shared/testdata/feeds), side by side
# in one run, with wall time and peak memory; compares their findings; and
# reports the database's build time and size against the feeds'.
#
#   bench/scan.sh          # osv-scanner from PATH or $(go env GOPATH)/bin
#   OSV_SCANNER=... RUNS=5 bench/scan.sh
#
# osv-scanner: GOTOOLCHAIN=go1.27.3 go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0
# Trivy and Grype cannot download their own databases here (no network
# beyond the Go module proxy), so they are not timed for scanning.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SHARED=${BULWARK_SHARED:-../shared}
FEEDS="$SHARED/testdata/feeds"
[ -d "$FEEDS" ] || { echo "$FEEDS is absent: nothing to measure" >&2; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make -s build
OSV=${OSV_SCANNER:-$(command -v osv-scanner || echo "$(go env GOPATH)/bin/osv-scanner")}

# The database, built from the test feeds.
start=$(date +%s%N)
./bin/bulwark db build --from "$FEEDS" --db "$work/bulwark.db" > /dev/null
end=$(date +%s%N)
echo "database: built in $(( (end - start) / 1000000 )) ms; $(du -k "$work/bulwark.db" | cut -f1) KB from $(du -sk "$FEEDS" | cut -f1) KB of feeds"

# osv-scanner reads DIR/osv-scalibr/<Ecosystem>/all.zip and stops when one
# it needs is missing: give it the real ones and empty ones for the rest.
mkdir -p "$work/osvdb/osv-scalibr"
for z in "$FEEDS"/osv/*/all.zip; do e=$(basename "$(dirname "$z")"); mkdir -p "$work/osvdb/osv-scalibr/$e"; cp "$z" "$work/osvdb/osv-scalibr/$e/"; done
for e in Alpine Ubuntu Maven RubyGems Packagist NuGet "Red Hat" "Rocky Linux" AlmaLinux SUSE openSUSE Wolfi Chainguard; do
  [ -f "$work/osvdb/osv-scalibr/$e/all.zip" ] && continue
  mkdir -p "$work/osvdb/osv-scalibr/$e"
  python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1],'w').close()" "$work/osvdb/osv-scalibr/$e/all.zip"
done
export OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$work/osvdb"

# Inputs: the Debian docker-archive, and the OCI images re-saved as docker
# archives (osv-scanner reads only that format).
inputs=("$SHARED/testdata/images/debian-bookworm.docker.tar")
for n in alpine:3.18.9 alpine:3.20.3 vulnapp:alpine3.18-multilayer; do
  f="$work/$(echo "$n" | tr ':' '-').tar"
  BULWARK_IMAGE="example.local/$n" BULWARK_WRITE_DOCKER="$f" go test ./bench -run '^TestWriteOCILayout$' -count=1 > /dev/null
  inputs+=("$f")
done

best() {
  local label=$1; shift
  local best="" peak=0
  for _ in $(seq "$RUNS"); do
    local start end ms rss
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/out" 2> "$work/err" || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); rss=$(tail -n 1 "$work/rss")
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
  done
  printf '  %-22s %6d ms %6d MB\n' "$label" "$best" $((peak / 1024))
}

for img in "${inputs[@]}"; do
  echo "$(basename "$img")"
  best "bulwark (cold layers)" ./bin/bulwark scan --offline --no-cache --db "$work/bulwark.db" -f json "docker-archive:$img"
  ./bin/bulwark scan --offline --no-cache --db "$work/bulwark.db" -f json "docker-archive:$img" \
    | jq -r '.findings[] | select(.package != null) | [.package.name, (.package.version | sub("^v(?=[0-9])"; "")), .id] | @tsv' | sort -u > "$work/bw.tsv"
  if [ -x "$OSV" ]; then
    best "osv-scanner" "$OSV" scan image --offline --archive "$img" --format json
    "$OSV" scan image --offline --archive "$img" --format json 2>/dev/null \
      | jq -r '.results[]?.packages[]? | .package as $p | .vulnerabilities[]? | [$p.name, $p.version, .id] | @tsv' | sort -u > "$work/osv.tsv" || true
    echo "  findings: bulwark $(wc -l < "$work/bw.tsv"), osv-scanner $(wc -l < "$work/osv.tsv"); by ID: $(cut -f3 "$work/bw.tsv" | sort -u | wc -l) and $(cut -f3 "$work/osv.tsv" | sort -u | wc -l)"
    comm -3 <(cut -f3 "$work/bw.tsv" | sort -u) <(cut -f3 "$work/osv.tsv" | sort -u) | sed 's/^\t/  only osv-scanner: /; /^[^ ]/s/^/  only bulwark:     /'
  else
    echo "  osv-scanner: not installed (see bench/README.md)"
  fi
done
