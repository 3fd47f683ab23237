"""Fixtures for the `stackgen replay` and `stackgen simulate` tests.

One moto server per test session (per xdist worker), reset before each test,
with the modern example's stream created afresh: the stream name, region and
account come from `stackgen plan`, as replay takes them from the spec.

Environment: STACKGEN_BIN (default <repo>/target/debug/stackgen);
STACKGEN_LAB_CSV (default <repo>/../shared/lab/crypto_trades_20201001.csv).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
# tests/ on sys.path: the moto server helper is tests/infra/motoserver.py.
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from infra.motoserver import MotoServer  # noqa: E402

SPEC = REPO / "examples" / "modern.yaml"


def stackgen_bin() -> Path:
    return Path(os.environ.get("STACKGEN_BIN", REPO / "target" / "debug" / "stackgen"))


def lab_csv() -> Path:
    default = REPO.parent / "shared" / "lab" / "crypto_trades_20201001.csv"
    return Path(os.environ.get("STACKGEN_LAB_CSV", default))


@dataclass
class Target:
    """The spec's stream on a fresh moto server, and how to reach it."""

    spec: Path
    stream: str
    region: str
    endpoint: str
    kinesis: object

    def env(self, endpoint: str | None = None) -> dict[str, str]:
        """What the stackgen process gets: dummy credentials and the
        endpoint, nothing from the developer's AWS setup."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=endpoint or self.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
        )
        return env

    def records(self) -> list[dict]:
        """Every record of the stream, shard by shard, in sequence order."""
        out = []
        shards = self.kinesis.list_shards(StreamName=self.stream)["Shards"]
        for shard in shards:
            it = self.kinesis.get_shard_iterator(
                StreamName=self.stream,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
            while it:
                page = self.kinesis.get_records(ShardIterator=it, Limit=10000)
                out.extend(page["Records"])
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
        return out


@pytest.fixture(scope="session")
def stackgen() -> Path:
    path = stackgen_bin()
    if not path.is_file():
        pytest.fail(f"no stackgen binary at {path}: run `cargo build`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def trades_csv() -> Path:
    path = lab_csv()
    if not path.is_file():
        pytest.fail(f"no lab CSV at {path}: set STACKGEN_LAB_CSV", pytrace=False)
    return path


@pytest.fixture(scope="session")
def plan(stackgen) -> dict:
    return json.loads(subprocess.check_output([str(stackgen), "plan", str(SPEC)]))


@pytest.fixture(scope="session")
def moto(tmp_path_factory, plan):
    server = MotoServer.start(plan["spec"]["account_id"], tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


@pytest.fixture
def target(moto, plan) -> Target:
    req = urllib.request.Request(f"{moto.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(req, timeout=10).close()
    g = plan["generator"]
    kinesis = boto3.client("kinesis", **moto.boto3_env(g["region"]))
    kinesis.create_stream(StreamName=g["stream_name"], ShardCount=1)
    return Target(SPEC, g["stream_name"], g["region"], moto.endpoint, kinesis)
