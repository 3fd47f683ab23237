"""The stacks stackgen renders deploy, against moto server (a local AWS API),
with the handout's toolchain (Terraform 0.14.6, AWS provider 3.39.0).

test_example_deploys (one per single-student classic example) proves, in
order:
1. `terraform init` and `apply` succeed for every resource of the stack
   except the types in deploy.EXCLUDED, and the state then holds exactly
   those resources;
2. `plan -detailed-exitcode` right after reports no changes (exit 0): the
   stack has no perpetual diff;
3. what AWS reports equals what `stackgen plan` planned for the same input
   (awscheck.check_stack: every bucket of the plan's zones, stream, both
   Firehoses, the Glue databases, crawler and table, both Lambdas with
   layer, environment, permission and bucket notification, every role's
   trust, inline and managed policies, log groups, Athena workgroup and
   named queries, uam-2025's SSM parameter, tags; and nothing else in the
   account carries the student's name); and those checks can fail: with the
   plan changed in one place (each of awscheck.MUTATIONS that concerns the
   example's edition), each reports a problem;
4. `stackgen grade` of the state (its `terraform show -json` by Terraform
   1.15.5, and the raw terraform.tfstate) gives full marks with 0 unknown;
   the parts deploy.EXCLUDED leaves out may lose exactly their own checks
   (today none: the SQL application is made in the console in both
   editions, so it is not graded);
5. each excluded resource still fails against moto as EXCLUDED says (so the
   list only shrinks);
6. `destroy` succeeds, empties the state, and leaves nothing in the account
   that carries the student's name.

test_class_shares_one_account renders a class file per edition
(examples/class.yaml and examples/uam-2025-class.yaml, on the classic target,
with every student in one account; `stackgen plan` gives one plan per student
directory) and proves that the students' stacks can live in one AWS account:
applied side by side, each has no diff, passes check_stack and grades
full marks from its own state, and AWSGlueServiceRole is attached to every
crawler role; after one is
destroyed, the other two still do, and the destroyed one left nothing
behind. This is where colliding names or an exclusive policy attachment
(which detaches a managed policy from every other role) would show.

For uam-2021 the same deployment, between step 1 and step 2, is graded live
(`stackgen grade --live`, issue 20; live_grade.py): data through two
students' lakes (the real `stackgen replay`, and stand-ins for what moto does
not run), the third student with none; planted live faults; the grader
policy under moto's IAM enforcement. All of it is undone before step 2, whose
`plan` must still show no changes.

Both editions are covered the same way: the examples include one of each
(jk-12345 and the others are uam-2021, uam-2025-classic is uam-2025), and
awscheck reads the layout (which bucket and database hold each zone) from
the plan.

Each test has its own moto server (started with the account id of its
input, stopped at the end), so tests run in parallel under pytest-xdist.
"""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from . import awscheck, deploy, live_grade, tfcheck
from .motoserver import MotoServer


def fail_if(problems: list[str], timings: str = "") -> None:
    if problems:
        pytest.fail(
            "\n\n".join(problems) + (f"\n\n(timings: {timings})" if timings else ""),
            pytrace=False,
        )


@pytest.fixture
def moto_servers(tmp_path):
    """start(account_id) -> a fresh moto server for that account; all of
    them are stopped when the test ends."""
    started: list[MotoServer] = []

    def start(account_id: str) -> MotoServer:
        server = MotoServer.start(account_id, tmp_path / "moto")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def new_deployment(
    source: Path,
    plan: dict,
    workdir: Path,
    stackgen: Path,
    tools: tfcheck.Tools,
    server: MotoServer,
) -> deploy.Deployment:
    """Renders SOURCE (whose `stackgen plan` is PLAN) and prepares a copy
    of the stack to deploy into SERVER."""
    name = source.stem
    assert plan["spec"]["account_id"] == server.account_id, name
    rendered = workdir / "rendered"
    tfcheck.render(stackgen, source, rendered)
    return deploy.Deployment.prepare(
        name, rendered, workdir / "stack", plan, tools, server
    )


def aws_for(d: deploy.Deployment) -> awscheck.AWS:
    return awscheck.AWS(d.server.endpoint, d.plan["spec"]["region"])


def verify(d: deploy.Deployment) -> list[str]:
    """No diff after apply, and AWS matches the plan."""
    t = time.monotonic()
    problems = d.plan_no_changes()
    problems += awscheck.check_stack(aws_for(d), d.plan, d.dir)
    d.timings.steps["verify"] = d.timings.steps.get("verify", 0) + time.monotonic() - t
    return problems


def test_example_deploys(example, stackgen, tools, moto_servers, tmp_path):
    if example is None:
        pytest.fail("no example to deploy (see test_terraform.py)", pytrace=False)
    plan = tfcheck.stackgen_plan(stackgen, example)
    server = moto_servers(plan["spec"]["account_id"])
    d = new_deployment(example, plan, tmp_path, stackgen, tools, server)
    excluded = deploy.excluded_addresses(d.addresses)
    applied = d.applied_addresses
    assert applied, f"{example.name}: no resource to apply"

    fail_if(d.init())
    fail_if(d.apply(), str(d.timings))
    problems = verify(d)
    problems += d.grade_problems(stackgen, example, tmp_path / "grade")
    problems += awscheck.checks_can_fail(aws_for(d), d.plan, d.dir)
    problems += d.excluded_still_fail()
    problems += d.destroy()
    problems += awscheck.check_gone(aws_for(d), d.plan)
    print(
        f"{example.stem} ({plan['edition']}): applied and checked {len(applied)} of"
        f" {len(d.addresses)} resources (excluded: {', '.join(excluded) or 'none'});"
        f" {len(awscheck.applicable_mutations(plan))} mutations tried;"
        f" {d.timings}"
    )
    fail_if(problems, str(d.timings))


# The class of each edition, with everyone in one account: examples/class.yaml
# (uam-2021) gives one student an account of her own, and
# examples/uam-2025-class.yaml gives each student a Learner Lab account of
# their own on the modern target.
CLASS_EXAMPLES = {"uam-2021": "class.yaml", "uam-2025": "uam-2025-class.yaml"}


def write_class(path: Path, example: str) -> Path:
    """A class file of three or more students sharing one account: a copy
    of EXAMPLE without per-student account ids (the class's default account,
    else the first student's). A class for the modern target is moved to
    classic with the stack's own IAM, as examples/uam-2025-classic.yaml does
    for one student: the Learner Lab role and the modern target's runtime do
    not exist in moto with provider 3.39.0."""
    doc = yaml.safe_load((tfcheck.examples_dir() / example).read_text())
    defaults = doc.setdefault("defaults", {})
    if doc.get("target", defaults.get("target")) != "classic":
        doc["target"] = "classic"
        defaults.pop("target", None)
        defaults.setdefault("iam", {})["existing_role"] = None
    students = doc["students"]
    assert len(students) >= 3, f"{example} has fewer than 3 students"
    defaults.setdefault("account_id", students[0].get("account_id"))
    assert defaults["account_id"], f"{example} names no account"
    doc["students"] = [
        {k: v for k, v in student.items() if k != "account_id"} for student in students
    ]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return path


def render_class(stackgen: Path, class_file: Path, out: Path) -> None:
    """`stackgen render CLASS -o OUT`: one directory per student."""
    proc = subprocess.run(
        [str(stackgen), "render", str(class_file), "-o", str(out)],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=tfcheck.TIMEOUT_S,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"stackgen render {class_file.name} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}",
            pytrace=False,
        )


@pytest.mark.parametrize("edition", sorted(CLASS_EXAMPLES))
def test_class_shares_one_account(edition, stackgen, tools, moto_servers, tmp_path):
    class_file = write_class(tmp_path / "class.yaml", CLASS_EXAMPLES[edition])
    # {directory: plan} for a class file.
    plans = tfcheck.stackgen_plan(stackgen, class_file)
    accounts = {plan["spec"]["account_id"] for plan in plans.values()}
    assert len(plans) >= 3 and len(accounts) == 1, (sorted(plans), accounts)
    assert {plan["edition"] for plan in plans.values()} == {edition}, edition
    server = moto_servers(accounts.pop())
    rendered = tmp_path / "rendered"
    render_class(stackgen, class_file, rendered)
    stacks = [
        deploy.Deployment.prepare(
            directory,
            rendered / directory,
            tmp_path / "deploy" / directory,
            plan,
            tools,
            server,
        )
        for directory, plan in sorted(plans.items())
    ]
    aws = aws_for(stacks[0])
    glue_policy = stacks[0].plan["managed_glue_policy_arn"]

    def crawler_roles(ds):
        return sorted(d.plan["roles"]["crawler"]["name"] for d in ds)

    def each(fn, ds):
        """fn over the stacks at once (Terraform mostly waits on moto)."""
        with ThreadPoolExecutor(max_workers=len(ds)) as pool:
            return [p for problems in pool.map(fn, ds) for p in problems]

    for d in stacks:
        fail_if(d.init())
    # 1. All three applied side by side into one account; each student's
    # own state grades full marks (`grade CLASS --student DIR`).
    fail_if(each(lambda d: d.apply(), stacks))
    problems = each(verify, stacks)
    problems += each(
        lambda d: d.grade_problems(
            stackgen, class_file, tmp_path / "grade" / d.name, student=d.name
        ),
        stacks,
    )
    roles = awscheck.crawler_roles_with_managed_policy(aws, glue_policy)
    if roles != crawler_roles(stacks):
        problems.append(
            f"{glue_policy} is attached to {roles}, expected {crawler_roles(stacks)}"
        )
    fail_if(problems)

    # 1b. (uam-2021) The deployed class graded live; undone afterwards.
    if edition == "uam-2021":
        fail_if(live_grade.problems(stackgen, class_file, stacks, tmp_path / "live"))

    # 2. One student destroys; the other two are untouched.
    gone, rest = stacks[0], stacks[1:]
    problems = gone.destroy() + awscheck.check_gone(aws, gone.plan)
    problems += each(verify, rest)
    roles = awscheck.crawler_roles_with_managed_policy(aws, glue_policy)
    if roles != crawler_roles(rest):
        problems.append(
            f"after {gone.name}'s destroy, {glue_policy} is attached to {roles},"
            f" expected {crawler_roles(rest)}"
        )
    fail_if(problems)

    # 3. The others destroy too; nothing of anyone is left.
    problems = each(lambda d: d.destroy(), rest)
    for d in stacks:
        problems += awscheck.check_gone(aws, d.plan)
    roles = awscheck.crawler_roles_with_managed_policy(aws, glue_policy)
    if roles:
        problems.append(
            f"after every destroy, {glue_policy} is still attached to {roles}"
        )
    for d in stacks:
        print(f"{d.name}: {len(d.applied_addresses)} resources; {d.timings}")
    fail_if(problems)


CHECKPOINT_EXAMPLE = "jk-12345.yaml"


def render_into(stackgen: Path, spec: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(stackgen), "render", str(spec), "-o", str(out), "-q", *args],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=tfcheck.TIMEOUT_S,
    )


def test_checkpoints_apply_one_by_one(stackgen, tools, moto_servers, tmp_path):
    """One classic stack directory taken from exercise 1 to 5 on one moto
    server, as a student who fell behind catches up: `render --through N`
    into the directory that holds the state (the stream is created once, at
    N=1; each render adds the next exercise's parts under the write rules,
    keeping Terraform's files and the harness's override), `apply`, then
    `stackgen grade --through N` of the state gives full marks with 0
    unknown. Rendering fewer exercises beside that state is refused with
    the destroy-first advice (exit 2, nothing changed)."""
    spec = tfcheck.examples_dir() / CHECKPOINT_EXAMPLE
    plan = tfcheck.stackgen_plan(stackgen, spec)
    server = moto_servers(plan["spec"]["account_id"])
    stack = tmp_path / "stack"
    proc = render_into(stackgen, spec, stack, "--through", "1")
    assert proc.returncode == 0, proc.stderr
    # What the harness adds (stackgen carries both over, as not its own).
    (stack / deploy.OVERRIDE_FILE).write_text(deploy.override_tf(server.endpoint))
    layer = stack / plan["features"]["layer_zip"]
    layer.parent.mkdir(parents=True, exist_ok=True)
    layer.write_bytes(deploy.stub_layer_zip())
    d = deploy.Deployment(spec.stem, stack, plan, tools, server)
    fail_if(d.init())
    problems: list[str] = []
    for n in range(1, 6):
        if n > 1:
            proc = render_into(stackgen, spec, stack, "--through", str(n))
            assert proc.returncode == 0, f"render --through {n}: {proc.stderr}"
        fail_if(d.apply(), str(d.timings))
        problems += d.grade_problems(stackgen, spec, tmp_path / f"grade-{n}", through=n)
        if n == 3:
            # Beside state, going back is refused, and nothing changes.
            before = {p.name: p.read_bytes() for p in stack.glob("*.tf")}
            proc = render_into(stackgen, spec, stack, "--through", "2")
            if proc.returncode != 2 or "terraform -chdir=" not in proc.stderr:
                problems.append(
                    f"render --through 2 beside the state of --through 3 exited"
                    f" {proc.returncode}, expected 2 with the destroy command:\n{proc.stderr}"
                )
            if "keeps only exercises 1 to 2" not in proc.stderr:
                problems.append(f"the refusal does not say what it would drop:\n{proc.stderr}")
            after = {p.name: p.read_bytes() for p in stack.glob("*.tf")}
            if before != after:
                problems.append("a refused render changed the stack's files")
        print(f"--through {n}: {len(d.applied_addresses)} resources applied; {d.timings}")
    # The full stack is what the plan describes.
    problems += verify(d)
    problems += d.destroy()
    problems += awscheck.check_gone(aws_for(d), d.plan)
    fail_if(problems, str(d.timings))
