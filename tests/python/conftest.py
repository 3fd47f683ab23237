"""Shared setup for the unit tests of the Lambda sources in templates/lambda/.

The Lambda modules are plain files, not a package, so their directories are put
on sys.path and the tests import them by module name, as Lambda does.
"""

import sys
from pathlib import Path

# The template directories are packaged into the Lambda zips as they are; keep
# __pycache__ directories out of them.
sys.dont_write_bytecode = True

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_DIRS = [
    REPO_ROOT / "templates" / "lambda" / "etl",
    REPO_ROOT / "templates" / "lambda" / "alert",
    REPO_ROOT / "templates" / "lambda" / "detector",
]

for directory in LAMBDA_DIRS:
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
