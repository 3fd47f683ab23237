#!/usr/bin/env bash
# The project's one test command (the README's, and CI's through .ci/run):
# installs the test tools, then lint, build and every test, Rust and Python.
# Stops at the first failing step, and prints how long each step took.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TIMES=()

# step NAME COMMAND...: runs COMMAND, timed; exits with its status if it fails.
step() {
  local name=$1
  shift
  local start=${EPOCHREALTIME/./}
  printf '\n==> %s: %s\n' "$name" "$*"
  local status=0
  "$@" || status=$?
  local ms=$(((${EPOCHREALTIME/./} - start) / 1000))
  local line
  line=$(printf '%-8s %4d.%01ds' "$name" $((ms / 1000)) $((ms % 1000 / 100)))
  if ((status != 0)); then
    printf '<== %s FAILED (exit %d)\n' "$line" "$status"
    exit "$status"
  fi
  printf '<== %s\n' "$line"
  TIMES+=("$line")
}

# Snapshots are checked, never written: a changed snapshot fails the run
# instead of being accepted (insta reads CI and INSTA_UPDATE; with either, it
# neither overwrites .snap files nor leaves .snap.new ones behind).
export CI=true INSTA_UPDATE=no
unset INSTA_FORCE_PASS
# No __pycache__ directories in the work tree (the Lambda sources are zipped
# as they are).
export PYTHONDONTWRITEBYTECODE=1

# Cargo's build output lives in a cache outside the checkout, like the test
# tools: CI starts from a fresh clone, and compiling the AWS SDK, the plugin
# protocol and the JSON Schema validator from nothing on every run would
# take most of the time budget. Cargo keys each artifact by its inputs, so a
# cached one is reused only while it is still right.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/stackgen-target}"
# What tests/infra, tests/datapath and tests/replay run.
export STACKGEN_BIN="$CARGO_TARGET_DIR/debug/stackgen"

step tools bash scripts/install-test-tools.sh
# shellcheck source=/dev/null
source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"

step fmt cargo fmt --all -- --check
# The book (docs/), built outside the checkout. docs/book.toml enables the
# linkcheck2 backend, which fails the build on a broken internal link; the
# environment variable points mdbook at the pinned binary of the tool cache.
# (Its command examples run in cargo test: tests/book.rs.)
step book env MDBOOK_OUTPUT__LINKCHECK2__COMMAND="$STACKGEN_MDBOOK_LINKCHECK2" \
  "$STACKGEN_MDBOOK" build docs --dest-dir "$CARGO_TARGET_DIR/book"
# --workspace: the schema provider (provider/) too; the tools step has
# installed protoc, which its build needs.
step clippy cargo clippy --locked --workspace --all-targets -- -D warnings
# The Python tests run the debug binary ($STACKGEN_BIN).
step build cargo build --locked
step test cargo test --locked --workspace
# Six workers on two cores: the deploy tests spend most of their time
# waiting for the provider to poll moto (Kinesis streams take ~50 s), so
# they overlap with the CPU-bound checks (measured: 8.4 min at -n 6 against
# 13.6 min at -n 4, same 201 tests). The ten slowest tests are listed at
# the end, to watch the 20-minute budget of a warm run.
step pytest python -m pytest tests/ -n 6 --durations=10

printf '\nall steps passed:\n'
printf '  %s\n' "${TIMES[@]}"
