//! Lambda layer names.
//!
//! Example: `aws_wrangler_dev_100603781557_jk_12345`.

use super::name_rule::{is_alnum_dash_underscore, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG207",
    subject: "Lambda layer names",
    min: 1,
    max: 140,
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
            &["aws_wrangler_dev_100603781557_jk_12345", &"l".repeat(140)],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(&RULE, &["", &"l".repeat(141), "aws.wrangler"]);
    }
}
