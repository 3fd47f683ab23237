//! `ci`: the CI pipeline a class's output gets (`ci:` in the class file,
//! or `render --ci`), resolved to what the pipeline is written with.
//!
//! Why: a pipeline runs every student's `terraform apply` on runners, many
//! at once. Too many at once in one account fails at AWS's limits (at most
//! 5 Kinesis streams CREATING per account, a hard limit), halfway through
//! a class; a role ARN with a typo fails every job at its first step; and a
//! stack with local state loses its state when the runner's job ends.
//!
//! - `role_arn` is an IAM role's ARN: `arn:<partition>:iam::<12 digits>:role/<path and name>` (SG420);
//! - `max_parallel` is 1-256: GitHub runs at most 256 jobs of one matrix (SG421);
//! - the students' state is remote: `backend: s3`, or `backend: http`
//!   (GitLab-managed state) with GitLab only (SG422);
//! - `max_parallel` above what an account takes at once is a warning
//!   (SG905); absent, it defaults to 5 when students share an account and
//!   20 with one account per student (`default_max_parallel`).

use std::collections::BTreeMap;

use crate::base::aws::KINESIS_CREATING_PER_ACCOUNT;
use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::model::{Ci, CiKind, StudentSpec};
use crate::base::part::{Name, NameKind};

/// The most jobs of one GitHub Actions matrix (and so the most a class
/// runs at once through this pipeline).
pub const MAX_PARALLEL_LIMIT: u32 = 256;
/// `max_parallel` when students share an account: the Kinesis limit.
pub const SHARED_ACCOUNT_DEFAULT: u32 = 5;
/// `max_parallel` with one account per student: the runners are the limit,
/// not AWS; 20 keeps a university's shared runners usable by others.
pub const OWN_ACCOUNT_DEFAULT: u32 = 20;

/// The pipeline to write, resolved from `ci:` and `render --ci`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub kind: CiKind,
    /// None: the pipeline reads the CI variable `STACKGEN_ROLE_ARN`.
    pub role_arn: Option<String>,
    pub max_parallel: u32,
}

/// Resolves and checks `ci`. `flag` is `render --ci`, which chooses the
/// kind (the file's `role_arn` and `max_parallel` still apply); `students`
/// are the class's students that could be built, with their names.
pub fn check<'a>(
    ci: Option<&Ci>,
    flag: Option<CiKind>,
    students: impl Iterator<Item = (&'a StudentSpec, &'a [Name])> + Clone,
) -> (Option<Pipeline>, Vec<Diagnostic>) {
    let Some(kind) = flag.or_else(|| ci.map(Ci::kind)) else {
        return (None, Vec::new());
    };
    let (role_arn, max_parallel) = match ci {
        Some(Ci::Settings(s)) => (s.role_arn.clone(), s.max_parallel),
        _ => (None, None),
    };
    let mut found = Vec::new();
    if let Some(arn) = &role_arn {
        found.extend(role_arn_problem(arn));
    }
    // Streams a job creates per account, at most, and students per account.
    let mut accounts: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for (spec, names) in students.clone() {
        let streams = names
            .iter()
            .filter(|n| n.kind == NameKind::KinesisStream)
            .count();
        let entry = accounts.entry(spec.account_id.as_str()).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(u32::try_from(streams).unwrap_or(u32::MAX));
    }
    let shared = accounts.values().any(|(students, _)| *students > 1);
    let default = if shared {
        SHARED_ACCOUNT_DEFAULT
    } else {
        OWN_ACCOUNT_DEFAULT
    };
    let max_parallel = match max_parallel {
        Some(n) if !(1..=MAX_PARALLEL_LIMIT).contains(&n) => {
            found.push(
                Diagnostic::new(
                    Code::SG421,
                    "ci.max_parallel",
                    format!("`ci.max_parallel` is {n}"),
                )
                .value(n.to_string())
                .rule(format!("from 1 to {MAX_PARALLEL_LIMIT}: GitHub runs at most {MAX_PARALLEL_LIMIT} jobs of one matrix"))
                .fix(format!("leave it out for the default ({default} here), or give a number from 1 to {MAX_PARALLEL_LIMIT}")),
            );
            default
        }
        Some(n) => n,
        None => default,
    };
    for (account, (students, streams)) in &accounts {
        // Jobs of one account at once, each creating its streams together.
        let at_once = max_parallel.min(*students) * streams;
        if at_once > KINESIS_CREATING_PER_ACCOUNT {
            found.push(
                Diagnostic::new(
                    Code::SG905,
                    "ci.max_parallel",
                    format!(
                        "`ci.max_parallel` is {max_parallel}, and {students} students share the account {account}: up to {at_once} Kinesis streams would be CREATING in it at once, AWS allows {KINESIS_CREATING_PER_ACCOUNT}"
                    ),
                )
                .value(max_parallel.to_string())
                .rule(format!("at most {KINESIS_CREATING_PER_ACCOUNT} Kinesis streams can be CREATING at the same time per account (a hard limit); the jobs over it fail with LimitExceededException"))
                .fix(format!("set `ci.max_parallel` to {} or less, or give the students their own accounts", (KINESIS_CREATING_PER_ACCOUNT / (*streams).max(1)).max(1))),
            );
        }
    }
    for (spec, _) in students {
        let backend = spec.backend.as_ref();
        let remote = match kind {
            CiKind::Github => backend.is_some_and(|b| b.s3.is_some()),
            CiKind::Gitlab => backend.is_some_and(|b| b.s3.is_some() || b.http.is_some()),
        };
        if !remote {
            let (message, fix) = match (kind, backend.is_some_and(|b| b.http.is_some())) {
                (CiKind::Github, true) => (
                    "a GitHub Actions pipeline with `backend: http` (GitLab-managed state)",
                    "use `backend: { s3: { ... } }` (see bootstrap/), or `ci: gitlab`",
                ),
                _ => (
                    "a CI pipeline with the students' state in local files",
                    "add `backend: { s3: { bucket: ..., region: ..., key_prefix: ..., lock_table: ... } }` to `defaults` (render then writes bootstrap/ for the bucket)",
                ),
            };
            found.push(
                Diagnostic::new(Code::SG422, "ci", message)
                    .rule("a CI job's files are gone when it ends: the students' Terraform state must be remote (`backend: s3`; `backend: http` only in GitLab, which serves it)")
                    .fix(fix),
            );
            // Every student has the same backend in practice: once.
            break;
        }
    }
    let pipeline = Pipeline {
        kind,
        role_arn,
        max_parallel,
    };
    (Some(pipeline), found)
}

/// `arn:<partition>:iam::<account>:role/<path/name>`: what `role-to-assume`
/// and AWS_ROLE_ARN take. IAM role names are 1-64 of `[A-Za-z0-9+=,.@_-]`,
/// paths `/`-separated segments of the same.
fn role_arn_problem(arn: &str) -> Option<Diagnostic> {
    let ok = (|| {
        let rest = ["arn:aws:iam::", "arn:aws-cn:iam::", "arn:aws-us-gov:iam::"]
            .iter()
            .find_map(|p| arn.strip_prefix(p))?;
        let (account, role) = rest.split_once(":role/")?;
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
        };
        let mut segments: Vec<&str> = role.split('/').collect();
        let name = segments.pop()?;
        (account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && name_ok(name)
            && name.len() <= 64
            && role.len() <= 512
            && segments.iter().all(|s| name_ok(s)))
        .then_some(())
    })()
    .is_some();
    (!ok).then(|| {
        Diagnostic::new(
            Code::SG420,
            "ci.role_arn",
            format!("`ci.role_arn` {} is not an IAM role's ARN", quote(arn)),
        )
        .value(arn)
        .rule("`arn:aws:iam::<12-digit account>:role/<name>` (partition `aws`, `aws-cn` or `aws-us-gov`; a path may come before the name; names are 1-64 of letters, digits and `+=,.@_-`)")
        .fix("copy the role's ARN from the IAM console, e.g. `arn:aws:iam::123456789012:role/stackgen-ci`, or leave `role_arn` out and set the CI variable `STACKGEN_ROLE_ARN`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        for good in [
            "arn:aws:iam::123456789012:role/stackgen-ci",
            "arn:aws-cn:iam::123456789012:role/ci/stackgen@uam",
        ] {
            assert!(role_arn_problem(good).is_none(), "{good}");
        }
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a b",
            "arn:aws:iam::123456789012:role/x\"\n  run: evil",
            "arn:aws:s3:::bucket",
        ] {
            let d = role_arn_problem(bad).unwrap();
            assert_eq!(d.code, Code::SG420, "{bad}");
        }
        let long = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(65));
        assert!(role_arn_problem(&long).is_some());
    }
}
