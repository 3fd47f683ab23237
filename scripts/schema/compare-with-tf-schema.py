#!/usr/bin/env python3
"""Lists what changed between a provider schema that Terraform printed and
an extracted schema file (tests/schema/aws-*.json), for the types in the
extracted file.

Made to answer "which arguments of the classic target (AWS provider 3.39.0)
are gone or different in provider 6.x"; it works for any two versions.

    python3 scripts/schema/compare-with-tf-schema.py OLD.json [NEW.json]

OLD.json is `terraform providers schema -json` run in an initialised stack
(the test tools' Terraform 0.14.6 with the 3.39.0 mirror will do: it prefixes
its output with `o:`, which is stripped here). NEW.json defaults to
tests/schema/aws-6.66.0.json.

Each line: the type, the path, and what changed:
  removed        in OLD, not in NEW (an argument or a block)
  now read-only  settable in OLD, computed-only in NEW
  now required   optional in OLD, required in NEW (or min_items 0 -> 1)
  now optional   required in OLD, optional in NEW
  block->attr / attr->block
  nesting        list/set/single changed
  new required   in NEW only, and required (a stack must add it)
Read-only attributes that disappeared are listed as `removed (read-only)`:
only references to them break. Arguments that are new and optional are
counted, not listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_old(path: Path) -> dict:
    text = path.read_text().removeprefix("o:")
    doc = json.loads(text)
    (schemas,) = [v for k, v in doc["provider_schemas"].items() if k.endswith("/aws")]
    return schemas


def old_mode(a: dict) -> str:
    if a.get("required"):
        return "required"
    if a.get("optional"):
        return "optional"
    return "computed"


def old_nesting(b: dict) -> str:
    mode = b["nesting_mode"]
    return "single" if mode in ("single", "group") else mode


def compare(kind: str, name: str, old: dict, new: dict, path: str, out: list) -> int:
    """Appends differences between an old Terraform block schema and a new
    compact one; returns the count of new optional arguments."""
    added_optional = 0
    old_attrs = old.get("attributes", {})
    old_blocks = old.get("block_types", {})
    new_attrs = new.get("attributes", {})
    new_blocks = new.get("blocks", {})
    where = f"{kind} {name}"

    def line(p: str, msg: str) -> None:
        out.append(f"{where}: {p}: {msg}")

    for a, spec in sorted(old_attrs.items()):
        p = f"{path}{a}"
        mode = old_mode(spec)
        if a in new_blocks:
            line(p, f"attr->block (was a {mode} attribute, is now a block)")
        elif a not in new_attrs:
            line(
                p,
                "removed"
                + (" (read-only)" if mode == "computed" else f" (was {mode})"),
            )
        else:
            new_mode = new_attrs[a]["mode"]
            if mode != new_mode:
                if new_mode == "computed":
                    line(p, f"now read-only (was {mode})")
                elif mode == "computed":
                    line(p, f"now settable ({new_mode})")
                else:
                    line(p, f"now {new_mode} (was {mode})")
    for b, spec in sorted(old_blocks.items()):
        p = f"{path}{b}"
        if b in new_attrs:
            line(
                p,
                f"block->attr (is now a {new_attrs[b]['mode']} attribute of type {new_attrs[b]['type']})",
            )
            continue
        if b not in new_blocks:
            line(p, "removed (block)")
            continue
        nb = new_blocks[b]
        if old_nesting(spec) != nb["nesting"]:
            line(p, f"nesting {old_nesting(spec)} -> {nb['nesting']}")
        old_min = spec.get("min_items", 0)
        if (old_min >= 1) != (nb.get("min_items", 0) >= 1):
            line(p, "now required" if nb.get("min_items", 0) >= 1 else "now optional")
        old_max = spec.get("max_items")
        if (old_max == 1) != (nb.get("max_items") == 1) and nb["nesting"] != "single":
            line(p, f"max_items {old_max} -> {nb.get('max_items')}")
        added_optional += compare(kind, name, spec["block"], nb, f"{p}.", out)
    for a, spec in sorted(new_attrs.items()):
        if a not in old_attrs and a not in old_blocks:
            if spec["mode"] == "required":
                line(f"{path}{a}", "new required attribute")
            elif spec["mode"] == "optional":
                added_optional += 1
    for b, spec in sorted(new_blocks.items()):
        if b not in old_blocks and b not in old_attrs:
            if spec.get("min_items", 0) >= 1:
                line(f"{path}{b}", "new required block")
            else:
                added_optional += 1
    return added_optional


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    old = load_old(Path(argv[0]))
    new_path = (
        Path(argv[1])
        if len(argv) > 1
        else REPO / "tests" / "schema" / "aws-6.66.0.json"
    )
    new = json.loads(new_path.read_text())
    out: list[str] = []
    added = 0
    for kind, old_key, new_key in (
        ("resource", "resource_schemas", "resources"),
        ("data", "data_source_schemas", "data_sources"),
    ):
        for name, schema in sorted(new[new_key].items()):
            if name not in old.get(old_key, {}):
                out.append(f"{kind} {name}: not in the old provider")
                continue
            added += compare(kind, name, old[old_key][name]["block"], schema, "", out)
    if "provider" in new and "provider" in old:
        added += compare(
            "provider", "aws", old["provider"]["block"], new["provider"], "", out
        )
    print("\n".join(out))
    print(
        f"({len(out)} differences; {added} new optional arguments or blocks not listed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
