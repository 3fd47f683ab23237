//! Rendering a class from the command line: one directory per student,
//! summaries, re-rendering around a student's edits, `--check` for an
//! instructor's CI, and an interrupted write that leaves the old tree or
//! the new one, never a mix.

use std::fmt::Write as _;
use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::read_tree;

use insta_cmd::get_cargo_bin;

fn stackgen() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn examples(file: &str) -> String {
    format!("{}/examples/{file}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn renders_one_directory_per_student_and_the_summaries() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("class");
    let status = stackgen()
        .args(["render", &examples("roster-class.yaml"), "-q", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let tree = read_tree(&out);
    for dir in ["48001-lz", "48002-zc", "48003-gb", "48004-mw", "48005-en"] {
        assert!(tree.contains_key(&format!("{dir}/main.tf")), "{dir}");
        assert!(
            tree.contains_key(&format!("{dir}/lambda/etl_function.zip")),
            "{dir}"
        );
        // Exercise 5 is off in this class: no analytics file, no alert zip.
        assert!(
            !tree.contains_key(&format!("{dir}/kinesis_analytics.tf")),
            "{dir}"
        );
    }
    let csv = String::from_utf8(tree["class-summary.csv"].clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 5 + 1, "{csv}");
    assert!(csv.contains("48004-mw,Małgorzata Wójcik-Świątek,012345678901"));
}

#[test]
fn rerender_keeps_a_students_edit_and_check_reports_drift() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("class");
    let render = |extra: &[&str]| {
        stackgen()
            .args(["render", &examples("class.yaml"), "-o"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(render(&["-q"]).status.success());

    // A clean tree passes --check.
    let check = render(&["--check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // A student edits a generated file; Terraform adds its state.
    let edited = out.join("12345-jk/s3.tf");
    fs::write(&edited, "# my own bucket settings\n").unwrap();
    fs::write(out.join("12345-jk/terraform.tfstate"), "{}").unwrap();

    // --check lists exactly that file, with a diff from the edit to what
    // the class renders, and exits 1.
    let check = render(&["--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&check.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("differs: 12345-jk/s3.tf"));
    assert_eq!(lines.next(), Some("--- 12345-jk/s3.tf (on disk)"));
    assert_eq!(lines.next(), Some("+++ 12345-jk/s3.tf (generated)"));
    assert!(stdout.contains("\n-# my own bucket settings\n"), "{stdout}");
    assert!(
        stdout.contains("\n+resource \"aws_s3_bucket\" \"main_dl_bucket\" {\n"),
        "{stdout}"
    );
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("differs: ") && l != "differs: 12345-jk/s3.tf"),
        "{stdout}"
    );

    // A re-render reports the edit and leaves it, and the state, alone.
    let again = render(&[]);
    assert!(again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("kept: 12345-jk/s3.tf was edited"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(&edited).unwrap(),
        "# my own bucket settings\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("12345-jk/terraform.tfstate")).unwrap(),
        "{}"
    );

    // --force puts the generated file back; the tree is clean again.
    assert!(render(&["--force", "-q"]).status.success());
    assert!(fs::read_to_string(&edited)
        .unwrap()
        .contains("aws_s3_bucket"));
    assert_eq!(render(&["--check", "-q"]).status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(out.join("12345-jk/terraform.tfstate")).unwrap(),
        "{}"
    );
}

#[test]
fn a_student_removed_from_the_class_loses_the_generated_files_only() {
    let temp = tempfile::tempdir().unwrap();
    let class = temp.path().join("class.yaml");
    let out = temp.path().join("out");
    let write_class = |students: &str| {
        fs::write(
            &class,
            format!("course: c\ndefaults:\n  account_id: \"100603781557\"\nstudents:\n{students}"),
        )
        .unwrap();
    };
    write_class("  - { name: Jan Kowalski, initials: jk, index_no: \"1\" }\n  - { name: Anna Nowak, initials: an, index_no: \"2\" }\n");
    let render = || {
        stackgen()
            .args(["render", "-q", "-o"])
            .arg(&out)
            .arg(&class)
            .status()
            .unwrap()
    };
    assert!(render().success());
    fs::write(out.join("2-an/terraform.tfstate"), "{}").unwrap();
    write_class("  - { name: Jan Kowalski, initials: jk, index_no: \"1\" }\n");
    assert!(render().success());
    assert!(!out.join("2-an/main.tf").exists());
    // Her Terraform state is not stackgen's to delete.
    assert!(out.join("2-an/terraform.tfstate").exists());
}

/// Kills `render` of a large class at different moments; whatever the
/// moment, the output directory holds exactly the old tree or exactly the
/// new one (manifest and files agreeing).
#[test]
fn an_interrupted_render_leaves_the_old_or_the_new_tree() {
    let temp = tempfile::tempdir().unwrap();
    let roster: String = std::iter::once("name,index_no,initials\n".to_owned())
        .chain((0..150).map(|i| format!("Student {i},{},st\n", 10000 + i)))
        .collect();
    fs::write(temp.path().join("roster.csv"), roster).unwrap();
    let class = temp.path().join("class.yaml");
    let write_class = |rate: u32| {
        fs::write(
            &class,
            format!("course: big\nroster: roster.csv\ndefaults:\n  account_id: \"100603781557\"\n  generator:\n    messages_per_second: {rate}\n"),
        )
        .unwrap();
    };
    let out = temp.path().join("out");
    let render = || {
        let mut cmd = stackgen();
        cmd.args(["render", "-q", "-o"]).arg(&out).arg(&class);
        cmd
    };

    write_class(1);
    assert!(render().status().unwrap().success());
    let old = read_tree(&out);
    write_class(2);
    assert!(render().status().unwrap().success());
    let new = read_tree(&out);
    assert_ne!(old, new);

    let mut interrupted = 0;
    for (attempt, delay_ms) in [5u64, 30, 60, 100, 150, 200, 300, 450]
        .into_iter()
        .enumerate()
    {
        // Alternate the target so every attempt has something to change.
        write_class(if attempt % 2 == 0 { 1 } else { 2 });
        let before = read_tree(&out);
        let mut child = render()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        interrupted += usize::from(killed);
        let after = read_tree(&out);
        let expected_new = if attempt % 2 == 0 { &old } else { &new };
        assert!(
            after == before || &after == expected_new,
            "after a kill at {delay_ms} ms the tree is neither the old nor the new one"
        );
    }
    assert!(
        interrupted > 0,
        "no attempt was interrupted; the test proved nothing"
    );
    // The next run cleans up whatever the killed runs left beside `out`.
    write_class(2);
    assert!(render().status().unwrap().success());
    assert_eq!(read_tree(&out), new);
    let leftovers: Vec<_> = fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stackgen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn shared_initials_give_one_note_per_group_naming_its_students() {
    let temp = tempfile::tempdir().unwrap();
    let spec = temp.path().join("class.yaml");
    // Three students who are `jk`, one `ab`, and 45 who are `st`.
    let mut yaml = String::from(
        "course: c\ntarget: modern\ndefaults:\n  account_id: \"100603781557\"\nstudents:\n\
         \x20 - { name: Jan Kowalski, index_no: \"1\" }\n\
         \x20 - { name: Julia Kaczmarek, index_no: \"2\" }\n\
         \x20 - { name: Anna Bąk, index_no: \"3\" }\n\
         \x20 - { name: Jerzy Kot, index_no: \"4\" }\n",
    );
    for i in 0..45 {
        writeln!(
            yaml,
            "  - {{ name: Student {i}, initials: st, index_no: \"{}\" }}",
            100 + i
        )
        .unwrap();
    }
    fs::write(&spec, yaml).unwrap();
    let out = stackgen().arg("validate").arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("note[SG604]"))
        .collect();
    assert_eq!(notes.len(), 2, "{stderr}");
    assert_eq!(
        notes[0],
        "note[SG604]: initials `jk` are shared by 3 students: Jan Kowalski (1, students[0]), \
         Julia Kaczmarek (2, students[1]) and Jerzy Kot (4, students[3]); their directories \
         and names differ only by index number"
    );
    assert!(
        notes[1].starts_with(
            "note[SG604]: initials `st` are shared by 45 students: Student 0 (100, students[4]), "
        ) && notes[1].contains("Student 9 (109, students[13]) and 35 more;"),
        "{}",
        notes[1]
    );
    // The note points at the group's second student.
    assert!(stderr.contains("(students[1].initials)"), "{stderr}");
}

/// A classic class of `n` students in `account` (one account per student
/// when None), with `extra` YAML under `defaults` and at the top.
fn big_class(n: usize, account: Option<&str>, defaults: &str, top: &str) -> String {
    let mut yaml = format!("course: big\ntarget: classic\n{top}defaults:\n{defaults}");
    if let Some(account) = account {
        let _ = writeln!(yaml, "  account_id: \"{account}\"");
    }
    yaml.push_str("students:\n");
    for i in 0..n {
        let own = match account {
            Some(_) => String::new(),
            None => format!(", account_id: \"{:012}\"", 100_000_000_000 + i),
        };
        let _ = writeln!(
            yaml,
            "  - {{ name: Student {i}, initials: st, index_no: \"{}\"{own} }}",
            100_000 + i
        );
    }
    yaml
}

/// `stackgen validate` of a class file written to a temporary directory:
/// exit code and stderr.
fn validate_class(yaml: &str) -> (Option<i32>, String) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("class.yaml");
    fs::write(&path, yaml).unwrap();
    let out = stackgen().arg("validate").arg(&path).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Issue 22's quota cases: 200 classic students with the handout's six
/// roles each in one account are over the default 1,000 IAM roles; the
/// same class fits with the quota raised, with the Learner Lab role, and
/// spread over one account per student.
#[test]
fn a_class_over_the_iam_role_quota_is_refused_until_it_fits() {
    let shared = Some("100603781557");
    let (code, stderr) = validate_class(&big_class(200, shared, "", ""));
    assert_eq!(code, Some(2), "{stderr}");
    let finding = stderr
        .lines()
        .find(|l| l.starts_with("error[SG410]"))
        .unwrap_or_else(|| panic!("no SG410:\n{stderr}"));
    assert!(
        finding.contains("account 100603781557 would hold 1,200 IAM roles (200 students, 6 each)")
            && finding.contains("\"Roles per account\", iam L-FE177D64"),
        "{finding}"
    );
    assert!(stderr.contains("`quotas: { iam_roles: 1334 }`"), "{stderr}");
    assert!(stderr.contains("existing_role"), "{stderr}");
    // Only the IAM roles are over: nothing else of the class comes near.
    assert_eq!(stderr.matches("[SG410]").count(), 1, "{stderr}");

    // And `render` writes nothing.
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("class.yaml");
    fs::write(&path, big_class(200, shared, "", "")).unwrap();
    let out = temp.path().join("out");
    let status = stackgen()
        .args(["render", "-q"])
        .arg(&path)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
    assert!(!out.exists(), "render wrote {}", out.display());

    for (what, yaml) in [
        (
            "quotas: { iam_roles: 2000 }",
            big_class(200, shared, "", "quotas: { iam_roles: 2000 }\n"),
        ),
        (
            "existing_role",
            big_class(200, shared, "  iam: { existing_role: LabRole }\n", ""),
        ),
        ("one account per student", big_class(200, None, "", "")),
    ] {
        let (code, stderr) = validate_class(&yaml);
        assert_eq!(code, Some(0), "{what}:\n{stderr}");
        assert!(
            !stderr.contains("SG410") && !stderr.contains("SG903"),
            "{what}:\n{stderr}"
        );
    }

    // 150 students (900 roles) are within 10% of the quota: a warning,
    // and the class is valid.
    let (code, stderr) = validate_class(&big_class(150, shared, "", ""));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning[SG903]") && stderr.contains("900 IAM roles"),
        "{stderr}"
    );
}

/// Issue 21's reaper is one EventBridge rule per expiring stack: 301 of
/// them in one account and region are over the 300 rules a bus holds,
/// while the same class without expiry is not (the Learner Lab role keeps
/// the IAM roles out of it).
#[test]
fn expiring_stacks_count_against_the_eventbridge_rule_quota() {
    let shared = Some("100603781557");
    let lab = "  iam: { existing_role: LabRole }\n";
    let (code, stderr) = validate_class(&big_class(
        301,
        shared,
        &format!("{lab}  expire_after_hours: 8\n"),
        "",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    let findings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error[SG410]"))
        .collect();
    assert_eq!(findings.len(), 1, "{stderr}");
    assert!(
        findings[0]
            .contains("would hold 301 EventBridge rules on the default bus (301 students, 1 each)"),
        "{}",
        findings[0]
    );
    let (code, stderr) = validate_class(&big_class(301, shared, lab, ""));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("EventBridge"), "{stderr}");
}

/// Every Lambda zip stackgen generates fits the bound the quota check
/// counts for a function (`aws::FUNCTION_ZIP_BYTES`).
#[test]
fn every_generated_function_zip_fits_the_counted_size() {
    use stackgen::output::package;
    for (name, zip) in [
        ("etl", package::etl_zip()),
        ("alert", package::alert_zip()),
        ("detector", package::detector_zip()),
        ("reaper", package::reaper_zip()),
    ] {
        assert!(
            zip.len() as u64 <= stackgen::base::aws::FUNCTION_ZIP_BYTES,
            "{name}: {} bytes",
            zip.len()
        );
    }
}
