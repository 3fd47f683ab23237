//! CloudWatch Logs log group names.
//!
//! Why: Lambda and Firehose log to groups named after them; the stack
//! creates those groups itself so it can set a retention and scope IAM to
//! them. Example: `/aws/lambda/etl-post-processing-dev-100603781557-jk-12345`.

use super::name_rule::{no_extra, NameRule};

fn is_log_group_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#')
}

pub const RULE: NameRule = NameRule {
    code: "SG212",
    subject: "CloudWatch log group names",
    min: 1,
    max: 512,
    allowed: is_log_group_char,
    charset: "letters, digits, `_`, `-`, `/`, `.` and `#`",
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
                "/aws/lambda/etl-post-processing-dev-100603781557-jk-12345",
                &"g".repeat(512),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &[
                "",
                &"g".repeat(513),
                "/aws/lambda/with space",
                "/aws/lambda/a:b",
            ],
        );
    }
}
