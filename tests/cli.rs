//! The command line as a user meets it: help, exit codes, what is printed
//! on stderr, and what is (not) written. Temporary paths are filtered out
//! of the snapshots.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{read_tree, regex_escape};

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn stackgen() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn settings(temp: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&temp.display().to_string()), "[TEMP]");
    settings
}

#[test]
fn help() {
    let temp = tempfile::tempdir().unwrap();
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!("cli_help", stackgen().arg("--help"));
        assert_cmd_snapshot!("cli_render_help", stackgen().args(["render", "--help"]));
        assert_cmd_snapshot!("cli_replay_help", stackgen().args(["replay", "--help"]));
        assert_cmd_snapshot!("cli_simulate_help", stackgen().args(["simulate", "--help"]));
        assert_cmd_snapshot!("cli_grade_help", stackgen().args(["grade", "--help"]));
        assert_cmd_snapshot!("cli_status_help", stackgen().args(["status", "--help"]));
        assert_cmd_snapshot!("cli_sweep_help", stackgen().args(["sweep", "--help"]));
    });
}

#[test]
fn validate_reports_warnings_and_exits_zero() {
    let temp = tempfile::tempdir().unwrap();
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!(
            "cli_validate_ok",
            stackgen().args(["validate", "examples/jk-12345.yaml"])
        );
    });
}

#[test]
fn invalid_input_exits_two_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!(
            "cli_render_invalid",
            stackgen()
                .args(["render", "tests/inputs/err_polish_initials.yaml", "-o"])
                .arg(&out)
        );
    });
    assert!(
        !out.exists(),
        "an invalid input created the output directory"
    );
}

#[test]
fn every_bad_input_exits_two_on_validate_and_render() {
    let temp = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs")).unwrap() {
        let path = entry.unwrap().path();
        let out = temp.path().join(path.file_stem().unwrap());
        let validate = stackgen().arg("validate").arg(&path).output().unwrap();
        assert_eq!(validate.status.code(), Some(2), "{}", path.display());
        let render = stackgen()
            .arg("render")
            .arg(&path)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(render.status.code(), Some(2), "{}", path.display());
        assert!(!out.exists(), "{} wrote {}", path.display(), out.display());
    }
}

#[test]
fn missing_input_is_an_io_error() {
    let temp = tempfile::tempdir().unwrap();
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!(
            "cli_missing_input",
            stackgen().args(["validate", "examples/nobody.yaml"])
        );
    });
}

#[test]
fn render_writes_the_stack_and_rerenders_identically() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("jk");
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!(
            "cli_render_ok",
            stackgen()
                .args(["render", "examples/jk-12345.yaml", "-o"])
                .arg(&out)
        );
    });
    let first = read_tree(&out);
    assert!(first.contains_key("main.tf") && first.contains_key("lambda/etl_function.zip"));
    // Terraform's own files survive a re-render, and the output is the same.
    fs::write(out.join("terraform.tfstate"), "{}").unwrap();
    let status = stackgen()
        .args(["render", "examples/jk-12345.yaml", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut second = read_tree(&out);
    assert_eq!(
        second.remove("terraform.tfstate").as_deref(),
        Some(&b"{}"[..])
    );
    assert_eq!(first, second);
}

#[test]
fn refuses_a_directory_it_did_not_generate() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("homework");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.md"), "my notes").unwrap();
    settings(temp.path()).bind(|| {
        assert_cmd_snapshot!(
            "cli_render_foreign_dir",
            stackgen()
                .args(["render", "examples/jk-12345.yaml", "-o"])
                .arg(&out)
        );
    });
    assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
    let forced = stackgen()
        .args(["render", "examples/jk-12345.yaml", "--force", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(forced.success());
    assert_eq!(
        fs::read_to_string(out.join("notes.md")).unwrap(),
        "my notes"
    );
    assert!(out.join("main.tf").exists());
}

#[test]
fn schema_is_json_with_the_contract_keys() {
    let output = stackgen().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let props = &schema["properties"];
    for key in ["target", "student", "account_id", "region", "environment"] {
        assert!(props.get(key).is_some(), "schema lacks `{key}`");
    }
    assert_eq!(schema["additionalProperties"], false);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["account_id", "student"]);
}

#[test]
fn plan_prints_names_and_policies_as_json() {
    let output = stackgen()
        .args(["plan", "examples/jk-12345.yaml"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        plan["names"]["bucket"],
        "datalake-dev-100603781557-jk-12345"
    );
    assert_eq!(
        plan["roles"]["firehose"]["trust"]["Statement"][0]["Principal"]["Service"],
        "firehose.amazonaws.com"
    );
    let invalid = stackgen()
        .args(["plan", "tests/inputs/err_options.yaml"])
        .output()
        .unwrap();
    assert_eq!(invalid.status.code(), Some(2));
    assert!(invalid.stdout.is_empty());
}

#[test]
fn review_fails_on_findings_only_when_asked() {
    let run = |args: &[&str]| stackgen().args(args).output().unwrap().status.code();
    assert_eq!(run(&["review", "examples/lab-policies.yaml"]), Some(0));
    assert_eq!(
        run(&["review", "examples/lab-policies.yaml", "--fail-on", "error"]),
        Some(3)
    );
    assert_eq!(
        run(&[
            "review",
            "examples/lab-policies.yaml",
            "--fail-on",
            "warning"
        ]),
        Some(3)
    );
    assert_eq!(
        run(&["review", "examples/jk-12345.yaml", "--fail-on", "warning"]),
        Some(0)
    );
    assert_eq!(run(&["review", "tests/inputs/err_options.yaml"]), Some(2));
    let json = stackgen()
        .args(["review", "examples/lab-policies.yaml", "--format", "json"])
        .output()
        .unwrap();
    let review: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let codes: Vec<&str> = review["roles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in ["IAM001", "IAM002", "IAM003", "IAM004"] {
        assert!(codes.contains(&code), "lab review lacks {code}: {codes:?}");
    }
}

/// `status` and `sweep` refuse a clock or a duration they cannot read
/// before they read the input or call AWS (exit 2), and read no input they
/// would not render (an invalid file is exit 2 with its diagnostics). The
/// endpoint is a closed port: a call to AWS would fail differently.
#[test]
fn status_and_sweep_refuse_bad_clocks_durations_and_inputs() {
    let run = |args: &[&str], now: Option<&str>| {
        let mut cmd = stackgen();
        cmd.args(args)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test");
        match now {
            Some(t) => cmd.env("STACKGEN_NOW", t),
            None => cmd.env_remove("STACKGEN_NOW"),
        };
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["status", "examples/expiring.yaml"], Some("yesterday"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("STACKGEN_NOW=`yesterday` is not an RFC 3339 time"),
        "{err}"
    );
    let (code, err) = run(
        &["sweep", "examples/expiring.yaml", "--older-than", "1.5h"],
        None,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("`1.5h` is not a duration"), "{err}");
    let (code, err) = run(&["sweep", "examples/expiring.yaml"], None);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--older-than"), "{err}");
    let (code, err) = run(
        &[
            "sweep",
            "tests/inputs/err_expire.yaml",
            "--older-than",
            "0s",
            "--yes",
        ],
        Some("2026-12-06T12:00:00Z"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[SG323]"), "{err}");
}
