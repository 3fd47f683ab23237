"""BENCH=ci of scripts/bench.sh (issue 23): a class of STUDENTS classic
students (default 8) applied on moto server through the emitted GitHub
workflow under act at max_parallel PARALLEL (default 4), against the class
README's sequential loop, in the same run, each on a moto server of its
own. Prints a Markdown table.

Both sides run the same Terraform 0.14.6 (through the same recording
wrapper, tests/infra/test_ci_run.py's stand-in) with the same S3 backend
and lock on moto, and the same harness files (provider override, stub
layer zip). The loop is the `for` loop the class README prints, read from
the rendered README.md and run by bash in the class root (without
bootstrap/, whose bucket the harness creates, as it does for act).

    python scripts/bench_ci.py STACKGEN_BIN
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import boto3  # noqa: E402

from tests.infra import tfcheck  # noqa: E402
from tests.infra import test_ci_run as ci  # noqa: E402
from tests.infra.motoserver import MotoServer  # noqa: E402

STUDENTS = int(os.environ.get("STUDENTS", "8"))
PARALLEL = int(os.environ.get("PARALLEL", "4"))


def class_text() -> str:
    text = ci.CLASSIC.split("students:\n")[0].replace(
        f"max_parallel: {ci.MAX_PARALLEL}", f"max_parallel: {PARALLEL}"
    )
    return text + "students:\n" + "".join(
        f'  - {{ name: Student Number{i}, initials: sb, index_no: "{64000 + i}" }}\n'
        for i in range(STUDENTS)
    )


def bucket_and_table(server: MotoServer) -> None:
    s3 = boto3.client("s3", **server.boto3_env(ci.REGION))
    s3.create_bucket(Bucket=ci.BUCKET)
    boto3.client("dynamodb", **server.boto3_env(ci.REGION)).create_table(
        TableName=ci.TABLE,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def settings(tools, tmp: Path, server: MotoServer) -> dict[str, str]:
    backend = tmp / "moto.s3.tfbackend"
    backend.write_text(ci.classic_backend_config(server.endpoint))
    return {
        "STANDIN_TF_BIN": str(ci.standin_bin(tmp, ci.STANDIN_TF014)),
        "STANDIN_TF014": str(tools.tf014),
        "STANDIN_TF_LOG": str(tmp / "tf.log"),
        "TF_CLI_CONFIG_FILE": str(tools.tfrc_empty),
        "TF_PLUGIN_CACHE_DIR": str(tools.plugin_cache),
        "TF_CLI_ARGS_init": f"-plugin-dir={tools.mirror} -backend-config={backend}",
    }


def through_act(stackgen: Path, tools, tmp: Path) -> float:
    server = MotoServer.start(ci.ACCOUNT, tmp / "moto")
    try:
        root, _ = ci.prepare(stackgen, server, tmp, class_text(), True, students=STUDENTS)
        bucket_and_table(server)
        env = settings(tools, tmp, server)
        start = time.monotonic()
        rc, log = ci.run_act(root, tmp, "apply", tmp / "times.txt", env)
        wall = time.monotonic() - start
        if rc != 0 or log.count("Apply complete!") != STUDENTS:
            sys.exit(f"act failed (exit {rc}); log in {tmp}/act-apply.log")
        return wall
    finally:
        server.stop()


def readme_loop(root: Path) -> str:
    text = (root / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```sh\n(for dir in \*/; do\n.*?terraform apply -auto-approve.*?done\n)```", text, re.S)
    if not m:
        sys.exit("no apply loop in the class README")
    return m.group(1)


def sequential(stackgen: Path, tools, tmp: Path) -> float:
    server = MotoServer.start(ci.ACCOUNT, tmp / "moto")
    try:
        root, _ = ci.prepare(stackgen, server, tmp, class_text(), True, students=STUDENTS)
        shutil.rmtree(root / "bootstrap")
        bucket_and_table(server)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env.update(settings(tools, tmp, server))
        env.update(
            PATH=f"{env['STANDIN_TF_BIN']}:{env['PATH']}",
            STANDIN_TIMES=str(tmp / "times.txt"),
            CHECKPOINT_DISABLE="1",
            TF_IN_AUTOMATION="1",
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
        )
        start = time.monotonic()
        proc = subprocess.run(
            ["bash", "-c", readme_loop(root)], cwd=root, env=env,
            capture_output=True, text=True, check=False,
        )
        wall = time.monotonic() - start
        log = proc.stdout + proc.stderr
        (tmp / "loop.log").write_text(log)
        if "apply failed" in log or log.count("Apply complete!") != STUDENTS:
            sys.exit(f"the README's loop failed; log in {tmp}/loop.log")
        return wall
    finally:
        server.stop()


def main() -> None:
    stackgen = Path(sys.argv[1])
    tools = tfcheck.Tools.from_env()
    with tempfile.TemporaryDirectory() as work:
        act = through_act(stackgen, tools, Path(work) / "act")
        loop = sequential(stackgen, tools, Path(work) / "loop")
    print(f"| {STUDENTS} classic students applied on moto server | wall |")
    print("|---|---|")
    print(f"| the class README's sequential loop | {loop:.0f} s |")
    print(f"| the GitHub workflow under act, max_parallel {PARALLEL} | {act:.0f} s |")
    print(f"| loop / act | {loop / act:.1f}x (target: at least 3x) |")


if __name__ == "__main__":
    main()
