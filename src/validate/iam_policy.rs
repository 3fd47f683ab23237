//! IAM (inline) policy names.
//!
//! Example: `firehose-stream-policy-dev-100603781557-jk-12345`.

use super::name_rule::{is_iam_char, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG205",
    subject: "IAM inline policy names",
    min: 1,
    max: 128,
    allowed: is_iam_char,
    charset: "letters, digits and `+=,.@_-`",
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
                "firehose-stream-policy-dev-100603781557-jk-12345",
                &"p".repeat(128),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(&RULE, &["", &"p".repeat(129), "policy name", "policy:name"]);
    }
}
