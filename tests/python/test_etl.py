"""Tests for templates/lambda/etl/lambda_definition.py: its pure logic (event
parsing, prefixes, the frame transformation). The handler on the real
awswrangler is in tests/datapath/test_etl_on_moto.py."""

import io
import json
import sys
import time

import pandas as pd
import pyarrow as pa
import pytest

import lambda_definition as etl

BUCKET = "datalake-dev-100603781557-jk-12345"

# Three trades as Firehose writes them (JSON lines). The second one is the
# trade the handout plants for exercise 5; its amount is integral on purpose,
# so pandas infers int64 for dollar_amount and the cast to double is exercised.
TRADES = [
    {
        "transaction_ts": 1601510472,
        "symbol": "BTC_USD",
        "price": 10850.0,
        "amount": 0.00022284,
        "dollar_amount": 2.417814,
        "type": "buy",
        "trans_id": 124292304,
    },
    {
        "transaction_ts": 1601517611,
        "symbol": "BTC_USD",
        "price": 10853.41,
        "amount": 0.003,
        "dollar_amount": 123456789,
        "type": "buy",
        "trans_id": 124292345,
    },
    {
        "transaction_ts": 1601596800,
        "symbol": "ETH_USD",
        "price": 362.53,
        "amount": 0.80982382,
        "dollar_amount": 293.5854295,
        "type": "sell",
        "trans_id": 124292317,
    },
]

EXPECTED_COLUMNS = [
    "transaction_date",
    "price",
    "amount",
    "dollar_amount",
    "type",
    "trans_id",
    "symbol",
    "year",
    "month",
    "day",
    "hour",
]

RAW_KEY = (
    "raw-zone/stockdata/year=2020/month=10/day=01/hour=00/"
    "firehose-dev-100603781557-jk-12345-1-2020-10-01-00-01-12-0a1b2c3d"
)
# The same key as S3 puts it in the notification.
RAW_KEY_IN_EVENT = RAW_KEY.replace("=", "%3D")
ERROR_KEY_IN_EVENT = (
    "raw-zone/stockdata_errors/processing-failed/year%3D2020/month%3D10/day%3D01/"
    "hour%3D00/firehose-dev-1-2020-10-01-00-01-12-ffff"
)


def json_lines(rows):
    return "".join(json.dumps(row) + "\n" for row in rows)


def raw_frame(rows=TRADES):
    # What awswrangler.s3.read_json(..., lines=True) hands back: it parses the
    # object with pandas.read_json.
    return pd.read_json(io.StringIO(json_lines(rows)), lines=True)


def s3_record(key, bucket=BUCKET, event_name="ObjectCreated:Put"):
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2020-10-01T00:02:13.000Z",
        "eventName": event_name,
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "tf-s3-lambda-20201001",
            "bucket": {"name": bucket, "arn": "arn:aws:s3:::" + bucket},
            "object": {"key": key, "size": 1024, "sequencer": "005F7519B1"},
        },
    }


def s3_event(*keys):
    return {"Records": [s3_record(key) for key in keys]}


@pytest.fixture(autouse=True)
def default_prefixes(monkeypatch):
    for name in ("RAW_PREFIX", "PROCESSED_PREFIX", "ERRORS_PREFIX", "PROCESSED_BUCKET_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    etl.reset()


# --- event parsing -----------------------------------------------------------


def test_keys_are_url_decoded():
    assert etl.s3_objects_from_event(s3_event(RAW_KEY_IN_EVENT)) == [(BUCKET, RAW_KEY)]


def test_plus_decodes_to_space_and_percent_2b_to_plus():
    event = s3_event("raw-zone/manual+upload/trades%2Bextra.json")
    assert etl.s3_objects_from_event(event) == [(BUCKET, "raw-zone/manual upload/trades+extra.json")]


def test_error_output_and_other_prefixes_are_skipped():
    event = s3_event(
        ERROR_KEY_IN_EVENT,
        "processed-zone/stockdata/symbol%3DBTC_USD/year%3D2020/month%3D10/day%3D1/hour%3D0/x.snappy.parquet",
        "athena_output/abc.csv",
        "raw-zone/stockdata/",
        RAW_KEY_IN_EVENT,
    )
    assert etl.s3_objects_from_event(event) == [(BUCKET, RAW_KEY)]


def test_only_object_created_events_are_kept():
    event = {
        "Records": [
            s3_record(RAW_KEY_IN_EVENT, event_name="ObjectRemoved:Delete"),
            s3_record(RAW_KEY_IN_EVENT, event_name="ObjectCreated:CompleteMultipartUpload"),
        ]
    }
    assert etl.s3_objects_from_event(event) == [(BUCKET, RAW_KEY)]


def test_s3_test_event_yields_nothing():
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2020-10-01T00:00:00.000Z",
        "Bucket": BUCKET,
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    assert etl.s3_objects_from_event(test_event) == []
    assert etl.s3_objects_from_event({}) == []


def test_prefixes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RAW_PREFIX", "/landing")
    monkeypatch.setenv("PROCESSED_PREFIX", "curated/trades")
    event = s3_event(
        "landing/a.json",
        "landing/stockdata_errors/b.json",
        "raw-zone/stockdata/c.json",
    )
    assert etl.s3_objects_from_event(event) == [(BUCKET, "landing/a.json")]
    assert etl.destination_path(BUCKET) == "s3://" + BUCKET + "/curated/trades/"


def test_errors_prefix_can_be_overridden(monkeypatch):
    monkeypatch.setenv("ERRORS_PREFIX", "raw-zone/bad/")
    event = s3_event("raw-zone/bad/x", "raw-zone/stockdata_errors/y")
    assert etl.s3_objects_from_event(event) == [(BUCKET, "raw-zone/stockdata_errors/y")]


def test_default_destination_path():
    assert etl.destination_path(BUCKET) == (
        "s3://datalake-dev-100603781557-jk-12345/processed-zone/stockdata/"
    )


# --- frame transformation ----------------------------------------------------


def test_processed_frame_columns_and_types():
    out = etl.to_processed_frame(raw_frame())
    assert list(out.columns) == EXPECTED_COLUMNS
    assert {name: str(dtype) for name, dtype in out.dtypes.items()} == {
        "transaction_date": "datetime64[ns]",
        "price": "float64",
        "amount": "float64",
        "dollar_amount": "float64",
        "type": "string",
        "trans_id": "int64",
        "symbol": "string",
        "year": "int64",
        "month": "int64",
        "day": "int64",
        "hour": "int64",
    }
    assert "transaction_ts" not in out.columns


def test_processed_frame_values_for_known_epochs():
    out = etl.to_processed_frame(raw_frame())
    first = out.iloc[0]
    # 1601510472 is 2020-10-01 00:01:12 UTC.
    assert first["transaction_date"] == pd.Timestamp("2020-10-01 00:01:12")
    assert (first["year"], first["month"], first["day"], first["hour"]) == (2020, 10, 1, 0)
    assert first["symbol"] == "BTC_USD"
    assert first["type"] == "buy"
    assert first["trans_id"] == 124292304
    assert first["price"] == 10850.0

    planted = out.iloc[1]
    # 1601517611 is 2020-10-01 02:00:11 UTC (the handout's line 888).
    assert planted["transaction_date"] == pd.Timestamp("2020-10-01 02:00:11")
    assert (planted["year"], planted["month"], planted["day"], planted["hour"]) == (2020, 10, 1, 2)
    assert planted["dollar_amount"] == 123456789.0
    assert planted["trans_id"] == 124292345

    # 1601596800 is exactly midnight starting 2020-10-02 UTC.
    midnight = out.iloc[2]
    assert midnight["transaction_date"] == pd.Timestamp("2020-10-02 00:00:00")
    assert (midnight["day"], midnight["hour"]) == (2, 0)
    assert midnight["symbol"] == "ETH_USD"


def test_partitions_do_not_depend_on_the_local_timezone(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Warsaw")
    time.tzset()
    try:
        out = etl.to_processed_frame(raw_frame())
    finally:
        monkeypatch.undo()
        time.tzset()
    assert out["hour"].tolist() == [0, 2, 0]
    assert out["day"].tolist() == [1, 1, 2]


def test_partition_directories_are_unpadded_integers():
    out = etl.to_processed_frame(raw_frame())
    # awswrangler names each partition directory "<column>=<str(value)>".
    directories = sorted(
        "/".join("{}={}".format(col, val) for col, val in zip(etl.PARTITION_COLUMNS, keys))
        for keys, _ in out.groupby(etl.PARTITION_COLUMNS)
    )
    assert directories == [
        "symbol=BTC_USD/year=2020/month=10/day=1/hour=0",
        "symbol=BTC_USD/year=2020/month=10/day=1/hour=2",
        "symbol=ETH_USD/year=2020/month=10/day=2/hour=0",
    ]


def test_arrow_schema_of_the_data_columns():
    out = etl.to_processed_frame(raw_frame())
    table = pa.Table.from_pandas(out[etl.DATA_COLUMNS], preserve_index=False)
    assert table.schema.field("transaction_date").type == pa.timestamp("ns")
    assert table.schema.field("price").type == pa.float64()
    assert table.schema.field("amount").type == pa.float64()
    assert table.schema.field("dollar_amount").type == pa.float64()
    assert pa.types.is_string(table.schema.field("type").type) or pa.types.is_large_string(
        table.schema.field("type").type
    )
    assert table.schema.field("trans_id").type == pa.int64()


def test_index_of_the_input_is_ignored():
    df = raw_frame()
    df.index = [10, 20, 30]
    out = etl.to_processed_frame(df)
    assert out.index.tolist() == [0, 1, 2]
    assert out["trans_id"].tolist() == [124292304, 124292345, 124292317]


def test_missing_column_is_reported():
    df = raw_frame().drop(columns=["trans_id"])
    with pytest.raises(ValueError, match="trans_id"):
        etl.to_processed_frame(df)


def test_null_symbol_is_reported():
    rows = [dict(TRADES[0]), dict(TRADES[1])]
    rows[1]["symbol"] = None
    with pytest.raises(ValueError, match="symbol"):
        etl.to_processed_frame(raw_frame(rows))


# --- handler without the libraries -------------------------------------------
#
# The handler on the real awswrangler, against moto S3 and with the lab's
# data, is tests/datapath/test_etl_on_moto.py; these are the parts that need
# neither.


def test_event_without_raw_objects_does_not_need_awswrangler(monkeypatch):
    # None in sys.modules makes "import awswrangler" raise ImportError.
    monkeypatch.setitem(sys.modules, "awswrangler", None)
    assert etl.etl_function(s3_event(ERROR_KEY_IN_EVENT), None) == {"processed": []}
    with pytest.raises(ImportError):
        etl.etl_function(s3_event(RAW_KEY_IN_EVENT), None)


def test_processed_bucket_is_the_source_bucket_without_the_parameter(monkeypatch):
    # One bucket holds both zones: no SSM call, so no boto3 needed.
    monkeypatch.setitem(sys.modules, "boto3", None)
    for value in (None, "", "  "):
        if value is None:
            monkeypatch.delenv("PROCESSED_BUCKET_PARAMETER", raising=False)
        else:
            monkeypatch.setenv("PROCESSED_BUCKET_PARAMETER", value)
        assert etl.processed_bucket(BUCKET) == BUCKET
    monkeypatch.setenv("PROCESSED_BUCKET_PARAMETER", "/datalake/processed-bucket")
    with pytest.raises(ImportError):
        etl.processed_bucket(BUCKET)
