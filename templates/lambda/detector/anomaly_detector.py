"""Anomaly detection Lambda for the data-lake lab (exercise 5, `modern` target).

Handler: ``anomaly_detector.handler``. Runtime: Python 3.12 (3.11 and 3.13
work too); standard library only, plus boto3 (part of the Lambda runtime),
imported only when alerts are sent to Firehose.

Why a Lambda
============

The handout runs its anomaly detection as a Kinesis Data Analytics for SQL
application. That service accepts no new applications since 2025-10-15, so
the ``modern`` stack reads the same Kinesis Data Stream with this function,
through an event source mapping, and applies the same rule in Python.

The handout's SQL, and what this function does instead
======================================================

The handout's application::

    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "symbol", "type", "trans_id", "dollar_amount",
           "AvgLast30seconds", "CntLast30seconds",
           "SumLast30rows", "CntLast30rows", "max_tran_id"
    FROM (
        SELECT STREAM "symbol", "type", "trans_id", "dollar_amount",
            AVG("dollar_amount") OVER LAST_30_SECS AS "AvgLast30seconds",
            COUNT(*)             OVER LAST_30_SECS AS "CntLast30seconds",
            SUM("dollar_amount") OVER LAST_30_ROWS AS "SumLast30rows",
            COUNT(*)             OVER LAST_30_ROWS AS "CntLast30rows",
            MAX("trans_id")      OVER LAST_30_ROWS AS "max_tran_id"
        FROM "SOURCE_SQL_STREAM_001"
        WHERE "symbol" = 'BTC_USD'
        WINDOW
            LAST_30_SECS AS (PARTITION BY "symbol", "type"
                             RANGE INTERVAL '30' SECOND PRECEDING),
            LAST_30_ROWS AS (PARTITION BY "symbol", "type" ROWS 30 PRECEDING)
    )
    WHERE "dollar_amount" > 4 * ("AvgLast30seconds");

Piece by piece (the constants come from environment variables: ``SYMBOL``,
default ``BTC_USD``; ``THRESHOLD``, default ``4``; ``WINDOW_SECONDS``,
default ``30``; below N stands for WINDOW_SECONDS):

=================================  ==========================================
SQL                                this function
=================================  ==========================================
``WHERE "symbol" = 'BTC_USD'``     Same. Trades of other symbols are decoded
                                   but not analysed and leave no state behind,
                                   however large they are.
``PARTITION BY "symbol", "type"``  Same: one set of windows per (symbol, type),
                                   so buys and sells are averaged apart.
``ROWTIME`` (the time the row      **Differs.** The trade's
entered the application)           ``approximateArrivalTimestamp``: when the
                                   Kinesis stream received it. Both are arrival
                                   times, not the trade's ``transaction_ts``;
                                   this one does not move with how late Lambda
                                   gets the batch. ROWTIME never goes
                                   backwards; the arrival
                                   timestamp is approximate, so a trade that
                                   seems to have arrived before the previous
                                   trade of its partition is given that
                                   previous trade's time instead.
``RANGE INTERVAL '30' SECOND       Same: the trades of the partition that
PRECEDING``                        arrived at most N seconds before the current
                                   one, bounds included, and the current trade
                                   itself. ``AvgLastNseconds`` and
                                   ``CntLastNseconds`` are their average and
                                   count. (The current trade is part of its own
                                   average, as in the SQL, so with threshold 4
                                   nothing can be flagged before a window holds
                                   at least 5 trades.)
``ROWS 30 PRECEDING``              Same: the current trade and up to 30 trades
                                   before it in the partition, whatever their
                                   age: ``SumLast30rows``, ``CntLast30rows``
                                   (at most 31) and ``max_tran_id``. The
                                   30 is fixed, as in the handout.
``WHERE "dollar_amount" >          Same: flagged when dollar_amount >
4 * ("AvgLast30seconds")``         THRESHOLD x AvgLastNseconds (strictly
                                   greater).
``DESTINATION_SQL_STREAM``         Same nine columns, as the keys of a JSON
                                   object: symbol, type, trans_id,
                                   dollar_amount, AvgLastNseconds,
                                   CntLastNseconds, SumLast30rows,
                                   CntLast30rows, max_tran_id.
The application's state            **Differs.** The windows live in a
                                   module-level object, which survives between
                                   invocations only while Lambda keeps the
                                   container warm (see below).
Output to a Firehose and to the    Each alert is logged (one WARNING line
alert Lambda                       ``ANOMALY {...}``, keys sorted) and, when
                                   ``ALERTS_DELIVERY_STREAM`` names a Firehose
                                   delivery stream, put there as one JSON line.
A row that does not fit the input  Logged at ERROR level and skipped (a JSON
schema goes to ``error_stream``    object needs symbol, type, trans_id and a
                                   finite dollar_amount, plus the record's
                                   arrival timestamp).
=================================  ==========================================

State, cold starts and shards
-----------------------------

With the lab's single shard, Lambda hands the stream's records to one
invocation at a time, in order, in batches; the windows carried over from the
previous batch make the windows of the next one complete, exactly as in the
SQL. But:

* After a cold start (the first invocation, a new deployment or
  configuration, a container Lambda has recycled) the state is empty: the
  first window is partial. For N seconds the averages cover fewer trades than
  the SQL's would, and the 30-row aggregates fewer rows until 30 more trades
  have arrived in the partition. A trade that comes just after a cold start
  can be missed: alone in its window it is its own average, and with
  threshold 4 nothing is flagged before the window holds 5 trades. (The SQL
  application starts with empty windows too, but only once, when it starts.)
* Lambda does not promise to send every batch to the same warm container; if
  it uses another one (a second container left from a manual test
  invocation, say), each container's windows hold only the batches it saw.
* With several shards, each shard's batches run in their own invocations,
  possibly in different containers, so a container's windows hold only part
  of a partition's trades. The rule is exact only with one shard; beyond that
  the windows would have to live outside the function (or the detection move
  to Managed Service for Apache Flink).
* If an invocation fails (a time-out, say), Lambda retries the batch and the
  trades already observed are counted a second time.

Memory stays bounded: a partition keeps its time window's trades, dropping the
older ones as each new trade arrives, and its last 31 rows; at most
``MAX_PARTITIONS`` partitions are kept, the least recently used being dropped.

The function never reports batch item failures: retrying a record that cannot
be decoded would not help, and alerts Firehose refuses are logged (they are in
the ``ANOMALY`` lines anyway) instead of holding up the shard.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import os
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

DEFAULT_SYMBOL = "BTC_USD"
DEFAULT_THRESHOLD = 4.0
DEFAULT_WINDOW_SECONDS = 30

# ROWS 30 PRECEDING: the current row and up to 30 before it.
ROWS_PRECEDING = 30
# Partitions (symbol, type) kept in memory; the lab has two (buy and sell).
MAX_PARTITIONS = 64
# PutRecordBatch takes at most 500 records per call.
FIREHOSE_BATCH_LIMIT = 500

Alert = dict[str, Any]
FirehoseRecord = dict[str, bytes]


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The rule's constants: the watched symbol, the factor and the window."""

    symbol: str = DEFAULT_SYMBOL
    threshold: float = DEFAULT_THRESHOLD
    window_seconds: int = DEFAULT_WINDOW_SECONDS

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol:
            raise ValueError(f"SYMBOL must be a non-empty string, got {self.symbol!r}")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)):
            raise ValueError(f"THRESHOLD must be a number, got {self.threshold!r}")
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"THRESHOLD must be a positive number, got {self.threshold!r}")
        if isinstance(self.window_seconds, bool) or not isinstance(self.window_seconds, int):
            raise ValueError(f"WINDOW_SECONDS must be a whole number, got {self.window_seconds!r}")
        if self.window_seconds < 1:
            raise ValueError(f"WINDOW_SECONDS must be at least 1, got {self.window_seconds!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read SYMBOL, THRESHOLD and WINDOW_SECONDS; unset or empty means the default.

        A value that does not parse raises ValueError: a misconfigured detector
        should fail loudly rather than watch the wrong thing.
        """
        env = os.environ if environ is None else environ
        symbol = (env.get("SYMBOL") or "").strip() or DEFAULT_SYMBOL
        threshold_text = (env.get("THRESHOLD") or "").strip()
        window_text = (env.get("WINDOW_SECONDS") or "").strip()
        try:
            threshold = float(threshold_text) if threshold_text else DEFAULT_THRESHOLD
        except ValueError:
            raise ValueError(f"THRESHOLD must be a number, got {threshold_text!r}") from None
        try:
            window = int(window_text) if window_text else DEFAULT_WINDOW_SECONDS
        except ValueError:
            raise ValueError(f"WINDOW_SECONDS must be a whole number, got {window_text!r}") from None
        return cls(symbol=symbol, threshold=threshold, window_seconds=window)

    @property
    def avg_key(self) -> str:
        return f"AvgLast{self.window_seconds}seconds"

    @property
    def cnt_key(self) -> str:
        return f"CntLast{self.window_seconds}seconds"


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{field} is not a number: {value!r}")
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            raise ValueError(f"{field} is not a number: {value!r}") from None
    else:
        raise ValueError(f"{field} is not a number: {value!r}")
    if not math.isfinite(result):
        raise ValueError(f"{field} is not a finite number: {value!r}")
    return result


def _whole_number(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{field} is not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{field} is not a whole number: {value!r}")


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field} is not a string: {value!r}")
    return value


def decode(record: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
    """One record of a Kinesis event -> ``(trade, arrival)``.

    ``trade`` is the JSON object the generator sent, with ``symbol`` and
    ``type`` checked to be strings, ``trans_id`` an int and ``dollar_amount``
    a finite float; ``arrival`` is the record's approximateArrivalTimestamp in
    seconds. Raises ValueError when the record does not have that shape.
    """
    try:
        kinesis = record["kinesis"]
        data = kinesis["data"]
        arrival_value = kinesis["approximateArrivalTimestamp"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a Kinesis record (missing {exc})") from None
    try:
        raw = base64.b64decode(data, validate=True)
        trade = json.loads(raw.decode("utf-8"))
    except (TypeError, binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"data is not base64-encoded JSON: {exc}") from None
    if not isinstance(trade, dict):
        raise ValueError(f"data is JSON but not an object: {trade!r}")
    try:
        trade["symbol"] = _text(trade["symbol"], "symbol")
        trade["type"] = _text(trade["type"], "type")
        trade["trans_id"] = _whole_number(trade["trans_id"], "trans_id")
        trade["dollar_amount"] = _number(trade["dollar_amount"], "dollar_amount")
    except KeyError as exc:
        raise ValueError(f"trade has no {exc}") from None
    arrival = _number(arrival_value, "approximateArrivalTimestamp")
    return trade, arrival


# --------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------


class _Partition:
    """The windows of one (symbol, type)."""

    __slots__ = ("timed", "timed_sum", "rows", "clock")

    def __init__(self) -> None:
        # RANGE window: (arrival, dollar_amount), oldest first, and their sum.
        self.timed: deque[tuple[float, float]] = deque()
        self.timed_sum = 0.0
        # ROWS window: (dollar_amount, trans_id) of the last 31 trades.
        self.rows: deque[tuple[float, int]] = deque(maxlen=ROWS_PRECEDING + 1)
        # Latest arrival seen: time never goes backwards within a partition.
        self.clock = -math.inf


class Detector:
    """The handout's windows and rule, fed one trade at a time in stream order."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self._partitions: OrderedDict[tuple[str, str], _Partition] = OrderedDict()

    def _partition(self, key: tuple[str, str]) -> _Partition:
        partition = self._partitions.get(key)
        if partition is None:
            partition = _Partition()
            self._partitions[key] = partition
            if len(self._partitions) > MAX_PARTITIONS:
                dropped, _ = self._partitions.popitem(last=False)
                LOGGER.warning("more than %d partitions; forgetting %s", MAX_PARTITIONS, dropped)
        else:
            self._partitions.move_to_end(key)
        return partition

    def row(self, trade: Mapping[str, Any], arrival: float) -> Alert | None:
        """Add a trade to its windows and return its output row (the SQL's inner SELECT).

        Returns None, and remembers nothing, for a trade of another symbol.
        ``trade`` needs symbol, type, trans_id and dollar_amount (as ``decode``
        returns them); ``arrival`` is in seconds.
        """
        config = self.config
        if trade["symbol"] != config.symbol:
            return None
        amount = float(trade["dollar_amount"])
        trans_id = int(trade["trans_id"])
        part = self._partition((trade["symbol"], trade["type"]))

        now = max(float(arrival), part.clock)
        part.clock = now

        # RANGE INTERVAL 'N' SECOND PRECEDING: arrivals in [now - N, now].
        part.timed.append((now, amount))
        part.timed_sum += amount
        oldest_kept = now - config.window_seconds
        resum = False
        while part.timed[0][0] < oldest_kept:
            _, old_amount = part.timed.popleft()
            part.timed_sum -= old_amount
            # When an amount larger than all that remains leaves (the planted
            # trade, say), the running sum keeps that amount's rounding error,
            # large next to what remains: add the window up afresh. Only such
            # an amount triggers it, so a trade still costs O(1) on average.
            resum = resum or abs(old_amount) > abs(part.timed_sum)
        if resum:
            part.timed_sum = math.fsum(a for _, a in part.timed)

        # ROWS 30 PRECEDING: the deque keeps the last 31 rows by itself.
        part.rows.append((amount, trans_id))

        return {
            "symbol": trade["symbol"],
            "type": trade["type"],
            "trans_id": trans_id,
            "dollar_amount": amount,
            config.avg_key: part.timed_sum / len(part.timed),
            config.cnt_key: len(part.timed),
            "SumLast30rows": math.fsum(a for a, _ in part.rows),
            "CntLast30rows": len(part.rows),
            "max_tran_id": max(t for _, t in part.rows),
        }

    def is_anomaly(self, row: Mapping[str, Any]) -> bool:
        """The SQL's outer WHERE: dollar_amount > THRESHOLD x the window average."""
        return row["dollar_amount"] > self.config.threshold * row[self.config.avg_key]

    def observe(self, trade: Mapping[str, Any], arrival: float) -> Alert | None:
        """Feed one trade; return its alert record if it is flagged, else None."""
        row = self.row(trade, arrival)
        if row is not None and self.is_anomaly(row):
            return row
        return None


def _record_label(record: Any) -> str:
    if isinstance(record, Mapping):
        if record.get("eventID"):
            return str(record["eventID"])
        kinesis = record.get("kinesis")
        if isinstance(kinesis, Mapping) and kinesis.get("sequenceNumber"):
            return "sequence number {}".format(kinesis["sequenceNumber"])
    return "<unidentified record>"


def alerts_from_event(event: Mapping[str, Any], detector: Detector) -> list[Alert]:
    """Feed every record of a Kinesis event, in order; return the alerts.

    Records that cannot be decoded are logged at ERROR level and skipped.
    """
    alerts = []
    for record in event.get("Records") or []:
        try:
            trade, arrival = decode(record)
        except ValueError as exc:
            LOGGER.error("skipping %s: %s", _record_label(record), exc)
            continue
        alert = detector.observe(trade, arrival)
        if alert is not None:
            alerts.append(alert)
    return alerts


def to_json(alert: Mapping[str, Any]) -> str:
    """One alert as JSON with sorted keys (the log line and the Firehose record)."""
    return json.dumps(alert, sort_keys=True)


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def _put(client: Any, stream_name: str, records: list[FirehoseRecord]) -> tuple[list[FirehoseRecord], list[str]]:
    """One PutRecordBatch call; returns the records Firehose refused and its error codes."""
    response = client.put_record_batch(DeliveryStreamName=stream_name, Records=records)
    if not response.get("FailedPutCount"):
        return [], []
    answers = response.get("RequestResponses") or []
    refused = [record for record, answer in zip(records, answers) if answer.get("ErrorCode")]
    codes = sorted({answer["ErrorCode"] for answer in answers if answer.get("ErrorCode")})
    return refused, codes


def _put_chunk(client: Any, stream_name: str, records: list[FirehoseRecord]) -> int:
    """Put up to 500 records; retry the refused ones once. Returns how many were lost."""
    pending = records
    try:
        pending, codes = _put(client, stream_name, pending)
        if pending:
            LOGGER.warning(
                "Firehose %s refused %d of %d alert(s) (%s); retrying them once",
                stream_name,
                len(pending),
                len(records),
                ", ".join(codes),
            )
            pending, codes = _put(client, stream_name, pending)
    except Exception:  # any SDK error; boto3 has already retried it
        LOGGER.exception("PutRecordBatch to %s failed; %d alert(s) not delivered", stream_name, len(pending))
        return len(pending)
    if pending:
        LOGGER.error(
            "Firehose %s refused %d alert(s) again (%s); they are only in the ANOMALY log lines",
            stream_name,
            len(pending),
            ", ".join(codes),
        )
    return len(pending)


def send_alerts(client: Any, stream_name: str, alerts: list[Alert]) -> int:
    """Put the alerts to a Firehose delivery stream as JSON lines, 500 per call.

    Records Firehose refuses are retried once; what is still refused is logged
    at ERROR level. Returns the number of alerts not delivered.
    """
    records = [{"Data": (to_json(alert) + "\n").encode("utf-8")} for alert in alerts]
    lost = 0
    for start in range(0, len(records), FIREHOSE_BATCH_LIMIT):
        lost += _put_chunk(client, stream_name, records[start : start + FIREHOSE_BATCH_LIMIT])
    return lost


# --------------------------------------------------------------------------
# Lambda entry point and the state a warm container keeps
# --------------------------------------------------------------------------

_DETECTOR: Detector | None = None
_FIREHOSE: Any = None


def reset() -> None:
    """Forget the windows and the Firehose client, as a cold start does."""
    global _DETECTOR, _FIREHOSE
    _DETECTOR = None
    _FIREHOSE = None


def _detector(config: Config) -> Detector:
    global _DETECTOR
    if _DETECTOR is None or _DETECTOR.config != config:
        _DETECTOR = Detector(config)
    return _DETECTOR


def _firehose_client() -> Any:
    global _FIREHOSE
    if _FIREHOSE is None:
        import boto3  # in the Lambda runtime; imported here so the logic runs without it

        _FIREHOSE = boto3.client("firehose")
    return _FIREHOSE


def handler(event, context):
    """Lambda entry point for a Kinesis Data Stream event source mapping."""
    detector = _detector(Config.from_env())
    records = (event or {}).get("Records") or []
    alerts = alerts_from_event(event or {}, detector)
    for alert in alerts:
        LOGGER.warning("ANOMALY %s", to_json(alert))
    stream_name = os.environ.get("ALERTS_DELIVERY_STREAM", "").strip()
    if alerts and stream_name:
        send_alerts(_firehose_client(), stream_name, alerts)
    LOGGER.info("%d record(s), %d alert(s)", len(records), len(alerts))
    return {"batchItemFailures": []}
