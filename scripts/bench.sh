#!/usr/bin/env bash
# Benchmarks of issue 4, on a release build, printed as a Markdown table:
#   1. rendering a 1,000-student class vs `cp -r` of the same output tree
#      (file writes dominate; target: at most 1.5x);
#   2. `stackgen validate` of the 1,000-student class vs one
#      `terraform validate` (0.14.6) of one rendered stack (target: 10x faster).
# Each figure is the median of RUNS runs (default 5). Needs the test tools
# (scripts/install-test-tools.sh) for Terraform.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-5}
STUDENTS=${STUDENTS:-1000}
bash scripts/install-test-tools.sh >/dev/null
# shellcheck source=/dev/null
source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"
cargo build --release --quiet
bin=$PWD/target/release/stackgen

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "name,index_no,initials"
  for ((i = 0; i < STUDENTS; i++)); do echo "Student $i,$((100000 + i)),st"; done
} >"$work/roster.csv"
cat >"$work/class.yaml" <<YAML
course: bench
target: classic
roster: roster.csv
defaults:
  account_id: "100603781557"
YAML

# median SECONDS...: the median of the arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# seconds COMMAND...: wall time of one run, in seconds.
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e9}'
}

render=() copy=() validate=() tf=()
for ((r = 0; r < RUNS; r++)); do
  rm -rf "$work/out" "$work/copy"
  sync
  render+=("$(seconds "$bin" render -q -o "$work/out" "$work/class.yaml")")
  sync
  copy+=("$(seconds cp -r "$work/out" "$work/copy")")
  validate+=("$(seconds "$bin" validate -q "$work/class.yaml")")
done
files=$(find "$work/out" -type f | wc -l)
size=$(du -sh "$work/out" | cut -f1)

# One student's stack, initialised once; only `validate` is timed.
stack="$work/one"
cp -r "$work/out/100000-st" "$stack"
(cd "$stack" && "$TF014" init -backend=false -input=false -plugin-dir="$TF_MIRROR" >/dev/null 2>&1)
for ((r = 0; r < RUNS; r++)); do
  tf+=("$(cd "$stack" && seconds "$TF014" validate)")
done

r=$(median "${render[@]}") c=$(median "${copy[@]}")
v=$(median "${validate[@]}") t=$(median "${tf[@]}")
echo "| what | median of $RUNS | ratio |"
echo "|---|---|---|"
echo "| stackgen render, $STUDENTS students ($files files, $size) | ${r} s | |"
echo "| cp -r of that tree | ${c} s | render / copy = $(awk -v a="$r" -v b="$c" 'BEGIN {printf "%.2f", a / b}') |"
echo "| stackgen validate, $STUDENTS students | ${v} s | |"
echo "| terraform 0.14.6 validate, one stack | ${t} s | terraform / stackgen = $(awk -v a="$t" -v b="$v" 'BEGIN {printf "%.1f", a / b}') |"

# 3. Issue 12: the handout's generator vs `stackgen replay` on moto server
#    (its own script, so it can also run alone).
echo
bash scripts/bench-replay.sh
