//! A whole class graded from one directory: which entry is whose, the
//! class report (the fixed JSON contract) and the gradebook CSV.
//!
//! An entry of the directory is a student's when it is named as `render`
//! names stack directories (`<index_no>-<initials>`), or when its name
//! holds the student's index number as a whole token, the name split at
//! every character that is not a letter or a digit: `12345-jk`,
//! `lab-12345.json` and `jan_kowalski_12345` are student 12345's, and
//! `123456-ab` is not. Two entries for one student are an error that
//! names both; students without an entry are `missing`, entries that are
//! no student's `unmatched`: nobody is skipped in silence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::report::{Report, Student};
use crate::output::summary::CsvStyle;

/// Which entry is whose.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Matching {
    /// Per student (in class order), the index of its entry.
    pub entries: Vec<Option<usize>>,
    /// Entries that are no student's, by index.
    pub unmatched: Vec<usize>,
}

/// Two entries for one student.
#[derive(Debug, PartialEq, Eq)]
pub struct Twice {
    pub index_no: String,
    pub first: String,
    pub second: String,
}

/// Matches directory entries to students: `students` are (index number,
/// render's directory name) in class order, `entries` the names found.
pub fn match_entries(
    students: &[(&str, &str)],
    entries: &[String],
) -> Result<Matching, Vec<Twice>> {
    let mut matching = Matching {
        entries: vec![None; students.len()],
        unmatched: Vec::new(),
    };
    let mut twice = Vec::new();
    for (e, name) in entries.iter().enumerate() {
        let owner = students
            .iter()
            .position(|(_, dir)| *dir == name)
            .or_else(|| {
                let tokens: Vec<&str> = name
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|t| !t.is_empty())
                    .collect();
                let owners: Vec<usize> = students
                    .iter()
                    .enumerate()
                    .filter(|(_, (index, _))| tokens.contains(index))
                    .map(|(i, _)| i)
                    .collect();
                // A name holding two students' numbers is neither's.
                match owners.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            });
        match owner {
            Some(s) => match matching.entries[s] {
                Some(first) => twice.push(Twice {
                    index_no: students[s].0.to_owned(),
                    first: entries[first].clone(),
                    second: name.clone(),
                }),
                None => matching.entries[s] = Some(e),
            },
            None => matching.unmatched.push(e),
        }
    }
    if twice.is_empty() {
        Ok(matching)
    } else {
        Err(twice)
    }
}

/// `stackgen grade CLASS --format json`: a fixed contract.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    /// One part-1 report per student with an entry, in class order.
    pub students: Vec<Report>,
    /// Index numbers of students with no entry.
    pub missing: Vec<String>,
    /// Entries that are no student's.
    pub unmatched: Vec<String>,
    /// `grade --live`: students whose account the credentials do not
    /// reach, and why. Not failed: graded by someone who can reach them
    /// (often the student, with their own credentials).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<Unreachable>,
    /// Every student of the class, in class order (for the gradebook's
    /// rows of missing students).
    #[serde(skip)]
    pub roster: Vec<Student>,
    /// The exercises graded (1 to N).
    #[serde(skip)]
    pub through: u8,
}

/// A student `grade --live` could not read.
#[derive(Debug, Clone, Serialize)]
pub struct Unreachable {
    pub index_no: String,
    pub why: String,
}

impl ClassReport {
    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report is plain data");
        text.push('\n');
        text
    }

    fn report(&self, index_no: &str) -> Option<&Report> {
        self.students
            .iter()
            .find(|r| r.student.index_no == index_no)
    }

    /// One line per student, then who is missing and what matched no one.
    pub fn text(&self, source_dir: &str) -> String {
        let mut out = String::new();
        let graded = self.students.len();
        let _ = writeln!(
            out,
            "{graded} of {} students graded from `{source_dir}`, exercises 1 to {}",
            self.roster.len(),
            self.through
        );
        let _ = writeln!(out);
        for s in &self.roster {
            match self.report(&s.index_no) {
                Some(r) => {
                    let _ = write!(
                        out,
                        "  {:<10} {:<4} {:<28} {:>4}/{:<4} {:>5.1}%",
                        s.index_no,
                        s.initials,
                        s.name,
                        r.points,
                        r.max_points,
                        r.percent()
                    );
                    if r.unknown() > 0 {
                        let _ = write!(out, "  ({} unknown)", r.unknown());
                    }
                    let _ = writeln!(out);
                }
                None if self.unreachable.iter().any(|u| u.index_no == s.index_no) => {
                    let _ = writeln!(
                        out,
                        "  {:<10} {:<4} {:<28} not reachable with these credentials",
                        s.index_no, s.initials, s.name
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {:<10} {:<4} {:<28} missing: no entry",
                        s.index_no, s.initials, s.name
                    );
                }
            }
        }
        if !self.missing.is_empty() {
            let _ = writeln!(
                out,
                "\nmissing ({}): {}",
                self.missing.len(),
                self.missing.join(", ")
            );
        }
        if !self.unreachable.is_empty() {
            let _ = writeln!(
                out,
                "\nnot reachable with these credentials ({}):",
                self.unreachable.len()
            );
            for u in &self.unreachable {
                let _ = writeln!(out, "  {}: {}", u.index_no, u.why);
            }
        }
        if !self.unmatched.is_empty() {
            let _ = writeln!(
                out,
                "\nunmatched entries ({}), no student's: {}",
                self.unmatched.len(),
                self.unmatched.join(", ")
            );
        }
        out
    }

    /// The gradebook: one row per student of the class (a missing
    /// student's with no points), the points and maximum of each exercise,
    /// the total, its maximum and the percent. The class summary's CSV
    /// styles: standard, or what Excel under a Polish locale opens.
    pub fn gradebook(&self, style: CsvStyle) -> String {
        let (delimiter, terminator, bom) = match style {
            CsvStyle::Standard => (b',', csv::Terminator::Any(b'\n'), ""),
            CsvStyle::Excel => (b';', csv::Terminator::CRLF, "\u{feff}"),
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(terminator)
            .from_writer(bom.as_bytes().to_vec());
        let mut header = vec![
            "index_no".to_owned(),
            "initials".to_owned(),
            "name".to_owned(),
        ];
        for e in 1..=self.through {
            header.push(format!("exercise_{e}"));
            header.push(format!("exercise_{e}_max"));
        }
        header.extend(["points", "max_points", "percent", "unknown"].map(str::to_owned));
        writer.write_record(&header).expect("writing to memory");
        for s in &self.roster {
            let mut row = vec![s.index_no.clone(), s.initials.clone(), s.name.clone()];
            match self.report(&s.index_no) {
                Some(r) => {
                    let by: BTreeMap<u8, (u32, u32)> = r
                        .exercises
                        .iter()
                        .map(|e| (e.exercise, (e.points, e.max_points)))
                        .collect();
                    for e in 1..=self.through {
                        let (p, m) = by.get(&e).copied().unwrap_or_default();
                        row.push(p.to_string());
                        row.push(m.to_string());
                    }
                    row.push(r.points.to_string());
                    row.push(r.max_points.to_string());
                    let percent = format!("{:.2}", r.percent());
                    row.push(match style {
                        CsvStyle::Standard => percent,
                        CsvStyle::Excel => percent.replace('.', ","),
                    });
                    row.push(r.unknown().to_string());
                }
                None => row.extend(std::iter::repeat_n(String::new(), header.len() - 3)),
            }
            writer.write_record(&row).expect("writing to memory");
        }
        String::from_utf8(writer.into_inner().expect("writing to memory"))
            .expect("the CSV is written from strings")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    const STUDENTS: &[(&str, &str)] = &[
        ("12345", "12345-jk"),
        ("123456", "123456-an"),
        ("777", "777-zz"),
    ];

    #[test]
    fn entries_match_by_directory_name_or_whole_index_token() {
        let m = match_entries(
            STUDENTS,
            &names(&[
                "12345-jk",
                "lab_123456.json",
                "notes.txt",
                "1234567-x",
                "12345-123456",
            ]),
        )
        .unwrap();
        assert_eq!(m.entries, [Some(0), Some(1), None]);
        // Not a token of its own (`1234567`), nobody's, two students'.
        assert_eq!(m.unmatched, [2, 3, 4]);
    }

    #[test]
    fn prefix_twins_do_not_match_each_other() {
        let m = match_entries(STUDENTS, &names(&["x-123456"])).unwrap();
        assert_eq!(m.entries, [None, Some(0), None]);
    }

    #[test]
    fn two_entries_for_one_student_name_both() {
        let e = match_entries(STUDENTS, &names(&["12345-jk", "jan-12345"])).unwrap_err();
        assert_eq!(
            e,
            [Twice {
                index_no: "12345".into(),
                first: "12345-jk".into(),
                second: "jan-12345".into()
            }]
        );
    }
}
