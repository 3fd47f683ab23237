"""Alert Lambda for the data-lake lab (exercise 5): logs every flagged trade.

Handler: ``alert_function.handler``.

Main caller: the Lambda output of the Kinesis Data Analytics (SQL)
application. Each record carries a ``recordId`` and base64 ``data`` holding one
row of ``DESTINATION_SQL_STREAM`` as a JSON object (symbol, type, trans_id,
dollar_amount, AvgLast30seconds, CntLast30seconds, SumLast30rows,
CntLast30rows, max_tran_id). The function must answer every ``recordId`` with
``Ok`` or ``DeliveryFailed``; Kinesis Analytics retries the failed ones.

Each alert becomes one CloudWatch Logs line at WARNING level::

    ANOMALY {"dollar_amount": 123456789.0, "symbol": "BTC_USD", ...}

The function also accepts a Kinesis Data Stream event source mapping
(``Records[*].kinesis.data``) and logs those records the same way. A record
that cannot be decoded is logged at ERROR level and not retried.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, Dict, List

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)


def decode_record_data(data: str) -> Dict[str, Any]:
    """Decode base64 ``data`` holding one JSON object; ValueError if it does not."""
    try:
        raw = base64.b64decode(data, validate=True)
        payload = json.loads(raw.decode("utf-8"))
    except (TypeError, binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("record data is not base64-encoded JSON: {}".format(exc)) from exc
    if not isinstance(payload, dict):
        raise ValueError("record data is JSON but not an object: {!r}".format(payload))
    return payload


def log_alert(alert: Dict[str, Any]) -> None:
    LOGGER.warning("ANOMALY %s", json.dumps(alert, sort_keys=True))


def _handle_analytics_output(records: List[Dict[str, Any]]) -> Dict[str, Any]:
    answers = []
    for record in records:
        record_id = record.get("recordId")
        try:
            log_alert(decode_record_data(record.get("data")))
            result = "Ok"
        except ValueError as exc:
            LOGGER.error("cannot decode record %s: %s", record_id, exc)
            result = "DeliveryFailed"
        answers.append({"recordId": record_id, "result": result})
    return {"records": answers}


def _handle_kinesis_stream(records: List[Dict[str, Any]]) -> Dict[str, Any]:
    for record in records:
        try:
            log_alert(decode_record_data(record["kinesis"]["data"]))
        except (KeyError, TypeError, ValueError) as exc:
            LOGGER.error("cannot decode record %s: %s", record.get("eventID"), exc)
    # Nothing is reported as failed: retrying an undecodable record would not
    # help, and an empty list is also the right answer when the mapping has
    # ReportBatchItemFailures enabled.
    return {"batchItemFailures": []}


def handler(event, context):
    """Lambda entry point."""
    event = event or {}
    if "records" in event:
        return _handle_analytics_output(event["records"] or [])
    if "Records" in event:
        return _handle_kinesis_stream(event["Records"] or [])
    LOGGER.error("unrecognised event, keys: %s", sorted(event))
    return {"records": []}
