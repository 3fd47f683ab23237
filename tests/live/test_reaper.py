"""The stack reaper (`expire_after_hours`): its handler, imported from the
zip `stackgen render` wrote for examples/expiring.yaml (under a module
name of its own, as tests/datapath does), runs in this process against
moto server with the environment the rendered `expiry.tf` gives it, and
the clock moved through the scheduled event's `time`, as EventBridge sets
it.

The account holds the stack's stream (as `stackgen plan` defines it), the
stream of the student whose name starts like this one's (`jk-123456`), and
another student's. The reaper:

- does nothing a second before the stream is EXPIRE_AFTER_HOURS old, nor
  on a run without a time (now: the stream is new);
- deletes its own stream once it is that old, and logs it;
- then finds nothing to do;
- never touches the other streams.

That the stack with the reaper passes tfcheck on both targets is
tests/infra/test_terraform.py's (examples/expiring.yaml, classic, and
examples/expiring-class.yaml, modern); that it applies on moto and matches
the plan, tests/infra/test_deploy.py's (awscheck.check_reaper).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from datapath.lab import Stack

from .conftest import REPO, Moto, next_second, plan, rfc3339

EXAMPLE = REPO / "examples" / "expiring.yaml"


def scheduled_event(stack: Stack, time: str) -> dict:
    """What EventBridge sends the function for one run of its rule."""
    rule = stack.plan["names"]["reaper_rule"]
    return {
        "version": "0",
        "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": stack.account_id,
        "time": time,
        "region": stack.region,
        "resources": [f"arn:aws:events:{stack.region}:{stack.account_id}:rule/{rule}"],
        "detail": {},
    }


def test_the_reaper_deletes_its_own_stream_once_it_is_old_enough(
    stackgen, moto: Moto, tmp_path, monkeypatch, caplog
):
    stack = Stack.render(stackgen, EXAMPLE, tmp_path / "stack")
    function = stack.function("stack_reaper.handler")
    env = stack.environment(function)
    plan_ = stack.plan
    assert env == {
        "STREAM_NAME": plan_["names"]["stream"],
        "EXPIRE_AFTER_HOURS": str(plan_["spec"]["expire_after_hours"]),
    }
    hours = int(env["EXPIRE_AFTER_HOURS"])
    module, handler = stack.handler(function, tmp_path / "reaper")

    # The neighbours: the prefix twin and another student, as their own
    # stacks would define their streams.
    others = tmp_path / "others.yaml"
    others.write_text(
        EXAMPLE.read_text().replace('index_no: "12345"', 'index_no: "123456"')
    )
    twin = plan(stackgen, others)
    assert twin["names"]["stream"].startswith(plan_["names"]["stream"])
    stranger_file = tmp_path / "stranger.yaml"
    stranger_file.write_text(
        EXAMPLE.read_text().replace("initials: jk", "initials: en").replace(
            "Jan Kowalski", "Ewa Nowicka"
        )
    )
    stranger = plan(stackgen, stranger_file)
    for s in (plan_, twin, stranger):
        moto.create_stream(s)
    region = stack.region
    neighbours_before = moto.listing([region])
    created = moto.created(plan_)

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.server.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    caplog.set_level(logging.INFO, logger=module.__name__)
    expires = next_second(created) + timedelta(hours=hours)

    # A second early, and a run without a time (by the clock: just created).
    early = handler(scheduled_event(stack, rfc3339(expires - timedelta(seconds=1))), None)
    assert early["action"] == "none", early
    assert early["expire_after_hours"] == hours
    assert handler({}, None)["action"] == "none"
    assert moto.listing([region]) == neighbours_before

    done = handler(scheduled_event(stack, rfc3339(expires)), None)
    assert done["action"] == "deleted", done
    assert done["stream"] == plan_["names"]["stream"]
    assert not moto.exists(plan_["names"]["stream"], region)
    key = f"kinesis {region} {plan_['names']['stream']}"
    assert moto.listing([region]) == {k: v for k, v in neighbours_before.items() if k != key}
    logged = [r.getMessage() for r in caplog.records if "STACK_REAPER" in r.getMessage()]
    assert any('"action": "deleted"' in line for line in logged), logged

    later = handler(scheduled_event(stack, rfc3339(expires + timedelta(hours=5))), None)
    assert later == {
        "action": "none",
        "reason": "the stream does not exist",
        "stream": plan_["names"]["stream"],
        "now": (expires + timedelta(hours=5)).isoformat(),
    }
    assert moto.exists(twin["names"]["stream"], region)
    assert moto.exists(stranger["names"]["stream"], region)


def test_the_reaper_rejects_a_time_it_cannot_read(stackgen, tmp_path, monkeypatch):
    stack = Stack.render(stackgen, EXAMPLE, tmp_path / "stack")
    function = stack.function("stack_reaper.handler")
    module, handler = stack.handler(function, tmp_path / "reaper")
    for key, value in stack.environment(function).items():
        monkeypatch.setenv(key, value)
    # EventBridge always writes UTC with a Z; anything else is not a
    # scheduled event, and the reaper deletes nothing on it.
    with pytest.raises(ValueError):
        handler({"time": "yesterday"}, None)
