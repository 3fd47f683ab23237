"""Child process for checkers.run_parliament: parliament on IAM policies.

    <checkers-venv>/bin/python parliament_worker.py REQUEST_JSON

REQUEST_JSON is {"minimum_severity": "INFO", "community_auditors": true,
"policies": {ID: DOCUMENT, ...}}.
Prints one JSON object to stdout:
{"version": "1.6.4", "findings": {ID: [{"issue", "title", "severity",
"detail", "location", "sid"}, ...], ...}}, with every ID of the request
present; "sid" is the Sid of the statement the finding points at, if any.

It runs with the checkers venv's Python (tests/locks/checkers.lock),
never the test venv's: parliament's dependencies conflict with the test
venv's pins, and the two venvs never share a process.

Why not the `parliament` command: parliament 1.6.4's command line writes its
arguments (and, with --files, each policy) to the fixed path
/tmp/parliament.log on every run, a shared file that parallel test workers
would all truncate and write. This worker does what that command does for
each policy (analyze_policy_string, then enhance_finding and
is_finding_filtered from the same module, with the command's default
configuration, and with --include-community-auditors' configuration when
asked) without that side effect, and for many policies in one
process (parliament takes about 0.5 s to start).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

# parliament imports pkg_resources, which warns that it is deprecated.
warnings.simplefilter("ignore", DeprecationWarning)
warnings.simplefilter("ignore", UserWarning)

import parliament  # noqa: E402
from parliament import (  # noqa: E402
    analyze_policy_string,
    config,
    enhance_finding,
    override_config,
)
from parliament.cli import is_finding_filtered  # noqa: E402


def statement_sid(lines: list[str], line: object) -> str | None:
    """The Sid of the statement that starts at `line` (1-based) of the JSON
    text parliament read: its location points at the statement's `{`."""
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        return None
    depth = 0
    for text in lines[line - 1 :]:
        depth += text.count("{") - text.count("}")
        stripped = text.strip()
        if stripped.startswith('"Sid":'):
            return json.loads("{" + stripped.rstrip(",") + "}")["Sid"]
        if depth <= 0 and text is not lines[line - 1]:
            return None
    return None


def main() -> int:
    (request_file,) = sys.argv[1:]
    with open(request_file) as f:
        request = json.load(f)
    minimum_severity = request.get("minimum_severity", "LOW")
    community = bool(request.get("community_auditors", False))
    if community:
        # What the command does for --include-community-auditors.
        override_config(
            Path(parliament.__file__).parent
            / "community_auditors"
            / "config_override.yaml"
        )
    out = {"version": parliament.__version__, "findings": {}}
    for policy_id, document in request["policies"].items():
        text = json.dumps(document, indent=2)
        lines = text.splitlines()
        policy = analyze_policy_string(
            text,
            policy_id,
            include_community_auditors=community,
            config=config,
        )
        kept = []
        for finding in policy.findings:
            finding = enhance_finding(finding)
            if is_finding_filtered(finding, minimum_severity):
                continue
            kept.append(
                {
                    "issue": finding.issue,
                    "title": finding.title,
                    "severity": finding.severity,
                    "detail": finding.detail,
                    "location": finding.location,
                    "sid": statement_sid(lines, (finding.location or {}).get("line")),
                }
            )
        out["findings"][policy_id] = kept
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
