# Shared by the benchmark scripts: a scratch folder removed on exit, release builds of
# anli and the corpus generator, and `median` over numbers on stdin.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --quiet --example corpus
cargo build --release --quiet
anli=${ANLI:-target/release/anli} # ANLI: another binary to measure
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
header() { printf '# %s, %s, %s cores, %s\n' "$1" "$(date -u +%F)" "$(nproc)" "$(free -h | awk '/Mem:/ {print $2}')"; }
