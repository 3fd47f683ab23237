//! Rosters in the shapes Polish universities and spreadsheets export them,
//! each a real-looking file in `tests/rosters/` (written as bytes, so the
//! encodings and separators are exactly the exporting program's):
//!
//! - `usos-excel-1250.csv`: a USOS export saved by Polish Excel: `;`,
//!   Windows-1250, CRLF, `Nazwisko;Imię;Numer albumu`, and `E-mail` and
//!   `Grupa` columns; two students share the initials `jk`.
//! - `excel-utf8-bom.csv`: the same saved as "CSV UTF-8": a byte order mark.
//! - `sheets-comma.csv`: `,`, UTF-8, English headers in title case
//!   (`Full Name,Index No,Initials,Account ID`), initials left empty.
//! - `pasted-tab.csv`: tab-separated, `Imię i nazwisko` and `Nr indeksu`.

use std::path::{Path, PathBuf};

use stackgen::base::diagnostic::Severity;
use stackgen::input::load::{render_in, Source};
use stackgen::validate::class::Class;

fn roster_class(name: &str) -> (Class, Vec<Source>) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rosters")
        .join(format!("{name}.yaml"));
    let source = Source::read(&path).unwrap();
    let (result, roster) = stackgen::check_class(&source, path.parent().unwrap());
    let mut sources = vec![source];
    sources.extend(roster);
    match result {
        Ok(class) => (class, sources),
        Err(stackgen::RenderError::Invalid(found)) => {
            let text: Vec<String> = found.iter().map(|d| render_in(&sources, d)).collect();
            panic!("{name} is invalid:\n{}", text.join("\n"));
        }
        Err(e) => panic!("{e}"),
    }
}

/// Who the class holds, one line per student, and what was said about it.
fn report(class: &Class, sources: &[Source]) -> String {
    let mut out: Vec<String> = class
        .members
        .iter()
        .map(|m| {
            format!(
                "{}  {} | {} | {}",
                m.dir, m.spec.student.name, m.spec.account_id, m.label
            )
        })
        .collect();
    out.push(String::new());
    out.extend(class.warnings.iter().map(|d| render_in(sources, d)));
    out.join("\n")
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn every_shape_reads_to_its_reviewed_class() {
    settings().bind(|| {
        for name in [
            "usos-excel-1250",
            "excel-utf8-bom",
            "sheets-comma",
            "pasted-tab",
        ] {
            let (class, sources) = roster_class(name);
            insta::assert_snapshot!(format!("roster__{name}"), report(&class, &sources));
        }
    });
}

#[test]
fn windows_1250_and_utf8_give_the_same_students_and_only_1250_gets_a_note() {
    let (cp1250, _) = roster_class("usos-excel-1250");
    let (utf8, _) = roster_class("excel-utf8-bom");
    let people = |c: &Class| -> Vec<(String, String, String)> {
        c.members
            .iter()
            .map(|m| {
                (
                    m.spec.student.name.clone(),
                    m.spec.student.index_no.clone(),
                    m.spec.student.initials.clone(),
                )
            })
            .collect()
    };
    assert_eq!(people(&cp1250), people(&utf8));
    assert_eq!(people(&cp1250)[3].0, "Małgorzata Wójcik-Świątek");
    let codes = |c: &Class| -> Vec<&str> { c.warnings.iter().map(|d| d.code.id()).collect() };
    assert!(codes(&cp1250).contains(&"SG506"), "{:?}", codes(&cp1250));
    assert!(!codes(&utf8).contains(&"SG506"), "{:?}", codes(&utf8));
    for class in [&cp1250, &utf8] {
        // One note for both ignored columns, one for the second `jk`.
        let notes: Vec<&str> = codes(class)
            .into_iter()
            .filter(|c| *c == "SG507" || *c == "SG604")
            .collect();
        assert_eq!(notes, ["SG507", "SG604"]);
        assert!(class.warnings.iter().all(|d| d.severity == Severity::Note));
    }
}

#[test]
fn initials_come_from_split_and_full_names_alike() {
    for name in ["usos-excel-1250", "sheets-comma", "pasted-tab"] {
        let (class, _) = roster_class(name);
        let first = &class.members[0].spec.student;
        assert_eq!(
            (first.name.as_str(), first.initials.as_str()),
            ("Łukasz Żak", "lz"),
            "{name}"
        );
    }
}
