"""The ETL function, from the stack's own zip, on the real awswrangler
(3.11.0, the AWSSDKPandas-Python312:16 layer's) against moto S3.

For each example of EXAMPLES, in the layout its stack has, the lab's 15,779
trades go into the raw zone as Firehose writes them (JSON lines, one object
per 60 s buffer, under raw-zone/stockdata/year=/month=/day=/hour= of arrival
time), and the handler gets one S3 notification per object, with the
environment the stack gives the function (conftest.etl_run).
test_processed_zone_holds_every_trade_once then reads the processed zone
back and proves:

- every call processed its object's trades, into the layout's processed
  bucket and prefix;
- every file sits under symbol=/year=/month=/day=/hour= (unpadded integers)
  and every row in it belongs to that partition (symbol, and the UTC hour of
  its transaction_ts);
- every file's columns are the Glue table's (stackgen's glue.tf), in order,
  with Parquet types Athena reads as the table's types, snappy-compressed;
- the processed zone holds every trade of the lab exactly once, with all its
  values; 337 BTC_USD trades fall in 2020-10-01 hour 0;
- nothing else was written: the raw zone is unchanged, and with two buckets
  the raw bucket holds no processed zone;
- every AWS call the handler made is allowed by the stack's ETL role policy
  (where the stack has a role of its own).

test_processed_bucket_parameter_is_read_once_per_container proves the
contract for PROCESSED_BUCKET_PARAMETER on one container and the next.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infra import tfcheck

from . import iam, lab, pipeline
from .conftest import etl_run, moto_server
from .pipeline import ONE_BUCKET, TWO_BUCKETS

# One example per layout, each in the layout its stack has: modern.yaml is
# edition uam-2021 (one bucket); uam-2025.yaml has two buckets and the SSM
# parameter; uam-2025-classic.yaml the same with a role of its own (classic
# creates IAM), so the two-bucket policy is checked against the calls too
# (classic runs awswrangler 2.7.0 on AWS; here it is 3.11.0). The same runs
# feed test_named_queries.py.
EXAMPLES = ["modern.yaml", "uam-2025.yaml", "uam-2025-classic.yaml"]


# How Athena reads a Parquet column as each of the table's types.
ATHENA_TYPES = {
    "timestamp": lambda t: pa.types.is_timestamp(t) and t.tz is None,
    "double": pa.types.is_float64,
    "bigint": pa.types.is_int64,
    "int": pa.types.is_int32,
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
}
# Partition values as the table's types spell them in a path.
PARTITION_TYPES = {
    "string": lambda v: v != "",
    "int": lambda v: v.isdigit() and str(int(v)) == v,
}


EtlRun = pipeline.EtlRun


@pytest.fixture(scope="module", params=EXAMPLES, ids=[Path(e).stem for e in EXAMPLES])
def run(request, stackgen, trades, module_tmp, tmp_path_factory, worker_id) -> EtlRun:
    return etl_run(
        tmp_path_factory, worker_id, stackgen, trades, request.param, module_tmp / request.param
    )


def check_calls(run: EtlRun) -> list[str]:
    problems = []
    destination = f"s3://{run.lake.processed_bucket}/{run.lake.processed_prefix}"
    for obj, result in zip(run.objects, run.results, strict=True):
        processed = (result or {}).get("processed") or []
        source = f"s3://{run.lake.raw_bucket}/{obj.key}"
        got = [(p.get("source"), p.get("rows"), p.get("destination")) for p in processed]
        if got != [(source, len(obj.trades), destination)]:
            problems.append(
                f"{obj.key}: handler returned {got}, expected"
                f" [({source!r}, {len(obj.trades)}, {destination!r})]"
            )
    return problems


def check_permissions(run: EtlRun) -> list[str]:
    """Every AWS call the handler made is one the stack's ETL role allows.
    A stack that uses an existing role (Learner Lab's LabRole) has no policy
    of its own to check."""
    plan = run.stack.plan
    role = (plan.get("roles") or {}).get("etl_lambda")
    if role is None:
        print(f"{run.lake.kind}: no ETL role policy of the stack's own to check the calls against")
        return []
    if not run.calls:
        return ["the handler made no AWS call at all"]
    made = Counter(f"{c.service}:{c.operation}" for c in run.calls)
    print(f"{run.lake.kind}: calls checked against the ETL role's policy: {dict(made)}")
    return iam.denied(
        run.calls, role["policy"], plan["partition"], run.stack.region, run.stack.account_id
    )


def check_other_keys(run: EtlRun) -> list[str]:
    problems = []
    raw_expected = sorted(o.key for o in run.objects)
    raw_now = [k for k in run.raw_keys if not k.startswith(run.lake.processed_prefix)]
    if raw_now != raw_expected:
        extra = sorted(set(raw_now) - set(raw_expected))
        missing = sorted(set(raw_expected) - set(raw_now))
        problems.append(f"raw bucket changed: extra {extra[:5]}, missing {missing[:5]}")
    outside = [k for k in run.processed_keys if k not in run.files and k not in raw_expected]
    if outside:
        problems.append(f"written outside {run.lake.processed_prefix}: {outside[:5]}")
    if run.lake.raw_bucket != run.lake.processed_bucket:
        stray = [k for k in run.raw_keys if k.startswith(run.lake.processed_prefix)]
        if stray:
            problems.append(f"processed files in the raw bucket: {stray[:5]}")
    if not run.files:
        problems.append(
            f"no file under s3://{run.lake.processed_bucket}/{run.lake.processed_prefix}"
        )
    return problems


def read_processed(run: EtlRun) -> tuple[list[str], Counter]:
    """Problems of layout and types, and the trades found (as lab.trade_tuple)."""
    columns, keys = run.stack.glue_table(run.stack.plan["names"]["processed_table"])
    problems: list[str] = []
    found: Counter = Counter()
    for key, path in sorted(run.files.items()):
        relative = key[len(run.lake.processed_prefix) :]
        parsed = pipeline.partition_values(relative)
        if parsed is None:
            problems.append(f"{key}: not under name=value/ partition directories")
            continue
        pairs, filename = parsed
        if [name for name, _ in pairs] != [name for name, _ in keys]:
            problems.append(f"{key}: partition directories {pairs}, table has {keys}")
            continue
        for (name, value), (_, athena_type) in zip(pairs, keys):
            if not PARTITION_TYPES[athena_type](value):
                problems.append(
                    f"{key}: {name}={value!r} is not a {athena_type} as Athena reads one"
                )
        if not filename.endswith(".snappy.parquet"):
            problems.append(f"{key}: not a .snappy.parquet file")
        # The file alone: read_table would add the path's partitions as columns.
        parquet = pq.ParquetFile(path)
        table = parquet.read()
        schema = [(f.name, f.type) for f in table.schema]
        if [n for n, _ in schema] != [n for n, _ in columns]:
            problems.append(
                f"{key}: columns {[n for n, _ in schema]}, table has {[n for n, _ in columns]}"
            )
            continue
        for (name, arrow_type), (_, athena_type) in zip(schema, columns):
            if not ATHENA_TYPES[athena_type](arrow_type):
                problems.append(
                    f"{key}: column {name} is {arrow_type}, the table says {athena_type}"
                )
        metadata = parquet.metadata
        compression = {
            metadata.row_group(g).column(c).compression
            for g in range(metadata.num_row_groups)
            for c in range(metadata.num_columns)
        }
        if compression != {"SNAPPY"}:
            problems.append(f"{key}: compression {compression}, the table says SNAPPY")
        part = dict(pairs)
        epochs = (
            table.column("transaction_date").cast(pa.timestamp("s")).cast(pa.int64()).to_pylist()
        )
        rows = table.to_pylist()
        for epoch, row in zip(epochs, rows, strict=True):
            when = datetime.fromtimestamp(epoch, UTC)
            expected_part = {
                "symbol": part["symbol"],
                "year": str(when.year),
                "month": str(when.month),
                "day": str(when.day),
                "hour": str(when.hour),
            }
            if part != expected_part:
                problems.append(
                    f"{key}: trade {row['trans_id']} at {when} belongs in {expected_part}"
                )
            found[
                (
                    epoch,
                    part["symbol"],
                    row["price"],
                    row["amount"],
                    row["dollar_amount"],
                    row["type"],
                    row["trans_id"],
                )
            ] += 1
    return problems, found


def test_processed_zone_holds_every_trade_once(run: EtlRun, trades):
    problems = check_calls(run) + check_other_keys(run)
    layout_problems, found = read_processed(run)
    problems += layout_problems[:20]
    expected = Counter(lab.trade_tuple(t) for t in trades)
    missing = expected - found
    extra = found - expected
    twice = [t for t, n in found.items() if n > 1]
    if missing or extra or twice:
        problems.append(
            f"processed zone vs the lab's {len(trades)} trades: {sum(missing.values())} missing"
            f" (e.g. {list(missing)[:2]}), {sum(extra.values())} not in the lab"
            f" (e.g. {list(extra)[:2]}), {len(twice)} stored more than once"
        )
    first_hour = sum(
        n
        for (epoch, symbol, *_rest), n in found.items()
        if symbol == "BTC_USD"
        and datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H") == "2020-10-01T00"
    )
    if first_hour != lab.FIRST_HOUR_BTC_USD:
        problems.append(f"{first_hour} BTC_USD trades in 2020-10-01 hour 0, the handout says 337")
    problems += check_permissions(run)
    # Not a problem, but what the run was: shown with -rA.
    print(
        f"{run.lake.kind}: {len(run.objects)} raw objects, {len(run.files)} Parquet files,"
        f" {sum(found.values())} trades read back"
    )
    assert not problems, "\n".join(problems)


def test_processed_bucket_parameter_is_read_once_per_container(stackgen, trades, module_tmp):
    """PROCESSED_BUCKET_PARAMETER's contract, on two containers (module
    loads) of the stack's ETL code: the first reads the parameter on its
    first object and keeps the bucket when the parameter changes; the next
    cold start reads the new value; a value that is not a bucket name stops
    the function before it writes anything."""
    tmp = module_tmp / "parameter-cache"
    stack = lab.Stack.render(stackgen, tfcheck.examples_dir() / "uam-2025.yaml", tmp / "stack")
    lake = pipeline.layout(stack, TWO_BUCKETS)
    # Two objects: 1,200 trades at 10 per second fill two 60 s buffers.
    first, second = lab.firehose_objects(trades[:1200], stack.plan)
    other = f"other-{stack.plan['names']['suffix']}"
    function = stack.function(pipeline.ETL_HANDLER)
    with moto_server(stack, tmp) as server:
        pipeline.create_lake(server, stack, lake)
        s3 = pipeline.client(server, "s3", stack.region)
        ssm = pipeline.client(server, "ssm", stack.region)
        pipeline.create_bucket(s3, other, stack.region)
        pipeline.put_raw_objects(server, stack, lake, [first, second])

        def files() -> tuple[int, int]:
            return tuple(
                len(pipeline.list_keys(s3, bucket, lake.processed_prefix))
                for bucket in (lake.processed_bucket, other)
            )

        def event(obj: lab.RawObject) -> dict:
            return pipeline.s3_notification(lake.raw_bucket, obj.key, stack.region, len(obj.body))

        with pipeline.aws_env(server, stack.region), pytest.MonkeyPatch.context() as mp:
            for name, value in lake.env.items():
                mp.setenv(name, value)
            _, warm = stack.handler(function, tmp / "container-1")
            warm(event(first), None)
            after_first = files()
            ssm.put_parameter(Name=lake.parameter, Value=other, Type="String", Overwrite=True)
            warm(event(second), None)
            after_second = files()
            _, cold = stack.handler(function, tmp / "container-2")
            cold(event(second), None)
            after_cold = files()
            ssm.put_parameter(
                Name=lake.parameter, Value=f"{other}/x", Type="String", Overwrite=True
            )
            _, broken = stack.handler(function, tmp / "container-3")
            with pytest.raises(ValueError, match="PROCESSED_BUCKET_PARAMETER"):
                broken(event(first), None)
            after_broken = files()

    assert after_first[0] > 0 and after_first[1] == 0, after_first
    # Same container: still the bucket it read first.
    assert after_second[0] > after_first[0] and after_second[1] == 0, after_second
    # New container: the parameter's new value.
    assert after_cold[0] == after_second[0] and after_cold[1] > 0, after_cold
    assert after_broken == after_cold, after_broken


def test_empty_object_and_error_output_write_nothing(stackgen, module_tmp):
    """On the real awswrangler: an empty object under the raw prefix (a
    manual upload, say) is read as no rows and writes nothing; Firehose's
    error output under the raw prefix is skipped without being read."""
    tmp = module_tmp / "nothing"
    stack = lab.Stack.render(stackgen, tfcheck.examples_dir() / "modern.yaml", tmp / "stack")
    lake = pipeline.layout(stack, ONE_BUCKET)
    raw = stack.plan["prefixes"]["raw"]
    errors = lab.expand_prefix(
        stack.plan["prefixes"]["raw_errors"].replace(
            "!{firehose:error-output-type}", "processing-failed"
        ),
        lab.ARRIVAL_START,
    )
    empty = lab.RawObject(f"{raw}stockdata/manual/empty.json", b"", [])
    failed = lab.RawObject(errors + "firehose-failed-1", lab.generator_record({"bad": 1}), [])
    assert failed.key.startswith(raw), failed.key
    with moto_server(stack, tmp) as server:
        pipeline.create_lake(server, stack, lake)
        pipeline.put_raw_objects(server, stack, lake, [empty, failed])
        results = pipeline.run_etl(server, stack, lake, [empty, failed], tmp / "etl")
        s3 = pipeline.client(server, "s3", stack.region)
        written = pipeline.list_keys(s3, lake.processed_bucket, lake.processed_prefix)
    assert [r["processed"] for r in results] == [
        [
            {
                "source": f"s3://{lake.raw_bucket}/{empty.key}",
                "rows": 0,
                "destination": f"s3://{lake.raw_bucket}/{lake.processed_prefix}",
                "files": [],
            }
        ],
        [],
    ]
    assert written == []


def test_the_permission_check_can_refuse(stackgen):
    """check_permissions' evaluation on calls the ETL role must not be
    allowed, against the role of the stack that has the parameter: a write
    into the raw zone, a listing outside the zones, another student's
    parameter, and an operation it has no mapping for."""
    plan = tfcheck.stackgen_plan(stackgen, tfcheck.examples_dir() / "uam-2025-classic.yaml")
    policy = plan["roles"]["etl_lambda"]["policy"]
    raw = plan["prefixes"]["raw_location"][len("s3://") :].split("/", 1)[0]
    processed = plan["prefixes"]["processed_location"][len("s3://") :].split("/", 1)[0]
    parameter = plan["names"]["etl_parameter"]

    def check(*calls: iam.Call) -> list[str]:
        region, account = plan["spec"]["region"], plan["spec"]["account_id"]
        return iam.denied(list(calls), policy, plan["partition"], region, account)

    allowed = [
        iam.Call("s3", "GetObject", {"Bucket": raw, "Key": "raw-zone/stockdata/x"}),
        iam.Call("s3", "PutObject", {"Bucket": processed, "Key": "processed-zone/stockdata/x"}),
        iam.Call("s3", "ListObjectsV2", {"Bucket": processed, "Prefix": "processed-zone/s"}),
        iam.Call("ssm", "GetParameter", {"Name": parameter}),
    ]
    assert check(*allowed) == []
    refused = [
        iam.Call("s3", "PutObject", {"Bucket": raw, "Key": "raw-zone/stockdata/x"}),
        iam.Call("s3", "ListObjectsV2", {"Bucket": raw, "Prefix": "athena_output/"}),
        iam.Call("ssm", "GetParameter", {"Name": parameter + "-of-someone-else"}),
        iam.Call("s3", "DeleteBucket", {"Bucket": processed}),
    ]
    assert [len(check(c)) for c in refused] == [1, 1, 1, 1], [check(c) for c in refused]
