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
- `--code` (no Terraform): every example's rendered code, and four
  rewrites of it a student could make, grades full marks with 0 unknown;
  the planted-defect corpus graded on the edited code loses exactly its
  checks.
- Classes graded whole from a directory (states, code), the gradebook read
  by pandas (standard and Polish Excel), JUnit read by junitparser, and
  the Markdown feedback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import pandas as pd
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


def planted(case_file, rendered, tmp_path: Path) -> tuple[dict, Path, int | None]:
    """The case's example rendered (at its checkpoint) into tmp_path/stack,
    with its defect planted: (the case, the stack, its `through`)."""
    assert case_file is not None, f"no planted defect in {DEFECTS}"
    case = yaml.safe_load(case_file.read_text())
    through = case.get("through")
    stack = tmp_path / "stack"
    shutil.copytree(rendered(case["example"], through), stack)
    plant(stack, case["edits"], case_file.stem)
    return case, stack, through


def require_lost(report: dict, case: dict, what: str) -> None:
    """The report loses exactly the case's `lost` checks, with their
    statuses; otherwise the test fails, naming the differences."""
    lost = grade.lost(report)
    expected = case["lost"] or {}
    if lost != expected:
        unexpected = {i: s for i, s in lost.items() if expected.get(i) != s}
        kept = {i: s for i, s in expected.items() if lost.get(i) != s}
        pytest.fail(
            f"{what} differs from the case.\n"
            f"lost but not listed (or with another status):\n{grade.describe(report, unexpected)}\n"
            f"listed but not lost so:\n{grade.describe(report, kept)}\n"
            f"all lost: {json.dumps(lost, sort_keys=True)}",
            pytrace=False,
        )


@pytest.mark.parametrize("case_file", defect_cases() or [pytest.param(None, id="none")])
def test_planted_defect_loses_exactly_its_checks(case_file, stackgen, tools, rendered, tmp_path):
    case, stack, through = planted(case_file, rendered, tmp_path)
    plan = tmp_path / "plan.json"
    problems = tfcheck.plan_json(tools, stack, tmp_path / "tf", plan)
    assert not problems, f"{case_file.stem}: terraform plan failed:\n" + "\n".join(problems)
    report = grade.run_grade(
        stackgen,
        EXAMPLES / case["example"],
        plan=plan,
        through=case.get("grade_through", through),
    )
    require_lost(report, case, f"{case_file.stem}: the grade of the planted defect")


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


# --- grading the code itself (`--code`) ---------------------------------------------
#
# No Terraform here: `stackgen grade --code` reads the .tf files. Every
# example's own rendered stack, and three rewrites of it a student could
# make, grade full marks with 0 unknown; the planted-defect corpus loses
# exactly its checks, as it does through a plan.


def example_stacks(stackgen: Path, example: Path, out: Path) -> list[tuple[str | None, Path]]:
    """Renders an example: (student for --student, its stack directory)
    for the one student of a student file, each student of a class."""
    render(stackgen, example, out, None)
    stacks = tfcheck.stacks_in(out)
    if stacks == [out]:
        return [(None, out)]
    # A class with remote state also gets its bootstrap stack: no student's.
    return [(s.name, s) for s in stacks if s.name != "bootstrap"]


def code_examples() -> list:
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        if isinstance(doc, dict) and ({"student", "students", "roster"} & doc.keys()):
            out.append(pytest.param(path.name, id=path.stem))
    return out


_BLOCK = re.compile(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"', re.MULTILINE)


def rename_addresses(stack: Path) -> None:
    """Every resource and data block renamed (`aws_s3_bucket.main_dl_bucket`
    -> `aws_s3_bucket.student_main_dl_bucket`), and every reference to it."""
    files = sorted(stack.glob("*.tf"))
    blocks = set()
    for f in files:
        blocks |= {(m[0], m[1], m[2]) for m in _BLOCK.findall(f.read_text())}
    assert blocks, f"no block in {stack}"
    for f in files:
        text = f.read_text()
        for mode, kind, name in blocks:
            new = f"student_{name}"
            text = text.replace(f'{mode} "{kind}" "{name}"', f'{mode} "{kind}" "{new}"')
            prefix = "data." if mode == "data" else ""
            text = re.sub(
                rf"(?<![\w.]){re.escape(prefix + kind)}\.{re.escape(name)}\b",
                f"{prefix}{kind}.{new}",
                text,
            )
        f.write_text(text)


_NAME_ATTR = re.compile(
    r'^(\s+)(name|bucket|function_name|layer_name|database_name)(\s+)= "([^"$]+)"$', re.MULTILINE
)


def names_into_tfvars(stack: Path) -> None:
    """Every resource's name written as a variable whose value is in
    terraform.tfvars (no default), and the rendered terraform.tfvars moved
    to lab.auto.tfvars."""
    (stack / "terraform.tfvars").rename(stack / "lab.auto.tfvars")
    declared, values = [], []
    for f in sorted(stack.glob("*.tf")):
        def to_var(m: re.Match) -> str:
            var = f"name_{len(values)}"
            declared.append(f'variable "{var}" {{\n  type = string\n}}\n')
            values.append(f'{var} = "{m[4]}"\n')
            return f"{m[1]}{m[2]}{m[3]}= var.{var}"

        f.write_text(_NAME_ATTR.sub(to_var, f.read_text()))
    assert len(values) > 5, f"only {len(values)} names found in {stack}"
    (stack / "names.tf").write_text("\n".join(declared))
    (stack / "terraform.tfvars").write_text("".join(values))


_BODY = re.compile(r'^resource\s+"([^"]+)"\s+"([^"]+)"\s*\{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
# The ARN AWS gives each type, as a pattern around its name, and the
# attribute holding the name.
_ARNS = {
    "aws_s3_bucket": ("bucket", r"arn:aws:s3:::{}"),
    "aws_kinesis_stream": ("name", r"arn:aws:kinesis:[a-z0-9-]+:\d{{12}}:stream/{}"),
    "aws_kinesis_firehose_delivery_stream": ("name", r"arn:aws:firehose:[a-z0-9-]+:\d{{12}}:deliverystream/{}"),
    "aws_lambda_function": ("function_name", r"arn:aws:lambda:[a-z0-9-]+:\d{{12}}:function:{}"),
    "aws_cloudwatch_log_group": ("name", r"arn:aws:logs:[a-z0-9-]+:\d{{12}}:log-group:{}"),
}


def policies_by_reference(stack: Path) -> None:
    """Every ARN in the IAM policies written as a reference to its resource,
    `"${aws_s3_bucket.main_dl_bucket.arn}/raw-zone/*"`, as students write
    them: the grade must value the reference as AWS will."""
    targets = []
    for f in sorted(stack.glob("*.tf")):
        for kind, name, body in _BODY.findall(f.read_text()):
            if kind in _ARNS:
                attr, pattern = _ARNS[kind]
                m = re.search(rf'^\s+{attr}\s+= "([^"$]+)"$', body, re.MULTILINE)
                if m:
                    targets.append((pattern.format(re.escape(m[1])), f"${{{kind}.{name}.arn}}"))
    # Longer ARNs first: a log group's name may extend another's.
    targets.sort(key=lambda t: -len(t[0]))
    iam = stack / "iam.tf"
    text, replaced = iam.read_text(), 0
    if "Resource" not in text:
        return  # a Learner Lab's stack: its existing role, no policy of its own
    for pattern, reference in targets:
        text, n = re.subn(rf'(?<=")({pattern})(?=[":/])', lambda _m: reference, text)
        replaced += n
    assert replaced > 3, f"only {replaced} ARNs replaced in {iam}"
    iam.write_text(text)


def wrap_in_module(stack: Path) -> None:
    """The stack moved into modules/lab/ and called from a root module that
    declares the same variables and passes each one on; the provider and
    the tfvars stay in the root."""
    module = stack / "modules" / "lab"
    module.mkdir(parents=True)
    for f in list(stack.iterdir()):
        if f.name in {"modules", "terraform.tfvars", "provider.tf"} or f.name.startswith("."):
            continue
        shutil.move(str(f), module / f.name)
    variables = (module / "variables.tf").read_text()
    names = re.findall(r'^variable "([^"]+)"', variables, re.MULTILINE)
    (stack / "variables.tf").write_text(variables)
    args = "".join(f"  {n} = var.{n}\n" for n in names)
    (stack / "main.tf").write_text(f'module "lab" {{\n  source = "./modules/lab"\n{args}}}\n')


@pytest.mark.parametrize("code_example", code_examples())
def test_code_of_every_example_grades_full_marks(code_example, stackgen, tmp_path):
    spec = EXAMPLES / code_example
    rewrites = {
        "as rendered": None,
        "addresses renamed": rename_addresses,
        "names in terraform.tfvars": names_into_tfvars,
        "wrapped in a local module": wrap_in_module,
        "policies by reference": policies_by_reference,
    }
    problems = []
    for student, stack in example_stacks(stackgen, spec, tmp_path / "out"):
        for what, rewrite in rewrites.items():
            copy = tmp_path / "copies" / (student or "stack") / what.replace(" ", "-")
            shutil.copytree(stack, copy)
            if rewrite is not None:
                rewrite(copy)
            report = grade.run_grade(stackgen, spec, code=copy, student=student)
            assert report["source"] == "code"
            name = f"{code_example} {student or ''} {what}"
            problems += grade.full_marks_problems(name, report)
            if what == "addresses renamed":
                found = [c["found"] for c in grade.checks(report) if c["id"].endswith(".exists")]
                assert found and all(".student_" in f for f in found), found
            if what == "wrapped in a local module":
                found = [c["found"] for c in grade.checks(report) if c["id"].endswith(".exists")]
                assert found and all(f.startswith("module.lab.") for f in found), found
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case_file", defect_cases() or [pytest.param(None, id="none")])
def test_planted_defect_through_code_loses_exactly_its_checks(case_file, stackgen, rendered, tmp_path):
    case, stack, through = planted(case_file, rendered, tmp_path)
    report = grade.run_grade(
        stackgen,
        EXAMPLES / case["example"],
        code=stack,
        through=case.get("grade_through", through),
    )
    require_lost(report, case, f"{case_file.stem} through --code: the grade")


# --- a whole class ----------------------------------------------------------------
#
# `stackgen grade CLASS --state DIR | --code DIR`: each entry of DIR matched
# to a student by render's directory name or the index number as a whole
# token; students without one `missing`, entries of no one `unmatched`; two
# entries for one student an error naming both. The gradebook is read back
# as a standard CSV and as Polish Excel reads it.

CLASS = EXAMPLES / "class.yaml"  # students 12345 (jk), 12346 (an), 12347 (lz)
FIXTURE_STATE = tfcheck.REPO / "tests" / "grade" / "fixtures" / "jk-12345.state.json"


def grade_class(stackgen: Path, spec: Path, flag: str, directory: Path, *extra: str,
                expect_exit: int = 0) -> subprocess.CompletedProcess:
    args = [str(stackgen), "grade", str(spec), flag, str(directory), *extra]
    proc = subprocess.run(args, check=False, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=tfcheck.TIMEOUT_S)
    assert proc.returncode == expect_exit, (
        f"{' '.join(args[1:])}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
    )
    return proc


def test_class_from_code_directories(stackgen, tmp_path):
    rendered = tmp_path / "rendered"
    render(stackgen, CLASS, rendered, None)
    repos = tmp_path / "repos"
    repos.mkdir()
    # Render's name; a repository named as GitHub Classroom names them; a
    # student who handed in nothing (12347); an entry of nobody's.
    shutil.copytree(rendered / "12345-jk", repos / "12345-jk")
    shutil.copytree(rendered / "12346-an", repos / "lab-2026-anna-nowak-12346")
    shutil.copytree(rendered / "12346-an", repos / "lab-2026-someone-99999")
    book = tmp_path / "grades.csv"
    proc = grade_class(stackgen, CLASS, "--code", repos, "--format", "json", "-q",
                       "--gradebook", str(book))
    report = json.loads(proc.stdout)
    assert list(report) == ["students", "missing", "unmatched"]
    assert [s["student"]["index_no"] for s in report["students"]] == ["12345", "12346"]
    assert report["missing"] == ["12347"]
    assert report["unmatched"] == ["lab-2026-someone-99999"]
    problems = []
    for s in report["students"]:
        assert s["source"] == "code"
        problems += grade.full_marks_problems(s["student"]["index_no"], s)
    assert not problems, "\n".join(problems)
    table = pd.read_csv(book, dtype={"index_no": str})
    assert list(table["index_no"]) == ["12345", "12346", "12347"]
    first = table.iloc[0]
    assert first["points"] == first["max_points"] == report["students"][0]["max_points"]
    assert first["percent"] == 100.0
    assert sum(first[f"exercise_{e}"] for e in range(1, 6)) == first["points"]
    # The missing student has a row, with no points.
    assert table.iloc[2]["name"] == "Łukasz Żak"
    assert pd.isna(table.iloc[2]["points"])


def test_class_from_states_and_the_polish_excel_gradebook(stackgen, tmp_path):
    states = tmp_path / "states"
    (states / "12345-jk").mkdir(parents=True)
    shutil.copy(FIXTURE_STATE, states / "12345-jk" / "state.json")
    # Anna's state is empty: all her checks are missing, 0 points.
    (states / "an-12346.json").write_text(json.dumps(EMPTY_STATE))
    (states / "notes.txt").write_text("not a state")
    book = tmp_path / "grades.csv"
    proc = grade_class(stackgen, CLASS, "--state", states, "--format", "json", "-q",
                       "--gradebook", str(book), "--gradebook-csv", "excel")
    report = json.loads(proc.stdout)
    assert [s["student"]["index_no"] for s in report["students"]] == ["12345", "12346"]
    assert report["students"][0]["points"] == report["students"][0]["max_points"] > 0
    assert report["students"][1]["points"] == 0
    assert report["missing"] == ["12347"]
    assert report["unmatched"] == ["notes.txt"]
    raw = book.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    table = pd.read_csv(book, sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"index_no": str})
    assert table["percent"].dtype == float
    assert list(table["percent"].fillna(-1)) == [100.0, 0.0, -1]
    assert "Łukasz Żak" in list(table["name"])


def test_class_entries_twice_twins_and_text(stackgen, tmp_path):
    states = tmp_path / "states"
    states.mkdir()
    (states / "12345-jk.json").write_text(json.dumps(EMPTY_STATE))
    (states / "kowalski-12345.json").write_text(json.dumps(EMPTY_STATE))
    proc = grade_class(stackgen, CLASS, "--state", states, expect_exit=2)
    assert "12345-jk.json" in proc.stderr and "kowalski-12345.json" in proc.stderr
    assert proc.stdout == ""
    # Index-number prefix twins: 12345 and 123456 in one class; an entry
    # of 123456 is never 12345's, and the reverse.
    twins = tmp_path / "twins.yaml"
    twins.write_text(
        CLASS.read_text().replace('index_no: "12346"', 'index_no: "123456"')
    )
    (states / "kowalski-12345.json").unlink()
    (states / "nowak-123456.json").write_text(json.dumps(EMPTY_STATE))
    proc = grade_class(stackgen, twins, "--state", states, "--format", "json", "-q")
    report = json.loads(proc.stdout)
    assert [s["student"]["index_no"] for s in report["students"]] == ["12345", "123456"]
    assert report["missing"] == ["12347"] and report["unmatched"] == []
    # The text report lists every student, the missing one too.
    proc = grade_class(stackgen, twins, "--state", states)
    assert "missing (1): 12347" in proc.stdout
    assert "Łukasz Żak" in proc.stdout
    # --fail-under: any student under it (both scored 0 here) exits 3.
    proc = grade_class(stackgen, twins, "--state", states, "--fail-under", "50", expect_exit=3)
    assert "2 student(s) under --fail-under 50%" in proc.stderr
    # An entry that is not what the flag says stops the class, named, and
    # prints no report that would look complete without that student.
    (states / "nowak-123456.json").write_text('{"format_version": "1.0", "values": ')
    proc = grade_class(stackgen, twins, "--state", states, "--format", "json", expect_exit=2)
    assert proc.stdout == ""
    assert "error[SG801]" in proc.stderr and "nowak-123456.json" in proc.stderr


# --- JUnit and Markdown ------------------------------------------------------------


def grade_output(stackgen: Path, *args: str) -> str:
    proc = subprocess.run([str(stackgen), "grade", *args, "-q"], check=False,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=tfcheck.TIMEOUT_S)
    assert proc.returncode == 0, f"grade {' '.join(args)}: exit {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def test_junit_and_markdown_of_one_student(stackgen, rendered, tmp_path):
    """A failed, a missing-free and an unknown check, read back by junitparser
    (the JUnit reader GitLab-style tooling uses) and in the Markdown."""
    from junitparser import Failure, JUnitXml, Skipped

    spec = EXAMPLES / "jk-12345.yaml"
    stack = tmp_path / "stack"
    shutil.copytree(rendered("jk-12345.yaml", None), stack)
    plant(stack, [
        {"file": "s3.tf", "replace": "  force_destroy = true\n", "with": ""},
        # A value the code does not give: unknown, never a failure.
        {"file": "kinesis_ds.tf", "replace": "shard_count               = 1", "with": "shard_count = local.nowhere"},
    ], "junit")
    report = grade.run_grade(stackgen, spec, code=stack)
    assert grade.lost(report) == {"bucket.force_destroy": "fail", "stream.shard_count": "unknown"}
    path = tmp_path / "grade.xml"
    path.write_text(grade_output(stackgen, str(spec), "--code", str(stack), "--format", "junit"))
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == [f"exercise {e['exercise']}" for e in report["exercises"]]
    cases = {c.name: c for s in suites for c in s}
    assert set(cases) == set(grade.statuses(report))
    assert sum(s.tests for s in suites) == len(cases)
    assert [type(r) for r in cases["bucket.force_destroy"].result] == [Failure]
    assert [type(r) for r in cases["stream.shard_count"].result] == [Skipped]
    assert all(cases[i].is_passed for i, s in grade.statuses(report).items() if s == "pass")
    assert suites[0].failures == 1 and suites[0].skipped == 1
    md = grade_output(stackgen, str(spec), "--code", str(stack), "--format", "markdown")
    assert md.startswith(f"## Jan Kowalski (jk, 12345): {report['points']}/{report['max_points']}")
    assert "- ❌ `bucket.force_destroy` (fail)" in md
    assert "**fix:** set `force_destroy`" in md
    assert "- ❔ `stream.shard_count` (unknown)" in md
    assert "All 13 checks pass." in md


def test_junit_of_a_class(stackgen, tmp_path):
    from junitparser import Failure, JUnitXml

    rendered = tmp_path / "rendered"
    render(stackgen, CLASS, rendered, None)
    repos = tmp_path / "repos"
    repos.mkdir()
    shutil.copytree(rendered / "12345-jk", repos / "12345-jk")
    shutil.copytree(rendered / "12346-an", repos / "12346-an")
    path = tmp_path / "class.xml"
    path.write_text(grade_output(stackgen, str(CLASS), "--code", str(repos), "--format", "junit"))
    suites = list(JUnitXml.fromfile(str(path)))
    names = [s.name for s in suites]
    assert names[:5] == [f"12345 jk: exercise {e}" for e in range(1, 6)]
    assert names[5:10] == [f"12346 an: exercise {e}" for e in range(1, 6)]
    assert names[10:] == ["12347 lz: missing"]
    assert all(s.failures == 0 and s.skipped == 0 for s in suites[:10])
    (missing,) = list(suites[10])
    assert missing.name == "submitted" and isinstance(missing.result[0], Failure)
    md = grade_output(stackgen, str(CLASS), "--code", str(repos), "--format", "markdown")
    assert md.count("\n## ") + md.startswith("## ") == 3  # two students, then "Missing"
    assert "## Missing\n\n- `12347`" in md
