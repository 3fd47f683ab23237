#!/usr/bin/env bash
# Benchmarks of issue 4, on a release build, printed as a Markdown table:
#   1. rendering a 1,000-student class vs `cp -r` of the same output tree
#      (file writes dominate; target: at most 1.5x);
#   2. `stackgen validate` of the 1,000-student class vs one
#      `terraform validate` (0.14.6) of one rendered stack (target: 10x faster);
#   3. `stackgen validate` of a 10,000-student class: wall time, CPU time and
#      peak memory from /usr/bin/time -v, beside 1,000 students to show it
#      is linear (target: at most 2 s and 200 MB).
# With BENCH=grade, issues 18 and 19's instead: `stackgen grade` of a real
# state and of a 50 MB one, then a class of CLASS students (default 300)
# graded whole from a directory of their states and from a directory of
# their code (wall, CPU and peak memory; targets 1 s and 3 s).
# With BENCH=ci, issue 23's instead: 8 classic students applied on moto
# server through the GitHub workflow under act at max_parallel 4, against
# the class README's sequential loop (scripts/bench_ci.py; target: at least
# 3x less wall time). Needs the test tools; takes about ten minutes.
# With BENCH=live, issue 20's instead: `stackgen grade CLASS --live` of a
# class of LIVE_CLASS students (default 30) in one account, seeded on moto
# server with boto3 (scripts/bench_live.py), through scripts/latency_proxy.py
# (LATENCY_MS, default 50, added to every request: a stand-in for the
# distance to AWS), at --jobs 1, 4, 8 and 16, and straight to moto at 1 and
# 8; target: --jobs 8 at least 4x less wall time than --jobs 1, measured
# in the same run. Needs the test tools; takes about two minutes a run.
# STACKGEN_BIN measures that binary instead of building the release one
# (e.g. the debug build, $CARGO_TARGET_DIR/debug/stackgen).
# Every class here gives each student an AWS account of their own: 1,000
# students in one account are over its quotas (IAM roles, shards, Glue
# crawlers, Athena workgroups), which validate refuses (SG410); see the
# book's "Large classes".
# Each figure is the median of RUNS runs (default 5). Needs the test tools
# (scripts/install-test-tools.sh) for Terraform, except with BENCH=validate,
# which runs only part 3, and BENCH=grade.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-5}
STUDENTS=${STUDENTS:-1000}
BIG=${BIG:-10000}
if [[ -n ${STACKGEN_BIN:-} ]]; then
  bin=$STACKGEN_BIN
else
  cargo build --locked --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/stackgen
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median SECONDS...: the median of the arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed OUT CMD...: runs CMD RUNS times (its stdout to OUT), and prints the
# median wall time, CPU time (user + system) and peak resident memory from
# /usr/bin/time -v, as "wall cpu kb".
timed() {
  local out=$1 wall=() cpu=() kb=() line w c m r
  shift
  for ((r = 0; r < RUNS; r++)); do
    line=$(/usr/bin/time -v "$@" 2>&1 >"$out" |
      awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); w = t[n] + (n > 1 ? t[n - 1] * 60 : 0)}
                  /User time/ {u = $2} /System time/ {s = $2}
                  /Maximum resident/ {m = $2}
                  END {printf "%.2f %.2f %d", w, u + s, m}')
    read -r w c m <<<"$line"
    wall+=("$w") cpu+=("$c") kb+=("$m")
  done
  echo "$(median "${wall[@]}") $(median "${cpu[@]}") $(median "${kb[@]}")"
}

# scale N: a class of N students (inline in class-N.yaml, the longest
# form), then `timed` of validating it.
scale() {
  local n=$1 f="$work/class-$1.yaml"
  {
    printf 'course: bench\ntarget: classic\nstudents:\n'
    for ((i = 0; i < n; i++)); do
      printf '  - { name: Student Number %d, initials: st, index_no: "%d", account_id: "%012d" }\n' \
        "$i" $((100000 + i)) $((100000000000 + i))
    done
  } >"$f"
  timed /dev/null "$bin" validate -q "$f"
}

# grade_run FILE: the median over RUNS of `stackgen grade` of the example
# jk-12345 from the state FILE, as "wall cpu kb".
grade_run() {
  timed /dev/null "$bin" grade -q examples/jk-12345.yaml --state "$1" --format json
}

if [[ ${BENCH:-} == ci ]]; then
  bash scripts/install-test-tools.sh >/dev/null
  # shellcheck source=/dev/null
  source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"
  python scripts/bench_ci.py "$bin"
  exit 0
fi

if [[ ${BENCH:-} == live ]]; then
  # Issue 20: live calls for a class run --jobs at a time. moto answers at
  # once where AWS takes tens of milliseconds, so the calls go through a
  # proxy that holds each one LATENCY_MS. The rounds interleave the --jobs
  # values, so that the machine's load (other builds) falls on all alike.
  bash scripts/install-test-tools.sh >/dev/null
  # shellcheck source=/dev/null
  source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"
  n=${LIVE_CLASS:-30} account=100603781557 region=us-east-1
  class="$work/class.yaml"
  {
    printf 'course: bench\ntarget: classic\ndefaults:\n  account_id: "%s"\n  region: %s\nstudents:\n' \
      "$account" "$region"
    for ((i = 0; i < n; i++)); do
      printf '  - { name: Student Number %d, initials: st, index_no: "%d" }\n' "$i" $((300000 + i))
    done
  } >"$class"
  "$bin" plan -q "$class" >"$work/plan.json"

  # Nothing from the caller's AWS or moto settings reaches moto or stackgen.
  clean=()
  while read -r name; do clean+=(-u "$name"); done < <(compgen -e | grep -E '^(AWS|MOTO)_' || true)
  pids=()
  trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
  # start NAME CMD...: runs CMD in the background (stderr to $work/NAME.log)
  # and waits for the `{"port": N}` line it prints first; sets `port`.
  start() {
    local name=$1 t
    shift
    "$@" >"$work/$name.out" 2>"$work/$name.log" &
    pids+=("$!")
    for ((t = 0; t < 600; t++)); do
      port=$(sed -n 's/^{"port": \([0-9]*\)}$/\1/p' "$work/$name.out")
      [[ -n $port ]] && return 0
      sleep 0.1
    done
    echo "$name did not start:" >&2
    cat "$work/$name.log" >&2
    return 1
  }
  start moto env "${clean[@]}" MOTO_ACCOUNT_ID="$account" MOTO_IAM_LOAD_MANAGED_POLICIES=true \
    PYTHONUNBUFFERED=1 python scripts/bench_live.py serve
  moto=http://127.0.0.1:$port
  python scripts/bench_live.py seed "$moto" "$work/plan.json" >/dev/null
  start proxy python scripts/latency_proxy.py "$moto" --delay-ms "${LATENCY_MS:-50}" \
    --log "$work/calls.log"
  proxy=http://127.0.0.1:$port

  # live VIA JOBS: one `grade --live` of the class through VIA (`proxy` or
  # `moto`, the variable holding its URL), timed, its report in
  # $work/VIA-JOBS.json; as "wall cpu kb".
  live() {
    RUNS=1 timed "$work/$1-$2.json" env "${clean[@]}" AWS_ENDPOINT_URL="${!1}" \
      AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION="$region" \
      AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      "$bin" grade -q "$class" --live --jobs "$2" --format json
  }
  # report FILE: fails unless FILE is a class report of every student, each
  # with points found live; prints how many are at full marks (all of them
  # while the seeding matches the checks); writes each check's status to
  # FILE.checks, for comparing the runs.
  report() {
    python3 - "$1" "$n" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
try:
    students = json.load(open(path))["students"]
except (ValueError, KeyError, TypeError) as e:
    sys.exit(f"{path}: not a class report ({e})")
indexes = sorted(s["student"]["index_no"] for s in students)
if indexes != [str(300000 + i) for i in range(n)]:
    sys.exit(f"{path}: {len(students)} students graded, {n} expected")
if any(s["points"] == 0 for s in students):
    sys.exit(f"{path}: a student with no points: nothing was read live")
with open(path + ".checks", "w") as f:
    for s in sorted(students, key=lambda s: s["student"]["index_no"]):
        for e in s["exercises"]:
            for c in e["checks"]:
                f.write(f'{s["student"]["index_no"]} {c["id"]} {c["status"]}\n')
full = sum(s["points"] == s["max_points"] for s in students)
print(f"{len(students)} graded, {full} at full marks")
PY
  }
  runs=(proxy:1 proxy:4 proxy:8 proxy:16 moto:1 moto:8)
  declare -A walls cpus kbs calls graded
  for ((r = 0; r < RUNS; r++)); do
    for run in "${runs[@]}"; do
      before=$(wc -l <"$work/calls.log")
      read -r w c m <<<"$(live "${run%:*}" "${run#*:}")"
      walls[$run]+=" $w" cpus[$run]+=" $c" kbs[$run]+=" $m"
      calls[$run]=$(($(wc -l <"$work/calls.log") - before))
      graded[$run]=$(report "$work/${run%:*}-${run#*:}.json")
      # Concurrency must not change a grade: every check as at --jobs 1.
      if ! cmp -s "$work/proxy-1.json.checks" "$work/${run%:*}-${run#*:}.json.checks"; then
        echo "--jobs ${run#*:} graded differently from --jobs 1:" >&2
        diff "$work/proxy-1.json.checks" "$work/${run%:*}-${run#*:}.json.checks" | head -20 >&2
        exit 1
      fi
    done
  done
  echo "| stackgen grade CLASS --live, $n students, one account | wall | CPU | peak memory | calls | report |"
  echo "|---|---|---|---|---|---|"
  for run in "${runs[@]}"; do
    # shellcheck disable=SC2086 # the lists split into medians' arguments
    w=$(median ${walls[$run]}) c=$(median ${cpus[$run]}) m=$(median ${kbs[$run]})
    if [[ ${run%:*} == proxy ]]; then
      via="+${LATENCY_MS:-50} ms a call" made=${calls[$run]}
    else
      via="moto direct" made="-"
    fi
    echo "| --jobs ${run#*:}, $via | ${w} s | ${c} s | $((m / 1024)) MB | $made | ${graded[$run]} |"
  done
  # shellcheck disable=SC2086
  ratio=$(awk -v a="$(median ${walls[proxy:1]})" -v b="$(median ${walls[proxy:8]})" 'BEGIN {printf "%.1f", a / b}')
  echo
  echo "--jobs 1 / --jobs 8 = ${ratio}x (median of $RUNS; target: at least 4x)"
  awk -v r="$ratio" 'BEGIN {exit !(r >= 4)}' || { echo "below the 4x target" >&2; exit 1; }
  exit 0
fi

if [[ ${BENCH:-} == grade ]]; then
  # Issue 18: a 50 MB state is read in bounded time and memory. The
  # deployed example's real state (tests/grade/fixtures), then the same
  # with thousands of other resources (half of a type the checks read,
  # with large attributes) up to 50 MB.
  small=tests/grade/fixtures/jk-12345.state.json
  python3 - "$small" "$work/big.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
resources = state["values"]["root_module"]["resources"]
big, n = "x" * 4000, 0
while len(json.dumps(state)) < 50 * 1024 * 1024:
    for i in range(500):
        kind = "aws_s3_bucket" if i % 2 == 0 else "aws_instance"
        resources.append({"address": f"{kind}.f{n}_{i}", "mode": "managed", "type": kind,
                          "name": f"f{n}_{i}", "values": {"bucket": f"f-{n}-{i}", "tags": {"big": big}}})
    n += 1
json.dump(state, open(sys.argv[2], "w"))
PY
  read -r w1 c1 m1 <<<"$(grade_run "$small")"
  read -r w2 c2 m2 <<<"$(grade_run "$work/big.json")"
  echo "| stackgen grade --state | size | wall | CPU | peak memory |"
  echo "|---|---|---|---|---|"
  echo "| the deployed example's state | $(($(stat -c %s "$small") / 1024)) KB | ${w1} s | ${c1} s | $((m1 / 1024)) MB |"
  echo "| the same with other resources | $(($(stat -c %s "$work/big.json") / 1024 / 1024)) MB | ${w2} s | ${c2} s | $((m2 / 1024)) MB |"
  # Issue 19: a class graded whole. Each student's state is the deployed
  # example's, with that student's names (index number, account); each
  # student's code is what render writes for them.
  n=${CLASS:-300}
  class="$work/class.yaml"
  {
    printf 'course: bench\ntarget: classic\nstudents:\n'
    for ((i = 0; i < n; i++)); do
      printf '  - { name: Jan Kowalski, initials: jk, index_no: "%d", account_id: "%012d" }\n' \
        $((200000 + i)) $((200000000000 + i))
    done
  } >"$class"
  "$bin" render -q "$class" -o "$work/code"
  mkdir "$work/states"
  python3 - "$small" "$work/states" "$n" <<'PY'
import sys
text, out, n = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
for i in range(n):
    index, account = str(200000 + i), "%012d" % (200000000000 + i)
    student = text.replace("100603781557", account).replace("12345", index)
    open(f"{out}/{index}-jk.json", "w").write(student)
PY
  # class_run FLAG DIR: the median over RUNS of grading the class whole,
  # as "wall cpu kb"; the last run's report is kept for the score check.
  class_run() {
    timed "$work/class.json" "$bin" grade -q "$class" "$1" "$2" --format json
  }
  # graded: how many students the report has, and how many at full marks
  # with nothing unknown (a bench of empty grades would prove nothing).
  graded() {
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); s = r["students"]
full = sum(x["points"] == x["max_points"] > 0 and all(e["unknown"] == 0 for e in x["exercises"]) for x in s)
print(f"{len(s)} graded, {full} full marks")' "$work/class.json"
  }
  read -r w3 c3 m3 <<<"$(class_run --state "$work/states")"
  s3=$(graded)
  read -r w4 c4 m4 <<<"$(class_run --code "$work/code")"
  s4=$(graded)
  echo
  echo "| stackgen grade CLASS, $n students | wall | CPU | peak memory | report | target |"
  echo "|---|---|---|---|---|---|"
  echo "| --state DIR | ${w3} s | ${c3} s | $((m3 / 1024)) MB | $s3 | at most 1 s |"
  echo "| --code DIR | ${w4} s | ${c4} s | $((m4 / 1024)) MB | $s4 | at most 3 s |"
  exit 0
fi

if [[ ${BENCH:-} == validate ]]; then
  read -r w1 c1 m1 <<<"$(scale 1000)"
  read -r w2 c2 m2 <<<"$(scale "$BIG")"
  echo "| stackgen validate | wall | CPU | peak memory |"
  echo "|---|---|---|---|"
  echo "| 1,000 students | ${w1} s | ${c1} s | $((m1 / 1024)) MB |"
  echo "| $BIG students | ${w2} s | ${c2} s | $((m2 / 1024)) MB |"
  echo "| ratio | $(awk -v a="$w2" -v b="$w1" 'BEGIN {printf "%.1f", a / b}') | $(awk -v a="$c2" -v b="$c1" 'BEGIN {printf "%.1f", a / b}') | $(awk -v a="$m2" -v b="$m1" 'BEGIN {printf "%.1f", a / b}') |"
  exit 0
fi

bash scripts/install-test-tools.sh >/dev/null
# shellcheck source=/dev/null
source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"
{
  echo "name,index_no,initials,account_id"
  for ((i = 0; i < STUDENTS; i++)); do
    printf 'Student %d,%d,st,%012d\n' "$i" $((100000 + i)) $((100000000000 + i))
  done
} >"$work/roster.csv"
cat >"$work/class.yaml" <<YAML
course: bench
target: classic
roster: roster.csv
YAML

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
read -r bw bc bm <<<"$(scale "$BIG")"
echo "| stackgen validate, $BIG students (inline) | ${bw} s (CPU ${bc} s), peak $((bm / 1024)) MB | at most 2 s and 200 MB |"

# 3. Issue 12: the handout's generator vs `stackgen replay` on moto server
#    (its own script, so it can also run alone).
echo
bash scripts/bench-replay.sh
