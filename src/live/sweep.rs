//! `stackgen sweep`: deletes the named students' billed resources that are
//! at least `--older-than` old, by exact name, in their region, only when
//! they carry the stack's tags (`look::judge`). A dry run unless `--yes`.
//!
//! It never touches anything else: not a resource by a name that only
//! starts like a student's, not one whose tags or ARN are not the stack's,
//! not a student missing from the input, not the S3 data. What it deletes
//! the next `terraform apply` creates again.

use std::fmt::Write as _;

use super::billed::{usd_cents, usd_rate};
use super::clock::{rfc3339, Span};
use super::look::{Checked, Member, Running, Seen, Session, Survey};

/// What happened to one of the stack's billed resources.
#[derive(Debug, Clone)]
pub enum Action {
    /// Old enough: deleted (or, in a dry run, would be).
    Delete,
    Deleted,
    DeleteFailed(String),
    /// Younger than `--older-than`: left billing on purpose.
    TooYoung,
    /// AWS is deleting it already.
    BeingDeleted,
}

/// One line of the sweep's account.
#[derive(Debug, Clone)]
pub struct Line {
    pub member: usize,
    pub running: Running,
    pub action: Action,
}

/// The sweep: every resource the look found, and what was done with it.
pub struct Sweep {
    pub older_than: Span,
    pub dry_run: bool,
    pub survey: Survey,
    pub lines: Vec<Line>,
}

/// How the sweep ended, which the exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing the sweep is for is left billing: everything old enough was
    /// deleted, or nothing was (0).
    Clear,
    /// Something old enough still bills: a dry run found it, or a deletion
    /// failed (5).
    StillBilling,
    /// Nothing old enough is known to bill, but some students could not be
    /// checked (1).
    Unchecked,
}

impl Sweep {
    /// Looks, chooses, and (unless `dry_run`) deletes.
    pub fn run(
        session: &mut Session,
        members: &[Member],
        survey: Survey,
        older_than: Span,
        dry_run: bool,
    ) -> Self {
        let mut lines = Vec::new();
        for (i, checked) in survey.checked.iter().enumerate() {
            let Checked::Looked(seen) = checked else {
                continue;
            };
            for s in seen {
                let Seen::Ours(r) = s else { continue };
                let action = if r.summary.deleting() {
                    Action::BeingDeleted
                } else if u64::try_from(r.seconds).unwrap_or(0) >= older_than.seconds {
                    Action::Delete
                } else {
                    Action::TooYoung
                };
                lines.push(Line {
                    member: i,
                    running: r.clone(),
                    action,
                });
            }
        }
        if !dry_run {
            for line in lines
                .iter_mut()
                .filter(|l| matches!(l.action, Action::Delete))
            {
                let region = &members[line.member].stack.spec.region;
                line.action =
                    match session.delete(region, line.running.row, &line.running.summary.name) {
                        Ok(()) => Action::Deleted,
                        Err(e) => Action::DeleteFailed(e),
                    };
            }
        }
        Sweep {
            older_than,
            dry_run,
            survey,
            lines,
        }
    }

    fn count(&self, f: impl Fn(&Action) -> bool) -> usize {
        self.lines.iter().filter(|l| f(&l.action)).count()
    }

    /// Students the look could not fully check.
    fn unchecked(&self) -> usize {
        self.survey
            .checked
            .iter()
            .filter(|c| match c {
                Checked::Looked(seen) => seen.iter().any(|s| matches!(s, Seen::Failed { .. })),
                _ => true,
            })
            .count()
    }

    pub fn outcome(&self) -> Outcome {
        let left = self.count(|a| matches!(a, Action::Delete | Action::DeleteFailed(_)));
        if left > 0 {
            Outcome::StillBilling
        } else if self.unchecked() > 0 {
            Outcome::Unchecked
        } else {
            Outcome::Clear
        }
    }

    /// What the sweep did, as text.
    pub fn text(&self, members: &[Member]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Sweep of what bills by the hour and is at least {} old, as of {}, {}{}:",
            self.older_than,
            rfc3339(self.survey.now),
            self.survey.account.as_deref().map_or_else(
                |_| "in no account reached".to_owned(),
                |a| format!("in account {a}")
            ),
            if self.dry_run {
                " (a dry run: nothing is deleted without --yes)"
            } else {
                ""
            }
        );
        let _ = writeln!(out);
        for line in &self.lines {
            self.line(&mut out, &members[line.member], line);
        }
        self.others(&mut out, members);
        if self.lines.is_empty() && self.unchecked() < self.survey.checked.len() {
            let _ = writeln!(out, "Nothing of the stacks' own bills by the hour.");
        }
        let _ = writeln!(out);
        if self.count(|a| {
            matches!(
                a,
                Action::Delete | Action::Deleted | Action::DeleteFailed(_)
            )
        }) > 0
        {
            let _ = writeln!(
                out,
                "Deleting a stream stops its shard-hours; the S3 buckets and their data stay. The next `terraform apply` in the student's directory creates the stream again; until then the Terraform state still lists it, and `terraform plan` shows it as drift (to be created)."
            );
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// One of the stacks' own resources and what was done with it.
    fn line(&self, out: &mut String, m: &Member, line: &Line) {
        let r = &line.running;
        let (word, why) = match &line.action {
            Action::Delete => ("would delete", String::new()),
            Action::Deleted => ("deleted", String::new()),
            Action::DeleteFailed(e) => ("NOT deleted", format!(": {e}")),
            Action::TooYoung => ("kept", format!(": younger than {}", self.older_than)),
            Action::BeingDeleted => ("being deleted", ": AWS is deleting it already".to_owned()),
        };
        let cost = match (r.cost.per_hour_micro, r.cost.so_far_cents) {
            (Some(h), Some(c)) => format!(", ${} per hour, ${} so far", usd_rate(h), usd_cents(c)),
            _ => String::new(),
        };
        #[allow(clippy::cast_precision_loss)]
        let age = r.seconds.max(0) as f64 / 3600.0;
        let _ = writeln!(
            out,
            "{word:<13} {} ({}): {} {} in {}, created {} ({age:.2} h ago{cost}){why}",
            m.dir,
            m.stack.spec.student.name,
            r.row.what,
            r.summary.name,
            m.stack.spec.region,
            rfc3339(r.summary.created),
        );
    }

    /// What the sweep left alone or could not check, student by student.
    fn others(&self, out: &mut String, members: &[Member]) {
        for (m, checked) in members.iter().zip(&self.survey.checked) {
            let who = format!("{} ({})", m.dir, m.stack.spec.student.name);
            match checked {
                Checked::Looked(seen) => {
                    for s in seen {
                        match s {
                            Seen::NotOurs { row, name, why } => {
                                let _ = writeln!(
                                    out,
                                    "{:<13} {who}: {} {name}: not the stack's ({why})",
                                    "left alone", row.what
                                );
                            }
                            Seen::Failed { row, name, error } => {
                                let _ = writeln!(
                                    out,
                                    "{:<13} {who}: {} {name}: {error}",
                                    "not checked", row.what
                                );
                            }
                            Seen::Ours(_) => {}
                        }
                    }
                }
                Checked::OtherAccount => {
                    let _ = writeln!(
                        out,
                        "{:<13} {who}: the stack is in account {}; these credentials reach {}",
                        "not checked",
                        m.stack.spec.account_id,
                        self.survey.account.as_deref().unwrap_or("another")
                    );
                }
                Checked::Failed(e) => {
                    let _ = writeln!(out, "{:<13} {who}: {e}", "not checked");
                }
            }
        }
    }

    /// The last line: what is left, and what to do.
    fn summary(&self) -> String {
        let would = self.count(|a| matches!(a, Action::Delete));
        let deleted = self.count(|a| matches!(a, Action::Deleted));
        let failed = self.count(|a| matches!(a, Action::DeleteFailed(_)));
        match self.outcome() {
            Outcome::StillBilling if self.dry_run => format!(
                "{would} resource{} would be deleted; run again with --yes to delete {}.",
                plural(would),
                if would == 1 { "it" } else { "them" }
            ),
            Outcome::StillBilling => format!(
                "Deleted {deleted}; {failed} could not be deleted and still bill{}.",
                if failed == 1 { "s" } else { "" }
            ),
            Outcome::Clear if deleted > 0 => format!(
                "Deleted {deleted} resource{}; nothing at least {} old is left billing.",
                plural(deleted),
                self.older_than
            ),
            Outcome::Clear => format!(
                "Nothing at least {} old bills among the students of the input.",
                self.older_than
            ),
            Outcome::Unchecked => format!(
                "Nothing at least {} old bills among the students checked; {} could not be checked.",
                self.older_than,
                self.unchecked()
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
