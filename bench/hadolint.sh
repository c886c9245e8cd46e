#!/bin/sh
# Measures agreement with Hadolint's own rule specs: extracts the test
# tree of a Hadolint checkout (HADOLINT_GIT: a git directory, for example
# the one `fetch github:hadolint/hadolint` leaves; or HADOLINT_REPO: a
# checkout) and runs bench/hadolint's TestSuite, writing the report to
# ${HADOLINT_REPORT:-/tmp/hadolint-report.md}.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${HADOLINT_REPO:-}" ]; then
	git_dir=${HADOLINT_GIT:-/work/.mirror/hadolint+hadolint/repo}
	HADOLINT_REPO=$(mktemp -d)
	trap 'rm -rf "$HADOLINT_REPO"' EXIT
	git --git-dir="$git_dir" archive HEAD test | tar -x -C "$HADOLINT_REPO"
fi
export HADOLINT_REPO
export HADOLINT_REPORT=${HADOLINT_REPORT:-/tmp/hadolint-report.md}
go test -count=1 -run TestSuite -v ./bench/hadolint/ | grep -E 'agreement|ok|FAIL' || true
echo "report: $HADOLINT_REPORT"
