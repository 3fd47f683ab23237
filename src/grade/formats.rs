//! The report formats for other tools and for people, besides `report`'s
//! text and JSON:
//! - **JUnit XML** (`--format junit`), which GitLab's test-report view and
//!   GitHub's check annotations show: one `testsuite` per exercise (per
//!   student and exercise for a class), one `testcase` per check; `fail` and
//!   `missing` are `failure`s, `unknown` is `skipped` (never a failure, as
//!   in the points). A class's missing student is a suite with one failed
//!   case, `submitted`, so no one disappears from the view.
//! - **Markdown** (`--format markdown`): a student's feedback, to paste into
//!   a merge request or an e-mail: the score, then per exercise what to fix
//!   first, with what passed folded away.

use std::fmt::Write as _;

use serde_json::Value;

use super::class::ClassReport;
use super::report::{Check, Report, Status};

/// `text` escaped for an XML attribute or text node. Characters XML 1.0
/// does not allow at all are dropped (a hostile name must still give a
/// well-formed file).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn one_line(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        v => v.to_string(),
    }
}

/// The suites of one student's report; `who` prefixes suite names in a
/// class (`12345 jk: `).
fn suites(out: &mut String, report: &Report, who: &str) {
    for e in &report.exercises {
        let failures = e
            .checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Missing))
            .count();
        let skipped = e.unknown;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}exercise {}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
            xml(who),
            e.exercise,
            e.checks.len()
        );
        let class = format!(
            "{}.exercise{}",
            if report.student.index_no.is_empty() {
                "student"
            } else {
                &report.student.index_no
            },
            e.exercise
        );
        for c in &e.checks {
            testcase(out, c, &class);
        }
        let _ = writeln!(out, "  </testsuite>");
    }
}

fn testcase(out: &mut String, c: &Check, class: &str) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        xml(&c.id),
        xml(class)
    );
    match c.status {
        Status::Pass => {
            let _ = writeln!(out, "/>");
        }
        Status::Unknown => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml(&c.message)
            );
        }
        Status::Fail | Status::Missing => {
            let mut body = format!(
                "expected: {}\nfound: {}",
                one_line(&c.expected),
                one_line(&c.found)
            );
            if !c.fix.is_empty() {
                let _ = write!(body, "\nfix: {}", c.fix);
            }
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml(&c.message),
                if c.status == Status::Missing {
                    "missing"
                } else {
                    "fail"
                },
                xml(&body)
            );
        }
    }
}

fn totals<'a>(reports: impl Iterator<Item = &'a Report>) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for r in reports {
        for c in r.checks() {
            t.0 += 1;
            match c.status {
                Status::Fail | Status::Missing => t.1 += 1,
                Status::Unknown => t.2 += 1,
                Status::Pass => {}
            }
        }
    }
    t
}

/// One student's grade as JUnit XML.
pub fn junit(report: &Report) -> String {
    let (tests, failures, skipped) = totals(std::iter::once(report));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stackgen grade {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        xml(&report.student.index_no)
    );
    suites(&mut out, report, "");
    out.push_str("</testsuites>\n");
    out
}

/// A class's grades as JUnit XML: suites per student and exercise, and a
/// failed `submitted` case per missing student.
pub fn junit_class(class: &ClassReport) -> String {
    let (mut tests, mut failures, skipped) = totals(class.students.iter());
    tests += class.missing.len();
    failures += class.missing.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stackgen grade\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    for s in &class.roster {
        let who = format!("{} {}: ", s.index_no, s.initials);
        if let Some(r) = class
            .students
            .iter()
            .find(|r| r.student.index_no == s.index_no)
        {
            suites(&mut out, r, &who);
        } else {
            let _ = writeln!(
                    out,
                    "  <testsuite name=\"{}missing\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">",
                    xml(&who)
                );
            let _ = writeln!(
                    out,
                    "    <testcase name=\"submitted\" classname=\"{}\">\n      <failure message=\"no entry for student {} in the graded directory\" type=\"missing\"/>\n    </testcase>",
                    xml(&s.index_no),
                    xml(&s.index_no)
                );
            let _ = writeln!(out, "  </testsuite>");
        }
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text for Markdown: characters that would start markup are escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Code in Markdown: backticks inside are doubled around.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", text.replace('\n', " "))
    } else {
        format!("`{}`", text.replace('\n', " "))
    }
}

/// A student's feedback in Markdown. The messages' own `code` spans are
/// kept: they are the report's words.
pub fn markdown(report: &Report, edition: &str) -> String {
    let mut out = String::new();
    let s = &report.student;
    let _ = writeln!(
        out,
        "## {} ({}, {}): {}/{} ({:.1}%)\n",
        md(&s.name),
        md(&s.initials),
        md(&s.index_no),
        report.points,
        report.max_points,
        report.percent()
    );
    let unknown = report.unknown();
    let _ = writeln!(
        out,
        "Exercises 1 to {} of the {} edition, graded from your Terraform {}.{}\n",
        report.through,
        md(edition),
        report.source.word(),
        if unknown > 0 {
            format!(" {unknown} check(s) could not be decided from it and do not count.")
        } else {
            String::new()
        }
    );
    for e in &report.exercises {
        let _ = writeln!(
            out,
            "### Exercise {}: {}/{}\n",
            e.exercise, e.points, e.max_points
        );
        let lost: Vec<&Check> = e
            .checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .collect();
        if e.checks.is_empty() {
            let _ = writeln!(out, "Nothing graded.\n");
            continue;
        }
        if lost.is_empty() {
            let _ = writeln!(out, "All {} checks pass.\n", e.checks.len());
            continue;
        }
        for c in &lost {
            let mark = match c.status {
                Status::Unknown => "❔",
                _ => "❌",
            };
            let status = match c.status {
                Status::Fail => "fail",
                Status::Missing => "missing",
                _ => "unknown",
            };
            let _ = writeln!(out, "- {mark} {} ({status}): {}", code(&c.id), c.message);
            if c.status != Status::Unknown {
                let _ = writeln!(
                    out,
                    "  - expected {}, found {}",
                    code(&one_line(&c.expected)),
                    code(&one_line(&c.found))
                );
            }
            if !c.fix.is_empty() {
                let _ = writeln!(out, "  - **fix:** {}", c.fix);
            }
        }
        let passed: Vec<&Check> = e
            .checks
            .iter()
            .filter(|c| c.status == Status::Pass)
            .collect();
        if !passed.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>{} check(s) pass</summary>\n",
                passed.len()
            );
            for c in passed {
                let _ = writeln!(out, "- ✅ {}: {}", code(&c.id), c.message);
            }
            let _ = writeln!(out, "\n</details>");
        }
        let _ = writeln!(out);
    }
    if !report.not_graded.is_empty() {
        let _ = writeln!(out, "### Not graded\n");
        for n in &report.not_graded {
            let _ = writeln!(out, "- {}: {}", code(&n.part), n.why);
        }
        let _ = writeln!(out);
    }
    if !report.advice.is_empty() {
        let _ = writeln!(out, "### Advice (IAM review, no points)\n");
        for a in &report.advice {
            let _ = writeln!(out, "- {}: {}", code(&a.code.to_string()), a.message);
        }
        let _ = writeln!(out);
    }
    out
}

/// A class's feedback in Markdown: each student's, then who is missing.
/// `edition` gives a student's edition by index number.
pub fn markdown_class(class: &ClassReport, edition: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for r in &class.students {
        out.push_str(&markdown(r, &edition(&r.student.index_no)));
        out.push_str("---\n\n");
    }
    if !class.missing.is_empty() {
        let _ = writeln!(out, "## Missing\n");
        for m in &class.missing {
            let _ = writeln!(out, "- {}", code(m));
        }
        out.push('\n');
    }
    if !class.unmatched.is_empty() {
        let _ = writeln!(out, "## Entries of no student\n");
        for u in &class.unmatched {
            let _ = writeln!(out, "- {}", code(u));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml("a<b>&\"c'\n\u{1}\u{fffe}d"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d"
        );
    }

    #[test]
    fn markdown_escapes_markup_and_backticks() {
        assert_eq!(md("a*b_[c]"), "a\\*b\\_\\[c\\]");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
