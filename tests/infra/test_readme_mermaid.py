"""Every rendered README's Mermaid diagram parses with the real parser.

Each example in examples/ (students and classes) is rendered with the
stackgen binary; every ```mermaid block of every README.md written is
handed to mermaid itself (npm `mermaid`, in a jsdom window: see
mermaid_parse.mjs), the parser GitHub and GitLab render diagrams with.
scripts/install-test-tools.sh installs it into $STACKGEN_TOOLS/node.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from . import tfcheck

PARSER = Path(__file__).with_name("mermaid_parse.mjs")
# A fence of three or more backticks opens a block; the same fence closes it.
FENCE = re.compile(r"^(`{3,})mermaid\n(.*?)^\1$", re.MULTILINE | re.DOTALL)
# `id["label"]` node statements, and the ids an edge joins.
NODE = re.compile(r'^\s+([a-z_]+)\["', re.MULTILINE)


def node_modules() -> Path:
    return Path(
        os.environ.get("STACKGEN_NODE_MODULES") or tfcheck.tools_root() / "node"
    )


def parse(diagrams: list[tuple[str, str]]) -> list[dict]:
    """Runs the parser over (name, text) pairs in one node process."""
    modules = node_modules()
    if not (modules / "node_modules" / "mermaid").is_dir():
        pytest.fail(
            f"no mermaid in {modules}: run scripts/install-test-tools.sh",
            pytrace=False,
        )
    proc = subprocess.run(
        ["node", str(PARSER), str(modules)],
        input=json.dumps([{"name": n, "text": t} for n, t in diagrams]),
        capture_output=True,
        text=True,
        check=False,
        timeout=tfcheck.TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["name"] for r in results] == [n for n, _ in diagrams], proc.stdout
    return results


@pytest.fixture(scope="module")
def rendered(stackgen, tmp_path_factory) -> dict[str, Path]:
    """Every example rendered, by file stem."""
    examples = sorted(tfcheck.examples_dir().glob("*.yaml"))
    assert examples, f"no examples in {tfcheck.examples_dir()}"
    out = tmp_path_factory.mktemp("readmes")
    dirs = {}
    for example in examples:
        tfcheck.render(stackgen, example, out / example.stem)
        dirs[example.stem] = out / example.stem
    return dirs


@pytest.fixture(scope="module")
def diagrams(rendered) -> list[tuple[str, str]]:
    """(README path, diagram) of every stack README; each stack directory
    (one with a provider.tf) has one README with exactly one diagram."""
    found = []
    for stem, root in rendered.items():
        stacks = sorted(p.parent for p in root.rglob("provider.tf"))
        assert stacks, f"{stem}: no stack rendered"
        for stack in stacks:
            readme = stack / "README.md"
            assert readme.is_file(), f"{readme} missing"
            blocks = FENCE.findall(readme.read_text())
            assert len(blocks) == 1, f"{readme}: {len(blocks)} mermaid blocks"
            found.append((str(readme.relative_to(root.parent)), blocks[0][1]))
    return found


def test_every_readme_diagram_parses(diagrams):
    results = parse(diagrams)
    failed = [f"{r['name']}: {r.get('error')}" for r in results if not r["ok"]]
    assert not failed, "\n\n".join(failed)
    assert {r["type"] for r in results} == {"flowchart-v2"}
    print(f"{len(results)} diagrams parsed")


def test_the_parser_rejects_a_broken_diagram(diagrams):
    # The same diagrams with one label's closing quote dropped must fail:
    # the check above would otherwise prove nothing.
    name, text = diagrams[0]
    broken = text.replace('"]', "]", 1)
    assert broken != text
    results = parse([(name, text), (name + " (broken)", broken)])
    assert results[0]["ok"], results[0]
    assert not results[1]["ok"], results[1]


def test_class_root_readme_lists_every_stack(rendered):
    classes = 0
    for stem, root in rendered.items():
        if (root / "provider.tf").exists():
            continue  # a student file: the stack is the root
        classes += 1
        text = (root / "README.md").read_text()
        stacks = sorted(p.parent.name for p in root.glob("*/provider.tf"))
        assert stacks, stem
        for name in stacks:
            assert f"](<{name}/README.md>)" in text, f"{stem}: {name}"
        # One row per student, no more.
        assert text.count("/README.md>)") == len(stacks), stem
    assert classes >= 2, "examples/ should hold at least two classes"


def test_diagram_nodes_are_the_stacks_parts(stackgen, rendered):
    # The node ids are the part ids of the plan (plus the generator).
    for stem, root in rendered.items():
        if not (root / "provider.tf").exists():
            continue
        plan = tfcheck.stackgen_plan(stackgen, tfcheck.examples_dir() / f"{stem}.yaml")
        parts = plan.get("parts")
        if parts is None:
            pytest.fail(f"the plan of {stem} has no `parts`: {sorted(plan)}")
        ids = {p["id"] for p in parts}
        (block,) = FENCE.findall((root / "README.md").read_text())
        nodes = set(NODE.findall(block[1]))
        assert nodes == ids | {"generator"}, stem
