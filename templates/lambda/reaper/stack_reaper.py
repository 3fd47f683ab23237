"""The stack reaper of the data-lake lab (stackgen's ``expire_after_hours``).

Handler: ``stack_reaper.handler``.

An EventBridge schedule rule runs this function every few minutes. It looks
at one Kinesis Data Stream, the stack's own (``STREAM_NAME``), and deletes
it once the stream is ``EXPIRE_AFTER_HOURS`` hours old, counted from the
stream's own creation time, which Kinesis reports. A stream billed by the
shard-hour then stops billing even when its student forgot it. Nothing else
is touched: the buckets and their data stay, and the next ``terraform
apply`` creates the stream again (with a new creation time, so another
``EXPIRE_AFTER_HOURS`` hours).

The age is measured against the time of the run: a scheduled event's
``time`` (when EventBridge fired it), or the clock when the function is
invoked without one. Each run logs one line, ``STACK_REAPER {json}``, saying
what it found and did; the same object is returned.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import boto3
from botocore.exceptions import ClientError

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

# EventBridge writes a scheduled event's `time` like 2026-12-06T14:15:00Z.
EVENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def run_time(event: Any) -> datetime:
    """When this run happens: the scheduled event's ``time``, else now."""
    text = event.get("time") if isinstance(event, dict) else None
    if isinstance(text, str) and text:
        return datetime.strptime(text, EVENT_TIME_FORMAT).replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def report(action: str, **facts: Any) -> Dict[str, Any]:
    """Logs one line saying what this run did, and returns it."""
    result = {"action": action}
    result.update({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in facts.items()})
    LOGGER.info("STACK_REAPER %s", json.dumps(result, sort_keys=True))
    return result


def handler(event: Any, context: Any) -> Dict[str, Any]:
    stream = os.environ["STREAM_NAME"]
    hours = int(os.environ["EXPIRE_AFTER_HOURS"])
    now = run_time(event)
    client = boto3.client("kinesis")
    try:
        summary = client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return report("none", reason="the stream does not exist", stream=stream, now=now)
        raise
    created = summary["StreamCreationTimestamp"]
    status = summary["StreamStatus"]
    expires = created + timedelta(hours=hours)
    age_hours = round((now - created).total_seconds() / 3600, 2)
    facts = dict(
        stream=stream,
        created=created,
        expires=expires,
        age_hours=age_hours,
        expire_after_hours=hours,
        now=now,
    )
    if now < expires:
        return report("none", reason="the stream has not expired yet", **facts)
    if status == "DELETING":
        return report("none", reason="the stream is being deleted already", **facts)
    try:
        # Consumers registered on the stream would keep it from being
        # deleted; they read nothing once it is gone.
        client.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("ResourceInUseException", "LimitExceededException"):
            # Being resharded, or too many calls at once: the next run tries again.
            return report("retry", reason=code, **facts)
        if code == "ResourceNotFoundException":
            return report("none", reason="the stream was deleted meanwhile", **facts)
        raise
    return report(
        "deleted",
        reason="the stream expired; `terraform apply` creates it again",
        **facts,
    )
