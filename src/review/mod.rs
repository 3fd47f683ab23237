//! `stackgen review`: what every role of a student's stack may do, in plain
//! words, with findings an instructor can act on.
//!
//! The review reads the same typed IAM documents the templates print, so it
//! describes exactly what is deployed. Which resources use a role is read
//! from the rendered Terraform (hcl-rs parse-back), not assumed.
//!
//! Finding codes (stable):
//! - IAM001 (error) an action with a wildcard (`kinesis:*`);
//! - IAM002 (warning) the resource `*`;
//! - IAM003 (error) a resource that reaches beyond the student's own
//!   resources (`*`, or a pattern such as `datalake-...-12345*` that also
//!   matches `datalake-...-123456`);
//! - IAM004 (warning) a permissions-management action (`iam:PassRole`,
//!   `s3:PutBucketPolicy`, ...), also when a wildcard includes one;
//! - IAM005 (warning) a role no resource of the stack uses.

pub mod report;
pub mod words;

use crate::base::codes::Code;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::link::Resource;
use crate::stack::iam::Statement;
use crate::stack::Stack as Plan;

/// Review findings are graded by the one code registry.
pub use crate::base::codes::Severity;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The statement it is about (its Sid), or empty for the role itself.
    pub statement: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementReview {
    pub sid: String,
    /// The statement in plain words.
    pub words: String,
    #[serde(flatten)]
    pub statement: Statement,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleReview {
    pub role: String,
    pub policy: String,
    pub trusted_service: String,
    /// AWS managed policies attached beside the inline policy.
    pub managed_policies: Vec<String>,
    /// Terraform addresses of the resources that use the role.
    pub used_by: Vec<String>,
    pub statements: Vec<StatementReview>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The student's name suffix (`dev-100603781557-jk-12345`).
    pub student: String,
    pub policy_style: crate::base::model::PolicyStyle,
    /// Learner Lab: the role every service uses instead of the stack's own.
    pub existing_role: Option<String>,
    pub roles: Vec<RoleReview>,
}

impl Review {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.roles.iter().flat_map(|r| r.findings.iter())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings().filter(|f| f.severity == severity).count()
    }

    pub fn worst(&self) -> Option<Severity> {
        self.findings().map(|f| f.severity).max()
    }
}

/// Actions that change who may do what: granting them is a privilege
/// escalation path even when the resource is the student's own.
const PERMISSIONS_MANAGEMENT: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "logs:PutResourcePolicy",
    "glue:PutResourcePolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutAccessPointPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutObjectAcl",
];

/// Reviews every role of a stack. Roles and their addresses come from the
/// stack's parts; `resources` is what the link stage's parse-back found,
/// so "used by" is read off the rendered Terraform, not assumed.
pub fn review(plan: &Plan, resources: &[Resource]) -> Review {
    let own = own_arns(plan);
    let roles = plan
        .parts
        .iter()
        .filter_map(|part| part.role.as_ref())
        .map(|role| {
            let address = role.address.to_string();
            let attachments: Vec<String> =
                role.managed.iter().map(|(a, _)| a.to_string()).collect();
            let used_by: Vec<String> = resources
                .iter()
                .filter(|r| {
                    r.address != role.policy_address.to_string()
                        && !attachments.contains(&r.address)
                        && r.refs.contains(&address)
                })
                .map(|r| r.address.clone())
                .collect();
            let managed: Vec<String> = role.managed.iter().map(|(_, arn)| arn.clone()).collect();
            let mut findings = Vec::new();
            if used_by.is_empty() {
                findings.push(Finding {
                    code: Code::IAM005,
                    severity: Severity::Warning,
                    statement: String::new(),
                    message: format!("no resource of the stack uses role `{}`", role.name),
                });
            }
            let statements = role
                .policy
                .statements
                .iter()
                .map(|s| {
                    findings.extend(statement_findings(s, &own));
                    StatementReview {
                        sid: s.sid.clone(),
                        words: words::statement(s),
                        statement: s.clone(),
                    }
                })
                .collect();
            let trusted_service = role
                .trust
                .statements
                .iter()
                .filter_map(|s| s.principal.as_ref())
                .map(|p| p.service.clone())
                .collect::<Vec<_>>()
                .join(", ");
            RoleReview {
                role: role.name.clone(),
                policy: role.policy_name.clone(),
                trusted_service,
                managed_policies: managed,
                used_by,
                statements,
                findings,
            }
        })
        .collect();
    Review {
        student: plan.name("suffix").unwrap_or_default().to_owned(),
        policy_style: plan.spec.policy_style,
        existing_role: plan.features.existing_role.clone(),
        roles,
    }
}

/// The ARNs of resources the student owns; anything under them (after `/`
/// or `:`) is theirs too.
pub fn own_arns(plan: &Plan) -> Vec<String> {
    let a = &plan.arns;
    vec![
        a.bucket.clone(),
        a.stream.clone(),
        a.alerts_firehose.clone(),
        a.alert_function.clone(),
        a.firehose_log_group.clone(),
        a.alerts_firehose_log_group.clone(),
        a.etl_log_group.clone(),
        a.alert_log_group.clone(),
        a.detector_log_group.clone(),
        a.reaper_log_group.clone(),
    ]
    .into_iter()
    .chain(a.etl_parameter.clone())
    .chain([a.processed_bucket.clone()])
    .filter(|arn| !arn.is_empty())
    .collect()
}

fn is_own(resource: &str, own: &[String]) -> bool {
    own.iter().any(|arn| {
        resource == arn
            || resource
                .strip_prefix(arn.as_str())
                .is_some_and(|rest| rest.starts_with(['/', ':']))
    })
}

/// The findings of one statement (IAM001 to IAM004): `stackgen grade`
/// reports them on a student's own policies as advice.
pub fn statement_findings(s: &Statement, own: &[String]) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut add = |code: Code, message: String| {
        found.push(Finding {
            code,
            severity: code.severity(),
            statement: s.sid.clone(),
            message,
        });
    };
    for action in s.actions.iter().filter(|a| a.contains(['*', '?'])) {
        add(
            Code::IAM001,
            format!("action `{action}` is a wildcard: it grants every matching action, including ones added to AWS later"),
        );
    }
    for resource in &s.resources {
        if resource == "*" {
            add(
                Code::IAM002,
                "resource `*`: the statement applies to every resource of its service".to_owned(),
            );
        }
        if !is_own(resource, own) {
            add(
                Code::IAM003,
                format!(
                    "`{resource}` reaches beyond the student's own resources ({})",
                    words::resource(resource)
                ),
            );
        }
    }
    let mut management: Vec<&str> = PERMISSIONS_MANAGEMENT
        .iter()
        .copied()
        .filter(|m| s.actions.iter().any(|a| glob(a, m)))
        .collect();
    management.dedup();
    if !management.is_empty() {
        add(
            Code::IAM004,
            format!(
                "grants permissions-management actions: {}",
                management.join(", ")
            ),
        );
    }
    found
}

/// IAM action matching: case-insensitive, `*` any run, `?` one character.
fn glob(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

/// Findings per severity over several reviews (a class roll-up).
pub fn totals<'a>(reviews: impl IntoIterator<Item = &'a Review>) -> BTreeMap<Severity, usize> {
    let mut totals = BTreeMap::new();
    for f in reviews.into_iter().flat_map(Review::findings) {
        *totals.entry(f.severity).or_insert(0) += 1;
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handout_plan() -> Plan {
        let spec = crate::input::load::handout_student();
        Plan::new(&spec, &spec.edition())
    }

    #[test]
    fn a_role_without_users_is_reported() {
        let plan = handout_plan();
        let mut files =
            crate::output::emit::render(&plan, crate::output::emit::Origin::file("s.yaml"))
                .unwrap();
        assert!(review(&plan, &crate::output::link::link(&files).resources)
            .worst()
            .is_none());
        files.remove("kinesis_fh.tf");
        let review = review(&plan, &crate::output::link::link(&files).resources);
        let unused: Vec<&str> = review
            .roles
            .iter()
            .filter(|r| r.findings.iter().any(|f| f.code == Code::IAM005))
            .map(|r| r.role.as_str())
            .collect();
        assert_eq!(
            unused,
            [
                "firehose-role-dev-100603781557-jk-12345",
                "firehose-alerts-role-dev-100603781557-jk-12345"
            ]
        );
    }

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob("s3:*", "s3:PutBucketPolicy"));
        assert!(glob("S3:put*", "s3:PutObjectAcl"));
        assert!(glob("iam:PassRole", "iam:PassRole"));
        assert!(!glob("s3:Get*", "s3:PutBucketPolicy"));
        assert!(glob("s3:?etObject", "s3:GetObject"));
    }

    #[test]
    fn ownership_stops_at_the_name() {
        let own = vec!["arn:aws:s3:::datalake-dev-1-jk-12345".to_owned()];
        assert!(is_own("arn:aws:s3:::datalake-dev-1-jk-12345", &own));
        assert!(is_own(
            "arn:aws:s3:::datalake-dev-1-jk-12345/raw-zone/*",
            &own
        ));
        assert!(!is_own("arn:aws:s3:::datalake-dev-1-jk-12345*", &own));
        assert!(!is_own("arn:aws:s3:::datalake-dev-1-jk-123456", &own));
        assert!(!is_own("*", &own));
    }
}
