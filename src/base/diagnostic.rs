//! Findings about the input, shaped for a person who has to fix them.
//!
//! Every diagnostic carries a stable code (documented in `docs/src/reference/rules.md`),
//! the input field it is about, the offending value quoted in backticks in
//! the message, the rule that was broken, and a fix. The place in the file
//! (`student.yaml:4:13`) is attached by `load` after validation, because the
//! rules themselves only know field paths.

use std::fmt::{self, Write as _};

pub use crate::base::codes::{Code, Severity};

/// A 1-based line and column in the input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// From the code's entry in `codes`: a code is always as severe.
    pub severity: Severity,
    /// Stable identifier, e.g. `SG201`.
    pub code: Code,
    /// Dotted field path in the input, e.g. `student.initials`.
    pub field: String,
    /// The offending value, when there is one: with code and field, it is
    /// what makes two findings the same finding.
    pub value: Option<String>,
    pub message: String,
    /// The rule, stated once so the reader does not need the docs.
    pub rule: String,
    /// What to change.
    pub fix: String,
    pub location: Option<Location>,
    /// The file the location is in, when it is not the input itself (a
    /// class's roster CSV).
    pub file: Option<String>,
}

/// How many characters of a value a message quotes: enough to recognise
/// it, bounded so a 5 MB value gives a one-line message.
pub const QUOTE_LIMIT: usize = 120;

/// `value` in backticks for a message, cut to `QUOTE_LIMIT` characters
/// with an ellipsis, and with control characters shown as escapes so a
/// message is always one line.
pub fn quote(value: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in value.chars().enumerate() {
        if i == QUOTE_LIMIT {
            out.push('…');
            break;
        }
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

impl Diagnostic {
    pub fn new(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: code.severity(),
            code,
            field: field.into(),
            value: None,
            message: message.into(),
            rule: String::new(),
            fix: String::new(),
            location: None,
            file: None,
        }
    }

    /// The offending value (see `value`).
    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Whether `other` reports the same thing: code, field and value.
    pub fn same_finding(&self, other: &Self) -> bool {
        self.code == other.code && self.field == other.field && self.value == other.value
    }

    #[must_use]
    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = rule.into();
        self
    }

    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    #[must_use]
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic the way compilers do: a headline, the place
    /// with the source line and a caret, then the rule and the fix.
    pub fn render(&self, file_name: &str, source: Option<&str>) -> String {
        let mut out = String::new();
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let _ = writeln!(out, "{level}[{}]: {}", self.code, bounded(&self.message));
        match self.location {
            Some(loc) => {
                let _ = writeln!(
                    out,
                    "  --> {file_name}:{}:{} ({})",
                    loc.line, loc.column, self.field
                );
                if let Some(text) = source.and_then(|s| s.lines().nth(loc.line - 1)) {
                    let gutter = loc.line.to_string();
                    let pad = " ".repeat(gutter.len());
                    let width = token_width(text, loc.column);
                    let (text, column, width) = window(text, loc.column, width);
                    let _ = writeln!(out, "   {pad} |");
                    let _ = writeln!(out, "   {gutter} | {text}");
                    let _ = writeln!(
                        out,
                        "   {pad} | {}{}",
                        " ".repeat(column - 1),
                        "^".repeat(width)
                    );
                }
            }
            None => {
                let _ = writeln!(out, "  --> {file_name} ({})", self.field);
            }
        }
        if !self.rule.is_empty() {
            let _ = writeln!(out, "  = rule: {}", bounded(&self.rule));
        }
        if !self.fix.is_empty() {
            let _ = writeln!(out, "  = fix: {}", bounded(&self.fix));
        }
        out
    }
}

/// `text` with every backtick-quoted span cut to `QUOTE_LIMIT` characters
/// and an ellipsis: whatever a rule quoted, the printed finding stays a
/// few lines long (a 5 MB value gives a 5 MB message otherwise).
fn bounded(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * QUOTE_LIMIT));
    for (i, piece) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 && piece.chars().count() > QUOTE_LIMIT {
            out.extend(piece.chars().take(QUOTE_LIMIT));
            out.push('…');
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// The part of a long source line around `column`: at most
/// `QUOTE_LIMIT` + 20 characters, with ellipses where it was cut, and the
/// caret's column and width within what is shown.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let room = QUOTE_LIMIT + 20;
    if chars.len() <= room {
        return (line.to_owned(), column, width);
    }
    let start = (column - 1).saturating_sub(20);
    let end = (start + room).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    let caret = column - start + usize::from(start > 0);
    let width = width.min(end.saturating_sub(column - 1)).max(1);
    (shown, caret, width)
}

/// How many columns the caret should cover: the YAML token starting at
/// `column`: a quoted string to its closing quote, anything else up to a
/// comment, a key's colon, a flow separator or the end of the line.
fn token_width(line: &str, column: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(column - 1).collect();
    let width = match rest.first() {
        // A tab (SG010) is one character however wide a terminal draws it.
        Some(c) if c.is_whitespace() => 1,
        Some(&q @ ('"' | '\'')) => rest[1..]
            .iter()
            .position(|c| *c == q)
            .map_or(rest.len(), |end| end + 2),
        Some(&open @ ('[' | '{')) => {
            let close = if open == '[' { ']' } else { '}' };
            let mut depth = 0usize;
            rest.iter()
                .position(|c| {
                    if *c == open {
                        depth += 1;
                    } else if *c == close {
                        depth -= 1;
                    }
                    depth == 0
                })
                .map_or(rest.len(), |end| end + 1)
        }
        _ => {
            let mut end = rest.len();
            for (i, c) in rest.iter().enumerate() {
                let next = rest.get(i + 1).copied().unwrap_or(' ');
                // `;` and tabs end a roster cell (CSV from a Polish Excel).
                if matches!(c, ',' | '}' | ']' | ';' | '\t')
                    || ((*c == ':' || *c == '#') && next == ' ')
                {
                    end = i;
                    break;
                }
            }
            rest[..end]
                .iter()
                .collect::<String>()
                .trim_end()
                .chars()
                .count()
        }
    };
    width.max(1)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message, self.field)
    }
}

/// A summary line such as `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    format!(
        "{errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod bounded_tests {
    use super::*;

    #[test]
    fn a_huge_value_gives_a_short_finding() {
        let name = "a".repeat(5_000_000);
        let source = format!("student:\n  name: {name}\n");
        let d = Diagnostic::new(
            Code::SG105,
            "student.name",
            format!("full name `{name}` is too long"),
        )
        .rule(format!("at most 256 characters, not `{name}`"))
        .fix("shorten it")
        .at(Some(Location { line: 2, column: 9 }));
        let text = d.render("s.yaml", Some(&source));
        assert!(text.len() < 2_000, "{} bytes", text.len());
        assert!(text.contains('…'));
        assert!(text.contains('^'));
    }

    #[test]
    fn short_lines_and_quotes_are_untouched() {
        assert_eq!(
            bounded("initials `JK` are uppercase"),
            "initials `JK` are uppercase"
        );
        assert_eq!(
            window("  initials: JK", 13, 2),
            ("  initials: JK".to_owned(), 13, 2)
        );
    }
}
