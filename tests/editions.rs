//! Editions an instructor writes: a student file naming an edition file
//! beside it renders with that edition's names and parts; a broken edition
//! file is explained (SG702), and an unknown edition name gets "did you
//! mean" (SG701). The built-in editions' own checks are unit tests in
//! `src/stack/edition.rs`.

use std::path::Path;

use stackgen::base::codes::Code;
use stackgen::input::load::Source;

fn load(path: &str) -> Result<stackgen::Checked, stackgen::RenderError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut source = Source::read(&path).unwrap();
    source.name = path.to_string_lossy().into_owned();
    stackgen::check(&source)
}

#[test]
fn an_instructors_edition_file_decides_names_and_parts() {
    let checked = load("tests/editions/student.yaml").unwrap_or_else(|e| panic!("{e:?}"));
    let stack = stackgen::stack::Stack::new(&checked.spec, &checked.spec.edition());
    assert_eq!(stack.edition, "wmi-bigdata-2026");
    assert_eq!(
        stack.name("raw_bucket"),
        Some("bd26-raw-jk12345-100603781557")
    );
    assert_eq!(
        stack.name("processed_database"),
        Some("bd26_processed_jk12345_100603781557")
    );
    assert_eq!(
        stack.name("etl_parameter"),
        Some("/bd26/jk12345-100603781557/processed-bucket")
    );
    // No SQL application in this course, whatever the target would pick.
    assert!(!stack.has(stackgen::base::part::PartId::SqlAnalytics));
    let files = stackgen::render(&checked.spec, "student.yaml").unwrap();
    let lambda = String::from_utf8(files["lambda.tf"].clone()).unwrap();
    assert!(
        lambda.contains("\"bd26-etl-jk12345-100603781557\""),
        "{lambda}"
    );
}

#[test]
fn a_broken_edition_file_is_explained() {
    let Err(stackgen::RenderError::Invalid(found)) = load("tests/editions/student-broken.yaml")
    else {
        panic!("a broken edition must be rejected");
    };
    let text: Vec<String> = found.iter().map(|d| d.message.clone()).collect();
    assert!(found.iter().all(|d| d.code == Code::SG702), "{text:#?}");
    let all = text.join("\n");
    assert!(
        all.contains("either `bucket` or both `raw_bucket`"),
        "{all}"
    );
    assert!(all.contains("no pattern for `stream`"), "{all}");
    assert!(all.contains("`{sufix}`"), "{all}");
    assert!(found.iter().all(|d| d.location.is_some()), "{found:#?}");
}

#[test]
fn an_unknown_edition_gets_a_suggestion() {
    let source = Source::new(
        "s.yaml",
        "edition: uam-2052\nstudent: {name: J K, initials: jk, index_no: \"1\"}\naccount_id: \"100603781557\"\n",
    );
    let Err(stackgen::RenderError::Invalid(found)) = stackgen::check(&source) else {
        panic!("an unknown edition must be rejected");
    };
    assert_eq!(found[0].code, Code::SG701);
    assert_eq!(found[0].fix, "did you mean `uam-2025`?");
}

#[test]
fn an_instructors_edition_renders_every_checkpoint() {
    // The file lists bare part names: each takes the 2021 handout's
    // exercise, which must leave every checkpoint consistent.
    let checked = load("tests/editions/student.yaml").unwrap_or_else(|e| panic!("{e:?}"));
    let edition = checked.spec.edition();
    assert_eq!(
        edition.exercise(stackgen::base::part::PartId::Firehose),
        Some(2)
    );
    for n in 1..=edition.last_exercise() {
        let mut spec = checked.spec.clone();
        spec.through = Some(n);
        stackgen::render(&spec, "student.yaml").unwrap_or_else(|e| panic!("--through {n}: {e:?}"));
    }
}

#[test]
fn a_part_before_what_it_needs_is_explained() {
    let mut edition = stackgen::base::edition::Edition::built_in("uam-2021").unwrap();
    for p in &mut edition.parts {
        if p.part == stackgen::base::part::PartId::Firehose {
            p.exercise = 1;
        }
        if p.part == stackgen::base::part::PartId::Stream {
            p.exercise = 2;
        }
    }
    let problems = edition.problems().join("\n");
    assert!(
        problems.contains(
            "`firehose` comes in exercise 1, but it needs `stream`, which comes in exercise 2"
        ),
        "{problems}"
    );
}

#[test]
fn an_edition_without_a_reaper_cannot_expire() {
    let Err(stackgen::RenderError::Invalid(found)) = load("tests/editions/student-expiring.yaml")
    else {
        panic!("expire_after_hours without a reaper part must be rejected");
    };
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, Code::SG324);
    assert_eq!(found[0].field, "expire_after_hours");
    assert!(found[0].message.contains("wmi-bigdata-2026"), "{found:#?}");
    assert!(found[0].location.is_some());
    // The same student without the key is fine: the edition itself is.
    let checked = load("tests/editions/student.yaml").unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        !stackgen::stack::Stack::new(&checked.spec, &checked.spec.edition())
            .has(stackgen::base::part::PartId::Reaper)
    );
}
