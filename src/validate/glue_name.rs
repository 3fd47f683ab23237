//! Glue database and table names, and anything Athena queries.
//!
//! Why: Glue itself accepts more, but Athena reads only names of lowercase
//! letters, digits and `_`; a database with `-` or capitals can be created
//! and then cannot be queried. Example: `datalake_dev_100603781557_jk_12345`.

use super::name_rule::{is_alnum_lower, no_extra, NameRule};

pub const RULE: NameRule = NameRule {
    code: "SG208",
    subject: "Glue database and table names queried by Athena",
    min: 1,
    max: 255,
    allowed: |c| is_alnum_lower(c) || c == '_',
    charset: "lowercase letters, digits and `_`",
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
                "datalake_dev_100603781557_jk_12345",
                "processed_stockdata",
                &"d".repeat(255),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &[
                "",
                &"d".repeat(256),
                "datalake-dev",
                "Datalake",
                "data lake",
            ],
        );
    }
}
