"""Fixtures of the data-path tests.

Environment (scripts/test.sh sets the first by sourcing the tools' env.sh):
    the test venv's python, with awswrangler, moto, duckdb and sqlglot
    STACKGEN_BIN   the renderer (default <repo>/target/debug/stackgen)
    STACKGEN_LAB   the course material (default <repo>/../shared/lab)

Each test module starts its own moto server (one per module and pytest-xdist
worker), so the modules run in parallel under `-n 4`.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra import tfcheck
from infra.motoserver import MotoServer

from . import lab, pipeline

# The handlers are imported from the stacks' zips, extracted to temporary
# folders; no __pycache__ in them.
sys.dont_write_bytecode = True


@pytest.fixture(scope="session")
def stackgen() -> Path:
    path = tfcheck.stackgen_bin()
    if not path.is_file():
        pytest.fail(
            f"no stackgen binary at {path}: run `cargo build`, or set STACKGEN_BIN",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def trades() -> list[dict]:
    return lab.lab_trades()


@contextlib.contextmanager
def moto_server(stack: lab.Stack, workdir: Path) -> Iterator[MotoServer]:
    """A moto server answering as the stack's account, stopped afterwards."""
    server = MotoServer.start(stack.account_id, workdir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory, request) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])


def built_once(tmp_path_factory, worker_id: str, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per pytest run, shared by the
    pytest-xdist workers: xdist hands the tests of one module-scoped fixture
    to several workers, and each would otherwise build it again. The first
    worker builds under a lock; the others wait and read."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is <run>/popen-gwN; <run> is this run's.
    root = base if worker_id == "master" else base.parent
    target = root / f"built-{name}"
    with open(root / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build(target)
            (target / ".complete").write_text("")
    return target


def etl_run(
    tmp_path_factory,
    worker_id: str,
    stackgen: Path,
    trades: list[dict],
    example: str,
    workdir: Path,
) -> pipeline.EtlRun:
    """The lab's trades through `example`'s ETL function in the stack's own
    layout: run once per pytest run, whichever test needs it first."""
    stack = lab.Stack.render(stackgen, tfcheck.examples_dir() / example, workdir / "stack")
    lake = pipeline.layout(stack, pipeline.native_layout(stack))

    def build(into: Path) -> None:
        pipeline.build_etl_run(moto_server, stack, lake, trades, into)

    built = built_once(tmp_path_factory, worker_id, f"etl-{Path(example).stem}", build)
    return pipeline.load_etl_run(stack, lake, trades, built)
