#!/usr/bin/env bash
# Installs (once, into the CI cache) the peer tools the tests run when
# they are on PATH: Dive (efficiency) and Dockle (image checks), and cosign
# v2 and v3 (signature interoperability), as cosign-v2 and cosign-v3.
# Best effort: without them those tests skip with a message. Prints the
# PATH to export.
#
#   eval "$(.ci/peers.sh)"
set -uo pipefail
CACHE=${BULWARK_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark-ci}
mkdir -p "$CACHE/bin"
if [ ! -x "$CACHE/bin/dive" ]; then
  GOBIN="$CACHE/bin" go install github.com/wagoodman/dive/cmd/dive@v0.13.2-0.20250516191726-d6c691947f8f >&2 \
    || echo "note: dive not installed; the efficiency comparison will skip" >&2
fi
if [ ! -x "$CACHE/bin/dockle" ]; then
  if go mod download github.com/goodwithtech/dockle@v0.4.15 >&2; then
    dir=$(go env GOMODCACHE)/github.com/goodwithtech/dockle@v0.4.15
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$CACHE/bin/dockle" ./cmd/dockle) >&2 \
      || echo "note: dockle not built; the Dockle comparison will skip" >&2
  fi
fi
for v in v2:v2.6.5 v3:v3.1.3; do
  major=${v%%:*} version=${v#*:}
  if [ ! -x "$CACHE/bin/cosign-$major" ]; then
    tmp=$(mktemp -d)
    if GOBIN="$tmp" go install "github.com/sigstore/cosign/$major/cmd/cosign@$version" >&2; then
      mv "$tmp/cosign" "$CACHE/bin/cosign-$major"
    else
      echo "note: cosign $version not installed; its interoperability tests will skip" >&2
    fi
    rm -rf "$tmp"
  fi
done
echo "export PATH=\"$CACHE/bin:\$PATH\""
