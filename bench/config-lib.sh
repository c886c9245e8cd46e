# Shared by bench/lint.sh and bench/audit.sh, which time Bulwark and
# `trivy config` on one generated corpus: sourced, not run. The caller sets
# work (a scratch directory), n (the corpus size), UNIT ("Dockerfiles",
# "files") and RUNS.

TRIVY=${TRIVY:-$(command -v trivy || echo "$(go env GOPATH)/bin/trivy")}
if [ ! -x "$TRIVY" ]; then
  echo "trivy not found (set TRIVY=...); timing Bulwark alone" >&2
  TRIVY=
fi

# best_of LABEL CMD...: runs CMD RUNS times, keeps the fastest wall time and
# the largest peak RSS (from /usr/bin/time), and prints one line.
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
  printf '%-8s %6d ms  %7s %s/s  %6d MB peak  %s\n' "$label" "$best" "$rate" "$UNIT" $((peak / 1024)) "$(count "$label")"
  echo "$best" > "$work/$label.ms"
}

# count LABEL: the findings in LABEL's JSON output.
count() {
  case $1 in
    bulwark) echo "$(jq '.findings | length' "$work/bulwark.out") findings" ;;
    trivy) echo "$(jq '[.Results[]?.Misconfigurations[]? | select(.Status == "FAIL")] | length' "$work/trivy.out") failures" ;;
  esac
}

# ratio TARGET: Bulwark's throughput over Trivy's, with the target if any.
ratio() {
  awk -v b="$(cat "$work/bulwark.ms")" -v t="$(cat "$work/trivy.ms")" -v target="$1" \
    'BEGIN { printf "Bulwark throughput is %.1fx Trivy'"'"'s%s\n", t / b, (target == "" ? "" : " (target: " target ")") }'
}
