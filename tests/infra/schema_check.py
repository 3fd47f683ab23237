"""Checks a directory of Terraform files against an extracted provider schema
(tests/schema/aws-*.json, made by scripts/schema/extract-aws-schema.mjs).

It stands in for `terraform validate` where the provider cannot be run (the
modern target's hashicorp/aws 6.x: no binary of it can be had here). It
reads the HCL syntax tree, so it knows a block (`name { ... }`) from an
attribute (`name = ...`), and reports, for every `resource`, `data` and
`provider "aws"` block of the AWS provider:

- an unknown resource or data source type (and a type of the provider that
  the schema file was not extracted for: add it to
  scripts/schema/aws-types.json and run the extractor again);
- an unknown argument or block, with the closest known name;
- a missing required argument, or a missing required block (min_items >= 1);
- a read-only (computed-only) attribute that is set;
- a block written as an attribute, or an attribute written as a block;
- more blocks than a max-1 (or single) block allows;
- an argument set twice;
- a deprecated argument or block (the schema file's `deprecated`, listed by
  hand in scripts/schema/aws-types.json: Terraform warns about these, and
  this project treats a warning as a failure).

Meta-arguments are allowed on every resource (`count`, `for_each`,
`depends_on`, `provider`, and the `lifecycle`, `provisioner`, `connection`
blocks) and data source (the same, without provisioner and connection), and
`alias`/`version` in a provider block. A `dynamic "x"` block counts as block
x (its `content` is checked; it is never counted against max_items, since
its number of items is only known at plan time). An argument set to the
literal `null` counts as not set. Values are not checked (no types, enums or
references): `terraform validate` with the real provider does that.

Types of other providers (`random_id`, `archive_file`, ...) are not checked;
they are listed in `Report.unchecked`.

Command line: python tests/infra/schema_check.py DIR [--schema FILE]
(exit 0 clean, 1 findings, 2 usage). Needs python-hcl2 (8.x).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCHEMA = REPO / "tests" / "schema" / "aws-6.66.0.json"

RESOURCE_META_ATTRS = frozenset({"count", "for_each", "depends_on", "provider"})
RESOURCE_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
DATA_META_ATTRS = RESOURCE_META_ATTRS
DATA_META_BLOCKS = frozenset({"lifecycle"})
PROVIDER_META_ATTRS = frozenset({"alias", "version"})


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # the .tf file's name
    line: int
    address: str  # aws_s3_bucket.raw, data.aws_iam_role.x, provider.aws
    path: str  # inside the resource: extended_s3_configuration.buffer_size
    message: str

    def __str__(self) -> str:
        where = f"{self.address}.{self.path}" if self.path else self.address
        return f"{self.file}:{self.line}: {where}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # addresses checked
    unchecked: list[str] = field(default_factory=list)  # other providers' types

    def __str__(self) -> str:
        return "\n".join(str(f) for f in sorted(self.findings))


def load_schema(path: Path = DEFAULT_SCHEMA) -> dict:
    return json.loads(Path(path).read_text())


# --- the syntax tree ---------------------------------------------------------------


def _name(node) -> str:
    """The text of an identifier, keyword, literal_value or string node."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(
            str(t)
            for part in node.children
            if isinstance(part, Tree)
            for t in part.children
            if isinstance(t, Token)
        )
    return "".join(str(t) for t in node.children if isinstance(t, Token))


@dataclass
class Attr:
    name: str
    line: int
    is_null: bool


@dataclass
class Block:
    type: str
    labels: list[str]
    line: int
    body: Tree


def _items(body: Tree) -> tuple[list[Attr], list[Block]]:
    attrs, blocks = [], []
    for node in body.children:
        if not isinstance(node, Tree):
            continue
        if node.data == "attribute":
            name = _name(node.children[0])
            expr = node.children[-1]
            is_null = (
                isinstance(expr, Tree)
                and expr.data == "expr_term"
                and len(expr.children) == 1
                and isinstance(expr.children[0], Tree)
                and expr.children[0].data == "literal_value"
                and _name(expr.children[0]) == "null"
            )
            attrs.append(Attr(name, node.meta.line, is_null))
        elif node.data == "block":
            parts = [c for c in node.children if isinstance(c, Tree)]
            inner = next(c for c in reversed(parts) if c.data == "body")
            heads = [
                c for c in parts if c.data != "new_line_or_comment" and c is not inner
            ]
            blocks.append(
                Block(
                    _name(heads[0]),
                    [_name(h) for h in heads[1:]],
                    node.meta.line,
                    inner,
                )
            )
    return attrs, blocks


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


# --- the checks ---------------------------------------------------------------------


class _Checker:
    def __init__(self, schema: dict, file: str, report: Report):
        self.schema = schema
        self.file = file
        self.report = report

    def add(self, line: int, address: str, path: str, message: str) -> None:
        self.report.findings.append(Finding(self.file, line, address, path, message))

    def body(
        self,
        body: Tree,
        spec: dict,
        address: str,
        path: str,
        line: int,
        meta_attrs=frozenset(),
        meta_blocks=frozenset(),
    ) -> None:
        schema_attrs = spec.get("attributes", {})
        schema_blocks = spec.get("blocks", {})
        known = set(schema_attrs) | set(schema_blocks) | meta_attrs | meta_blocks
        prefix = f"{path}." if path else ""
        attrs, blocks = _items(body)

        set_attrs: set[str] = set()
        seen: set[str] = set()
        for a in attrs:
            p = prefix + a.name
            if a.name in seen:
                self.add(a.line, address, p, "argument set twice")
            seen.add(a.name)
            if a.name in meta_attrs:
                continue
            if a.name in schema_attrs:
                if not a.is_null:
                    set_attrs.add(a.name)
                    if schema_attrs[a.name]["mode"] == "computed":
                        self.add(
                            a.line,
                            address,
                            p,
                            "read-only attribute (computed by the provider) cannot be set",
                        )
                    elif "deprecated" in schema_attrs[a.name]:
                        self.add(
                            a.line,
                            address,
                            p,
                            f"deprecated: {schema_attrs[a.name]['deprecated']}",
                        )
            elif a.name in schema_blocks or a.name in meta_blocks:
                self.add(
                    a.line,
                    address,
                    p,
                    f"`{a.name}` is a block: write `{a.name} {{ ... }}`, not `{a.name} = ...`",
                )
            else:
                self.add(
                    a.line,
                    address,
                    p,
                    f"unknown argument `{a.name}`" + _suggest(a.name, known),
                )

        counts: Counter[str] = Counter()
        dynamic: set[str] = set()
        for b in blocks:
            name, content, is_dynamic = b.type, b.body, False
            if b.type == "dynamic" and "dynamic" not in schema_blocks:
                if len(b.labels) != 1:
                    self.add(
                        b.line,
                        address,
                        prefix + "dynamic",
                        "a dynamic block takes one label",
                    )
                    continue
                name, is_dynamic = b.labels[0], True
                inner = [x for x in _items(b.body)[1] if x.type == "content"]
                if len(inner) != 1:
                    self.add(
                        b.line,
                        address,
                        prefix + name,
                        "a dynamic block needs one `content` block",
                    )
                    continue
                content = inner[0].body
            if name in meta_blocks:
                continue
            if name in schema_blocks:
                bspec = schema_blocks[name]
                single = bspec["nesting"] == "single" or bspec.get("max_items") == 1
                if is_dynamic:
                    dynamic.add(name)
                    p = f"{prefix}{name}[dynamic]"
                else:
                    p = (
                        f"{prefix}{name}"
                        if single
                        else f"{prefix}{name}[{counts[name]}]"
                    )
                    counts[name] += 1
                if b.labels and not is_dynamic:
                    self.add(b.line, address, p, f"block `{name}` takes no labels")
                if "deprecated" in bspec:
                    self.add(b.line, address, p, f"deprecated: {bspec['deprecated']}")
                self.body(content, bspec, address, p, b.line)
            elif name in schema_attrs:
                if schema_attrs[name]["mode"] == "computed":
                    self.add(
                        b.line,
                        address,
                        prefix + name,
                        "read-only attribute (computed by the provider) cannot be set",
                    )
                else:
                    self.add(
                        b.line,
                        address,
                        prefix + name,
                        f"`{name}` is an attribute ({schema_attrs[name]['type']}): write"
                        f" `{name} = ...`, not `{name} {{ ... }}`",
                    )
            else:
                self.add(
                    b.line,
                    address,
                    prefix + name,
                    f"unknown block `{name}`" + _suggest(name, known),
                )

        for name, a in sorted(schema_attrs.items()):
            if a["mode"] == "required" and name not in set_attrs:
                self.add(
                    line, address, prefix + name, f"missing required argument `{name}`"
                )
        for name, bspec in sorted(schema_blocks.items()):
            n = counts[name]
            if bspec.get("min_items", 0) > n and name not in dynamic:
                self.add(
                    line,
                    address,
                    prefix + name,
                    f"missing required block `{name}`"
                    + (
                        f" (at least {bspec['min_items']})"
                        if bspec["min_items"] > 1
                        else ""
                    ),
                )
            limit = 1 if bspec["nesting"] == "single" else bspec.get("max_items")
            if limit is not None and n > limit:
                self.add(
                    line,
                    address,
                    prefix + name,
                    f"{n} `{name}` blocks, at most {limit} allowed",
                )

    def top(self, b: Block) -> None:
        if b.type in ("resource", "data"):
            is_data = b.type == "data"
            kind = "data source" if is_data else "resource"
            if len(b.labels) != 2:
                self.add(
                    b.line,
                    b.type,
                    "",
                    f"a {b.type} block takes two labels (type and name)",
                )
                return
            tf_type, name = b.labels
            address = f"{'data.' if is_data else ''}{tf_type}.{name}"
            if not tf_type.startswith("aws_"):
                self.report.unchecked.append(address)
                return
            types = self.schema["data_sources" if is_data else "resources"]
            every = self.schema.get(
                "all_data_source_types" if is_data else "all_resource_types", []
            )
            if tf_type not in types:
                if tf_type in every:
                    msg = (
                        f"{kind} type `{tf_type}` exists in the provider but is not in the"
                        " schema file: add it to scripts/schema/aws-types.json and run"
                        " scripts/schema/extract-aws-schema.mjs"
                    )
                else:
                    msg = f"unknown {kind} type `{tf_type}`" + _suggest(
                        tf_type, every or types
                    )
                self.add(b.line, address, "", msg)
                return
            self.report.checked.append(address)
            self.body(
                b.body,
                types[tf_type],
                address,
                "",
                b.line,
                DATA_META_ATTRS if is_data else RESOURCE_META_ATTRS,
                DATA_META_BLOCKS if is_data else RESOURCE_META_BLOCKS,
            )
        elif b.type == "provider" and b.labels == ["aws"] and "provider" in self.schema:
            self.report.checked.append("provider.aws")
            self.body(
                b.body,
                self.schema["provider"],
                "provider.aws",
                "",
                b.line,
                PROVIDER_META_ATTRS,
            )


def check_text(
    text: str, schema: dict, file: str = "main.tf", report: Report | None = None
) -> Report:
    report = report if report is not None else Report()
    try:
        tree = hcl2.parses_to_tree(text)
    except LarkError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        report.findings.append(
            Finding(
                file, getattr(e, "line", 0) or 0, "", "", f"HCL syntax error: {first}"
            )
        )
        return report
    checker = _Checker(schema, file, report)
    body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
    for b in _items(body)[1]:
        checker.top(b)
    return report


def check_dir(directory: Path, schema: dict) -> Report:
    """Every *.tf file of one module directory (not its subdirectories, as
    Terraform reads a module)."""
    report = Report()
    for path in sorted(Path(directory).glob("*.tf")):
        check_text(path.read_text(), schema, path.name, report)
    report.findings.sort()
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        parser.error(f"{args.directory} is not a directory")
    report = check_dir(args.directory, load_schema(args.schema))
    if report.findings:
        print(report)
    print(
        f"{len(report.findings)} finding(s) in {len(report.checked)} checked block(s)"
        + (
            f"; not checked (other providers): {', '.join(report.unchecked)}"
            if report.unchecked
            else ""
        ),
        file=sys.stderr,
    )
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
