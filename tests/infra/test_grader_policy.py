"""`stackgen grader-policy SPEC|CLASS` (issue 20), without AWS: the one IAM
policy document an instructor attaches to grade a class with `grade --live`.

- size: minified (no whitespace, as IAM counts a managed policy) it stays
  under IAM's 6,144-character limit for a managed policy, and a class of 300
  students gets a policy of the same size as a class of 3 (both read from a
  roster, examples/roster-class.yaml's settings);
- read only, by two rules: every action is an exact name (no `*` or `?`)
  whose verb is Get, List or Describe, or one of READ_EXCEPTIONS; and AWS's
  service authorization reference, as parliament 1.6.4 ships it, gives every
  action the access level Read or List;
- parliament 1.6.4 (every severity, community auditors, as test_checkers.py
  runs it on the stacks' own policies) reports nothing; and it does report
  the same policy with one statement widened to `"Resource": "*"`, so this
  check can fail;
- scoped to the class: for each action and each read `grade --live` makes
  with it (READS: the ARNs of the class's resources, from `stackgen plan`),
  the policy allows it, evaluated as IAM does (datapath/iam.py: wildcards in
  actions case-insensitive, in resources case-sensitive); and it allows none
  of those reads on the resources of another class of the same edition (in
  another account, or in another environment of the same account: names
  carry the environment, account id, initials and index number and nothing
  of the course, so those two are all a policy that does not grow with the
  class can scope by), nor on unrelated resources of the same account.

The last point is what moto cannot check: its IAM enforcement judges only S3
and IAM role ARNs, so live_grade.py grades with a copy of the policy whose
other statements are widened to `*` (live_grade.moto_copy). Each widened
statement's actions must have READS here.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from datapath import iam, lab

from . import checkers as ck
from . import live_grade, tfcheck
from .test_deploy import write_class

# IAM's limit for a managed policy's document, whitespace not counted.
MANAGED_POLICY_LIMIT = 6_144
READ_VERBS = ("Get", "List", "Describe")
# Read actions whose names start otherwise, with why they are reads.
READ_EXCEPTIONS = {
    "logs:FilterLogEvents": "returns log events (AWS's access level: Read)",
}
ROSTER_CLASS = tfcheck.examples_dir() / "roster-class.yaml"


def grader_policy(stackgen: Path, spec: Path) -> tuple[dict, str]:
    """The document `stackgen grader-policy SPEC` prints, and its text."""
    proc = subprocess.run(
        [str(stackgen), "grader-policy", str(spec), "-q"], check=False, capture_output=True,
        text=True, stdin=subprocess.DEVNULL, timeout=tfcheck.TIMEOUT_S,
    )
    assert proc.returncode == 0, f"grader-policy {spec.name}: exit {proc.returncode}\n{proc.stderr}"
    return json.loads(proc.stdout), proc.stdout


def minified(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"))


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


def roster_class(tmp: Path, students: int) -> Path:
    """examples/roster-class.yaml's class with `students` generated students
    (all in the class's account)."""
    tmp.mkdir(parents=True, exist_ok=True)
    firsts = ["Anna", "Jan", "Zofia", "Łukasz", "Ewa", "Piotr", "Maria", "Tomasz"]
    lasts = ["Nowak", "Kowalski", "Wiśniewska", "Żak", "Wójcik", "Kamiński", "Lewandowska"]
    with open(tmp / "roster.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "index_no", "initials", "account_id"])
        for n in range(students):
            w.writerow([f"{firsts[n % len(firsts)]} {lasts[n // len(firsts) % len(lasts)]}",
                        str(480_000 + n), "", ""])
    doc = yaml.safe_load(ROSTER_CLASS.read_text())
    doc["roster"] = "roster.csv"
    path = tmp / "class.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return path


def other_class(tmp: Path, *, account: str, environment: str) -> Path:
    """A class of the same edition with another course and other students."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "class.yaml"
    path.write_text(yaml.safe_dump({
        "course": "another-course-2027",
        "target": "classic",
        "defaults": {"account_id": account, "region": "us-east-1", "environment": environment},
        "students": [
            {"name": "Olga Tokarczuk", "index_no": "77001"},
            {"name": "Jan Brzechwa", "index_no": "77002"},
        ],
    }, allow_unicode=True, sort_keys=False))
    return path


# --- the reads of `grade --live` ------------------------------------------------------


def resources(plan: dict) -> dict[str, list[list[str]]]:
    """The requests `grade --live` makes for one student, by kind: each a
    list of the ARNs that one request needs allowed (a Glue table read needs
    its catalog, database and table)."""
    p, r, a = plan["partition"], plan["spec"]["region"], plan["spec"]["account_id"]
    names, zones, prefixes = plan["names"], plan["zones"], plan["prefixes"]
    glue = f"arn:{p}:glue:{r}:{a}"
    buckets = sorted({zones["raw_bucket_name"], zones["processed_bucket_name"]})
    when = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    raw_bucket = zones["raw_bucket_name"]
    # An object of each prefix the live checks read (raw zone, processed
    # zone, alerts), named as Firehose and the ETL function name them.
    objects = [
        raw_bucket + "/" + lab.expand_prefix(prefixes["raw_data"], when)
        + f"{names['firehose']}-1-2026-12-06-10-00-00-x",
        zones["processed_bucket_name"] + "/" + prefixes["processed_data"]
        + "symbol=BTC_USD/year=2020/month=10/day=1/hour=0/x.snappy.parquet",
    ]
    if names.get("alerts_firehose"):
        objects.append(
            raw_bucket + "/" + lab.expand_prefix(prefixes["alerts_data"], when)
            + f"{names['alerts_firehose']}-1-x"
        )
    databases = sorted({zones["raw_database_name"], zones["processed_database_name"]})
    tables = [(zones["raw_database_name"], names["raw_table"]),
              (zones["processed_database_name"], names["processed_table"])]
    functions = [names[k] for k in ("etl_function", "alert_function", "detector_function",
                                    "reaper_function") if names.get(k)]
    # CloudWatch Logs authorizes reads of a log group against its ARN with
    # `:*` after the name.
    groups = [names[k] for k in ("etl_log_group", "alert_log_group", "detector_log_group",
                                 "reaper_log_group") if names.get(k)]
    return {
        "bucket": [[f"arn:{p}:s3:::{b}"] for b in buckets],
        "object": [[f"arn:{p}:s3:::{o}"] for o in objects],
        "stream": [[plan["arns"]["stream"]]],
        "deliverystream": [
            [f"arn:{p}:firehose:{r}:{a}:deliverystream/{names[k]}"]
            for k in ("firehose", "alerts_firehose") if names.get(k)
        ],
        "database": [[f"{glue}:catalog", f"{glue}:database/{d}"] for d in databases],
        "table": [[f"{glue}:catalog", f"{glue}:database/{d}", f"{glue}:table/{d}/{t}"]
                  for d, t in tables],
        "crawler": [[f"{glue}:crawler/{names['crawler']}"]],
        "function": [[f"arn:{p}:lambda:{r}:{a}:function:{f}"] for f in functions],
        "layer": [[f"arn:{p}:lambda:{r}:{a}:layer:{names['layer']}:1"]],
        "log_group": [[f"arn:{p}:logs:{r}:{a}:log-group:{g}:*"] for g in groups],
        "workgroup": [[f"arn:{p}:athena:{r}:{a}:workgroup/{names['workgroup']}"]],
        "role": [[f"arn:{p}:iam::{a}:role/{role['name']}"]
                 for role in (plan.get("roles") or {}).values()],
        # A role's customer-managed policies, by the names the stack gives
        # them (AWS's own, such as AWSGlueServiceRole, are not read: the
        # grade knows them).
        "policy": [[f"arn:{p}:iam::{a}:policy/{role['policy_name']}"]
                   for role in (plan.get("roles") or {}).values()],
    }


# IAM action -> the kind of resource it reads (resources()). Actions that
# AWS does not scope by resource are not here: parliament's RESOURCE_STAR
# says if one of them could have been scoped.
READS = {
    **{f"s3:{x}": "bucket" for x in (
        "ListBucket", "GetBucketLocation", "GetBucketTagging", "GetBucketNotification",
        "GetBucketPublicAccessBlock", "GetBucketVersioning", "GetEncryptionConfiguration",
        "GetBucketPolicy", "GetBucketPolicyStatus", "GetLifecycleConfiguration",
        "GetBucketOwnershipControls", "GetBucketAcl")},
    "s3:GetObject": "object",
    "s3:GetObjectTagging": "object",
    **{f"kinesis:{x}": "stream" for x in (
        "DescribeStream", "DescribeStreamSummary", "ListTagsForStream", "ListShards",
        "GetShardIterator", "GetRecords", "DescribeStreamConsumer", "ListStreamConsumers")},
    "firehose:DescribeDeliveryStream": "deliverystream",
    "firehose:ListTagsForDeliveryStream": "deliverystream",
    "glue:GetDatabase": "database",
    "glue:GetTable": "table",
    "glue:GetTables": "database",
    "glue:GetPartitions": "table",
    "glue:GetPartition": "table",
    "glue:GetCrawler": "crawler",
    "glue:ListCrawls": "crawler",
    "glue:GetCrawlerMetrics": "crawler",
    "glue:GetTags": "crawler",
    **{f"lambda:{x}": "function" for x in (
        "GetFunction", "GetFunctionConfiguration", "GetPolicy", "ListTags",
        "GetFunctionConcurrency", "ListVersionsByFunction")},
    "lambda:GetLayerVersion": "layer",
    **{f"logs:{x}": "log_group" for x in (
        "FilterLogEvents", "DescribeLogStreams", "GetLogEvents", "ListTagsForResource",
        "ListTagsLogGroup")},
    **{f"athena:{x}": "workgroup" for x in (
        "GetWorkGroup", "ListNamedQueries", "GetNamedQuery", "BatchGetNamedQuery")},
    **{f"iam:{x}": "role" for x in (
        "GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies",
        "ListRoleTags")},
    "iam:GetPolicy": "policy",
    "iam:GetPolicyVersion": "policy",
}


def unrelated(plan: dict) -> dict[str, list[list[str]]]:
    """Resources of the same account that are not the lab's."""
    p, r, a = plan["partition"], plan["spec"]["region"], plan["spec"]["account_id"]
    glue = f"arn:{p}:glue:{r}:{a}"
    return {
        "bucket": [[f"arn:{p}:s3:::payroll-exports-{a}"]],
        "object": [[f"arn:{p}:s3:::payroll-exports-{a}/raw-zone/stockdata/year=2026/x"]],
        "stream": [[f"arn:{p}:kinesis:{r}:{a}:stream/orders"]],
        "deliverystream": [[f"arn:{p}:firehose:{r}:{a}:deliverystream/orders-to-s3"]],
        "database": [[f"{glue}:catalog", f"{glue}:database/finance"]],
        "table": [
            [f"{glue}:catalog", f"{glue}:database/finance", f"{glue}:table/finance/salaries"]
        ],
        "crawler": [[f"{glue}:crawler/finance-crawler"]],
        "function": [[f"arn:{p}:lambda:{r}:{a}:function:billing"]],
        "layer": [[f"arn:{p}:lambda:{r}:{a}:layer:billing-deps:1"]],
        "log_group": [[f"arn:{p}:logs:{r}:{a}:log-group:/aws/lambda/billing:*"]],
        "workgroup": [[f"arn:{p}:athena:{r}:{a}:workgroup/primary"]],
        "role": [[f"arn:{p}:iam::{a}:role/OrganizationAccountAccessRole"]],
        "policy": [[f"arn:{p}:iam::{a}:policy/finance-admins"]],
    }


def allows(policy: dict, action: str, arns: list[str]) -> bool | str:
    """Does the policy allow `action` on every one of `arns` (one request)?
    A string when it cannot say."""
    for arn in arns:
        verdicts = [iam._statement_allows(st, action, arn, {}) for st in policy["Statement"]]
        unsupported = [v for v in verdicts if isinstance(v, str)]
        if unsupported:
            return unsupported[0]
        if True not in verdicts:
            return False
    return True


@pytest.fixture(scope="module")
def checkers() -> ck.Checkers:
    try:
        return ck.Checkers.from_env()
    except FileNotFoundError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def one_account_class(tmp_path_factory) -> Path:
    """The class test_deploy.py deploys and live_grade.py grades."""
    return write_class(tmp_path_factory.mktemp("class") / "class.yaml", "class.yaml")


# --- the tests ------------------------------------------------------------------------


def test_size_is_under_the_limit_and_independent_of_the_class(
    stackgen, one_account_class, tmp_path
):
    small, _ = grader_policy(stackgen, roster_class(tmp_path / "3", 3))
    large, _ = grader_policy(stackgen, roster_class(tmp_path / "300", 300))
    deployed, _ = grader_policy(stackgen, one_account_class)
    sizes = {name: len(minified(doc)) for name, doc in
             (("3 students", small), ("300 students", large), ("class.yaml", deployed))}
    print(f"grader-policy, minified: {sizes} characters (limit {MANAGED_POLICY_LIMIT})")
    over = {k: v for k, v in sizes.items() if v >= MANAGED_POLICY_LIMIT}
    assert not over, f"over IAM's managed-policy limit: {over}"
    assert sizes["3 students"] == sizes["300 students"], (
        f"the policy grows with the class: {sizes}\n{json.dumps(large, indent=1)[:3000]}"
    )


def test_read_actions_only(stackgen, one_account_class, checkers):
    policy, _ = grader_policy(stackgen, one_account_class)
    problems = []
    actions = set()
    for st in policy["Statement"]:
        if st.get("Effect") != "Allow" or {"NotAction", "NotResource", "NotPrincipal"} & set(st):
            problems.append(f"statement {st.get('Sid')}: not a plain Allow: {st}")
        for action in listed(st.get("Action")):
            actions.add(action)
            service, _, name = action.partition(":")
            if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action):
                problems.append(f"{action}: not one exact action name (no wildcards)")
            elif not name.startswith(READ_VERBS) and action not in READ_EXCEPTIONS:
                problems.append(
                    f"{action}: not a read action by the rule (Get*, List*, Describe*,"
                    f" or {sorted(READ_EXCEPTIONS)})"
                )
    # AWS's access levels, from the service authorization reference that
    # parliament ships (iam_definition.json), read in the checkers' venv.
    script = (
        "import json, sys, warnings; warnings.simplefilter('ignore')\n"
        "from parliament import iam_definition\n"
        "levels = {f\"{s['prefix']}:{p['privilege']}\": p['access_level']"
        " for s in iam_definition for p in s['privileges']}\n"
        "print(json.dumps({a: levels.get(a) for a in json.load(sys.stdin)}))\n"
    )
    proc = subprocess.run(
        [str(checkers.python), "-c", script], input=json.dumps(sorted(actions)),
        capture_output=True, text=True, env=ck.checker_env(), timeout=ck.TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stderr
    levels = json.loads(proc.stdout)
    for action, level in sorted(levels.items()):
        if level not in ("Read", "List"):
            problems.append(f"{action}: access level {level!r} in AWS's reference, not Read/List")
    print(f"grader-policy: {len(actions)} actions, access levels {sorted(set(levels.values()))}")
    assert not problems, "\n".join(problems)


def test_parliament_reports_nothing(stackgen, one_account_class, checkers, tmp_path):
    policy, _ = grader_policy(stackgen, one_account_class)
    # The control: one scoped statement widened to "*".
    widened = json.loads(json.dumps(policy))
    scoped = [st for st in widened["Statement"] if listed(st["Resource"]) != ["*"]]
    assert scoped, "no statement is scoped to a resource"
    scoped[0]["Resource"] = "*"
    result = ck.run_parliament(checkers, {"grader-policy": policy, "control": widened}, tmp_path)
    findings = result["findings"]
    assert not findings["grader-policy"], "\n".join(
        ck.format_parliament("grader-policy", f) for f in findings["grader-policy"]
    )
    assert "RESOURCE_STAR" in {f["issue"] for f in findings["control"]}, (
        f"parliament missed a statement widened to *: {findings['control']}"
    )


def test_patterns_cover_the_class_and_nothing_else(stackgen, one_account_class, tmp_path):
    policy, _ = grader_policy(stackgen, one_account_class)
    plans = tfcheck.stackgen_plan(stackgen, one_account_class)
    others = {
        "another account": tfcheck.stackgen_plan(
            stackgen, other_class(tmp_path / "account", account="210987654321", environment="dev")),
        "another environment": tfcheck.stackgen_plan(
            stackgen, other_class(tmp_path / "env", account="100603781557", environment="prod")),
    }
    problems = []
    scoped = {
        a for st in policy["Statement"] if listed(st["Resource"]) != ["*"]
        for a in listed(st["Action"])
    }
    for action in sorted(scoped - set(READS)):
        problems.append(f"{action}: scoped to resources, but READS here does not say what it reads")
    _, widened = live_grade.moto_copy(policy)
    print("statements moto cannot judge (widened in live_grade.py, checked here):\n  "
          + "\n  ".join(widened or ["none"]))
    checked = 0
    for action in sorted(scoped & set(READS)):
        kind = READS[action]
        for directory, plan in sorted(plans.items()):
            for request in resources(plan)[kind]:
                verdict = allows(policy, action, request)
                checked += 1
                if verdict is not True:
                    problems.append(
                        f"{directory}: {action} on {request} is not allowed ({verdict})"
                    )
        negatives = [("unrelated", r) for r in unrelated(next(iter(plans.values())))[kind]]
        for label, other in others.items():
            negatives += [(label, r) for plan in other.values() for r in resources(plan)[kind]]
        for label, request in negatives:
            verdict = allows(policy, action, request)
            checked += 1
            if verdict is not False:
                problems.append(f"{label}: {action} on {request} is allowed ({verdict})")
    print(f"grader-policy: {checked} (action, resource) requests evaluated")
    assert not problems, "\n".join(problems)
