"""`stackgen grade --live` end to end, on the class that
test_deploy.py::test_class_shares_one_account deployed into moto server with
Terraform 0.14.6 (issue 20). Nothing here deploys: `problems()` runs between
that test's step 1 (all applied and graded from state) and step 2 (destroy),
and undoes everything it plants, so that step 2's `terraform plan` still shows
no changes.

The class has three students, A, B and C (sorted by directory). A and B get
the lab's data; C gets nothing ("no data sent").

DATA. The stream gets the lab's trades from the real `stackgen replay`. moto
has no data plane behind the stream, so the test puts in place what each AWS
service would have written; every one of these is a STAND-IN, named so
where it is made:
- FIREHOSE DELIVERY (stand-in): the raw zone's objects that Firehose would
  write from those trades (datapath.lab.firehose_objects: JSON lines, one
  object per buffer, under the stack's year=/month=/day=/hour= arrival-time
  prefix), put with boto3;
- THE CRAWLER (stand-in): moto's StartCrawler records a crawl but reads
  nothing, so the test calls StartCrawler (the crawl that `glue:ListCrawls`
  then reports COMPLETED) and creates, through the Glue API, the table and
  partitions the crawler writes for JSON lines under hive-style prefixes;
- THE ETL FUNCTION (stand-in for Lambda running it): the handler from the
  stack's own zip runs in-process on the real awswrangler, once per raw
  object with the S3 notification S3 would send (datapath.pipeline.run_etl),
  writing the processed zone's Parquet into moto;
- THE SQL APPLICATION AND THE ALERTS FIREHOSE (stand-in: Kinesis Data
  Analytics for SQL is gone from AWS and absent from moto): the rows its SQL
  (`stackgen plan`'s analytics_sql: a 30-second RANGE window per symbol and
  type, alert when dollar_amount > threshold x the window's average) would
  emit for those trades, computed here, handed to the alert function's
  handler (in-process, from the stack's zip) as Kinesis Analytics' Lambda
  output does, and written under alerts/anomalies/year=.../ as the alerts
  Firehose would;
- LAMBDA'S LOGS (stand-in for the Lambda runtime): what each in-process
  invocation logged, written to /aws/lambda/<function> as the Python runtime
  writes it (START, `[LEVEL]\\tTIME\\tREQUEST_ID\\tmessage`, END, REPORT).
  moto itself answers S3's notification by trying to run the function in
  Docker, which is not here; the log streams of those failed attempts are
  removed (drop_moto_runs).

Data is sent "now" (the stream's records are), so the raw objects' arrival
prefixes and the log events are of the current time: the logs check looks at
the last 24 h.

Then, with `stackgen grade CLASS --live --format json` (moto's endpoint in
AWS_ENDPOINT_URL, dummy keys):
1. the class: A and B full marks with 0 unknown; C's data and logs checks
   all `unknown`, none failed, her other checks pass; every check id of the
   state grade is in the live grade or named in its not_graded; the SQL
   application is not graded; a class whose student has another account
   (examples/class.yaml's Anna) reports her under `unreachable`;
2. planted faults, each graded with `--student`, each losing exactly its
   checks against the clean grade, each undone: a crawler that never ran
   (B, before her crawler runs), an empty raw zone while the stream holds
   records, a processed partition with fewer rows than the raw zone, no
   alerts, the Firehose role's s3:PutObject removed through IAM, the ETL
   function's memory changed, an error in the ETL function's logs;
3. the grader policy is enough, under moto's own IAM enforcement: see
   `policy_problems`.

Afterwards the crawler stand-in's tables go (step 2 checks that the account
holds the Glue tables Terraform manages); the data stays, and step 2's
destroy removes it with the buckets (force_destroy), streams and log groups.
The added wall time is printed ("live grading: ... total").
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import logging
import math
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import botocore.handlers
import hcl2
import pyarrow.parquet as pq

from datapath import lab, pipeline

from . import deploy, grade, tfcheck

# The first 2,000 of the lab's 15,779 trades: event time 00:00 to 05:18 of
# 2020-10-01, so the whole first hour (the handout's 337 BTC_USD trades, the
# hour the reconciliation check reads) and the planted trade of exercise 5
# (CSV line 888) are in it. The stand-ins take 3 s a student for these and
# 20 s for the whole file (27 raw objects through the ETL handler instead of
# 4; measured on moto), for no check more.
TRADES = 2_000
# The handout's count of BTC_USD trades in 2020-10-01 hour 0 (exercise 4.3):
# the reconciled partition must hold exactly these.
FIRST_HOUR = ("BTC_USD", 2020, 10, 1, 0)

# Check ids of the live-only checks (issue 20) that these tests name.
STREAM_RECORDS = "stream.data.records"
RAW_OBJECTS = "firehose.data.raw_objects"
CRAWLER_RAN = "crawler.data.ran"
CRAWLER_PARTITIONS = "crawler.data.partitions"
ETL_PROCESSED = "etl.data.processed"
ETL_RECONCILED = "etl.data.reconciled"
ALERTS = "alerts_firehose.data.alerts"
ETL_LOGS = "etl.logs.errors"
ETL_MEMORY = "etl.memory_mb"
# Settings only Terraform knows (the account cannot show them): in the state
# grade, in the live one's not_graded instead.
TERRAFORM_ONLY = ("bucket.force_destroy", "stream.enforce_consumer_deletion")
# Kinesis Data Analytics for SQL: deleted by AWS from 2026-01-27.
SQL_APPLICATION = "sql_analytics"
ACCESS_DENIED = "access denied"

GRADE_TIMEOUT_S = 300


def is_data_or_logs(check_id: str) -> bool:
    return ".data." in check_id or ".logs." in check_id


# --- the class --------------------------------------------------------------------


@dataclass
class Student:
    """One deployed student of the class, and what the stand-ins wrote."""

    d: deploy.Deployment
    stack: lab.Stack
    lake: pipeline.Layout
    raw: list[lab.RawObject] = field(default_factory=list)
    alerts: list[tuple[str, bytes]] = field(default_factory=list)
    # (database, table) of the crawler stand-in's tables.
    tables: list[tuple[str, str]] = field(default_factory=list)

    @property
    def plan(self) -> dict:
        return self.d.plan

    @property
    def index_no(self) -> str:
        return self.plan["spec"]["student"]["index_no"]

    @property
    def names(self) -> dict:
        return self.plan["names"]

    @property
    def region(self) -> str:
        return self.plan["spec"]["region"]

    def client(self, service: str):
        return boto3.client(service, **self.d.server.boto3_env(self.region))


def student_of(d: deploy.Deployment, class_file: Path) -> Student:
    """The deployed stack read back as datapath's lab.Stack (its resources
    from the .tf files, its handlers from its zips), and its lake layout."""
    resources: dict[tuple[str, str], dict] = {}
    for tf in sorted(d.dir.glob("*.tf")):
        if tf.name == deploy.OVERRIDE_FILE:
            continue
        with tf.open() as f:
            parsed = hcl2.load(f)
        for block in parsed.get("resource") or []:
            for rtype, named in lab._unquote(block).items():
                for name, body in named.items():
                    resources[(rtype, name)] = body
    stack = lab.Stack(class_file, d.dir, d.plan, resources)
    return Student(d, stack, pipeline.layout(stack, pipeline.native_layout(stack)))


# --- the lab's data, and the stand-ins ----------------------------------------------


def arrival_start(count: int) -> datetime:
    """When the first of `count` trades reached the stream: so that the last
    one arrived a minute ago at lab.ARRIVAL_RATE (the data was just sent)."""
    now = datetime.now(UTC).replace(microsecond=0)
    return now - timedelta(seconds=count / lab.ARRIVAL_RATE + 60)


def cli_env(endpoint: str, region: str, key: str = "test", secret: str = "test") -> dict[str, str]:
    """What a stackgen process gets: moto's endpoint and the given keys,
    nothing from the developer's AWS setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID=key,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_REGION=region,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


REPLAY_SUMMARY = re.compile(r"sent (\d+) records to (\S+) ")


def replay(stackgen: Path, class_file: Path, s: Student, count: int) -> list[str]:
    """The real `stackgen replay` of the lab's first `count` trades to the
    student's stream, as fast as it takes them."""
    csv = lab.lab_file("crypto_trades_20201001.csv")
    args = [
        str(stackgen), "replay", str(class_file), "--student", s.index_no,
        "--data", str(csv), "--max", "--single-run", "--limit", str(count),
        "--allow", "SG901",
    ]
    proc = subprocess.run(
        args, check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env=cli_env(s.d.server.endpoint, s.region), timeout=GRADE_TIMEOUT_S,
    )
    m = REPLAY_SUMMARY.search(proc.stdout)
    if proc.returncode != 0 or not m or m.groups() != (str(count), s.names["stream"]):
        return [
            f"{s.d.name}: {' '.join(args[1:])} exited {proc.returncode}, expected"
            f" `sent {count} records to {s.names['stream']}`\n{proc.stdout}{proc.stderr}"
        ]
    return []


def deliver_raw(s: Student, trades: list[dict], start: datetime) -> None:
    """FIREHOSE DELIVERY, a stand-in: the objects Firehose writes from the
    stream into the raw zone."""
    s.raw = lab.firehose_objects(trades, s.plan, start)
    pipeline.put_raw_objects(s.d.server, s.stack, s.lake, s.raw)
    drop_moto_runs(s)


# What moto logs when it tries to run a function in Docker and there is no
# Docker (moto.awslambda.models.LambdaFunction._invoke_lambda).
MOTO_RUN = "error running docker: "


def drop_moto_runs(s: Student) -> None:
    """moto answers S3's notification of a new raw object by running the ETL
    function in Docker, which this machine does not have, and writes that
    failure into the function's log group as a stream of its own (with a
    fractional timestamp, which AWS never sends and the Rust SDK rejects).
    Lambda's run is stood in for in-process (run_etl), with its own log
    lines; moto's failed attempts go, so that the log group holds what
    Lambda would have written. Streams holding anything else stay."""
    logs = s.client("logs")
    group = f"/aws/lambda/{s.names['etl_function']}"
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        name = stream["logStreamName"]
        events = logs.get_log_events(logGroupName=group, logStreamName=name)["events"]
        if events and all(e["message"].startswith(MOTO_RUN) for e in events):
            logs.delete_log_stream(logGroupName=group, logStreamName=name)


def crawler_table_input(s: Student, table: str, location: str) -> dict:
    """The table the Glue crawler writes for the raw zone: the generator's
    JSON keys as columns (JSON numbers with a fraction are doubles, whole ones
    bigints), the hive-style directories as string partition keys, the JSON
    SerDe, classification json."""
    types = {int: "bigint", float: "double", str: "string"}
    columns = [{"Name": k, "Type": types[t]} for k, t in lab.TRADE_KEYS.items()]
    keys = [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")]
    return {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": keys,
        "Parameters": {
            "classification": "json",
            "compressionType": "none",
            "typeOfData": "file",
            "CrawlerSchemaSerializerVersion": "1.0",
            "CrawlerSchemaDeserializerVersion": "1.0",
            "UPDATED_BY_CRAWLER": s.names["crawler"],
            "objectCount": str(len(s.raw)),
            "recordCount": str(sum(len(o.trades) for o in s.raw)),
        },
        "StorageDescriptor": storage_descriptor(columns, location),
    }


def storage_descriptor(columns: list[dict], location: str) -> dict:
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {
            "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
            "Parameters": {"paths": ",".join(sorted(lab.TRADE_KEYS))},
        },
        "Parameters": {"classification": "json", "compressionType": "none", "typeOfData": "file"},
    }


HIVE_DIRS = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/")


def run_crawler(s: Student) -> list[str]:
    """THE CRAWLER, a stand-in. StartCrawler is real (moto records a crawl,
    RUNNING, COMPLETED at the next ListCrawls); what the crawl writes is made
    here: the table named by the crawler's table prefix and its S3 target's
    last folder, in the crawler's database, with one partition per
    year=/month=/day=/hour= prefix of the raw objects."""
    glue = s.client("glue")
    crawler = glue.get_crawler(Name=s.names["crawler"])["Crawler"]
    (target,) = [t["Path"] for t in crawler["Targets"]["S3Targets"]]
    location = target.rstrip("/") + "/"
    table = crawler.get("TablePrefix", "") + location.rstrip("/").rsplit("/", 1)[-1]
    problems = []
    if table != s.names["raw_table"]:
        problems.append(
            f"{s.d.name}: the crawler would write table {table!r}; `stackgen plan`"
            f" names it {s.names['raw_table']!r}"
        )
    glue.start_crawler(Name=s.names["crawler"])
    table_input = crawler_table_input(s, table, location)
    glue.create_table(DatabaseName=crawler["DatabaseName"], TableInput=table_input)
    s.tables.append((crawler["DatabaseName"], table))
    under = location[len(f"s3://{s.lake.raw_bucket}/"):]
    outside = [o.key for o in s.raw if not o.key.startswith(under)]
    if outside:
        problems.append(f"{s.d.name}: raw objects outside the crawler's target {target}: {outside}")
    hours = sorted({HIVE_DIRS.search(o.key).groups() for o in s.raw})
    partitions = [
        {
            "Values": list(values),
            "StorageDescriptor": storage_descriptor(
                table_input["StorageDescriptor"]["Columns"],
                location + "year={}/month={}/day={}/hour={}/".format(*values),
            ),
        }
        for values in hours
    ]
    for batch in lab.chunks(partitions, 100):
        failed = glue.batch_create_partition(
            DatabaseName=crawler["DatabaseName"], TableName=table, PartitionInputList=batch
        ).get("Errors")
        if failed:
            problems.append(f"{s.d.name}: BatchCreatePartition: {failed}")
    crawls = glue.list_crawls(CrawlerName=s.names["crawler"])["Crawls"]
    if [c["State"] for c in crawls] != ["COMPLETED"]:
        problems.append(f"{s.d.name}: after StartCrawler, ListCrawls gives {crawls}")
    return problems


# --- Lambda's runtime (stand-in): invocations and their log lines ------------------


class Captured(logging.Handler):
    """The log records of one invocation, as the Python runtime's root
    handler receives them."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def millis(at: float) -> int:
    """A CloudWatch Logs timestamp: whole milliseconds since the epoch."""
    return int(at * 1000)


@contextlib.contextmanager
def invocation(lines: list[dict], memory_mb: int) -> Iterator[None]:
    """One Lambda invocation: what the handler logs inside it becomes the
    runtime's text-format lines, between START and END/REPORT, appended to
    `lines` as CloudWatch Logs events. The root logger's level is WARNING,
    as the Python runtime sets it."""
    request_id = str(uuid.uuid4())
    handler = Captured()
    root = logging.getLogger()
    # Only the runtime's handler while the function runs: its lines go to
    # the log group, not to pytest's report.
    saved = root.level, root.handlers[:]
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    t = time.time()
    try:
        yield
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
    lines.append({
        "timestamp": millis(t), "message": f"START RequestId: {request_id} Version: $LATEST"
    })
    for r in handler.records:
        when = datetime.fromtimestamp(r.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        lines.append({
            "timestamp": millis(r.created),
            "message": f"[{r.levelname}]\t{when}Z\t{request_id}\t{r.getMessage()}",
        })
    took = (time.time() - t) * 1000
    end = millis(time.time())
    lines.append({"timestamp": end, "message": f"END RequestId: {request_id}"})
    lines.append({
        "timestamp": end,
        # Max Memory Used is not measured: the in-process run shares the
        # test's interpreter.
        "message": (
            f"REPORT RequestId: {request_id}\tDuration: {took:.2f} ms\tBilled Duration:"
            f" {math.ceil(took)} ms\tMemory Size: {memory_mb} MB\tMax Memory Used:"
            f" {min(memory_mb, 160)} MB"
        ),
    })


def write_logs(s: Student, function: str, events: list[dict]) -> None:
    """LAMBDA'S LOGS, a stand-in: one log stream of a container, named as
    Lambda names them, in the function's log group."""
    if not events:
        return
    logs = s.client("logs")
    group = f"/aws/lambda/{function}"
    day = datetime.fromtimestamp(events[0]["timestamp"] / 1000, UTC)
    stream = f"{day:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def memory_of(s: Student, function: str) -> int:
    return s.client("lambda").get_function_configuration(FunctionName=function)["MemorySize"]


def run_etl(s: Student, workdir: Path) -> list[str]:
    """THE ETL FUNCTION, a stand-in for Lambda running it: the stack's
    handler, in-process, once per raw object (one cold start each), with its
    log lines written as the runtime would."""
    events: list[dict] = []
    memory = memory_of(s, s.names["etl_function"])
    problems = []
    for n, obj in enumerate(s.raw):
        with invocation(events, memory):
            (result,) = pipeline.run_etl(s.d.server, s.stack, s.lake, [obj], workdir / f"etl-{n}")
        rows = [p.get("rows") for p in (result or {}).get("processed") or []]
        if rows != [len(obj.trades)]:
            problems.append(f"{s.d.name}: the ETL handler on {obj.key} returned {result}")
    write_logs(s, s.names["etl_function"], events)
    return problems


# --- exercise 5: the SQL application's alerts (stand-in) ----------------------------


def analytics_alerts(
    s: Student, trades: list[dict], start: datetime
) -> list[tuple[datetime, dict]]:
    """The rows of DESTINATION_SQL_STREAM for the trades arriving at
    lab.ARRIVAL_RATE from `start`, as `stackgen plan`'s analytics_sql computes
    them: the analytics symbol's trades, per (symbol, type) in arrival order;
    AvgLast30seconds and CntLast30seconds over the rows that arrived in the
    window before and at this one (RANGE INTERVAL 'window' SECOND
    PRECEDING); SumLast30rows, CntLast30rows and max_tran_id over this row
    and the 30 before (ROWS 30 PRECEDING); kept when dollar_amount >
    threshold x AvgLast30seconds."""
    analytics = s.plan["spec"]["analytics"]
    window = timedelta(seconds=int(analytics["window_seconds"]))
    threshold = float(analytics["threshold"])
    assert f"{threshold:g} * \"AvgLast30seconds\"" in s.plan["analytics_sql"], (
        "analytics_sql changed: update analytics_alerts"
    )
    seen: dict[tuple[str, str], list[tuple[datetime, dict]]] = {}
    out = []
    for n, trade in enumerate(trades):
        if trade["symbol"] != analytics["symbol"]:
            continue
        at = start + timedelta(seconds=n / lab.ARRIVAL_RATE)
        rows = seen.setdefault((trade["symbol"], trade["type"]), [])
        rows.append((at, trade))
        in_window = [t for when, t in rows if at - when <= window]
        last_rows = [t for _, t in rows[-31:]]
        avg = sum(t["dollar_amount"] for t in in_window) / len(in_window)
        if trade["dollar_amount"] > threshold * avg:
            out.append((at, {
                "symbol": trade["symbol"],
                "type": trade["type"],
                "trans_id": trade["trans_id"],
                "dollar_amount": trade["dollar_amount"],
                "AvgLast30seconds": avg,
                "CntLast30seconds": len(in_window),
                "SumLast30rows": sum(t["dollar_amount"] for t in last_rows),
                "CntLast30rows": len(last_rows),
                "max_tran_id": max(t["trans_id"] for t in last_rows),
            }))
    return out


def deliver_alerts(s: Student, trades: list[dict], start: datetime, workdir: Path) -> list[str]:
    """THE SQL APPLICATION AND THE ALERTS FIREHOSE, stand-ins: the alert
    rows go to the alert function's handler (in-process, from the stack's
    zip) as Kinesis Analytics' Lambda output sends them, and into the lake
    under the alerts Firehose's prefix as JSON lines, one object per buffer
    interval."""
    alerts = analytics_alerts(s, trades, start)
    planted = [a for _, a in alerts if a["trans_id"] == lab.PLANTED_TRANS_ID]
    if not planted:
        return [f"{s.d.name}: the planted trade {lab.PLANTED_TRANS_ID} raised no alert"]
    function = s.stack.function("alert_function.handler")
    _, handler = s.stack.handler(function, workdir / "alert")
    events: list[dict] = []
    with invocation(events, memory_of(s, s.names["alert_function"])):
        records = [
            {"recordId": str(n), "data": base64.b64encode(json.dumps(a).encode()).decode()}
            for n, (_, a) in enumerate(alerts)
        ]
        answer = handler({"records": records}, None)
    problems = []
    if {r["result"] for r in answer["records"]} != {"Ok"}:
        problems.append(f"{s.d.name}: the alert function answered {answer}")
    write_logs(s, s.names["alert_function"], events)
    # The alerts Firehose buffers as the raw one does (the same spec.firehose).
    interval = timedelta(seconds=int(s.plan["spec"]["firehose"]["buffer_interval_s"]))
    buffers: list[list[tuple[datetime, dict]]] = []
    for at, row in alerts:
        if not buffers or at - buffers[-1][0][0] >= interval:
            buffers.append([])
        buffers[-1].append((at, row))
    s3 = s.client("s3")
    s.alerts = []
    for n, rows in enumerate(buffers):
        opened = rows[0][0]
        key = lab.expand_prefix(s.plan["prefixes"]["alerts_data"], opened) + "{}-1-{}-{}".format(
            s.names["alerts_firehose"], opened.strftime("%Y-%m-%d-%H-%M-%S"),
            uuid.uuid5(uuid.NAMESPACE_URL, f"{s.names['alerts_firehose']}/{n}"),
        )
        body = b"".join(json.dumps(row).encode() + b"\n" for _, row in rows)
        s3.put_object(Bucket=s.lake.raw_bucket, Key=key, Body=body)
        s.alerts.append((key, body))
    return problems


def send_data(stackgen: Path, class_file: Path, s: Student, trades: list[dict],
              workdir: Path, *, crawl: bool = True) -> list[str]:
    """The lab's data through A's or B's whole lake (see the module's
    docstring); without `crawl`, the crawler never runs."""
    start = arrival_start(len(trades))
    problems = replay(stackgen, class_file, s, len(trades))
    deliver_raw(s, trades, start)
    problems += run_etl(s, workdir / "etl")
    problems += deliver_alerts(s, trades, start, workdir)
    if crawl:
        problems += run_crawler(s)
    return problems


# --- grading ----------------------------------------------------------------------


def grade_live(stackgen: Path, spec: Path, endpoint: str, region: str, *,
               student: str | None = None, keys: tuple[str, str] = ("test", "test")) -> dict:
    """`stackgen grade SPEC --live --format json` against moto with the
    given access key: its JSON report (a class's without --student). Any
    exit but 0 (graded, whatever the score) fails the test."""
    args = [str(stackgen), "grade", str(spec), "--live", "--format", "json", "-q"]
    if student is not None:
        args += ["--student", student]
    t = time.monotonic()
    proc = subprocess.run(
        args, check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env=cli_env(endpoint, region, *keys), timeout=GRADE_TIMEOUT_S,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(args[1:])} exited {proc.returncode}, expected 0\n"
            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
        )
    report = json.loads(proc.stdout)
    GRADES.append((" ".join(args[3:]), time.monotonic() - t))
    return report


# (arguments, seconds) of every `grade --live` run, printed at the end.
GRADES: list[tuple[str, float]] = []


def by_index(report: dict) -> dict[str, dict]:
    return {r["student"]["index_no"]: r for r in report.get("students") or []}


def mentions(entries: list[dict], name: str) -> bool:
    return any(name in json.dumps(e) for e in entries)


def contract_problems(name: str, report: dict, state: dict | None = None) -> list[str]:
    """What every live report of a student must say: source live; the SQL
    application not graded; Terraform-only settings not checks but named in
    not_graded; every check of the state grade (`state`) graded live too, or
    named in not_graded."""
    problems = []
    if report.get("source") != "live":
        problems.append(f"{name}: source is {report.get('source')!r}, expected 'live'")
    not_graded = report.get("not_graded") or []
    if SQL_APPLICATION not in [n.get("part") for n in not_graded]:
        problems.append(f"{name}: {SQL_APPLICATION} is not under not_graded: {not_graded}")
    ids = set(grade.statuses(report))
    state_ids = set(grade.statuses(state)) if state else set(TERRAFORM_ONLY)
    for i in sorted(state_ids - ids):
        if not mentions(not_graded, i):
            problems.append(
                f"{name}: check {i} of the state grade is neither graded live nor"
                f" named in not_graded ({not_graded})"
            )
    for i in TERRAFORM_ONLY:
        if i in ids:
            problems.append(f"{name}: {i} (a Terraform-only setting) is graded live")
    return problems


# The live-only checks a full-marks report must hold: full marks without
# them would prove nothing about the data path.
DATA_CHECKS = (
    STREAM_RECORDS, RAW_OBJECTS, CRAWLER_RAN, CRAWLER_PARTITIONS, ETL_PROCESSED,
    ETL_RECONCILED, ALERTS, ETL_LOGS, "alert_function.logs.errors",
)


def full_marks_problems(name: str, report: dict) -> list[str]:
    problems = grade.full_marks_problems(f"{name}: grade --live", report)
    if report.get("points") != report.get("max_points"):
        problems.append(f"{name}: {report.get('points')} of {report.get('max_points')} points")
    missing = [i for i in DATA_CHECKS if i not in grade.statuses(report)]
    if missing:
        problems.append(f"{name}: no live check {missing}")
    return problems


def no_data_problems(name: str, report: dict, like: dict) -> list[str]:
    """A student who sent nothing: every data and logs check unknown (with
    the advice to run `stackgen replay`), none failed; every other check
    passes; and the same checks as `like` (a student with data)."""
    problems = []
    for c in grade.checks(report):
        if is_data_or_logs(c["id"]):
            if c["status"] != "unknown" or "stackgen replay" not in c["message"]:
                problems.append(
                    f"{name} sent no data: {c['id']} is {c['status']}: {c['message']!r};"
                    " expected unknown, mentioning `stackgen replay`"
                )
        elif c["status"] != "pass":
            problems.append(f"{name}: {c['id']} is {c['status']}: {c['message']!r}")
    if set(grade.statuses(report)) != set(grade.statuses(like)):
        problems.append(
            f"{name} is graded on other checks than a student with data:"
            f" {sorted(set(grade.statuses(report)) ^ set(grade.statuses(like)))}"
        )
    return problems


def lost_problems(what: str, report: dict, expected: dict[str, str]) -> list[str]:
    """The report loses exactly `expected` (check id -> status)."""
    lost = grade.lost(report)
    if lost == expected:
        return []
    return [
        f"{what}: lost {dict(sorted(lost.items()))}, expected {expected}\n"
        + grade.describe(report, set(lost) | set(expected))
    ]


# --- planted faults -------------------------------------------------------------------


@dataclass
class Fault:
    what: str
    plant: Callable[[], None]
    undo: Callable[[], None]
    # Check id -> status: what the student loses while it is planted.
    expected: dict[str, str]


def iam_raw(s: Student):
    """An IAM client that leaves policy documents as AWS sends them
    (URL-encoded JSON text) instead of parsing them, so that a document can
    be put back byte for byte."""
    iam = s.client("iam")
    iam.meta.events.unregister("after-call.iam", botocore.handlers.json_decode_policies)
    return iam


def put_back(s: Student, objects: list[tuple[str, bytes]]) -> None:
    s3 = s.client("s3")
    for key, body in objects:
        s3.put_object(Bucket=s.lake.raw_bucket, Key=key, Body=body)
    drop_moto_runs(s)


def delete(s: Student, keys: list[str]) -> None:
    s3 = s.client("s3")
    for key in keys:
        s3.delete_object(Bucket=s.lake.raw_bucket, Key=key)


def first_hour_partition(s: Student) -> str:
    symbol, year, month, day, hour = FIRST_HOUR
    return (
        f"{s.lake.processed_prefix}symbol={symbol}/year={year}/month={month}/day={day}/hour={hour}/"
    )


def fewer_rows(s: Student) -> tuple[Callable[[], None], Callable[[], None], list[str]]:
    """Plant/undo for a processed partition with one row fewer than the raw
    zone: one Parquet file of the reconciled partition (BTC_USD, its first
    event hour) rewritten without its last row."""
    s3 = s.client("s3")
    bucket = s.lake.processed_bucket
    bodies = {
        k: s3.get_object(Bucket=bucket, Key=k)["Body"].read()
        for k in pipeline.list_keys(s3, bucket, first_hour_partition(s))
    }
    tables = {k: pq.read_table(io.BytesIO(body)) for k, body in bodies.items()}
    rows = sum(t.num_rows for t in tables.values())
    problems = []
    if rows != lab.FIRST_HOUR_BTC_USD:
        problems.append(
            f"{s.d.name}: {first_hour_partition(s)} holds {rows} rows, the handout"
            f" counts {lab.FIRST_HOUR_BTC_USD} (the stand-ins lost or doubled trades)"
        )
    key = sorted(bodies)[0]
    original = bodies[key]
    shorter = io.BytesIO()
    pq.write_table(tables[key].slice(0, tables[key].num_rows - 1), shorter, compression="snappy")

    def plant() -> None:
        s3.put_object(Bucket=bucket, Key=key, Body=shorter.getvalue())

    def undo() -> None:
        s3.put_object(Bucket=bucket, Key=key, Body=original)

    return plant, undo, problems


def without_put_object(s: Student) -> tuple[Callable[[], None], Callable[[], None]]:
    """Plant/undo for the Firehose role's inline policy without s3:PutObject
    (as a student would remove it in the console); undone with the exact
    text that was there."""
    iam = iam_raw(s)
    role = s.plan["roles"]["firehose"]
    where = {"RoleName": role["name"], "PolicyName": role["policy_name"]}
    original = urllib.parse.unquote(iam.get_role_policy(**where)["PolicyDocument"])
    doc = json.loads(original)
    for st in doc["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        st["Action"] = [a for a in actions if a != "s3:PutObject"]
    doc["Statement"] = [st for st in doc["Statement"] if st["Action"]]
    assert json.dumps(doc) != json.dumps(json.loads(original)), "no s3:PutObject to remove"

    def plant() -> None:
        iam.put_role_policy(**where, PolicyDocument=json.dumps(doc))

    def undo() -> None:
        iam.put_role_policy(**where, PolicyDocument=original)
        now = urllib.parse.unquote(iam.get_role_policy(**where)["PolicyDocument"])
        assert now == original, f"the Firehose role policy was not restored: {now}"

    return plant, undo


def other_memory(s: Student) -> tuple[Callable[[], None], Callable[[], None]]:
    """Plant/undo for the ETL function's memory changed in the console."""
    lam = s.client("lambda")
    name = s.names["etl_function"]
    # What UpdateFunctionConfiguration changes whatever it sets.
    volatile = ("LastModified", "RevisionId", "ResponseMetadata")
    before = lam.get_function_configuration(FunctionName=name)

    def plant() -> None:
        lam.update_function_configuration(FunctionName=name, MemorySize=before["MemorySize"] * 2)

    def undo() -> None:
        lam.update_function_configuration(FunctionName=name, MemorySize=before["MemorySize"])
        after = lam.get_function_configuration(FunctionName=name)
        changed = {
            k for k in set(before) | set(after)
            if k not in volatile and before.get(k) != after.get(k)
        }
        assert not changed, f"{name}: not restored: {sorted(changed)}"

    return plant, undo


# What Lambda's Python runtime logs when the handler's module cannot be
# imported (the "an ETL function whose layer fails to import").
IMPORT_ERROR = (
    "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_definition':"
    " No module named 'awswrangler'\nTraceback (most recent call last):"
)


def failing_logs(s: Student) -> tuple[Callable[[], None], Callable[[], None]]:
    """Plant/undo for an ETL invocation that failed (a log stream of its own)."""
    logs = s.client("logs")
    group = f"/aws/lambda/{s.names['etl_function']}"
    stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    request_id = str(uuid.uuid4())
    now = int(time.time() * 1000)

    def plant() -> None:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": now, "message": IMPORT_ERROR},
            {"timestamp": now, "message": f"END RequestId: {request_id}"},
        ])

    def undo() -> None:
        logs.delete_log_stream(logGroupName=group, logStreamName=stream)

    return plant, undo


def faults_on(a: Student, clean: dict) -> tuple[list[Fault], list[str]]:
    """The planted faults on student A (with data, clean report `clean`)."""
    problems = []
    fewer_plant, fewer_undo, problems_ = fewer_rows(a)
    problems += problems_
    writes = [
        c["id"] for c in grade.checks(clean)
        if c["id"].startswith("firehose.iam.") and "s3:PutObject" in json.dumps(c["expected"])
    ]
    if len(writes) != 1:
        problems.append(
            f"{a.d.name}: {len(writes)} firehose.iam.* checks expect s3:PutObject"
            f" ({writes}); expected one"
        )
    raw = [(o.key, o.body) for o in a.raw]
    faults = [
        Fault(
            "data in the stream, an empty raw zone",
            lambda: delete(a, [k for k, _ in raw]),
            lambda: put_back(a, raw),
            # The reconciliation needs raw objects, so it cannot tell. The
            # crawler's table still holds the partitions it made: that check
            # still passes (it judges the table, and the table is there).
            {RAW_OBJECTS: "fail", ETL_RECONCILED: "unknown"},
        ),
        Fault(
            "a processed partition with one row fewer than the raw zone",
            fewer_plant, fewer_undo, {ETL_RECONCILED: "fail"},
        ),
        Fault(
            "no alerts",
            lambda: delete(a, [k for k, _ in a.alerts]),
            lambda: put_back(a, a.alerts),
            {ALERTS: "fail"},
        ),
        Fault("the ETL function's memory changed", *other_memory(a), {ETL_MEMORY: "fail"}),
        Fault("an error in the ETL function's logs", *failing_logs(a), {ETL_LOGS: "fail"}),
    ]
    if len(writes) == 1:
        faults.append(Fault(
            "the Firehose role's s3:PutObject removed through IAM",
            *without_put_object(a), {writes[0]: "fail"},
        ))
    return faults, problems


def planted_problems(
    stackgen: Path, class_file: Path, a: Student, faults: list[Fault]
) -> list[str]:
    """Each fault planted, A graded, the fault undone; then A is clean again."""
    problems = []
    endpoint = a.d.server.endpoint
    for fault in faults:
        fault.plant()
        try:
            report = grade_live(stackgen, class_file, endpoint, a.region, student=a.index_no)
        finally:
            fault.undo()
        problems += lost_problems(f"{a.d.name} with {fault.what}", report, fault.expected)
    report = grade_live(stackgen, class_file, endpoint, a.region, student=a.index_no)
    problems += lost_problems(f"{a.d.name} after every fault was undone", report, {})
    return problems


# --- the grader policy under moto's IAM enforcement ---------------------------------

# A resource moto's IAM enforcement judges (research: moto 5.2.5's
# access_control): S3 bucket and object ARNs, and IAM role ARNs (for a request
# naming an existing role). Every other service's request is checked against
# the resource "*", so a statement scoped to, say, a Kinesis stream ARN
# allows nothing under moto although AWS would allow it.
JUDGED = re.compile(r"^(\*|arn:[^:]+:s3:::.*|arn:[^:]+:iam::[^:]*:role/.*)$")


def moto_copy(policy: dict) -> tuple[dict, list[str]]:
    """The policy as moto can judge it: each statement with a resource moto
    does not judge gets `"Resource": "*"`, its actions unchanged (so leaving
    out an action is still seen). Returns the copy and a line per widened
    statement; test_grader_policy.py checks those statements' patterns
    against a generated class's ARNs instead."""
    doc = copy.deepcopy(policy)
    widened = []
    for st in doc["Statement"]:
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        unjudged = [r for r in resources if not JUDGED.match(r)]
        if unjudged:
            widened.append(f"{st.get('Sid', '?')}: {unjudged} -> *")
            st["Resource"] = "*"
    return doc, widened


def without(policy: dict, action: str) -> dict:
    doc = copy.deepcopy(policy)
    for st in doc["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        st["Action"] = [a for a in actions if a != action]
    doc["Statement"] = [st for st in doc["Statement"] if st["Action"]]
    return doc


def actions_of(policy: dict) -> set[str]:
    return {
        a for st in policy["Statement"]
        for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
    }


def grader_policy(stackgen: Path, spec: Path) -> dict:
    proc = subprocess.run(
        [str(stackgen), "grader-policy", str(spec), "-q"], check=False, capture_output=True,
        text=True, stdin=subprocess.DEVNULL, timeout=tfcheck.TIMEOUT_S,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"stackgen grader-policy {spec} exited {proc.returncode}\n{proc.stderr}"
        )
    return json.loads(proc.stdout)


def set_enforcement(endpoint: str, count: str) -> None:
    """moto's IAM enforcement: after `count` more requests ("0": from now
    on; "inf": never). Process-wide; the body must not be form-encoded."""
    req = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=count.encode(), method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        answer = json.load(r)
    assert answer.get("status") == "ok", answer


@contextlib.contextmanager
def iam_enforced(endpoint: str) -> Iterator[None]:
    set_enforcement(endpoint, "0")
    try:
        yield
    finally:
        set_enforcement(endpoint, "inf")


@contextlib.contextmanager
def grader_users(s: Student, policies: dict[str, dict]) -> Iterator[dict[str, tuple[str, str]]]:
    """An IAM user per policy (label -> document), holding only that
    document as a managed policy; yields label -> (access key id, secret).
    Everything is deleted afterwards."""
    iam = s.client("iam")
    made: list[tuple[str, str]] = []
    keys = {}
    try:
        for n, (label, doc) in enumerate(policies.items()):
            user = f"stackgen-live-grader-{n}"
            made_policy = iam.create_policy(PolicyName=user, PolicyDocument=json.dumps(doc))
            arn = made_policy["Policy"]["Arn"]
            iam.create_user(UserName=user)
            made.append((user, arn))
            iam.attach_user_policy(UserName=user, PolicyArn=arn)
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys[label] = (key["AccessKeyId"], key["SecretAccessKey"])
        yield keys
    finally:
        for user, arn in made:
            for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
            iam.detach_user_policy(UserName=user, PolicyArn=arn)
            iam.delete_policy(PolicyArn=arn)
            iam.delete_user(UserName=user)


def denied(report: dict) -> dict[str, dict]:
    """The checks whose AWS read was refused, by id."""
    return {c["id"]: c for c in grade.checks(report) if c["message"].startswith(ACCESS_DENIED)}


def policy_problems(stackgen: Path, class_file: Path, a: Student, clean: dict) -> list[str]:
    """`stackgen grader-policy CLASS` is enough to grade the class live, as
    moto's own IAM enforcement judges it: a user holding only its moto copy
    (moto_copy) grades every student with the same statuses as the admin
    keys and no access denied. A copy without one action that moto judges
    loses checks, each `unknown` with "access denied", never `fail`:
    glue:GetPartitions, and a Lambda read (judged thanks to motoserver.py's
    fix of moto's signature check for GETs).

    Widened in the moto copy (JUDGED says why), as the run prints: every
    statement on Kinesis, Firehose, Glue, Lambda, CloudWatch Logs, Athena
    and IAM policy ARNs (today ReadStream, ReadDeliveryStreams, ReadCatalog,
    ReadCrawler, ReadFunctions, ReadCustomerPolicies, ReadFunctionLogs,
    ReadWorkgroup). Kept as generated, and so judged by moto: the S3 bucket
    and object statements and the IAM role statement."""
    policy = grader_policy(stackgen, class_file)
    moto_doc, widened = moto_copy(policy)
    print(
        "grader-policy: statements moto cannot judge by resource, widened to *"
        " in the enforced run (their patterns: test_grader_policy.py):\n  "
        + "\n  ".join(widened or ["none"])
    )
    problems = []
    reads = ("lambda:GetFunctionConfiguration", "lambda:GetFunction")
    lambda_read = next((x for x in reads if x in actions_of(policy)), None)
    removed = ["glue:GetPartitions"] + ([lambda_read] if lambda_read else [])
    if lambda_read is None:
        problems.append(f"grader-policy holds none of {reads}")
    for action in removed:
        if action not in actions_of(policy):
            problems.append(f"grader-policy has no {action}: {sorted(actions_of(policy))}")
    if problems:
        return problems
    endpoint, region = a.d.server.endpoint, a.region
    variants = {"policy": moto_doc} | {f"without {x}": without(moto_doc, x) for x in removed}
    with grader_users(a, variants) as keys, iam_enforced(endpoint):
        full = grade_live(stackgen, class_file, endpoint, region, keys=keys["policy"])
        less = {
            x: grade_live(
                stackgen, class_file, endpoint, region, student=a.index_no,
                keys=keys[f"without {x}"],
            )
            for x in removed
        }
    admin = by_index(clean)
    graded = by_index(full)
    if sorted(graded) != sorted(admin) or full.get("unreachable"):
        problems.append(
            f"with the grader policy: students {sorted(graded)}, unreachable"
            f" {full.get('unreachable')}; with admin keys {sorted(admin)}"
        )
    for index, report in sorted(graded.items()):
        refused = denied(report)
        if refused:
            problems.append(
                f"{index} with the grader policy: access denied:\n{grade.describe(report, refused)}"
            )
        a_st, p_st = grade.statuses(admin.get(index, {"exercises": []})), grade.statuses(report)
        if a_st != p_st:
            diff = sorted(k for k in set(a_st) | set(p_st) if a_st.get(k) != p_st.get(k))
            problems.append(
                f"{index} with the grader policy grades otherwise than with admin keys:\n"
                + grade.describe(report, diff)
            )
    # The checks that must be refused without each action; with `exact`,
    # no other. Only crawler.data.partitions reads the crawler's partitions
    # (crawler.data.ran reads its crawls); the function's configuration
    # feeds every check of the function and its role.
    must = {
        "glue:GetPartitions": ({CRAWLER_PARTITIONS}, True),
        lambda_read: ({ETL_MEMORY, "etl.exists"}, False),
    }
    for action, report in less.items():
        refused = denied(report)
        what = f"{a.d.name} with the grader policy without {action}"
        needed, exact = must[action]
        if not needed <= set(refused) or (exact and set(refused) != needed):
            problems.append(
                f"{what}: access denied for {sorted(refused)}, expected"
                f" {'exactly ' if exact else 'at least '}{sorted(needed)}:\n"
                + grade.describe(report, set(refused) | needed)
            )
        base = grade.statuses(admin[a.index_no])
        for i, status in grade.statuses(report).items():
            if status != base.get(i) and (i not in refused or status != "unknown"):
                problems.append(
                    f"{what}: {i} went from {base.get(i)} to {status}, not to unknown with"
                    f" access denied:\n{grade.describe(report, [i])}"
                )
        for i, c in refused.items():
            if c["status"] != "unknown":
                problems.append(f"{what}: {i} is {c['status']} with {c['message']!r}")
        print(f"{what}: access denied: {sorted(refused)}")
    return problems


# --- all of it ----------------------------------------------------------------------


def remove_crawler_tables(students: list[Student]) -> None:
    """The crawler stand-in's tables go before step 2: its check of the
    account (awscheck.check_stack) expects the Glue tables Terraform manages
    and no other. The data stays: `terraform destroy` empties the buckets
    (force_destroy) and deletes the stream and log groups with it."""
    for s in students:
        glue = s.client("glue")
        for database, table in s.tables:
            glue.delete_table(DatabaseName=database, Name=table)
        s.tables.clear()


def problems(stackgen: Path, class_file: Path, stacks: list[deploy.Deployment],
             workdir: Path) -> list[str]:
    """The live part of test_class_shares_one_account (see the module's
    docstring): data for A and B, C none; the class graded live; the planted
    faults; the grader policy under IAM enforcement. Everything planted is
    undone, also when something fails."""
    t0 = time.monotonic()
    GRADES.clear()
    a, b, c = students = [student_of(d, class_file) for d in stacks[:3]]
    try:
        return graded_problems(stackgen, class_file, students, workdir, t0)
    finally:
        remove_crawler_tables(students)


def graded_problems(stackgen: Path, class_file: Path, students: list[Student], workdir: Path,
                    t0: float) -> list[str]:
    a, b, c = students
    endpoint, region = a.d.server.endpoint, a.region
    trades = lab.lab_trades()[:TRADES]
    problems = send_data(stackgen, class_file, a, trades, workdir / a.d.name)
    problems += send_data(stackgen, class_file, b, trades, workdir / b.d.name, crawl=False)
    if problems:
        return problems
    seconds = {"data": time.monotonic() - t0}

    # A crawler that never ran: B before her crawler runs (no crawl, no table).
    t = time.monotonic()
    report = grade_live(stackgen, class_file, endpoint, region, student=b.index_no)
    problems += lost_problems(
        f"{b.d.name} whose crawler never ran", report,
        {CRAWLER_RAN: "fail", CRAWLER_PARTITIONS: "fail"},
    )
    problems += run_crawler(b)

    # The class: A and B full marks, C no data.
    clean = grade_live(stackgen, class_file, endpoint, region)
    graded = by_index(clean)
    expected = sorted(s.index_no for s in (a, b, c))
    if sorted(graded) != expected or "unreachable" in clean:
        return problems + [
            f"grade --live of the class: students {sorted(graded)}, expected {expected};"
            f" unreachable: {clean.get('unreachable')}"
        ]
    state = grade.run_grade(
        stackgen, class_file, state=a.d.dir / "terraform.tfstate", student=a.d.name
    )
    for s in (a, b, c):
        problems += contract_problems(s.d.name, graded[s.index_no], state)
    for s in (a, b):
        problems += full_marks_problems(s.d.name, graded[s.index_no])
    problems += no_data_problems(c.d.name, graded[c.index_no], graded[a.index_no])

    # A class whose student has an account of her own: examples/class.yaml
    # (Anna Nowak, 12346, in 210987654321) graded with this account's keys.
    own = tfcheck.examples_dir() / "class.yaml"
    report = grade_live(stackgen, own, endpoint, region)
    unreachable = report.get("unreachable") or []
    what = f"grade --live {own.name}"
    if [u.get("index_no") for u in unreachable] != ["12346"] or not all(
        u.get("why") for u in unreachable
    ):
        problems.append(f"{what}: unreachable is {unreachable}, expected 12346 with why")
    if sorted(by_index(report)) != ["12345", "12347"]:
        problems.append(f"{what}: graded {sorted(by_index(report))}, expected 12345, 12347")
    elif grade.statuses(by_index(report)["12345"]) != grade.statuses(graded[a.index_no]):
        problems.append(f"{what}: 12345 grades otherwise than in the one-account class")
    # Her alone: nothing to grade, exit 1 (`grade --help`).
    proc = subprocess.run(
        [str(stackgen), "grade", str(own), "--live", "--student", "12346", "--format", "json"],
        check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env=cli_env(endpoint, region), timeout=GRADE_TIMEOUT_S,
    )
    if proc.returncode != 1 or "not reachable" not in proc.stderr or proc.stdout.strip():
        problems.append(
            f"{what} --student 12346 exited {proc.returncode}, expected 1 with"
            f" `not reachable` and no report\n{proc.stdout}{proc.stderr}"
        )
    seconds["class"] = time.monotonic() - t

    t = time.monotonic()
    faults, found = faults_on(a, graded[a.index_no])
    problems += found
    problems += planted_problems(stackgen, class_file, a, faults)
    seconds["faults"] = time.monotonic() - t

    t = time.monotonic()
    problems += policy_problems(stackgen, class_file, a, clean)
    seconds["policy"] = time.monotonic() - t
    seconds["total"] = time.monotonic() - t0
    print(
        "live grading: " + ", ".join(f"{k} {v:.1f}s" for k, v in seconds.items())
        + f"; {len(GRADES)} grade --live runs: "
        + ", ".join(f"[{args}] {s:.1f}s" for args, s in GRADES)
    )
    return problems
