//! A newcomer's first commands: `init`, shell completions, the man page,
//! `--allow` and what `-v` says on each command. Completions are loaded
//! into a real bash and asked to complete; man pages are rendered by groff
//! with every warning turned on.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use insta_cmd::get_cargo_bin;

fn stackgen(dir: &Path) -> Command {
    let mut cmd = Command::new(get_cargo_bin("stackgen"));
    cmd.current_dir(dir);
    cmd
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

#[test]
fn init_writes_a_student_file_that_validates_as_written_with_its_schema() {
    let temp = tempfile::tempdir().unwrap();
    let out = run(stackgen(temp.path()).arg("init"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let yaml = fs::read_to_string(temp.path().join("student.yaml")).unwrap();
    assert!(
        yaml.starts_with("# yaml-language-server: $schema=student.schema.json\n"),
        "{yaml}"
    );
    assert!(yaml.contains("\nedition: uam-2021\n"), "{yaml}");
    // The schema the first line names is beside it, and is `stackgen schema`.
    let schema = fs::read_to_string(temp.path().join("student.schema.json")).unwrap();
    let printed = run(stackgen(temp.path()).arg("schema"));
    assert_eq!(schema, text(&printed.stdout));

    let validate = run(stackgen(temp.path()).args(["validate", "student.yaml"]));
    assert_eq!(
        validate.status.code(),
        Some(0),
        "{}",
        text(&validate.stderr)
    );
    assert_eq!(text(&validate.stderr), "", "a fresh file has no warnings");
    let render = run(stackgen(temp.path()).args(["render", "student.yaml", "-o", "out"]));
    assert_eq!(render.status.code(), Some(0), "{}", text(&render.stderr));
    assert!(temp.path().join("out/s3.tf").is_file());

    // Never over an existing (edited) file.
    fs::write(temp.path().join("student.yaml"), "edited\n").unwrap();
    let again = run(stackgen(temp.path()).arg("init"));
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("never overwrites"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("student.yaml")).unwrap(),
        "edited\n"
    );
}

#[test]
fn init_class_with_an_edition_validates_and_keeps_an_existing_schema() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("class.schema.json"), "{}\n").unwrap();
    let out = run(stackgen(temp.path()).args([
        "init",
        "--class",
        "--edition",
        "uam-2025",
        "group-b.yaml",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("kept as it is"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("class.schema.json")).unwrap(),
        "{}\n"
    );
    let yaml = fs::read_to_string(temp.path().join("group-b.yaml")).unwrap();
    assert!(yaml.starts_with("# yaml-language-server: $schema=class.schema.json\n"));
    assert!(yaml.contains("\n  edition: uam-2025\n"), "{yaml}");
    let validate = run(stackgen(temp.path()).args(["validate", "-v", "group-b.yaml"]));
    assert_eq!(
        validate.status.code(),
        Some(0),
        "{}",
        text(&validate.stderr)
    );
    assert_eq!(
        text(&validate.stdout),
        "checked: Jan Kowalski -> 12345-jk/\nchecked: Anna Nowak -> 12346-an/\n\
         group-b.yaml: valid, 2 students (0 errors, 0 warnings)\n"
    );
}

#[test]
fn init_dash_prints_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let out = run(stackgen(temp.path()).args(["init", "-"]));
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("initials: jk"));
    assert_eq!(fs::read_dir(temp.path()).unwrap().count(), 0);
    let bad = run(stackgen(temp.path()).args(["init", "--edition", "uam-2030", "-"]));
    assert_eq!(bad.status.code(), Some(2));
}

/// The files `init` writes, read through the library: they validate and
/// render as written, and uncommenting their options keeps them valid.
mod init_files {
    use stackgen::input::init::{class, student, Edition};
    use stackgen::input::load::{self, Kind, Source};

    #[test]
    fn the_student_file_validates_as_written() {
        for edition in [Edition::Uam2021, Edition::Uam2025] {
            let text = student(edition);
            assert!(text.starts_with("# yaml-language-server: $schema=student.schema.json\n"));
            assert!(text.contains(&format!("\nedition: {}\n", edition.as_str())));
            let source = Source::new("student.yaml", text);
            let checked = stackgen::check(&source).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
            stackgen::render(&checked.spec, "student.yaml").unwrap();
        }
    }

    /// Uncommenting every option still gives a valid file: the comments name real keys with
    /// acceptable values.
    #[test]
    fn every_commented_option_is_a_real_key_with_a_valid_value() {
        let text: String = student(Edition::Uam2021)
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.trim_start().split_once(':').is_some_and(|(k, _)| {
                        !k.is_empty()
                            && k.trim().chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) =>
                {
                    format!("{rest}\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        assert!(text.contains("\niam:\n  existing_role: LabRole"), "{text}");
        let source = Source::new("student.yaml", text);
        let checked = stackgen::check(&source).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(checked.spec.iam.existing_role.as_deref(), Some("LabRole"));
        assert_eq!(checked.spec.generator.messages_per_second, Some(10));
    }

    #[test]
    fn the_class_file_validates_as_written() {
        let text = class(Edition::Uam2025);
        assert!(text.starts_with("# yaml-language-server: $schema=class.schema.json\n"));
        let source = Source::new("class.yaml", text);
        assert_eq!(load::kind(&source).unwrap(), Kind::Class);
        let (class, _) = stackgen::check_class(&source, std::path::Path::new("."));
        let class = class.unwrap_or_else(|e| panic!("{e:?}"));
        let dirs: Vec<&str> = class.members.iter().map(|m| m.dir.as_str()).collect();
        assert_eq!(dirs, ["12345-jk", "12346-an"]);
        stackgen::check_class_shapes(&class).unwrap();
    }

    /// Uncommenting the class file's options (all but the roster, the
    /// alternative to `students:`) still gives a valid class, with its
    /// state in S3 and a raised quota.
    #[test]
    fn every_commented_class_option_is_a_real_key_with_a_valid_value() {
        let text: String = class(Edition::Uam2021)
            .lines()
            .map(|l| {
                let indent = &l[..l.len() - l.trim_start().len()];
                match l.trim_start().strip_prefix("# ") {
                    Some(rest)
                        if !rest.trim_start().starts_with("roster")
                            && rest.trim_start().split_once(':').is_some_and(|(k, _)| {
                                !k.is_empty()
                                    && k.trim().chars().all(|c| {
                                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
                                    })
                            }) =>
                    {
                        format!("{indent}{rest}\n")
                    }
                    _ => format!("{l}\n"),
                }
            })
            .collect();
        assert!(text.contains("\n  backend:\n    s3: {"), "{text}");
        let source = Source::new("class.yaml", text);
        let (class, _) = stackgen::check_class(&source, std::path::Path::new("."));
        let class = class.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(class.members[0].spec.stream.shard_count, 1);
        let files = stackgen::render_class(&class, "class.yaml", &|| {}).unwrap();
        assert!(files.contains_key("bootstrap/main.tf"));
    }
}

const COMMANDS: [&str; 14] = [
    "render",
    "validate",
    "review",
    "grade",
    "grader-policy",
    "plan",
    "replay",
    "simulate",
    "status",
    "sweep",
    "schema",
    "init",
    "completions",
    "man",
];

/// The bash script, sourced into bash, completes `stackgen re` and
/// `stackgen render --f`.
#[test]
fn bash_completion_completes_commands_and_flags() {
    let temp = tempfile::tempdir().unwrap();
    let out = run(stackgen(temp.path()).args(["completions", "bash"]));
    assert_eq!(out.status.code(), Some(0));
    let script = text(&out.stdout);
    for command in COMMANDS {
        assert!(script.contains(command), "{command} missing");
    }
    let path = temp.path().join("stackgen.bash");
    fs::write(&path, &script).unwrap();
    let complete = |words: &str| -> String {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _stackgen stackgen \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = run(Command::new("bash").args(["--norc", "-c", &probe]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let commands = complete("stackgen re");
    assert!(commands.lines().any(|l| l == "render"), "{commands}");
    assert!(commands.lines().any(|l| l == "review"), "{commands}");
    let flags = complete("stackgen render --f");
    assert!(flags.lines().any(|l| l == "--force"), "{flags}");
    let shells = complete("stackgen completions ''");
    assert!(shells.lines().any(|l| l == "zsh"), "{shells}");
}

#[test]
fn every_shell_gets_a_script() {
    let temp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(stackgen(temp.path()).args(["completions", shell]));
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains("validate"), "{shell}");
    }
    let bad = run(stackgen(temp.path()).args(["completions", "tcsh"]));
    assert_eq!(bad.status.code(), Some(2));
}

/// groff with all warnings (`-ww`) to nothing (`-z`): a clean page prints
/// nothing on stderr. Then `man -l` shows it as a reader sees it.
fn groff_clean(page: &Path) {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .expect("groff runs (Debian: apt-get install groff-base man-db)");
    assert!(out.status.success(), "{}", page.display());
    assert_eq!(text(&out.stderr), "", "{}", page.display());
}

#[test]
fn the_man_page_renders_with_groff_and_man() {
    let temp = tempfile::tempdir().unwrap();
    let out = run(stackgen(temp.path()).arg("man"));
    assert_eq!(out.status.code(), Some(0));
    let page = temp.path().join("stackgen.1");
    fs::write(&page, &out.stdout).unwrap();
    groff_clean(&page);
    let shown = run(Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100"));
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let shown = text(&shown.stdout);
    for section in ["NAME", "SYNOPSIS", "OPTIONS", "SUBCOMMANDS"] {
        assert!(shown.contains(section), "{section}:\n{shown}");
    }
    for command in COMMANDS {
        assert!(
            shown.contains(&format!("stackgen-{command}(1)")),
            "{command}:\n{shown}"
        );
    }
    assert!(shown.contains("--allow"), "{shown}");
}

#[test]
fn man_dir_writes_one_clean_page_per_command() {
    let temp = tempfile::tempdir().unwrap();
    let out = run(stackgen(temp.path()).args(["man", "pages"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut names: Vec<String> = fs::read_dir(temp.path().join("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("stackgen-{c}.1"))
        .chain(["stackgen.1".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for name in &names {
        groff_clean(&temp.path().join("pages").join(name));
    }
    let render = fs::read_to_string(temp.path().join("pages/stackgen-render.1")).unwrap();
    assert!(render.contains("stackgen render"), "{render}");
}

#[test]
fn allow_silences_one_warning_code_and_nothing_else() {
    let temp = tempfile::tempdir().unwrap();
    // A classic class (SG901) with two students whose initials are both
    // `jk` (the SG604 note).
    let spec = temp.path().join("two-codes.yaml");
    fs::write(
        &spec,
        "course: c\ntarget: classic\ndefaults:\n  account_id: \"100603781557\"\nstudents:\n\
         \x20 - { name: Jan Kowalski, index_no: \"1\" }\n\
         \x20 - { name: Julia Kaczmarek, index_no: \"2\" }\n",
    )
    .unwrap();
    let plain = run(stackgen(temp.path()).arg("validate").arg(&spec));
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain.stderr));
    let stderr = text(&plain.stderr);
    assert!(
        stderr.contains("warning[SG901]") && stderr.contains("note[SG604]"),
        "{stderr}"
    );

    for (allow, kept) in [("SG901", "note[SG604]"), ("sg604", "warning[SG901]")] {
        let allowed = run(stackgen(temp.path())
            .args(["validate", "--allow", allow])
            .arg(&spec));
        assert_eq!(allowed.status.code(), Some(0));
        let stderr = text(&allowed.stderr);
        assert!(!stderr.contains(&allow.to_ascii_uppercase()), "{stderr}");
        assert!(stderr.contains(kept), "{stderr}");
    }
    let summary = run(stackgen(temp.path())
        .args(["validate", "--allow", "SG901"])
        .arg(&spec));
    assert!(
        text(&summary.stdout).ends_with("(0 errors, 0 warnings, 1 allowed)\n"),
        "{}",
        text(&summary.stdout)
    );

    // Errors are never silenced: allowing one is refused, by name.
    let refused = run(stackgen(repo()).args([
        "validate",
        "--allow",
        "SG305",
        "tests/inputs/err_classic_modern_options.yaml",
    ]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("`SG305` is an error"));
    let invalid = run(stackgen(repo()).args([
        "validate",
        "--allow",
        "SG901",
        "tests/inputs/err_classic_modern_options.yaml",
    ]));
    assert_eq!(invalid.status.code(), Some(2));
    let stderr = text(&invalid.stderr);
    assert!(stderr.contains("error[SG305]"), "{stderr}");
    assert!(!stderr.contains("SG901"), "{stderr}");
    let bad = run(stackgen(repo()).args(["validate", "--allow", "901", "examples/jk-12345.yaml"]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("is not a diagnostic code"));
}

/// SG901 comes once for a whole classic class, not once per student.
#[test]
fn a_classic_class_warns_once() {
    let out = run(stackgen(repo()).args(["validate", "examples/class.yaml"]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr).matches("warning[SG901]").count(),
        1,
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn verbose_is_explained_where_it_exists_and_absent_elsewhere() {
    let help = |args: &[&str]| text(&run(stackgen(repo()).args(args).arg("--help")).stdout);
    assert!(help(&["render"]).contains("Also list every file written or removed"));
    assert!(help(&["validate"]).contains("Also list every student checked"));
    for command in ["review", "plan", "schema", "init", "completions", "man"] {
        assert!(!help(&[command]).contains("--verbose"), "{command}");
    }
    let out = run(stackgen(repo()).args(["-q", "validate", "-v", "examples/modern.yaml"]));
    assert_eq!(out.status.code(), Some(2));
}
