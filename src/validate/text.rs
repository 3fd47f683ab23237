//! Free-text fields: paths and names that are not AWS names.
//!
//! Why: these values reach the stack inside string literals and comments
//! (the generator's command line, the layer path, the edition's path). The
//! emitter escapes them for every place they land, but a line break or a
//! control character in a path is always a mistake, and a 10 kB value is
//! never meant. Example: `generator.input_csv: "data/btc.csv"`.

use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::model::StudentSpec;

/// The longest path or free-text value accepted (Linux's PATH_MAX).
pub const MAX_TEXT: usize = 4096;

pub fn check(spec: &StudentSpec) -> Vec<Diagnostic> {
    let fields = [
        ("generator.input_csv", spec.generator.input_csv.as_deref()),
        ("lambda.layer_zip", spec.lambda.layer_zip.as_deref()),
        ("edition", spec.edition.as_deref()),
        ("student.name", Some(spec.student.name.as_str())),
    ];
    fields
        .into_iter()
        .filter_map(|(field, value)| Some((field, value?)))
        .filter_map(|(field, value)| problem(field, value))
        .collect()
}

fn problem(field: &str, value: &str) -> Option<Diagnostic> {
    let breaks = value
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'));
    let len = value.chars().count();
    let message = match (breaks, len > MAX_TEXT) {
        (Some(c), _) => format!(
            "`{field}` {} contains the control character {}",
            quote(value),
            c.escape_unicode()
        ),
        (None, true) => format!(
            "`{field}` is {len} characters long, more than {MAX_TEXT}: {}",
            quote(value)
        ),
        (None, false) => return None,
    };
    Some(
        Diagnostic::new(Code::SG107, field, message)
            .value(value)
            .rule(format!(
                "free text is one line of at most {MAX_TEXT} characters, without control characters"
            ))
            .fix("write the value on one line, without tabs or line breaks"),
    )
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn rejects_line_breaks_and_long_values() {
        assert!(problem("f", "data.csv").is_none());
        assert!(problem("f", "żółw ąę.csv").is_none());
        for bad in ["a\nb", "a\rb", "a\u{2028}b", "a\u{85}b", "a\0b"] {
            assert!(problem("f", bad).is_some(), "{bad:?}");
        }
        assert!(problem("f", &"x".repeat(4097)).is_some());
    }
}
