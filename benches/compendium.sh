#!/usr/bin/env bash
# Compendium benchmark: generates collections of 100 and 500 cases (examples/corpus.rs),
# adds one compendium holding every case, and measures over several runs the median wall
# time and peak memory of `anli compendium`, with the page count of the PDF, once set in
# the system's Noto CJK fonts and once in anli's embedded fonts (ANLI_SYSTEM_FONTS=0).
# Usage: benches/compendium.sh [sizes...] (default: 100 500); FONTS="system embedded"
# picks the modes. Needs /usr/bin/time, pdfinfo (poppler-utils) and, for the system
# mode, fonts-noto-cjk.
sizes=("${@:-100 500}")
source "$(dirname "$0")/common.sh"
header "anli compendium benchmark"
for n in ${sizes[@]}; do
  site="$work/site-$n"
  target/release/examples/corpus "$n" "$site" 2>/dev/null
  printf 'compendia:\n  - {slug: all, title: 智能制造优秀案例集（基准测试）, group_by: category}\n' >> "$site/site.yaml"
  "$anli" build --root "$site" --output "$work/out-$n" --no-pdf 2>/dev/null
  for fonts in ${FONTS:-system embedded}; do
    system=1
    [ "$fonts" = embedded ] && system=0
    : > "$work/times"
    : > "$work/rss"
    for _ in $(seq "$runs"); do
      ANLI_SYSTEM_FONTS=$system /usr/bin/time -f '%e %M' -o "$work/one" "$anli" compendium all --root "$site" --output "$work/out-$n" 2>/dev/null
      read -r seconds kb < "$work/one"
      echo "$seconds" >> "$work/times"
      echo "$kb" >> "$work/rss"
    done
    pages=$(pdfinfo "$work/out-$n/compendium/all.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    bytes=$(stat -c %s "$work/out-$n/compendium/all.pdf")
    printf '%6d cases, %-8s fonts, %5d pages, %s MB PDF: compendium median %ss, peak RSS median %s MB\n' "$n" "$fonts" "$pages" "$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')" "$(median < "$work/times")" "$(( $(median < "$work/rss") / 1024 ))"
  done
done
