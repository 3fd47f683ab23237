//! S3 bucket names (general purpose buckets).
//!
//! Why: bucket names are global across all of AWS, and the provider skips
//! these checks at plan time in us-east-1, so a bad name fails only at
//! `apply`. Example: `datalake-dev-100603781557-jk-12345` is valid;
//! `datalake-dev-100603781557-JK-12345` is not (uppercase).

use super::name_rule::{is_alnum_lower, Charset, NameRule};
use crate::base::codes::Code;

pub const RULE: NameRule = NameRule {
    code: Code::SG201,
    subject: "S3 bucket names",
    min: 3,
    max: 63,
    charset: Charset::S3,
    extra,
};

const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

fn extra(name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !name.starts_with(is_alnum_lower) || !name.ends_with(is_alnum_lower) {
        problems.push("must start and end with a lowercase letter or digit".to_owned());
    }
    for bad in ["..", ".-", "-."] {
        if name.contains(bad) {
            problems.push(format!("contains `{bad}`"));
        }
    }
    if looks_like_ip(name) {
        problems.push("is shaped like an IP address".to_owned());
    }
    for prefix in RESERVED_PREFIXES.iter().filter(|p| name.starts_with(*p)) {
        problems.push(format!("starts with the reserved prefix `{prefix}`"));
    }
    for suffix in RESERVED_SUFFIXES.iter().filter(|s| name.ends_with(*s)) {
        problems.push(format!("ends with the reserved suffix `{suffix}`"));
    }
    problems
}

fn looks_like_ip(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::super::name_rule::testing::{assert_accepts, assert_rejects};
    use super::RULE;

    #[test]
    fn accepts_valid_names() {
        assert_accepts(
            &RULE,
            &[
                "datalake-dev-100603781557-jk-12345",
                "abc",
                "a.b-c1",
                &"a".repeat(63),
            ],
        );
    }

    #[test]
    fn rejects_invalid_names() {
        assert_rejects(
            &RULE,
            &[
                "ab",
                &"a".repeat(64),
                "Datalake",
                "under_score",
                "-start",
                "end-",
                "double..dot",
                "dot.-dash",
                "192.168.5.4",
                "xn--bucket",
                "sthree-bucket",
                "amzn-s3-demo-bucket",
                "bucket-s3alias",
                "bucket--ol-s3",
                "bucket.mrap",
                "bucket--x-s3",
                "bucket--table-s3",
            ],
        );
    }
}
