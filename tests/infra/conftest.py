"""Fixtures for the real-Terraform checks in test_terraform.py.

Environment (scripts/test.sh sets the first group by sourcing env.sh):
    TF014, TF_MIRROR, STACKGEN_PLUGIN_CACHE, STACKGEN_TFRC, STACKGEN_TFRC_EMPTY
    STACKGEN_BIN       the renderer (default <repo>/target/debug/stackgen)
    STACKGEN_EXAMPLES  where the examples are (default <repo>/examples)
"""

import pytest

from . import tfcheck

NO_EXAMPLES = "no-examples"


def pytest_generate_tests(metafunc):
    # One test per example, named after the file's stem.
    if "example" not in metafunc.fixturenames:
        return
    directory = tfcheck.examples_dir()
    examples = tfcheck.classic_examples(directory) if directory.is_dir() else []
    if examples:
        metafunc.parametrize("example", examples, ids=[p.stem for p in examples])
    else:
        # An empty parameter list would make pytest skip the test; nothing to
        # check means the check has failed, so the test gets None and fails.
        metafunc.parametrize("example", [pytest.param(None, id=NO_EXAMPLES)])


@pytest.fixture(scope="session")
def tools() -> tfcheck.Tools:
    try:
        return tfcheck.Tools.from_env()
    except FileNotFoundError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def stackgen():
    path = tfcheck.stackgen_bin()
    if not path.is_file():
        pytest.fail(
            f"no stackgen binary at {path}: run `cargo build`, or set STACKGEN_BIN",
            pytrace=False,
        )
    return path
