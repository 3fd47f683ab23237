"""A second opinion on the modern target's stacks: schema_check.py, a
checker written here, against the same extracted schema
(tests/schema/aws-6.66.0.json) that the schema-serving provider serves.

Real Terraform 1.15.5 is the check of record for modern stacks:
test_terraform.py runs scripts/tfcheck.sh (init, validate, plan through
the schema provider, fmt -check) on every example. This test stays beside it
because it is an implementation of the schema rules independent of Terraform
core, of tf-provider and of provider/'s own validate code: Terraform core
alone accepted three kinds of error that this checker reports (a missing
required block, a required argument set to null, a computed-only attribute
set; tests/planted/), and provider/ now reports them. Should that code
regress, this checker still fails a stack that has one. It checks resource
and data source types, argument and block names, required arguments and
blocks, read-only attributes, block vs attribute, max-1 blocks and
deprecated arguments; not values, types of values or references (Terraform
does). It takes about a second per example.

One test per examples/*.yaml whose top-level `target` is `modern` (or
absent: stackgen's default): `stackgen render` exits 0, and every directory
of .tf files it writes has no finding. With no such example the test is
skipped ("no modern examples yet").
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from . import tfcheck

HCL2_MISSING = (
    "python-hcl2 is not installed, so the modern stacks cannot be checked: add"
    " `python-hcl2==8.1.4` to tests/locks/test-venv.in and run scripts/lock.sh"
)


def modern_examples(directory: Path) -> list[Path]:
    found = []
    for path in sorted(directory.glob("*.yaml")):
        # A file that is not YAML raises here, at collection: loud on purpose.
        doc = yaml.safe_load(path.read_text())
        # `modern` is stackgen's default target, so a file without one is too.
        if isinstance(doc, dict) and doc.get("target", "modern") == "modern":
            found.append(path)
    return found


_EXAMPLES_DIR = tfcheck.examples_dir()
_MODERN = modern_examples(_EXAMPLES_DIR) if _EXAMPLES_DIR.is_dir() else []
_PARAMS = [pytest.param(p, id=p.stem) for p in _MODERN] or [
    pytest.param(
        None,
        id="no-modern-examples",
        marks=pytest.mark.skip(
            reason=f"no modern examples yet: no *.yaml in {_EXAMPLES_DIR} has a"
            " top-level `target: modern`"
        ),
    )
]


@pytest.mark.parametrize("modern_example", _PARAMS)
def test_modern_stack_fits_aws_6_schema(modern_example, stackgen, tmp_path):
    try:
        from . import schema_check
    except ModuleNotFoundError as e:
        if e.name not in ("hcl2", "lark"):
            raise
        # Not a skip: a modern stack that nobody checks must not pass.
        pytest.fail(HCL2_MISSING, pytrace=False)

    out = tmp_path / "stack"
    tfcheck.render(stackgen, modern_example, out)
    schema = schema_check.load_schema()

    problems = []
    timings = []
    # A class file may render one directory per student: each directory of
    # .tf files is a Terraform root module of its own.
    for module in sorted({p.parent for p in out.rglob("*.tf")}):
        where = module.relative_to(out)  # "." for the stack itself
        start = time.monotonic()
        report = schema_check.check_dir(module, schema)
        timings.append(f"{where} {time.monotonic() - start:.2f}s")
        problems += [
            str(f) if str(where) == "." else f"{where}/{f}" for f in report.findings
        ]
        if report.unchecked:
            print(
                f"{modern_example.stem}: not checked (other providers): {', '.join(report.unchecked)}"
            )
        if not report.checked:
            problems.append(
                f"{where}: no resource, data source or provider block of aws to check"
            )
    print(f"{modern_example.stem}: schema check {', '.join(timings)}")
    if problems:
        pytest.fail(
            f"{len(problems)} finding(s) against the AWS provider 6.66.0 schema:\n"
            + "\n".join(problems),
            pytrace=False,
        )
