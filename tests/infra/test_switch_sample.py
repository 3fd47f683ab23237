"""A sample of the switch cross product through real Terraform.

tests/properties.rs renders every combination of the switches (edition,
target, analytics, engine, alert Lambda, alerts Firehose, Learner Lab,
policy style) and link-checks each; the examples go through real Terraform
in test_terraform.py. These are the combinations no example has, each
rendered and handed to `bash scripts/tfcheck.sh`: the classic target in a
Learner Lab, the SQL application without either output, the modern target
without the alerts Firehose in the lab style, and the 2025 layout with the
stack's own IAM on the modern target.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from .test_terraform import tfcheck_sh

STUDENT = {
    "student": {"name": "Jan Kowalski", "initials": "jk", "index_no": "12345"},
    "account_id": "100603781557",
}

SAMPLE = {
    "classic-learner-lab": {"target": "classic", "iam": {"existing_role": "LabRole"}},
    "classic-sql-no-outputs": {
        "target": "classic",
        "analytics": {"alert_lambda": False, "alerts_firehose": False},
    },
    "modern-lab-no-alerts": {
        "target": "modern",
        "policy_style": "lab",
        "analytics": {"alerts_firehose": False},
    },
    "uam-2025-modern-own-iam": {"edition": "uam-2025", "iam": {"existing_role": None}},
}


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_switch_combination_passes_real_terraform(name, stackgen, tmp_path):
    spec = tmp_path / f"{name}.yaml"
    # JSON is YAML: the spec is written as it is meant, with no YAML quirks.
    spec.write_text(json.dumps({**STUDENT, **SAMPLE[name]}))
    out = tmp_path / "stack"
    proc = subprocess.run(
        [str(stackgen), "render", str(spec), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"{name}: render exited {proc.returncode}\n{proc.stderr}"
    checked = tfcheck_sh(out)
    assert checked.returncode == 0, (
        f"{name}: tfcheck.sh exited {checked.returncode}\n{checked.stdout}\n{checked.stderr}"
    )
