//! IAM role names.
//!
//! Why: role names are unique per account, so in a class sharing one
//! account they must embed the student. Example:
//! `firehose-role-dev-100603781557-jk-12345`.

use super::name_rule::{is_iam_char, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG204",
    subject: "IAM role names",
    min: 1,
    max: 64,
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
                "firehose-role-dev-100603781557-jk-12345",
                "a+=,.@_-b",
                &"r".repeat(64),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &["", &"r".repeat(65), "role name", "role/name", "rolę"],
        );
    }
}
