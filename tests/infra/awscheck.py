"""Compares what is deployed in AWS (moto) with what stackgen planned.

`check_stack(aws, plan, stack)` reads every applied resource back through
the AWS APIs (boto3) and compares it with `stackgen plan`'s JSON for the same
input: names, ARNs, settings (defaults included), prefixes, IAM documents,
table parameters. `check_gone(aws, plan)` lists the account's resources and
reports any that still carries the student's name suffix.

Both return a list of problems (empty when all is well), so that a test
reports every difference at once.

Both editions' layouts are read from the plan, never assumed: `zones` says
which bucket and which Glue database hold the raw zone, the processed zone
and Athena's results (uam-2021: one bucket and one database for all;
uam-2025: three buckets and two databases), and `parts` says which
Terraform resource is each bucket and what every named resource is (the
inventory). The SSM parameter of uam-2025 (`names.etl_parameter`) is checked
where the plan has one.

A few expected values are not in the plan JSON because they are fixed by
the stack for every student; they are named constants here (the tags'
Purpose, the stream's shard-level metrics, the handlers). The processed
table's columns are compared with what the deployed ETL function writes: its
source, read from the zip that was uploaded.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import re
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

import boto3
import botocore.config
import botocore.exceptions
import hcl2

PURPOSE_TAG = "UAM Cloud Data Processing"
SHARD_LEVEL_METRICS = {
    "IncomingBytes",
    "OutgoingBytes",
    "IncomingRecords",
    "OutgoingRecords",
}
# The functions' handlers (the handout's names) and the zips stackgen packs
# them into; the check also finds each handler's function in its zip.
ETL_HANDLER = "lambda_definition.etl_function"
ALERT_HANDLER = "alert_function.handler"
ETL_ZIP = "lambda/etl_function.zip"
ALERT_ZIP = "lambda/alert_function.zip"
# The stack reaper (`expire_after_hours`): its handler, zip, settings and
# schedule, as common/reaper.tf.j2 and stack::parts write them.
REAPER_HANDLER = "stack_reaper.handler"
REAPER_ZIP = "lambda/stack_reaper.zip"
REAPER_TIMEOUT_S = 30
REAPER_MEMORY_MB = 128
REAPER_SCHEDULE = "rate(15 minutes)"
REAPER_INVOKE_SID = "AllowExecutionFromEventBridge"
S3_INVOKE_SID = "AllowExecutionFromS3Bucket"
FIREHOSE_LOG_STREAM = "S3Delivery"
# The id of the lifecycle rule that expires Athena's results (its prefix and
# days are the plan's).
RESULTS_EXPIRY_RULE_ID = "expire-athena-results"
# The zones a stack's buckets and Glue databases hold (plan `zones`).
ZONES = ("raw", "processed", "results")
DATABASE_ZONES = ("raw", "processed")
# How `remaining` lists each kind of named resource of the plan's parts;
# kinds not here have no listing of their own (inline IAM policies, the
# crawler's table prefix, Glue tables, whose names carry no student) or no API
# in moto (the Kinesis Analytics application, see deploy.EXCLUDED).
LISTED_KINDS = {
    "S3Bucket": "bucket",
    "KinesisStream": "stream",
    "Firehose": "Firehose",
    "GlueDatabase": "Glue database",
    "GlueCrawler": "Glue crawler",
    "LambdaFunction": "Lambda function",
    "LambdaLayer": "Lambda layer",
    "IamRole": "IAM role",
    "LogGroup": "log group",
    "AthenaWorkgroup": "Athena workgroup",
    "SsmParameter": "SSM parameter",
    "EventRule": "EventBridge rule",
}

# Fail fast: moto answers at once, and an operation it lacks answers 500,
# which the default retry policy would repeat for a long time.
_CONFIG = botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"})


class AWS:
    """boto3 clients for one moto server and region."""

    def __init__(self, endpoint: str, region: str):
        self._session = boto3.session.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name=region,
        )
        self._endpoint = endpoint
        self._clients: dict[str, Any] = {}

    @property
    def lambda_(self) -> Any:
        return self.__getattr__("lambda")  # `aws.lambda` is not Python

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint, config=_CONFIG
            )
        return self._clients[service]


# --- what the plan implies ------------------------------------------------------


@dataclass
class Expect:
    """The plan JSON, with the derived values the checks need."""

    plan: dict

    @property
    def spec(self) -> dict:
        return self.plan["spec"]

    @property
    def names(self) -> dict:
        return self.plan["names"]

    @property
    def region(self) -> str:
        return self.spec["region"]

    @property
    def account(self) -> str:
        return self.spec["account_id"]

    @property
    def partition(self) -> str:
        return self.plan["partition"]

    @property
    def features(self) -> dict:
        """What the stack has, resolved by stackgen (target, runtime, layer
        zip, which optional parts of exercise 5 are there)."""
        return self.plan["features"]

    def has(self, feature: str) -> bool:
        """Whether the stack has an optional part (`alerts_firehose`,
        `alert_lambda`, `sql_analytics`)."""
        return bool(self.features[feature])

    def tags(self) -> dict:
        student = self.spec["student"]
        return {
            "Purpose": PURPOSE_TAG,
            "Environment": self.spec["environment"].upper(),
            "Owner": student["name"],
            "Student": f"{student['initials']}-{student['index_no']}",
        }

    def role_arn(self, key: str) -> str:
        name = self.plan["roles"][key]["name"]
        return f"arn:{self.partition}:iam::{self.account}:role/{name}"

    def function_arn(self, name: str) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{name}"
        )

    def firehose_arn(self, name: str) -> str:
        return (
            f"arn:{self.partition}:firehose:{self.region}:{self.account}"
            f":deliverystream/{name}"
        )

    def log_groups(self) -> list[str]:
        """Every log group the parts name."""
        return [name for kind, name in self.named() if kind == "LogGroup"]

    @property
    def zones(self) -> dict:
        return self.plan["zones"]

    def has_part(self, part_id: str) -> bool:
        return any(part["id"] == part_id for part in self.plan["parts"])

    def part(self, part_id: str) -> dict:
        for part in self.plan["parts"]:
            if part["id"] == part_id:
                return part
        raise KeyError(f"no part {part_id!r} in the plan")

    def named(self) -> list[tuple[str, str]]:
        """(kind, name) of every resource the parts name, in plan order."""
        return [
            (n["kind"], n["value"])
            for part in self.plan["parts"]
            for n in part["names"].values()
        ]

    def buckets(self) -> list[Bucket]:
        """The stack's buckets, each once, with the zones it holds."""
        found: dict[str, Bucket] = {}
        for zone in ZONES:
            name = self.zones[f"{zone}_bucket_name"]
            part_id = self.zones[f"{zone}_bucket"]
            if name not in found:
                found[name] = Bucket(
                    name, part_id, self.part(part_id)["addresses"]["bucket"], ()
                )
            b = found[name]
            found[name] = Bucket(b.name, b.part, b.address, (*b.zones, zone))
        return list(found.values())

    def databases(self) -> list[str]:
        """The stack's Glue databases, each once (raw zone's first)."""
        return list(
            dict.fromkeys(self.zones[f"{z}_database_name"] for z in DATABASE_ZONES)
        )

    def managed_policies(self) -> dict[str, list[str]]:
        """{role name: the managed policy ARNs its part attaches}."""
        return {
            part["role"]["name"]: [arn for _, arn in part["role"]["managed"]]
            for part in self.plan["parts"]
            if part.get("role")
        }

    def parameter(self) -> str | None:
        """The SSM parameter holding the processed bucket's name (uam-2025),
        or None when the edition has none."""
        return self.names.get("etl_parameter")

    def etl_environment(self) -> dict:
        """The ETL function's environment variables."""
        env = {
            "RAW_PREFIX": self.plan["prefixes"]["raw"],
            "PROCESSED_PREFIX": self.plan["prefixes"]["processed_data"],
        }
        if self.parameter() is not None:
            env["PROCESSED_BUCKET_PARAMETER"] = self.parameter()
        return env

    def suffix_pattern(self) -> re.Pattern:
        """The student's name suffix, in its `-` and `_` forms, as a whole
        word: jk-12345 must not match jk-123456."""
        dash = self.names["suffix"]
        forms = {dash, dash.replace("-", "_")}
        alternatives = "|".join(re.escape(f) for f in sorted(forms))
        return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Bucket:
    """One bucket of the stack: its name, the part that holds it, its
    Terraform address (`aws_s3_bucket.x`) and the zones it holds."""

    name: str
    part: str
    address: str
    zones: tuple[str, ...]


# --- helpers ------------------------------------------------------------------------


@dataclass
class Problems:
    prefix: str
    items: list[str] = field(default_factory=list)

    def eq(self, what: str, actual: Any, expected: Any) -> bool:
        if actual != expected:
            self.items.append(
                f"{self.prefix}: {what}: AWS has {actual!r}, expected {expected!r}"
            )
            return False
        return True

    def add(self, message: str) -> None:
        self.items.append(f"{self.prefix}: {message}")

    def call(self, what: str, fn, **kwargs) -> Any:
        """fn(**kwargs), or None and a problem if AWS answers an error."""
        try:
            response = fn(**kwargs)
        except botocore.exceptions.ClientError as e:
            self.add(f"{what}: {e}")
            return None
        response.pop("ResponseMetadata", None)
        return response


def document(value: Any) -> Any:
    """An IAM/resource policy as a parsed JSON document, whatever form AWS
    returns it in: already parsed, a JSON string, or a URL-encoded one."""
    if isinstance(value, (dict, list)):
        return value
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return json.loads(urllib.parse.unquote(value))


def tag_dict(tags: Any) -> dict:
    """Tags as {key: value}, from AWS's list of {Key, Value} or a dict."""
    if isinstance(tags, dict):
        return dict(tags)
    return {t["Key"]: t["Value"] for t in tags or []}


def zip_module(
    stack: Path, zip_rel: str, handler: str
) -> tuple[str, ast.Module | None]:
    """(sha256 as Lambda reports it, parsed module named by HANDLER) of a
    function zip in the stack."""
    data = (stack / zip_rel).read_bytes()
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    module_file = handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
    with zipfile.ZipFile(stack / zip_rel) as z:
        if module_file not in z.namelist():
            return sha, None
        return sha, ast.parse(z.read(module_file).decode())


def module_defines(module: ast.Module, function: str) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name == function
        for node in module.body
    )


def module_constant(module: ast.Module, name: str) -> Any:
    for node in module.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == name:
                return ast.literal_eval(node.value)
    raise KeyError(name)


def env_names_read(module: ast.Module) -> set[str]:
    """The environment variables a module reads: the string passed to
    `os.environ.get(...)`, `os.getenv(...)` or `os.environ[...]`."""
    found = set()
    for node in ast.walk(module):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else None
            on_environ = (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "environ"
            )
            if (called == "get" and on_environ) or called == "getenv":
                key = node.args[0]
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
        ):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.add(key.value)
    return found


def _hcl(value: Any) -> Any:
    """A python-hcl2 value as Terraform means it: hcl2 8.x keeps a string
    literal's quotes."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _tf_resources(path: Path) -> dict[str, dict]:
    """{address: body} of every resource in one rendered file."""
    found = {}
    for resource in hcl2.loads(path.read_text()).get("resource") or []:
        for rtype, named in resource.items():
            for rname, body in named.items():
                found[f"{_hcl(rtype)}.{_hcl(rname)}"] = body
    return found


_TF_CACHE: dict[Path, dict[str, dict]] = {}


def tf_resource(stack: Path, file: str, address: str) -> dict | None:
    """The body of resource ADDRESS in the stack's FILE (parsed once per
    file: the mutations run the checks some thirty times)."""
    path = (stack / file).resolve()
    if path not in _TF_CACHE:
        _TF_CACHE[path] = _tf_resources(path)
    return _TF_CACHE[path].get(address)


def _first(blocks: Any) -> dict:
    return blocks[0] if isinstance(blocks, list) and blocks else {}


def tf_lifecycle_rules(body: dict) -> list[dict]:
    """A bucket's lifecycle_rule blocks, in the form lifecycle_rule() gives
    for AWS's answer."""
    rules = []
    for r in body.get("lifecycle_rule") or []:
        rules.append(
            {
                "id": _hcl(r.get("id")),
                "prefix": _hcl(r.get("prefix")) or "",
                "enabled": r.get("enabled") is True,
                "expire_days": _first(r.get("expiration")).get("days"),
                "abort_days": r.get("abort_incomplete_multipart_upload_days"),
            }
        )
    return rules


def lifecycle_rule(r: dict) -> dict:
    """One rule of GetBucketLifecycleConfiguration, in a comparable form."""
    return {
        "id": r.get("ID"),
        "prefix": r.get("Prefix", (r.get("Filter") or {}).get("Prefix")) or "",
        "enabled": r.get("Status") == "Enabled",
        "expire_days": (r.get("Expiration") or {}).get("Days"),
        "abort_days": (r.get("AbortIncompleteMultipartUpload") or {}).get(
            "DaysAfterInitiation"
        ),
    }


# --- the checks ---------------------------------------------------------------------


def check_stack(aws: AWS, plan: dict, stack: Path) -> list[str]:
    """Every applied resource of the stack, against the plan."""
    e = Expect(plan)
    p = Problems(e.names["suffix"])
    for check in CHECKS:
        check(aws, e, p, stack)
    return p.items


def check_buckets(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """Every bucket of the plan's zones: region, tags, default encryption
    and lifecycle rules (the results bucket's expiry from the plan, the
    rest as s3.tf has them: stack constants the plan does not carry), public
    access block. And no other bucket with the student's name."""
    for bucket in e.buckets():
        _check_bucket(aws, e, p, stack, bucket)
    pattern = e.suffix_pattern()
    p.eq(
        "buckets with the student's name",
        sorted(
            b["Name"]
            for b in aws.s3.list_buckets().get("Buckets") or []
            if pattern.search(b["Name"])
        ),
        sorted(b.name for b in e.buckets()),
    )


def _check_bucket(aws: AWS, e: Expect, p: Problems, stack: Path, b: Bucket) -> None:
    what = f"bucket {b.name} ({'/'.join(b.zones)})"
    if p.call(what, aws.s3.head_bucket, Bucket=b.name) is None:
        return
    body = tf_resource(stack, "s3.tf", b.address)
    if body is None:
        p.add(f"{what}: s3.tf has no {b.address} (part {b.part})")
        body = {}
    loc = p.call(f"{what} location", aws.s3.get_bucket_location, Bucket=b.name)
    if loc is not None:
        # us-east-1 is reported as no constraint.
        p.eq(f"{what} region", loc.get("LocationConstraint") or "us-east-1", e.region)
    tags = p.call(f"{what} tags", aws.s3.get_bucket_tagging, Bucket=b.name)
    if tags is not None:
        p.eq(f"{what} tags", tag_dict(tags["TagSet"]), e.tags())
    enc = p.call(f"{what} encryption", aws.s3.get_bucket_encryption, Bucket=b.name)
    if enc is not None:
        sse = _first(body.get("server_side_encryption_configuration"))
        rule = _first(sse.get("rule"))
        by_default = _first(rule.get("apply_server_side_encryption_by_default"))
        p.eq(
            f"{what} default encryption (as in s3.tf)",
            [
                (
                    r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                    r.get("BucketKeyEnabled", False),
                )
                for r in enc["ServerSideEncryptionConfiguration"]["Rules"]
            ],
            [
                (
                    _hcl(by_default.get("sse_algorithm")),
                    rule.get("bucket_key_enabled") is True,
                )
            ],
        )
    expected = [r for r in tf_lifecycle_rules(body) if r["expire_days"] is None]
    if "results" in b.zones:
        expected.append(
            {
                "id": RESULTS_EXPIRY_RULE_ID,
                "prefix": e.plan["prefixes"]["athena_output"],
                "enabled": True,
                "expire_days": e.spec["athena"]["results_expire_days"],
                "abort_days": None,
            }
        )
    lc = p.call(
        f"{what} lifecycle", aws.s3.get_bucket_lifecycle_configuration, Bucket=b.name
    )
    if lc is not None:
        p.eq(
            f"{what} lifecycle rules",
            sorted((lifecycle_rule(r) for r in lc["Rules"]), key=lambda r: r["id"]),
            sorted(expected, key=lambda r: r["id"]),
        )
    pab = p.call(
        f"{what} public access block", aws.s3.get_public_access_block, Bucket=b.name
    )
    if pab is not None:
        p.eq(
            f"{what} public access block",
            pab["PublicAccessBlockConfiguration"],
            {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        )


def check_stream(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    name = e.names["stream"]
    got = p.call(f"stream {name}", aws.kinesis.describe_stream_summary, StreamName=name)
    if got is None:
        return
    s = got["StreamDescriptionSummary"]
    p.eq("stream ARN", s["StreamARN"], e.plan["arns"]["stream"])
    p.eq("stream status", s["StreamStatus"], "ACTIVE")
    p.eq("stream open shards", s["OpenShardCount"], e.spec["stream"]["shard_count"])
    p.eq(
        "stream retention (hours)",
        s["RetentionPeriodHours"],
        e.spec["stream"]["retention_hours"],
    )
    metrics = set()
    for m in s.get("EnhancedMonitoring") or []:
        metrics.update(m.get("ShardLevelMetrics") or [])
    p.eq("stream shard-level metrics", sorted(metrics), sorted(SHARD_LEVEL_METRICS))
    p.eq(
        "stream encryption",
        (s.get("EncryptionType"), s.get("KeyId")),
        ("KMS", "alias/aws/kinesis"),
    )
    tags = p.call("stream tags", aws.kinesis.list_tags_for_stream, StreamName=name)
    if tags is not None:
        p.eq("stream tags", tag_dict(tags["Tags"]), e.tags())
        # The plan's `tags` are what `stackgen status` and `sweep` require a
        # stream to carry (stack::tags): they must be what Terraform applied.
        p.eq("stream tags (vs the plan's tags)", tag_dict(tags["Tags"]), e.plan["tags"])


def _check_firehose(
    aws: AWS,
    e: Expect,
    p: Problems,
    *,
    name: str,
    role_key: str,
    source_stream: str | None,
    prefix: str,
    error_prefix: str,
    log_group: str,
) -> None:
    got = p.call(
        f"Firehose {name}",
        aws.firehose.describe_delivery_stream,
        DeliveryStreamName=name,
    )
    if got is None:
        return
    d = got["DeliveryStreamDescription"]
    what = f"Firehose {name}"
    p.eq(f"{what} ARN", d["DeliveryStreamARN"], e.firehose_arn(name))
    p.eq(f"{what} status", d["DeliveryStreamStatus"], "ACTIVE")
    role = e.role_arn(role_key)
    if source_stream:
        p.eq(f"{what} type", d["DeliveryStreamType"], "KinesisStreamAsSource")
        src = (d.get("Source") or {}).get("KinesisStreamSourceDescription") or {}
        p.eq(f"{what} source stream", src.get("KinesisStreamARN"), source_stream)
        p.eq(f"{what} source role", src.get("RoleARN"), role)
    else:
        p.eq(f"{what} type", d["DeliveryStreamType"], "DirectPut")
    if not p.eq(f"{what} destinations", len(d["Destinations"]), 1):
        return
    s3 = d["Destinations"][0].get("ExtendedS3DestinationDescription")
    if s3 is None:
        p.add(f"{what}: no extended S3 destination")
        return
    p.eq(f"{what} bucket", s3["BucketARN"], e.plan["arns"]["bucket"])
    p.eq(f"{what} role", s3["RoleARN"], role)
    p.eq(f"{what} prefix", s3.get("Prefix"), prefix)
    p.eq(f"{what} error output prefix", s3.get("ErrorOutputPrefix"), error_prefix)
    p.eq(
        f"{what} buffering",
        s3["BufferingHints"],
        {
            "SizeInMBs": e.spec["firehose"]["buffer_size_mb"],
            "IntervalInSeconds": e.spec["firehose"]["buffer_interval_s"],
        },
    )
    p.eq(
        f"{what} logging",
        s3.get("CloudWatchLoggingOptions"),
        {
            "Enabled": True,
            "LogGroupName": log_group,
            "LogStreamName": FIREHOSE_LOG_STREAM,
        },
    )
    tags = p.call(
        f"{what} tags",
        aws.firehose.list_tags_for_delivery_stream,
        DeliveryStreamName=name,
    )
    if tags is not None:
        p.eq(f"{what} tags", tag_dict(tags["Tags"]), e.tags())


def check_firehoses(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    prefixes = e.plan["prefixes"]
    _check_firehose(
        aws,
        e,
        p,
        name=e.names["firehose"],
        role_key="firehose",
        source_stream=e.plan["arns"]["stream"],
        prefix=prefixes["raw_data"],
        error_prefix=prefixes["raw_errors"],
        log_group=e.names["firehose_log_group"],
    )
    if e.has("alerts_firehose"):
        _check_firehose(
            aws,
            e,
            p,
            name=e.names["alerts_firehose"],
            role_key="alerts_firehose",
            source_stream=None,
            prefix=prefixes["alerts_data"],
            error_prefix=prefixes["alerts_errors"],
            log_group=e.names["alerts_firehose_log_group"],
        )


def check_glue(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """The zones' databases (the processed table in the processed zone's,
    no other table in any: the crawler has not run), the crawler (writing to
    the raw zone's database), the processed table (in the processed bucket).
    And no other database with the student's name."""
    n = e.names
    raw_db = e.zones["raw_database_name"]
    processed_db = e.zones["processed_database_name"]
    for name in e.databases():
        what = f"Glue database {name}"
        db = p.call(what, aws.glue.get_database, Name=name)
        if db is None:
            continue
        p.eq(f"{what} catalog", db["Database"].get("CatalogId"), e.account)
        tables = p.call(f"{what} tables", aws.glue.get_tables, DatabaseName=name)
        if tables is not None:
            p.eq(
                f"{what} tables",
                sorted(t["Name"] for t in tables["TableList"]),
                [n["processed_table"]] if name == processed_db else [],
            )
    pattern = e.suffix_pattern()
    p.eq(
        "Glue databases with the student's name",
        sorted(
            d["Name"]
            for d in aws.glue.get_databases()["DatabaseList"]
            if pattern.search(d["Name"])
        ),
        sorted(e.databases()),
    )

    got = p.call(
        f"Glue crawler {n['crawler']}", aws.glue.get_crawler, Name=n["crawler"]
    )
    if got is not None:
        c = got["Crawler"]
        p.eq("crawler database (the raw zone's)", c.get("DatabaseName"), raw_db)
        p.eq("crawler role", c.get("Role"), e.role_arn("crawler"))
        p.eq("crawler table prefix", c.get("TablePrefix"), n["crawler_table_prefix"])
        targets = c.get("Targets") or {}
        p.eq(
            "crawler S3 target paths",
            [t["Path"] for t in targets.get("S3Targets") or []],
            [e.plan["prefixes"]["raw_location"]],
        )
        others = {k: v for k, v in targets.items() if k != "S3Targets" and v}
        if others:
            p.add(f"crawler has other targets: {others}")
        crawler_arn = (
            f"arn:{e.partition}:glue:{e.region}:{e.account}:crawler/{n['crawler']}"
        )
        tags = p.call("crawler tags", aws.glue.get_tags, ResourceArn=crawler_arn)
        if tags is not None:
            p.eq("crawler tags", tag_dict(tags["Tags"]), e.tags())

    got = p.call(
        f"Glue table {n['processed_table']} in {processed_db}",
        aws.glue.get_table,
        DatabaseName=processed_db,
        Name=n["processed_table"],
    )
    if got is None:
        return
    t = got["Table"]
    sd = t.get("StorageDescriptor") or {}
    params = e.plan["processed_table_parameters"]
    p.eq("processed table database", t.get("DatabaseName"), processed_db)
    p.eq("processed table type", t.get("TableType"), "EXTERNAL_TABLE")
    p.eq(
        "processed table location",
        sd.get("Location"),
        e.plan["prefixes"]["processed_location"],
    )
    processed_bucket = e.zones["processed_bucket_name"]
    if not (sd.get("Location") or "").startswith(f"s3://{processed_bucket}/"):
        p.add(
            f"processed table location {sd.get('Location')!r} is not in the"
            f" processed zone's bucket {processed_bucket}"
        )
    p.eq("processed table parameters", t.get("Parameters"), params)
    p.eq(
        "processed table SerDe",
        (sd.get("SerdeInfo") or {}).get("SerializationLibrary"),
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    )

    # Partition keys: the projected keys, in the order of the location
    # template; `enum` projections are strings, `integer` ones ints.
    template_keys = re.findall(
        r"(\w+)=\$\{(\w+)\}", params["storage.location.template"]
    )
    projected = {
        key: {"enum": "string", "integer": "int"}.get(
            params.get(f"projection.{key}.type")
        )
        for _, key in template_keys
    }
    p.eq(
        "processed table partition keys",
        [(k["Name"], k["Type"]) for k in t.get("PartitionKeys") or []],
        list(projected.items()),
    )

    # Columns: what the deployed ETL function writes, from its source.
    _, module = zip_module(stack, ETL_ZIP, ETL_HANDLER)
    if module is None:
        p.add(f"{ETL_ZIP} has no module for handler {ETL_HANDLER}")
        return
    columns = module_constant(module, "DATA_COLUMNS")
    dtypes = module_constant(module, "PARQUET_DTYPES")
    p.eq(
        "processed table columns (vs the ETL function's DATA_COLUMNS/PARQUET_DTYPES)",
        [(c["Name"], c["Type"]) for c in sd.get("Columns") or []],
        [(c, dtypes[c]) for c in columns],
    )
    p.eq(
        "processed table partition keys (vs the ETL function's PARTITION_COLUMNS)",
        [k["Name"] for k in t.get("PartitionKeys") or []],
        module_constant(module, "PARTITION_COLUMNS"),
    )


def _check_function(
    aws: AWS,
    e: Expect,
    p: Problems,
    stack: Path,
    *,
    name: str,
    handler: str,
    zip_rel: str,
    role_key: str,
) -> dict | None:
    got = p.call(f"Lambda {name}", aws.lambda_.get_function, FunctionName=name)
    if got is None:
        return None
    c = got["Configuration"]
    what = f"Lambda {name}"
    p.eq(f"{what} ARN", c["FunctionArn"], e.function_arn(name))
    p.eq(f"{what} handler", c["Handler"], handler)
    p.eq(f"{what} runtime", c["Runtime"], e.features["runtime"])
    p.eq(f"{what} role", c["Role"], e.role_arn(role_key))
    sha, module = zip_module(stack, zip_rel, handler)
    p.eq(f"{what} code (sha256 of {zip_rel})", c["CodeSha256"], sha)
    function = handler.rsplit(".", 1)[1]
    if module is None or not module_defines(module, function):
        p.add(f"{what}: handler {handler} is not defined in {zip_rel}")
    p.eq(f"{what} tags", tag_dict(got.get("Tags")), e.tags())
    return c


def check_lambdas(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    lam = aws.lambda_
    n = e.names
    c = _check_function(
        aws,
        e,
        p,
        stack,
        name=n["etl_function"],
        handler=ETL_HANDLER,
        zip_rel=ETL_ZIP,
        role_key="etl_lambda",
    )
    if c is not None:
        what = f"Lambda {n['etl_function']}"
        p.eq(f"{what} timeout", c["Timeout"], e.spec["lambda"]["timeout_s"])
        p.eq(f"{what} memory", c["MemorySize"], e.spec["lambda"]["memory_mb"])
        env = e.etl_environment()
        p.eq(
            f"{what} environment",
            (c.get("Environment") or {}).get("Variables"),
            env,
        )
        # A variable the stack sets but the function never reads is
        # configuration that does nothing (uam-2025: the processed bucket
        # would silently be the raw one).
        _, module = zip_module(stack, ETL_ZIP, ETL_HANDLER)
        if module is not None:
            unread = sorted(set(env) - env_names_read(module))
            if unread:
                p.add(
                    f"{what}: the stack sets {', '.join(unread)}, which"
                    f" {ETL_ZIP} never reads (os.environ)"
                )
        versions = p.call(
            f"layer {n['layer']}", lam.list_layer_versions, LayerName=n["layer"]
        )
        if versions is not None:
            listed = versions["LayerVersions"]
            if p.eq(f"layer {n['layer']} versions", len(listed), 1):
                layer = listed[0]
                p.eq(
                    "layer compatible runtimes",
                    layer.get("CompatibleRuntimes"),
                    [e.features["runtime"]],
                )
                p.eq(
                    f"{what} layers",
                    [l["Arn"] for l in c.get("Layers") or []],
                    [layer["LayerVersionArn"]],
                )
        # The permission that lets S3 invoke it (the bucket notification).
        pol = p.call(
            f"{what} resource policy", lam.get_policy, FunctionName=n["etl_function"]
        )
        if pol is not None:
            statements = document(pol["Policy"]).get("Statement") or []
            p.eq(
                f"{what} resource policy statements",
                [
                    {
                        "Sid": s.get("Sid"),
                        "Effect": s.get("Effect"),
                        "Principal": s.get("Principal"),
                        "Action": s.get("Action"),
                        "Condition": s.get("Condition"),
                    }
                    for s in statements
                ],
                [
                    {
                        "Sid": S3_INVOKE_SID,
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "lambda:InvokeFunction",
                        "Condition": {
                            "ArnLike": {"AWS:SourceArn": e.plan["arns"]["bucket"]},
                            "StringEquals": {"AWS:SourceAccount": e.account},
                        },
                    }
                ],
            )
    if e.has("alert_lambda"):
        c = _check_function(
            aws,
            e,
            p,
            stack,
            name=n["alert_function"],
            handler=ALERT_HANDLER,
            zip_rel=ALERT_ZIP,
            role_key="alert_lambda",
        )
        if c is not None:
            p.eq(
                f"Lambda {n['alert_function']} layers",
                [l["Arn"] for l in c.get("Layers") or []],
                [],
            )


def check_reaper(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """The stack reaper (`expire_after_hours`), when the plan has one: its
    function (code, handler, role, settings, the environment that names its
    stream and its hours, all read by its code), the schedule rule with its
    one target, and the permission that lets only that rule invoke it. A
    stack without one has no rule with the student's name (the inventory)."""
    if not e.has_part("reaper"):
        return
    n = e.names
    name = n["reaper_function"]
    what = f"Lambda {name}"
    c = _check_function(
        aws,
        e,
        p,
        stack,
        name=name,
        handler=REAPER_HANDLER,
        zip_rel=REAPER_ZIP,
        role_key="reaper",
    )
    if c is not None:
        p.eq(f"{what} timeout", c["Timeout"], REAPER_TIMEOUT_S)
        p.eq(f"{what} memory", c["MemorySize"], REAPER_MEMORY_MB)
        env = {
            "STREAM_NAME": n["stream"],
            "EXPIRE_AFTER_HOURS": str(e.spec["expire_after_hours"]),
        }
        p.eq(f"{what} environment", (c.get("Environment") or {}).get("Variables"), env)
        _, module = zip_module(stack, REAPER_ZIP, REAPER_HANDLER)
        if module is not None:
            unread = sorted(set(env) - env_names_read(module))
            if unread:
                p.add(f"{what}: the stack sets {', '.join(unread)}, which {REAPER_ZIP} never reads")
    rule_name = n["reaper_rule"]
    rule_arn = f"arn:{e.partition}:events:{e.region}:{e.account}:rule/{rule_name}"
    rule = p.call(f"EventBridge rule {rule_name}", aws.events.describe_rule, Name=rule_name)
    if rule is not None:
        p.eq("reaper rule ARN", rule.get("Arn"), rule_arn)
        p.eq("reaper rule schedule", rule.get("ScheduleExpression"), REAPER_SCHEDULE)
        p.eq("reaper rule state", rule.get("State"), "ENABLED")
        tags = p.call("reaper rule tags", aws.events.list_tags_for_resource, ResourceARN=rule_arn)
        if tags is not None:
            p.eq("reaper rule tags", tag_dict(tags["Tags"]), e.tags())
    targets = p.call(
        f"targets of {rule_name}", aws.events.list_targets_by_rule, Rule=rule_name
    )
    if targets is not None:
        p.eq(
            "reaper rule targets",
            [t["Arn"] for t in targets["Targets"]],
            [e.function_arn(name)],
        )
    pol = p.call(f"{what} resource policy", aws.lambda_.get_policy, FunctionName=name)
    if pol is not None:
        p.eq(
            f"{what} resource policy statements",
            [
                {
                    "Sid": s.get("Sid"),
                    "Effect": s.get("Effect"),
                    "Principal": s.get("Principal"),
                    "Action": s.get("Action"),
                    "Condition": s.get("Condition"),
                }
                for s in document(pol["Policy"]).get("Statement") or []
            ],
            [
                {
                    "Sid": REAPER_INVOKE_SID,
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Condition": {"ArnLike": {"AWS:SourceArn": rule_arn}},
                }
            ],
        )


def check_notification(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """The raw zone's bucket notifies the ETL function; no other bucket of
    the stack notifies anything."""
    raw = e.zones["raw_bucket_name"]
    for b in e.buckets():
        if b.name == raw:
            continue
        other = p.call(
            f"bucket {b.name} notification",
            aws.s3.get_bucket_notification_configuration,
            Bucket=b.name,
        )
        if other is not None and any(other.values()):
            p.add(f"bucket {b.name} ({'/'.join(b.zones)}) notifies: {other}")
    got = p.call(
        f"bucket {raw} notification",
        aws.s3.get_bucket_notification_configuration,
        Bucket=raw,
    )
    if got is None:
        return
    others = {k: v for k, v in got.items() if k != "LambdaFunctionConfigurations" and v}
    if others:
        p.add(f"bucket notification has other targets: {others}")
    p.eq(
        "bucket notification",
        [
            {
                "events": c.get("Events"),
                "filter": [
                    (r["Name"].lower(), r["Value"])
                    for r in ((c.get("Filter") or {}).get("Key") or {}).get(
                        "FilterRules"
                    )
                    or []
                ],
                "function": c.get("LambdaFunctionArn"),
            }
            for c in got.get("LambdaFunctionConfigurations") or []
        ],
        [
            {
                "events": ["s3:ObjectCreated:*"],
                "filter": [("prefix", e.plan["prefixes"]["raw"])],
                "function": e.function_arn(e.names["etl_function"]),
            }
        ],
    )


def check_roles(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """Each planned role: its trust policy, exactly its one inline policy
    (as a document, equal to the plan's), the managed policies its part
    attaches (the crawler's AWSGlueServiceRole), its tags. And no other role
    with the student's name."""
    iam = aws.iam
    for key, role in sorted(e.plan["roles"].items()):
        name = role["name"]
        what = f"role {key} ({name})"
        got = p.call(what, iam.get_role, RoleName=name)
        if got is None:
            continue
        r = got["Role"]
        p.eq(f"{what} ARN", r["Arn"], e.role_arn(key))
        p.eq(
            f"{what} trust policy",
            document(r["AssumeRolePolicyDocument"]),
            role["trust"],
        )
        p.eq(f"{what} tags", tag_dict(r.get("Tags")), e.tags())
        inline = p.call(
            f"{what} inline policies", iam.list_role_policies, RoleName=name
        )
        if inline is not None and p.eq(
            f"{what} inline policy names", inline["PolicyNames"], [role["policy_name"]]
        ):
            doc = p.call(
                f"{what} policy",
                iam.get_role_policy,
                RoleName=name,
                PolicyName=role["policy_name"],
            )
            if doc is not None:
                p.eq(f"{what} policy", document(doc["PolicyDocument"]), role["policy"])
        attached = p.call(
            f"{what} managed policies", iam.list_attached_role_policies, RoleName=name
        )
        if attached is not None:
            p.eq(
                f"{what} managed policies",
                sorted(a["PolicyArn"] for a in attached["AttachedPolicies"]),
                sorted(e.managed_policies().get(name, [])),
            )
    pattern = e.suffix_pattern()
    roles = {r["RoleName"] for r in _all_roles(aws) if pattern.search(r["RoleName"])}
    p.eq(
        "roles with the student's name",
        sorted(roles),
        sorted(r["name"] for r in e.plan["roles"].values()),
    )


def check_log_groups(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    pattern = e.suffix_pattern()
    groups = {
        g["logGroupName"]: g
        for g in _all_log_groups(aws)
        if pattern.search(g["logGroupName"])
    }
    p.eq("log groups with the student's name", sorted(groups), sorted(e.log_groups()))
    for name in e.log_groups():
        g = groups.get(name)
        if g is None:
            continue
        p.eq(
            f"log group {name} retention",
            g.get("retentionInDays"),
            e.spec["log_retention_days"],
        )
        tags = p.call(
            f"log group {name} tags", aws.logs.list_tags_log_group, logGroupName=name
        )
        if tags is not None:
            p.eq(f"log group {name} tags", tags.get("tags"), e.tags())
    firehose_groups = [e.names["firehose_log_group"]]
    if e.has("alerts_firehose"):
        firehose_groups.append(e.names["alerts_firehose_log_group"])
    for name in firehose_groups:
        streams = p.call(
            f"log streams of {name}", aws.logs.describe_log_streams, logGroupName=name
        )
        if streams is not None:
            p.eq(
                f"log streams of {name}",
                [s["logStreamName"] for s in streams["logStreams"]],
                [FIREHOSE_LOG_STREAM],
            )


def check_athena(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    name = e.names["workgroup"]
    got = p.call(f"Athena workgroup {name}", aws.athena.get_work_group, WorkGroup=name)
    if got is None:
        return
    wg = got["WorkGroup"]
    conf = wg.get("Configuration") or {}
    result = conf.get("ResultConfiguration") or {}
    p.eq("workgroup state", wg.get("State"), "ENABLED")
    p.eq(
        "workgroup output location",
        result.get("OutputLocation"),
        e.plan["prefixes"]["athena_output_location"],
    )
    results = e.zones["results_bucket_name"]
    if not (result.get("OutputLocation") or "").startswith(f"s3://{results}/"):
        p.add(
            f"workgroup output location {result.get('OutputLocation')!r} is not"
            f" in the results bucket {results}"
        )
    p.eq(
        "workgroup result encryption",
        (result.get("EncryptionConfiguration") or {}).get("EncryptionOption"),
        "SSE_S3",
    )
    p.eq(
        "workgroup enforces its configuration",
        conf.get("EnforceWorkGroupConfiguration"),
        True,
    )
    p.eq(
        "workgroup publishes metrics", conf.get("PublishCloudWatchMetricsEnabled"), True
    )
    arn = f"arn:{e.partition}:athena:{e.region}:{e.account}:workgroup/{name}"
    tags = p.call("workgroup tags", aws.athena.list_tags_for_resource, ResourceARN=arn)
    if tags is not None:
        p.eq("workgroup tags", tag_dict(tags["Tags"]), e.tags())
    ids = p.call("named queries", aws.athena.list_named_queries, WorkGroup=name)
    if ids is None:
        return
    queries = []
    for qid in ids["NamedQueryIds"]:
        q = p.call(f"named query {qid}", aws.athena.get_named_query, NamedQueryId=qid)
        if q is not None:
            nq = q["NamedQuery"]
            queries.append(
                {
                    "name": nq.get("Name"),
                    "description": nq.get("Description"),
                    "database": nq.get("Database"),
                    "workgroup": nq.get("WorkGroup"),
                    "sql": nq.get("QueryString"),
                }
            )
    expected = [
        {
            "name": q["name"],
            "description": q["description"],
            # The handout's queries run in the raw zone's database; each
            # names the processed table by its database.
            "database": e.zones["raw_database_name"],
            "workgroup": name,
            "sql": q["sql"],
        }
        for q in e.plan["queries"]
    ]
    p.eq(
        "named queries",
        sorted(queries, key=lambda q: q["name"]),
        sorted(expected, key=lambda q: q["name"]),
    )


# --- after destroy ------------------------------------------------------------------


def _all_roles(aws: AWS) -> list[dict]:
    return [
        r
        for page in aws.iam.get_paginator("list_roles").paginate()
        for r in page["Roles"]
    ]


def _all_log_groups(aws: AWS) -> list[dict]:
    return [
        g
        for page in aws.logs.get_paginator("describe_log_groups").paginate()
        for g in page["logGroups"]
    ]


def inventory(e: Expect) -> list[str]:
    """What `remaining` finds while the stack is deployed: every resource
    the plan's parts name whose kind has a listing (LISTED_KINDS), and the
    named queries, as `kind name`."""
    items = {
        f"{LISTED_KINDS[kind]} {name}"
        for kind, name in e.named()
        if kind in LISTED_KINDS
    }
    items |= {f"Athena named query {q['name']}" for q in e.plan["queries"]}
    # The analytics role exists without its (excluded) application; the
    # application itself is not listed by remaining() (moto has no API).
    return sorted(items)


def check_inventory(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """Everything in the account that carries the student's name is what
    the plan names: nothing missing, nothing extra (a resource named after
    another student, or left over, would show here)."""
    p.eq("resources with the student's name", remaining(aws, e.plan), inventory(e))


def remaining(aws: AWS, plan: dict) -> list[str]:
    """Everything in the account (this region) whose name carries the
    student's suffix, as `kind name`; named queries by their workgroup."""
    e = Expect(plan)
    pattern = e.suffix_pattern()
    lam = aws.lambda_
    found = []

    def add(kind: str, names) -> None:
        found.extend(f"{kind} {n}" for n in names if pattern.search(n))

    add("bucket", [b["Name"] for b in aws.s3.list_buckets().get("Buckets") or []])
    add("stream", aws.kinesis.list_streams().get("StreamNames") or [])
    add(
        "Firehose",
        aws.firehose.list_delivery_streams().get("DeliveryStreamNames") or [],
    )
    add("Glue database", [d["Name"] for d in aws.glue.get_databases()["DatabaseList"]])
    add("Glue crawler", [c["Name"] for c in aws.glue.get_crawlers()["Crawlers"]])
    add(
        "Lambda function",
        [f["FunctionName"] for f in lam.list_functions()["Functions"]],
    )
    add("Lambda layer", [l["LayerName"] for l in lam.list_layers()["Layers"]])
    add("IAM role", [r["RoleName"] for r in _all_roles(aws)])
    add("log group", [g["logGroupName"] for g in _all_log_groups(aws)])
    add(
        "Athena workgroup",
        [w["Name"] for w in aws.athena.list_work_groups()["WorkGroups"]],
    )
    add(
        "SSM parameter",
        [
            param["Name"]
            for page in aws.ssm.get_paginator("describe_parameters").paginate()
            for param in page["Parameters"]
        ],
    )
    add(
        "EventBridge rule",
        [
            rule["Name"]
            for page in aws.events.get_paginator("list_rules").paginate()
            for rule in page["Rules"]
        ],
    )
    try:
        ids = aws.athena.list_named_queries(WorkGroup=e.names["workgroup"])[
            "NamedQueryIds"
        ]
    except botocore.exceptions.ClientError:
        ids = []  # the workgroup is gone, and with it its queries
    for qid in ids:
        query = aws.athena.get_named_query(NamedQueryId=qid)["NamedQuery"]
        found.append(f"Athena named query {query['Name']}")
    return sorted(found)


def check_gone(aws: AWS, plan: dict) -> list[str]:
    """Nothing of the student's stack is left in the account."""
    e = Expect(plan)
    left = remaining(aws, plan)
    return [f"{e.names['suffix']}: left after destroy: {item}" for item in left]


def crawler_roles_with_managed_policy(aws: AWS, policy_arn: str) -> list[str]:
    """The roles AWSGlueServiceRole is attached to: in a shared account, one
    per student's crawler (an exclusive attachment would leave only one)."""
    roles = []
    for page in aws.iam.get_paginator("list_entities_for_policy").paginate(
        PolicyArn=policy_arn, EntityFilter="Role"
    ):
        roles.extend(r["RoleName"] for r in page["PolicyRoles"])
    return sorted(roles)


def check_parameter(aws: AWS, e: Expect, p: Problems, stack: Path) -> None:
    """uam-2025's SSM parameter: a String holding the processed zone's
    bucket name, with the stack's tags. A stack without one has none with
    the student's name (the inventory checks that)."""
    name = e.parameter()
    if name is None:
        return
    what = f"SSM parameter {name}"
    got = p.call(what, aws.ssm.get_parameter, Name=name)
    if got is None:
        return
    param = got["Parameter"]
    p.eq(f"{what} ARN", param.get("ARN"), e.plan["arns"]["etl_parameter"])
    p.eq(f"{what} type", param.get("Type"), "String")
    p.eq(
        f"{what} value (the processed zone's bucket)",
        param.get("Value"),
        e.zones["processed_bucket_name"],
    )
    tags = p.call(
        f"{what} tags",
        aws.ssm.list_tags_for_resource,
        ResourceType="Parameter",
        ResourceId=name,
    )
    if tags is not None:
        p.eq(f"{what} tags", tag_dict(tags["TagList"]), e.tags())


# Every check of check_stack, in order.
CHECKS = [
    check_buckets,
    check_stream,
    check_firehoses,
    check_glue,
    check_lambdas,
    check_reaper,
    check_notification,
    check_roles,
    check_log_groups,
    check_athena,
    check_parameter,
    check_inventory,
]


# --- the checks can fail -------------------------------------------------------------



class Mutation(NamedTuple):
    """A plausible rendering bug: the plan says one thing, AWS has another."""

    what: str
    path: tuple  # into the plan JSON
    change: Callable[[Any], Any]
    check: Callable[..., None]  # the check that must notice
    # Whether the plan has what the mutation changes (uam-2025's parameter).
    applies: Callable[[Expect], bool] = lambda e: True


def _has_parameter(e: Expect) -> bool:
    return e.parameter() is not None


def _has_reaper(e: Expect) -> bool:
    return e.has_part("reaper")


def _zones_apart(e: Expect) -> bool:
    """The results zone has a bucket of its own (uam-2025)."""
    return e.zones["results_bucket_name"] != e.zones["raw_bucket_name"]


# Mutations that concern the layout: which bucket or database holds a zone,
# and the parameter. For uam-2021 the zone mutations move a zone out of the
# one bucket (or database) to a name nothing has.
LAYOUT_MUTATIONS: list[Mutation] = [
    Mutation(
        "parameter value",
        ("zones", "processed_bucket_name"),
        lambda v: v + "x",
        check_parameter,
        _has_parameter,
    ),
    Mutation(
        "parameter name",
        ("names", "etl_parameter"),
        lambda v: v + "x",
        check_parameter,
        _has_parameter,
    ),
    Mutation(
        "parameter ARN",
        ("arns", "etl_parameter"),
        lambda v: v + "x",
        check_parameter,
        _has_parameter,
    ),
    Mutation(
        "parameter tags",
        ("spec", "student", "name"),
        lambda v: v + "x",
        check_parameter,
        _has_parameter,
    ),
    Mutation(
        "ETL function's parameter variable",
        ("names", "etl_parameter"),
        lambda v: v.replace("processed-bucket", "raw-bucket"),
        check_lambdas,
        _has_parameter,
    ),
    Mutation(
        "processed table's database",
        ("zones", "processed_database_name"),
        lambda v: v + "x",
        check_glue,
    ),
    Mutation(
        "crawler's database",
        ("zones", "raw_database_name"),
        lambda v: v + "x",
        check_glue,
    ),
    Mutation(
        "processed table's bucket",
        ("zones", "processed_bucket_name"),
        lambda v: v + "x",
        check_glue,
    ),
    Mutation(
        "processed zone's bucket",
        ("zones", "processed_bucket_name"),
        lambda v: v + "x",
        check_buckets,
    ),
    Mutation(
        "results zone on the raw bucket",
        ("zones",),
        lambda z: {
            **z,
            "results_bucket": z["raw_bucket"],
            "results_bucket_name": z["raw_bucket_name"],
        },
        check_buckets,
        _zones_apart,
    ),
    Mutation(
        "Firehose destination bucket",
        ("arns", "bucket"),
        lambda v: v + "x",
        check_firehoses,
    ),
    Mutation(
        "notified bucket",
        ("zones", "raw_bucket_name"),
        lambda v: v + "x",
        check_notification,
    ),
    Mutation(
        "Athena results bucket",
        ("zones", "results_bucket_name"),
        lambda v: v + "x",
        check_athena,
    ),
    Mutation(
        "named queries' database",
        ("zones", "raw_database_name"),
        lambda v: v + "x",
        check_athena,
    ),
]

def _managed_arns_changed(parts: list[dict]) -> list[dict]:
    """Every managed policy a part attaches, renamed."""
    for part in parts:
        if part.get("role"):
            part["role"]["managed"] = [
                [address, arn + "x"] for address, arn in part["role"]["managed"]
            ]
    return parts


# (what, path into the plan JSON, change, the check that must notice): one
# field each, whatever the layout.
FIELD_MUTATIONS: list[tuple[str, tuple, Any, Any]] = [
    (
        "stream retention",
        ("spec", "stream", "retention_hours"),
        lambda v: v + 24,
        check_stream,
    ),
    ("shard count", ("spec", "stream", "shard_count"), lambda v: v + 1, check_stream),
    ("stream ARN", ("arns", "stream"), lambda v: v + "x", check_stream),
    (
        "Firehose buffer size",
        ("spec", "firehose", "buffer_size_mb"),
        lambda v: v + 1,
        check_firehoses,
    ),
    (
        "Firehose interval",
        ("spec", "firehose", "buffer_interval_s"),
        lambda v: v + 60,
        check_firehoses,
    ),
    (
        "raw prefix",
        ("prefixes", "raw_data"),
        lambda v: v.replace("hour=", "hr="),
        check_firehoses,
    ),
    (
        "error prefix",
        ("prefixes", "raw_errors"),
        lambda v: v.replace(
            "!{firehose:error-output-type}", "!{firehose:random-string}"
        ),
        check_firehoses,
    ),
    (
        "Firehose role",
        ("roles", "firehose", "name"),
        lambda v: v + "x",
        check_firehoses,
    ),
    (
        "crawler target",
        ("prefixes", "raw_location"),
        lambda v: v.rstrip("/"),
        check_glue,
    ),
    ("crawler role", ("roles", "crawler", "name"), lambda v: v + "x", check_glue),
    (
        "table location",
        ("prefixes", "processed_location"),
        lambda v: v + "x/",
        check_glue,
    ),
    (
        "table parameter",
        ("processed_table_parameters", "projection.year.range"),
        lambda v: "2021,2030",
        check_glue,
    ),
    (
        "partition key order",
        ("processed_table_parameters", "storage.location.template"),
        lambda v: v.replace(
            "symbol=${symbol}/year=${year}", "year=${year}/symbol=${symbol}"
        ),
        check_glue,
    ),
    ("Lambda timeout", ("spec", "lambda", "timeout_s"), lambda v: v + 1, check_lambdas),
    (
        "Lambda memory",
        ("spec", "lambda", "memory_mb"),
        lambda v: v + 128,
        check_lambdas,
    ),
    (
        "Lambda runtime",
        ("features", "runtime"),
        lambda v: "python3.9",
        check_lambdas,
    ),
    ("Lambda layer name", ("names", "layer"), lambda v: v + "x", check_lambdas),
    ("notification filter", ("prefixes", "raw"), lambda v: "raw/", check_notification),
    (
        "notification target",
        ("names", "etl_function"),
        lambda v: v + "x",
        check_notification,
    ),
    (
        "inline policy",
        ("roles", "etl_lambda", "policy", "Statement", 0, "Action"),
        lambda v: (v if isinstance(v, list) else [v]) + ["s3:PutBucketPolicy"],
        check_roles,
    ),
    (
        "trust principal",
        ("roles", "firehose", "trust", "Statement", 0, "Principal", "Service"),
        lambda v: "lambda.amazonaws.com",
        check_roles,
    ),
    (
        "policy name",
        ("roles", "crawler", "policy_name"),
        lambda v: v + "x",
        check_roles,
    ),
    ("managed policy", ("parts",), _managed_arns_changed, check_roles),
    ("Owner tag", ("spec", "student", "name"), lambda v: v + "x", check_buckets),
    ("plan tags", ("tags", "Owner"), lambda v: v + "x", check_stream),
    (
        "results expiry",
        ("spec", "athena", "results_expire_days"),
        lambda v: v + 1,
        check_buckets,
    ),
    ("log retention", ("spec", "log_retention_days"), lambda v: 30, check_log_groups),
    ("named query SQL", ("queries", 0, "sql"), lambda v: v.rstrip("\n"), check_athena),
    (
        "Athena output",
        ("prefixes", "athena_output_location"),
        lambda v: v + "x/",
        check_athena,
    ),
]

# The stack reaper's, where the plan has one.
REAPER_MUTATIONS: list[Mutation] = [
    Mutation(
        "reaper's hours",
        ("spec", "expire_after_hours"),
        lambda v: v + 1,
        check_reaper,
        _has_reaper,
    ),
    Mutation(
        "reaper's stream",
        ("names", "stream"),
        lambda v: v + "x",
        check_reaper,
        _has_reaper,
    ),
    Mutation(
        "reaper rule name",
        ("names", "reaper_rule"),
        lambda v: v + "x",
        check_reaper,
        _has_reaper,
    ),
    Mutation(
        "reaper role",
        ("roles", "reaper", "name"),
        lambda v: v + "x",
        check_reaper,
        _has_reaper,
    ),
]

MUTATIONS: list[Mutation] = (
    LAYOUT_MUTATIONS + [Mutation(*m) for m in FIELD_MUTATIONS] + REAPER_MUTATIONS
)


def _mutated(plan: dict, path: tuple, change) -> dict:
    doc = json.loads(json.dumps(plan))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = change(node[path[-1]])
    return doc


def checks_can_fail(aws: AWS, plan: dict, stack: Path) -> list[str]:
    """Runs each MUTATIONS check against the deployed stack with the plan
    changed in one place; each must report a problem that the check does not
    report with the plan as it is. A check that stays silent would pass a
    broken stack too (and one already failing for another reason would hide
    that)."""
    silent = []
    baseline: dict[Any, set[str]] = {}
    for m in applicable_mutations(plan):
        if m.check not in baseline:
            p = Problems(plan["names"]["suffix"])
            m.check(aws, Expect(plan), p, stack)
            baseline[m.check] = set(p.items)
        e = Expect(_mutated(plan, m.path, m.change))
        p = Problems(e.names["suffix"])
        m.check(aws, e, p, stack)
        if not set(p.items) - baseline[m.check]:
            silent.append(
                f"{plan['names']['suffix']}: {m.check.__name__} did not notice a"
                f" changed {m.what} ({'/'.join(map(str, m.path))})"
            )
    return silent


def applicable_mutations(plan: dict) -> list[Mutation]:
    """The MUTATIONS that concern this plan's layout."""
    e = Expect(plan)
    return [m for m in MUTATIONS if m.applies(e)]
