#!/usr/bin/env bash
# Two anli binaries on the same generated collection: `build --no-pdf` runs alternate
# between them (A, B, A, B, …) so load on a shared machine falls on both alike; prints
# the median wall time of each and the ratio B/A.
# Usage: benches/ab.sh A_BINARY B_BINARY [cases] (default 10000); RUNS (default 5).
# Build A from an earlier commit, e.g.:
#   git worktree add /tmp/a <commit> && (cd /tmp/a && cargo build --release) && cp /tmp/a/target/release/anli /tmp/anli-a
a=$1 b=$2 n=${3:-10000}
source "$(dirname "$0")/common.sh"
runs=${RUNS:-5}
header "anli A/B build benchmark"
site="$work/site"
target/release/examples/corpus "$n" "$site" 2>/dev/null
: > "$work/a"; : > "$work/b"
for _ in $(seq "$runs"); do
  for side in a b; do
    bin=$a; [ "$side" = b ] && bin=$b
    rm -rf "$work/out"
    /usr/bin/time -f '%e' -o "$work/one" "$bin" build --root "$site" --output "$work/out" --no-pdf 2>/dev/null
    tail -1 "$work/one" >> "$work/$side"
  done
done
ma=$(median < "$work/a") mb=$(median < "$work/b")
printf '%d cases, %d runs each: A median %ss, B median %ss, B/A %s\n' "$n" "$runs" "$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", b / a}')"
