"""`stackgen replay` against a real moto server.

The expected bytes of each record are built here the course generator's way,
with Python's own json.dumps, from the same CSV rows.
"""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import time
from collections import Counter

import pytest

from .fake_throttling import Policy, ThrottlingProxy

SUMMARY = re.compile(
    r"sent (?P<sent>\d+) records to \S+ in [\d.]+ s \((?P<rate>\d+) records/s, "
    r"(?P<passes>\d+) full pass(es)?, (?P<requests>\d+) requests\); "
    r"retried (?P<retried>\d+), failed (?P<failed>\d+) \((?P<why>[^)]*)"
)


def course_payloads(path) -> list[tuple[str, bytes]]:
    """(partition key, data) per CSV row, as the course generator sends them."""
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            event = {
                "transaction_ts": int(row["transaction_ts"]),
                "symbol": row["symbol"],
                "price": float(row["price"]),
                "amount": float(row["amount"]),
                "dollar_amount": float(row["dollar_amount"]),
                "type": row["type"],
                "trans_id": int(row["trans_id"]),
            }
            out.append((row["symbol"], (json.dumps(event) + "\n").encode()))
    return out


def replay(stackgen, target, trades_csv, *args, endpoint=None, timeout=300):
    cmd = [str(stackgen), "replay", str(target.spec), "--data", str(trades_csv), *args]
    return subprocess.run(
        cmd, env=target.env(endpoint), capture_output=True, text=True, timeout=timeout
    )


def summary(stdout: str) -> dict:
    m = SUMMARY.search(stdout)
    assert m, f"no summary line in {stdout!r}"
    return {k: (v if k == "why" else int(v)) for k, v in m.groupdict().items() if v is not None}


def stored(target) -> list[tuple[str, bytes]]:
    return [(r["PartitionKey"], r["Data"]) for r in target.records()]


def test_every_trade_arrives_once_byte_equal(stackgen, target, trades_csv):
    expected = course_payloads(trades_csv)
    assert len(expected) == 15779
    r = replay(stackgen, target, trades_csv, "--max", "--single-run")
    assert r.returncode == 0, r.stderr
    s = summary(r.stdout)
    assert (s["sent"], s["retried"], s["failed"], s["passes"]) == (15779, 0, 0, 1)
    # 500 records a request at most: 15,779 records need 32.
    assert s["requests"] == 32
    got = stored(target)
    # One shard, batches sent one after the other: the stream holds the file
    # in file order, each record exactly once, byte for byte.
    assert len(got) == len(expected)
    assert got == expected


def test_limit_stops_mid_pass_and_mid_loop(stackgen, target, trades_csv):
    expected = course_payloads(trades_csv)
    r = replay(stackgen, target, trades_csv, "--max", "--limit", "1234")
    assert r.returncode == 0, r.stderr
    assert summary(r.stdout)["why"] == "--limit reached"
    assert stored(target) == expected[:1234]

    # Without --single-run it loops: past the end, it starts the file again.
    target.kinesis.delete_stream(StreamName=target.stream)
    target.kinesis.create_stream(StreamName=target.stream, ShardCount=1)
    r = replay(stackgen, target, trades_csv, "--max", "--limit", "20000")
    assert r.returncode == 0, r.stderr
    s = summary(r.stdout)
    assert (s["sent"], s["passes"]) == (20000, 1)
    assert stored(target) == expected + expected[: 20000 - len(expected)]


def test_single_run_with_a_larger_limit_stops_at_the_end(stackgen, target, trades_csv):
    r = replay(stackgen, target, trades_csv, "--max", "--single-run", "--limit", "99999")
    assert r.returncode == 0, r.stderr
    s = summary(r.stdout)
    assert (s["sent"], s["why"]) == (15779, "single run done")
    assert len(target.records()) == 15779


class Throttled(Policy):
    """Every 4th call refused whole; every 7th trade refused the first time
    it comes (so each refusal is followed by a success)."""

    def refuse_request(self, number):
        return number % 4 == 0

    def refuse_record(self, trade, attempt):
        return trade["trans_id"] % 7 == 0 and attempt == 1


def test_throttling_is_retried_and_counted(stackgen, target, trades_csv):
    proxy = ThrottlingProxy(target.endpoint, Throttled())
    try:
        r = replay(stackgen, target, trades_csv, "--max", "--single-run", "-v",
                   endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    assert r.returncode == 0, r.stderr
    s = summary(r.stdout)
    assert proxy.refused_requests > 0
    refused_records = sum(1 for _, data in course_payloads(trades_csv)
                          if json.loads(data)["trans_id"] % 7 == 0)
    assert refused_records > 1000
    # Every refusal was sent again exactly once, and counted.
    assert s["retried"] == proxy.refused_records
    assert (s["sent"], s["failed"]) == (15779, 0)
    assert "ProvisionedThroughputExceededException" in r.stderr
    # Nothing lost, nothing twice.
    got = Counter(stored(target))
    assert got == Counter(course_payloads(trades_csv))


class AlwaysRefused(Policy):
    """Trades whose trans_id ends in 00 are never accepted."""

    def refuse_record(self, trade, attempt):
        return trade["trans_id"] % 100 == 0


def test_records_that_keep_failing_are_counted_and_fail_the_run(stackgen, target, trades_csv):
    expected = course_payloads(trades_csv)[:1000]
    doomed = [p for p in expected if json.loads(p[1])["trans_id"] % 100 == 0]
    assert doomed
    proxy = ThrottlingProxy(target.endpoint, AlwaysRefused())
    try:
        r = replay(stackgen, target, trades_csv, "--max", "--single-run", "--limit", "1000",
                   endpoint=proxy.endpoint)
    finally:
        proxy.stop()
    assert r.returncode == 1, r.stdout + r.stderr
    s = summary(r.stdout)
    # Four retries each, then given up on, and said so.
    assert (s["sent"], s["failed"], s["retried"]) == (1000 - len(doomed), len(doomed), 4 * len(doomed))
    assert f"{len(doomed)} records were not sent" in r.stderr
    assert stored(target) == [p for p in expected if p not in doomed]


def test_ctrl_c_stops_cleanly_with_the_summary(stackgen, target, trades_csv):
    cmd = [str(stackgen), "replay", str(target.spec), "--data", str(trades_csv), "--rate", "100"]
    proc = subprocess.Popen(cmd, env=target.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    assert proc.poll() is None, "replay ended before the signal"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert proc.returncode == 0, err
    s = summary(out)
    assert s["why"] == "stopped by a signal"
    # About 100 records a second for about 3 s, all of them in the stream.
    assert 100 <= s["sent"] <= 600
    assert len(target.records()) == s["sent"]


def test_sigterm_also_prints_the_summary(stackgen, target, trades_csv):
    cmd = [str(stackgen), "replay", str(target.spec), "--data", str(trades_csv), "--speed", "1000"]
    proc = subprocess.Popen(cmd, env=target.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    s = summary(out)
    assert s["why"] == "stopped by a signal"
    assert len(target.records()) == s["sent"] > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rate", "0"], "is not a positive number"),
        (["--rate", "10", "--speed", "2"], "cannot be used with"),
        (["--max", "--rate", "5"], "cannot be used with"),
        (["--student", "12345"], "--student picks a student of a class"),
    ],
)
def test_bad_flags_exit_2(stackgen, target, trades_csv, args, message):
    r = replay(stackgen, target, trades_csv, *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert target.records() == []


def test_missing_stream_fails_with_the_reason(stackgen, target, trades_csv):
    target.kinesis.delete_stream(StreamName=target.stream)
    r = replay(stackgen, target, trades_csv, "--max", "--single-run")
    assert r.returncode == 1
    assert "ResourceNotFoundException" in r.stderr
    assert summary(r.stdout)["failed"] == 500


def test_unreachable_endpoint_is_retried_then_stops(stackgen, target, trades_csv):
    # Port 1 on loopback: nothing listens, every connection is refused.
    r = replay(stackgen, target, trades_csv, "--max", "--single-run", "-v",
               endpoint="http://127.0.0.1:1")
    assert r.returncode == 1
    s = summary(r.stdout)
    assert (s["sent"], s["failed"], s["retried"], s["requests"]) == (0, 500, 2000, 5)
    assert "run stopped" in r.stderr
    assert r.stderr.count("retry ") == 4
