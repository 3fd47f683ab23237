"""Real Terraform checks every stack stackgen renders, through the command
that checks outside the project call: `bash scripts/tfcheck.sh DIR`.

- Every examples/*.yaml (students and classes alike, classic and modern,
  every edition; the list is whatever the directory holds): `stackgen
  render` exits 0, and tfcheck.sh passes on what it wrote, with no error and
  no warning. For a class that is every student's directory. Every edition
  among the examples must have a class among them. The same Terraform
  1.15.5 plans, `terraform show -json` of them graded with `stackgen grade
  --plan`, lose no check (no `fail`, no `missing`).
- Every planted error of tests/planted/*.yaml, planted into a copy of a
  rendered example of each target: tfcheck.sh exits 1 and prints
  Terraform's own message for it, from Terraform 1.15.5's validate. For
  classic, the test also pins down how Terraform 0.14.6 itself reacts
  (`tf014` in the case file: it `reported` the error, and/or `swallowed`
  it, i.e. only logged it as "cloudrail ignored error"), which is the table
  in the book's docs/src/internals/terraform.md.

What tfcheck.sh runs for each target: tests/infra/tfcheck.py (check_stack).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from . import grade, tfcheck

TFCHECK = tfcheck.REPO / "scripts" / "tfcheck.sh"
PLANTED = Path(os.environ.get("STACKGEN_PLANTED") or tfcheck.REPO / "tests" / "planted")


def all_examples(directory: Path) -> list[Path]:
    """Every example file: a student (`student:`) or a class (`students:` or
    `roster:`). Anything else in examples/ (the roster CSV) is not YAML."""
    found = []
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        if isinstance(doc, dict) and ({"student", "students", "roster"} & doc.keys()):
            found.append(path)
    return found


_DIR = tfcheck.examples_dir()
_EXAMPLES = all_examples(_DIR) if _DIR.is_dir() else []


def tfcheck_sh(directory: Path, save_plans: Path | None = None) -> subprocess.CompletedProcess:
    """`bash scripts/tfcheck.sh DIR`; with SAVE_PLANS, `terraform show -json`
    of each stack's plan is written there too (tfcheck.SAVE_PLANS_ENV)."""
    env = dict(os.environ)
    if save_plans is not None:
        save_plans.mkdir(parents=True, exist_ok=True)
        env[tfcheck.SAVE_PLANS_ENV] = str(save_plans)
    return subprocess.run(
        ["bash", str(TFCHECK), str(directory)],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        # A class runs one check per student.
        timeout=tfcheck.TIMEOUT_S * 4,
    )


def plans_grade_problems(
    stackgen: Path, spec: Path, stacks: list[Path], plans: Path, through: int | None = None
) -> list[str]:
    """`stackgen grade --plan` of each stack's saved plan (a class's
    students by their directory): no check fails and none is missing.
    Values known only after apply may leave checks unknown."""
    problems = []
    for stack in stacks:
        plan = plans / f"{stack.name}.plan.json"
        if not plan.is_file():
            problems.append(f"{stack}: tfcheck saved no plan at {plan}")
            continue
        student = stack.name if len(stacks) > 1 or stack.name != "stack" else None
        report = grade.run_grade(stackgen, spec, plan=plan, student=student, through=through)
        bad = grade.lost(report)
        bad = {i: s for i, s in bad.items() if s != "unknown"}
        if bad:
            problems.append(
                f"{spec.name} {stack.name}: grade --plan loses checks:\n{grade.describe(report, bad)}"
            )
    return problems


@pytest.mark.parametrize(
    "stack_example",
    [pytest.param(p, id=p.stem) for p in _EXAMPLES]
    or [pytest.param(None, id="no-examples")],
)
def test_tfcheck_passes_on_example(stack_example, stackgen, tmp_path):
    if stack_example is None:
        pytest.fail(f"no example to check in {_DIR}", pytrace=False)
    out = tmp_path / "stack"
    tfcheck.render(stackgen, stack_example, out)
    start = time.monotonic()
    proc = tfcheck_sh(out, save_plans=tmp_path / "plans")
    print(f"{stack_example.stem}: tfcheck.sh {time.monotonic() - start:.1f}s\n{proc.stdout}")
    assert proc.returncode == 0, (
        f"tfcheck.sh exited {proc.returncode} on {stack_example.name}:\n"
        f"{proc.stdout}{proc.stderr}"
    )
    # One "ok" line per stack checked: nothing was silently skipped.
    stacks = tfcheck.stacks_in(out)
    assert proc.stdout.count(": ok (") == len(stacks), proc.stdout
    for line in proc.stdout.splitlines():
        if ": ok (" in line:
            assert "Plan: " in line, f"no plan summary: {line}"
    # The same plans, graded: no fail and no missing. A class's
    # `bootstrap/` (the manifest records it apart) belongs to no student.
    manifest = json.loads((out / ".stackgen-manifest.json").read_text())
    bootstrap = (manifest.get("bootstrap") or {}).get("dir")
    students = [s for s in stacks if bootstrap is None or s.name != bootstrap]
    assert len(students) == len(stacks) - (bootstrap is not None), (bootstrap, stacks)
    problems = plans_grade_problems(stackgen, stack_example, students, tmp_path / "plans")
    assert not problems, "\n\n".join(problems)


def edition(doc: dict) -> str:
    """The edition an example renders: its `edition` key, a class's in
    `defaults`, else stackgen's default."""
    return str(doc.get("edition") or (doc.get("defaults") or {}).get("edition") or "(default)")


def test_every_edition_has_a_class_among_the_examples():
    """The examples above include one class of each edition: an edition
    whose examples are all single students fails here, so its class layout
    never goes unchecked."""
    students, classes = set(), set()
    for path in _EXAMPLES:
        doc = yaml.safe_load(path.read_text())
        (classes if {"students", "roster"} & doc.keys() else students).add(edition(doc))
    assert students | classes, f"no example in {_DIR}"
    assert students <= classes, (
        f"edition(s) with no class example in {_DIR}: {sorted(students - classes)}"
    )


# --- the planted-error corpus ---------------------------------------------------


def planted_cases() -> list:
    cases = []
    for path in sorted(PLANTED.glob("*.yaml")):
        case = yaml.safe_load(path.read_text())
        for target, example in sorted(case["examples"].items()):
            cases.append(pytest.param(path, target, example, id=f"{path.stem}-{target}"))
    return cases


_CASES = planted_cases() if PLANTED.is_dir() else []


@pytest.fixture(scope="module")
def rendered(stackgen, tmp_path_factory):
    """One render per example, shared by the cases planted into it (each
    case plants into its own copy)."""
    cache: dict[str, Path] = {}

    def get(example: str) -> Path:
        if example not in cache:
            out = tmp_path_factory.mktemp("rendered") / Path(example).stem
            tfcheck.render(stackgen, _DIR / example, out)
            cache[example] = out
        return cache[example]

    return get


@pytest.mark.parametrize(
    "case_file,target,planted_on",
    _CASES or [pytest.param(None, None, None, id="no-planted-cases")],
)
def test_tfcheck_fails_on_planted_error(case_file, target, planted_on, rendered, tmp_path):
    if case_file is None:
        pytest.fail(f"no planted-error case in {PLANTED}", pytrace=False)
    case = yaml.safe_load(case_file.read_text())
    stack = tmp_path / "planted"
    shutil.copytree(rendered(planted_on), stack)
    assert tfcheck.detect_target(stack) == target, (
        f"{case_file.name}: {planted_on} renders a {tfcheck.detect_target(stack)} stack,"
        f" the case says {target}"
    )
    # `replace`, `with` and `expect` are one string, or one per target.
    old, new, expect = (
        v[target] if isinstance(v, dict) else v
        for v in (case["replace"], case["with"], case["expect"])
    )
    tf = stack / case["file"]
    text = tf.read_text()
    # Exactly once: a case whose anchor moved (a template changed) must fail
    # loudly here, not plant nothing and pass for the wrong reason.
    assert text.count(old) == 1, (
        f"{case_file.name}: {old!r} occurs {text.count(old)}"
        f" times in {planted_on}'s {case['file']}, expected once"
    )
    tf.write_text(text.replace(old, new))

    proc = tfcheck_sh(stack)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, (
        f"tfcheck.sh exited {proc.returncode} on {case_file.stem} ({target}), expected 1:\n"
        + output
    )
    assert expect in output, (
        f"tfcheck.sh failed on {case_file.stem} ({target}) but without"
        f" {expect!r}:\n{output}"
    )
    # Each Terraform that runs on the target must see it.
    assert "terraform 1.15.5 validate: valid=False" in output, output
    if target == tfcheck.CLASSIC:
        seen = set()
        if "terraform 0.14.6 validate: valid=False" in output:
            seen.add("reported")
        if "errors that stock 0.14.6 reports and this build only logs" in output:
            seen.add("swallowed")
        expected = set(case["tf014"])
        assert expected <= {"reported", "swallowed"}, f"{case_file.name}: tf014 {expected}"
        assert seen == expected, (
            f"{case_file.stem}: the case says Terraform 0.14.6 {sorted(expected)} it;"
            f" tfcheck saw {sorted(seen)}:\n{output}"
        )
