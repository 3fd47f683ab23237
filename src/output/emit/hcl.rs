//! Printing plain data (strings, numbers, lists, maps) as HCL expressions.
//!
//! Templates pass every value through the `hcl` filter, which calls this,
//! so quoting and escaping are decided in one place: `${` and `%{` in data
//! are escaped to `$${` and `%%{`, so a Firehose prefix or an Athena
//! projection template can never turn into a Terraform interpolation.
//! Layout is rough on purpose (one item per line, no indentation);
//! `format` indents and aligns the finished file.

use serde_json::Value;

/// An HCL expression for `value`.
pub fn expression(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// A quoted HCL string literal.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A heredoc for multi-line text (SQL): `<<-EOT`, the lines, `EOT`.
/// Interpolation sequences are escaped as in quoted strings; carriage
/// returns are dropped (Terraform would read `EOT\r` as the end); and
/// when a line of the text is the delimiter itself, a longer one is used,
/// so no text can close the heredoc early.
pub fn heredoc(text: &str) -> String {
    let text = text.replace('\r', "");
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut delimiter = String::from("EOT");
    while lines.iter().any(|l| l.trim() == delimiter) {
        delimiter.push('_');
    }
    let mut out = format!("<<-{delimiter}\n");
    for line in lines {
        out.push_str(&line.replace("${", "$${").replace("%{", "%%{"));
        out.push('\n');
    }
    out.push_str(&delimiter);
    out
}

/// Text for the rest of a `#` comment line: every line break a reader's
/// editor might show as one (`\n`, `\r`, U+0085, U+2028, U+2029, and
/// other control characters) becomes a space, and `*/` is broken up, so
/// a value can neither end the comment nor look like it does.
pub fn comment(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    spaced.replace("*/", "* /")
}

fn is_identifier(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&string(s)),
        Value::Array(items) => {
            let scalars = items.iter().all(|v| !v.is_array() && !v.is_object());
            if items.is_empty() {
                out.push_str("[]");
            } else if scalars && items.len() == 1 {
                out.push('[');
                write_value(&items[0], out);
                out.push(']');
            } else {
                out.push_str("[\n");
                for item in items {
                    write_value(item, out);
                    out.push_str(",\n");
                }
                out.push(']');
            }
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (key, item) in map {
                if is_identifier(key) {
                    out.push_str(key);
                } else {
                    out.push_str(&string(key));
                }
                out.push_str(" = ");
                write_value(item, out);
                out.push('\n');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_interpolation_and_quotes() {
        assert_eq!(
            string(r#"a "b" ${c} %{d} !{e} $f"#),
            r#""a \"b\" $${c} %%{d} !{e} $f""#
        );
        assert_eq!(string("back\\slash"), r#""back\\slash""#);
    }

    #[test]
    fn objects_quote_non_identifier_keys() {
        let v = json!({"Version": "1", "s3:prefix": ["raw/*"], "n": 2});
        assert_eq!(
            expression(&v),
            "{\nVersion = \"1\"\n\"s3:prefix\" = [\"raw/*\"]\nn = 2\n}"
        );
    }

    #[test]
    fn longer_lists_go_one_item_per_line() {
        assert_eq!(expression(&json!(["a", "b"])), "[\n\"a\",\n\"b\",\n]");
        assert_eq!(expression(&json!([])), "[]");
    }

    #[test]
    fn heredoc_escapes_interpolation() {
        assert_eq!(heredoc("SELECT '${x}'\n"), "<<-EOT\nSELECT '$${x}'\nEOT");
    }
}
