#!/usr/bin/env bash
# Build-time benchmark: generates collections of 1,000 and 10,000 cases (examples/corpus.rs),
# then measures over several runs the median wall time and peak memory of `anli build`
# with the search index and without it (`--no-search`), and the time `anli serve` takes to
# rebuild after one case changes.
# Usage: benches/build.sh [sizes...] (default: 1000 10000). Needs /usr/bin/time.
sizes=("${@:-1000 10000}")
source "$(dirname "$0")/common.sh"
trap 'kill "${serve_pid:-0}" 2>/dev/null || true; cleanup' EXIT
header "anli build benchmark"
for n in ${sizes[@]}; do
  site="$work/site-$n"
  target/release/examples/corpus "$n" "$site" 2>/dev/null
  for mode in ${MODES-search no-search}; do
    flags=()
    [ "$mode" = no-search ] && flags=(--no-search)
    : > "$work/times"
    : > "$work/rss"
    for _ in $(seq "$runs"); do
      /usr/bin/time -f '%e %M' -o "$work/one" "$anli" build --root "$site" --output "$work/out-$n" "${flags[@]}" 2>/dev/null
      read -r seconds kb < "$work/one"
      echo "$seconds" >> "$work/times"
      echo "$kb" >> "$work/rss"
    done
    printf '%6d cases, %-9s: build median %ss, peak RSS median %s MB\n' "$n" "$mode" "$(median < "$work/times")" "$(( $(median < "$work/rss") / 1024 ))"
  done

  # serve: from writing one case to the end of its rebuild, as serve reports it (the
  # rebuild itself) and as seen from here (write to report, including the debounce).
  # An incremental rebuild leaves the search index to full rebuilds: start serve without it.
  echo 'search: false' >> "$site/site.yaml"
  "$anli" serve --root "$site" --port 0 > "$work/serve.out" 2> "$work/serve.err" &
  serve_pid=$!
  until grep -q 正在预览 "$work/serve.out" 2>/dev/null; do sleep 0.2; done
  case_file=$(find "$site/content/scenarios" -name '*.md' | sort | sed -n 1p) # sed reads all: no SIGPIPE under pipefail
  : > "$work/rebuilds"
  : > "$work/walls"
  for i in $(seq "$runs"); do
    before=$(grep -c 重新构建 "$work/serve.err" || true)
    edited=$(sed "s/^summary: .*/summary: 第 $i 次修改后的摘要。/" "$case_file")
    start=$(date +%s%N)
    printf '%s\n' "$edited" > "$case_file" # one write in place, as an editor saves
    until [ "$(grep -c 重新构建 "$work/serve.err" || true)" -gt "$before" ]; do sleep 0.01; done
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/walls"
    grep 重新构建 "$work/serve.err" | tail -n 1 | grep -o '用时 [0-9]* 毫秒' | grep -o '[0-9]*' >> "$work/rebuilds"
    sleep 0.5
  done
  grep 重新构建 "$work/serve.err" | tail -n 1 >&2
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
  printf '%6d cases: serve rebuild after one change, median %s ms (write to rebuilt: %s ms)\n' "$n" "$(median < "$work/rebuilds")" "$(median < "$work/walls")"
done
