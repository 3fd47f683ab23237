"""`stackgen grade` and `render --through` against real Terraform.

- Checkpoints: for a classic and a modern example of each edition, and
  every N before the last exercise, `render --through N` passes
  `scripts/tfcheck.sh` (the last exercise is the full render, which
  test_terraform.py checks); `terraform show -json` of the same Terraform
  1.15.5 plan, graded `--through N`, loses no check (no fail, no missing,
  no unknown). Classic checkpoints are also applied one after the other on
  moto (test_deploy.py::test_checkpoints_apply_one_by_one).
- The planted-defect corpus, tests/grade/defects/*.yaml (its README says
  the format): each edit planted into a copy of the rendered stack, planned
  with Terraform 1.15.5 (classic with the AWS provider 3.39.0 offline, a
  Learner Lab's role answered by moto, modern through the schema provider,
  as tfcheck sets them up), graded `--plan`; exactly the listed checks are
  lost, with the listed status.
- The meta-test: every check id that the examples produce (graded against
  an empty state, all of them `missing`) is failed by at least one planted
  defect (`missing` for `<part>.exists`, `fail` for every other check).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from . import grade, tfcheck
from .test_terraform import plans_grade_problems, tfcheck_sh

DEFECTS = tfcheck.REPO / "tests" / "grade" / "defects"
EXAMPLES = tfcheck.examples_dir()

# A classic and a modern example of each edition.
CHECKPOINT_EXAMPLES = ["jk-12345.yaml", "modern.yaml", "uam-2025-classic.yaml", "uam-2025.yaml"]


def render(stackgen: Path, example: Path, out: Path, through: int | None) -> None:
    args = [str(stackgen), "render", str(example), "-o", str(out), "-q"]
    if through is not None:
        args += ["--through", str(through)]
    proc = subprocess.run(
        args, check=False, capture_output=True, text=True, timeout=tfcheck.TIMEOUT_S
    )
    assert proc.returncode == 0, f"{' '.join(args[1:])}: exit {proc.returncode}\n{proc.stderr}"


def last_exercise(example: Path) -> int:
    doc = yaml.safe_load(example.read_text())
    edition = doc.get("edition") or (doc.get("defaults") or {}).get("edition") or "uam-2021"
    data = yaml.safe_load((tfcheck.REPO / "editions" / f"{edition}.yaml").read_text())
    return max(p["exercise"] for p in data["parts"])


@pytest.mark.parametrize(
    "checkpoint_example,through",
    [
        pytest.param(e, n, id=f"{Path(e).stem}-{n}")
        for e in CHECKPOINT_EXAMPLES
        for n in range(1, last_exercise(EXAMPLES / e))
    ],
)
def test_checkpoint_passes_tfcheck_and_grades_full_marks(
    checkpoint_example, through, stackgen, tmp_path
):
    spec = EXAMPLES / checkpoint_example
    out = tmp_path / "stack"
    render(stackgen, spec, out, through)
    proc = tfcheck_sh(out, save_plans=tmp_path / "plans")
    assert proc.returncode == 0, f"tfcheck.sh on --through {through}:\n{proc.stdout}{proc.stderr}"
    problems = plans_grade_problems(
        stackgen, spec, tfcheck.stacks_in(out), tmp_path / "plans", through=through
    )
    assert not problems, "\n\n".join(problems)
    report = grade.run_grade(
        stackgen, spec, plan=tmp_path / "plans" / "stack.plan.json", through=through
    )
    assert report["through"] == through
    assert [e["exercise"] for e in report["exercises"]] == list(range(1, through + 1))
    assert sum(e["unknown"] for e in report["exercises"]) == 0, grade.lost(report)


# --- the planted-defect corpus ---------------------------------------------------


def defect_cases() -> list:
    return [pytest.param(p, id=p.stem) for p in sorted(DEFECTS.glob("*.yaml"))]


@pytest.fixture(scope="module")
def rendered(stackgen, tmp_path_factory):
    """One render per (example, checkpoint), shared by the defects planted
    into it (each into its own copy)."""
    cache: dict[tuple[str, int | None], Path] = {}

    def get(example: str, through: int | None) -> Path:
        key = (example, through)
        if key not in cache:
            out = tmp_path_factory.mktemp("rendered") / Path(example).stem
            render(stackgen, EXAMPLES / example, out, through)
            cache[key] = out
        return cache[key]

    return get


def plant(stack: Path, edits: list[dict], name: str) -> None:
    """Applies a case's exact text edits (see tests/grade/defects/README.md).
    An anchor that is not there as often as the case says fails the case:
    a template that changed must not leave a defect planted nowhere."""
    for edit in edits:
        files = sorted(stack.glob(edit["file"]))
        assert files, f"{name}: no {edit['file']} in the rendered stack"
        if edit.get("delete"):
            for f in files:
                f.unlink()
            continue
        old, new = edit["replace"], edit["with"]
        found = sum(f.read_text().count(old) for f in files)
        if edit.get("all"):
            assert found >= 1, f"{name}: {old!r} is not in {edit['file']}"
        elif "nth" in edit:
            assert found >= edit["nth"], f"{name}: {old!r} occurs {found} times, not {edit['nth']}"
        else:
            assert found == 1, f"{name}: {old!r} occurs {found} times in {edit['file']}, expected once"
        for f in files:
            text = f.read_text()
            if edit.get("all"):
                text = text.replace(old, new)
            else:
                nth = edit.get("nth", 1)
                at = -1
                for _ in range(nth):
                    at = text.find(old, at + 1)
                if at < 0:
                    continue
                text = text[:at] + new + text[at + len(old) :]
            f.write_text(text)


@pytest.mark.parametrize("case_file", defect_cases() or [pytest.param(None, id="none")])
def test_planted_defect_loses_exactly_its_checks(case_file, stackgen, tools, rendered, tmp_path):
    assert case_file is not None, f"no planted defect in {DEFECTS}"
    case = yaml.safe_load(case_file.read_text())
    through = case.get("through")
    stack = tmp_path / "stack"
    shutil.copytree(rendered(case["example"], through), stack)
    plant(stack, case["edits"], case_file.stem)
    plan = tmp_path / "plan.json"
    problems = tfcheck.plan_json(tools, stack, tmp_path / "tf", plan)
    assert not problems, f"{case_file.stem}: terraform plan failed:\n" + "\n".join(problems)
    report = grade.run_grade(
        stackgen,
        EXAMPLES / case["example"],
        plan=plan,
        through=case.get("grade_through", through),
    )
    lost = grade.lost(report)
    expected = case["lost"] or {}
    if lost != expected:
        unexpected = {i: s for i, s in lost.items() if expected.get(i) != s}
        kept = {i: s for i, s in expected.items() if lost.get(i) != s}
        pytest.fail(
            f"{case_file.stem}: the grade of the planted defect differs from the case.\n"
            f"lost but not listed (or with another status):\n{grade.describe(report, unexpected)}\n"
            f"listed but not lost so:\n{grade.describe(report, kept)}\n"
            f"all lost: {json.dumps(lost, sort_keys=True)}",
            pytrace=False,
        )


# --- the meta-test -----------------------------------------------------------------

EMPTY_STATE = {"format_version": "1.0"}


def example_check_ids(stackgen: Path, tmp_path: Path) -> set[str]:
    """Every check id the examples' stacks have: each student example and
    each student of each class, graded against an empty state."""
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(EMPTY_STATE))
    ids = set()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        if not isinstance(doc, dict):
            continue
        if "student" in doc:
            students = [None]
        elif {"students", "roster"} & doc.keys():
            plans = tfcheck.stackgen_plan(stackgen, path)
            students = sorted(plans)
        else:
            continue
        for student in students:
            report = grade.run_grade(stackgen, path, state=empty, student=student)
            statuses = grade.statuses(report)
            assert set(statuses.values()) == {"missing"}, (path.name, student, statuses)
            ids |= statuses.keys()
    return ids


def test_every_check_id_is_failed_by_a_planted_defect(stackgen, tmp_path):
    ids = example_check_ids(stackgen, tmp_path)
    assert len(ids) > 50, sorted(ids)
    failed: dict[str, set[str]] = {}
    for path in sorted(DEFECTS.glob("*.yaml")):
        case = yaml.safe_load(path.read_text())
        for check, status in (case["lost"] or {}).items():
            failed.setdefault(check, set()).add(status)
    uncovered = sorted(
        i
        for i in ids
        if ("missing" if i.endswith(".exists") else "fail") not in failed.get(i, set())
    )
    assert not uncovered, (
        "check ids the examples produce that no planted defect in"
        f" {DEFECTS} fails (`fail`; `missing` for `.exists`): {uncovered}"
    )
