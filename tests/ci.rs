//! A class's CI pipeline (issue 23): `ci:` in its forms and `render --ci`,
//! the files written (snapshots, reviewed), the defaults of `max_parallel`
//! by accounts, the warning above the account's limit, and what is
//! refused. The pipelines themselves are linted and run for real in
//! tests/infra/test_ci.py.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::read_tree;

use insta_cmd::get_cargo_bin;

fn stackgen() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const BACKEND: &str = "  backend:\n    s3:\n      bucket: uam-cloud-2026-tfstate\n      region: us-east-1\n      key_prefix: uam-cloud-2026\n      lock_table: uam-cloud-2026-tflock\n";

/// A class file: `students` students, in one account when `shared`, with
/// `ci` (a YAML value or none) and `backend` (the S3 one when true).
fn class(students: usize, shared: bool, ci: Option<&str>, backend: bool) -> String {
    let mut text =
        String::from("course: uam-cloud-2026\ntarget: classic\ndefaults:\n  region: us-east-1\n");
    if shared {
        text.push_str("  account_id: \"100603781557\"\n");
    }
    if backend {
        text.push_str(BACKEND);
    }
    if let Some(ci) = ci {
        let _ = writeln!(text, "ci: {ci}");
    }
    text.push_str("students:\n");
    for i in 0..students {
        let _ = write!(
            text,
            "  - {{ name: Student Number{i}, initials: sn, index_no: \"{}\"",
            50000 + i
        );
        if !shared {
            let _ = write!(text, ", account_id: \"{}\"", 200_000_000_000_u64 + i as u64);
        }
        text.push_str(" }\n");
    }
    text
}

fn render(dir: &Path, text: &str, extra: &[&str]) -> Output {
    let file = dir.join("class.yaml");
    fs::write(&file, text).unwrap();
    stackgen()
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(dir.join("out"))
        .args(extra)
        .output()
        .unwrap()
}

fn text(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join("out").join(path)).unwrap()
}

#[test]
fn github_pipeline_from_the_mapping_form() {
    let temp = tempfile::tempdir().unwrap();
    let ci = "{ kind: github, role_arn: \"arn:aws:iam::100603781557:role/stackgen-ci\", max_parallel: 3 }";
    let out = render(temp.path(), &class(4, true, Some(ci), true), &["-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(
        "github_class",
        text(temp.path(), ".github/workflows/stackgen-class.yml")
    );
    insta::assert_snapshot!(
        "github_batch",
        text(temp.path(), ".github/workflows/stackgen-batch.yml")
    );
    assert!(!temp.path().join("out/.gitlab-ci.yml").exists());
    let readme = text(temp.path(), "README.md");
    assert!(readme.contains("## CI pipeline"), "{readme}");
    assert!(readme.contains("at most 3 at once"), "{readme}");
}

#[test]
fn gitlab_pipeline_from_the_flag_with_the_default_role_variable() {
    let temp = tempfile::tempdir().unwrap();
    let out = render(
        temp.path(),
        &class(4, true, None, true),
        &["-q", "--ci", "gitlab"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yml = text(temp.path(), ".gitlab-ci.yml");
    insta::assert_snapshot!("gitlab_4", yml);
    // Shared account: 5 at once.
    assert!(
        yml.contains("\"python3 .stackgen/ci.py gitlab 5 1\""),
        "{yml}"
    );
    assert!(!temp.path().join("out/.github").exists());
    // The helpers the jobs run, byte for byte stackgen's own.
    assert_eq!(
        text(temp.path(), ".stackgen/ci.py"),
        stackgen::ci::HELPER_TEXT
    );
    assert_eq!(
        text(temp.path(), ".stackgen/job.sh"),
        stackgen::ci::JOB_TEXT
    );
}

#[test]
fn the_flag_chooses_the_kind_over_the_file() {
    let temp = tempfile::tempdir().unwrap();
    let ci = "{ kind: github, max_parallel: 2 }";
    let out = render(
        temp.path(),
        &class(2, true, Some(ci), true),
        &["-q", "--ci", "gitlab"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yml = text(temp.path(), ".gitlab-ci.yml");
    // max_parallel still from the file.
    assert!(yml.contains("ci.py gitlab 2 1"), "{yml}");
    assert!(!temp.path().join("out/.github").exists());
}

#[test]
fn a_large_class_gets_one_child_pipeline_per_500_students() {
    let temp = tempfile::tempdir().unwrap();
    // One account per student: the default is 20.
    let out = render(
        temp.path(),
        &class(1001, false, Some("gitlab"), true),
        &["-q"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yml = text(temp.path(), ".gitlab-ci.yml");
    insta::assert_snapshot!("gitlab_1001", yml);
    assert!(yml.contains("ci.py gitlab 20 3"), "{yml}");
    for k in 1..=3 {
        assert!(yml.contains(&format!("batch-{k}:\n")), "{yml}");
    }
    assert!(!yml.contains("batch-4"));
}

#[test]
fn the_pipeline_does_not_depend_on_who_the_students_are() {
    let temp = tempfile::tempdir().unwrap();
    let a = render(temp.path(), &class(3, true, Some("github"), true), &["-q"]);
    assert!(a.status.success());
    let first = read_tree(&temp.path().join("out"));
    let other = tempfile::tempdir().unwrap();
    let renamed = class(3, true, Some("github"), true).replace("Number", "Other");
    let b = render(other.path(), &renamed, &["-q"]);
    assert!(b.status.success());
    let second = read_tree(&other.path().join("out"));
    for path in [
        ".github/workflows/stackgen-class.yml",
        ".github/workflows/stackgen-batch.yml",
        ".stackgen/ci.py",
        ".stackgen/job.sh",
    ] {
        assert_eq!(first[path], second[path], "{path}");
    }
    // And rendering again changes nothing.
    let again = render(
        temp.path(),
        &class(3, true, Some("github"), true),
        &["--check"],
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn max_parallel_above_the_account_is_a_warning() {
    let temp = tempfile::tempdir().unwrap();
    let out = render(
        temp.path(),
        &class(8, true, Some("{ kind: github, max_parallel: 6 }"), true),
        &[],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning[SG905]"), "{err}");
    assert!(err.contains("up to 6 Kinesis streams"), "{err}");
    // Five is the limit, and not more than the account's students run at once.
    for (students, shared, ci) in [
        (8, true, "{ kind: github, max_parallel: 5 }"),
        (3, true, "{ kind: github, max_parallel: 50 }"),
        (8, false, "{ kind: github, max_parallel: 100 }"),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let out = render(temp.path(), &class(students, shared, Some(ci), true), &[]);
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("SG905"), "{ci}: {err}");
    }
}

#[test]
fn refused_without_remote_state_or_with_bad_settings_and_nothing_is_written() {
    for (text, extra, code) in [
        (class(2, true, Some("github"), false), vec![], "SG422"),
        (class(2, true, None, false), vec!["--ci", "gitlab"], "SG422"),
        (
            class(2, true, Some("{ kind: github, role_arn: \"arn:aws:iam::1:role/x\" }"), true),
            vec![],
            "SG420",
        ),
        (
            // A value trying to add a script line is not an ARN.
            class(
                2,
                true,
                Some("{ kind: gitlab, role_arn: \"arn:aws:iam::100603781557:role/x\\\"\\n  script: [evil]\" }"),
                true,
            ),
            vec![],
            "SG420",
        ),
        (class(2, true, Some("{ kind: gitlab, max_parallel: 257 }"), true), vec![], "SG421"),
        (class(2, true, Some("circleci"), true), vec![], "SG013"),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let out = render(temp.path(), &text, &extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{code}: {err}");
        assert!(err.contains(&format!("error[{code}]")), "{code}: {err}");
        assert!(!temp.path().join("out").exists(), "{code}");
    }
}

#[test]
fn github_with_gitlab_managed_state_is_refused_gitlab_takes_it() {
    let http = class(2, true, None, false).replace(
        "  region: us-east-1\n",
        "  region: us-east-1\n  backend: { http: {} }\n",
    );
    let temp = tempfile::tempdir().unwrap();
    let out = render(temp.path(), &http, &["--ci", "github"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`backend: http` (GitLab-managed state)"));
    let temp = tempfile::tempdir().unwrap();
    let out = render(temp.path(), &http, &["-q", "--ci", "gitlab"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ci_is_for_classes() {
    let temp = tempfile::tempdir().unwrap();
    let out = stackgen()
        .args(["render", "examples/jk-12345.yaml", "--ci", "github", "-o"])
        .arg(temp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a student file"));
    assert!(!temp.path().join("out").exists());
}

#[test]
fn the_book_lists_every_pinned_action_as_the_code_pins_it() {
    let page = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/src/instructors/ci.md"
    ))
    .unwrap();
    for pin in stackgen::ci::github::PINS {
        let row = format!(
            "| `{}` | {} | `{}` | {} |",
            pin.action, pin.tag, pin.sha, pin.read_from
        );
        assert!(page.contains(&row), "the book's pin table lacks:\n{row}");
    }
    let rows = page
        .lines()
        .filter(|l| l.contains("| `") && l.contains('/'))
        .filter(|l| l.split('`').nth(3).is_some_and(|sha| sha.len() == 40))
        .count();
    assert_eq!(rows, stackgen::ci::github::PINS.len());
}

#[test]
fn a_file_name_cannot_add_lines_to_a_pipeline() {
    // The header names the input file; a newline in its name must not end
    // the comment line (and so add YAML).
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("class\njobs: {evil: 1}\n.yaml");
    fs::write(&file, class(2, true, Some("gitlab"), true)).unwrap();
    let out = stackgen()
        .arg("render")
        .arg(&file)
        .arg("-q")
        .arg("-o")
        .arg(temp.path().join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yml = text(temp.path(), ".gitlab-ci.yml");
    let first_key = yml.lines().find(|l| !l.starts_with('#')).unwrap();
    assert_eq!(first_key, "stages:", "{yml}");
    assert!(!yml.lines().any(|l| l.starts_with("jobs:")), "{yml}");
    assert!(
        yml.starts_with("# Generated by stackgen from class?jobs: {evil: 1}?.yaml;"),
        "{yml}"
    );
}
