#!/usr/bin/env bash
# Photo benchmark (issue 19): COUNT photos of 4000×3000 (benches/photos.py, one per case
# of a generated collection, half of them turned by EXIF) built by anli and by Hugo with
# the same resize settings (benches/hugo-photos/: 480, 960 and 1600 px in WebP and JPEG
# at quality 80, a 1913 px print JPEG at 85, Lanczos). Medians over RUNS runs of:
#   anli no photos  anli build --no-pdf --no-search of the collection without photos:
#                   the baseline
#   anli originals  the same with the photos and `images: {process: false}`: copying
#                   the photos as they are
#   anli cold       the same with an empty .anli-cache/ (every photo processed)
#   anli warm       again, with the cache of the cold run (no photo processed)
#   hugo cold/warm  hugo with an empty resources/_gen cache, and again with it
# The image step is a row less the baseline. Hugo runs RUNS_HUGO times (default RUNS):
# cold, it takes about 3 s a photo on 2 cores. Then the compendium of the first
# PDF_CASES cases with their photos is made, and its size and page count printed.
# Usage: benches/photos.sh [COUNT] (default 1000). PHOTOS=dir keeps the generated
# photos between runs (default $TMPDIR/anli-bench-photos; about 1.4 GB for 1000).
# Needs /usr/bin/python3 with python3-pil, /usr/bin/time, hugo (extended, for WebP)
# and pdfinfo.
count=${1:-1000}
source "$(dirname "$0")/common.sh"
photos=${PHOTOS:-${TMPDIR:-/tmp}/anli-bench-photos}
pdf_cases=${PDF_CASES:-500}
runs_hugo=${RUNS_HUGO:-$runs}
command -v hugo > /dev/null || { echo "photos.sh: hugo not found (apt-get install hugo)" >&2; exit 2; }
echo "making $count photos in $photos" >&2
/usr/bin/python3 benches/photos.py "$photos" "$count"

# The anli site: a generated collection, each case a bundle holding one photo. The Hugo
# site: one page bundle per photo. Both link the same files.
plain=$work/plain
site=$work/site
hsite=$work/hugo
target/release/examples/corpus "$count" "$plain" 2> /dev/null
cp -r "$plain" "$site"
mkdir -p "$hsite/content/photos"
cp -r benches/hugo-photos/. "$hsite/"
i=0
while read -r case; do
  photo=$(printf '%s/photo-%04d.jpg' "$photos" "$i")
  bundle=${case%.md}
  mkdir "$bundle" "$hsite/content/photos/p$i"
  mv "$case" "$bundle/index.md"
  printf '\n![现场照片（示例图片 %d）](photo.jpg)\n' "$i" >> "$bundle/index.md"
  ln "$photo" "$bundle/photo.jpg" 2> /dev/null || cp "$photo" "$bundle/photo.jpg"
  printf -- '---\ntitle: 照片 %d\n---\n' "$i" > "$hsite/content/photos/p$i/index.md"
  ln "$photo" "$hsite/content/photos/p$i/photo.jpg" 2> /dev/null || cp "$photo" "$hsite/content/photos/p$i/photo.jpg"
  i=$((i + 1))
done < <(find "$site/content" -mindepth 2 -name '*.md' | sort)
find "$photos" -type f -exec cat {} + > /dev/null # the page cache holds them for every run

# one NAME CMD...: runs CMD, appending "wall rss_kb" to $work/NAME.
one() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/one" "$@" > "$work/log" 2>&1 || { tail -n 20 "$work/log" >&2; exit 1; }
  cat "$work/one" >> "$work/$name"
}
build=("$anli" build --root "$site" --output "$work/out" --no-pdf --no-search)
config=$(cat "$site/site.yaml")
for name in none originals cold warm hugo-cold hugo-warm; do : > "$work/$name"; done
for run in $(seq "$runs"); do
  echo "run $run of $runs" >&2
  one none "$anli" build --root "$plain" --output "$work/out" --no-pdf --no-search
  printf '%s\nimages: {process: false}\n' "$config" > "$site/site.yaml"
  one originals "${build[@]}"
  printf '%s\n' "$config" > "$site/site.yaml"
  rm -rf "$site/.anli-cache"
  one cold "${build[@]}"
  one warm "${build[@]}"
done
for run in $(seq "$runs_hugo"); do
  echo "hugo run $run of $runs_hugo" >&2
  rm -rf "$hsite/resources" "$work/public"
  one hugo-cold hugo --quiet --source "$hsite" --destination "$work/public"
  rm -rf "$work/public"
  one hugo-warm hugo --quiet --source "$hsite" --destination "$work/public"
done

header "anli photo benchmark: $count photos of 4000×3000"
printf -- '- anli %s, %s\n\n' "$(git rev-parse --short HEAD)" "$(hugo version | awk '{print $1, $2}')"
median_of() { awk -v c="$2" '{print $c}' "$work/$1" | median; }
base=$(median_of none 1)
printf '| build | wall (median of %s) | image step (less no photos) | peak RSS |\n| --- | ---: | ---: | ---: |\n' "$runs"
for name in none originals cold warm; do
  wall=$(median_of "$name" 1)
  printf '| anli %s | %s s | %s s | %s MB |\n' "$name" "$wall" "$(awk -v a="$wall" -v b="$base" 'BEGIN {printf "%.2f", a - b}')" "$(( $(median_of "$name" 2) / 1024 ))"
done
if [ "$runs_hugo" -gt 0 ]; then
  for name in hugo-cold hugo-warm; do
    printf '| %s (median of %s) | %s s | | %s MB |\n' "$name" "$runs_hugo" "$(median_of "$name" 1)" "$(( $(median_of "$name" 2) / 1024 ))"
  done
  printf '\nanli cold / hugo cold: %s\n' "$(awk -v a="$(median_of cold 1)" -v b="$(median_of hugo-cold 1)" 'BEGIN {printf "%.2f×", a / b}')"
fi
printf 'published photo files: anli %s MB, hugo %s MB; originals %s MB\n' \
  "$(find "$work/out" -name 'photo.*' -printf '%s\n' | awk '{s += $1} END {printf "%d", s / 1048576}')" \
  "$(find "$work/public" -name 'photo_*' -printf '%s\n' 2> /dev/null | awk '{s += $1} END {printf "%d", s / 1048576}')" \
  "$(find "$site/content" -name photo.jpg -printf '%s\n' | awk '{s += $1} END {printf "%d", s / 1048576}')"

# A compendium of the first PDF_CASES cases (the others removed), as an organiser would
# send it to a print shop: its size, pages and the photos' pixels as embedded.
find "$site/content" -mindepth 2 -maxdepth 2 -type d | sort | tail -n +$((pdf_cases + 1)) | xargs -r rm -rf
printf 'compendia:\n  - {slug: photos, title: 照片基准测试案例集, group_by: category}\n' >> "$site/site.yaml"
one compendium "$anli" compendium photos --root "$site" --output "$work/out"
pdf=$work/out/compendium/photos.pdf
printf 'compendium of %s cases with a photo each: %s pages, %s MB, %s s, peak RSS %s MB; photos embedded at %s\n' \
  "$(find "$site/content" -name photo.jpg | wc -l | tr -d ' ')" "$(pdfinfo "$pdf" 2> /dev/null | awk '/^Pages:/ {print $2}')" \
  "$(stat -c %s "$pdf" | awk '{printf "%.1f", $1 / 1048576}')" "$(median_of compendium 1)" "$(( $(median_of compendium 2) / 1024 ))" \
  "$(pdfimages -list "$pdf" 2> /dev/null | awk 'NR > 2 && $4 > 1000 {print $4 "×" $5 " px, " $13 " ppi"}' | sort | uniq -c | sort -rn | head -n 1 | sed 's/^ *//')"
