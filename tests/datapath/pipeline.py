"""The raw zone -> ETL -> processed zone step, on moto server and the real
awswrangler, shared by test_etl_on_moto.py and test_named_queries.py.

Two layouts of the lake (editions of the course):

- ONE_BUCKET (uam-2021, today's stacks): raw and processed zones in the
  stack's one bucket; the ETL function writes to the bucket the object came
  from.
- TWO_BUCKETS (uam-2025): the processed zone in a bucket of its own, which
  the function finds through the SSM parameter that
  PROCESSED_BUCKET_PARAMETER names (type String, value = the bucket's name).
  The stack declares the parameter; the test creates it in moto (and the
  buckets) as `terraform apply` would.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest

from infra.motoserver import MotoServer

from . import iam
from .lab import RawObject, Stack, firehose_objects

ONE_BUCKET = "one-bucket"
TWO_BUCKETS = "two-buckets"
ETL_HANDLER = "lambda_definition.etl_function"
DETECTOR_HANDLER = "anomaly_detector.handler"


@contextlib.contextmanager
def aws_env(server: MotoServer, region: str) -> Iterator[None]:
    """The process environment a Lambda function's SDK calls read, pointed at
    `server`: boto3 and awswrangler (which builds its clients through boto3)
    then reach moto and nothing else."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("AWS_"):
                mp.delenv(name)
        mp.setenv("AWS_ENDPOINT_URL", server.endpoint)
        mp.setenv("AWS_DEFAULT_REGION", region)
        mp.setenv("AWS_REGION", region)
        mp.setenv("AWS_ACCESS_KEY_ID", "test")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "test")
        # A default session made earlier in this process keeps the settings
        # it was made with; awswrangler uses it when there is one.
        mp.setattr(boto3, "DEFAULT_SESSION", None)
        yield


def client(server: MotoServer, service: str, region: str):
    return boto3.client(service, **server.boto3_env(region))


@dataclass(frozen=True)
class Layout:
    kind: str
    raw_bucket: str
    processed_bucket: str
    # SSM parameter naming the processed bucket (TWO_BUCKETS only).
    parameter: str | None
    # The ETL function's environment: the stack's, plus what the layout adds.
    env: dict[str, str]

    @property
    def processed_prefix(self) -> str:
        return self.env.get("PROCESSED_PREFIX") or "processed-zone/stockdata/"


def native_layout(stack: Stack) -> str:
    """The layout the stack itself has."""
    env = stack.environment(stack.function(ETL_HANDLER))
    return TWO_BUCKETS if env.get("PROCESSED_BUCKET_PARAMETER") else ONE_BUCKET


def layout(stack: Stack, kind: str) -> Layout:
    env = stack.environment(stack.function(ETL_HANDLER))
    raw_bucket = stack.bucket_of("raw_location")
    if kind == ONE_BUCKET:
        if env.get("PROCESSED_BUCKET_PARAMETER"):
            pytest.fail(
                f"{stack.example.name} sets PROCESSED_BUCKET_PARAMETER: it is a"
                f" {TWO_BUCKETS} stack",
                pytrace=False,
            )
        if stack.bucket_of("processed_location") != raw_bucket:
            pytest.fail(f"{stack.example.name}: the plan has two buckets", pytrace=False)
        return Layout(kind, raw_bucket, raw_bucket, None, env)
    if kind != TWO_BUCKETS:
        raise ValueError(f"unknown layout {kind!r}")
    name = env.get("PROCESSED_BUCKET_PARAMETER")
    if not name:
        pytest.fail(
            f"{stack.example.name} has no PROCESSED_BUCKET_PARAMETER: not a {TWO_BUCKETS} stack",
            pytrace=False,
        )
    declared = [p for p in stack.of_type("aws_ssm_parameter").values() if p.get("name") == name]
    if len(declared) != 1:
        pytest.fail(
            f"{stack.example.name}: PROCESSED_BUCKET_PARAMETER is {name!r},"
            f" declared by {len(declared)} aws_ssm_parameter",
            pytrace=False,
        )
    bucket = stack.resolve(str(declared[0]["value"]))
    if bucket != stack.bucket_of("processed_location"):
        pytest.fail(
            f"{stack.example.name}: the parameter holds {bucket!r}, the plan's"
            f" processed zone is {stack.plan['prefixes']['processed_location']!r}",
            pytrace=False,
        )
    return Layout(kind, raw_bucket, bucket, name, env)


def create_lake(server: MotoServer, stack: Stack, lake: Layout) -> None:
    """The buckets (and the parameter) the stack would have created."""
    s3 = client(server, "s3", stack.region)
    for bucket in sorted({lake.raw_bucket, lake.processed_bucket}):
        create_bucket(s3, bucket, stack.region)
    if lake.parameter:
        client(server, "ssm", stack.region).put_parameter(
            Name=lake.parameter, Type="String", Value=lake.processed_bucket
        )


def create_bucket(s3, bucket: str, region: str) -> None:
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def put_raw_objects(
    server: MotoServer, stack: Stack, lake: Layout, objects: list[RawObject]
) -> None:
    s3 = client(server, "s3", stack.region)
    for obj in objects:
        s3.put_object(Bucket=lake.raw_bucket, Key=obj.key, Body=obj.body)


def s3_notification(bucket: str, key: str, region: str, size: int) -> dict:
    """The event S3 sends the function for one new object. S3 URL-encodes
    the key in it (`year=2021` arrives as `year%3D2021`)."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": "2021-04-17T17:01:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "trigger_etl_lambda",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size},
                },
            }
        ]
    }


def run_etl(
    server: MotoServer, stack: Stack, lake: Layout, objects: list[RawObject], into: Path
) -> list[dict]:
    """Calls the stack's ETL handler (imported from its zip; one container
    for the whole run) with one S3 notification per object, as S3 does;
    returns what each call returned."""
    _, handler = stack.handler(stack.function(ETL_HANDLER), into)
    results = []
    with aws_env(server, stack.region), pytest.MonkeyPatch.context() as mp:
        for name, value in lake.env.items():
            mp.setenv(name, value)
        for obj in objects:
            event = s3_notification(lake.raw_bucket, obj.key, stack.region, len(obj.body))
            results.append(handler(event, None))
    return results


def list_keys(s3, bucket: str, prefix: str = "") -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents") or [])
    return sorted(keys)


def download(s3, bucket: str, prefix: str, dest: Path) -> list[Path]:
    """Copies every object under `prefix` to dest/<key>."""
    paths = []
    for key in list_keys(s3, bucket, prefix):
        path = dest / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        paths.append(path)
    return paths


# symbol=BTC_USD/year=2020/month=10/day=1/hour=0/<file>.snappy.parquet
PARTITION_DIR = re.compile(r"^((?:[a-z_]+=[^/]+/)+)([^/]+)$")


def partition_values(relative_key: str) -> tuple[list[tuple[str, str]], str] | None:
    """(name, value) pairs of a key's `name=value/` directories and the file
    name, or None when the key is not laid out that way."""
    m = PARTITION_DIR.match(relative_key)
    if not m:
        return None
    pairs = [tuple(part.split("=", 1)) for part in m.group(1).rstrip("/").split("/")]
    return pairs, m.group(2)


@dataclass
class EtlRun:
    """One run of the lab's trades through the ETL function, as
    `build_etl_run` left it on disk (see there)."""

    stack: Stack
    lake: Layout
    objects: list[RawObject]
    results: list[dict]  # what each handler call returned
    raw_keys: list[str]  # every key in the raw bucket afterwards
    processed_keys: list[str]  # every key in the processed bucket afterwards
    calls: list[iam.Call]  # the AWS calls the handler made
    raw_dir: Path  # the raw zone's objects, at <raw_dir>/<key>
    processed_dir: Path  # the processed zone's files, at <processed_dir>/<key>

    @property
    def files(self) -> dict[str, Path]:
        """The processed zone's files by key."""
        return {
            str(p.relative_to(self.processed_dir)): p
            for p in sorted(self.processed_dir.rglob("*"))
            if p.is_file()
        }


def build_etl_run(
    server_factory, stack: Stack, lake: Layout, trades: list[dict], into: Path
) -> None:
    """Runs the lab's trades through the stack's ETL handler on a fresh moto
    server and writes what the tests read into `into`: the handler's
    results, the AWS calls it made, both buckets' key listings, the raw
    zone's objects and the processed zone's files. Written once per pytest
    run (conftest.built_once) and read by test_etl_on_moto.py and
    test_named_queries.py alike."""
    objects = firehose_objects(trades, stack.plan)
    with server_factory(stack, into) as server:
        create_lake(server, stack, lake)
        put_raw_objects(server, stack, lake, objects)
        with iam.record_calls() as calls:
            results = run_etl(server, stack, lake, objects, into / "etl")
        s3 = client(server, "s3", stack.region)
        listing = {
            "raw_keys": list_keys(s3, lake.raw_bucket),
            "processed_keys": list_keys(s3, lake.processed_bucket),
        }
        raw_root = stack.plan["prefixes"]["raw_location"][len("s3://") :].split("/", 1)[1]
        download(s3, lake.raw_bucket, raw_root, into / "raw-bucket")
        download(s3, lake.processed_bucket, lake.processed_prefix, into / "processed-bucket")
    # Only the parameters that name what a call touched (no bodies).
    recorded = [
        [c.service, c.operation, {k: v for k, v in c.params.items() if isinstance(v, str)}]
        for c in calls
    ]
    (into / "run.json").write_text(json.dumps({"results": results, "calls": recorded, **listing}))


def load_etl_run(stack: Stack, lake: Layout, trades: list[dict], built: Path) -> EtlRun:
    saved = json.loads((built / "run.json").read_text())
    return EtlRun(
        stack,
        lake,
        firehose_objects(trades, stack.plan),
        saved["results"],
        saved["raw_keys"],
        saved["processed_keys"],
        [iam.Call(service, operation, params) for service, operation, params in saved["calls"]],
        built / "raw-bucket",
        built / "processed-bucket",
    )
