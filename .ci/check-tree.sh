#!/usr/bin/env bash
# Fails when the repository tracks a build output: a compiled executable or
# library (ELF, Mach-O, PE, ar), an executable file that is not a script, or
# any file over 1 MiB outside a testdata folder. Build outputs belong in bin/
# (ignored), real test data in ../shared.
#   .ci/check-tree.sh [DIR]   check the git work tree at DIR (default: .)
#   .ci/check-tree.sh --self-test
set -euo pipefail

limit=$((1024 * 1024))

check() {
  local dir=$1 bad=0 mode path size magic
  while IFS= read -r -d '' entry; do
    mode=${entry%% *}
    path=${entry#*$'\t'}
    [ -f "$dir/$path" ] || continue
    size=$(stat -c %s "$dir/$path")
    case "/$path" in
      */testdata/*) ;;
      *) if [ "$size" -gt "$limit" ]; then
           echo "check-tree: $path: $size bytes, over 1 MiB outside testdata (keep real data in ../shared)" >&2; bad=1
         fi ;;
    esac
    magic=$(head -c 4 "$dir/$path" | od -An -tx1 | tr -d ' \n')
    case "$magic" in
      7f454c46|feedface|feedfacf|cefaedfe|cffaedfe|213c6172) 
        echo "check-tree: $path: a compiled binary is committed (build outputs go to bin/, which is ignored)" >&2; bad=1; continue ;;
      4d5a*)
        echo "check-tree: $path: a Windows executable is committed" >&2; bad=1; continue ;;
    esac
    if [ "$mode" = 100755 ] && [ "${magic:0:4}" != 2321 ]; then
      echo "check-tree: $path: executable but not a script (no #! line)" >&2; bad=1
    fi
  done < <(git -C "$dir" ls-files -s -z | sed -z 's/^\([0-7]*\) [0-9a-f]* [0-9]*\t/\1 \t/')
  return $bad
}

self_test() {
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  git -C "$tmp" init -q
  printf '#!/bin/sh\necho ok\n' > "$tmp/run.sh"; chmod +x "$tmp/run.sh"
  mkdir -p "$tmp/pkg/testdata"; head -c $((limit + 1)) /dev/zero > "$tmp/pkg/testdata/big"
  git -C "$tmp" add -A
  check "$tmp" || { echo "self-test: a clean tree was refused" >&2; return 1; }
  for bad in elf big exe; do
    git -C "$tmp" rm -q --cached -r . ; git -C "$tmp" add run.sh pkg
    case $bad in
      elf) printf '\177ELF\002\001\001' > "$tmp/tool" ;;
      big) head -c $((limit + 1)) /dev/zero > "$tmp/tool" ;;
      exe) printf 'plain text\n' > "$tmp/tool"; chmod +x "$tmp/tool" ;;
    esac
    git -C "$tmp" add tool
    if check "$tmp" 2>/dev/null; then echo "self-test: case $bad was not refused" >&2; return 1; fi
    rm -f "$tmp/tool"
  done
  echo "check-tree self-test: 4 cases, all as expected"
}

if [ "${1:-}" = --self-test ]; then self_test; else check "${1:-.}"; fi
