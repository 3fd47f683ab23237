//! The class summary: prices per region and the CSV for Polish Excel,
//! read back with a real CSV reader the way a spreadsheet reads it.

use std::path::Path;

use stackgen::input::load::Source;
use stackgen::output::summary::{self, CsvStyle};

fn class_from(name: &str, text: &str) -> stackgen::validate::class::Class {
    let source = Source::new(name, text);
    let (class, _) = stackgen::check_class(&source, Path::new("."));
    match class {
        Ok(c) => c,
        Err(stackgen::RenderError::Invalid(found)) => {
            let text: Vec<String> = found.iter().map(|d| d.message.clone()).collect();
            panic!("invalid: {text:?}");
        }
        Err(e) => panic!("{e}"),
    }
}

/// Two classic students in us-east-1, one in a region whose prices are
/// not in `stack::PRICES`, with a Polish name to survive the encoding.
const CLASS: &str = "\
course: uam-cloud-2026
target: classic
defaults:
  account_id: \"100603781557\"
students:
  - { name: Jan Kowalski, initials: jk, index_no: \"12345\" }
  - { name: Łukasz Żak, initials: lz, index_no: \"12346\" }
  - { name: Anna Nowak, initials: an, index_no: \"12347\", region: eu-central-1 }
";

/// A cost cell as a Polish spreadsheet reads it: `0,1300`.
fn polish_number(cell: &str) -> i64 {
    let (whole, frac) = cell.split_once(',').expect("a decimal comma");
    assert_eq!(frac.len(), 4, "{cell}");
    whole.parse::<i64>().unwrap() * 10_000 + frac.parse::<i64>().unwrap()
}

#[test]
fn excel_csv_has_a_bom_semicolons_and_decimal_commas_and_adds_up() {
    let class = class_from("class.yaml", CLASS);
    let text = summary::csv_in(&class, CsvStyle::Excel);
    let body = text
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte order mark");
    assert!(body.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "directory");
    let cost = header.iter().position(|h| h == "usd_per_hour").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "three students and the total");
    assert!(rows.iter().any(|r| &r[1] == "Łukasz Żak"));
    let known: Vec<i64> = rows[..3]
        .iter()
        .filter(|r| !r[cost].is_empty())
        .map(|r| polish_number(&r[cost]))
        .collect();
    // The eu-central-1 student's cost is unknown: an empty cell, not a
    // us-east-1 figure.
    assert_eq!(known.len(), 2);
    let eu = rows.iter().find(|r| &r[3] == "eu-central-1").unwrap();
    assert_eq!(&eu[cost], "");
    let total = &rows[3];
    assert_eq!(&total[0], "TOTAL");
    assert_eq!(polish_number(&total[cost]), known.iter().sum::<i64>());
    assert!(total[2].contains("1 without known prices"), "{total:?}");
}

#[test]
fn standard_csv_is_unchanged_in_form() {
    let class = class_from("class.yaml", CLASS);
    let text = summary::csv(&class);
    assert!(!text.starts_with('\u{feff}'));
    assert!(!text.contains('\r'));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // A classic us-east-1 stack: 0.015 + 0.11 + Firehose unpaced (20 records/s).
    assert_eq!(&rows[0][10], "0.1350");
    assert_eq!(&rows[3][10], "0.2700");
}

#[test]
fn markdown_says_which_prices_it_used_and_which_it_did_not_know() {
    let class = class_from("class.yaml", CLASS);
    let text = summary::markdown(&class, "class.yaml");
    assert!(text.contains("| unknown |"), "{text}");
    assert!(
        text.contains("leaves out 1 student in regions whose prices"),
        "{text}"
    );
    assert!(
        text.contains("us-east-1 list prices as of 2026-11"),
        "{text}"
    );
    assert!(
        text.contains("eu-central-1: no list prices known"),
        "{text}"
    );
    assert!(text.contains("**Class total: $0.2700 per hour**"), "{text}");
}

#[test]
fn the_cost_basis_says_when_a_price_is_borrowed() {
    let class = class_from("class.yaml", CLASS);
    let eu = class
        .members
        .iter()
        .find(|m| m.spec.region == "eu-central-1")
        .unwrap();
    let stack = stackgen::stack::Stack::new(&eu.spec, &eu.spec.edition());
    let bases: Vec<&str> = stack
        .parts
        .iter()
        .filter_map(|p| p.cost.as_ref())
        .map(|c| c.basis.as_str())
        .collect();
    assert!(!bases.is_empty());
    for basis in bases {
        assert!(
            basis.ends_with("(us-east-1 list price: none is known for eu-central-1)"),
            "{basis}"
        );
    }
}

#[test]
fn render_writes_the_excel_csv_when_asked() {
    let out = tempfile::tempdir().unwrap();
    let class = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/class.yaml");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_stackgen"))
        .args(["render", "-q", "--summary-csv", "excel", "-o"])
        .arg(out.path())
        .arg(&class)
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(out.path().join("class-summary.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}directory;student;".as_bytes()));
    // Without the option the CSV stays RFC 4180.
    let plain = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_stackgen"))
        .args(["render", "-q", "-o"])
        .arg(plain.path())
        .arg(&class)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(plain.path().join("class-summary.csv")).unwrap();
    assert!(text.starts_with("directory,student,"));
}
