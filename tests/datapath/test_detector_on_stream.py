"""The anomaly detector, from the stack's own zip, on a moto Kinesis stream,
sending its alerts to a moto Firehose that delivers to moto S3.

The lab's 15,779 trades go onto the stack's stream with PutRecords (500 per
call, partition key = symbol, the generator's JSON lines), and come back with
GetRecords, so their approximateArrivalTimestamp is the server's. Batches of
the event source mapping's batch_size (100) reach the handler in Lambda's
event shape (base64 data), one warm container for the whole stream, with the
environment the stack gives the function. test_detector_on_the_lab_stream
proves:

- every record reached the handler exactly once, in batches of at most 100;
- the planted trade (trans_id 124292345, line 888) is flagged;
- the alerts are exactly those of the handout's rule computed over the whole
  stream at once (`reference_alerts`, a direct evaluation of the SQL's
  windows): so the windows carry over from batch to batch. The planted
  trade's window holds more trades than its own batch has, and a cold
  container that sees only that batch counts fewer;
- every alert reached the alerts Firehose's bucket as one JSON line with
  the nine columns of the handout's DESTINATION_SQL_STREAM, and nothing else.
"""

from __future__ import annotations

import base64
import bisect
import json
import logging
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass

import pytest

from infra import tfcheck

from . import lab, pipeline
from .conftest import moto_server

EXAMPLE = "modern.yaml"
PUT_RECORDS_LIMIT = 500
# Seconds between two PutRecords calls. Unpaced, moto takes the whole file
# in about 5 s, and every 30 s window would hold every earlier trade; paced,
# the 32 calls span about 37 s, so trades also leave their windows.
PUT_INTERVAL_S = 1.2
# The handout's ROWS 30 PRECEDING.
ROWS_PRECEDING = 30


@dataclass
class StreamRun:
    stack: lab.Stack
    env: dict[str, str]
    batch_size: int
    records: list[dict]  # GetRecords' records, in stream order
    batches: list[list[dict]]  # the Lambda events' Records
    logged: list[dict]  # the ANOMALY log lines' alerts, in order
    delivered: list[dict]  # the alerts read back from the Firehose's bucket
    delivered_lines: list[str]
    cold_planted: dict | None  # a cold container's row for the planted trade


def lambda_record(record: dict, stack: lab.Stack, shard_id: str) -> dict:
    """One GetRecords record as the event source mapping hands it to Lambda."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record["PartitionKey"],
            "sequenceNumber": record["SequenceNumber"],
            "data": base64.b64encode(record["Data"]).decode("ascii"),
            "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{stack.account_id}:role/detector",
        "awsRegion": stack.region,
        "eventSourceARN": stack.plan["arns"]["stream"],
    }


def put_lab_trades(kinesis, stream: str, trades: list[dict]) -> None:
    for n, batch in enumerate(lab.chunks(trades, PUT_RECORDS_LIMIT)):
        if n:
            time.sleep(PUT_INTERVAL_S)
        entries = [{"Data": lab.generator_record(t), "PartitionKey": t["symbol"]} for t in batch]
        answer = kinesis.put_records(StreamName=stream, Records=entries)
        assert answer["FailedRecordCount"] == 0, answer


def read_stream(kinesis, stream: str, batch_size: int) -> list[tuple[str, list[dict]]]:
    """Every record of every shard, as (shard id, GetRecords page) batches."""
    pages = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=batch_size)
            if page["Records"]:
                pages.append((shard["ShardId"], page["Records"]))
            if page.get("MillisBehindLatest", 0) == 0 and not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return pages


def wait_active(kinesis, stream: str) -> None:
    deadline = time.monotonic() + 30
    while (
        kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
            "StreamStatus"
        ]
        != "ACTIVE"
    ):
        assert time.monotonic() < deadline, f"stream {stream} never became ACTIVE"
        time.sleep(0.1)


class _Anomalies(logging.Handler):
    """Collects the alerts of the detector's `ANOMALY {...}` log lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.alerts: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("ANOMALY "):
            self.alerts.append(json.loads(message[len("ANOMALY ") :]))


@pytest.fixture(scope="module")
def stream_run(stackgen, trades, module_tmp) -> StreamRun:
    tmp = module_tmp / "stream"
    stack = lab.Stack.render(stackgen, tfcheck.examples_dir() / EXAMPLE, tmp / "stack")
    plan = stack.plan
    function = stack.function(pipeline.DETECTOR_HANDLER)
    env = stack.environment(function)
    mappings = [
        m
        for m in stack.of_type("aws_lambda_event_source_mapping").values()
        if "anomaly_detector" in str(m.get("function_name"))
    ]
    assert len(mappings) == 1, mappings
    batch_size = int(mappings[0]["batch_size"])

    with moto_server(stack, tmp) as server:
        kinesis = pipeline.client(server, "kinesis", stack.region)
        s3 = pipeline.client(server, "s3", stack.region)
        firehose = pipeline.client(server, "firehose", stack.region)
        stream = plan["names"]["stream"]
        kinesis.create_stream(
            StreamName=stream, ShardCount=int(plan["spec"]["stream"]["shard_count"])
        )
        wait_active(kinesis, stream)
        alerts_stream = env["ALERTS_DELIVERY_STREAM"]
        assert alerts_stream == plan["names"]["alerts_firehose"], env
        # The delivery stream as the stack declares it: its bucket and prefixes.
        (declared,) = [
            f
            for f in stack.of_type("aws_kinesis_firehose_delivery_stream").values()
            if f.get("name") == alerts_stream
        ]
        s3_config = declared["extended_s3_configuration"][0]
        bucket_arn = stack.resolve(str(s3_config["bucket_arn"]))
        alerts_bucket = bucket_arn.rsplit(":", 1)[1]
        alerts_prefix = stack.resolve(str(s3_config["prefix"]))
        pipeline.create_bucket(s3, alerts_bucket, stack.region)
        firehose.create_delivery_stream(
            DeliveryStreamName=alerts_stream,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": f"arn:aws:iam::{stack.account_id}:role/firehose-alerts",
                "BucketARN": bucket_arn,
                "Prefix": alerts_prefix,
                "ErrorOutputPrefix": stack.resolve(str(s3_config["error_output_prefix"])),
            },
        )

        put_lab_trades(kinesis, stream, trades)
        pages = read_stream(kinesis, stream, batch_size)
        records = [r for _, page in pages for r in page]
        batches = [[lambda_record(r, stack, shard) for r in page] for shard, page in pages]

        module, handler = stack.handler(function, tmp / "container")
        collector = _Anomalies()
        module.LOGGER.addHandler(collector)
        with pipeline.aws_env(server, stack.region), pytest.MonkeyPatch.context() as mp:
            for name, value in env.items():
                mp.setenv(name, value)
            for batch in batches:
                answer = handler({"Records": batch}, None)
                assert answer == {"batchItemFailures": []}, answer
            cold_planted = cold_row(stack, function, tmp / "cold", env, batches)
        module.LOGGER.removeHandler(collector)

        # moto's Firehose writes each PutRecordBatch as one object under the
        # prefix as given (it does not expand !{timestamp:...}).
        static_prefix = alerts_prefix.split("!{", 1)[0]
        lines = []
        for key in pipeline.list_keys(s3, alerts_bucket, static_prefix):
            body = s3.get_object(Bucket=alerts_bucket, Key=key)["Body"].read()
            lines.extend(body.decode("utf-8").splitlines(keepends=True))
        delivered = [json.loads(line) for line in lines]
        return StreamRun(
            stack,
            env,
            batch_size,
            records,
            batches,
            collector.alerts,
            delivered,
            lines,
            cold_planted,
        )


def cold_row(stack, function, into, env, batches) -> dict | None:
    """The planted trade's output row from a cold container that gets only
    the planted trade's batch (the windows of a fresh start)."""
    module, _ = stack.handler(function, into)
    detector = module.Detector(module.Config.from_env(env))
    for batch in batches:
        trades = [module.decode(r) for r in batch]
        if any(t["trans_id"] == lab.PLANTED_TRANS_ID for t, _ in trades):
            rows = [detector.row(t, arrival) for t, arrival in trades]
            return next(r for r in rows if r and r["trans_id"] == lab.PLANTED_TRANS_ID)
    return None


def reference_alerts(records: list[dict], symbol: str, threshold: float, window: int) -> list[dict]:
    """The handout's rule over the whole stream at once, each window
    evaluated from scratch: for every trade of `symbol`, the trades of the
    same (symbol, type) that arrived at most `window` seconds before it
    (ROWTIME taken as the arrival time, never going backwards within a
    partition), and the last 31 rows; flagged when dollar_amount > threshold
    x the window's average."""
    arrivals: dict[tuple[str, str], list[float]] = defaultdict(list)
    amounts: dict[tuple[str, str], list[float]] = defaultdict(list)
    rows: dict[tuple[str, str], deque] = defaultdict(lambda: deque(maxlen=ROWS_PRECEDING + 1))
    alerts = []
    for record in records:
        trade = json.loads(record["Data"])
        if trade["symbol"] != symbol:
            continue
        key = (trade["symbol"], trade["type"])
        previous = arrivals[key][-1] if arrivals[key] else -math.inf
        now = max(record["ApproximateArrivalTimestamp"].timestamp(), previous)
        arrivals[key].append(now)
        amounts[key].append(trade["dollar_amount"])
        rows[key].append(trade)
        # Arrivals never go backwards within a partition, so the window is
        # a tail of the list: from the first arrival at or after now - window.
        in_window = amounts[key][bisect.bisect_left(arrivals[key], now - window) :]
        average = math.fsum(in_window) / len(in_window)
        if trade["dollar_amount"] > threshold * average:
            alerts.append(
                {
                    "symbol": trade["symbol"],
                    "type": trade["type"],
                    "trans_id": trade["trans_id"],
                    "dollar_amount": trade["dollar_amount"],
                    f"AvgLast{window}seconds": average,
                    f"CntLast{window}seconds": len(in_window),
                    "SumLast30rows": math.fsum(t["dollar_amount"] for t in rows[key]),
                    "CntLast30rows": len(rows[key]),
                    "max_tran_id": max(t["trans_id"] for t in rows[key]),
                }
            )
    return alerts


def same_alert(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        if isinstance(a[k], float) or isinstance(b[k], float):
            if not math.isclose(a[k], b[k], rel_tol=1e-9):
                return False
        elif a[k] != b[k]:
            return False
    return True


def test_detector_on_the_lab_stream(stream_run: StreamRun, trades):
    run = stream_run
    spec = run.stack.plan["spec"]["analytics"]
    window = int(spec["window_seconds"])
    columns = {
        "symbol": str,
        "type": str,
        "trans_id": int,
        "dollar_amount": float,
        f"AvgLast{window}seconds": float,
        f"CntLast{window}seconds": int,
        "SumLast30rows": float,
        "CntLast30rows": int,
        "max_tran_id": int,
    }
    problems = []

    sequence_numbers = [r["SequenceNumber"] for r in run.records]
    if len(sequence_numbers) != len(trades) or len(set(sequence_numbers)) != len(trades):
        problems.append(
            f"{len(sequence_numbers)} records read back ({len(set(sequence_numbers))} distinct), {len(trades)} put"
        )
    arrivals = [r["ApproximateArrivalTimestamp"].timestamp() for r in run.records]
    if arrivals[-1] - arrivals[0] <= window:
        problems.append(
            f"the trades arrived within {arrivals[-1] - arrivals[0]:.1f} s: no trade ever left a window"
        )
    sizes = {len(b) for b in run.batches}
    if max(sizes) > run.batch_size or sum(len(b) for b in run.batches) != len(trades):
        problems.append(f"batch sizes {sorted(sizes)}, batch_size {run.batch_size}")
    if [json.loads(r["Data"]) for r in run.records] != trades:
        problems.append("the stream does not give back the lab's trades in order")

    expected = reference_alerts(run.records, spec["symbol"], float(spec["threshold"]), window)
    if len(run.logged) != len(expected) or not all(map(same_alert, run.logged, expected)):
        problems.append(
            f"{len(run.logged)} alerts logged, the rule over the whole stream gives"
            f" {len(expected)}:\n  logged   {[a['trans_id'] for a in run.logged][:20]}"
            f"\n  expected {[a['trans_id'] for a in expected][:20]}"
        )

    planted = [a for a in run.logged if a["trans_id"] == lab.PLANTED_TRANS_ID]
    if len(planted) != 1:
        problems.append(
            f"the planted trade {lab.PLANTED_TRANS_ID} was flagged {len(planted)} times"
        )
    else:
        batch = next(
            b
            for b in run.batches
            if any(
                lab.PLANTED_TRANS_ID
                == json.loads(base64.b64decode(r["kinesis"]["data"]))["trans_id"]
                for r in b
            )
        )
        same_partition = [
            t
            for t in (json.loads(base64.b64decode(r["kinesis"]["data"])) for r in batch)
            if (t["symbol"], t["type"]) == ("BTC_USD", "buy")
        ]
        count = planted[0][f"CntLast{window}seconds"]
        if count <= len(same_partition):
            problems.append(
                f"the planted trade's window holds {count} trades, its batch alone has"
                f" {len(same_partition)}: no state carried over"
            )
        if run.cold_planted is None or run.cold_planted[f"CntLast{window}seconds"] >= count:
            problems.append(
                f"a cold container's window for the planted trade: {run.cold_planted}, warm {count}"
            )

    # Firehose keeps no order across its objects: compare as multisets.
    if sorted(json.dumps(a, sort_keys=True) + "\n" for a in run.logged) != sorted(
        run.delivered_lines
    ):
        problems.append(
            f"{len(run.delivered_lines)} lines in the alerts Firehose's bucket, {len(run.logged)} alerts logged"
        )
    for alert in run.delivered:
        kinds = {k: type(v) for k, v in alert.items()}
        if kinds != columns:
            problems.append(f"alert record {alert}: columns {kinds}, expected {columns}")
            break

    print(
        f"{len(run.records)} records in {len(run.batches)} batches, arrived over"
        f" {arrivals[-1] - arrivals[0]:.1f} s; {len(run.logged)} alerts, {len(run.delivered)} delivered"
    )
    assert not problems, "\n".join(problems)
