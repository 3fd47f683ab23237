"""Tests for templates/lambda/alert/alert_function.py."""

import base64
import json
import logging

import pytest

import alert_function as alert

# Rows of DESTINATION_SQL_STREAM as Kinesis Analytics serialises them (JSON,
# doubles may come in exponent notation). The first one is the trade the
# handout plants; the second an ordinary flagged trade.
PLANTED = (
    '{"symbol":"BTC_USD","type":"buy","trans_id":124292345,'
    '"dollar_amount":1.23456789E8,"AvgLast30seconds":1694441.7711287315,'
    '"CntLast30seconds":73,"SumLast30rows":123612345.5,"CntLast30rows":31,'
    '"max_tran_id":124292345}'
)
ORDINARY = (
    '{"symbol":"BTC_USD","type":"sell","trans_id":124291149,'
    '"dollar_amount":6052.0544,"AvgLast30seconds":884.2224385078083,'
    '"CntLast30seconds":12,"SumLast30rows":16510.2,"CntLast30rows":31,'
    '"max_tran_id":124291149}'
)


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def analytics_record(record_id, data):
    return {"recordId": record_id, "lambdaDeliveryRecordMetadata": {"retryHint": 0}, "data": data}


@pytest.fixture
def analytics_event():
    return {
        "invocationId": "4a3e2f0c-1111-2222-3333-444455556666",
        "applicationArn": "arn:aws:kinesisanalytics:us-east-1:100603781557:application/test-jk-12345",
        "records": [
            analytics_record("49546986683135544286507457936321625675700192471156785154", b64(PLANTED)),
            analytics_record("49546986683135544286507457936321625675700192471156785155", "%%% not base64 %%%"),
            analytics_record("49546986683135544286507457936321625675700192471156785156", b64(ORDINARY)),
            analytics_record("49546986683135544286507457936321625675700192471156785157", b64("[1, 2]")),
            analytics_record("49546986683135544286507457936321625675700192471156785158", b64("{truncated")),
        ],
    }


def anomaly_payloads(caplog):
    found = []
    for record in caplog.records:
        message = record.getMessage()
        if message.startswith("ANOMALY "):
            assert record.levelno == logging.WARNING
            found.append(json.loads(message[len("ANOMALY "):]))
    return found


def test_analytics_output_answers_every_record(analytics_event, caplog):
    with caplog.at_level(logging.INFO, logger=alert.LOGGER.name):
        response = alert.handler(analytics_event, None)

    assert response == {
        "records": [
            {"recordId": "49546986683135544286507457936321625675700192471156785154", "result": "Ok"},
            {"recordId": "49546986683135544286507457936321625675700192471156785155", "result": "DeliveryFailed"},
            {"recordId": "49546986683135544286507457936321625675700192471156785156", "result": "Ok"},
            {"recordId": "49546986683135544286507457936321625675700192471156785157", "result": "DeliveryFailed"},
            {"recordId": "49546986683135544286507457936321625675700192471156785158", "result": "DeliveryFailed"},
        ]
    }


def test_planted_trade_is_logged_as_anomaly(analytics_event, caplog):
    with caplog.at_level(logging.INFO, logger=alert.LOGGER.name):
        alert.handler(analytics_event, None)

    payloads = anomaly_payloads(caplog)
    assert [p["trans_id"] for p in payloads] == [124292345, 124291149]
    planted = payloads[0]
    assert planted["dollar_amount"] == 123456789.0
    assert planted["symbol"] == "BTC_USD"
    assert planted["type"] == "buy"
    assert planted["CntLast30seconds"] == 73
    assert planted["AvgLast30seconds"] == pytest.approx(1694441.7711287315)

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3
    assert "49546986683135544286507457936321625675700192471156785155" in errors[0].getMessage()


def test_kinesis_stream_records_are_logged_the_same_way(caplog):
    event = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventID": "shardId-000000000000:1",
                "kinesis": {"partitionKey": "BTC_USD", "data": b64(PLANTED), "sequenceNumber": "1"},
            },
            {
                "eventSource": "aws:kinesis",
                "eventID": "shardId-000000000000:2",
                "kinesis": {"partitionKey": "BTC_USD", "data": "@@@", "sequenceNumber": "2"},
            },
        ]
    }
    with caplog.at_level(logging.INFO, logger=alert.LOGGER.name):
        response = alert.handler(event, None)

    assert response == {"batchItemFailures": []}
    payloads = anomaly_payloads(caplog)
    assert len(payloads) == 1
    assert payloads[0]["trans_id"] == 124292345
    assert payloads[0]["dollar_amount"] == 123456789.0
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "shardId-000000000000:2" in errors[0]


def test_decode_record_data():
    assert alert.decode_record_data(b64('{"a": 1}')) == {"a": 1}
    for bad in (None, "", "!!", b64("not json"), b64('"a string"'), base64.b64encode(b"\xff\xfe").decode()):
        with pytest.raises(ValueError):
            alert.decode_record_data(bad)


def test_unknown_event_is_answered_without_error(caplog):
    with caplog.at_level(logging.INFO, logger=alert.LOGGER.name):
        assert alert.handler({"foo": 1}, None) == {"records": []}
    assert any(r.levelno == logging.ERROR for r in caplog.records)
