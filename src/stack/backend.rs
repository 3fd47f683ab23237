//! Where a stack's Terraform state lives, and the class's bootstrap stack
//! that creates the state bucket.
//!
//! `StateBackend::of` resolves a spec's `backend:` into what the stack's
//! `terraform` block says and what a CI job needs to know (the plan JSON
//! carries it): the S3 bucket, the student's key and the lock, or the
//! GitLab state's name. `required_version` is the one place that raises
//! Terraform's version for a backend. `Bootstrap` is the small stack a
//! class renders into `bootstrap/` when its students share an S3 backend.
//!
//! The settings that point a backend at a local AWS API (endpoints, path
//! style, skipped credential checks) belong to the test harness, which
//! passes them with `-backend-config`; nothing here or in the templates
//! can print them.

use serde::Serialize;

use super::address::Address;
use crate::base::model::{StudentSpec, Target};

/// A stack's backend, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StateBackend {
    /// Terraform's S3 backend.
    S3 {
        bucket: String,
        region: String,
        /// `<key_prefix>/<index_no>-<initials>/terraform.tfstate`.
        key: String,
        /// Classic: the DynamoDB table that locks the state.
        lock_table: Option<String>,
        /// Modern: the lock is a `<key>.tflock` object beside the state
        /// (Terraform >= 1.10).
        use_lockfile: bool,
    },
    /// GitLab-managed state through Terraform's HTTP backend: the job
    /// gives the address (`.../terraform/state/<state_name>`).
    Http {
        /// The student's directory, `<index_no>-<initials>`.
        state_name: String,
    },
}

impl StateBackend {
    /// The backend a spec asks for; None for local state.
    pub fn of(spec: &StudentSpec) -> Option<Self> {
        let dir = spec.student.dir();
        let backend = spec.backend.as_ref()?;
        Some(match (&backend.s3, &backend.http) {
            (Some(s3), None) => Self::S3 {
                bucket: s3.bucket.clone(),
                region: s3.region.clone(),
                key: format!("{}/{dir}/terraform.tfstate", s3.key_prefix),
                lock_table: match spec.target {
                    Target::Classic => s3.lock_table.clone(),
                    Target::Modern => None,
                },
                use_lockfile: spec.target == Target::Modern,
            },
            (None, Some(_)) => Self::Http { state_name: dir },
            // Validation refuses both and neither (SG406).
            _ => return None,
        })
    }

    /// The backend block's type: `s3` or `http`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::S3 { .. } => "s3",
            Self::Http { .. } => "http",
        }
    }
}

/// The kind of backend a spec asks for, without resolving it: `local`,
/// `s3` or `http` (the template shape's part, `stack::shape`).
pub fn kind_of(spec: &StudentSpec) -> &'static str {
    match spec
        .backend
        .as_ref()
        .map(|b| (b.s3.is_some(), b.http.is_some()))
    {
        Some((true, false)) => "s3",
        Some((false, true)) => "http",
        // Neither or both: validation refuses it (SG406).
        Some(_) => "invalid",
        None => "local",
    }
}

/// The Terraform versions a stack takes: the target's, raised to 1.10 for
/// the modern target's S3 backend, whose lock file (`use_lockfile`) came
/// with 1.10. Classic locks through DynamoDB, which 0.14 has.
pub fn required_version(target: Target, backend: Option<&StateBackend>) -> &'static str {
    match (target, backend) {
        (Target::Classic, _) => ">= 0.14",
        (Target::Modern, Some(StateBackend::S3 { .. })) => ">= 1.10",
        (Target::Modern, _) => ">= 1.5",
    }
}

/// The blocks of the bootstrap stack.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BootstrapAddresses {
    pub bucket: Address,
    /// Modern only (provider 3.x sets these inside the bucket).
    pub versioning: Address,
    pub encryption: Address,
    pub lifecycle: Address,
    pub public_access: Address,
    /// Classic only.
    pub lock_table: Address,
}

pub const BOOTSTRAP_ADDRESSES: BootstrapAddresses = BootstrapAddresses {
    bucket: Address::resource("aws_s3_bucket", "state"),
    versioning: Address::resource("aws_s3_bucket_versioning", "state"),
    encryption: Address::resource(
        "aws_s3_bucket_server_side_encryption_configuration",
        "state",
    ),
    lifecycle: Address::resource("aws_s3_bucket_lifecycle_configuration", "state"),
    public_access: Address::resource("aws_s3_bucket_public_access_block", "state"),
    lock_table: Address::resource("aws_dynamodb_table", "lock"),
};

/// Days S3 keeps a state object's earlier versions (a bad apply can be
/// rolled back within them).
pub const NONCURRENT_DAYS: u32 = 90;

/// The class's state bucket (and, classic, its lock table) as a stack of
/// its own, applied once with local state before any student's stack.
#[derive(Debug, Clone, Serialize)]
pub struct Bootstrap {
    pub target: Target,
    pub course: String,
    pub bucket: String,
    pub region: String,
    pub key_prefix: String,
    /// Classic: the DynamoDB lock table.
    pub lock_table: Option<String>,
    /// The account every student's stack is in, when they share one: the
    /// bucket goes there, and the provider refuses any other account.
    pub account_id: Option<String>,
    pub noncurrent_days: u32,
    pub a: BootstrapAddresses,
}

impl Bootstrap {
    /// The bootstrap stack of a class whose students use an S3 backend
    /// (`specs` are the class's students, who share `defaults.backend`).
    pub fn of<'a>(course: &str, specs: impl IntoIterator<Item = &'a StudentSpec>) -> Option<Self> {
        let mut specs = specs.into_iter();
        let first = specs.next()?;
        let s3 = first.backend.as_ref()?.s3.as_ref()?;
        let shared = specs.all(|s| s.account_id == first.account_id);
        Some(Self {
            target: first.target,
            course: course.to_owned(),
            bucket: s3.bucket.clone(),
            region: s3.region.clone(),
            key_prefix: s3.key_prefix.clone(),
            lock_table: match first.target {
                Target::Classic => s3.lock_table.clone(),
                Target::Modern => None,
            },
            account_id: shared.then(|| first.account_id.clone()),
            noncurrent_days: NONCURRENT_DAYS,
            a: BOOTSTRAP_ADDRESSES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::model::{Backend, HttpBackend, S3Backend};

    fn spec(target: Target, backend: Option<Backend>) -> StudentSpec {
        let mut spec: StudentSpec = serde_json::from_value(serde_json::json!({
            "student": { "name": "Jan Kowalski", "initials": "jk", "index_no": "12345" },
            "account_id": "100603781557",
        }))
        .unwrap();
        spec.target = target;
        spec.backend = backend;
        spec
    }

    fn s3() -> Backend {
        Backend {
            s3: Some(S3Backend {
                bucket: "uam-tfstate".into(),
                region: "eu-central-1".into(),
                key_prefix: "uam/2026".into(),
                lock_table: Some("uam-locks".into()),
            }),
            http: None,
        }
    }

    #[test]
    fn the_key_is_the_documented_layout() {
        let backend = StateBackend::of(&spec(Target::Classic, Some(s3()))).unwrap();
        assert_eq!(
            backend,
            StateBackend::S3 {
                bucket: "uam-tfstate".into(),
                region: "eu-central-1".into(),
                key: "uam/2026/12345-jk/terraform.tfstate".into(),
                lock_table: Some("uam-locks".into()),
                use_lockfile: false,
            }
        );
        let modern = StateBackend::of(&spec(Target::Modern, Some(s3()))).unwrap();
        assert!(matches!(
            modern,
            StateBackend::S3 {
                use_lockfile: true,
                lock_table: None,
                ..
            }
        ));
        let http = StateBackend::of(&spec(
            Target::Modern,
            Some(Backend {
                s3: None,
                http: Some(HttpBackend {}),
            }),
        ));
        assert_eq!(
            http,
            Some(StateBackend::Http {
                state_name: "12345-jk".into()
            })
        );
        assert_eq!(StateBackend::of(&spec(Target::Modern, None)), None);
    }

    #[test]
    fn only_the_modern_s3_backend_raises_the_version() {
        let s3 = StateBackend::of(&spec(Target::Modern, Some(s3())));
        assert_eq!(required_version(Target::Modern, s3.as_ref()), ">= 1.10");
        assert_eq!(required_version(Target::Modern, None), ">= 1.5");
        let http = StateBackend::Http {
            state_name: "x".into(),
        };
        assert_eq!(required_version(Target::Modern, Some(&http)), ">= 1.5");
        assert_eq!(required_version(Target::Classic, s3.as_ref()), ">= 0.14");
    }

    #[test]
    fn the_bootstrap_guards_a_shared_account_only() {
        let a = spec(Target::Classic, Some(s3()));
        let mut b = a.clone();
        let boot = Bootstrap::of("c", [&a, &b]).unwrap();
        assert_eq!(boot.account_id.as_deref(), Some("100603781557"));
        assert_eq!(boot.lock_table.as_deref(), Some("uam-locks"));
        b.account_id = "210987654321".into();
        assert_eq!(Bootstrap::of("c", [&a, &b]).unwrap().account_id, None);
        assert!(Bootstrap::of("c", [&spec(Target::Classic, None)]).is_none());
    }
}
