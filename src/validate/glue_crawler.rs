//! Glue crawler names.
//!
//! Example: `gc-raw-dev-100603781557-jk-12345`.

use super::name_rule::{no_extra, NameRule};

fn is_single_line(c: char) -> bool {
    !c.is_control()
}

pub const RULE: NameRule = NameRule {
    code: "SG209",
    subject: "Glue crawler names",
    min: 1,
    max: 255,
    allowed: is_single_line,
    charset: "any characters but control characters",
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
            &["gc-raw-dev-100603781557-jk-12345", &"c".repeat(255)],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(&RULE, &["", &"c".repeat(256), "two\nlines"]);
    }
}
