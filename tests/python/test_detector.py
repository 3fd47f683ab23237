"""Tests for templates/lambda/detector/anomaly_detector.py (boto3 is faked).

The fixture tests/python/fixtures/detector_trades.csv holds 121 trades as the
generator sends them (BTC_USD, ETH_USD and LTC_USD buys and sells at ordinary
amounts), one arriving about every second, with the handout's planted trade
(BTC_USD buy, trans_id 124292345, 123456789.0 USD) in the middle, at row 60.
Its ``arrival`` column becomes the records' approximateArrivalTimestamp.
"""

import base64
import csv
import json
import logging
import sys
import types
from pathlib import Path

import pytest

import anomaly_detector as det

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "detector_trades.csv"
STREAM_ARN = "arn:aws:kinesis:us-east-1:100603781557:stream/cryptostock-dev-100603781557-jk-12345"
ALERTS_STREAM = "alerts-dev-100603781557-jk-12345"
PLANTED_ID = 124292345
PLANTED_ROW = 60

# DESTINATION_SQL_STREAM's columns, in the handout's order.
COLUMNS = [
    "symbol",
    "type",
    "trans_id",
    "dollar_amount",
    "AvgLast30seconds",
    "CntLast30seconds",
    "SumLast30rows",
    "CntLast30rows",
    "max_tran_id",
]

# The planted trade's row, worked out from the fixture by hand: the BTC_USD buys
# that arrived from 1764320030.360 to 1764320060.360 are rows 33, 34, 39, 40, 43,
# 45, 46, 47, 48, 49 (12217.359219 USD together) and the planted one; the 30-row
# window holds all 17 BTC_USD buys so far (19297.687972 USD besides it).
PLANTED_ALERT = {
    "symbol": "BTC_USD",
    "type": "buy",
    "trans_id": PLANTED_ID,
    "dollar_amount": 123456789.0,
    "AvgLast30seconds": (12217.359219 + 123456789.0) / 11,
    "CntLast30seconds": 11,
    "SumLast30rows": 19297.687972 + 123456789.0,
    "CntLast30rows": 17,
    "max_tran_id": PLANTED_ID,
}

MANAGED_ENV = ("SYMBOL", "THRESHOLD", "WINDOW_SECONDS", "ALERTS_DELIVERY_STREAM")


@pytest.fixture(autouse=True)
def cold_container(monkeypatch):
    """Every test starts as a cold start, with none of the function's variables set."""
    for name in MANAGED_ENV:
        monkeypatch.delenv(name, raising=False)
    det.reset()
    yield
    det.reset()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def load_trades():
    """The fixture as (trade as the generator sends it, arrival) pairs."""
    trades = []
    with FIXTURE.open(newline="") as handle:
        for row in csv.DictReader(handle):
            trade = {
                "transaction_ts": int(row["transaction_ts"]),
                "symbol": row["symbol"],
                "price": float(row["price"]),
                "amount": float(row["amount"]),
                "dollar_amount": float(row["dollar_amount"]),
                "type": row["type"],
                "trans_id": int(row["trans_id"]),
            }
            trades.append((trade, float(row["arrival"])))
    return trades


def kinesis_record(index, data, arrival):
    """One record of a Kinesis event as Lambda delivers it; ``data`` is base64."""
    sequence = f"49655000000000000000000000000000000000000000000{index:09d}"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "BTC_USD",
            "sequenceNumber": sequence,
            "data": data,
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": "shardId-000000000000:" + sequence,
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::100603781557:role/LabRole",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
    }


def b64_json(value):
    return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")


def event_of(trades, first_index=0):
    return {
        "Records": [
            kinesis_record(first_index + i, b64_json(trade), arrival) for i, (trade, arrival) in enumerate(trades)
        ]
    }


def trade(trans_id, amount, kind="buy", symbol="BTC_USD"):
    return {"symbol": symbol, "type": kind, "trans_id": trans_id, "dollar_amount": amount}


def assert_alert(actual, expected):
    assert actual is not None
    assert sorted(actual) == sorted(expected)
    for key, value in expected.items():
        if isinstance(value, float):
            assert actual[key] == pytest.approx(value, rel=1e-12), key
        else:
            assert actual[key] == value, key


def anomaly_lines(caplog):
    found = []
    for record in caplog.records:
        message = record.getMessage()
        if message.startswith("ANOMALY "):
            assert record.levelno == logging.WARNING
            found.append(message[len("ANOMALY ") :])
    return found


def reference_rows(trades, symbol="BTC_USD", window=30.0):
    """The SQL's inner SELECT written literally, by rescanning the history for each trade."""
    rows = {}
    history = []
    for index, (t, arrival) in enumerate(trades):
        if t["symbol"] != symbol:
            continue
        history.append((t, arrival))
        same = [(u, a) for u, a in history if u["type"] == t["type"]]
        timed = [u["dollar_amount"] for u, a in same if a >= arrival - window]
        last = same[-31:]
        rows[index] = {
            "avg": sum(timed) / len(timed),
            "cnt": len(timed),
            "sum_rows": sum(u["dollar_amount"] for u, _ in last),
            "cnt_rows": len(last),
            "max_id": max(u["trans_id"] for u, _ in last),
        }
    return rows


# --------------------------------------------------------------------------
# The rule on the fixture
# --------------------------------------------------------------------------


def test_fixture_is_what_the_tests_assume():
    trades = load_trades()
    assert len(trades) == 121
    planted, _ = trades[PLANTED_ROW]
    assert planted == {
        "transaction_ts": 1601517611,
        "symbol": "BTC_USD",
        "price": 10853.41,
        "amount": 0.003,
        "dollar_amount": 123456789.0,
        "type": "buy",
        "trans_id": PLANTED_ID,
    }
    arrivals = [a for _, a in trades]
    assert arrivals == sorted(arrivals)
    assert 100 < arrivals[-1] - arrivals[0] < 121
    assert {t["symbol"] for t, _ in trades} == {"BTC_USD", "ETH_USD", "LTC_USD"}
    ordinary = [t["dollar_amount"] for t, _ in trades if t["trans_id"] != PLANTED_ID]
    assert max(ordinary) < 5000


def test_planted_trade_is_flagged_with_the_windows_figures():
    alerts = det.alerts_from_event(event_of(load_trades()), det.Detector())

    assert len(alerts) == 1
    assert_alert(alerts[0], PLANTED_ALERT)
    # The columns of DESTINATION_SQL_STREAM, in its order.
    assert list(alerts[0]) == COLUMNS
    assert isinstance(alerts[0]["trans_id"], int)
    assert isinstance(alerts[0]["CntLast30seconds"], int)


def test_every_row_matches_the_sql_written_literally():
    trades = load_trades()
    expected = reference_rows(trades)
    detector = det.Detector()
    flagged = []
    for index, (t, arrival) in enumerate(trades):
        row = detector.row(t, arrival)
        if t["symbol"] != "BTC_USD":
            assert row is None
            continue
        ref = expected[index]
        assert row["AvgLast30seconds"] == pytest.approx(ref["avg"], rel=1e-12)
        assert row["CntLast30seconds"] == ref["cnt"]
        assert row["SumLast30rows"] == pytest.approx(ref["sum_rows"], rel=1e-12)
        assert row["CntLast30rows"] == ref["cnt_rows"]
        assert row["max_tran_id"] == ref["max_id"]
        if detector.is_anomaly(row):
            flagged.append(row["trans_id"])
    assert flagged == [PLANTED_ID]
    # The reference's own verdict agrees: nothing ordinary exceeds 4 x its average.
    assert [trades[i][0]["trans_id"] for i, r in expected.items() if trades[i][0]["dollar_amount"] > 4 * r["avg"]] == [
        PLANTED_ID
    ]


def test_ordinary_trades_are_not_flagged():
    ordinary = [(t, a) for t, a in load_trades() if t["trans_id"] != PLANTED_ID]
    assert det.alerts_from_event(event_of(ordinary), det.Detector()) == []


def test_planted_trade_leaves_the_time_window_but_not_the_row_window():
    trades = load_trades()
    detector = det.Detector()
    rows = {i: detector.row(t, a) for i, (t, a) in enumerate(trades)}

    # Row 74, a BTC_USD buy 14.5 s after the planted trade, still averages it in.
    assert rows[74]["CntLast30seconds"] == 10
    assert rows[74]["AvgLast30seconds"] > 1e7
    # Row 93, the first BTC_USD buy more than 30 s after it (32.9 s), does not:
    # four ordinary buys. Its 30-row window still holds the planted trade.
    assert rows[93]["CntLast30seconds"] == 4
    assert rows[93]["AvgLast30seconds"] == pytest.approx(930.43687175, rel=1e-12)
    assert rows[93]["CntLast30rows"] == 22
    assert rows[93]["SumLast30rows"] > 123456789.0


# --------------------------------------------------------------------------
# The rule on small hand-made sequences
# --------------------------------------------------------------------------


def test_other_symbols_are_ignored_even_if_huge():
    trades = load_trades()
    huge_eth = {**trades[PLANTED_ROW][0], "symbol": "ETH_USD", "trans_id": 124292346, "dollar_amount": 9.0e8}
    huge_ltc = {**huge_eth, "symbol": "LTC_USD", "trans_id": 124292347, "type": "sell"}
    arrival = trades[PLANTED_ROW][1]
    with_huge = trades[:PLANTED_ROW] + [(huge_eth, arrival + 0.1), (huge_ltc, arrival + 0.2)] + trades[PLANTED_ROW:]

    detector = det.Detector()
    alerts = det.alerts_from_event(event_of(with_huge), detector)

    assert [a["trans_id"] for a in alerts] == [PLANTED_ID]
    assert_alert(alerts[0], PLANTED_ALERT)
    # Nothing of the other symbols is remembered.
    assert sorted(detector._partitions) == [("BTC_USD", "buy"), ("BTC_USD", "sell")]


def test_a_huge_trade_60_seconds_old_no_longer_counts():
    t0 = 1764320000.0
    detector = det.Detector()
    assert detector.observe(trade(1, 100_000_000.0), t0) is None  # alone in its window
    for second, amount in enumerate([800.0, 1200.0, 950.0, 1100.0, 700.0], start=1):
        assert detector.observe(trade(1 + second, amount), t0 + second) is None

    # 61 s later: only the trade itself is in its window.
    first = detector.row(trade(10, 500.0), t0 + 61)
    assert first["CntLast30seconds"] == 1
    assert first["AvgLast30seconds"] == 500.0
    for second, amount in zip(range(62, 66), [400.0, 600.0, 500.0, 450.0]):
        assert detector.observe(trade(second - 51, amount), t0 + second) is None

    alert = detector.observe(trade(20, 9000.0), t0 + 66)
    assert_alert(
        alert,
        {
            "symbol": "BTC_USD",
            "type": "buy",
            "trans_id": 20,
            "dollar_amount": 9000.0,
            "AvgLast30seconds": 11450.0 / 6,
            "CntLast30seconds": 6,
            # ROWS 30 PRECEDING does not look at time: the huge trade is
            # still one of the last 31 rows.
            "SumLast30rows": 100_000_000.0 + 4750.0 + 11450.0,
            "CntLast30rows": 12,
            "max_tran_id": 20,
        },
    )


def test_the_same_9000_trade_is_not_flagged_while_the_huge_one_is_in_its_window():
    t0 = 1764320000.0
    detector = det.Detector()
    detector.observe(trade(1, 100_000_000.0), t0 + 40)
    for second, amount in zip(range(61, 66), [500.0, 400.0, 600.0, 500.0, 450.0]):
        detector.observe(trade(second, amount), t0 + second)
    row = detector.row(trade(66, 9000.0), t0 + 66)
    assert row["CntLast30seconds"] == 7
    assert not detector.is_anomaly(row)


def test_window_bounds_are_inclusive_like_range_preceding():
    detector = det.Detector()
    detector.row(trade(1, 100.0), 1000.0)
    # Exactly 30 s later the first trade is still in the window ...
    assert detector.row(trade(2, 200.0), 1030.0)["CntLast30seconds"] == 2
    # ... and half a second after that it is not.
    row = detector.row(trade(3, 300.0), 1030.5)
    assert row["CntLast30seconds"] == 2
    assert row["AvgLast30seconds"] == 250.0


def test_trades_in_the_same_batch_second_are_all_counted():
    detector = det.Detector()
    for i in range(5):
        detector.row(trade(i, 100.0), 1000.0)
    alert = detector.observe(trade(9, 2001.0), 1000.0)
    assert alert["CntLast30seconds"] == 6
    assert alert["AvgLast30seconds"] == pytest.approx(2501.0 / 6)


def test_row_window_holds_the_current_trade_and_30_before_it():
    detector = det.Detector()
    ids = [100_000_000 + i for i in range(40)]
    ids[8] = 300_000_000  # the 32nd row before the last: out of its window
    ids[9] = 200_000_000  # the 31st row before the last: in it
    rows = [detector.row(trade(ids[i], 100.0 + i, kind="sell"), 1000.0 + 5 * i) for i in range(40)]

    last = rows[-1]
    assert last["CntLast30rows"] == 31
    assert last["SumLast30rows"] == sum(100.0 + i for i in range(9, 40))
    assert last["max_tran_id"] == 200_000_000
    assert rows[-2]["max_tran_id"] == 300_000_000
    # 5 s apart: the 30 s window holds the last 7 trades.
    assert last["CntLast30seconds"] == 7


def test_buys_and_sells_are_separate_partitions():
    detector = det.Detector()
    for i in range(6):
        detector.row(trade(i, 100.0, kind="sell"), 1000.0 + i)
    # A buy among sells is alone in its window, however large.
    row = detector.row(trade(99, 50_000.0, kind="buy"), 1006.0)
    assert row["CntLast30seconds"] == 1
    assert row["CntLast30rows"] == 1
    assert not detector.is_anomaly(row)


def test_an_arrival_earlier_than_the_previous_one_is_moved_up_to_it():
    detector = det.Detector()
    detector.row(trade(1, 100.0), 1000.0)
    detector.row(trade(2, 200.0), 1020.0)
    # Kinesis's timestamp is approximate; ROWTIME never goes backwards. The
    # third trade counts as arriving at 1020, with the second ...
    assert detector.row(trade(3, 300.0), 1010.0)["CntLast30seconds"] == 3
    # ... so at 1045 both are still in the window (from 1015), the first not.
    row = detector.row(trade(4, 400.0), 1045.0)
    assert row["CntLast30seconds"] == 3
    assert row["AvgLast30seconds"] == 300.0


def test_flagging_is_strictly_greater_than():
    detector = det.Detector()
    for i in range(4):
        detector.row(trade(i, 100.0), 1000.0 + i)
    # (4 x 100 + 1600) / 5 = 400, and 1600 = 4 x 400: not above it.
    row = detector.row(trade(4, 1600.0), 1004.0)
    assert row["AvgLast30seconds"] == 400.0
    assert not detector.is_anomaly(row)
    assert detector.observe(trade(5, 1600.0), 1005.0) is None
    detector = det.Detector()
    for i in range(4):
        detector.row(trade(i, 100.0), 1000.0 + i)
    assert detector.observe(trade(4, 1600.5), 1004.0) is not None


def test_partitions_are_bounded_least_recently_used_first(caplog):
    detector = det.Detector()
    with caplog.at_level(logging.WARNING, logger=det.LOGGER.name):
        for i in range(det.MAX_PARTITIONS):
            detector.row(trade(i, 10.0, kind=f"t{i}"), 1000.0 + i)
        detector.row(trade(100, 10.0, kind="t0"), 1100.0)  # t0 used again: t1 is now the oldest
        assert not caplog.records
        for i in range(det.MAX_PARTITIONS, det.MAX_PARTITIONS + 3):
            detector.row(trade(i, 10.0, kind=f"t{i}"), 1100.0 + i)
    assert len(detector._partitions) == det.MAX_PARTITIONS
    assert ("BTC_USD", "t0") in detector._partitions
    assert [("BTC_USD", f"t{i}") in detector._partitions for i in (1, 2, 3, 4)] == [False, False, False, True]
    assert ("BTC_USD", f"t{det.MAX_PARTITIONS + 2}") in detector._partitions
    assert sum("partitions" in r.getMessage() for r in caplog.records) == 3


def test_time_window_is_pruned():
    detector = det.Detector()
    for i in range(1000):
        detector.row(trade(i, 10.0), 1000.0 + i)
    partition = detector._partitions[("BTC_USD", "buy")]
    assert len(partition.timed) == 31  # arrivals 1969 to 1999
    assert len(partition.rows) == 31


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


def test_config_defaults_are_the_handouts():
    config = det.Config.from_env({})
    assert config == det.Config("BTC_USD", 4.0, 30)
    assert (config.avg_key, config.cnt_key) == ("AvgLast30seconds", "CntLast30seconds")


def test_config_reads_the_environment():
    config = det.Config.from_env({"SYMBOL": " ETH_USD ", "THRESHOLD": "2.5", "WINDOW_SECONDS": "60"})
    assert config == det.Config("ETH_USD", 2.5, 60)
    assert det.Config.from_env({"SYMBOL": "", "THRESHOLD": "", "WINDOW_SECONDS": ""}) == det.Config()


@pytest.mark.parametrize(
    "env",
    [
        {"THRESHOLD": "four"},
        {"THRESHOLD": "0"},
        {"THRESHOLD": "-4"},
        {"THRESHOLD": "nan"},
        {"THRESHOLD": "inf"},
        {"WINDOW_SECONDS": "30.5"},
        {"WINDOW_SECONDS": "0"},
        {"WINDOW_SECONDS": "thirty"},
    ],
)
def test_bad_configuration_fails_loudly(env, monkeypatch):
    with pytest.raises(ValueError):
        det.Config.from_env(env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError):
        det.handler(event_of(load_trades()[:3]), None)


def test_window_seconds_renames_the_columns_and_widens_the_window(monkeypatch, caplog):
    monkeypatch.setenv("WINDOW_SECONDS", "60")
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(load_trades()), None)

    lines = anomaly_lines(caplog)
    assert len(lines) == 1
    alert = json.loads(lines[0])
    assert "AvgLast30seconds" not in alert and "CntLast30seconds" not in alert
    # 60 s back from the planted trade reaches the first BTC_USD buys too: 17.
    assert_alert(
        alert,
        {
            **{k: v for k, v in PLANTED_ALERT.items() if not k.endswith("30seconds")},
            "AvgLast60seconds": (19297.687972 + 123456789.0) / 17,
            "CntLast60seconds": 17,
        },
    )


@pytest.mark.parametrize("threshold, flagged", [("10.99", [PLANTED_ID]), ("11", [])])
def test_threshold_is_honoured(threshold, flagged, monkeypatch, caplog):
    # With 11 trades in its window the planted trade is 10.9992 x the average.
    monkeypatch.setenv("THRESHOLD", threshold)
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(load_trades()), None)
    assert [json.loads(line)["trans_id"] for line in anomaly_lines(caplog)] == flagged


def test_a_low_threshold_flags_ordinary_trades(monkeypatch, caplog):
    monkeypatch.setenv("THRESHOLD", "1.5")
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(load_trades()), None)
    ids = [json.loads(line)["trans_id"] for line in anomaly_lines(caplog)]
    assert ids == [
        124292143,
        124292141,
        124292175,
        124292180,
        124292220,
        124292269,
        124292343,
        124292349,
        124292359,
        PLANTED_ID,
        124292388,
        124292470,
        124292511,
        124292619,
    ]
    trades = load_trades()
    reference = reference_rows(trades)
    assert ids == [trades[i][0]["trans_id"] for i, r in reference.items() if trades[i][0]["dollar_amount"] > 1.5 * r["avg"]]


def test_symbol_is_honoured(monkeypatch, caplog):
    trades = load_trades()
    planted, _ = trades[PLANTED_ROW]
    huge_eth = {**planted, "symbol": "ETH_USD", "price": 362.7, "trans_id": 124292346, "dollar_amount": 9.0e7}
    monkeypatch.setenv("SYMBOL", "ETH_USD")
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(trades + [(huge_eth, trades[-1][1] + 1.0)]), None)

    alerts = [json.loads(line) for line in anomaly_lines(caplog)]
    assert [(a["symbol"], a["trans_id"]) for a in alerts] == [("ETH_USD", 124292346)]
    assert alerts[0]["type"] == "buy"


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def test_decode_normalises_the_fields():
    record = kinesis_record(
        1,
        b64_json({"symbol": "BTC_USD", "type": "buy", "trans_id": "124292345", "dollar_amount": 123456789}),
        1764320060.36,
    )
    t, arrival = det.decode(record)
    assert arrival == 1764320060.36
    assert t["trans_id"] == 124292345
    assert t["dollar_amount"] == 123456789.0 and isinstance(t["dollar_amount"], float)


BAD_DATA = [
    "%%% not base64 %%%",
    base64.b64encode(b"not json").decode("ascii"),
    base64.b64encode(b"\xff\xfe").decode("ascii"),
    b64_json([1, 2]),
    b64_json({"symbol": "BTC_USD", "type": "buy", "trans_id": 1}),
    b64_json({"symbol": "BTC_USD", "type": "buy", "trans_id": 1, "dollar_amount": "lots"}),
    b64_json({"symbol": "BTC_USD", "type": "buy", "trans_id": 1, "dollar_amount": True}),
    b64_json({"symbol": "BTC_USD", "type": "buy", "trans_id": 1.5, "dollar_amount": 1.0}),
    b64_json({"symbol": None, "type": "buy", "trans_id": 1, "dollar_amount": 1.0}),
    base64.b64encode(b'{"symbol": "BTC_USD", "type": "buy", "trans_id": 1, "dollar_amount": NaN}').decode("ascii"),
]


@pytest.mark.parametrize("data", BAD_DATA)
def test_decode_rejects_bad_data(data):
    with pytest.raises(ValueError):
        det.decode(kinesis_record(1, data, 1000.0))


def test_decode_rejects_records_that_are_not_kinesis_records():
    good = kinesis_record(1, b64_json(trade(1, 1.0)), 1000.0)
    no_arrival = {**good, "kinesis": {k: v for k, v in good["kinesis"].items() if k != "approximateArrivalTimestamp"}}
    for record in ({}, {"kinesis": None}, no_arrival, "text"):
        with pytest.raises(ValueError):
            det.decode(record)


def test_undecodable_records_are_logged_and_skipped(caplog):
    trades = load_trades()
    event = event_of(trades)
    bad = [kinesis_record(900 + i, data, trades[PLANTED_ROW][1] - 0.5) for i, data in enumerate(BAD_DATA[:4])]
    event["Records"][PLANTED_ROW:PLANTED_ROW] = bad

    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        response = det.handler(event, None)

    assert response == {"batchItemFailures": []}
    lines = anomaly_lines(caplog)
    assert len(lines) == 1
    assert_alert(json.loads(lines[0]), PLANTED_ALERT)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 4
    for record, message in zip(bad, errors):
        assert record["eventID"] in message


# --------------------------------------------------------------------------
# The handler: state between invocations, logging, Firehose
# --------------------------------------------------------------------------


class FakeFirehose:
    """Records put_record_batch calls; ``refuse`` gives, per call, the indexes to refuse."""

    def __init__(self, refuse=(), error=None):
        self.calls = []
        self.refuse = list(refuse)
        self.error = error

    def put_record_batch(self, DeliveryStreamName, Records):
        self.calls.append((DeliveryStreamName, list(Records)))
        if self.error is not None:
            raise self.error
        refused = set(self.refuse.pop(0)) if self.refuse else set()
        answers = [
            {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
            if i in refused
            else {"RecordId": f"r{i}"}
            for i in range(len(Records))
        ]
        return {"FailedPutCount": len(refused), "Encrypted": False, "RequestResponses": answers}


@pytest.fixture
def fake_boto3(monkeypatch):
    """A boto3 module whose firehose client is a FakeFirehose."""
    module = types.ModuleType("boto3")
    module.firehose = FakeFirehose()
    module.clients = []

    def client(service_name, **kwargs):
        module.clients.append(service_name)
        return module.firehose

    module.client = client
    monkeypatch.setitem(sys.modules, "boto3", module)
    return module


def sent_lines(calls):
    return [record["Data"].decode("utf-8") for _, records in calls for record in records]


def test_windows_carry_over_between_invocations_of_a_warm_container(caplog):
    trades = load_trades()
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(trades[:50]), None)
        assert anomaly_lines(caplog) == []
        det.handler(event_of(trades[50:], first_index=50), None)
    lines = anomaly_lines(caplog)
    assert len(lines) == 1
    assert_alert(json.loads(lines[0]), PLANTED_ALERT)


def test_after_a_cold_start_the_first_window_is_partial(caplog):
    trades = load_trades()
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(trades[:PLANTED_ROW]), None)
        det.reset()  # Lambda recycled the container
        det.handler(event_of(trades[PLANTED_ROW:], first_index=PLANTED_ROW), None)
    # Alone in its window, the planted trade is its own average: not flagged.
    assert anomaly_lines(caplog) == []


def test_handler_sends_the_alerts_to_firehose_as_json_lines(monkeypatch, fake_boto3, caplog):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        response = det.handler(event_of(load_trades()), None)

    assert response == {"batchItemFailures": []}
    assert fake_boto3.clients == ["firehose"]
    calls = fake_boto3.firehose.calls
    assert [(name, len(records)) for name, records in calls] == [(ALERTS_STREAM, 1)]
    [line] = sent_lines(calls)
    assert line.endswith("\n") and line.count("\n") == 1
    assert_alert(json.loads(line), PLANTED_ALERT)
    # The same JSON as the log line, keys sorted.
    assert anomaly_lines(caplog) == [line[:-1]]
    assert list(json.loads(line)) == sorted(COLUMNS)


def test_handler_retries_refused_records_once(monkeypatch, fake_boto3, caplog):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    fake_boto3.firehose.refuse = [[0]]
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        det.handler(event_of(load_trades()), None)

    calls = fake_boto3.firehose.calls
    assert len(calls) == 2
    assert calls[0] == calls[1]
    assert json.loads(sent_lines(calls[1:])[0])["trans_id"] == PLANTED_ID
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_handler_logs_an_error_when_the_retry_is_refused_too(monkeypatch, fake_boto3, caplog):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    fake_boto3.firehose.refuse = [[0], [0]]
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        response = det.handler(event_of(load_trades()), None)

    assert response == {"batchItemFailures": []}
    assert len(fake_boto3.firehose.calls) == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert ALERTS_STREAM in errors[0] and "ServiceUnavailableException" in errors[0]


def test_handler_survives_a_failing_firehose_call(monkeypatch, fake_boto3, caplog):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    fake_boto3.firehose.error = RuntimeError("ResourceNotFoundException")
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        response = det.handler(event_of(load_trades()), None)

    assert response == {"batchItemFailures": []}
    assert len(fake_boto3.firehose.calls) == 1
    assert len(anomaly_lines(caplog)) == 1
    assert [r.levelno for r in caplog.records if r.levelno >= logging.ERROR] == [logging.ERROR]


def test_handler_without_a_delivery_stream_does_not_touch_boto3(monkeypatch, caplog):
    # A None entry in sys.modules makes `import boto3` fail.
    monkeypatch.setitem(sys.modules, "boto3", None)
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        assert det.handler(event_of(load_trades()), None) == {"batchItemFailures": []}
    assert len(anomaly_lines(caplog)) == 1


def test_handler_without_alerts_does_not_touch_boto3(monkeypatch):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    monkeypatch.setitem(sys.modules, "boto3", None)
    ordinary = [(t, a) for t, a in load_trades() if t["trans_id"] != PLANTED_ID]
    assert det.handler(event_of(ordinary), None) == {"batchItemFailures": []}


def test_handler_accepts_an_empty_event():
    assert det.handler({}, None) == {"batchItemFailures": []}
    assert det.handler({"Records": []}, None) == {"batchItemFailures": []}


def test_firehose_client_is_created_once_per_container(monkeypatch, fake_boto3):
    monkeypatch.setenv("ALERTS_DELIVERY_STREAM", ALERTS_STREAM)
    trades = load_trades()
    det.handler(event_of(trades), None)
    det.reset()
    det.handler(event_of(trades), None)  # a new container
    later = [(t, a + 200.0) for t, a in trades]
    det.handler(event_of(later), None)  # the same container, 200 s later
    assert fake_boto3.clients == ["firehose", "firehose"]
    assert len(fake_boto3.firehose.calls) == 3


def test_send_alerts_puts_at_most_500_records_per_call():
    alerts = [{"symbol": "BTC_USD", "trans_id": i} for i in range(1201)]
    client = FakeFirehose(refuse=[[3, 499], []])

    lost = det.send_alerts(client, ALERTS_STREAM, alerts)

    assert lost == 0
    assert [len(records) for _, records in client.calls] == [500, 2, 500, 201]
    assert {name for name, _ in client.calls} == {ALERTS_STREAM}
    retried = [json.loads(line)["trans_id"] for line in sent_lines(client.calls[1:2])]
    assert retried == [3, 499]
    delivered = [json.loads(line)["trans_id"] for line in sent_lines([client.calls[0]] + client.calls[2:])]
    assert delivered == list(range(1201))
    assert all(line == json.dumps(a, sort_keys=True) + "\n" for a, line in zip(alerts[:500], sent_lines(client.calls[:1]), strict=True))


def test_send_alerts_counts_what_is_lost(caplog):
    alerts = [{"symbol": "BTC_USD", "trans_id": i} for i in range(600)]
    client = FakeFirehose(refuse=[[1, 2, 3], [2], [0]])
    with caplog.at_level(logging.INFO, logger=det.LOGGER.name):
        lost = det.send_alerts(client, ALERTS_STREAM, alerts)
    # Chunk 1: 3 refused, 1 of them again. Chunk 2 (100 records): 1 refused, then delivered.
    assert lost == 1
    assert [len(records) for _, records in client.calls] == [500, 3, 100, 1]
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
