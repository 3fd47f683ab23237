//! A review as text (terminal), Markdown (to hand out or paste into an
//! issue) or JSON (for tools).

use std::fmt::Write as _;

use super::{Review, RoleReview, Severity};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn summary(review: &Review) -> String {
    format!(
        "{} roles, {} errors, {} warnings",
        review.roles.len(),
        review.count(Severity::Error),
        review.count(Severity::Warning)
    )
}

fn style(review: &Review) -> &'static str {
    match review.policy_style {
        crate::base::model::PolicyStyle::LeastPrivilege => "least_privilege",
        crate::base::model::PolicyStyle::Lab => "lab",
    }
}

pub fn text(review: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "IAM review of {} ({} policies): {}",
        review.student,
        style(review),
        summary(review)
    );
    if let Some(role) = &review.existing_role {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", learner_lab(role));
    }
    for role in &review.roles {
        let _ = writeln!(out);
        text_role(&mut out, role);
    }
    out
}

/// What an instructor should know when the stack creates no IAM.
fn learner_lab(role: &str) -> String {
    format!(
        "The stack creates no IAM roles or policies: every service uses the existing role `{role}`. \
What the stack may do is that role's permissions (in an AWS Academy Learner Lab, the lab's), \
outside this stack's control; review them in the IAM console."
    )
}

fn text_role(out: &mut String, role: &RoleReview) {
    let _ = writeln!(out, "role {}", role.role);
    let _ = writeln!(out, "  trusted service: {}", role.trusted_service);
    let used = if role.used_by.is_empty() {
        "nothing".to_owned()
    } else {
        role.used_by.join(", ")
    };
    let _ = writeln!(out, "  used by: {used}");
    for managed in &role.managed_policies {
        let _ = writeln!(out, "  managed policy: {managed} (maintained by AWS)");
    }
    let _ = writeln!(out, "  policy {}:", role.policy);
    for s in &role.statements {
        let _ = writeln!(out, "    - {}: {}", s.sid, s.words);
    }
    if role.findings.is_empty() {
        let _ = writeln!(out, "  findings: none");
    }
    for f in &role.findings {
        let place = if f.statement.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.statement)
        };
        let _ = writeln!(
            out,
            "  {}[{}]{place}: {}",
            severity(f.severity),
            f.code,
            f.message
        );
    }
}

pub fn markdown(review: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# IAM review of `{}`", review.student);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Policy style `{}`: {}.",
        style(review),
        summary(review)
    );
    if let Some(role) = &review.existing_role {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", learner_lab(role));
    }
    for role in &review.roles {
        let _ = writeln!(out);
        let _ = writeln!(out, "## `{}`", role.role);
        let _ = writeln!(out);
        let _ = writeln!(out, "- Trusted service: `{}`", role.trusted_service);
        let used: Vec<String> = role.used_by.iter().map(|u| format!("`{u}`")).collect();
        let _ = writeln!(
            out,
            "- Used by: {}",
            if used.is_empty() {
                "nothing".to_owned()
            } else {
                used.join(", ")
            }
        );
        for managed in &role.managed_policies {
            let _ = writeln!(out, "- Managed policy: `{managed}` (maintained by AWS)");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| statement | what it allows |");
        let _ = writeln!(out, "|---|---|");
        for s in &role.statements {
            let _ = writeln!(out, "| {} | {} |", s.sid, s.words.replace('|', "\\|"));
        }
        let _ = writeln!(out);
        if role.findings.is_empty() {
            let _ = writeln!(out, "No findings.");
        } else {
            let _ = writeln!(out, "| severity | code | statement | finding |");
            let _ = writeln!(out, "|---|---|---|---|");
            for f in &role.findings {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    severity(f.severity),
                    f.code,
                    f.statement,
                    f.message.replace('|', "\\|")
                );
            }
        }
    }
    out
}

pub fn json(review: &Review) -> String {
    let mut text = serde_json::to_string_pretty(review).expect("a review is plain data");
    text.push('\n');
    text
}
