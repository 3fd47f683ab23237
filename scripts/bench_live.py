"""The class that `BENCH=live bash scripts/bench.sh` grades live (issue 20).

    python scripts/bench_live.py serve
    python scripts/bench_live.py seed ENDPOINT PLAN.json
    python scripts/bench_live.py reads ENDPOINT PLAN.json --jobs N

PLAN.json is `stackgen plan CLASS` of a class whose students share one
account (one moto server answers as one account). `seed` creates every
student's deployed lab with boto3, by the exact names and documents of the
plan: bucket (tags, lifecycle rule, encryption, public access block, raw
JSON lines and a processed Parquet file, the notification to the ETL
function), stream with records, both Firehose streams, log groups with
events, Glue database, crawler (run once), raw and processed tables with a
partition, Lambda layer and functions with the bucket's permission, IAM
roles with their inline policies (and the crawler's managed one), Athena
workgroup and named queries. It is boto3 rather than Terraform because
applying 30 stacks takes an hour on moto, and the benchmark measures the
time grading takes, not the score (the seeding is close to a stack's
resources so that each student causes the grader's full set of reads).

`serve` is tests/infra/motoserver.py's server (run it with that file's
environment: MOTO_ACCOUNT_ID, MOTO_IAM_LOAD_MANAGED_POLICIES=true; it prints
`{"port": N}`), with one quota of moto 5.2.5 raised to AWS's: Firehose
delivery streams per region, which moto still caps at 50, the default AWS
had years ago. AWS's default today is 5,000 (the book's "Large classes"),
and 30 classic students have 60.

`reads` makes about the reads `stackgen grade --live` makes, with boto3
and N threads (one student per task), and prints the calls and the wall
time: a check of the latency proxy (scripts/latency_proxy.py) that does not
depend on stackgen.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Where the raw zone's Firehose would have written the trades replayed at
# 17:xx on 2021-04-17 (arrival-time partitions), and where the ETL function
# would have written their BTC_USD trades (event-time partitions: the
# trades are of 2020-10-01, 00:00 UTC).
RAW_HOUR = "year=2021/month=04/day=17/hour=17/"
RAW_VALUES = ["2021", "04", "17", "17"]
PROCESSED_HOUR = "symbol=BTC_USD/year=2020/month=10/day=1/hour=0/"
ALERTS_HOUR = "alerts/anomalies/year=2021/month=04/day=17/hour=17/"
SYMBOLS = ["BTC_USD", "ETH_USD", "LTC_USD"]
RAW_COLUMNS = [
    ("transaction_ts", "bigint"),
    ("symbol", "string"),
    ("price", "double"),
    ("amount", "double"),
    ("dollar_amount", "double"),
    ("type", "string"),
    ("trans_id", "bigint"),
]


def clients(endpoint: str, region: str, pool: int) -> dict:
    config = Config(
        max_pool_connections=pool,
        retries={"mode": "standard"},
        s3={"addressing_style": "path"},
    )
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=region
    )
    names = [
        "s3",
        "kinesis",
        "firehose",
        "glue",
        "lambda",
        "iam",
        "logs",
        "athena",
        "sts",
    ]
    return {n: session.client(n, endpoint_url=endpoint, config=config) for n in names}


def trades(student: int, n: int) -> list[dict]:
    """n made-up trades in the lab's record shape (the generator's JSON)."""
    base = 1601510400
    return [
        {
            "transaction_ts": base + i,
            "symbol": SYMBOLS[i % 3],
            "price": 100.0 + i + student,
            "amount": 0.5,
            "dollar_amount": (100.0 + i + student) / 2,
            "type": "buy" if i % 2 else "sell",
            "trans_id": 124289000 + i,
        }
        for i in range(n)
    ]


def parquet(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out, compression="snappy")
    return out.getvalue()


def small_zip(name: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, text)
    return out.getvalue()


def tag_list(tags: dict) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def seed_student(c: dict, number: int, plan: dict) -> None:
    n, spec, tags = plan["names"], plan["spec"], plan["tags"]
    account, region = spec["account_id"], spec["region"]
    prefixes, bucket = plan["prefixes"], n["bucket"]
    bucket_arn = f"arn:aws:s3:::{bucket}"
    role_arn = {
        key: f"arn:aws:iam::{account}:role/{r['name']}"
        for key, r in plan["roles"].items()
    }
    runtime = plan["features"]["runtime"]

    # IAM: every role with its trust and inline policy, as the stack has them.
    for key, role in plan["roles"].items():
        c["iam"].create_role(
            RoleName=role["name"],
            AssumeRolePolicyDocument=json.dumps(role["trust"]),
            Tags=tag_list(tags),
        )
        c["iam"].put_role_policy(
            RoleName=role["name"],
            PolicyName=role["policy_name"],
            PolicyDocument=json.dumps(role["policy"]),
        )
    c["iam"].attach_role_policy(
        RoleName=plan["roles"]["crawler"]["name"],
        PolicyArn=plan["managed_glue_policy_arn"],
    )

    # S3: the lake bucket and what the pipeline would have left in it.
    if region == "us-east-1":
        c["s3"].create_bucket(Bucket=bucket)
    else:
        c["s3"].create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
    c["s3"].put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags)})
    c["s3"].put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    c["s3"].put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    c["s3"].put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-athena-results",
                    "Status": "Enabled",
                    "Filter": {"Prefix": prefixes["athena_output"]},
                    "Expiration": {"Days": spec["athena"]["results_expire_days"]},
                }
            ]
        },
    )
    raw = "raw-zone/stockdata/" + RAW_HOUR
    rows = trades(number, 30)
    for part in range(3):
        body = "".join(json.dumps(r) + "\n" for r in rows[part * 10 : part * 10 + 10])
        key = f"{raw}{n['firehose']}-1-2021-04-17-17-0{part}-00-{number:04d}{part}"
        c["s3"].put_object(Bucket=bucket, Key=key, Body=body.encode())
    btc = [r for r in rows if r["symbol"] == "BTC_USD"]
    c["s3"].put_object(
        Bucket=bucket,
        Key=f"{prefixes['processed_data']}{PROCESSED_HOUR}part-00000.snappy.parquet",
        Body=parquet(btc),
    )
    c["s3"].put_object(
        Bucket=bucket,
        Key=f"{ALERTS_HOUR}{n['alerts_firehose']}-1-2021-04-17-17-05-00-{number:04d}",
        Body=(json.dumps(dict(btc[0], AvgLast30seconds=1.0)) + "\n").encode(),
    )

    # Kinesis: the stream, with a few records the generator would have sent.
    stream = n["stream"]
    c["kinesis"].create_stream(
        StreamName=stream, ShardCount=spec["stream"]["shard_count"]
    )
    c["kinesis"].add_tags_to_stream(StreamName=stream, Tags=tags)
    c["kinesis"].enable_enhanced_monitoring(
        StreamName=stream,
        ShardLevelMetrics=[
            "IncomingBytes",
            "OutgoingBytes",
            "IncomingRecords",
            "OutgoingRecords",
        ],
    )
    c["kinesis"].put_records(
        StreamName=stream,
        Records=[
            {"Data": (json.dumps(r) + "\n").encode(), "PartitionKey": r["symbol"]}
            for r in rows[:5]
        ],
    )
    stream_arn = plan["arns"]["stream"]

    # Logs: each group, Firehose's delivery streams, the ETL's run.
    groups = [
        n["firehose_log_group"],
        n["alerts_firehose_log_group"],
        n["etl_log_group"],
        n["alert_log_group"],
    ]
    for group in groups:
        c["logs"].create_log_group(logGroupName=group, tags=tags)
        c["logs"].put_retention_policy(
            logGroupName=group, retentionInDays=spec["log_retention_days"]
        )
    for group in groups[:2]:
        c["logs"].create_log_stream(logGroupName=group, logStreamName="S3Delivery")
    run = "2021/04/17/[$LATEST]0123456789abcdef"
    c["logs"].create_log_stream(logGroupName=n["etl_log_group"], logStreamName=run)
    now = int(time.time() * 1000)
    lines = ["START RequestId: 1", "processed 10 records", "END RequestId: 1"]
    c["logs"].put_log_events(
        logGroupName=n["etl_log_group"],
        logStreamName=run,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(lines)],
    )

    # Firehose: both delivery streams. CompressionFormat is given, as the
    # AWS provider does: moto leaves it out of DescribeDeliveryStream
    # otherwise, and the Rust SDK refuses such an answer.
    def destination(role: str, data: str, errors: str, group: str) -> dict:
        return {
            "RoleARN": role_arn[role],
            "BucketARN": bucket_arn,
            "Prefix": prefixes[data],
            "ErrorOutputPrefix": prefixes[errors],
            "BufferingHints": {
                "SizeInMBs": spec["firehose"]["buffer_size_mb"],
                "IntervalInSeconds": spec["firehose"]["buffer_interval_s"],
            },
            "CompressionFormat": "UNCOMPRESSED",
            "CloudWatchLoggingOptions": {
                "Enabled": True,
                "LogGroupName": n[group],
                "LogStreamName": "S3Delivery",
            },
        }

    c["firehose"].create_delivery_stream(
        DeliveryStreamName=n["firehose"],
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={
            "KinesisStreamARN": stream_arn,
            "RoleARN": role_arn["firehose"],
        },
        ExtendedS3DestinationConfiguration=destination(
            "firehose", "raw_data", "raw_errors", "firehose_log_group"
        ),
        Tags=tag_list(tags),
    )
    c["firehose"].create_delivery_stream(
        DeliveryStreamName=n["alerts_firehose"],
        DeliveryStreamType="DirectPut",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
        ExtendedS3DestinationConfiguration=destination(
            "alerts_firehose",
            "alerts_data",
            "alerts_errors",
            "alerts_firehose_log_group",
        ),
        Tags=tag_list(tags),
    )

    # Lambda: the layer, the ETL function (invoked by the bucket) and the
    # alert function.
    layer = c["lambda"].publish_layer_version(
        LayerName=n["layer"],
        Content={"ZipFile": small_zip("python/wrangler.py", "VERSION = 'bench'\n")},
        CompatibleRuntimes=[runtime],
    )
    etl = c["lambda"].create_function(
        FunctionName=n["etl_function"],
        Runtime=runtime,
        Role=role_arn["etl_lambda"],
        Handler="lambda_definition.etl_function",
        Code={
            "ZipFile": small_zip(
                "lambda_definition.py", "def etl_function(e, c):\n    pass\n"
            )
        },
        Timeout=spec["lambda"]["timeout_s"],
        MemorySize=spec["lambda"]["memory_mb"],
        Layers=[layer["LayerVersionArn"]],
        Environment={
            "Variables": {
                "RAW_PREFIX": prefixes["raw"],
                "PROCESSED_PREFIX": prefixes["processed_data"],
            }
        },
        Tags=tags,
    )
    c["lambda"].add_permission(
        FunctionName=n["etl_function"],
        StatementId="AllowExecutionFromS3Bucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=bucket_arn,
        SourceAccount=account,
    )
    c["lambda"].create_function(
        FunctionName=n["alert_function"],
        Runtime=runtime,
        Role=role_arn["alert_lambda"],
        Handler="alert_function.handler",
        Code={
            "ZipFile": small_zip("alert_function.py", "def handler(e, c):\n    pass\n")
        },
        Timeout=60,
        MemorySize=128,
        Tags=tags,
    )
    c["s3"].put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": etl["FunctionArn"],
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "prefix", "Value": prefixes["raw"]}
                            ]
                        }
                    },
                }
            ]
        },
    )

    # Glue: the database, the crawler (run once, as a student would), the
    # table it made over the raw zone with one partition, and the processed
    # zone's table with partition projection.
    db = n["glue_database"]
    c["glue"].create_database(DatabaseInput={"Name": db})
    c["glue"].create_crawler(
        Name=n["crawler"],
        Role=role_arn["crawler"],
        DatabaseName=db,
        TablePrefix=n["crawler_table_prefix"],
        Targets={"S3Targets": [{"Path": prefixes["raw_location"]}]},
        Tags=tags,
    )
    c["glue"].start_crawler(Name=n["crawler"])
    # moto moves a started crawl to COMPLETED when its crawls are listed:
    # done here, so that every timed run sees the same state.
    c["glue"].list_crawls(CrawlerName=n["crawler"])
    columns = [{"Name": k, "Type": t} for k, t in RAW_COLUMNS]
    raw_sd = {
        "Columns": columns,
        "Location": prefixes["raw_location"],
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
    }
    c["glue"].create_table(
        DatabaseName=db,
        TableInput={
            "Name": n["raw_table"],
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {
                "classification": "json",
                "UPDATED_BY_CRAWLER": n["crawler"],
            },
            "StorageDescriptor": raw_sd,
            "PartitionKeys": [
                {"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")
            ],
        },
    )
    c["glue"].create_partition(
        DatabaseName=db,
        TableName=n["raw_table"],
        PartitionInput={
            "Values": RAW_VALUES,
            "StorageDescriptor": dict(
                raw_sd, Location=prefixes["raw_location"] + RAW_HOUR
            ),
        },
    )
    c["glue"].create_table(
        DatabaseName=db,
        TableInput={
            "Name": n["processed_table"],
            "TableType": "EXTERNAL_TABLE",
            "Parameters": plan["processed_table_parameters"],
            "StorageDescriptor": {
                "Columns": [col for col in columns if col["Name"] != "symbol"],
                "Location": prefixes["processed_location"],
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    "Parameters": {"serialization.format": "1"},
                },
            },
            "PartitionKeys": [{"Name": "symbol", "Type": "string"}]
            + [{"Name": k, "Type": "int"} for k in ("year", "month", "day", "hour")],
        },
    )

    # Athena: the workgroup and the handout's queries.
    c["athena"].create_work_group(
        Name=n["workgroup"],
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": prefixes["athena_output_location"]
            },
            "EnforceWorkGroupConfiguration": True,
        },
        Tags=tag_list(tags),
    )
    for query in plan["queries"]:
        c["athena"].create_named_query(
            Name=query["name"],
            Description=query["description"],
            Database=db,
            QueryString=query["sql"],
            WorkGroup=n["workgroup"],
        )


def read_student(c: dict, plan: dict) -> int:
    """One student's reads, as `grade --live` makes them; returns the calls."""
    n, prefixes = plan["names"], plan["prefixes"]
    calls = 0

    def call(client: str, op: str, **kw) -> dict:
        nonlocal calls
        calls += 1
        try:
            return getattr(c[client], op)(**kw)
        except ClientError:
            return {}

    bucket = n["bucket"]
    call("sts", "get_caller_identity")
    call("s3", "get_bucket_tagging", Bucket=bucket)
    call("s3", "get_bucket_notification_configuration", Bucket=bucket)
    call("s3", "get_bucket_lifecycle_configuration", Bucket=bucket)

    def read(key: str, **kw) -> None:
        body = call("s3", "get_object", Bucket=bucket, Key=key, **kw).get("Body")
        if body is not None:
            body.read()

    # The raw zone's objects whole, the processed zone's Parquet footers
    # (two ranged reads each), the alerts listed.
    raw = call("s3", "list_objects_v2", Bucket=bucket, Prefix="raw-zone/stockdata/")
    for obj in raw.get("Contents", []):
        read(obj["Key"])
    processed = call(
        "s3", "list_objects_v2", Bucket=bucket, Prefix=prefixes["processed_data"]
    )
    for obj in processed.get("Contents", []):
        read(obj["Key"], Range="bytes=-8")
        read(obj["Key"], Range="bytes=-1000")
    call("s3", "list_objects_v2", Bucket=bucket, Prefix="alerts/anomalies/")
    stream = n["stream"]
    call("kinesis", "describe_stream_summary", StreamName=stream)
    call("kinesis", "list_tags_for_stream", StreamName=stream)
    shards = call("kinesis", "list_shards", StreamName=stream).get("Shards", [])
    for shard in shards:
        it = call(
            "kinesis",
            "get_shard_iterator",
            StreamName=stream,
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )
        if it:
            call("kinesis", "get_records", ShardIterator=it["ShardIterator"], Limit=100)
    for name in (n["firehose"], n["alerts_firehose"]):
        call("firehose", "describe_delivery_stream", DeliveryStreamName=name)
    db = n["glue_database"]
    call("glue", "get_database", Name=db)
    call("glue", "get_crawler", Name=n["crawler"])
    call("glue", "list_crawls", CrawlerName=n["crawler"])
    for table in (n["raw_table"], n["processed_table"]):
        call("glue", "get_table", DatabaseName=db, Name=table)
    call("glue", "get_partitions", DatabaseName=db, TableName=n["raw_table"])
    for fn in (n["etl_function"], n["alert_function"]):
        call("lambda", "get_function", FunctionName=fn)
    call("lambda", "get_policy", FunctionName=n["etl_function"])
    call("lambda", "list_layer_versions", LayerName=n["layer"])
    for role in plan["roles"].values():
        call("iam", "get_role", RoleName=role["name"])
        for name in call("iam", "list_role_policies", RoleName=role["name"]).get(
            "PolicyNames", []
        ):
            call("iam", "get_role_policy", RoleName=role["name"], PolicyName=name)
        attached = call("iam", "list_attached_role_policies", RoleName=role["name"])
        for policy in attached.get("AttachedPolicies", []):
            got = call("iam", "get_policy", PolicyArn=policy["PolicyArn"])
            if got:
                call(
                    "iam",
                    "get_policy_version",
                    PolicyArn=policy["PolicyArn"],
                    VersionId=got["Policy"]["DefaultVersionId"],
                )
    for group in (n["etl_log_group"], n["alert_log_group"]):
        call("logs", "filter_log_events", logGroupName=group, limit=50)
    call("athena", "get_work_group", WorkGroup=n["workgroup"])
    return calls


# AWS's default quota of Firehose delivery streams per region.
FIREHOSE_STREAMS_QUOTA = 5000


def serve() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from infra import motoserver
    from moto.firehose.models import DeliveryStream

    DeliveryStream.MAX_STREAMS_PER_REGION = FIREHOSE_STREAMS_QUOTA
    motoserver._serve()


def main() -> None:
    if sys.argv[1:] == ["serve"]:
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["seed", "reads"])
    parser.add_argument("endpoint")
    parser.add_argument("plan")
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    with open(args.plan, encoding="utf-8") as f:
        plans = list(json.load(f).values())
    accounts = {p["spec"]["account_id"] for p in plans}
    regions = {p["spec"]["region"] for p in plans}
    if len(accounts) != 1 or len(regions) != 1:
        sys.exit(f"one account and one region expected, got {accounts} and {regions}")
    c = clients(args.endpoint, regions.pop(), max(args.jobs, 10))
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        if args.command == "seed":
            list(pool.map(lambda ip: seed_student(c, ip[0], ip[1]), enumerate(plans)))
            calls = None
        else:
            calls = sum(pool.map(lambda p: read_student(c, p), plans))
    wall = time.perf_counter() - start
    print(
        json.dumps(
            {
                "students": len(plans),
                "jobs": args.jobs,
                "calls": calls,
                "wall_s": round(wall, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
