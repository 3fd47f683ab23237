"""The test tools are what their locks say, and the check that says so can fail.

scripts/install-test-tools.sh compares each venv's `pip freeze --all` and the
node tree's `npm ls --all` with their locks (scripts/lockcheck.py). Here the
same check runs on the real installed tools: first as they are (no
difference), then against copies of the real locks with one difference
planted each (a changed version, a package the lock lacks, a package the
lock has and the venv does not), each of which must be reported by name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCKS = REPO / "tests" / "locks"
LOCKCHECK = REPO / "scripts" / "lockcheck.py"


def tools_root() -> Path:
    root = os.environ.get("STACKGEN_TOOLS")
    if not root:
        pytest.fail("STACKGEN_TOOLS is not set: run through scripts/test.sh", pytrace=False)
    return Path(root)


def lockcheck(kind: str, lock: Path, installed: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, LOCKCHECK, kind, lock, installed],
        capture_output=True,
        text=True,
        check=False,
    )


def freeze(venv: Path, tmp_path: Path) -> Path:
    """`pip freeze --all` of a venv made without pip, as the install script
    takes it: the host's pip pointed at the venv's interpreter."""
    # This test runs in the test venv, which has no pip: the interpreter it
    # was made from has.
    host = getattr(sys, "_base_executable", None) or sys.executable
    out = subprocess.run(
        [host, "-m", "pip", "--python", venv / "bin" / "python", "freeze", "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / f"{venv.name}.freeze"
    path.write_text(out)
    return path


VENVS = [("venv", "test-venv"), ("checkers-venv", "checkers")]


def pinned_block(lock_text: str, name: str) -> str:
    """The lines of one package's entry in a compiled lock: its pin, its
    hashes and uv's `# via` comments, up to the next pin."""
    match = re.search(
        rf"^{re.escape(name)}==[^\n]*\n(?:(?![A-Za-z0-9]).*\n)*", lock_text, re.MULTILINE
    )
    assert match, f"{name} is not in the lock"
    return match.group(0)


@pytest.mark.parametrize(("venv", "lock"), VENVS, ids=[v for v, _ in VENVS])
def test_each_venv_holds_exactly_its_lock(venv, lock, tmp_path):
    result = lockcheck("pip", LOCKS / f"{lock}.lock", freeze(tools_root() / venv, tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("venv", "lock"), VENVS, ids=[v for v, _ in VENVS])
def test_a_planted_difference_is_named(venv, lock, tmp_path):
    frozen = freeze(tools_root() / venv, tmp_path)
    text = (LOCKS / f"{lock}.lock").read_text()
    # A package every lock has, and one whose absence pip would not notice.
    victim = "six" if "\nsix==" in text else "pyyaml"
    block = pinned_block(text, victim)
    version = block.split("==", 1)[1].split()[0]

    changed = tmp_path / "changed.lock"
    changed.write_text(text.replace(f"{victim}=={version}", f"{victim}==0.0.1", 1))
    result = lockcheck("pip", changed, frozen)
    assert result.returncode == 1
    assert f"changed: {victim} is {version}, the lock says 0.0.1" in result.stderr

    # The lock lacks a package the venv has: an extra package.
    extra = tmp_path / "extra.lock"
    extra.write_text(text.replace(block, "", 1))
    result = lockcheck("pip", extra, frozen)
    assert result.returncode == 1
    assert f"extra: {victim}=={version} is installed but not in the lock" in result.stderr

    # The lock has a package the venv lacks.
    missing = tmp_path / "missing.lock"
    missing.write_text(text + "not-installed-here==1.2.3 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    result = lockcheck("pip", missing, frozen)
    assert result.returncode == 1
    assert "missing: not-installed-here==1.2.3 is locked but not installed" in result.stderr

    # Exactly one difference each time: the check names what differs, nothing else.
    for lock_copy in (changed, extra, missing):
        lines = lockcheck("pip", lock_copy, frozen).stderr.strip().splitlines()
        assert len(lines) == 1, lines


def test_a_lock_line_that_is_not_a_pin_is_refused(tmp_path):
    frozen = tmp_path / "freeze"
    frozen.write_text("six==1.17.0\n")
    loose = tmp_path / "loose.lock"
    loose.write_text("six>=1\n")
    result = lockcheck("pip", loose, frozen)
    assert result.returncode == 2
    assert "not an exact pin" in result.stderr


def npm_ls(tmp_path: Path) -> Path:
    node = tools_root() / "node"
    out = subprocess.run(
        ["npm", "ls", "--all", "--json"],
        cwd=node,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    path = tmp_path / "ls.json"
    path.write_text(out)
    return path


def test_the_node_tree_holds_exactly_its_lock(tmp_path):
    result = lockcheck("npm", LOCKS / "node" / "package-lock.json", npm_ls(tmp_path))
    assert result.returncode == 0, result.stderr


def test_a_planted_npm_difference_is_named(tmp_path):
    tree = npm_ls(tmp_path)
    lock = json.loads((LOCKS / "node" / "package-lock.json").read_text())
    path = "node_modules/jsdom"
    real = lock["packages"][path]["version"]

    lock["packages"][path]["version"] = "0.0.1"
    changed = tmp_path / "changed-lock.json"
    changed.write_text(json.dumps(lock))
    result = lockcheck("npm", changed, tree)
    assert result.returncode == 1
    assert f"jsdom@{real} is installed but not in the lock" in result.stderr
    assert "jsdom@0.0.1 is locked but not installed" in result.stderr

    lock["packages"][path]["version"] = real
    lock["packages"]["node_modules/not-installed-here"] = {"version": "1.2.3"}
    missing = tmp_path / "missing-lock.json"
    missing.write_text(json.dumps(lock))
    result = lockcheck("npm", missing, tree)
    assert result.returncode == 1
    assert "not-installed-here@1.2.3 is locked but not installed" in result.stderr

    # npm's own report of a package on disk that nothing requires.
    listing = json.loads(tree.read_text())
    listing.setdefault("problems", []).append("extraneous: left-pad@1.3.0 /x/node_modules/left-pad")
    extraneous = tmp_path / "extraneous.json"
    extraneous.write_text(json.dumps(listing))
    result = lockcheck("npm", LOCKS / "node" / "package-lock.json", extraneous)
    assert result.returncode == 1
    assert "extraneous: left-pad@1.3.0" in result.stderr


def test_each_lock_was_compiled_from_its_wishes():
    """A wish edited without recompiling would not be installed: the lock
    records the hash of the .in file it came from, and install-test-tools.sh
    refuses a lock whose record does not match. Here: every lock's record
    matches today."""
    import hashlib

    for name in ("test-venv", "checkers"):
        lock = (LOCKS / f"{name}.lock").read_text()
        recorded = re.search(rf"Compiled from tests/locks/{name}\.in \(sha256 ([0-9a-f]+)\)", lock)
        assert recorded, f"{name}.lock has no record of its input"
        actual = hashlib.sha256((LOCKS / f"{name}.in").read_bytes()).hexdigest()[:16]
        assert recorded.group(1) == actual, f"{name}.lock is stale: run bash scripts/lock.sh"
