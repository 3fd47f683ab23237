//! `stackgen grade` on a fixed input: the state that examples/jk-12345.yaml
//! left on a moto server (tests/grade/fixtures/jk-12345.state.json,
//! `terraform show -json` by Terraform 1.15.5 of the state Terraform 0.14.6
//! wrote, as tests/infra/test_deploy.py makes it). Full marks as it is; a
//! copy with defects planted in the JSON, snapshotted as text and JSON; the
//! exit codes; an edition's weights; and files that are not states:
//! truncated at every point, deeply nested, of the wrong types, 50 MB.
//! The real deployments, plans and the planted-defect corpus run in
//! tests/infra (test_deploy.py, test_grade.py).

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::regex_escape;
use insta_cmd::get_cargo_bin;
use serde_json::{json, Value};
use stackgen::grade::report::{Report, Status};
use stackgen::grade::source::{self, ReadError, Source};
use stackgen::input::load::Source as Input;

const FIXTURE: &str = "tests/grade/fixtures/jk-12345.state.json";
const EXAMPLE: &str = "examples/jk-12345.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> Value {
    serde_json::from_str(&fs::read_to_string(root().join(FIXTURE)).unwrap()).unwrap()
}

fn spec(path: &str, through: Option<u8>) -> stackgen::base::model::StudentSpec {
    let path = root().join(path);
    let mut source = Input::read(&path).unwrap();
    source.name = path.to_string_lossy().into_owned();
    let mut spec = stackgen::check(&source)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .spec;
    spec.through = through;
    spec
}

fn grade_value(state: &Value, through: Option<u8>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::write(&path, serde_json::to_vec(state).unwrap()).unwrap();
    let observed = source::read(Source::State, &path, &stackgen::grade::wanted).unwrap();
    stackgen::grade(&spec(EXAMPLE, through), &observed, Source::State).unwrap()
}

fn resource<'a>(state: &'a mut Value, address: &str) -> &'a mut Value {
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in the fixture"))
}

fn lost(report: &Report) -> Vec<(String, Status)> {
    report
        .checks()
        .filter(|c| c.status != Status::Pass)
        .map(|c| (c.id.clone(), c.status))
        .collect()
}

#[test]
fn the_deployed_state_grades_full_marks() {
    let report = grade_value(&fixture(), None);
    assert_eq!(lost(&report), []);
    assert_eq!(report.unknown(), 0);
    assert_eq!(report.points, report.max_points);
    assert!(report.max_points >= 60, "{}", report.max_points);
    assert_eq!(report.through, 5);
    let not_graded: Vec<&str> = report.not_graded.iter().map(|n| n.part.as_str()).collect();
    assert_eq!(not_graded, ["processed_table", "athena", "sql_analytics"]);
    // A checkpoint grades only its exercises.
    let two = grade_value(&fixture(), Some(2));
    assert_eq!(two.through, 2);
    assert_eq!(two.exercises.len(), 2);
    assert!(two.checks().all(|c| c.status == Status::Pass));
}

/// The fixture with defects a student might make: two shards, the
/// Firehose role without `s3:PutObject`, the notification without its
/// prefix, and no crawler at all. (Defects that change what other
/// resources resolve, such as a renamed bucket, are planted in the
/// Terraform itself: tests/grade/defects.)
fn defective() -> Value {
    let mut state = fixture();
    resource(&mut state, "aws_kinesis_stream.cryptostock_stream")["values"]["shard_count"] =
        json!(2);
    let policy =
        &mut resource(&mut state, "aws_iam_role_policy.firehose_stream_policy")["values"]["policy"];
    *policy = json!(policy.as_str().unwrap().replace(",\"s3:PutObject\"", ""));
    let notification = resource(&mut state, "aws_s3_bucket_notification.trigger_etl_lambda");
    notification["values"]["lambda_function"][0]["filter_prefix"] = json!("");
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["address"] != "aws_glue_crawler.glue_crawler_raw_zone");
    state
}

#[test]
fn each_planted_defect_loses_its_checks() {
    let report = grade_value(&defective(), None);
    let lost = lost(&report);
    let ids: Vec<&str> = lost.iter().map(|(id, _)| id.as_str()).collect();
    // Each defect its own check; the missing crawler all of its own, as
    // `missing`; nothing else.
    assert_eq!(
        ids,
        [
            "stream.shard_count",
            "firehose.iam.s3_write",
            "crawler.exists",
            "crawler.name",
            "crawler.connection.database",
            "crawler.path",
            "crawler.table_prefix",
            "crawler.role",
            "crawler.iam.s3_list",
            "crawler.iam.s3_read",
            "crawler.iam.managed",
            "etl.notification.prefix",
        ],
        "{lost:?}"
    );
    assert!(lost
        .iter()
        .filter(|(id, _)| id.starts_with("crawler."))
        .all(|(_, s)| *s == Status::Missing));
    assert_eq!(report.unknown(), 0);
}

fn stackgen() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(root());
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn text_and_json_reports_of_a_defective_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::write(&path, serde_json::to_vec_pretty(&defective()).unwrap()).unwrap();
    let path = path.to_string_lossy().into_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&dir.path().display().to_string()), "[TEMP]");
    settings.bind(|| {
        let (code, text, _) = run(stackgen().args(["grade", EXAMPLE, "--state", &path, "-q"]));
        assert_eq!(code, 0);
        insta::assert_snapshot!("grade_text", text);
        let (code, json, _) =
            run(stackgen().args(["grade", EXAMPLE, "--state", &path, "--format", "json", "-q"]));
        assert_eq!(code, 0);
        insta::assert_snapshot!("grade_json", json);
    });
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = root().join(FIXTURE).to_string_lossy().into_owned();
    let bad = dir.path().join("bad.json");
    fs::write(&bad, serde_json::to_vec(&defective()).unwrap()).unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let cut = dir.path().join("cut.json");
    fs::write(&cut, &fs::read(root().join(FIXTURE)).unwrap()[..1000]).unwrap();
    let cut = cut.to_string_lossy().into_owned();
    let g = |args: &[&str]| run(stackgen().arg("grade").args(args).arg("-q"));
    // 0: graded, whatever the score; --fail-under 100 holds at full marks.
    assert_eq!(g(&[EXAMPLE, "--state", &good, "--fail-under", "100"]).0, 0);
    assert_eq!(g(&[EXAMPLE, "--state", &bad]).0, 0);
    // 3: under --fail-under.
    let (code, _, err) =
        run(stackgen().args(["grade", EXAMPLE, "--state", &bad, "--fail-under", "95"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is under --fail-under 95%"), "{err}");
    // 2: a file that is not what it claims, named, with the place.
    let (code, _, err) = g(&[EXAMPLE, "--state", &cut]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[SG801]") && err.contains("cut.json") && err.contains("cut short"),
        "{err}"
    );
    let (code, _, err) = g(&[EXAMPLE, "--plan", &good]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[SG802]") && err.contains("not a plan"),
        "{err}"
    );
    let (code, _, err) = g(&[EXAMPLE, "--state", "examples/jk-12345.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[SG801]"), "{err}");
    // 1: a file that cannot be read.
    let (code, _, err) = g(&[EXAMPLE, "--state", "no/such/state.json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot read `no/such/state.json`"), "{err}");
    // 2: the command line and the input file.
    assert_eq!(g(&[EXAMPLE, "--state", &good, "--through", "6"]).0, 2);
    assert_eq!(g(&[EXAMPLE, "--state", &good, "--plan", &good]).0, 2);
    assert_eq!(g(&[EXAMPLE]).0, 2);
    assert_eq!(g(&["tests/inputs/err_tabs.yaml", "--state", &good]).0, 2);
    // A class without --student is graded whole, from a directory; a file
    // is refused, saying what the directory holds.
    let (code, _, err) = g(&["examples/class.yaml", "--state", &good]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("for a class, --state names a directory"),
        "{err}"
    );
    // --student for a class, as replay has it.
    let (code, out, err) = g(&[
        "examples/class.yaml",
        "--state",
        &good,
        "--student",
        "12345",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["student"]["index_no"], "12345");
}

#[test]
fn an_editions_grading_section_reweights_and_drops() {
    let dir = tempfile::tempdir().unwrap();
    let edition = stackgen::base::edition::Edition::built_in("uam-2021").unwrap();
    let mut text = serde_yaml_like(&edition);
    text.push_str(
        "grading:\n  weights:\n    firehose.iam.s3_write: 5\n  drop:\n    - stream.shard_count\n",
    );
    fs::write(dir.path().join("course.yaml"), &text).unwrap();
    let student = fs::read_to_string(root().join(EXAMPLE)).unwrap();
    fs::write(
        dir.path().join("student.yaml"),
        format!("edition: course.yaml\n{student}"),
    )
    .unwrap();
    let state = dir.path().join("state.json");
    fs::write(&state, serde_json::to_vec(&defective()).unwrap()).unwrap();
    let student_path = dir.path().join("student.yaml");
    let (code, out, err) = run(stackgen().args([
        "grade",
        &student_path.to_string_lossy(),
        "--state",
        &state.to_string_lossy(),
        "--format",
        "json",
        "-q",
    ]));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let checks: Vec<&Value> = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["checks"].as_array().unwrap())
        .collect();
    let s3_write = checks
        .iter()
        .find(|c| c["id"] == "firehose.iam.s3_write")
        .unwrap();
    assert_eq!(
        (s3_write["points"].clone(), s3_write["max_points"].clone()),
        (json!(0), json!(5))
    );
    assert!(checks.iter().all(|c| c["id"] != "stream.shard_count"));
    // A misspelt id is an error (SG703) with "did you mean".
    fs::write(
        dir.path().join("course.yaml"),
        text.replace("stream.shard_count", "stream.shard_cont"),
    )
    .unwrap();
    let (code, _, err) = run(stackgen().args([
        "grade",
        &student_path.to_string_lossy(),
        "--state",
        &state.to_string_lossy(),
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[SG703]") && err.contains("did you mean `stream.shard_count`"),
        "{err}"
    );
}

/// An edition as YAML (JSON is YAML), without the grading section.
fn serde_yaml_like(edition: &stackgen::base::edition::Edition) -> String {
    let mut value = serde_json::to_value(edition).unwrap();
    value.as_object_mut().unwrap().remove("grading");
    let mut text = String::new();
    for (key, v) in value.as_object().unwrap() {
        let _ = writeln!(text, "{key}: {v}");
    }
    text
}

/// Every prefix of the fixture is an error, never a panic: a state cut
/// short anywhere.
#[test]
fn a_truncated_state_is_an_error_wherever_it_is_cut() {
    let bytes = fs::read(root().join(FIXTURE)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.json");
    let mut cuts = 0;
    for end in (0..bytes.len()).step_by(211) {
        fs::write(&path, &bytes[..end]).unwrap();
        match source::read(Source::State, &path, &stackgen::grade::wanted) {
            Err(ReadError::Invalid(d)) => assert!(
                matches!(d.code.id(), "SG801" | "SG802"),
                "cut at {end}: {}",
                d.message
            ),
            other => panic!("cut at {end}: {other:?}"),
        }
        cuts += 1;
    }
    assert!(cuts > 200, "{cuts}");
}

#[test]
fn wrong_types_anywhere_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.json");
    let hostile = [
        json!(null),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
        json!([[[[[]]]]]),
    ];
    let fixture = fixture();
    let mut tried = 0;
    // Every key of the top, of a resource, and of its attributes.
    let mut targets: Vec<Vec<String>> = vec![];
    for key in fixture.as_object().unwrap().keys() {
        targets.push(vec![key.clone()]);
    }
    let first = &fixture["values"]["root_module"]["resources"][0];
    for key in first.as_object().unwrap().keys() {
        targets.push(vec![
            "values".into(),
            "root_module".into(),
            "resources".into(),
            "0".into(),
            key.clone(),
        ]);
    }
    for key in first["values"].as_object().unwrap().keys() {
        targets.push(vec![
            "values".into(),
            "root_module".into(),
            "resources".into(),
            "0".into(),
            "values".into(),
            key.clone(),
        ]);
    }
    for target in &targets {
        for value in &hostile {
            let mut state = fixture.clone();
            let mut at = &mut state;
            for step in target {
                at = match step.parse::<usize>() {
                    Ok(i) => &mut at[i],
                    Err(_) => &mut at[step.as_str()],
                };
            }
            *at = value.clone();
            fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
            // Read and graded, or refused with a code: never a panic.
            match source::read(Source::State, &path, &stackgen::grade::wanted) {
                Ok(observed) => {
                    stackgen::grade(&spec(EXAMPLE, None), &observed, Source::State).unwrap();
                }
                Err(ReadError::Invalid(d)) => assert!(d.code.id().starts_with("SG80"), "{d:?}"),
                Err(e) => panic!("{target:?} = {value}: {e}"),
            }
            tried += 1;
        }
    }
    assert!(tried > 100, "{tried}");
}

/// A 50 MB state (the lab's resources among thousands of others, with
/// large attributes) is read and graded. How long it takes is a figure of
/// scripts/bench.sh, not an assertion here.
#[test]
fn a_50_mb_state_is_read() {
    let mut state = fixture();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let big = "x".repeat(4000);
    let mut n = 0;
    while serde_json::to_vec(&resources).unwrap().len() < 50 * 1024 * 1024 {
        for i in 0..500 {
            let kind = if i % 2 == 0 {
                "aws_s3_bucket"
            } else {
                "aws_instance"
            };
            resources.push(json!({
                "address": format!("{kind}.filler_{n}_{i}"),
                "mode": "managed",
                "type": kind,
                "name": format!("filler_{n}_{i}"),
                "values": {"bucket": format!("filler-{n}-{i}"), "tags": {"big": big}, "list": [1, 2, {"a": big}]}
            }));
        }
        n += 1;
    }
    let text = serde_json::to_vec(&state).unwrap();
    assert!(text.len() >= 50 * 1024 * 1024);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    fs::write(&path, &text).unwrap();
    let observed = source::read(Source::State, &path, &stackgen::grade::wanted).unwrap();
    // The unread type is skipped; the lab's bucket is still found among
    // thousands by its name.
    assert!(observed.resources.iter().all(|r| r.kind != "aws_instance"));
    let report = stackgen::grade(&spec(EXAMPLE, None), &observed, Source::State).unwrap();
    assert_eq!(lost(&report), []);
}

#[test]
fn a_file_over_the_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = fs::File::create(&path).unwrap();
    file.set_len(source::MAX_BYTES + 1).unwrap();
    match source::read(Source::State, &path, &stackgen::grade::wanted) {
        Err(ReadError::Invalid(d)) => {
            assert_eq!(d.code.id(), "SG801");
            assert!(d.message.contains("larger than 256 MiB"), "{}", d.message);
        }
        other => panic!("{other:?}"),
    }
}
