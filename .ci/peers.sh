#!/usr/bin/env bash
# Installs (once, into the CI cache) the peer tools the comparison tests
# run when they are on PATH: Dive (efficiency) and Dockle (image checks).
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
echo "export PATH=\"$CACHE/bin:\$PATH\""
