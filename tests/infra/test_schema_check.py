"""The schema checker (schema_check.py) on small hand-written stacks, and the
extracted schema file it reads (tests/schema/aws-6.66.0.json).

Each stack is written to its own tmp directory and checked as Terraform
would read it (every *.tf file of the directory). Wrong stacks must give
exactly the expected findings, so a checker that stops reporting one fails
here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "tests" / "schema" / "aws-6.66.0.json"
TYPES_FILE = REPO / "scripts" / "schema" / "aws-types.json"
CHECKER = Path(__file__).with_name("schema_check.py")

HCL2_MISSING = (
    "python-hcl2 is not installed: add `python-hcl2==8.1.4` to tests/locks/test-venv.in and run scripts/lock.sh"
)


@pytest.fixture(scope="module")
def sc():
    pytest.importorskip("hcl2", reason=HCL2_MISSING)
    from . import schema_check

    return schema_check


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA_FILE.read_text())


@pytest.fixture
def check(sc, schema, tmp_path):
    """check(**files) writes the files (name -> HCL) into a fresh directory
    and returns the checker's report for it."""
    counter = iter(range(1000))

    def run(**files: str):
        d = tmp_path / f"stack{next(counter)}"
        d.mkdir()
        for name, text in files.items():
            (d / name).write_text(textwrap.dedent(text))
        return sc.check_dir(d, schema)

    return run


def messages(report) -> list[tuple[str, str, str]]:
    return [(f.address, f.path, f.message) for f in report.findings]


# --- valid provider-v6 stacks ---------------------------------------------------------

V6_BUCKET = """
    resource "aws_s3_bucket" "lake" {
      bucket        = "datalake-dev-100603781557-jk-12345"
      force_destroy = true
      tags          = { Owner = "jk" }
    }

    resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
      bucket = aws_s3_bucket.lake.id
      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "AES256"
        }
        bucket_key_enabled = true
      }
    }

    resource "aws_s3_bucket_public_access_block" "lake" {
      bucket                  = aws_s3_bucket.lake.id
      block_public_acls       = true
      block_public_policy     = true
      ignore_public_acls      = true
      restrict_public_buckets = true
    }

    resource "aws_s3_bucket_versioning" "lake" {
      bucket = aws_s3_bucket.lake.id
      versioning_configuration {
        status = "Enabled"
      }
    }

    resource "aws_s3_bucket_lifecycle_configuration" "lake" {
      bucket = aws_s3_bucket.lake.id
      rule {
        id     = "expire-athena-results"
        status = "Enabled"
        filter {
          prefix = "athena_output/"
        }
        expiration {
          days = 7
        }
      }
    }
"""


def test_valid_v6_bucket_with_separate_encryption(check):
    report = check(**{"s3.tf": V6_BUCKET})
    assert report.findings == []
    assert report.checked == [
        "aws_s3_bucket.lake",
        "aws_s3_bucket_server_side_encryption_configuration.lake",
        "aws_s3_bucket_public_access_block.lake",
        "aws_s3_bucket_versioning.lake",
        "aws_s3_bucket_lifecycle_configuration.lake",
    ]


def test_valid_stack_with_provider_data_sources_and_meta_arguments(check):
    report = check(
        **{
            "provider.tf": """
                terraform {
                  required_version = ">= 1.5"
                  required_providers {
                    aws = { source = "hashicorp/aws", version = "~> 6.0" }
                  }
                }
                provider "aws" {
                  region              = var.region
                  allowed_account_ids = [var.account_id]
                  default_tags {
                    tags = { Purpose = "lab" }
                  }
                }
                provider "aws" {
                  alias  = "other"
                  region = "eu-west-1"
                }
                variable "region" {}
                variable "account_id" {}
            """,
            "main.tf": """
                data "aws_caller_identity" "current" {}
                data "aws_partition" "current" {}
                data "aws_region" "current" {}

                data "aws_iam_policy_document" "assume" {
                  statement {
                    actions = ["sts:AssumeRole"]
                    principals {
                      type        = "Service"
                      identifiers = ["lambda.amazonaws.com"]
                    }
                  }
                }

                resource "aws_iam_role" "etl" {
                  count              = 1
                  name               = "etl-${data.aws_region.current.region}"
                  assume_role_policy = data.aws_iam_policy_document.assume.json
                  provider           = aws.other
                  depends_on         = [data.aws_caller_identity.current]
                  lifecycle {
                    create_before_destroy = true
                  }
                }

                resource "aws_lambda_function" "etl" {
                  for_each      = toset(["a"])
                  function_name = "etl-${each.key}"
                  role          = aws_iam_role.etl[0].arn
                  handler       = "main.handler"
                  runtime       = "python3.12"
                  filename      = "etl.zip"
                  timeout       = 300
                  environment {
                    variables = { BUCKET = "b" }
                  }
                }

                resource "random_id" "suffix" {
                  byte_length = 4
                }
            """,
        }
    )
    assert messages(report) == []
    assert "provider.aws" in report.checked
    assert report.unchecked == ["random_id.suffix"]


# --- what changed since provider 3.x ----------------------------------------------------------


def test_v3_inline_encryption_block_is_still_in_v6_but_deprecated(check, schema):
    # Provider 6.25.0 still accepts the inline block (it is not removed), so
    # the finding is the deprecation, not an unknown block.
    assert (
        "server_side_encryption_configuration"
        in schema["resources"]["aws_s3_bucket"]["blocks"]
    )
    report = check(
        **{
            "s3.tf": """
                resource "aws_s3_bucket" "lake" {
                  bucket = "lake"
                  server_side_encryption_configuration {
                    rule {
                      apply_server_side_encryption_by_default {
                        sse_algorithm = "AES256"
                      }
                    }
                  }
                }
            """
        }
    )
    assert messages(report) == [
        (
            "aws_s3_bucket.lake",
            "server_side_encryption_configuration",
            "deprecated: Use the aws_s3_bucket_server_side_encryption_configuration resource instead",
        )
    ]
    assert report.findings[0].line == 4


def test_v3_firehose_buffer_size_is_unknown_in_v6(check):
    report = check(
        **{
            "kinesis_fh.tf": """
                resource "aws_kinesis_firehose_delivery_stream" "s" {
                  name        = "s"
                  destination = "extended_s3"
                  extended_s3_configuration {
                    role_arn           = "arn:aws:iam::1:role/r"
                    bucket_arn         = "arn:aws:s3:::b"
                    buffer_size        = 1
                    buffer_interval    = 60
                    buffering_size     = 1
                    buffering_interval = 60
                  }
                }
            """
        }
    )
    s = "aws_kinesis_firehose_delivery_stream.s"
    assert messages(report) == [
        (
            s,
            "extended_s3_configuration.buffer_size",
            "unknown argument `buffer_size` (did you mean `buffering_size`?)",
        ),
        (
            s,
            "extended_s3_configuration.buffer_interval",
            "unknown argument `buffer_interval` (did you mean `buffering_interval`?)",
        ),
    ]
    assert [f.line for f in report.findings] == [8, 9]


def test_v3_firehose_s3_destination_block_is_gone(check):
    report = check(
        **{
            "kinesis_fh.tf": """
                resource "aws_kinesis_firehose_delivery_stream" "s" {
                  name        = "s"
                  destination = "s3"
                  s3_configuration {
                    role_arn   = "arn:aws:iam::1:role/r"
                    bucket_arn = "arn:aws:s3:::b"
                  }
                }
            """
        }
    )
    assert [(f.path, f.message.split(" (")[0]) for f in report.findings] == [
        ("s3_configuration", "unknown block `s3_configuration`")
    ]


def test_v3_provider_argument_is_unknown(check):
    report = check(**{"p.tf": 'provider "aws" {\n  s3_force_path_style = true\n}\n'})
    assert messages(report) == [
        (
            "provider.aws",
            "s3_force_path_style",
            "unknown argument `s3_force_path_style` (did you mean `s3_use_path_style`?)",
        )
    ]


# --- each kind of finding ------------------------------------------------------------------


def test_lambda_missing_role(check):
    report = check(
        **{
            "lambda.tf": """
                resource "aws_lambda_function" "etl" {
                  function_name = "etl"
                  handler       = "main.handler"
                  runtime       = "python3.12"
                  filename      = "etl.zip"
                }
            """
        }
    )
    assert messages(report) == [
        ("aws_lambda_function.etl", "role", "missing required argument `role`")
    ]
    assert report.findings[0].line == 2


def test_required_argument_set_to_null_is_missing(check):
    report = check(
        **{
            "lambda.tf": """
                resource "aws_lambda_function" "etl" {
                  function_name = "etl"
                  role          = null
                }
            """
        }
    )
    assert messages(report) == [
        ("aws_lambda_function.etl", "role", "missing required argument `role`")
    ]


def test_read_only_arn_on_bucket(check):
    report = check(
        **{
            "s3.tf": """
                resource "aws_s3_bucket" "lake" {
                  bucket = "lake"
                  arn    = "arn:aws:s3:::lake"
                }
                data "aws_iam_role" "r" {
                  name = "r"
                  arn  = "x"
                }
            """
        }
    )
    assert messages(report) == [
        (
            "aws_s3_bucket.lake",
            "arn",
            "read-only attribute (computed by the provider) cannot be set",
        ),
        (
            "data.aws_iam_role.r",
            "arn",
            "read-only attribute (computed by the provider) cannot be set",
        ),
    ]


def test_block_written_as_attribute_and_attribute_as_block(check):
    report = check(
        **{
            "s3.tf": """
                resource "aws_s3_bucket_versioning" "v" {
                  bucket                   = "lake"
                  versioning_configuration = { status = "Enabled" }
                }
                resource "aws_s3_bucket" "lake" {
                  tags {
                    Owner = "jk"
                  }
                }
            """
        }
    )
    # Sorted by line; a missing argument or block is reported at its
    # resource's first line.
    assert messages(report) == [
        (
            "aws_s3_bucket_versioning.v",
            "versioning_configuration",
            "missing required block `versioning_configuration`",
        ),
        (
            "aws_s3_bucket_versioning.v",
            "versioning_configuration",
            "`versioning_configuration` is a block: write `versioning_configuration { ... }`, not `versioning_configuration = ...`",
        ),
        (
            "aws_s3_bucket.lake",
            "tags",
            "`tags` is an attribute (map(string)): write `tags = ...`, not `tags { ... }`",
        ),
    ]


def test_too_many_items_in_max_1_block(check):
    report = check(
        **{
            "kinesis_fh.tf": """
                resource "aws_kinesis_firehose_delivery_stream" "s" {
                  name        = "s"
                  destination = "extended_s3"
                  extended_s3_configuration {
                    role_arn   = "r"
                    bucket_arn = "b"
                  }
                  extended_s3_configuration {
                    role_arn   = "r"
                    bucket_arn = "b"
                  }
                  timeouts {}
                  timeouts {}
                }
            """
        }
    )
    s = "aws_kinesis_firehose_delivery_stream.s"
    assert messages(report) == [
        (
            s,
            "extended_s3_configuration",
            "2 `extended_s3_configuration` blocks, at most 1 allowed",
        ),
        (s, "timeouts", "2 `timeouts` blocks, at most 1 allowed"),
    ]


def test_nested_required_and_unknown(check):
    report = check(
        **{
            "s3.tf": """
                resource "aws_s3_bucket_server_side_encryption_configuration" "e" {
                  bucket = "lake"
                  rule {
                    apply_server_side_encryption_by_default {
                      kms_master_key_id = "k"
                      sse_algorithim    = "aws:kms"
                    }
                  }
                }
            """
        }
    )
    p = "rule[0].apply_server_side_encryption_by_default"
    assert messages(report) == [
        (
            "aws_s3_bucket_server_side_encryption_configuration.e",
            f"{p}.sse_algorithm",
            "missing required argument `sse_algorithm`",
        ),
        (
            "aws_s3_bucket_server_side_encryption_configuration.e",
            f"{p}.sse_algorithim",
            "unknown argument `sse_algorithim` (did you mean `sse_algorithm`?)",
        ),
    ]
    assert [f.line for f in report.findings] == [5, 7]


def test_dynamic_block_content_is_checked_and_never_counted(check):
    report = check(
        **{
            "s3.tf": """
                resource "aws_s3_bucket_lifecycle_configuration" "l" {
                  bucket = "lake"
                  dynamic "rule" {
                    for_each = var.rules
                    content {
                      id      = rule.value
                      status  = "Enabled"
                      enabled = true
                    }
                  }
                }
                resource "aws_kinesis_firehose_delivery_stream" "s" {
                  name        = "s"
                  destination = "extended_s3"
                  dynamic "extended_s3_configuration" {
                    for_each = [1, 2]
                    content {
                      role_arn   = "r"
                      bucket_arn = "b"
                    }
                  }
                }
            """
        }
    )
    assert messages(report) == [
        (
            "aws_s3_bucket_lifecycle_configuration.l",
            "rule[dynamic].enabled",
            "unknown argument `enabled`",
        )
    ]


def test_unknown_and_not_extracted_types(check):
    report = check(
        **{
            "main.tf": """
                resource "aws_s3_bukcet" "a" {}
                resource "aws_sqs_queue" "q" {}
                data "aws_iam_rol" "r" {}
                resource "aws_kinesis_analytics_application" "sql" {}
            """
        }
    )
    not_extracted = (
        "exists in the provider but is not in the schema file: add it to"
        " scripts/schema/aws-types.json and run scripts/schema/extract-aws-schema.mjs"
    )
    assert messages(report) == [
        (
            "aws_s3_bukcet.a",
            "",
            "unknown resource type `aws_s3_bukcet` (did you mean `aws_s3_bucket`?)",
        ),
        ("aws_sqs_queue.q", "", f"resource type `aws_sqs_queue` {not_extracted}"),
        (
            "data.aws_iam_rol.r",
            "",
            "unknown data source type `aws_iam_rol` (did you mean `aws_iam_role`?)",
        ),
        (
            "aws_kinesis_analytics_application.sql",
            "",
            f"resource type `aws_kinesis_analytics_application` {not_extracted}",
        ),
    ]
    assert report.checked == []


def test_deprecated_data_source_argument(check):
    report = check(**{"main.tf": 'data "aws_region" "r" {\n  name = "us-east-1"\n}\n'})
    assert messages(report) == [
        ("data.aws_region.r", "name", "deprecated: Use region instead")
    ]


def test_argument_set_twice(check):
    report = check(
        **{
            "main.tf": 'resource "aws_iam_role" "r" {\n  assume_role_policy = "{}"\n  name = "a"\n  name = "b"\n}\n'
        }
    )
    assert messages(report) == [("aws_iam_role.r", "name", "argument set twice")]


def test_syntax_error_is_a_finding(check):
    report = check(**{"bad.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'})
    assert len(report.findings) == 1
    f = report.findings[0]
    assert f.file == "bad.tf" and f.message.startswith("HCL syntax error")


def test_finding_names_file_line_address_and_path(check):
    report = check(
        **{
            "a.tf": 'resource "aws_s3_bucket" "ok" {}\n',
            "b.tf": '\n\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n  arn    = "y"\n}\n',
        }
    )
    (f,) = report.findings
    assert (f.file, f.line, f.address, f.path) == ("b.tf", 5, "aws_s3_bucket.b", "arn")
    assert (
        str(f)
        == "b.tf:5: aws_s3_bucket.b.arn: read-only attribute (computed by the provider) cannot be set"
    )


def test_command_line_exit_codes(sc, tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_text('resource "aws_lambda_function" "f" {}\n')
    ok = subprocess.run(
        [sys.executable, str(CHECKER), str(tmp_path / "ok")],
        check=False,
        capture_output=True,
        text=True,
    )
    bad = subprocess.run(
        [sys.executable, str(CHECKER), str(tmp_path / "bad")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert (ok.returncode, ok.stdout) == (0, "")
    assert bad.returncode == 1
    assert (
        "main.tf:1: aws_lambda_function.f.role: missing required argument `role`"
        in bad.stdout
    )


# --- the schema file ---------------------------------------------------------------------


def _sorted_pairs(pairs):
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys), f"keys not sorted: {keys}"
    return dict(pairs)


def test_schema_file_is_deterministic_and_small():
    text = SCHEMA_FILE.read_text()
    assert len(text.encode()) < 1_000_000
    json.loads(text, object_pairs_hook=_sorted_pairs)
    assert text.endswith("}\n") and "\t" not in text


def test_schema_file_matches_its_config():
    cfg = json.loads(TYPES_FILE.read_text())
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["source"]["package"] == f"{cfg['package']}@{cfg['version']}"
    assert schema["source"]["provider_version"] == cfg["provider_version"]
    assert SCHEMA_FILE.name == f"aws-{cfg['provider_version']}.json"
    assert sorted(schema["resources"]) == sorted(cfg["resources"])
    assert sorted(schema["data_sources"]) == sorted(cfg["data_sources"])
    assert set(cfg["resources"]) <= set(schema["all_resource_types"])
    assert set(cfg["data_sources"]) <= set(schema["all_data_source_types"])
    for key in ("resources", "data_sources"):
        for tf_type, paths in cfg["deprecated"].get(key, {}).items():
            for path, message in paths.items():
                node = schema[key][tf_type]
                for part in path.split("."):
                    node = {**node.get("attributes", {}), **node.get("blocks", {})}[
                        part
                    ]
                assert node["deprecated"] == message


def test_schema_file_known_facts(schema):
    r = schema["resources"]
    bucket = r["aws_s3_bucket"]["attributes"]
    assert bucket["bucket"]["mode"] == "optional"
    assert bucket["arn"]["mode"] == "computed"
    fh = r["aws_kinesis_firehose_delivery_stream"]
    assert fh["attributes"]["destination"]["mode"] == "required"
    x = fh["blocks"]["extended_s3_configuration"]
    assert (x["nesting"], x["max_items"], x["min_items"]) == ("list", 1, 0)
    assert {"buffering_size", "buffering_interval"} <= set(x["attributes"])
    assert "buffer_size" not in x["attributes"]
    assert x["attributes"]["bucket_arn"]["mode"] == "required"
    fn = r["aws_lambda_function"]["attributes"]
    assert fn["function_name"]["mode"] == fn["role"]["mode"] == "required"
    assert r["aws_s3_bucket"]["blocks"]["timeouts"]["nesting"] == "single"
    assert (
        schema["data_sources"]["aws_caller_identity"]["attributes"]["account_id"][
            "mode"
        ]
        == "computed"
    )
    assert "alias" not in schema["provider"].get("attributes", {})
