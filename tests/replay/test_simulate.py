"""`stackgen simulate` against the detector Lambda's own code.

Both get the full lab CSV and the same arrival times: the i-th record at
i/R s for `--rate R`, a trade at (ts - ts0)/X s for `--speed X`. The
detector (templates/lambda/detector/anomaly_detector.py, imported as the
Lambda runtime imports it) is fed trade by trade with `Detector.observe`;
its alerts must be simulate's, trade for trade and column for column.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys

import pytest

from .conftest import REPO, SPEC

DETECTOR = REPO / "templates" / "lambda" / "detector" / "anomaly_detector.py"


def detector_module():
    spec = importlib.util.spec_from_file_location("anomaly_detector_for_simulate", DETECTOR)
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True  # no __pycache__ beside the Lambda source
    # dataclasses looks the module up while the class is being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def detector_alerts(trades_csv, rule, pacing, value):
    det = detector_module()
    detector = det.Detector(det.Config(rule["symbol"], rule["threshold"], rule["window_seconds"]))
    with open(trades_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    ts0 = int(rows[0]["transaction_ts"])
    alerts = []
    for i, row in enumerate(rows):
        # What decode() hands the rule: the generator's JSON, read back.
        trade = {
            "symbol": row["symbol"],
            "type": row["type"],
            "trans_id": int(row["trans_id"]),
            "dollar_amount": float(row["dollar_amount"]),
        }
        arrival = i / value if pacing == "rate" else (int(row["transaction_ts"]) - ts0) / value
        alert = detector.observe(trade, arrival)
        if alert is not None:
            alerts.append(alert)
    return alerts


NINE = ("symbol", "type", "trans_id", "dollar_amount", "SumLast30rows", "CntLast30rows", "max_tran_id")


@pytest.mark.parametrize("pacing, value", [("speed", 1.0), ("rate", 10.0), ("rate", 100.0)])
def test_simulate_flags_what_the_detector_flags(stackgen, trades_csv, pacing, value):
    r = subprocess.run(
        [str(stackgen), "simulate", str(SPEC), "--data", str(trades_csv),
         f"--{pacing}", str(value), "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    out = json.loads(r.stdout)
    rule = out["rule"]
    expected = detector_alerts(trades_csv, rule, pacing, value)
    got = out["alerts"]
    assert out["trades"] == 15779
    # The same trades flagged, in the same order...
    assert [a["trans_id"] for a in got] == [a["trans_id"] for a in expected]
    assert len(got) > 100
    # ...with the same nine columns, to the last bit.
    avg = f"AvgLast{rule['window_seconds']}seconds"
    cnt = f"CntLast{rule['window_seconds']}seconds"
    for g, e in zip(got, expected):
        assert {k: g[k] for k in (*NINE, avg, cnt)} == e
    assert out["flagged"] == len(expected)
    assert out["planted_trade_flagged"] == any(a["trans_id"] == 124292345 for a in expected)
    assert sum(sum(v.values()) for v in out["per_hour"].values()) == len(expected)


def test_pacing_changes_the_alerts(stackgen, trades_csv):
    counts = {}
    for flag in ("--speed", "--rate"):
        for value in ("1", "100"):
            r = subprocess.run(
                [str(stackgen), "simulate", str(SPEC), "--data", str(trades_csv), flag, value,
                 "--format", "json"],
                capture_output=True, text=True, check=True,
            )
            counts[flag, value] = json.loads(r.stdout)["flagged"]
    assert len(set(counts.values())) > 1, counts


def test_csv_and_text_formats(stackgen, trades_csv):
    base = [str(stackgen), "simulate", str(SPEC), "--data", str(trades_csv), "--rate", "10"]
    as_json = json.loads(subprocess.check_output([*base, "--format", "json"]))
    rows = list(csv.DictReader(subprocess.check_output([*base, "--format", "csv"], text=True).splitlines()))
    assert [int(r["trans_id"]) for r in rows] == [a["trans_id"] for a in as_json["alerts"]]
    assert [float(r["AvgLast30seconds"]) for r in rows] == [a["AvgLast30seconds"] for a in as_json["alerts"]]
    text = subprocess.check_output(base, text=True)
    assert f"{as_json['flagged']} flagged; the planted trade 124292345 is flagged" in text


def test_class_gives_one_result_per_rule(stackgen, trades_csv, tmp_path):
    # A class's students share `defaults`, analytics included: one rule,
    # one result, naming every student it covers.
    (tmp_path / "class.yaml").write_text(
        "course: sim\n"
        "target: modern\n"
        "defaults:\n"
        '  account_id: "100603781557"\n'
        "  analytics: { threshold: 8 }\n"
        "students:\n"
        '  - { name: Jan Kowalski, initials: jk, index_no: "12345" }\n'
        '  - { name: Anna Nowak, initials: an, index_no: "12346" }\n'
    )
    base = [str(stackgen), "simulate", str(tmp_path / "class.yaml"), "--data", str(trades_csv),
            "--rate", "10", "--format", "json"]
    r = subprocess.run(base, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["students"] == ["12345-jk", "12346-an"]
    assert out["rule"] == {"symbol": "BTC_USD", "threshold": 8.0, "window_seconds": 30}
    single = json.loads(subprocess.check_output(
        [str(stackgen), "simulate", str(SPEC), "--data", str(trades_csv), "--rate", "10",
         "--format", "json"]))
    # A higher threshold flags a subset of what 4 flags.
    assert 0 < out["flagged"] < single["flagged"]
    assert {a["trans_id"] for a in out["alerts"]} < {a["trans_id"] for a in single["alerts"]}


def test_max_has_no_arrival_times(stackgen, trades_csv):
    r = subprocess.run([str(stackgen), "simulate", str(SPEC), "--data", str(trades_csv)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "give --rate R or --speed X" in r.stderr
