#!/usr/bin/env bash
# Checks a rendered stack directory with real Terraform, for its target:
#
#   bash scripts/tfcheck.sh DIR
#
# DIR is what `stackgen render SPEC -o DIR` wrote: one student's stack, or a
# class (then every student's directory in it is checked).
#
#   classic (hashicorp/aws ~> 3.x): Terraform 0.14.6 init + validate, failing
#     on any "cloudrail ignored error" in its TRACE log; Terraform 1.15.5
#     fmt -check, init, validate and plan with the AWS provider 3.39.0
#     configured not to call out.
#   modern (hashicorp/aws ~> 6.x): Terraform 1.15.5 fmt -check, init,
#     validate and plan with the schema-serving provider (provider/).
#
# Both run on a private copy; DIR is only read. Exit 0 when every stack is
# clean, 1 with Terraform's own messages on stderr otherwise, 2 when DIR is
# not a rendered stack or the tools cannot be installed. The tools are
# installed into the tool cache first when missing (scripts/install-test-tools.sh,
# idempotent: well under a second when nothing is missing). What each
# Terraform checks and why: the book, docs/src/internals/terraform.md.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}"

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: bash scripts/tfcheck.sh DIR   (a stack or a class rendered by stackgen)" >&2
  exit 2
fi
if [[ ! -d "$1" ]]; then
  echo "tfcheck: $1: not a directory" >&2
  exit 2
fi

# Its progress goes to stderr; on success only its last line is kept.
if ! install_log="$(bash "$REPO/scripts/install-test-tools.sh" 2>&1)"; then
  printf '%s\n' "$install_log" >&2
  echo "tfcheck: installing the tools failed (scripts/install-test-tools.sh, above)" >&2
  exit 2
fi
# shellcheck source=/dev/null
source "$T/env.sh"

exec "$VIRTUAL_ENV/bin/python" "$REPO/tests/infra/tfcheck.py" "$1"
