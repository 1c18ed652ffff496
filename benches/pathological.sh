#!/usr/bin/env bash
# Pathological markdown: one case whose body repeats a hostile pattern up to the default
# max_file_size (2 MiB), checked with `anli check`. Time and peak memory must grow
# linearly with the size (a nesting cap refuses deep bodies early; the sanitiser would
# otherwise take time that grows with depth times length). Prints the median wall time
# and peak RSS per pattern and size; RUNS sets the number of runs (default 3).
# Usage: benches/pathological.sh [sizes in KB...] (default: 80 400 2000)
sizes=("${@:-80 400 2000}")
source "$(dirname "$0")/common.sh"
header "anli pathological markdown benchmark"
site="$work/site"
mkdir -p "$site/content/scenarios"
echo "title: 病态输入基准" > "$site/site.yaml"
front=$'---\ntitle: 病态\nunit: 单位（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2024\nsummary: 摘要。\n---\n\n'
declare -A patterns=(
  [quote-list]='> - '
  [quotes]='> '
  [emphasis]='*强调 **加粗 '
  [brackets]='[链接'
  [bold-lead-ins]='**实施成效：**提升'
  [table-rows]=$'| 指标 | 数值 |\n'
  [html-tags]='<b>粗'
)
for name in $(printf '%s\n' "${!patterns[@]}" | sort); do
  for kb in ${sizes[@]}; do
    pattern=${patterns[$name]}
    [ "$name" = table-rows ] && prefix=$'| 指标 | 数值 |\n| --- | --- |\n' || prefix=""
    python3 - "$site/content/scenarios/case.md" "$kb" "$front$prefix" "$pattern" <<'PY'
import sys
path, kb, head, pattern = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
size = kb * 1000 - len(head.encode())
body = pattern * (size // len(pattern.encode()))
open(path, "w").write(head + body + "\n")
PY
    : > "$work/times"; : > "$work/rss"
    for _ in $(seq "$runs"); do
      /usr/bin/time -f '%e %M' -o "$work/one" "$anli" check --root "$site" > "$work/report" 2>&1 || true
      read -r seconds kb_rss < <(tail -1 "$work/one")
      echo "$seconds" >> "$work/times"; echo "$kb_rss" >> "$work/rss"
    done
    verdict=$(grep -o '错误\[[a-z-]*\]' "$work/report" | head -1 || true)
    printf '%-14s %5d KB: check median %6ss, peak RSS median %5d MB  %s\n' "$name" "$kb" "$(median < "$work/times")" "$(( $(median < "$work/rss") / 1024 ))" "${verdict:-ok}"
  done
done

# One compendium holding one case at each limit: what a single case can add to a
# compendium's memory (the bound README states).
printf 'compendia:\n  - {slug: all, title: 极限测试}\n' >> "$site/site.yaml"
declare -A bodies=(
  [baseline]="print('正文。')"
  [text-2MiB]="p='智能制造示范工厂建设过程中，企业围绕设计、生产、管理、服务等环节开展数字化改造。'*20+'\n\n'; print(p*(2000*1000//len(p.encode())))"
  [table-3x3333]="print('| 指标 | 数值 | 说明 |\n| --- | --- | --- |\n'+''.join(f'| 第{i}行数据0 | 第{i}行数据1 | 第{i}行数据2 |\n' for i in range(3332)))"
  [table-10x1000]="print('|'+''.join(f' 列{j} |' for j in range(10))+'\n|'+' --- |'*10+'\n'+''.join('|'+''.join(f' 第{i}行数据{j} |' for j in range(10))+'\n' for i in range(999)))"
)
for name in baseline text-2MiB table-3x3333 table-10x1000; do
  { printf '%s' "$front"; python3 -c "${bodies[$name]}"; } > "$site/content/scenarios/case.md"
  : > "$work/times"; : > "$work/rss"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/one" "$anli" compendium all --root "$site" --output "$work/out" > "$work/report" 2>&1 || true
    read -r seconds kb_rss < <(tail -1 "$work/one")
    echo "$seconds" >> "$work/times"; echo "$kb_rss" >> "$work/rss"
  done
  pages=$(pdfinfo "$work/out/compendium/all.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  printf 'compendium, one case %-14s: median %6ss, peak RSS median %5d MB, %s pages\n' "$name" "$(median < "$work/times")" "$(( $(median < "$work/rss") / 1024 ))" "${pages:-?}"
done
