//! Every example renders to its reviewed snapshot, file by file, and every
//! bad input in `tests/inputs/err_*.yaml` is rejected with its reviewed
//! diagnostics. Adding a case means adding a file; `cargo insta review`
//! shows what changed.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use stackgen::input::load::Source;

fn yaml_files(dir: &str, prefix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().unwrap().to_string_lossy().starts_with(prefix)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {prefix}*.yaml in {}", dir.display());
    files
}

fn is_class(path: &Path) -> bool {
    let source = Source::read(path).unwrap();
    stackgen::input::load::kind(&source).unwrap() == stackgen::input::load::Kind::Class
}

fn student_examples() -> Vec<PathBuf> {
    yaml_files("examples", "")
        .into_iter()
        .filter(|p| !is_class(p))
        .collect()
}

fn class_examples() -> Vec<PathBuf> {
    yaml_files("examples", "")
        .into_iter()
        .filter(|p| is_class(p))
        .collect()
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// Renders a valid example, failing the test with the diagnostics if it is not.
fn render(path: &Path) -> stackgen::output::emit::Files {
    let source = Source::read(path).unwrap();
    let checked = match stackgen::check(&source) {
        Ok(c) => c,
        Err(stackgen::RenderError::Invalid(found)) => {
            let text: Vec<String> = found.iter().map(|d| source.render(d)).collect();
            panic!("{} is invalid:\n{}", path.display(), text.join("\n"));
        }
        Err(e) => panic!("{e}"),
    };
    stackgen::render(&checked.spec, &file_name(path)).unwrap()
}

#[test]
fn examples_render_to_their_snapshots() {
    settings().bind(|| {
        for path in student_examples() {
            let files = render(&path);
            for (name, bytes) in &files {
                if Path::new(name).extension().is_some_and(|e| e == "zip") {
                    continue; // checked by lambda_zips_hold_the_sources
                }
                let text = String::from_utf8(bytes.clone()).unwrap();
                let snapshot = format!("{}__{}", stem(&path), name.replace('/', "_"));
                insta::assert_snapshot!(snapshot, text);
            }
            let listing: Vec<&str> = files.keys().map(String::as_str).collect();
            insta::assert_snapshot!(format!("{}__files", stem(&path)), listing.join("\n"));
        }
    });
}

#[test]
fn rendering_is_deterministic() {
    for path in student_examples() {
        assert_eq!(render(&path), render(&path), "{}", path.display());
    }
}

#[test]
fn lambda_zips_hold_the_sources() {
    let files = render(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/jk-12345.yaml"));
    for (zip, entry, source) in [
        (
            "lambda/etl_function.zip",
            "lambda_definition.py",
            stackgen::output::package::ETL_SOURCE,
        ),
        (
            "lambda/alert_function.zip",
            "alert_function.py",
            stackgen::output::package::ALERT_SOURCE,
        ),
    ] {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(files[zip].clone())).unwrap();
        assert_eq!(archive.len(), 1, "{zip}");
        let mut text = String::new();
        archive
            .by_name(entry)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, source, "{zip}");
    }
}

#[test]
fn bad_inputs_are_rejected_with_their_diagnostics() {
    settings().bind(|| {
        for path in yaml_files("tests/inputs", "err_") {
            let text = fs::read_to_string(&path).unwrap();
            let source = Source::new(file_name(&path), text);
            let report = match stackgen::check(&source) {
                Err(stackgen::RenderError::Invalid(found)) => {
                    assert!(
                        found
                            .iter()
                            .any(stackgen::base::diagnostic::Diagnostic::is_error),
                        "{}",
                        path.display()
                    );
                    found
                        .iter()
                        .map(|d| source.render(d))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
                Ok(_) => panic!("{} was accepted", path.display()),
                Err(e) => panic!("{}: {e}", path.display()),
            };
            insta::assert_snapshot!(stem(&path), report);
        }
    });
}

fn render_class(path: &Path) -> stackgen::output::emit::Files {
    let source = Source::read(path).unwrap();
    let (class, roster) = stackgen::check_class(&source, path.parent().unwrap());
    let class = match class {
        Ok(c) => c,
        Err(stackgen::RenderError::Invalid(found)) => {
            let mut sources = vec![source];
            sources.extend(roster);
            let text: Vec<String> = found
                .iter()
                .map(|d| stackgen::input::load::render_in(&sources, d))
                .collect();
            panic!("{} is invalid:\n{}", path.display(), text.join("\n"));
        }
        Err(e) => panic!("{e}"),
    };
    stackgen::render_class(&class, &file_name(path), &|| {}).unwrap()
}

#[test]
fn class_examples_render_summaries_to_their_snapshots() {
    settings().bind(|| {
        let classes = class_examples();
        assert!(classes.len() >= 2, "{classes:?}");
        for path in classes {
            let files = render_class(&path);
            for summary in ["class-summary.md", "class-summary.csv", "README.md"] {
                let text = String::from_utf8(files[summary].clone()).unwrap();
                insta::assert_snapshot!(format!("{}__{summary}", stem(&path)), text);
            }
            let dirs: std::collections::BTreeSet<&str> = files
                .keys()
                .filter_map(|p| p.split_once('/'))
                .map(|(d, _)| d)
                .collect();
            let listing: Vec<&str> = dirs.into_iter().collect();
            insta::assert_snapshot!(format!("{}__directories", stem(&path)), listing.join("\n"));
        }
    });
}

/// A student of a class gets exactly the stack the same student gets from a
/// student file (only the input's name in the headers differs).
#[test]
fn a_class_member_equals_the_same_student_rendered_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let class = render_class(&root.join("examples/class.yaml"));
    let alone = render(&root.join("examples/jk-12345.yaml"));
    assert!(!alone.is_empty());
    for (path, bytes) in &alone {
        let member = &class[&format!("12345-jk/{path}")];
        match String::from_utf8(member.clone()) {
            Ok(text) => {
                // A class member's README also names the student for
                // `stackgen replay`, which a class file needs.
                let text = text
                    .replace("class.yaml", "jk-12345.yaml")
                    .replace(" --student 12345", "");
                assert_eq!(text.as_bytes(), bytes.as_slice(), "{path}");
            }
            Err(_) => assert_eq!(member, bytes, "{path}"),
        }
    }
}

#[test]
fn bad_class_inputs_are_rejected_with_their_diagnostics() {
    settings().bind(|| {
        for path in yaml_files("tests/inputs", "class_err_") {
            let text = fs::read_to_string(&path).unwrap();
            let source = Source::new(file_name(&path), text);
            let (result, roster) = stackgen::check_class(&source, path.parent().unwrap());
            let mut sources = vec![source];
            sources.extend(roster);
            let report = match result {
                Err(stackgen::RenderError::Invalid(found)) => found
                    .iter()
                    .map(|d| stackgen::input::load::render_in(&sources, d))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Ok(_) => panic!("{} was accepted", path.display()),
                Err(e) => panic!("{}: {e}", path.display()),
            };
            insta::assert_snapshot!(stem(&path), report);
        }
    });
}

/// The code registry and the rule reference agree both ways: every code
/// has a `### CODE title` section with the registry's title, and every
/// section names a registered code.
#[test]
fn every_diagnostic_code_is_documented() {
    use stackgen::base::codes::Code;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = fs::read_to_string(root.join("docs/src/reference/rules.md")).unwrap();
    let headings: Vec<&str> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .collect();
    for code in Code::ALL {
        let heading = format!("{} {}", code.id(), code.title());
        assert!(
            headings.contains(&heading.as_str()),
            "docs/src/reference/rules.md lacks the section `### {heading}`"
        );
    }
    for heading in &headings {
        let id = heading.split(' ').next().unwrap_or_default();
        assert!(
            Code::parse(id).is_some(),
            "docs/src/reference/rules.md documents `{id}`, which src/codes.rs does not register"
        );
    }
}

/// The IAM review of every example: a policy change shows up here as a
/// reviewed diff, in the words an instructor reads.
#[test]
fn every_example_has_a_reviewed_iam_review() {
    settings().bind(|| {
        for path in student_examples() {
            let source = Source::read(&path).unwrap();
            let checked = stackgen::check(&source).unwrap();
            let review = stackgen::review_iam(&checked.spec, &file_name(&path)).unwrap();
            insta::assert_snapshot!(
                format!("review__{}", stem(&path)),
                stackgen::review::report::text(&review)
            );
            if stem(&path) == "jk-12345" {
                insta::assert_snapshot!(
                    "review__jk-12345_markdown",
                    stackgen::review::report::markdown(&review)
                );
            }
            let worst = review.worst();
            match checked.spec.policy_style {
                stackgen::base::model::PolicyStyle::LeastPrivilege => {
                    assert_eq!(
                        worst,
                        None,
                        "{}: least privilege has findings",
                        path.display()
                    );
                }
                stackgen::base::model::PolicyStyle::Lab => {
                    assert_eq!(
                        worst,
                        Some(stackgen::review::Severity::Error),
                        "{}",
                        path.display()
                    );
                }
            }
        }
    });
}
