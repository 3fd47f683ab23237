#!/usr/bin/env python3
"""Compares what is installed with its lock, and names every difference.

    lockcheck.py pip LOCK FREEZE     LOCK: a hashed requirements lock
                                     (tests/locks/*.lock); FREEZE: the output
                                     of `pip freeze --all` for the venv
    lockcheck.py npm LOCK LS_JSON    LOCK: package-lock.json (version 3);
                                     LS_JSON: `npm ls --all --json` of the tree

Exit 0 when they agree, 1 with one line per difference (a package missing,
extra, or at another version), 2 on a file that is not what it claims.

scripts/install-test-tools.sh runs it on every venv and on the node tree
after installing; tests/tools/test_lockcheck.py plants differences in copies
of the real locks and checks that each is caught. Standard library only: it
runs with the host's Python, before any venv exists.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# A requirement line of a compiled lock: `name==version \` or `name==version`,
# possibly with extras (`moto[server]==5.2.5`) or an environment marker.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    """PEP 503: case and runs of `-`, `_`, `.` do not distinguish names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins(text: str, what: str) -> dict[str, str]:
    """name -> version of every `name==version` line; anything else that is
    not a comment, a hash continuation or blank is an error (an unpinned or
    editable requirement has no place in a lock or a freeze)."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("--hash"):
            continue
        # `pip freeze` writes a package installed from a file or URL as
        # `name @ URL`: installed, at no version a lock can name.
        direct = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*) @ (\S+)", line)
        if direct:
            pins[normalize(direct.group(1))] = direct.group(2)
            continue
        match = PIN.match(line)
        if not match:
            raise ValueError(f"{what}:{number}: not an exact pin: {raw!r}")
        name = normalize(match.group(1))
        if name in pins and pins[name] != match.group(3):
            raise ValueError(f"{what}:{number}: {name} pinned twice")
        pins[name] = match.group(3)
    return pins


def npm_lock_pins(lock: dict) -> set[tuple[str, str]]:
    """(name, version) of every installed package a v2/v3 lock records."""
    if lock.get("lockfileVersion") not in (2, 3):
        raise ValueError(f"lockfileVersion {lock.get('lockfileVersion')!r}, expected 2 or 3")
    found = set()
    for path, entry in lock.get("packages", {}).items():
        if not path:  # the root project itself
            continue
        # "node_modules/a/node_modules/@scope/b" -> "@scope/b"
        name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
        found.add((name, entry["version"]))
    return found


def npm_tree_pins(tree: dict) -> tuple[set[tuple[str, str]], list[str]]:
    """(name, version) of every package in `npm ls --all --json`, and the
    problems npm itself reported (missing, invalid, extraneous)."""
    found: set[tuple[str, str]] = set()
    problems = [str(p) for p in tree.get("problems", [])]

    def walk(deps: dict) -> None:
        for name, node in (deps or {}).items():
            if "version" in node:
                found.add((name, node["version"]))
            if node.get("missing"):
                problems.append(f"missing: {name}")
            walk(node.get("dependencies", {}))

    walk(tree.get("dependencies", {}))
    return found, problems


def compare(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(locked.keys() | installed.keys()):
        want, have = locked.get(name), installed.get(name)
        if want == have:
            continue
        if have is None:
            lines.append(f"missing: {name}=={want} is locked but not installed")
        elif want is None:
            lines.append(f"extra: {name}=={have} is installed but not in the lock")
        else:
            lines.append(f"changed: {name} is {have}, the lock says {want}")
    return lines


def check_pip(lock_path: Path, freeze_path: Path) -> list[str]:
    locked = pip_pins(lock_path.read_text(), str(lock_path))
    installed = pip_pins(freeze_path.read_text(), str(freeze_path))
    return compare(locked, installed)


def check_npm(lock_path: Path, ls_path: Path) -> list[str]:
    locked = npm_lock_pins(json.loads(lock_path.read_text()))
    installed, problems = npm_tree_pins(json.loads(ls_path.read_text()))
    lines = [f"npm ls: {p}" for p in problems]
    for name, version in sorted(installed - locked):
        lines.append(f"extra or changed: {name}@{version} is installed but not in the lock")
    for name, version in sorted(locked - installed):
        lines.append(f"missing or changed: {name}@{version} is locked but not installed")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("pip", "npm"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, lock, installed = argv[1], Path(argv[2]), Path(argv[3])
    try:
        lines = (check_pip if kind == "pip" else check_npm)(lock, installed)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        print(f"lockcheck: {e}", file=sys.stderr)
        return 2
    for line in lines:
        print(f"lockcheck: {lock}: {line}", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
