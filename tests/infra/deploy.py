"""Deploys a rendered stack into moto server with Terraform 0.14.6 and the
AWS provider 3.39.0 (the handout's toolchain): init, apply, plan, destroy.

The stack is a copy of what stackgen rendered, plus two things the harness
adds and stackgen never emits:
- `zz_moto_override.tf`, an override file that points the provider at one
  moto server (OVERRIDE_FILE);
- the awswrangler layer zip at the path the stack reads it from
  (`var.awswrangler_layer_zip`, relative to the stack, possibly outside it):
  the course's 40 MB file is not generated, a stub package stands in for it.

EXCLUDED lists the resource types that are not applied, with the reason.
`apply` targets every other resource of the stack (`-target` per address);
the excluded ones are still validated by test_terraform.py, and
`excluded_still_fail` proves for each entry that moto still cannot take it,
so that the list only ever shrinks.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import grade, tfcheck
from .motoserver import MotoServer

OVERRIDE_FILE = "zz_moto_override.tf"

# Services the stack's provider talks to: each gets an endpoint in the
# override, all pointing at the same moto server.
ENDPOINT_SERVICES = (
    "s3",
    "kinesis",
    "firehose",
    "iam",
    "sts",
    "glue",
    "lambda",
    "athena",
    "cloudwatchlogs",
    "kinesisanalytics",
    # uam-2025: the parameter that holds the processed bucket's name.
    "ssm",
    # A class's bootstrap stack: the classic state lock table.
    "dynamodb",
    # expire_after_hours: the reaper's schedule rule.
    "cloudwatchevents",
)

# Provider 3.39.0 polls: creating a Kinesis stream takes about 50 s against
# moto, deleting it 10 s. Generous, so that a loaded CI machine does not fail
# a test that would pass; a hang still ends.
APPLY_TIMEOUT_S = 900


@dataclass(frozen=True)
class Exclusion:
    reason: str
    # What applying the type against moto shows today (in Terraform's
    # output or its log); excluded_still_fail checks that it still does.
    symptom: re.Pattern
    # The stackgen part it belongs to: grading the deployed state may cost
    # exactly that part's checks (none while the edition has the part made
    # in the console, as both built-in editions have the SQL application).
    part: str


# Resource types kept out of the apply, each with why. Verified against
# moto 5.2.5 and provider 3.39.0. Only remove entries: when moto learns an
# API, excluded_still_fail fails and names the entry to delete.
EXCLUDED: dict[str, Exclusion] = {
    "aws_kinesis_analytics_application": Exclusion(
        reason=(
            "moto 5.2.5 has no Kinesis Analytics (v1, SQL) API, only"
            " kinesisanalyticsv2; provider 3.39.0 panics on the answer it gets"
            " (nil pointer in resourceAwsKinesisAnalyticsApplicationCreate)"
        ),
        symptom=re.compile(r"panic: runtime error: invalid memory address"),
        part="sql_analytics",
    ),
}
# Not excluded although the issue expected it: aws_athena_workgroup (and so
# aws_athena_named_query) applies with moto 5.2.5, tags included, and plans
# clean. Destroying a named query needs DeleteNamedQuery, which moto lacks;
# motoserver.py fills that gap (MOTO_GAPS).


def override_tf(endpoint: str) -> str:
    """The provider override for moto. No skip_requesting_account_id: the
    provider must ask sts for the account (allowed_account_ids, and Glue
    and Athena need it)."""
    width = max(len(s) for s in ENDPOINT_SERVICES)
    endpoints = "\n".join(
        f'    {s.ljust(width)} = "{endpoint}"' for s in ENDPOINT_SERVICES
    )
    return f"""# Written by the test harness (tests/infra/deploy.py), never by stackgen:
# points the stack's provider at moto server.
provider "aws" {{
  access_key                  = "test"
  secret_key                  = "test"
  s3_force_path_style         = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_get_ec2_platforms      = true
  skip_region_validation      = true

  endpoints {{
{endpoints}
  }}
}}
"""


def stub_layer_zip() -> bytes:
    """A small valid Lambda layer: python/awswrangler/__init__.py."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("python/awswrangler/__init__.py", (2021, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        z.writestr(
            info, '"""Stand-in for the course\'s layer."""\n__version__ = "2.7.0"\n'
        )
    return buf.getvalue()


def excluded_addresses(addresses: list[str]) -> list[str]:
    return [a for a in addresses if a.split(".", 1)[0] in EXCLUDED]


@dataclass
class Deployment:
    """One rendered stack in its own directory, against one moto server."""

    name: str
    dir: Path
    plan: dict  # `stackgen plan` of the same input
    tools: tfcheck.Tools
    server: MotoServer
    timings: tfcheck.Timings = field(default_factory=tfcheck.Timings)

    @classmethod
    def prepare(
        cls,
        name: str,
        rendered: Path,
        dest: Path,
        plan: dict,
        tools: tfcheck.Tools,
        server: MotoServer,
    ) -> Deployment:
        """Copies the rendered stack to DEST, writes the moto override and
        the stub layer zip."""
        stack = tfcheck.copy_stack(rendered, dest)
        (stack / OVERRIDE_FILE).write_text(override_tf(server.endpoint))
        layer = (stack / plan["features"]["layer_zip"]).resolve()
        layer.parent.mkdir(parents=True, exist_ok=True)
        layer.write_bytes(stub_layer_zip())
        return cls(name, stack, plan, tools, server)

    # --- addresses -------------------------------------------------------

    @property
    def addresses(self) -> list[str]:
        """Every resource the stack declares."""
        return tfcheck.resource_addresses(self.dir)

    @property
    def applied_addresses(self) -> list[str]:
        """The resources apply creates: all but EXCLUDED's types."""
        excluded = set(excluded_addresses(self.addresses))
        return [a for a in self.addresses if a not in excluded]

    def _targets(self) -> list[str]:
        return [f"-target={a}" for a in self.applied_addresses]

    # --- Terraform ----------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = tfcheck.tf014_env(self.tools)
        # Nothing from a developer's AWS setup (profile, region, endpoint):
        # the override and the stack say everything.
        return {k: v for k, v in env.items() if not k.startswith("AWS_")}

    def tf(self, step: str, *args: str) -> tfcheck.Run:
        t = time.monotonic()
        run = tfcheck.run_tf014(
            self.tools, self.dir, *args, env=self._env(), timeout=APPLY_TIMEOUT_S
        )
        self.timings.steps[step] = self.timings.steps.get(step, 0) + (
            time.monotonic() - t
        )
        return run

    def _failed(self, what: str, run: tfcheck.Run) -> str:
        return (
            f"{self.name}: terraform 0.14.6 {what} exited {run.returncode}:\n"
            f"{run.text()}" + _panic(run.log) + _moto_errors(self.server)
        )

    def _ignored(self, what: str, run: tfcheck.Run) -> list[str]:
        ignored = tfcheck.ignored_errors(run.log)
        if not ignored:
            return []
        return [
            f"{self.name}: terraform 0.14.6 {what}: errors that stock 0.14.6"
            " reports and this build only logs:\n"
            + "\n".join(f"error: {line}" for line in ignored)
        ]

    def init(self, *extra: str) -> list[str]:
        """`init` from the provider mirror; `extra` adds arguments (a
        `-backend-config=FILE` for a stack with remote state)."""
        run = self.tf(
            "init",
            "init",
            "-input=false",
            "-no-color",
            f"-plugin-dir={self.tools.mirror}",
            *extra,
        )
        if run.returncode != 0:
            return [self._failed("init", run)]
        return []

    def apply(self) -> list[str]:
        """apply -target=<each applied address>; then every one of them
        must be in the state, and nothing else."""
        run = self.tf(
            "apply",
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            *self._targets(),
        )
        if run.returncode != 0:
            return [self._failed("apply", run)]
        problems = self._ignored("apply", run)
        state = self.state_list()
        missing = sorted(set(self.applied_addresses) - set(state))
        extra = sorted(set(state) - set(self.applied_addresses))
        if missing:
            problems.append(f"{self.name}: applied but not in the state: {missing}")
        if extra:
            problems.append(f"{self.name}: in the state but not targeted: {extra}")
        return problems

    def plan_no_changes(self) -> list[str]:
        """plan -detailed-exitcode over the applied resources must exit 0
        (no changes). On exit 2 the problem names each changing resource and
        attribute (a perpetual diff)."""
        planfile = "deploy.tfplan"
        run = self.tf(
            "plan",
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            f"-out={planfile}",
            *self._targets(),
        )
        problems = self._ignored("plan", run)
        if run.returncode == 0:
            return problems
        if run.returncode != 2:
            return problems + [self._failed("plan -detailed-exitcode", run)]
        show = self.tf("show", "show", "-json", "-no-color", planfile)
        try:
            changes = describe_changes(json.loads(show.out))
        except json.JSONDecodeError:
            changes = run.text()
        return problems + [
            (
                f"{self.name}: plan after apply is not empty (exit 2), a perpetual"
                f" diff:\n{changes}"
            )
        ]

    def destroy(self) -> list[str]:
        """destroy (everything in the state); the state must end up empty."""
        run = self.tf(
            "destroy", "destroy", "-auto-approve", "-input=false", "-no-color"
        )
        if run.returncode != 0:
            return [self._failed("destroy", run)]
        problems = self._ignored("destroy", run)
        left = self.state_list()
        if left:
            problems.append(f"{self.name}: still in the state after destroy: {left}")
        return problems

    def excluded_parts(self) -> set[str]:
        """The parts whose resources the apply leaves out."""
        return {EXCLUDED[a.split(".", 1)[0]].part for a in excluded_addresses(self.addresses)}

    def grade_problems(
        self, stackgen: Path, spec: Path, workdir: Path, *, student: str | None = None,
        through: int | None = None,
    ) -> list[str]:
        """`stackgen grade` from the deployed state: `terraform show -json`
        of it (Terraform 1.15.5) and the raw terraform.tfstate itself both
        give full marks with 0 unknown, except that the parts left out of
        the apply may lose exactly their own checks (listed in the output)."""
        t = time.monotonic()
        shown = grade.state_json(self.tools, self.dir / "terraform.tfstate", workdir)
        problems = []
        reports = {}
        for label, path in (("show -json", shown), ("terraform.tfstate", self.dir / "terraform.tfstate")):
            report = grade.run_grade(
                stackgen, spec, state=path, student=student, through=through
            )
            reports[label] = report
            problems += grade.full_marks_problems(
                f"{self.name}: grade --state ({label})", report, self.excluded_parts()
            )
        a, b = (grade.statuses(r) for r in reports.values())
        if a != b:
            problems.append(
                f"{self.name}: the state's show -json and its raw file grade differently:"
                f" {sorted(set(a.items()) ^ set(b.items()))}"
            )
        report = reports["show -json"]
        cost = sorted(i for i, s in grade.lost(report).items())
        print(
            f"{self.name}: graded {len(grade.checks(report))} checks from the state,"
            f" {report['points']}/{report['max_points']}; left out of the deploy:"
            f" {sorted(self.excluded_parts()) or 'nothing'}, costing {cost or 'no check'};"
            f" not graded: {[n['part'] for n in report['not_graded']]}"
        )
        self.timings.steps["grade"] = self.timings.steps.get("grade", 0) + time.monotonic() - t
        return problems

    def state_list(self) -> list[str]:
        run = self.tf("state list", "state", "list")
        if run.returncode != 0:
            return []
        return sorted(line.strip() for line in run.out.splitlines() if line.strip())

    def excluded_still_fail(self) -> list[str]:
        """Applies each excluded resource on its own (its dependencies are
        already there) and expects the recorded symptom. If one applies, moto
        has learnt its API: the entry must go from EXCLUDED."""
        problems = []
        for address in excluded_addresses(self.addresses):
            exclusion = EXCLUDED[address.split(".", 1)[0]]
            run = self.tf(
                "excluded",
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                f"-target={address}",
            )
            if run.returncode == 0:
                problems.append(
                    f"{self.name}: {address} applies against moto now: remove"
                    f" {address.split('.', 1)[0]} from deploy.EXCLUDED"
                    f" (its reason was: {exclusion.reason})"
                )
            elif not exclusion.symptom.search(run.text() + run.log):
                problems.append(
                    f"{self.name}: {address} fails against moto, but not as"
                    f" EXCLUDED says ({exclusion.symptom.pattern!r}); update the"
                    f" reason:\n{run.text()}"
                )
        return problems


def describe_changes(plan_json: dict) -> str:
    """Each resource a plan would change, with the attributes that differ."""
    lines = []
    for rc in plan_json.get("resource_changes") or []:
        change = rc.get("change") or {}
        actions = change.get("actions") or []
        if actions in (["no-op"], ["read"]):
            continue
        lines.append(f"  {rc.get('address')}: {'/'.join(actions)}")
        before = change.get("before") or {}
        after = change.get("after") or {}
        unknown = change.get("after_unknown") or {}
        for key in sorted(set(before) | set(after) | set(unknown)):
            if unknown.get(key) is True:
                lines.append(f"    {key}: {before.get(key)!r} -> (known after apply)")
            elif before.get(key) != after.get(key):
                lines.append(f"    {key}: {before.get(key)!r} -> {after.get(key)!r}")
    return "\n".join(lines) or json.dumps(plan_json.get("resource_changes"))


def _panic(log: str) -> str:
    """The provider's panic, if it crashed (only in its log)."""
    i = log.find("panic: ")
    if i < 0:
        return ""
    return "\n--- provider panic (from the log)\n" + "\n".join(log[i:].splitlines()[:8])


def _moto_errors(server: MotoServer) -> str:
    errors = server.errors()
    if not errors:
        return ""
    return "\n--- moto server errors\n" + "\n".join(errors)
