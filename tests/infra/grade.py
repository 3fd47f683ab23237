"""`stackgen grade` in the suite: run it, read its JSON contract, and turn
a state that Terraform 0.14.6 wrote into `terraform show -json` with
Terraform 1.15.5 (0.14.6's own `show -json` panics; TOOLCHAIN.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import tfcheck

# Only what reading a state needs: the provider's schema.
READER_TF = """\
# Written by tests/infra/grade.py: reads a state with the provider's schema.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.27"
    }
  }
}
"""


def run_grade(
    stackgen: Path,
    spec: Path,
    *,
    state: Path | None = None,
    plan: Path | None = None,
    code: Path | None = None,
    through: int | None = None,
    student: str | None = None,
    expect_exit: int = 0,
) -> dict:
    """`stackgen grade SPEC --state|--plan|--code PATH --format json`: its JSON
    report (the fixed contract). Fails the test on another exit code."""
    args = [str(stackgen), "grade", str(spec), "--format", "json", "-q"]
    if state is not None:
        args += ["--state", str(state)]
    if plan is not None:
        args += ["--plan", str(plan)]
    if code is not None:
        args += ["--code", str(code)]
    if through is not None:
        args += ["--through", str(through)]
    if student is not None:
        args += ["--student", student]
    proc = subprocess.run(
        args,
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=tfcheck.TIMEOUT_S,
    )
    if proc.returncode != expect_exit:
        raise AssertionError(
            f"{' '.join(args[1:])} exited {proc.returncode}, expected {expect_exit}\n"
            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
        )
    return json.loads(proc.stdout)


def checks(report: dict) -> list[dict]:
    return [c for e in report["exercises"] for c in e["checks"]]


def statuses(report: dict) -> dict[str, str]:
    """Check id -> status."""
    return {c["id"]: c["status"] for c in checks(report)}


def lost(report: dict) -> dict[str, str]:
    """The checks that did not pass, by id, with their status."""
    return {i: s for i, s in statuses(report).items() if s != "pass"}


def describe(report: dict, ids) -> str:
    """The given checks of a report, one per line with message and fix."""
    by_id = {c["id"]: c for c in checks(report)}
    lines = []
    for i in sorted(ids):
        c = by_id.get(i)
        if c is None:
            lines.append(f"  {i}: not in the report")
        else:
            lines.append(
                f"  {i}: {c['status']}: {c['message']}"
                + (f" (fix: {c['fix']})" if c["fix"] else "")
            )
    return "\n".join(lines)


def full_marks_problems(name: str, report: dict, excused_parts: set[str] = frozenset()) -> list[str]:
    """Full marks with 0 unknown, except the checks of `excused_parts`
    (parts the deploy leaves out), which must all be lost."""
    problems = []
    bad = {i: s for i, s in lost(report).items() if i.split(".")[0] not in excused_parts}
    if bad:
        problems.append(f"{name}: not full marks:\n{describe(report, bad)}")
    unknown = sum(e["unknown"] for e in report["exercises"])
    if unknown:
        problems.append(f"{name}: {unknown} unknown check(s)")
    kept = [
        c["id"]
        for c in checks(report)
        if c["part"] in excused_parts and c["status"] == "pass"
    ]
    if kept:
        problems.append(f"{name}: checks of parts left out of the deploy passed: {kept}")
    return problems


def state_json(tools: tfcheck.Tools, state: Path, workdir: Path) -> Path:
    """`terraform show -json STATE` with Terraform 1.15.5 (in a child
    process, as tfcheck runs it), written to WORKDIR/state.json."""
    reader = workdir / "reader"
    reader.mkdir(parents=True, exist_ok=True)
    (reader / "versions.tf").write_text(READER_TF)
    out = workdir / "state.json"
    result = workdir / "reader.result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(tfcheck.WORKER),
            str(reader),
            str(result),
            "--show-state",
            str(state.resolve()),
            "--save",
            str(out),
        ],
        check=False,
        env=tfcheck.tf115_env(tools),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=tfcheck.TIMEOUT_S,
    )
    if proc.returncode != 0 or not out.is_file():
        detail = result.read_text() if result.is_file() else ""
        raise AssertionError(
            f"terraform 1.15.5 show -json {state} failed (exit {proc.returncode})\n"
            f"{proc.stdout}{proc.stderr}{detail}"
        )
    return out
