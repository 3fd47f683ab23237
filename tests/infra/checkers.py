"""Runs the static checkers of test_checkers.py: checkov over a rendered stack,
parliament over the IAM permission policies of `stackgen plan`.

Both come from a venv of their own ($STACKGEN_TOOLS/checkers-venv, pinned by
tests/locks/checkers.lock): their dependencies conflict with the test
venv's pins (checkov pins boto3 1.35, moto needs boto3 1.44). So this module
never imports them; it runs checkov's command and parliament_worker.py with
that venv's Python, and reads their JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import tfcheck

REPO = Path(__file__).resolve().parents[2]
# checkov takes 3-5 s on one stack here; a hang fails the test, not the run.
TIMEOUT_S = 300
WORKER = Path(__file__).with_name("parliament_worker.py")
REQUIREMENTS = REPO / "tests" / "locks" / "checkers.lock"

# checkov's own pattern for a suppression comment (checkov/common/comment/
# enum.py): `#checkov:skip=CKV_AWS_18:reason`; the reason is optional there.
SKIP_COMMENT = re.compile(
    r"(?:checkov:skip=|bridgecrew:skip=|cortex:skip=) *"
    r"([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?"
)
RESOURCE_BLOCK = re.compile(r'^resource\s+"[^"]+"\s+"[^"]+"', re.MULTILINE)


@dataclass(frozen=True)
class Checkers:
    """Where scripts/install-test-tools.sh put the checkers (env.sh's
    STACKGEN_CHECKERS_VENV, STACKGEN_CHECKOV)."""

    venv: Path
    checkov: Path
    python: Path

    @classmethod
    def from_env(cls) -> Checkers:
        root = tfcheck.tools_root()
        venv = Path(os.environ.get("STACKGEN_CHECKERS_VENV") or root / "checkers-venv")
        checkers = cls(
            venv=venv,
            checkov=Path(os.environ.get("STACKGEN_CHECKOV") or venv / "bin" / "checkov"),
            python=venv / "bin" / "python",
        )
        missing = [str(p) for p in vars(checkers).values() if not p.exists()]
        if missing:
            raise FileNotFoundError(
                "checkers missing: "
                + ", ".join(missing)
                + "; run scripts/install-test-tools.sh and source the env.sh it"
                " names (scripts/test.sh does both)"
            )
        return checkers


def pinned_versions() -> dict[str, str]:
    """name -> version of the pins in tests/locks/checkers.lock
    (the tests check that the venv runs exactly these)."""
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        m = re.match(r"^(checkov|parliament)==(\S+)", line.strip())
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def checker_env() -> dict[str, str]:
    """The test process's environment, minus what would make the checkers'
    Python look at the test venv, plus no update check (checkov otherwise asks
    the package index for its newest version on every start)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    return env


# --- parliament ------------------------------------------------------------------


def run_parliament(
    checkers: Checkers,
    policies: dict[str, dict],
    workdir: Path,
    minimum_severity: str = "INFO",
    community_auditors: bool = True,
) -> dict:
    """parliament on each policy (id -> document), in one child process with
    the checkers venv's Python. Returns {"version", "findings": {id: [...]}}."""
    request = workdir / "parliament-request.json"
    request.write_text(
        json.dumps(
            {
                "minimum_severity": minimum_severity,
                "community_auditors": community_auditors,
                "policies": policies,
            }
        )
    )
    proc = subprocess.run(
        [str(checkers.python), str(WORKER), str(request)],
        check=False,
        cwd=workdir,
        env=checker_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    try:
        result = json.loads(proc.stdout) if proc.returncode == 0 else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict) or set(result.get("findings", {})) != set(policies):
        pytest.fail(
            f"parliament_worker.py exited {proc.returncode} without a finding list"
            f" for every policy\n--- stdout\n{proc.stdout[:4000]}--- stderr\n"
            f"{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return result


def _list(value: object) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def resources(statement: dict) -> list[str]:
    return _list(statement.get("Resource"))


def is_broad(document: dict) -> bool:
    """A policy with `Resource: "*"` or a whole-service action (`kinesis:*`)
    in some statement: what the handout's `lab` style has and
    `least_privilege` must not."""
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        actions = _list(st.get("Action"))
        if "*" in resources(st) or any(a == "*" or a.endswith(":*") for a in actions):
            return True
    return False


def format_parliament(policy_id: str, finding: dict) -> str:
    detail = finding.get("detail")
    text = json.dumps(detail) if not isinstance(detail, str) else detail
    if len(text) > 300:
        more = f"{len(detail)} items" if isinstance(detail, list) else f"{len(text)} characters"
        text = text[:300] + f"... ({more})"
    where = f"in statement {finding['sid']}" if finding.get("sid") else ""
    return (
        f"{policy_id}: {finding.get('severity')} {finding.get('issue')}"
        f" ({finding.get('title')}) {where}\n    {text}"
    )


# --- checkov -----------------------------------------------------------------------


@dataclass
class CheckovFinding:
    check_id: str
    name: str
    resource: str
    file: str
    lines: tuple[int, int]

    @property
    def resource_type(self) -> str:
        return self.resource.split(".", 1)[0]

    def __str__(self) -> str:
        return (
            f"{self.check_id} {self.name}\n"
            f"    {self.resource} at {self.file}:{self.lines[0]}-{self.lines[1]}"
        )


@dataclass
class CheckovReport:
    summary: dict
    failed: list[CheckovFinding]
    # Only without --quiet (which drops passed and skipped checks).
    skipped: list[CheckovFinding]
    seconds: float
    returncode: int


@dataclass
class SkipComment:
    file: str
    line: int
    check_ids: list[str]
    reason: str


def run_checkov(
    checkers: Checkers, stack: Path, workdir: Path, quiet: bool = True
) -> CheckovReport:
    """checkov's Terraform checks over STACK, offline (--skip-download), only
    failed checks in the JSON (--quiet --compact; quiet=False also lists the
    skipped ones). Fails the test when checkov itself fails (an exit code
    other than 0 and 1, or no JSON)."""
    t = time.monotonic()
    proc = subprocess.run(
        [
            str(checkers.checkov),
            "--directory",
            str(stack),
            "--framework",
            "terraform",
            "--skip-download",
            *(["--quiet"] if quiet else []),
            "--compact",
            "--output",
            "json",
        ],
        check=False,
        cwd=workdir,
        env=checker_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    seconds = time.monotonic() - t
    report = None
    if proc.returncode in (0, 1):
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            report = None
    # One framework gives one object; a list means several check types ran.
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "terraform"), None)
    if not isinstance(report, dict) or report.get("check_type") != "terraform":
        pytest.fail(
            f"checkov exited {proc.returncode} without a Terraform report\n"
            f"--- stdout\n{proc.stdout[:4000]}--- stderr\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    results = report.get("results") or {}

    def findings(kind: str) -> list[CheckovFinding]:
        return [
            CheckovFinding(
                check_id=c["check_id"],
                name=c.get("check_name", ""),
                resource=c.get("resource", "?"),
                file=(c.get("file_path") or "?").lstrip("/"),
                lines=tuple(c.get("file_line_range") or (0, 0)),
            )
            for c in results.get(kind) or []
        ]

    return CheckovReport(
        report.get("summary") or {},
        findings("failed_checks"),
        findings("skipped_checks"),
        seconds,
        proc.returncode,
    )


def skip_comments(stack: Path) -> list[SkipComment]:
    """Every checkov suppression comment in the stack's .tf files."""
    found = []
    for path in sorted(stack.glob("*.tf")):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            m = SKIP_COMMENT.search(line)
            if m:
                ids = (m.group(1) or "").split(",") if m.group(1) else []
                reason = (m.group(2) or "")[1:].strip()
                found.append(SkipComment(path.name, n, ids, reason))
    return found


def ineffective_skips(
    skips: list[SkipComment], skipped: list[CheckovFinding]
) -> list[str]:
    """The skip comments (as `file:line: CHECK_ID`) that suppressed nothing:
    no check of that id was skipped on a resource whose lines hold the
    comment."""
    out = []
    for s in skips:
        for cid in s.check_ids:
            if not any(
                k.check_id == cid
                and k.file == s.file
                and k.lines[0] <= s.line <= k.lines[1]
                for k in skipped
            ):
                out.append(f"{s.file}:{s.line}: {cid}")
    return out


def count_resources(stack: Path) -> int:
    return sum(len(RESOURCE_BLOCK.findall(p.read_text())) for p in stack.glob("*.tf"))
