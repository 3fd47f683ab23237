//! `stackgen grade --code` on hostile directories: a syntax error, a
//! symlink loop, a 10 MB `.tf` file, expressions nested thousands deep, a
//! module that includes itself (directly, through another module, through a
//! symlinked directory). Each is a clear error (exit 2 with SG804 and the
//! file, or exit 1 naming the file) or a grade (exit 0), never a panic, a
//! stack overflow or a hang. The examples' own code, the rewrites a student
//! makes and the planted defects run in tests/infra/test_grade.py.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use insta_cmd::get_cargo_bin;

const EXAMPLE: &str = "examples/jk-12345.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `stackgen grade EXAMPLE --code DIR`: exit code and stderr; a run over
/// 60 s fails the test (a hang).
fn grade(dir: &Path, format: &str) -> (i32, String, String) {
    let started = Instant::now();
    let out = Command::new(get_cargo_bin("stackgen"))
        .args(["grade", EXAMPLE, "-q", "--format", format, "--code"])
        .arg(dir)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_mins(1),
        "{} took too long",
        dir.display()
    );
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{}: {stderr}",
        dir.display()
    );
    assert_ne!(code, -1, "{} was killed: {stderr}", dir.display());
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_syntax_error_names_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "ok.tf", "variable \"x\" {}\n");
    write(
        tmp.path(),
        "bad.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  force_destroy = \n}\n",
    );
    let (code, stdout, stderr) = grade(tmp.path(), "json");
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("error[SG804]"), "{stderr}");
    assert!(stderr.contains("bad.tf"), "{stderr}");
    assert!(
        stderr.contains("bad.tf:4:") || stderr.contains("bad.tf:3:"),
        "{stderr}"
    );
}

#[test]
fn not_a_directory_or_no_tf_file_is_sg804_and_a_missing_one_io() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "main.tf", "");
    let (code, _, stderr) = grade(&tmp.path().join("main.tf"), "text");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a file"), "{stderr}");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (code, _, stderr) = grade(&empty, "text");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("holds no `.tf` file"), "{stderr}");
    let (code, _, stderr) = grade(&tmp.path().join("nowhere"), "text");
    assert_eq!(code, 1, "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_io_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("b.tf", tmp.path().join("a.tf")).unwrap();
    std::os::unix::fs::symlink("a.tf", tmp.path().join("b.tf")).unwrap();
    let (code, _, stderr) = grade(tmp.path(), "text");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("a.tf"), "{stderr}");
}

#[test]
fn a_10_mb_tf_file_is_refused_unparsed() {
    let tmp = tempfile::tempdir().unwrap();
    let block = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
    write(
        tmp.path(),
        "main.tf",
        &block.repeat(10 * 1024 * 1024 / block.len() + 1),
    );
    let (code, _, stderr) = grade(tmp.path(), "text");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("larger than 4 MiB"), "{stderr}");
}

#[test]
fn expressions_nested_thousands_deep_are_refused_not_overflowed() {
    let n = 20_000;
    let cases = [
        ("brackets", format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (
            "parentheses",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("not", format!("{}true", "!".repeat(n))),
        ("negation", format!("{}1", "-".repeat(n))),
        ("sum", format!("{}1", "1 + ".repeat(n))),
        ("conditionals", format!("{}1", "true ? 1 : ".repeat(n))),
        (
            "templates",
            format!("\"{}x{}\"", "${\"".repeat(n / 4), "\"}".repeat(n / 4)),
        ),
        ("objects", format!("{}{}", "{a = ".repeat(n), "}".repeat(n))),
    ];
    for (what, expr) in cases {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "main.tf",
            &format!("locals {{\n  a = {expr}\n}}\n"),
        );
        let (code, _, stderr) = grade(tmp.path(), "text");
        assert_eq!(code, 2, "{what}: {stderr}");
        assert!(stderr.contains("levels deep"), "{what}: {stderr}");
        // In a tfvars file too.
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "main.tf", "variable \"a\" {}\n");
        write(tmp.path(), "terraform.tfvars", &format!("a = {expr}\n"));
        let (code, _, stderr) = grade(tmp.path(), "text");
        assert_eq!(code, 2, "{what} in tfvars: {stderr}");
    }
}

/// The example's own code, rendered into `dir`.
fn rendered(dir: &Path) {
    let out = Command::new(get_cargo_bin("stackgen"))
        .args(["render", EXAMPLE, "-q", "-o"])
        .arg(dir)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn points(stdout: &str) -> (u64, u64, u64) {
    let report: serde_json::Value = serde_json::from_str(stdout).unwrap();
    let unknown = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["unknown"].as_u64().unwrap())
        .sum();
    (
        report["points"].as_u64().unwrap(),
        report["max_points"].as_u64().unwrap(),
        unknown,
    )
}

#[test]
fn modules_that_include_themselves_end() {
    let tmp = tempfile::tempdir().unwrap();
    let stack = tmp.path().join("stack");
    rendered(&stack);
    let (code, stdout, stderr) = grade(&stack, "json");
    assert_eq!(code, 0, "{stderr}");
    let full = points(&stdout);
    assert_eq!(full.0, full.1);
    // Directly: followed once (Terraform refuses the cycle; the grade sees
    // the module's own resources once).
    write(&stack, "self.tf", "module \"me\" {\n  source = \"./\"\n}\n");
    let (code, stdout, stderr) = grade(&stack, "json");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(points(&stdout), full);
    // Through another module that calls this one back.
    write(
        &stack.join("other"),
        "main.tf",
        "module \"back\" {\n  source = \"../\"\n}\n",
    );
    write(
        &stack,
        "self.tf",
        "module \"other\" {\n  source = \"./other\"\n}\n",
    );
    let (code, stdout, stderr) = grade(&stack, "json");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(points(&stdout), full);
    // Through a directory that is a symlink to itself: ends at the module
    // depth limit (every level declares the stack again, so the grade is
    // whatever that gives; it only has to end).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(".", stack.join("again")).unwrap();
        write(
            &stack,
            "self.tf",
            "module \"again\" {\n  source = \"./again\"\n}\n",
        );
        let (code, _, stderr) = grade(&stack, "json");
        assert_eq!(code, 0, "{stderr}");
    }
}

#[test]
fn what_cannot_be_evaluated_is_unknown_not_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let stack = tmp.path().join("stack");
    rendered(&stack);
    let kinesis = stack.join("kinesis_ds.tf");
    let text = fs::read_to_string(&kinesis).unwrap();
    let edited = text.replacen(
        "shard_count               = 1",
        "shard_count               = provider::aws::arn_parse(\"x\").account_id",
        1,
    );
    assert_ne!(text, edited);
    fs::write(&kinesis, edited).unwrap();
    let (code, stdout, stderr) = grade(&stack, "json");
    assert_eq!(code, 0, "{stderr}");
    let (points, max, unknown) = points(&stdout);
    assert_eq!((points, unknown), (max, 1));
}

/// What the fuzz target (`fuzz/fuzz_targets/code_evaluator.rs`) does with
/// one input, on the seed of its corpus cut at many points: evaluated or
/// refused with SG804, and what is evaluated is graded.
#[test]
fn the_fuzz_seed_cut_anywhere_is_evaluated_or_refused() {
    use stackgen::grade::source::code::{parse_text, Account};
    use stackgen::grade::source::Source;

    let seed = fs::read_to_string(root().join("fuzz/corpus/code_evaluator/jk-12345.tf")).unwrap();
    let account = Account {
        account_id: "100603781557".to_owned(),
        region: "us-east-1".to_owned(),
    };
    let mut source = stackgen::input::load::Source::read(&root().join(EXAMPLE)).unwrap();
    source.name = EXAMPLE.to_owned();
    let spec = stackgen::check(&source).unwrap().spec;
    let (tf, tfvars) = seed.split_once('\0').unwrap();
    // The whole seed grades full marks: the corpus is the real thing.
    let observed = parse_text(&[("main.tf", tf)], tfvars, &account).unwrap();
    let report = stackgen::grade(&spec, &observed, Source::Code).unwrap();
    assert_eq!(report.points, report.max_points);
    assert_eq!(report.unknown(), 0);
    let mut refused = 0;
    for cut in (0..seed.len())
        .step_by(89)
        .filter(|c| seed.is_char_boundary(*c))
    {
        let text = &seed[..cut];
        let (tf, tfvars) = text.split_once('\0').unwrap_or((text, ""));
        match parse_text(&[("main.tf", tf)], tfvars, &account) {
            Ok(observed) => {
                stackgen::grade(&spec, &observed, Source::Code).unwrap();
            }
            Err(d) => {
                assert_eq!(d.code, stackgen::base::codes::Code::SG804);
                refused += 1;
            }
        }
    }
    assert!(refused > 10, "most cuts end mid-block: {refused} refused");
}

#[test]
fn a_registry_module_makes_what_is_not_seen_unknown_not_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let stack = tmp.path().join("stack");
    rendered(&stack);
    // The bucket made by a registry module instead of s3.tf, the Firehose
    // pointed at its output.
    fs::remove_file(stack.join("s3.tf")).unwrap();
    write(
        &stack,
        "s3.tf",
        "module \"lake\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n  bucket = \"datalake-dev-100603781557-jk-12345\"\n}\n",
    );
    for f in fs::read_dir(&stack).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            let text = fs::read_to_string(&path).unwrap();
            fs::write(
                &path,
                text.replace(
                    "aws_s3_bucket.main_dl_bucket.arn",
                    "module.lake.s3_bucket_arn",
                )
                .replace(
                    "aws_s3_bucket.main_dl_bucket.id",
                    "module.lake.s3_bucket_id",
                ),
            )
            .unwrap();
        }
    }
    let (code, stdout, stderr) = grade(&stack, "json");
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checks: Vec<&serde_json::Value> = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["checks"].as_array().unwrap())
        .collect();
    let status = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert!(
        checks
            .iter()
            .all(|c| c["status"] != "missing" && c["status"] != "fail"),
        "{stdout}"
    );
    assert_eq!(status("bucket.exists"), "unknown");
    assert_eq!(status("firehose.connection.bucket"), "unknown");
    let message = checks.iter().find(|c| c["id"] == "bucket.exists").unwrap()["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("module.lake"), "{message}");
    assert!(status("stream.exists") == "pass");
}
