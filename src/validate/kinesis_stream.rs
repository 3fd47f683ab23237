//! Kinesis Data Stream names.
//!
//! Why: the stream name is also what the data generator is started with
//! (`generator.py -k NAME`). Example: `cryptostock-dev-100603781557-jk-12345`.

use super::name_rule::{is_alnum_dot_dash_underscore, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG202",
    subject: "Kinesis stream names",
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
                "cryptostock-dev-100603781557-jk-12345",
                "A.b_c-1",
                &"s".repeat(128),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &["", &"s".repeat(129), "with space", "slash/name", "zaż"],
        );
    }
}
