//! `backend`: where Terraform keeps each student's state.
//!
//! Why: a wrong bucket name, region or key fails only at `terraform init`,
//! on every student's machine or runner at once; and a classic stack
//! without a lock table would let two runs of one student write one state.
//! Example: `backend: { s3: { bucket: uam-cloud-2026-tfstate, region:
//! eu-central-1, key_prefix: uam-cloud-2026, lock_table: uam-cloud-2026-locks } }`.
//!
//! - `bucket` is an S3 bucket name (the derived names' rule, `s3_bucket`);
//! - `region` a region code;
//! - `key_prefix` is 1-200 letters, digits and `_ . -`, in segments joined
//!   by single `/`, none of them `.` or `..`: S3 takes almost any key, but
//!   these characters mean the same in every tool (S3's own "safe
//!   characters" for keys, without the ones that need quoting in a shell),
//!   and a `.` segment is one that some tools normalise away;
//! - `lock_table` is a DynamoDB table name (3-255 of `[A-Za-z0-9_.-]`),
//!   required by the classic target and unused by the modern one.

use super::name_rule::{Charset, Problem};
use crate::base::aws::KEY_PREFIX_MAX;
use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::model::{S3Backend, StudentSpec, Target};

pub fn check(spec: &StudentSpec) -> Vec<Diagnostic> {
    let Some(backend) = &spec.backend else {
        return Vec::new();
    };
    match (&backend.s3, &backend.http) {
        (Some(s3), None) => s3_backend(s3, spec.target),
        (None, Some(_)) => Vec::new(),
        (both, _) => vec![Diagnostic::new(
            Code::SG406,
            "backend",
            if both.is_some() {
                "`backend` gives both `s3` and `http`"
            } else {
                "`backend` gives neither `s3` nor `http`"
            },
        )
        .rule("a stack keeps its state in one place: `backend` has exactly one of `s3` and `http` (leave `backend` out for a local state file)")
        .fix("keep one of the two, e.g. `backend: { s3: { bucket: ..., region: ..., key_prefix: ..., lock_table: ... } }`")],
    }
}

fn s3_backend(s3: &S3Backend, target: Target) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    found.extend(bucket(&s3.bucket));
    found.extend(super::region::check_field(
        Code::SG402,
        "backend.s3.region",
        &s3.region,
    ));
    found.extend(key_prefix(&s3.key_prefix));
    match (&s3.lock_table, target) {
        (Some(table), _) => found.extend(lock_table(table, target)),
        (None, Target::Classic) => found.push(
            Diagnostic::new(
                Code::SG405,
                "backend.s3.lock_table",
                "the classic target's S3 backend has no `lock_table`",
            )
            .rule("Terraform 0.14 locks S3 state only through a DynamoDB table; without one, two applies of one student can both write the state")
            .fix("add `lock_table:` (e.g. the bucket's name with `-locks`); `render` of the class creates the table in `bootstrap/`"),
        ),
        (None, Target::Modern) => {}
    }
    found
}

/// The state bucket's name against S3's rule: one finding with every
/// problem, since the whole name is the instructor's to change.
fn bucket(name: &str) -> Option<Diagnostic> {
    let rule = &super::s3_bucket::RULE;
    let problems = rule.problems(name);
    if problems.is_empty() {
        return None;
    }
    let mut bad = Vec::new();
    let mut what = Vec::new();
    for problem in problems {
        match problem {
            Problem::TooLong(over) => what.push(format!("is {over} characters too long")),
            Problem::TooShort => what.push("is too short".to_owned()),
            Problem::BadChar(c) => bad.push(format!("`{}`", c.escape_default())),
            Problem::Other(text) => what.push(text),
        }
    }
    if !bad.is_empty() {
        what.insert(
            0,
            format!("contains {}, which S3 does not allow", bad.join(", ")),
        );
    }
    Some(
        Diagnostic::new(
            Code::SG401,
            "backend.s3.bucket",
            format!("state bucket name {} {}", quote(name), what.join("; ")),
        )
        .value(name)
        .rule(rule.statement())
        .fix("choose another name for the state bucket, e.g. the course's name with `-tfstate`"),
    )
}

/// What is wrong with a key prefix, if anything.
fn prefix_problem(prefix: &str) -> Option<String> {
    let len = prefix.chars().count();
    if len == 0 {
        return Some("is empty".to_owned());
    }
    if len > KEY_PREFIX_MAX {
        return Some(format!("is {len} characters long"));
    }
    if let Some(c) = prefix
        .chars()
        .find(|c| !(Charset::AlnumDotDashUnderscore.allows(*c) || *c == '/'))
    {
        return Some(format!(
            "contains `{}`, which is not allowed",
            c.escape_default()
        ));
    }
    if prefix.starts_with('/') || prefix.ends_with('/') {
        return Some("starts or ends with `/`".to_owned());
    }
    prefix
        .split('/')
        .find(|s| s.is_empty() || *s == "." || *s == "..")
        .map(|s| {
            if s.is_empty() {
                "contains `//`".to_owned()
            } else {
                format!("has a segment `{s}`")
            }
        })
}

fn key_prefix(prefix: &str) -> Option<Diagnostic> {
    let problem = prefix_problem(prefix)?;
    Some(
        Diagnostic::new(
            Code::SG403,
            "backend.s3.key_prefix",
            format!("key prefix {} {problem}", quote(prefix)),
        )
        .value(prefix)
        .rule(format!(
            "a key prefix is 1-{KEY_PREFIX_MAX} letters, digits, `_`, `.` and `-`, in segments joined by single `/`, none of them `.` or `..`; each student's state is `<key_prefix>/<index_no>-<initials>/terraform.tfstate`"
        ))
        .fix("write e.g. the course's name, `uam-cloud-2026`, or `courses/uam-cloud-2026`"),
    )
}

fn lock_table(table: &str, target: Target) -> Option<Diagnostic> {
    let len = table.chars().count();
    let bad = table
        .chars()
        .find(|c| !Charset::AlnumDotDashUnderscore.allows(*c));
    let problem = match bad {
        Some(c) => Some(format!(
            "contains `{}`, which is not allowed",
            c.escape_default()
        )),
        None if !(3..=255).contains(&len) => Some(format!("is {len} characters long")),
        None => None,
    };
    if let Some(problem) = problem {
        return Some(
            Diagnostic::new(
                Code::SG404,
                "backend.s3.lock_table",
                format!("lock table name {} {problem}", quote(table)),
            )
            .value(table)
            .rule("DynamoDB table names are 3-255 characters of letters, digits, `_`, `.` and `-`")
            .fix("choose another name, e.g. the state bucket's name with `-locks`"),
        );
    }
    (target == Target::Modern).then(|| {
        Diagnostic::new(
            Code::SG904,
            "backend.s3.lock_table",
            format!("lock table {} is not used by the modern target", quote(table)),
        )
        .value(table)
        .rule("the modern target (Terraform >= 1.10) locks the state with a lock file beside it in the bucket (`use_lockfile`); no DynamoDB table is rendered or created")
        .fix("remove `lock_table`, or keep it for a classic class that shares the bucket")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::model::Backend;

    fn spec(target: Target, s3: S3Backend) -> StudentSpec {
        let mut spec: StudentSpec = serde_json::from_value(serde_json::json!({
            "student": { "name": "Jan Kowalski", "initials": "jk", "index_no": "12345" },
            "account_id": "100603781557",
        }))
        .unwrap();
        spec.target = target;
        spec.backend = Some(Backend {
            s3: Some(s3),
            http: None,
        });
        spec
    }

    fn s3(bucket: &str, region: &str, prefix: &str, table: Option<&str>) -> S3Backend {
        S3Backend {
            bucket: bucket.into(),
            region: region.into(),
            key_prefix: prefix.into(),
            lock_table: table.map(Into::into),
        }
    }

    fn codes(found: &[Diagnostic]) -> Vec<Code> {
        found.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_good_backend_passes_for_each_target() {
        let good = s3(
            "uam-2026-tfstate",
            "eu-central-1",
            "uam/2026",
            Some("uam-locks"),
        );
        assert_eq!(check(&spec(Target::Classic, good.clone())), vec![]);
        let mut modern = good;
        modern.lock_table = None;
        assert_eq!(check(&spec(Target::Modern, modern)), vec![]);
    }

    #[test]
    fn each_field_has_its_rule() {
        let found = check(&spec(
            Target::Classic,
            s3("State_Bucket", "eu-centrl-1", "/a//b", Some("ab")),
        ));
        let c = codes(&found);
        assert!(c.contains(&Code::SG401), "{found:?}");
        assert!(c.contains(&Code::SG402), "{found:?}");
        assert!(c.contains(&Code::SG403), "{found:?}");
        assert!(c.contains(&Code::SG404), "{found:?}");
        let region = found.iter().find(|d| d.code == Code::SG402).unwrap();
        assert_eq!(region.field, "backend.s3.region");
        assert_eq!(region.fix, "did you mean `eu-central-1`?");
    }

    #[test]
    fn key_prefixes() {
        for ok in ["a", "uam-2026", "courses/uam_2026/v1.0", &"p".repeat(200)] {
            assert_eq!(prefix_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            "a/./b",
            "..",
            "a b",
            "a${x}",
            "zaż",
            "a\nb",
            &"p".repeat(201),
        ] {
            assert!(prefix_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn exactly_one_kind() {
        let mut both = spec(Target::Modern, s3("abc", "us-east-1", "p", None));
        both.backend.as_mut().unwrap().http = Some(crate::base::model::HttpBackend {});
        assert_eq!(codes(&check(&both)), vec![Code::SG406]);
        let mut neither = both.clone();
        neither.backend = Some(Backend::default());
        assert_eq!(codes(&check(&neither)), vec![Code::SG406]);
    }

    #[test]
    fn the_lock_table_is_required_by_classic_and_unused_by_modern() {
        let found = check(&spec(Target::Classic, s3("abc", "us-east-1", "p", None)));
        assert_eq!(codes(&found), vec![Code::SG405]);
        let found = check(&spec(
            Target::Modern,
            s3("abc", "us-east-1", "p", Some("t-locks")),
        ));
        assert_eq!(codes(&found), vec![Code::SG904]);
        assert!(!found[0].is_error());
        let found = check(&spec(
            Target::Classic,
            s3("abc", "us-east-1", "p", Some(&"t".repeat(256))),
        ));
        assert_eq!(codes(&found), vec![Code::SG404]);
    }
}
