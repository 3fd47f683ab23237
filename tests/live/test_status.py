"""`stackgen status`: what each student has left billing, exact to the cent.

A classic class of examples/expiring-class.yaml with two shards per stream
(`stream.shard_count: 2` in its defaults) on moto server:

- jk-12345: its stream, as the stack defines it;
- an-s1203137: nothing;
- lz-12347, in eu-central-1 (a region whose prices stackgen does not
  know): its stream;
- pw-12348, in another account than the credentials reach.

With the clock (`STACKGEN_NOW`) set 37 h 45 min after jk's stream was
created (Kinesis reports the creation time), the cost so far is the
plan's rate for that stream (2 shards × $0.015) times the whole seconds
since its creation, rounded to the cent: $1.13. The test computes that
itself with Python's Decimal from the plan and the creation time; and
again with the clock an hour later ($1.16). lz's cost is unknown and left
out of the total, an says it has nothing running, pw is not checked, and
so status exits 1. The text and Markdown reports say the same figures.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from .conftest import (
    EXIT_UNCHECKED,
    Moto,
    class_file,
    next_second,
    plan,
    rfc3339,
    run,
    whole_seconds,
)

STUDENTS = [
    {"name": "Jan Kowalski", "initials": "jk", "index_no": "12345"},
    {"name": "Anna Nowak", "initials": "an", "index_no": "s1203137"},
    {"name": "Łukasz Żak", "index_no": "12347", "region": "eu-central-1"},
    {
        "name": "Piotr Wiśniewski",
        "initials": "pw",
        "index_no": "12348",
        "account_id": "210987654321",
    },
]


def expected_cents(stack: dict, seconds: int) -> int:
    """The plan's hourly rate of the stream times SECONDS, to the cent."""
    rate = next(p for p in stack["parts"] if p["id"] == "stream")["cost"]["usd_per_hour"]
    usd = Decimal(str(rate)) * seconds / 3600
    return int((usd * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_status_counts_each_students_cost_to_the_cent(stackgen, moto: Moto, tmp_path):
    spec = class_file(tmp_path / "class.yaml", STUDENTS, stream={"shard_count": 2})
    stacks = plan(stackgen, spec)
    jk, an, lz, pw = (stacks[d] for d in ("12345-jk", "s1203137-an", "12347-lz", "12348-pw"))
    assert jk["spec"]["stream"]["shard_count"] == 2
    moto.create_stream(jk)
    moto.create_stream(lz)
    created = moto.created(jk)

    for extra_hours, cents in [(0, 113), (1, 116)]:
        now = next_second(created) + timedelta(hours=37 + extra_hours, minutes=45)
        seconds = whole_seconds(created, now)
        assert expected_cents(jk, seconds) == cents  # the arithmetic above
        out = run(stackgen, moto, "status", str(spec), "--format", "json", now=rfc3339(now))
        assert out.returncode == EXIT_UNCHECKED, out.stdout + out.stderr
        report = json.loads(out.stdout)
        assert report["now"] == rfc3339(now)
        assert report["account"] == jk["spec"]["account_id"]
        by_dir = {s["dir"]: s for s in report["students"]}

        mine = by_dir["12345-jk"]
        assert mine["checked"] and mine["note"] is None
        [item] = mine["running"]
        assert item["name"] == jk["names"]["stream"]
        assert item["arn"] == jk["arns"]["stream"]
        assert item["created"] == rfc3339(created)
        assert item["units"] == 2 and item["billing"]
        assert item["usd_per_hour"] == 0.03
        assert round(item["usd_so_far"] * 100) == cents
        assert round(mine["usd_so_far"] * 100) == cents
        assert item["hours"] == round(seconds / 3600, 2)
        # The class expires after 12 hours: by now its reaper is late.
        hours = jk["spec"]["expire_after_hours"]
        assert item["expires"] == rfc3339(created.replace(microsecond=0) + timedelta(hours=hours))
        assert item["overdue"]

        assert by_dir["s1203137-an"]["checked"] and by_dir["s1203137-an"]["running"] == []
        [unpriced] = by_dir["12347-lz"]["running"]
        assert unpriced["name"] == lz["names"]["stream"] and unpriced["usd_so_far"] is None
        assert not by_dir["12348-pw"]["checked"]
        assert pw["spec"]["account_id"] in by_dir["12348-pw"]["note"]

        total = report["total"]
        assert round(total["usd_so_far"] * 100) == cents
        assert total["usd_per_hour"] == 0.03
        assert (total["billing"], total["unpriced"], total["not_checked"]) == (2, 1, 1)

        text = run(stackgen, moto, "status", str(spec), now=rfc3339(now))
        assert text.returncode == EXIT_UNCHECKED
        dollars = f"${cents // 100}.{cents % 100:02d}"
        assert f"$0.0300 per hour, {dollars} so far" in text.stdout, text.stdout
        assert "nothing running" in text.stdout
        assert "is its reaper running?" in text.stdout
        assert f"not checked: the stack is in account {pw['spec']['account_id']}" in text.stdout
        markdown = run(stackgen, moto, "status", str(spec), "--format", "markdown", now=rfc3339(now))
        assert f"| **0.0300** | **{dollars[1:]}** |" in markdown.stdout, markdown.stdout
    # Nothing was changed by looking.
    assert moto.exists(jk["names"]["stream"], jk["spec"]["region"])
    assert not moto.exists(an["names"]["stream"], an["spec"]["region"])


def test_a_clock_before_the_stream_costs_nothing_yet(stackgen, moto: Moto, tmp_path):
    spec = class_file(tmp_path / "class.yaml", STUDENTS[:1], environment="early")
    [stack] = plan(stackgen, spec).values()
    moto.create_stream(stack)
    before = moto.created(stack) - timedelta(hours=3)
    out = run(stackgen, moto, "status", str(spec), "--format", "json", now=rfc3339(before))
    assert out.returncode == 0, out.stdout + out.stderr
    [student] = json.loads(out.stdout)["students"]
    assert student["running"][0]["usd_so_far"] == 0.0
    assert not student["running"][0]["overdue"]
