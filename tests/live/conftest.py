"""Fixtures of the `stackgen status` / `sweep` and stack reaper tests.

Each test module gets its own moto server (module scope; under
pytest-xdist one per module and worker), answering as the class's account.
The students' resources are made with boto3 exactly as their stacks define
them: every name, tag and shard count comes from `stackgen plan`, never
retyped here.

Environment: STACKGEN_BIN (default <repo>/target/debug/stackgen).
"""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# tests/ on sys.path: the moto server helper is tests/infra/motoserver.py.
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from infra.motoserver import MotoServer  # noqa: E402

# The class every test here starts from: one account, us-east-1, stacks
# that expire after 12 hours.
CLASS_EXAMPLE = REPO / "examples" / "expiring-class.yaml"
# The exit codes of `status` and `sweep` (src/main.rs).
EXIT_OK, EXIT_UNCHECKED, EXIT_INVALID, EXIT_BILLING = 0, 1, 2, 5


def stackgen_bin() -> Path:
    return Path(os.environ.get("STACKGEN_BIN", REPO / "target" / "debug" / "stackgen"))


@pytest.fixture(scope="session")
def stackgen() -> Path:
    path = stackgen_bin()
    if not path.is_file():
        pytest.fail(
            f"no stackgen binary at {path}: run `cargo build`, or set STACKGEN_BIN",
            pytrace=False,
        )
    return path


def class_file(path: Path, students: list[dict], **defaults) -> Path:
    """A copy of the expiring class example for the classic target, with
    these students and extra defaults, written to PATH."""
    doc = yaml.safe_load(CLASS_EXAMPLE.read_text())
    doc["target"] = "classic"
    doc["students"] = students
    doc["defaults"].update(copy.deepcopy(defaults))
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return path


def plan(stackgen: Path, spec: Path) -> dict:
    """`stackgen plan` of a class: {directory: stack}."""
    out = subprocess.run(
        [str(stackgen), "plan", "-q", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@dataclass
class Moto:
    """A moto server and boto3 clients on it."""

    server: MotoServer

    def client(self, service: str, region: str):
        return boto3.client(service, **self.server.boto3_env(region))

    def env(self, now: str | None = None) -> dict[str, str]:
        """What a stackgen process gets: dummy credentials and the
        endpoint, nothing from the developer's AWS setup; the clock when
        given."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AWS_") and k != "STACKGEN_NOW"
        }
        env.update(
            AWS_ENDPOINT_URL=self.server.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
        )
        if now is not None:
            env["STACKGEN_NOW"] = now
        return env

    def create_stream(self, stack: dict, region: str | None = None, tags: dict | None = None) -> str:
        """The stack's stream as the stack defines it: its name, shard
        count and tags (the plan's), in its region unless REGION is given;
        TAGS instead of the stack's when given ({} for none)."""
        name = stack["names"]["stream"]
        kinesis = self.client("kinesis", region or stack["spec"]["region"])
        kinesis.create_stream(
            StreamName=name, ShardCount=stack["spec"]["stream"]["shard_count"]
        )
        chosen = stack["tags"] if tags is None else tags
        if chosen:
            kinesis.add_tags_to_stream(StreamName=name, Tags=chosen)
        return name

    def created(self, stack: dict, region: str | None = None) -> datetime:
        """The stream's creation time, as Kinesis reports it."""
        kinesis = self.client("kinesis", region or stack["spec"]["region"])
        summary = kinesis.describe_stream_summary(StreamName=stack["names"]["stream"])
        return summary["StreamDescriptionSummary"]["StreamCreationTimestamp"]

    def exists(self, name: str, region: str) -> bool:
        names = self.client("kinesis", region).list_streams(Limit=1000)["StreamNames"]
        return name in names

    def listing(self, regions: list[str]) -> dict:
        """Everything the account holds in the services these tests use:
        every Kinesis stream of REGIONS with its ARN, state, shards,
        retention and tags, and every S3 bucket with each object's ETag.
        (moto's own /moto-api/data.json is no listing: it keeps every
        object it ever made, deleted ones included.)"""
        found: dict = {}
        for region in regions:
            kinesis = self.client("kinesis", region)
            names = kinesis.list_streams(Limit=1000)
            assert not names["HasMoreStreams"]
            for name in names["StreamNames"]:
                s = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                tags = kinesis.list_tags_for_stream(StreamName=name)["Tags"]
                found[f"kinesis {region} {name}"] = (
                    s["StreamARN"],
                    s["StreamStatus"],
                    s["OpenShardCount"],
                    s["RetentionPeriodHours"],
                    sorted((t["Key"], t.get("Value")) for t in tags),
                )
        s3 = self.client("s3", regions[0])
        for bucket in s3.list_buckets().get("Buckets") or []:
            objects = s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents") or []
            found[f"s3 {bucket['Name']}"] = sorted((o["Key"], o["ETag"]) for o in objects)
        return found


@pytest.fixture(scope="module")
def moto(tmp_path_factory) -> Moto:
    """A moto server answering as the class example's account."""
    account = yaml.safe_load(CLASS_EXAMPLE.read_text())["defaults"]["account_id"]
    server = MotoServer.start(account, tmp_path_factory.mktemp("moto"))
    try:
        yield Moto(server)
    finally:
        server.stop()


def run(stackgen: Path, moto: Moto, *args: str, now: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(stackgen), *args],
        capture_output=True,
        text=True,
        env=moto.env(now),
        check=False,
        timeout=120,
    )


def rfc3339(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_second(t: datetime) -> datetime:
    """The first whole second at or after T."""
    whole = t.replace(microsecond=0)
    return whole if whole == t else whole + timedelta(seconds=1)


def whole_seconds(start: datetime, end: datetime) -> int:
    return math.floor((end - start).total_seconds())
