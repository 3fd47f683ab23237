//! Lambda function names.
//!
//! Why: `etl-post-processing-` plus the suffix is the longest name of the
//! stack, so this 64-character limit decides how long a suffix may be.
//! Example: `etl-post-processing-dev-100603781557-jk-12345`.

use super::name_rule::{is_alnum_dash_underscore, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG206",
    subject: "Lambda function names",
    min: 1,
    max: 64,
    allowed: is_alnum_dash_underscore,
    charset: "letters, digits, `_` and `-`",
    extra: no_extra,
};

#[cfg(test)]
mod tests {
    use super::super::name_rule::testing::{assert_accepts, assert_rejects};
    use super::RULE;

    #[test]
    fn accepts_valid_names() {
        assert_accepts(
            &RULE,
            &[
                "etl-post-processing-dev-100603781557-jk-12345",
                &"l".repeat(64),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &["", &"l".repeat(65), "etl.function", "etl function"],
        );
    }
}
