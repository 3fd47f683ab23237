"""Real static checkers from PyPI agree with stackgen's security claims.

For each single-student example, of either target, two checkers run, at the versions pinned in
tests/locks/checkers.lock (the tests check the versions too):

- parliament (IAM policy linter), on the PERMISSION policy of every role of
  `stackgen plan` (`roles.<key>.policy`), at every severity (INFO and up) and
  with its community auditors. Trust policies are not linted: parliament has
  no trust-policy mode and calls each one MALFORMED (no Resource).
  * `policy_style: least_privilege` (the default): no policy is broad
    (`Resource: "*"` or a whole-service action such as `kinesis:*`), and
    parliament finds nothing at all.
  * `policy_style: lab` (the handout's policies): the broad policies are
    there and parliament sees them: every policy with `Resource: "*"` gets
    RESOURCE_STAR, and every broad policy gets at least one finding. Policies
    that are not broad still get none.
- checkov (Terraform framework, offline: --skip-download), on the stack that
  `stackgen render` writes, and on the `bootstrap/` stack of a class of each
  target whose state is in S3 (test_checkov_bootstrap):
  * checkov parsed it all: no parsing error, and as many resources as the
    .tf files declare;
  * no failed check, printed as check id, name, resource, file and lines.
    The only exception is the `lab` style, where the IAM-wildcard checks
    (LAB_IAM_CHECKS) fail on aws_iam_role_policy resources, as the handout's
    policies must; there CKV_AWS_355 (`*` resource) has to fail at least once;
  * every `#checkov:skip=CKV_...:reason` comment in the stack names a check
    and gives a reason, and each one suppresses a check checkov actually ran
    on that resource (the skipped count equals the number of skip comments):
    a typo or a skip left behind on the wrong resource fails.

Each test prints its figures (findings per role, checks passed, failed and
skipped, seconds); see them with `pytest -rA` or `-s`.
"""

from __future__ import annotations

import collections
import time

import pytest

from . import checkers as ck
from . import tfcheck

# checkov's checks on IAM policy documents that flag wildcards and
# unconstrained access. The handout's `lab` policies (`kinesis:*` on `*`,
# `s3:*`, logs on `*`) fail some of them by design.
LAB_IAM_CHECKS = {
    "CKV_AWS_62",  # full "*:*" administrative privileges
    "CKV_AWS_63",  # "*" as a statement's action
    "CKV_AWS_286",  # privilege escalation
    "CKV_AWS_287",  # credentials exposure
    "CKV_AWS_288",  # data exfiltration
    "CKV_AWS_289",  # permissions management / resource exposure
    "CKV_AWS_290",  # write access without constraints
    "CKV_AWS_355",  # "*" as a statement's resource for restrictable actions
}
STYLES = ("least_privilege", "lab")


@pytest.fixture(scope="session")
def checkers() -> ck.Checkers:
    try:
        return ck.Checkers.from_env()
    except FileNotFoundError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def pins() -> dict[str, str]:
    pins = ck.pinned_versions()
    if set(pins) != {"checkov", "parliament"}:
        pytest.fail(
            f"{ck.REQUIREMENTS} pins {pins}; expected checkov==... and parliament==...",
            pytrace=False,
        )
    return pins


def check_order(check_id: str) -> tuple[str, int]:
    """CKV_AWS_18 before CKV_AWS_115."""
    prefix, _, number = check_id.rpartition("_")
    return (prefix, int(number)) if number.isdigit() else (check_id, 0)


def single_student_examples() -> list:
    """Every examples/*.yaml for one student (`student:`), either target:
    the checkers need no Terraform provider, so modern stacks get them too."""
    import yaml

    directory = tfcheck.examples_dir()
    found = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        doc = yaml.safe_load(path.read_text())
        if isinstance(doc, dict) and "student" in doc:
            found.append(pytest.param(path, id=path.stem))
    return found or [pytest.param(None, id="no-examples")]


CHECKED = single_student_examples()


def need(example):
    if example is None:
        pytest.fail(
            f"no example to check: {tfcheck.examples_dir()} has no *.yaml with a"
            " top-level `student:`",
            pytrace=False,
        )


def policy_style(plan: dict) -> str:
    style = (plan.get("spec") or {}).get("policy_style")
    if style not in STYLES:
        pytest.fail(
            f"stackgen plan: spec.policy_style is {style!r}, not one of {STYLES};"
            " a new style needs its own expectations here",
            pytrace=False,
        )
    return style


@pytest.mark.parametrize("checked", CHECKED)
def test_parliament(checked, stackgen, checkers, pins, tmp_path):
    need(checked)
    plan = tfcheck.stackgen_plan(stackgen, checked)
    style = policy_style(plan)
    roles = plan.get("roles") or {}
    existing_role = (plan.get("features") or {}).get("existing_role")
    if existing_role:
        # Learner Lab: the stack creates no IAM at all, so there is no
        # policy of the stack's own to lint.
        assert roles == {}, f"stackgen plan {checked.name}: roles beside existing_role"
        print(f"{checked.stem}: no policies (every service uses {existing_role})")
        return
    assert roles, f"stackgen plan {checked.name}: no roles"

    problems = []
    policies = {}
    for key, role in sorted(roles.items()):
        doc = role.get("policy")
        if not isinstance(doc, dict) or not doc.get("Statement"):
            problems.append(f"role {key}: no permission policy with statements: {doc!r}")
            continue
        policies[key] = doc
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

    t = time.monotonic()
    result = ck.run_parliament(checkers, policies, tmp_path)
    seconds = time.monotonic() - t
    assert result["version"] == pins["parliament"], (
        f"parliament {result['version']} ran, tests/locks/checkers.lock pins"
        f" {pins['parliament']}: run scripts/install-test-tools.sh"
    )
    findings = result["findings"]
    broad = {k for k, doc in policies.items() if ck.is_broad(doc)}

    figures = {
        k: dict(collections.Counter(f["issue"] for f in fs)) for k, fs in findings.items()
    }
    print(
        f"{checked.stem} ({style}): parliament {result['version']} on"
        f" {len(policies)} permission policies in {seconds:.2f}s;"
        f" broad: {sorted(broad) or 'none'}; findings: {figures}"
    )

    if style == "least_privilege":
        for k in sorted(broad):
            problems.append(
                f"{k}: a least_privilege policy with `Resource: \"*\"` or a"
                " whole-service action"
            )
        checked = policies
    else:
        if not broad:
            problems.append(
                "policy_style lab, but no policy is broad: the handout's"
                " `kinesis:*` on `*` is gone, so this test no longer shows"
                " that parliament catches it"
            )
        for k in sorted(broad):
            issues = {f["issue"] for f in findings[k]}
            star = any("*" in ck.resources(st) for st in policies[k]["Statement"])
            if star and "RESOURCE_STAR" not in issues:
                problems.append(
                    f"{k}: has `Resource: \"*\"` but parliament did not report"
                    f" RESOURCE_STAR (found: {sorted(issues) or 'nothing'})"
                )
            elif not issues:
                problems.append(f"{k}: a broad policy, and parliament found nothing")
        checked = {k: v for k, v in policies.items() if k not in broad}

    for k in sorted(checked):
        for f in findings[k]:
            problems.append(ck.format_parliament(k, f))

    if problems:
        pytest.fail(
            f"{checked.name} (policy_style {style}): {len(problems)} problem(s)\n"
            + "\n".join(problems),
            pytrace=False,
        )


@pytest.mark.parametrize("checked", CHECKED)
def test_checkov(checked, stackgen, checkers, pins, tmp_path):
    need(checked)
    style = policy_style(tfcheck.stackgen_plan(stackgen, checked))
    stack = tmp_path / "stack"
    tfcheck.render(stackgen, checked, stack)
    problems = checkov_problems(f"{checked.stem} ({style})", stack, style, checkers, pins, tmp_path)
    if problems:
        pytest.fail(
            f"{checked.name} (policy_style {style}):\n" + "\n\n".join(problems),
            pytrace=False,
        )


# A class of each target whose students keep their state in S3: its
# bootstrap/ stack (the state bucket, and classic's lock table) is checked
# like a student's stack.
BOOTSTRAPS = {"classic": "remote-state-class.yaml", "modern": "modern-remote-state-class.yaml"}


@pytest.mark.parametrize("target", sorted(BOOTSTRAPS))
def test_checkov_bootstrap(target, stackgen, checkers, pins, tmp_path):
    from .test_deploy import render_class

    example = tfcheck.examples_dir() / BOOTSTRAPS[target]
    out = tmp_path / "class"
    render_class(stackgen, example, out)
    stack = out / "bootstrap"
    assert (stack / "main.tf").is_file(), f"{example.name}: no bootstrap/ rendered"
    problems = checkov_problems(
        f"{example.stem} bootstrap ({target})", stack, "least_privilege", checkers, pins, tmp_path
    )
    if problems:
        pytest.fail(f"{example.name} bootstrap/:\n" + "\n\n".join(problems), pytrace=False)


def checkov_problems(label, stack, style, checkers, pins, tmp_path) -> list[str]:
    """checkov on one rendered stack: what test_checkov and
    test_checkov_bootstrap require of it (see the module docs)."""
    report = ck.run_checkov(checkers, stack, tmp_path)
    summary = report.summary
    declared = ck.count_resources(stack)
    skips = ck.skip_comments(stack)
    print(
        f"{label}: checkov {summary.get('checkov_version')}"
        f" {summary.get('passed')} passed, {summary.get('failed')} failed,"
        f" {summary.get('skipped')} skipped, {summary.get('resource_count')}"
        f" resources ({declared} declared), {len(skips)} skip comments,"
        f" {report.seconds:.1f}s"
    )
    problems = []
    if summary.get("checkov_version") != pins["checkov"]:
        problems.append(
            f"checkov {summary.get('checkov_version')} ran, tests/locks/"
            f"checkers.lock pins {pins['checkov']}: run scripts/install-test-tools.sh"
        )
    if summary.get("parsing_errors") != 0:
        problems.append(f"checkov could not parse the stack: {summary}")
    if summary.get("resource_count") != declared:
        problems.append(
            f"checkov saw {summary.get('resource_count')} resources, the .tf"
            f" files declare {declared}"
        )

    expected, unexpected = [], []
    for f in report.failed:
        lab_iam = (
            style == "lab"
            and f.check_id in LAB_IAM_CHECKS
            and f.resource_type == "aws_iam_role_policy"
        )
        (expected if lab_iam else unexpected).append(f)
    if style == "lab":
        if not any(f.check_id == "CKV_AWS_355" for f in expected):
            problems.append(
                "policy_style lab, but CKV_AWS_355 (`*` resource) failed on no"
                " aws_iam_role_policy: the handout's `kinesis:*` on `*` should"
                " fail it (do not skip it in the lab style)"
            )
        print(
            f"{label}: expected lab-style IAM failures: "
            + ", ".join(f"{f.check_id} {f.resource}" for f in expected)
        )
    if report.returncode == 0 and report.failed:
        problems.append("checkov exited 0 but listed failed checks")
    if report.returncode == 1 and not report.failed:
        problems.append("checkov exited 1 but listed no failed check")

    for s in skips:
        if not s.check_ids:
            problems.append(f"{s.file}:{s.line}: a checkov:skip comment with no check id")
        if not s.reason:
            problems.append(
                f"{s.file}:{s.line}: checkov:skip={','.join(s.check_ids)} gives no"
                " reason (write `#checkov:skip=CKV_...:why`)"
            )
    suppressions = sum(len(s.check_ids) for s in skips)
    if summary.get("skipped") != suppressions:
        # --quiet leaves the skipped checks out; ask again to say which.
        full = ck.run_checkov(checkers, stack, tmp_path, quiet=False)
        problems.append(
            f"the stack has {suppressions} checkov:skip suppressions, checkov"
            f" skipped {summary.get('skipped')} checks. These suppress nothing"
            " (a typo in the id, a check that does not apply to that resource"
            " type, or a comment outside the resource's block):\n"
            + "\n".join(
                f"    {x}" for x in ck.ineffective_skips(skips, full.skipped) or ["?"]
            )
        )

    if unexpected:
        by_check = collections.defaultdict(list)
        for f in unexpected:
            by_check[(f.check_id, f.name)].append(f)
        lines = [
            f"{len(unexpected)} failed checkov check(s) on {len(by_check)} check id(s)"
            f" (fix the template, or add `#checkov:skip=ID:reason` inside the"
            " resource block):"
        ]
        for (cid, name), fs in sorted(
            by_check.items(), key=lambda kv: check_order(kv[0][0])
        ):
            lines.append(f"{cid} {name}")
            lines += [f"    {f.resource} at {f.file}:{f.lines[0]}-{f.lines[1]}" for f in fs]
        problems.append("\n".join(lines))

    return problems
