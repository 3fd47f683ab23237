"""What the real libraries ask AWS for, against the role the stack gives the
function.

moto does not enforce IAM, so a handler that needs a permission its role
lacks passes there and fails on AWS. `record_calls` notes every AWS API call
the process makes (through botocore, which boto3 and awswrangler both use;
the calls still go to moto), and `denied` says which of them the role's
policy (`stackgen plan`'s roles.<role>.policy) would not allow.

The policy evaluation covers what the stacks' policies use: Allow statements,
`*`/`?` wildcards in actions and resources, and StringLike on s3:prefix. A
statement with anything else, or an API call without a mapping to its IAM
action, is reported instead of guessed.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

import botocore.client
import pytest


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: dict


@contextlib.contextmanager
def record_calls() -> Iterator[list[Call]]:
    calls: list[Call] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation_name, api_params):
        calls.append(Call(client.meta.service_model.service_name, operation_name, dict(api_params)))
        return original(client, operation_name, api_params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(botocore.client.BaseClient, "_make_api_call", recording)
        yield calls


# S3 operations -> the IAM action that authorises them (AWS's "Actions,
# resources, and condition keys for Amazon S3").
_S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
}
_S3_BUCKET_ACTIONS = {"ListObjectsV2": "s3:ListBucket", "ListObjects": "s3:ListBucket"}


def request(call: Call, partition: str, region: str, account: str) -> tuple[str, str, dict] | None:
    """(IAM action, resource ARN, condition context) of a call, or None."""
    p = call.params
    if call.service == "s3" and call.operation in _S3_OBJECT_ACTIONS:
        return (
            _S3_OBJECT_ACTIONS[call.operation],
            f"arn:{partition}:s3:::{p['Bucket']}/{p['Key']}",
            {},
        )
    if call.service == "s3" and call.operation in _S3_BUCKET_ACTIONS:
        context = {"s3:prefix": p.get("Prefix", "")}
        return _S3_BUCKET_ACTIONS[call.operation], f"arn:{partition}:s3:::{p['Bucket']}", context
    if call.service == "ssm" and call.operation == "GetParameter":
        name = p["Name"]
        path = name if name.startswith("/") else "/" + name
        return "ssm:GetParameter", f"arn:{partition}:ssm:{region}:{account}:parameter{path}", {}
    return None


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _statement_allows(statement: dict, action: str, resource: str, context: dict) -> bool | str:
    """True/False, or a string saying why the statement cannot be evaluated."""
    if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
        return f"unsupported statement {statement.get('Sid')}"
    if not any(
        fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _listed(statement["Action"])
    ):
        return False
    if not any(fnmatch.fnmatchcase(resource, r) for r in _listed(statement["Resource"])):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, patterns in keys.items():
            if operator != "StringLike" or key != "s3:prefix":
                return f"unsupported condition {operator} {key} in {statement.get('Sid')}"
            if key not in context or not any(
                fnmatch.fnmatchcase(context[key], pat) for pat in _listed(patterns)
            ):
                return False
    return True


def denied(calls: list[Call], policy: dict, partition: str, region: str, account: str) -> list[str]:
    """The calls `policy` would not allow, one line each (deduplicated)."""
    problems = []
    for call in calls:
        asked = request(call, partition, region, account)
        if asked is None:
            problems.append(
                f"{call.service}:{call.operation}: no IAM mapping in tests/datapath/iam.py"
            )
            continue
        action, resource, context = asked
        verdicts = [_statement_allows(s, action, resource, context) for s in policy["Statement"]]
        unsupported = [v for v in verdicts if isinstance(v, str)]
        if unsupported:
            problems.append(f"{action} on {resource}: {unsupported[0]}")
        elif True not in verdicts:
            extra = f" (s3:prefix {context['s3:prefix']!r})" if context else ""
            problems.append(f"{call.service}:{call.operation} needs {action} on {resource}{extra}")
    return sorted(set(problems))
