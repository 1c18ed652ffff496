#!/usr/bin/env bash
# anli against Hugo and Hugo + Pagefind (issue #9).
#
# For each size, generates a collection with examples/corpus.rs, writes an equivalent Hugo
# site from the same files (benches/hugo/: hugo.toml with the same taxonomies and 24 cases
# per list page, minimal layouts like anli's default theme, and convert.awk for the front
# matter), then measures over RUNS runs, alternating the commands within each run:
#   anli          anli build --no-pdf --no-search (plain --no-pdf while anli has no search)
#   hugo          hugo --quiet, into a fresh folder each run
#   pagefind      pagefind --site <that Hugo output>; "hugo+pagefind" adds the two up
#                 (wall and CPU summed, peak RSS the larger of the two)
#   anli+search   anli build --no-pdf, only when `anli build --help` lists --no-search
# and prints a Markdown table of medians (wall, user+sys CPU, peak RSS), the HTML files
# each tool wrote, the ratios anli/Hugo and anli+search/(Hugo+Pagefind) of the same run,
# and anli's growth from the first size to the last. Every output goes to a fresh folder,
# removed between runs outside the timing.
#
# Usage: benches/compare.sh [sizes...]          (default: 1000 10000)
#   RUNS=3            runs per size; RUNS_<size> overrides it for one size (RUNS_10000=1)
#   HUGO=hugo         Hugo binary (Debian package hugo; measured with 0.111.3)
#   PAGEFIND=pagefind Pagefind CLI: cargo install pagefind --features extended --locked;
#                     when it is missing, the Pagefind rows are left out with a note
# Needs /usr/bin/time (package time), awk and hugo. The serve rebuild and the compendium
# numbers come from benches/build.sh and benches/compendium.sh.
sizes=("${@:-1000 10000}")
source "$(dirname "$0")/common.sh"
hugo=${HUGO:-hugo}
pagefind=${PAGEFIND:-pagefind}
command -v "$hugo" > /dev/null || { echo "compare.sh: $hugo not found (apt-get install hugo)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
have_pagefind=yes
command -v "$pagefind" > /dev/null || have_pagefind=
build_help=$("$anli" build --help)
have_search=
[[ $build_help == *--no-search* ]] && have_search=yes

# measure NAME CMD...: runs CMD under /usr/bin/time -v and appends "wall cpu rss_kb" to
# $work/NAME. A failing command stops the benchmark with its output.
measure() {
  local name=$1
  shift
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/command.log" 2>&1; then
    echo "compare.sh: failed: $*" >&2
    tail -n 30 "$work/command.log" >&2
    exit 1
  fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); for (i = 1; i <= n; i++) wall = wall * 60 + t[i] }
    /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$work/time.txt" >> "$work/$name"
}

# column FILE N: the median of column N of FILE.
column() { awk -v c="$2" '{print $c}' "$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "–" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%d MiB", k / 1024 }'; }
html_files() { find "$1" -name '*.html' | wc -l | tr -d ' '; }

# hugo_site CORPUS DIR: writes the Hugo site for a corpus.
hugo_site() {
  local corpus=$1 dir=$2 kind
  mkdir -p "$dir/content" "$dir/static"
  cp benches/hugo/hugo.toml "$dir/"
  cp -r benches/hugo/layouts "$dir/"
  cp themes/default/static/style.css "$dir/static/" # anli writes its stylesheet too
  for kind in scenarios:智能制造优秀场景 factories:智能制造示范工厂 zones:智能制造先行区; do
    mkdir -p "$dir/content/${kind%%:*}"
    printf -- '---\ntitle: %s\n---\n' "${kind#*:}" > "$dir/content/${kind%%:*}/_index.md"
  done
  find "$corpus/content" -mindepth 2 -name '*.md' -print0 |
    xargs -0 awk -v out="$dir/content" -v vocab=content/_taxonomies -f benches/hugo/convert.awk 2> /dev/null
}

rows=()
ratios=()
first_wall=
printf '# anli against Hugo and Pagefind, %s, %s cores, %s memory\n\n' "$(date -u +%F)" "$(nproc)" "$(free -h | awk '/Mem:/ {print $2}')"
printf -- '- anli %s (%s), %s\n' "$(git rev-parse --short HEAD)" "$(git rev-parse --abbrev-ref HEAD)" "$(rustc --version)"
printf -- '- %s\n' "$("$hugo" version)"
if [ -n "$have_pagefind" ]; then
  printf -- '- pagefind %s\n' "$("$pagefind" --version 2>&1 | awk '{print $NF}')"
else
  printf -- '- pagefind: not found (%s); the Hugo + Pagefind rows are left out\n' "$pagefind"
fi
if [ -z "$have_search" ]; then
  printf -- '- this anli has no search (no --no-search in `anli build --help`): "anli" is `anli build --no-pdf`, and there is no anli-with-search row\n'
fi
for n in ${sizes[@]}; do
  runs_n=$(eval "echo \${RUNS_$n:-$runs}")
  site="$work/site-$n"
  hsite="$work/hugo-$n"
  target/release/examples/corpus "$n" "$site" 2> /dev/null
  hugo_site "$site" "$hsite"
  converted=$(find "$hsite/content" -mindepth 2 -name '*.md' ! -name '_index.md' | wc -l | tr -d ' ')
  [ "$converted" -eq "$n" ] || { echo "compare.sh: converted $converted of $n cases" >&2; exit 1; }
  find "$site" "$hsite" -type f -exec cat {} + > /dev/null # warm the page cache for both
  names=(anli hugo)
  [ -n "$have_pagefind" ] && names+=(pagefind hugo+pagefind)
  [ -n "$have_search" ] && names+=(anli+search)
  for name in "${names[@]}"; do : > "$work/$name"; done
  for run in $(seq "$runs_n"); do
    echo "$n cases, run $run of $runs_n" >&2
    rm -rf "$work/out-"*
    if [ -n "$have_search" ]; then
      measure anli "$anli" build --root "$site" --output "$work/out-anli" --no-pdf --no-search
    else
      measure anli "$anli" build --root "$site" --output "$work/out-anli" --no-pdf
    fi
    measure hugo "$hugo" --quiet --source "$hsite" --destination "$work/out-hugo" --cacheDir "$work/hugo-cache"
    if [ -n "$have_pagefind" ]; then
      html_hugo=$(html_files "$work/out-hugo") # before Pagefind adds its own files
      measure pagefind "$pagefind" --site "$work/out-hugo"
      paste -d ' ' <(tail -n 1 "$work/hugo") <(tail -n 1 "$work/pagefind") |
        awk '{ printf "%.2f %.2f %d\n", $1 + $4, $2 + $5, ($3 > $6 ? $3 : $6) }' >> "$work/hugo+pagefind"
    fi
    if [ -n "$have_search" ]; then
      measure anli+search "$anli" build --root "$site" --output "$work/out-anli-search" --no-pdf
    fi
  done
  html_anli=$(html_files "$work/out-anli")
  [ -n "$have_pagefind" ] || html_hugo=$(html_files "$work/out-hugo")
  for name in "${names[@]}"; do
    case $name in
      anli) files=$html_anli ;;
      anli+search) files=$(html_files "$work/out-anli-search") ;;
      hugo) files=$html_hugo ;;
      *) files="–" ;;
    esac
    rows+=("| $(printf "%'d" "$n") | $name | ${runs_n} | $(column "$work/$name" 1) s | $(column "$work/$name" 2) s | $(mib "$(column "$work/$name" 3)") | $files |")
  done
  anli_wall=$(column "$work/anli" 1)
  line="| $(printf "%'d" "$n") | $(ratio "$anli_wall" "$(column "$work/hugo" 1)")"
  if [ -n "$have_search" ] && [ -n "$have_pagefind" ]; then
    line+=" | $(ratio "$(column "$work/anli+search" 1)" "$(column "$work/hugo+pagefind" 1)")"
  else
    line+=" | –"
  fi
  if [ -n "$have_pagefind" ]; then
    line+=" | $(ratio "$anli_wall" "$(column "$work/hugo+pagefind" 1)")"
  else
    line+=" | –"
  fi
  ratios+=("$line |")
  if [ -z "$first_wall" ]; then
    first_n=$n
    first_wall=$anli_wall
  fi
  last_n=$n
  last_wall=$anli_wall
done

printf '\n| cases | command | runs | wall (median) | CPU user+sys (median) | peak RSS (median) | HTML files |\n'
printf '| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n'
printf '%s\n' "${rows[@]}"
printf '\n| cases | anli / Hugo (wall) | anli with search / (Hugo + Pagefind) | anli without search / (Hugo + Pagefind) |\n'
printf '| ---: | ---: | ---: | ---: |\n'
printf '%s\n' "${ratios[@]}"
if [ "$last_n" != "$first_n" ]; then
  printf '\nanli growth from %s to %s cases: %s wall (%s× the cases)\n' "$first_n" "$last_n" \
    "$(ratio "$last_wall" "$first_wall")" "$(awk -v a="$last_n" -v b="$first_n" 'BEGIN { print a / b }')"
fi
printf '\nServe rebuild and compendium numbers: benches/build.sh and benches/compendium.sh.\n'
