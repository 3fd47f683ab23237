//! Kinesis Data Analytics application names.
//!
//! Example: `anomaly-detection-dev-100603781557-jk-12345`.

use super::name_rule::{is_alnum_dot_dash_underscore, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG210",
    subject: "Kinesis Analytics application names",
    min: 1,
    max: 128,
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
            &[
                "anomaly-detection-dev-100603781557-jk-12345",
                &"a".repeat(128),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(&RULE, &["", &"a".repeat(129), "anomaly detection"]);
    }
}
