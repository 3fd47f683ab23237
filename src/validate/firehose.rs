//! Kinesis Data Firehose delivery stream names.
//!
//! Why: at 64 characters this is one of the tighter limits a long suffix
//! hits. Example: `firehose-dev-100603781557-jk-12345`.

use super::name_rule::{is_alnum_dot_dash_underscore, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG203",
    subject: "Firehose delivery stream names",
    min: 1,
    max: 64,
    allowed: is_alnum_dot_dash_underscore,
    charset: "letters, digits, `_`, `.` and `-`",
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
            &["firehose-dev-100603781557-jk-12345", &"f".repeat(64)],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(&RULE, &["", &"f".repeat(65), "fire hose", "fire:hose"]);
    }
}
