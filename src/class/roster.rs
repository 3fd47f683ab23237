//! The roster CSV of a class: UTF-8, a header row, columns `name` and
//! `index_no`, optionally `initials` and `account_id`, in any order.
//!
//! Index numbers and account ids are read as text, so leading zeros stay.
//! A problem names the CSV line, as a spreadsheet shows it.

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Location};

use super::Entry;

const REQUIRED: [&str; 2] = ["name", "index_no"];
const KNOWN: [&str; 4] = ["name", "index_no", "initials", "account_id"];

/// The entries of the rows that could be read, and a diagnostic for each
/// row (or header) that could not.
pub fn parse(file: &str, text: &str) -> (Vec<Entry>, Vec<Diagnostic>) {
    let at = |line: usize| {
        Some(Location {
            line: line.max(1),
            column: 1,
        })
    };
    let error = |code, field: String, line: usize, message: String, fix: &str| {
        let mut d = Diagnostic::new(code, field, message)
            .rule("the roster is UTF-8 CSV with a header row: `name`, `index_no`, optionally `initials` and `account_id`")
            .fix(fix)
            .at(at(line));
        d.file = Some(file.to_owned());
        d
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            let d = error(
                Code::SG504,
                "roster".into(),
                1,
                format!("cannot read the header: {e}"),
                "save the roster as UTF-8 CSV",
            );
            return (Vec::new(), vec![d]);
        }
    };
    let mut found = check_header(&header, &error);
    if !found.is_empty() {
        return (Vec::new(), found);
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut entries = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(i + 2, |p| usize::try_from(p.line()).unwrap_or(i + 2));
                found.push(error(
                    Code::SG504,
                    format!("roster[{i}]"),
                    line,
                    format!("row cannot be read: {e}"),
                    "give every row as many fields as the header",
                ));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(i + 2, |p| usize::try_from(p.line()).unwrap_or(i + 2));
        let get = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (Some(name), Some(index_no)) = (get("name"), get("index_no")) else {
            found.push(error(
                Code::SG504,
                format!("roster[{i}]"),
                line,
                "row lacks `name` or `index_no`".into(),
                "fill in both",
            ));
            continue;
        };
        entries.push(Entry {
            label: format!("roster[{i}]"),
            origin: Some((file.to_owned(), line)),
            name,
            index_no,
            initials: get("initials"),
            account_id: get("account_id"),
            region: None,
            environment: None,
        });
    }
    (entries, found)
}

/// Unknown and missing columns of the header row.
fn check_header(
    header: &[String],
    error: &dyn Fn(Code, String, usize, String, &str) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for column in header {
        if !KNOWN.contains(&column.as_str()) {
            let near = crate::suggest::closest(column, KNOWN);
            found.push(error(
                Code::SG504,
                format!("roster.{column}"),
                1,
                format!("unknown column `{column}`"),
                &near.map_or_else(
                    || format!("use only the columns {}", KNOWN.join(", ")),
                    |n| format!("did you mean `{n}`?"),
                ),
            ));
        }
    }
    for column in REQUIRED {
        if !header.iter().any(|h| h == column) {
            found.push(error(
                Code::SG504,
                format!("roster.{column}"),
                1,
                format!("the header has no `{column}` column"),
                "add the column",
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_keeping_leading_zeros() {
        let csv = "index_no,name,account_id\n00123,Łukasz Żak,012345678901\n124,Anna Nowak,\n";
        let (entries, errors) = parse("s.csv", csv);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].index_no, "00123");
        assert_eq!(entries[0].account_id.as_deref(), Some("012345678901"));
        assert_eq!(entries[0].origin, Some(("s.csv".to_owned(), 2)));
        assert_eq!(entries[1].account_id, None);
        assert_eq!(entries[1].initials, None);
    }

    #[test]
    fn reports_header_and_row_problems() {
        let (_, errors) = parse("s.csv", "nmae,index_no\nJan,1\n");
        let fields: Vec<&str> = errors.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["roster.nmae", "roster.name"]);
        assert_eq!(errors[0].fix, "did you mean `name`?");
        let (entries, errors) = parse("s.csv", "name,index_no\nJan,1\n,2\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(errors[0].location.map(|l| l.line), Some(3));
    }
}
