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
  # Runs one change (a shell command) and records the rebuild it causes.
  timed() {
    before=$(grep -c 重新构建 "$work/serve.err" || true)
    start=$(date +%s%N)
    eval "$1"
    until [ "$(grep -c 重新构建 "$work/serve.err" || true)" -gt "$before" ]; do sleep 0.01; done
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/walls"
    grep 重新构建 "$work/serve.err" | tail -n 1 | grep -o '用时 [0-9]* 毫秒' | grep -o '[0-9]*' >> "$work/rebuilds"
    sleep 0.5
  }
  report() {
    grep 重新构建 "$work/serve.err" | tail -n 1 >&2
    printf '%6d cases: serve rebuild after %s, median %s ms (write to rebuilt: %s ms)\n' "$n" "$1" "$(median < "$work/rebuilds")" "$(median < "$work/walls")"
    : > "$work/rebuilds"; : > "$work/walls"
  }
  : > "$work/rebuilds"
  : > "$work/walls"
  for i in $(seq "$runs"); do
    edited=$(sed "s/^summary: .*/summary: 第 $i 次修改后的摘要。/" "$case_file")
    timed 'printf "%s\n" "$edited" > "$case_file"' # one write in place, as an editor saves
  done
  report "one edited case"
  # A new case (a copy under a new name, a new title), then the same file removed.
  for i in $(seq "$runs"); do
    added=$(sed "s/^title: .*/title: 新增的第 $i 个示例案例/" "$case_file")
    timed 'printf "%s\n" "$added" > "$site/content/scenarios/zz-new-$i.md"'
  done
  report "one new case"
  for i in $(seq "$runs"); do
    timed 'rm "$site/content/scenarios/zz-new-$i.md"'
  done
  report "one removed case"
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
done
