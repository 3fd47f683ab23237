//! `environment`: lowercase letters and digits, starting with a letter.
//!
//! Why: it is the first part of every name, joined with `-` in most names
//! and `_` in Glue and Athena names, so a `-`, `_` or capital in it breaks
//! one of the two. Example: `dev`, `test2`.

use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;

pub fn check(environment: &str) -> Option<Diagnostic> {
    let ok = environment.starts_with(|c: char| c.is_ascii_lowercase())
        && environment
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (!ok).then(|| {
        let suggestion: String = environment
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let fix = if suggestion.starts_with(|c: char| c.is_ascii_lowercase()) {
            format!("write `{suggestion}`")
        } else {
            "use a short lowercase word such as `dev`".to_owned()
        };
        Diagnostic::new(Code::SG106,
            "environment",
            format!("environment `{environment}` is not lowercase letters and digits"),
        )
        .rule("environment is lowercase ASCII letters and digits, starting with a letter: it is joined into both `-` and `_` separated names")
        .fix(fix)
    })
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts() {
        for ok in ["dev", "test2", "prod"] {
            assert!(check(ok).is_none());
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(check("Dev-1").unwrap().fix, "write `dev1`");
        for bad in ["", "2dev", "dev_x", "dév"] {
            assert!(check(bad).is_some(), "{bad}");
        }
    }
}
