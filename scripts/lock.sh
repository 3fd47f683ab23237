#!/usr/bin/env bash
# Recompiles the test tools' locks from their inputs. Run it after editing a
# wish file, then commit both files:
#
#   tests/locks/test-venv.in  -> tests/locks/test-venv.lock   (the test venv)
#   tests/locks/checkers.in   -> tests/locks/checkers.lock    (checkov, parliament)
#   tests/locks/node/package.json -> tests/locks/node/package-lock.json
#
# Each Python lock pins every package, transitive ones included, with the
# sha256 of every file PyPI has for that version. scripts/install-test-tools.sh
# installs a lock with `pip install --require-hashes --no-deps`, so pip picks
# nothing by itself, and then checks the venv against the lock.
#
#   bash scripts/lock.sh            recompile all three
#   bash scripts/lock.sh --upgrade  also let transitive packages move to the
#                                   newest versions the wishes allow (otherwise
#                                   the versions already locked are kept)
#
# A developer's tool, never run by the suite. It needs the registries, and
# uv, which it installs (pinned, hash-checked) into ~/.cache/stackgen-lockgen.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCKS="$REPO/tests/locks"
PYTHON="${STACKGEN_PYTHON:-python3}"
GEN="${STACKGEN_LOCKGEN:-$HOME/.cache/stackgen-lockgen}"

UV_VERSION=0.13.8
UV_SHA256=e18a57b8b352eb7c8feb317b9f6f533c8f0ad9673fd6cf34bbe3cf1a9f6a8984

upgrade=()
case "${1:-}" in
  --upgrade) upgrade=(--upgrade) ;;
  "") ;;
  *) echo "usage: bash scripts/lock.sh [--upgrade]" >&2; exit 2 ;;
esac

if [[ ! -x "$GEN/bin/uv" || "$("$GEN/bin/uv" --version)" != "uv $UV_VERSION"* ]]; then
  rm -rf "$GEN"
  "$PYTHON" -m venv "$GEN"
  printf 'uv==%s --hash=sha256:%s\n' "$UV_VERSION" "$UV_SHA256" >"$GEN/uv.lock"
  "$GEN/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$GEN/uv.lock"
fi

# compile NAME HEADER: tests/locks/NAME.in -> tests/locks/NAME.lock. uv keeps
# the versions of the existing lock unless --upgrade; the header says why the
# pins are what they are, above uv's own.
compile() {
  local name=$1 header=$2
  local tmp
  tmp="$(mktemp)"
  # uv reads its output file's pins as preferences: starting from the current
  # lock keeps every version that still satisfies the wishes.
  [[ -f "$LOCKS/$name.lock" && ${#upgrade[@]} -eq 0 ]] && cp "$LOCKS/$name.lock" "$tmp"
  # The interpreter the suite runs: the same resolution as a CI machine's.
  (cd "$LOCKS" && "$GEN/bin/uv" pip compile --quiet --generate-hashes \
    --python "$PYTHON" --no-header \
    "${upgrade[@]}" --output-file "$tmp" "$name.in")
  {
    printf '%s\n' "$header"
    printf '#\n# Compiled from tests/locks/%s.in (sha256 %s) by scripts/lock.sh\n' \
      "$name" "$(sha256sum <"$LOCKS/$name.in" | cut -c1-16)"
    printf '# with uv %s for Python %s. Do not edit: edit the .in file and rerun.\n' \
      "$UV_VERSION" "$("$PYTHON" -c 'import sys; print(".".join(map(str, sys.version_info[:2])))')"
    cat "$tmp"
  } >"$LOCKS/$name.lock"
  rm -f "$tmp"
  echo "wrote tests/locks/$name.lock ($(grep -c '==' "$LOCKS/$name.lock") packages)"
}

compile test-venv "# The test venv: every package the suite's Python runs on, hashed.
#
# The pair that must agree: botocore 1.44.8 with moto 5.2.5. botocore ships
# each AWS service's protocol; moto answers the protocols it implements.
# botocore 1.44.18 moved Athena to rest-json, which moto 5.2.5 and 5.2.6
# answer with 404; 1.44.8 still speaks json to Athena, and the whole suite
# (deploy, replay and data-path tests on moto) passes with this pair. Move
# them only together, and only if the whole suite passes."

compile checkers "# The checkers' venv (checkov, parliament), hashed. Kept apart from the test
# venv because checkov pins boto3==1.35.49 and the test venv needs 1.44.8."

# npm: package-lock.json records every package of the tree with its
# integrity hash; install-test-tools.sh installs it with `npm ci`.
# No download addresses in the lock: npm finds each package in the registry it
# is configured with, and checks it against the recorded integrity hash.
# With --upgrade the lock is dropped first, so every transitive package moves
# to the newest version package.json's exact pins allow.
[[ ${#upgrade[@]} -gt 0 ]] && rm -f "$LOCKS/node/package-lock.json"
(cd "$LOCKS/node" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund \
  --omit-lockfile-registry-resolved --loglevel=error)
echo "wrote tests/locks/node/package-lock.json"
