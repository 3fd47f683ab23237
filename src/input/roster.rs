//! The roster CSV of a class, as university systems and spreadsheets
//! export it.
//!
//! - Separator: `,`, `;` (Excel under a Polish locale) or a tab, whichever
//!   the header row uses most.
//! - Encoding: UTF-8, with or without a byte order mark, or Windows-1250
//!   (Polish Excel's "CSV"), detected because it is not valid UTF-8 and
//!   decoded with `encoding_rs`; a note says so.
//! - Header: matched ignoring case, spaces and Polish letters, with
//!   aliases (`Imię i nazwisko`, `Numer albumu`, `Nr indeksu`, `Index No`,
//!   ...). The name is one column, or first and last name in two. Other
//!   columns (`email`, `Grupa`) are ignored, listed in one note.
//!
//! Index numbers and account ids are read as text, so leading zeros stay.
//! A problem names the CSV line as a spreadsheet numbers it (the header is
//! line 1) and the column of the cell, and its advice speaks of cells and
//! columns, not YAML.

use crate::base::codes::Code;
use std::collections::BTreeMap;

use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::suggest;

use super::class::{Entry, Origin};

/// What a roster column can hold, and the header texts that name it, in
/// their folded form (see `fold`): lowercase ASCII, words joined by `_`.
const COLUMNS: [(&str, &[&str]); 8] = [
    (
        "name",
        &[
            "name",
            "full_name",
            "fullname",
            "student",
            "student_name",
            "imie_i_nazwisko",
            "imie_nazwisko",
            "imiona_i_nazwisko",
            "student_ka",
        ],
    ),
    (
        "first_name",
        &[
            "first_name",
            "firstname",
            "first",
            "given_name",
            "forename",
            "imie",
            "imiona",
        ],
    ),
    (
        "last_name",
        &[
            "last_name",
            "lastname",
            "last",
            "surname",
            "family_name",
            "nazwisko",
        ],
    ),
    (
        "index_no",
        &[
            "index_no",
            "index",
            "index_number",
            "indexno",
            "student_id",
            "student_no",
            "student_number",
            "album",
            "album_no",
            "album_number",
            "numer_albumu",
            "nr_albumu",
            "nr_indeksu",
            "numer_indeksu",
            "indeks",
        ],
    ),
    ("initials", &["initials", "inicjaly"]),
    (
        "account_id",
        &[
            "account_id",
            "account",
            "aws_account",
            "aws_account_id",
            "account_number",
            "konto",
            "konto_aws",
            "id_konta",
        ],
    ),
    ("region", &["region", "aws_region"]),
    ("environment", &["environment", "env", "srodowisko"]),
];

/// What the header says, once, for the rule line of every diagnostic.
const RULE: &str = "the roster is a CSV file (`,`, `;` or tab between cells; UTF-8 or Windows-1250) whose first line names the columns: the name (`name`, `Imię i nazwisko`, or `Imię` and `Nazwisko`) and the index number (`index_no`, `Numer albumu`, `Nr indeksu`), optionally `initials`, `account_id`, `region`, `environment`";

/// Decodes a roster file: UTF-8 (a byte order mark is dropped by
/// `Source::new`), or else Windows-1250, with a note saying so. Bytes that
/// are neither give an error naming the first line that is not UTF-8.
pub fn decode(file: &str, bytes: &[u8]) -> (String, Vec<Diagnostic>) {
    let invalid_at = match std::str::from_utf8(bytes) {
        Ok(text) => return (text.to_owned(), Vec::new()),
        Err(e) => e.valid_up_to(),
    };
    let line = bytes[..invalid_at].split(|b| *b == b'\n').count();
    let (text, _, _) = encoding_rs::WINDOWS_1250.decode(bytes);
    // Windows-1250 leaves five byte values undefined; encoding_rs maps them
    // to C1 control characters, which no name contains. Text that has them
    // is in some other encoding, and guessing further would garble names.
    let other = text
        .lines()
        .position(|l| l.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)));
    let mut d = match other {
        Some(bad) => Diagnostic::new(Code::SG504,
            "roster",
            format!("`{file}` is neither UTF-8 nor Windows-1250 (line {})", bad + 1),
        )
        .rule(RULE)
        .fix("save the roster as \"CSV UTF-8\" (Excel: File > Save As > CSV UTF-8)")
        .at(Some(Location {
            line: bad + 1,
            column: 1,
        })),
        None => Diagnostic::new(Code::SG506,
            "roster",
            format!("`{file}` is not UTF-8 (from line {line} on); read it as Windows-1250, the encoding of Polish Excel's CSV"),
        )
        .rule("rosters are read as UTF-8, and as Windows-1250 when they are not valid UTF-8")
        .fix("nothing to change if the names below look right; saving as \"CSV UTF-8\" removes the guess")
        .at(Some(Location { line, column: 1 })),
    };
    d.file = Some(file.to_owned());
    (text.into_owned(), vec![d])
}

/// The header text in the form the aliases are written in: ASCII
/// lowercase (Polish letters folded), runs of anything else as one `_`.
fn fold(header: &str) -> String {
    let mut out = String::new();
    for c in header.chars() {
        let ascii = if c.is_ascii() {
            c.to_string()
        } else {
            crate::base::translit::letter(c).unwrap_or("_").to_owned()
        };
        for a in ascii.chars() {
            if a.is_ascii_alphanumeric() {
                out.push(a.to_ascii_lowercase());
            } else if !out.ends_with('_') {
                out.push('_');
            }
        }
    }
    out.trim_matches('_').to_owned()
}

fn column_for(folded: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .find(|(_, aliases)| aliases.contains(&folded))
        .map(|(key, _)| *key)
}

/// The separator the header line uses most (outside quotes); `,` if it
/// uses none (a one-column file).
fn sniff(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in &mut counts {
                if *sep == b {
                    *n += 1;
                }
            }
        }
    }
    // `max_by_key` keeps the last of equal counts; ties go to `,`.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(sep, _)| *sep)
}

/// The 1-based character column where each cell of `line` starts (after
/// the spaces that are trimmed away), for carets under the right cell.
fn cell_columns(line: &str, sep: u8) -> Vec<usize> {
    let sep = char::from(sep);
    let chars: Vec<char> = line.chars().collect();
    let mut starts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in chars.iter().enumerate() {
        if *c == '"' {
            quoted = !quoted;
        } else if *c == sep && !quoted {
            starts.push(start);
            start = i + 1;
        }
    }
    starts.push(start);
    starts
        .into_iter()
        .map(|s| {
            let skip = chars[s..].iter().take_while(|c| **c == ' ').count();
            s + skip + 1
        })
        .collect()
}

/// The header, understood: which column holds what.
struct Header {
    /// Field key (`index_no`) -> column index.
    columns: BTreeMap<&'static str, usize>,
    /// Header texts as written, by column index.
    texts: Vec<String>,
}

/// The entries of the rows that could be read; a diagnostic for each row
/// or header problem; and notes (encoding is `decode`'s, ignored columns
/// are here).
pub fn parse(file: &str, text: &str) -> (Vec<Entry>, Vec<Diagnostic>) {
    let sep = sniff(text);
    let lines: Vec<&str> = text.lines().collect();
    // Where every line ends, so a record's line is a binary search, not a
    // count from the top (which made a large roster quadratic).
    let newlines: Vec<usize> = memchr_newlines(text);
    let at = |line: usize, column: usize| Some(Location { line, column });
    let in_file = |mut d: Diagnostic| {
        d.file = Some(file.to_owned());
        d
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let texts: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            let d = Diagnostic::new(
                Code::SG504,
                "roster",
                format!("cannot read the header: {e}"),
            )
            .rule(RULE)
            .fix("make the first line the column names, separated like the rows")
            .at(at(1, 1));
            return (Vec::new(), vec![in_file(d)]);
        }
    };
    let header_cols = cell_columns(lines.first().copied().unwrap_or(""), sep);
    let header_at = |i: usize| at(1, header_cols.get(i).copied().unwrap_or(1));
    let (header, mut found) = understand(texts, &header_at);
    let Some(header) = header else {
        return (Vec::new(), found.into_iter().map(in_file).collect());
    };

    let mut entries = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => match row(file, (text, &newlines), &lines, sep, &header, &record) {
                Ok(entry) => entries.push(entry),
                Err(d) => found.push(*d),
            },
            Err(e) => {
                let line = e.position().map_or(1, |p| line_of(text, &newlines, p));
                found.push(
                    Diagnostic::new(
                        Code::SG504,
                        format!("line {line}"),
                        format!("line {line} cannot be read: {e}"),
                    )
                    .rule(RULE)
                    .fix("close the double quote that opens a cell on this line")
                    .at(at(line, 1)),
                );
            }
        }
    }
    (entries, found.into_iter().map(in_file).collect())
}

/// One data row as an entry, or the diagnostic that says why it is not.
fn row(
    file: &str,
    (text, newlines): (&str, &[usize]),
    lines: &[&str],
    sep: u8,
    header: &Header,
    record: &csv::StringRecord,
) -> Result<Entry, Box<Diagnostic>> {
    let at = |line: usize, column: usize| Some(Location { line, column });
    let line = record.position().map_or(1, |p| line_of(text, newlines, p));
    let cols = cell_columns(lines.get(line - 1).copied().unwrap_or(""), sep);
    let col_at = |i: usize| cols.get(i).copied().unwrap_or(1);
    if record.len() > header.texts.len() {
        let extra = header.texts.len();
        return Err(Box::new(Diagnostic::new(Code::SG504,
                format!("line {line}"),
                format!(
                    "line {line} has {} cells, the header {}",
                    record.len(),
                    header.texts.len()
                ),
            )
            .rule("a row has no more cells than the header has columns")
            .fix(format!(
                "a value that contains `{}` must be in double quotes (`\"Kowalska, Anna\"`), or the cell is split in two",
                char::from(sep)
            ))
            .at(at(line, col_at(extra)))));
    }
    let get = |key: &str| {
        header
            .columns
            .get(key)
            .and_then(|&c| record.get(c))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let name = get("name").or_else(|| match (get("first_name"), get("last_name")) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        _ => None,
    });
    let index_no = get("index_no");
    let mut cells = BTreeMap::new();
    for (&key, &c) in &header.columns {
        cells.insert(key.to_owned(), (header.texts[c].clone(), col_at(c)));
    }
    let (Some(name), Some(index_no)) = (name, index_no) else {
        // Point at the first empty cell that is needed.
        let needed: &[&str] = if header.columns.contains_key("name") {
            &["name", "index_no"]
        } else {
            &["first_name", "last_name", "index_no"]
        };
        let empty = needed.iter().find(|k| get(k).is_none()).copied();
        let (what, column) = match empty.and_then(|k| header.columns.get(k)) {
            Some(&c) => (header.texts[c].clone(), col_at(c)),
            None => (String::new(), 1),
        };
        return Err(Box::new(
            Diagnostic::new(
                Code::SG504,
                format!("column `{what}`"),
                format!("line {line} has an empty `{what}` cell"),
            )
            .rule("every row gives the student's name and index number")
            .fix("fill in the cell, or delete the line if the student is not in the class")
            .at(at(line, column)),
        ));
    };
    Ok(Entry {
        label: format!("{file} line {line}"),
        origin: Some(Origin {
            file: file.to_owned(),
            line,
            cells,
        }),
        name,
        index_no,
        initials: get("initials"),
        account_id: get("account_id"),
        region: get("region"),
        environment: get("environment"),
    })
}

/// The 1-based file line a record starts on, counted from its byte
/// offset: the reader's own line count is off by one on CRLF files
/// (everything Excel writes), and so is its offset, by the `\n`.
/// The byte offsets of every `\n` in `text`, in order.
fn memchr_newlines(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect()
}

/// The 1-based line of `position`; `newlines` is `memchr_newlines(text)`.
fn line_of(text: &str, newlines: &[usize], position: &csv::Position) -> usize {
    let bytes = text.as_bytes();
    let mut byte = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    // On CRLF the reader ends a record at `\r` and starts the next one at
    // the `\n` that follows it.
    while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
        byte += 1;
    }
    // The lines before `byte` end at the newlines before it.
    newlines.partition_point(|&n| n < byte) + 1
}

/// Maps the header's columns to fields. `None` when a needed column is
/// missing or a field is given twice; the diagnostics say which.
fn understand(
    texts: Vec<String>,
    at: &dyn Fn(usize) -> Option<Location>,
) -> (Option<Header>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut columns: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut extra = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        match column_for(&fold(text)) {
            Some(key) => {
                if let Some(&first) = columns.get(key) {
                    found.push(
                        Diagnostic::new(
                            Code::SG504,
                            format!("column `{text}`"),
                            format!(
                                "columns `{}` and `{text}` both hold the {}",
                                texts[first],
                                key.replace('_', " ")
                            ),
                        )
                        .rule(RULE)
                        .fix("delete or rename one of the two columns")
                        .at(at(i)),
                    );
                } else {
                    columns.insert(key, i);
                }
            }
            None => extra.push(i),
        }
    }
    // A name column, or both halves of the name, and the index number.
    let mut missing: Vec<(&str, &str)> = Vec::new();
    if !columns.contains_key("name") {
        match (
            columns.contains_key("first_name"),
            columns.contains_key("last_name"),
        ) {
            (true, true) => {}
            (true, false) => missing.push((
                "last_name",
                "last-name column (`Nazwisko`, `last_name`) beside the first name",
            )),
            (false, true) => missing.push((
                "first_name",
                "first-name column (`Imię`, `first_name`) beside the last name",
            )),
            (false, false) => missing.push((
                "name",
                "name column (`name`, `Imię i nazwisko`, or `Imię` and `Nazwisko`)",
            )),
        }
    }
    if !columns.contains_key("index_no") {
        missing.push((
            "index_no",
            "index-number column (`index_no`, `Numer albumu`, `Nr indeksu`)",
        ));
    }
    for (key, what) in &missing {
        // A misspelt header is the likeliest cause: find the ignored column
        // closest to one of the field's names.
        let aliases = COLUMNS
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[][..], |(_, a)| *a);
        let near = extra.iter().find_map(|&i| {
            suggest::closest(&fold(&texts[i]), aliases.iter().copied()).map(|a| (i, a))
        });
        let d =
            Diagnostic::new(Code::SG504, "roster", format!("the header has no {what}")).rule(RULE);
        found.push(match near {
            Some((i, alias)) => d
                .fix(format!(
                    "did you mean `{alias}`? Rename the column `{}`",
                    texts[i]
                ))
                .at(at(i)),
            None => d
                .fix("add the column to the first line, or rename the column that holds it")
                .at(at(0)),
        });
    }
    if !found.is_empty() {
        return (None, found);
    }
    if !extra.is_empty() {
        found.push(ignored(&texts, &extra, at));
    }
    (Some(Header { columns, texts }), found)
}

/// SG507: one note for every column stackgen does not read.
fn ignored(
    texts: &[String],
    extra: &[usize],
    at: &dyn Fn(usize) -> Option<Location>,
) -> Diagnostic {
    let list: Vec<String> = extra.iter().map(|&i| format!("`{}`", texts[i])).collect();
    Diagnostic::new(Code::SG507,
        "roster",
        if extra.len() == 1 {
            format!("ignored column {}: stackgen does not use it", list[0])
        } else {
            format!("ignored columns {}: stackgen does not use them", list.join(", "))
        },
    )
    .rule("stackgen reads the name, index number, initials, account id, region and environment columns, under their English or Polish names, and no others")
    .fix("nothing to change; rename a column if it holds one of those")
    .at(at(extra[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_keeping_leading_zeros() {
        let csv = "index_no,name,account_id\n00123,Łukasz Żak,012345678901\n124,Anna Nowak,\n";
        let (entries, found) = parse("s.csv", csv);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].index_no, "00123");
        assert_eq!(entries[0].account_id.as_deref(), Some("012345678901"));
        assert_eq!(entries[0].origin.as_ref().map(|o| o.line), Some(2));
        assert_eq!(entries[1].account_id, None);
        assert_eq!(entries[1].initials, None);
    }

    #[test]
    fn headers_fold_case_and_polish_letters() {
        assert_eq!(fold("Imię i nazwisko"), "imie_i_nazwisko");
        assert_eq!(fold(" Nr. albumu "), "nr_albumu");
        assert_eq!(fold("Index_No"), "index_no");
        assert_eq!(column_for(&fold("NUMER ALBUMU")), Some("index_no"));
        assert_eq!(column_for(&fold("Inicjały")), Some("initials"));
        assert_eq!(column_for(&fold("e-mail")), None);
    }

    #[test]
    fn title_case_headers_and_extra_columns_are_no_errors() {
        let (entries, found) = parse(
            "s.csv",
            "Name,Index_No,email\nJan Kowalski,12345,jan@example.edu\n",
        );
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].index_no, "12345");
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::SG507]);
        assert!(!found[0].is_error());
    }

    #[test]
    fn the_separator_is_the_one_the_header_uses() {
        assert_eq!(sniff("a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff("a\tb\n"), b'\t');
        assert_eq!(sniff("\"x;y\",b\n"), b',');
        assert_eq!(sniff("name\n"), b',');
    }

    #[test]
    fn cells_start_where_a_spreadsheet_shows_them() {
        assert_eq!(cell_columns("Jan Kowalski;12345;jk", b';'), [1, 14, 20]);
        assert_eq!(cell_columns("\"Nowak, Anna\", 1,", b','), [1, 16, 18]);
    }

    #[test]
    fn first_and_last_name_columns_make_the_name() {
        let (entries, found) = parse(
            "s.csv",
            "Nazwisko;Imię;Nr albumu;E-mail\nŻak;Łukasz;48001;lz@example.edu\n",
        );
        assert_eq!(entries[0].name, "Łukasz Żak");
        assert_eq!(entries[0].index_no, "48001");
        let notes: Vec<_> = found.iter().map(|d| (d.code, d.message.as_str())).collect();
        assert_eq!(
            notes,
            [(
                Code::SG507,
                "ignored column `E-mail`: stackgen does not use it"
            )]
        );
    }

    #[test]
    fn header_problems_name_the_column() {
        let (_, found) = parse("s.csv", "nmae,index_no\nJan,1\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].fix,
            "did you mean `name`? Rename the column `nmae`"
        );
        assert_eq!(found[0].location, Some(Location { line: 1, column: 1 }));
        let (_, found) = parse("s.csv", "Imię,Nr albumu\nJan,1\n");
        assert!(
            found[0].message.contains("last-name column"),
            "{}",
            found[0].message
        );
        let (_, found) = parse("s.csv", "name,index,Nr albumu\n");
        assert_eq!(
            found[0].location,
            Some(Location {
                line: 1,
                column: 12
            })
        );
    }

    #[test]
    fn lines_are_counted_alike_with_crlf() {
        let (entries, found) = parse("s.csv", "name;index_no\r\nJan;1\r\n;2\r\n");
        assert_eq!(entries[0].origin.as_ref().map(|o| o.line), Some(2));
        assert_eq!(found[0].location.map(|l| l.line), Some(3));
    }

    #[test]
    fn row_problems_point_at_line_and_cell() {
        let (entries, found) = parse(
            "s.csv",
            "name;index_no;initials\nJan;1;jk\nAnna Nowak;;an\n",
        );
        assert_eq!(entries.len(), 1);
        assert_eq!(
            found[0].location,
            Some(Location {
                line: 3,
                column: 12
            })
        );
        assert_eq!(found[0].message, "line 3 has an empty `index_no` cell");
        let (_, found) = parse("s.csv", "name,index_no\nKowalska, Anna,7\n");
        assert_eq!(
            found[0].location,
            Some(Location {
                line: 2,
                column: 16
            })
        );
        assert!(found[0].fix.contains("double quotes"), "{}", found[0].fix);
    }

    #[test]
    fn windows_1250_is_detected_and_decoded() {
        // "Łukasz Żak" in Windows-1250: Ł = 0xA3, Ż = 0xAF.
        let bytes = b"name,index_no\n\xa3ukasz \xafak,1\n";
        let (text, found) = decode("s.csv", bytes);
        assert_eq!(text, "name,index_no\nŁukasz Żak,1\n");
        assert_eq!(found[0].code, Code::SG506);
        assert_eq!(found[0].location, Some(Location { line: 2, column: 1 }));
        let (text, found) = decode("s.csv", "name\nŻak\n".as_bytes());
        assert_eq!(text, "name\nŻak\n");
        assert!(found.is_empty());
        // 0x98 is undefined in Windows-1250: some other encoding.
        let (_, found) = decode("s.csv", b"name\n\x98\n");
        assert!(found[0].is_error());
    }
}
