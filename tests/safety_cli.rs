//! The safety of writes and of the command line itself: stacks holding
//! Terraform state keep their configuration, kept edits the input now
//! contradicts are conflicts, `--check` shows diffs, `-o` works through
//! `.`, `$PWD` and symlinks without pulling the directory from under a
//! shell, closed pipes end quietly, and inputs that are not text or are
//! too large are refused as invalid.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::read_tree;

use insta_cmd::get_cargo_bin;

/// A state file as Terraform leaves it once something is applied.
const LIVE: &str = r#"{"version": 4, "terraform_version": "1.15.5", "serial": 3, "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "main_dl_bucket", "instances": []}]}"#;
/// The state file after `terraform destroy`.
const DESTROYED: &str =
    r#"{"version": 4, "terraform_version": "1.15.5", "serial": 4, "resources": []}"#;

fn stackgen() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Exit code, stdout, stderr.
fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn render(spec: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    run(stackgen()
        .arg("render")
        .arg(spec)
        .arg("-o")
        .arg(out)
        .args(extra))
}

/// A classic student file `student.yaml` in `dir`, with `extra` YAML.
fn student(dir: &Path, index_no: &str, extra: &str) -> PathBuf {
    let path = dir.join("student.yaml");
    fs::write(
        &path,
        format!("target: classic\nstudent:\n  name: Jan Kowalski\n  initials: jk\n  index_no: \"{index_no}\"\naccount_id: \"100603781557\"\n{extra}"),
    )
    .unwrap();
    path
}

/// A classic class file `class.yaml` in `dir`: one student `<i>-jk` per index.
fn class(dir: &Path, indexes: &[&str]) -> PathBuf {
    let path = dir.join("class.yaml");
    let students = indexes
        .iter()
        .map(|i| format!("  - {{ name: Jan Kowalski, initials: jk, index_no: \"{i}\" }}\n"))
        .collect::<Vec<_>>()
        .concat();
    fs::write(
        &path,
        format!("course: c\ntarget: classic\ndefaults:\n  account_id: \"100603781557\"\nstudents:\n{students}"),
    )
    .unwrap();
    path
}

/// A classic class of students 1 and 2 whose state is in the S3 bucket
/// `bucket` (none: local state), written to `dir/<name>`.
fn class_with_state(dir: &Path, name: &str, bucket: Option<&str>) -> PathBuf {
    let path = dir.join(name);
    let backend = bucket.map_or_else(String::new, |b| {
        format!("  backend: {{ s3: {{ bucket: {b}, region: us-east-1, key_prefix: c, lock_table: c-lock }} }}\n")
    });
    fs::write(
        &path,
        format!("course: c\ntarget: classic\ndefaults:\n  account_id: \"100603781557\"\n{backend}students:\n  - {{ name: Jan Kowalski, initials: jk, index_no: \"1\" }}\n  - {{ name: Jan Kowalski, initials: jk, index_no: \"2\" }}\n"),
    )
    .unwrap();
    path
}

fn destroy(dir: &Path) -> String {
    format!("terraform -chdir={} destroy", dir.display())
}

#[test]
fn a_student_over_a_class_with_state_is_refused_until_forced() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let class = class(temp.path(), &["1", "2"]);
    assert_eq!(render(&class, &out, &["-q"]).0, Some(0));
    fs::write(out.join("2-jk/terraform.tfstate"), LIVE).unwrap();
    let before = read_tree(&out);

    let student = student(temp.path(), "1", "");
    let (code, stdout, stderr) = render(&student, &out, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("render refused; nothing was changed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("it holds a class's stacks (rendered from `class.yaml`), and `student.yaml` is a student file"),
        "{stderr}"
    );
    // The student with state is named, with what to run first.
    assert!(
        stderr.contains(&format!(
            "`{}`: this render would remove the stack's configuration. It holds Terraform state (`terraform.tfstate` lists 1 resource)",
            out.join("2-jk").display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&destroy(&out.join("2-jk"))), "{stderr}");
    assert_eq!(read_tree(&out), before, "a refused render changed the tree");

    // The reverse is refused too, even where no state is at stake.
    let lone = temp.path().join("lone");
    assert_eq!(render(&student, &lone, &["-q"]).0, Some(0));
    let (code, _, stderr) = render(&class, &lone, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("it holds a student's stack"), "{stderr}");
    assert!(!lone.join("1-jk").exists());

    // --force overrides; Terraform's own file is still left alone.
    let (code, _, stderr) = render(&student, &out, &["--force", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(out.join("main.tf").exists());
    assert!(!out.join("2-jk/main.tf").exists());
    assert_eq!(
        fs::read_to_string(out.join("2-jk/terraform.tfstate")).unwrap(),
        LIVE
    );
}

#[test]
fn a_checkpoint_that_drops_exercises_beside_state_is_refused_until_forced() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    // A class two exercises in; one student has applied it.
    let spec = class(temp.path(), &["1", "2"]);
    assert_eq!(render(&spec, &out, &["--through", "2"]).0, Some(0));
    fs::write(out.join("2-jk/terraform.tfstate"), LIVE).unwrap();
    // The next exercise is added under the usual rules.
    let (code, _, stderr) = render(&spec, &out, &["--through", "3"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(fs::read_to_string(out.join("2-jk/glue.tf"))
        .unwrap()
        .contains("aws_glue_crawler"));
    // Going back would destroy the crawler at the next apply: refused for
    // the student with state, with the command that destroys first.
    let glue = fs::read(out.join("2-jk/glue.tf")).unwrap();
    let (code, _, stderr) = render(&spec, &out, &["--through", "2"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("it holds exercises 1 to 3 (`render --through 3`), and this render keeps only exercises 1 to 2"),
        "{stderr}"
    );
    assert!(stderr.contains(&destroy(&out.join("2-jk"))), "{stderr}");
    assert_eq!(fs::read(out.join("2-jk/glue.tf")).unwrap(), glue);
    // The whole stack, then a checkpoint: refused too; --force overrides.
    assert_eq!(render(&spec, &out, &[]).0, Some(0));
    assert_eq!(render(&spec, &out, &["--through", "4"]).0, Some(2));
    assert_eq!(
        render(&spec, &out, &["--through", "4", "--force"]).0,
        Some(0)
    );
    assert!(!out.join("2-jk/kinesis_analytics.tf").exists());
    // An exercise the edition does not have is an error.
    let (code, _, stderr) = render(&spec, &out, &["--through", "6"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("has exercises 1 to 5"), "{stderr}");
}

#[test]
fn another_students_stack_is_not_written_over_live_state() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    assert_eq!(
        render(&student(temp.path(), "1", ""), &out, &["-q"]).0,
        Some(0)
    );
    // A backend configured by `terraform init` counts as state too.
    fs::create_dir(out.join(".terraform")).unwrap();
    fs::write(
        out.join(".terraform/terraform.tfstate"),
        r#"{"version": 3, "backend": {"type": "s3"}}"#,
    )
    .unwrap();
    let before = read_tree(&out);
    let (code, _, stderr) = render(&student(temp.path(), "2", ""), &out, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("it holds the stack of 1-jk (account 100603781557, us-east-1, classic target), and this render would replace it with the stack of 2-jk"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`.terraform/terraform.tfstate` configures a backend"),
        "{stderr}"
    );
    assert!(stderr.contains(&destroy(&out)), "{stderr}");
    assert_eq!(read_tree(&out), before);
    // The same student again is an ordinary re-render.
    let (code, _, stderr) = render(
        &student(temp.path(), "1", "stream:\n  shard_count: 2\n"),
        &out,
        &["-q"],
    );
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_removed_student_with_state_is_retired_then_removed_once_destroyed() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    assert_eq!(
        render(&class(temp.path(), &["1", "2", "3"]), &out, &["-q"]).0,
        Some(0)
    );
    fs::write(out.join("2-jk/terraform.tfstate"), LIVE).unwrap();
    // Student 3 applied nothing: an empty state is no reason to keep.
    fs::write(out.join("3-jk/terraform.tfstate"), DESTROYED).unwrap();
    let her_stack = read_tree(&out.join("2-jk"));

    let smaller = class(temp.path(), &["1"]);
    let (code, stdout, stderr) = render(&smaller, &out, &[]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "retired: {} is no longer in class.yaml, but it holds Terraform state (`terraform.tfstate` lists 1 resource); it is kept whole. Run `{}`, then render again to remove it",
            out.join("2-jk").display(),
            destroy(&out.join("2-jk"))
        )),
        "{stderr}"
    );
    assert!(stdout.contains(", 1 retired"), "{stdout}");
    assert_eq!(read_tree(&out.join("2-jk")), her_stack);
    assert!(!out.join("3-jk/main.tf").exists());
    let summary = fs::read_to_string(out.join("class-summary.csv")).unwrap();
    assert!(!summary.contains("2-jk"), "{summary}");

    // Retired until the state is gone, then removed as usual.
    assert_eq!(render(&smaller, &out, &["-q"]).0, Some(4));
    fs::write(out.join("2-jk/terraform.tfstate"), DESTROYED).unwrap();
    let (code, _, stderr) = render(&smaller, &out, &["-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!out.join("2-jk/main.tf").exists());
    assert!(out.join("2-jk/terraform.tfstate").exists());
}

/// The bootstrap stack holds the state of the class's state bucket once
/// it is applied: the write guard keeps it like a student's stack.
#[test]
fn the_bootstrap_stack_with_state_is_kept_like_a_students() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let with = class_with_state(temp.path(), "class.yaml", Some("c-tfstate"));
    assert_eq!(render(&with, &out, &["-q"]).0, Some(0));
    assert!(out.join("bootstrap/main.tf").is_file());
    // The manifest lists the students' stacks, and the bootstrap apart.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join(".stackgen-manifest.json")).unwrap())
            .unwrap();
    let dirs: Vec<&str> = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["dir"].as_str().unwrap())
        .collect();
    assert_eq!(dirs, ["1-jk", "2-jk"]);
    assert_eq!(manifest["bootstrap"]["dir"], "bootstrap");
    assert_eq!(manifest["bootstrap"]["bucket"], "c-tfstate");
    // Before it is applied, nothing holds it: another bucket replaces it.
    let other = class_with_state(temp.path(), "other.yaml", Some("c-tfstate-2"));
    assert_eq!(render(&other, &out, &["-q"]).0, Some(0));
    assert!(fs::read_to_string(out.join("bootstrap/main.tf"))
        .unwrap()
        .contains("\"c-tfstate-2\""));

    // Applied: another bucket would orphan the one it created.
    fs::write(out.join("bootstrap/terraform.tfstate"), LIVE).unwrap();
    let before = read_tree(&out);
    let (code, _, stderr) = render(&with, &out, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "`{}`: it holds the stack of the state bucket c-tfstate-2 (account 100603781557, us-east-1, classic target), and this render would replace it with the stack of the state bucket c-tfstate (account 100603781557, us-east-1, classic target)",
            out.join("bootstrap").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&destroy(&out.join("bootstrap"))),
        "{stderr}"
    );
    assert_eq!(read_tree(&out), before, "a refused render changed the tree");

    // A student file over the class is refused for it too.
    let (code, _, stderr) = render(&student(temp.path(), "1", ""), &out, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("`{}`", out.join("bootstrap").display())),
        "{stderr}"
    );

    // The class without remote state keeps it whole, as retired.
    let local = class_with_state(temp.path(), "local.yaml", None);
    let kept = read_tree(&out.join("bootstrap"));
    let (code, _, stderr) = render(&local, &out, &[]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "retired: {} is no longer in local.yaml",
            out.join("bootstrap").display()
        )),
        "{stderr}"
    );
    assert_eq!(read_tree(&out.join("bootstrap")), kept);
    assert!(out.join("1-jk/main.tf").is_file());
}

#[test]
fn an_edit_the_yaml_now_contradicts_is_a_conflict_until_resolved() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let plain = student(temp.path(), "1", "");
    assert_eq!(render(&plain, &out, &["-q"]).0, Some(0));
    let edited = out.join("kinesis_ds.tf");
    let mine = format!("{}# my note\n", fs::read_to_string(&edited).unwrap());
    fs::write(&edited, &mine).unwrap();
    // The YAML did not change the file: kept, exit 0.
    let (code, _, stderr) = render(&plain, &out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("kept: kinesis_ds.tf"), "{stderr}");

    let two_shards = student(temp.path(), "1", "stream:\n  shard_count: 2\n");
    let (code, stdout, stderr) = render(&two_shards, &out, &[]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("conflict: kinesis_ds.tf was edited after stackgen wrote it, and student.yaml now generates something else"),
        "{stderr}"
    );
    let removed = stderr
        .lines()
        .any(|l| l.starts_with('-') && l.contains("shard_count") && l.ends_with("= 1"));
    let added = stderr
        .lines()
        .any(|l| l.starts_with('+') && l.contains("shard_count") && l.ends_with("= 2"));
    assert!(removed && added, "{stderr}");
    assert!(stderr.lines().any(|l| l == "-# my note"), "{stderr}");
    assert!(stdout.contains(", 1 in conflict"), "{stdout}");
    assert_eq!(fs::read_to_string(&edited).unwrap(), mine);

    // Still a conflict on the next run; --check agrees the tree differs.
    assert_eq!(render(&two_shards, &out, &["-q"]).0, Some(4));
    let (code, stdout, _) = render(&two_shards, &out, &["--check"]);
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with("differs: kinesis_ds.tf\n"), "{stdout}");

    // --force resolves it; then everything agrees.
    assert_eq!(render(&two_shards, &out, &["--force", "-q"]).0, Some(0));
    assert_eq!(render(&two_shards, &out, &["--check", "-q"]).0, Some(0));
    assert_eq!(render(&two_shards, &out, &["-q"]).0, Some(0));
}

#[test]
fn check_prints_bounded_diffs_and_says_missing_or_extra() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    assert_eq!(
        render(&student(temp.path(), "1", ""), &out, &["-q"]).0,
        Some(0)
    );
    fs::remove_file(out.join("outputs.tf")).unwrap();
    let replaced = (0..200)
        .map(|i| format!("# line {i}\n"))
        .collect::<Vec<_>>()
        .concat();
    fs::write(out.join("main.tf"), replaced).unwrap();
    let without = student(temp.path(), "1", "analytics:\n  enabled: false\n");
    let (code, stdout, stderr) = render(&without, &out, &["--check"]);
    assert_eq!(code, Some(1), "{stderr}");
    let headers: Vec<&str> = stdout
        .lines()
        .filter(|l| {
            ["missing: ", "extra: ", "differs: "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    // Without exercise 5 other files change too (iam.tf, outputs); these
    // are the ones this test made differ.
    for expected in [
        "extra: kinesis_analytics.tf (generated before, no longer rendered)",
        "extra: lambda/alert_function.zip (generated before, no longer rendered)",
        "differs: main.tf",
        "missing: outputs.tf",
    ] {
        assert!(headers.contains(&expected), "{expected}: {stdout}");
    }
    // main.tf's diff: a header, hunks, and a cut after 40 lines.
    let diff: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "differs: main.tf")
        .skip(1)
        .take_while(|l| !headers.contains(l))
        .collect();
    assert_eq!(diff[0], "--- main.tf (on disk)");
    assert_eq!(diff[1], "+++ main.tf (generated)");
    assert!(diff.contains(&"-# line 0"), "{stdout}");
    assert_eq!(diff.len(), 41, "{stdout}");
    assert!(diff[40].ends_with("more lines of diff"), "{stdout}");
    let count = format!("{} of ", headers.len());
    assert!(
        stderr.lines().any(|l| l.starts_with(&count)
            && l.ends_with(" files differ from what student.yaml renders")),
        "{stderr}"
    );
}

/// `-o .` and `-o "$PWD"` from inside the target: the directory a shell
/// sits in stays the same directory (same inode), and its files are the
/// new ones, so the shell's next command works.
#[test]
fn output_into_the_working_directory_keeps_it() {
    let temp = tempfile::tempdir().unwrap();
    let here = temp.path().join("stack");
    fs::create_dir(&here).unwrap();
    let inode = fs::metadata(&here).unwrap().ino();
    let first = student(temp.path(), "1", "");
    let shell = |spec: &Path, output: &str| {
        run(Command::new("sh")
            .current_dir(&here)
            .arg("-c")
            .arg(r#""$0" render -q "$1" -o "$2" && test -f main.tf && pwd -P"#)
            .arg(get_cargo_bin("stackgen"))
            .arg(spec)
            .arg(output))
    };
    let (code, stdout, stderr) = shell(&first, ".");
    assert_eq!(code, Some(0), "{stderr}");
    let real = fs::canonicalize(&here).unwrap();
    assert_eq!(stdout.trim_end(), real.display().to_string());
    assert_eq!(fs::metadata(&here).unwrap().ino(), inode);

    // A re-render that changes files, through `.` then through $PWD.
    let second = student(temp.path(), "1", "stream:\n  shard_count: 3\n");
    let (code, _, stderr) = shell(&second, ".");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(fs::metadata(&here).unwrap().ino(), inode);
    assert!(fs::read_to_string(here.join("kinesis_ds.tf"))
        .unwrap()
        .contains("= 3"));
    let third = student(temp.path(), "1", "stream:\n  shard_count: 4\n");
    let (code, _, stderr) = shell(&third, &real.display().to_string());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(fs::metadata(&here).unwrap().ino(), inode);
    assert!(fs::read_to_string(here.join("kinesis_ds.tf"))
        .unwrap()
        .contains("= 4"));
    let leftovers: Vec<_> = fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stackgen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A class rendered with `-o ..` from inside one student's directory:
/// that directory and the class root stay where the shell is.
#[test]
fn output_above_the_working_directory_keeps_the_way_down() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let spec = class(temp.path(), &["1", "2"]);
    assert_eq!(render(&spec, &out, &["-q"]).0, Some(0));
    let inodes = |dirs: &[&Path]| -> Vec<u64> {
        dirs.iter()
            .map(|d| fs::metadata(d).unwrap().ino())
            .collect()
    };
    let mine = out.join("1-jk");
    let before = inodes(&[&out, &mine]);
    let spec = class(temp.path(), &["1", "2", "3"]);
    let (code, _, stderr) = run(stackgen()
        .current_dir(&mine)
        .args(["render", "-q", "-o", ".."])
        .arg(&spec));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(inodes(&[&out, &mine]), before);
    assert!(out.join("3-jk/main.tf").exists());
    assert!(mine.join("main.tf").exists());
    assert_eq!(
        run(stackgen()
            .current_dir(&mine)
            .args(["render", "-q", "--check", "-o", ".."])
            .arg(&spec))
        .0,
        Some(0)
    );
}

#[test]
fn output_through_a_symlink_writes_into_its_target() {
    let temp = tempfile::tempdir().unwrap();
    let real = temp.path().join("real");
    let link = temp.path().join("link");
    // Dangling at first: the tree goes where the link points.
    std::os::unix::fs::symlink("real", &link).unwrap();
    let first = student(temp.path(), "1", "");
    let (code, _, stderr) = render(&first, &link, &["-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(real.join("main.tf").exists());

    let second = student(temp.path(), "1", "stream:\n  shard_count: 5\n");
    let (code, _, stderr) = render(&second, &link, &["-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real"));
    assert!(fs::read_to_string(real.join("kinesis_ds.tf"))
        .unwrap()
        .contains("= 5"));
    assert_eq!(render(&second, &link, &["-q", "--check"]).0, Some(0));
}

/// Every command, piped into `head -1`: no panic, and the status is the
/// command's own or 141 (what a shell reports for SIGPIPE).
#[test]
fn every_command_piped_into_head_ends_quietly() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let commands: Vec<Vec<String>> = [
        vec!["plan", "examples/roster-class.yaml"],
        vec!["review", "examples/roster-class.yaml"],
        vec!["review", "--format", "json", "examples/class.yaml"],
        vec!["validate", "examples/roster-class.yaml"],
        vec!["render", "-v", "examples/roster-class.yaml", "-o"],
        vec!["schema"],
        vec!["schema", "--class"],
        vec![
            "grade",
            "examples/jk-12345.yaml",
            "--state",
            "tests/grade/fixtures/jk-12345.state.json",
        ],
        vec!["init", "--class", "-"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["--help"],
    ]
    .into_iter()
    .map(|args| {
        let mut args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        if args.last().map(String::as_str) == Some("-o") {
            args.push(out.display().to_string());
        }
        args
    })
    .collect();
    for args in &commands {
        // Through a shell and the real `head`: usually `head` is gone
        // before the last writes, but that is a race.
        let (code, _, stderr) = run(Command::new("bash")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("-c")
            .arg(r#""$0" "$@" | head -1 >/dev/null; exit "${PIPESTATUS[0]}""#)
            .arg(get_cargo_bin("stackgen"))
            .args(args));
        assert!(matches!(code, Some(0 | 141)), "{args:?}: {code:?} {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");

        // The reading end is closed before the command writes, so its
        // first write fails. Another test's child, forked but not yet
        // exec'd, can hold a copy of that end for a moment (then the write
        // succeeds, status 0): so up to five tries, and one must end 141.
        let mut codes = Vec::new();
        for _ in 0..5 {
            let mut child = stackgen()
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            let code = output.status.code();
            assert!(matches!(code, Some(0 | 141)), "{args:?}: {code:?} {stderr}");
            codes.push(code);
            if code == Some(141) || args[0] == "--help" {
                break;
            }
        }
        if args[0] != "--help" {
            assert!(codes.contains(&Some(141)), "{args:?}: {codes:?}");
        }
    }
}

/// A long list of diagnostics into a closed stderr ends quietly too.
#[test]
fn a_closed_stderr_ends_quietly() {
    let temp = tempfile::tempdir().unwrap();
    // 3,000 students with one index number: thousands of diagnostics.
    let spec = temp.path().join("dupes.yaml");
    let students: String = (0..3000)
        .map(|_| "  - { name: Jan Kowalski, initials: jk, index_no: \"1\" }\n")
        .collect();
    fs::write(
        &spec,
        format!("course: c\ndefaults:\n  account_id: \"100603781557\"\nstudents:\n{students}"),
    )
    .unwrap();
    let (code, _, stderr) = run(Command::new("bash")
        .arg("-c")
        .arg(r#""$0" validate "$1" 2>&1 >/dev/null | head -1 >/dev/null; exit "${PIPESTATUS[0]}""#)
        .arg(get_cargo_bin("stackgen"))
        .arg(&spec));
    assert!(matches!(code, Some(2 | 141)), "{code:?} {stderr}");
    let mut child = stackgen()
        .arg("validate")
        .arg(&spec)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(141));
}

#[test]
fn input_that_is_not_text_or_too_large_is_invalid() {
    let temp = tempfile::tempdir().unwrap();
    let check = |name: &str, bytes: &[u8], expected: &str| {
        let path = temp.path().join(name);
        fs::write(&path, bytes).unwrap();
        for command in ["validate", "plan"] {
            let (code, stdout, stderr) = run(stackgen().arg(command).arg(&path));
            assert_eq!(code, Some(2), "{name} {command}: {stderr}");
            assert!(stdout.is_empty());
            assert!(
                stderr.contains(&format!(
                    "error: cannot read `{}`: {expected}",
                    path.display()
                )),
                "{name}: {stderr}"
            );
        }
        let out = temp.path().join(format!("{name}.out"));
        assert_eq!(render(&path, &out, &[]).0, Some(2));
        assert!(!out.exists());
    };
    // A student file saved by a Windows editor in Windows-1250.
    check(
        "cp1250.yaml",
        b"student:\n  name: Jan Kowalski\n  initials: \xb3k\n",
        "the file is not UTF-8 text: the byte 0xB3 at line 3, column 13; save it as UTF-8 text",
    );
    check(
        "binary.yaml",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe",
        "the file is not UTF-8 text: the byte 0xFF at line 1, column 11 (it holds NUL bytes, so it looks like a binary file)",
    );
    check(
        "utf16.yaml",
        b"\xff\xfes\x00t\x00",
        "the file is not UTF-8 text: the byte 0xFF at line 1, column 1 (it starts like UTF-16)",
    );
    let mut huge = b"# padding\n".repeat(900_000);
    huge.extend_from_slice(b"student: {}\n");
    check(
        "huge.yaml",
        &huge,
        "the file is larger than 8 MiB, the limit for an input file",
    );
}
