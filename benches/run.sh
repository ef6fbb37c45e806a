#!/usr/bin/env bash
# Build generated corpora with the release binary and print pages written,
# pages/s, wall time, peak RSS, and the floor: the time to `cp -r` the
# produced output folder on the same machine in the same run.
# usage: benches/run.sh [N_REPORTS ...]   (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq bc time >/dev/null; }
done
cargo build --release --quiet
BIN=$PWD/target/release/jianbao
WORK=${BENCH_DIR:-/tmp/jianbao-bench}
RUNS=${RUNS:-3}
mkdir -p "$WORK"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
printf '%-8s %-8s %-10s %-10s %-10s %-10s %-8s\n' reports pages wall_s pages/s rss_MB floor_s ratio
for n in "${sizes[@]}"; do
  site="$WORK/site-$n"
  [ -f "$site/.done" ] || { python3 benches/gen_corpus.py "$site" --reports "$n" --units $(( n / 50 + 10 )) --articles $(( n / 5 )); touch "$site/.done"; }
  walls=(); rsss=(); floors=(); pages=0
  for r in $(seq "$RUNS"); do
    rm -rf "$site/public"
    /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$BIN" build --root "$site" > "$WORK/out.txt"
    read -r wall rss < "$WORK/time.txt"
    pages=$(sed -E 's/.*: ([0-9]+) pages.*/\1/' "$WORK/out.txt")
    rm -rf "$WORK/copy"; sync
    s=$(date +%s.%N); cp -r "$site/public" "$WORK/copy"; e=$(date +%s.%N)
    walls+=("$wall"); rsss+=("$rss"); floors+=("$(echo "$e - $s" | bc)")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  w=$(med "${walls[@]}"); m=$(med "${rsss[@]}"); f=$(med "${floors[@]}")
  printf '%-8s %-8s %-10s %-10.0f %-10.0f %-10.3f %-8.2f\n' "$n" "$pages" "$w" "$(echo "$pages / $w" | bc -l)" "$(echo "$m / 1024" | bc -l)" "$f" "$(echo "$w / $f" | bc -l)"
done
