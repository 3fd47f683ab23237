//! A small YAML writer for the pipelines: block mappings and sequences,
//! every string double-quoted, keys and literal blocks `&'static str`.
//!
//! Why not a serializer crate: the one the input side uses (serde_yaml) is
//! archived and stays behind `input::load`. And this writer makes the
//! invariant a matter of types: a value from the class file can only be a
//! `Y::Str`, which is printed as a JSON string (a valid YAML double-quoted
//! scalar: newlines, quotes, `#`, `: ` and `${{` stay inside it), so no
//! input can add a key, a job or a script line; keys and the literal
//! blocks (the scripts) are compiled into stackgen.

use std::fmt::Write as _;

/// A YAML value.
#[derive(Debug, Clone)]
pub enum Y {
    /// Any text, printed double-quoted.
    Str(String),
    Int(u64),
    Bool(bool),
    /// A script, printed as a literal block (`|`): stackgen's own text.
    Block(&'static str),
    Seq(Vec<Y>),
    Map(Vec<(&'static str, Y)>),
    /// A scalar with a comment after it on its line (`# v7.0.1`).
    Commented(Box<Y>, &'static str),
}

pub fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

pub fn map(entries: Vec<(&'static str, Y)>) -> Y {
    Y::Map(entries)
}

pub fn seq(items: Vec<Y>) -> Y {
    Y::Seq(items)
}

/// Strings, each quoted.
pub fn strs(items: &[&str]) -> Y {
    Y::Seq(items.iter().map(|i| s(*i)).collect())
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

impl Y {
    /// The document: `self` must be a mapping.
    pub fn document(&self) -> String {
        let mut out = String::new();
        self.write_block(&mut out, 0);
        out
    }

    /// An inline form, for values that fit after `key: ` or `- `.
    fn inline(&self) -> Option<String> {
        match self {
            Y::Str(t) => Some(quoted(t)),
            Y::Int(n) => Some(n.to_string()),
            Y::Bool(b) => Some(b.to_string()),
            Y::Seq(items) if items.is_empty() => Some("[]".to_owned()),
            Y::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
            Y::Commented(inner, comment) => inner.inline().map(|t| format!("{t} # {comment}")),
            _ => None,
        }
    }

    /// Writes a mapping's or sequence's lines at `indent` spaces.
    fn write_block(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        match self {
            Y::Map(entries) => {
                for (key, value) in entries {
                    let _ = write!(out, "{pad}{key}:");
                    value.write_after(out, indent);
                }
            }
            Y::Seq(items) => {
                for item in items {
                    let _ = write!(out, "{pad}-");
                    match item {
                        Y::Map(entries) if !entries.is_empty() => {
                            // `- key: v` then the other keys under it.
                            let mut first = true;
                            for (key, value) in entries {
                                if first {
                                    let _ = write!(out, " {key}:");
                                    first = false;
                                } else {
                                    let _ = write!(out, "{pad}  {key}:");
                                }
                                value.write_after(out, indent + 2);
                            }
                        }
                        other => other.write_after(out, indent),
                    }
                }
            }
            other => {
                if let Some(text) = other.inline() {
                    let _ = writeln!(out, "{pad}{text}");
                }
            }
        }
    }

    /// Writes what follows `key:` or `-`, the parent at `indent`.
    fn write_after(&self, out: &mut String, indent: usize) {
        if let Some(text) = self.inline() {
            let _ = writeln!(out, " {text}");
            return;
        }
        if let Y::Block(text) = self {
            out.push_str(" |\n");
            for line in text.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "{}  {line}", " ".repeat(indent));
                }
            }
        } else {
            out.push('\n');
            self.write_block(out, indent + 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_with_every_string_quoted() {
        let doc = map(vec![
            ("name", s("a: b # c\n- d")),
            (
                "jobs",
                map(vec![(
                    "x",
                    map(vec![
                        ("n", Y::Int(2)),
                        ("empty", seq(vec![])),
                        (
                            "steps",
                            seq(vec![
                                map(vec![
                                    ("uses", s("o/r@1")),
                                    ("with", map(vec![("k", s("v"))])),
                                ]),
                                map(vec![("run", Y::Block("echo 1\n\necho 2\n"))]),
                            ]),
                        ),
                    ]),
                )]),
            ),
        ]);
        assert_eq!(
            doc.document(),
            "name: \"a: b # c\\n- d\"\njobs:\n  x:\n    n: 2\n    empty: []\n    steps:\n      - uses: \"o/r@1\"\n        with:\n          k: \"v\"\n      - run: |\n          echo 1\n\n          echo 2\n"
        );
    }
}
