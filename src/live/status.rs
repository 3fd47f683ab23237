//! `stackgen status`: what each student has left billing by the hour, since
//! when, at what rate and what it has cost so far, and the class total; as
//! text, JSON or Markdown. Built from a `look::Survey`; this module only
//! counts and prints.

use std::fmt::Write as _;

use serde::Serialize;

use super::billed::{dollars, usd_cents, usd_rate};
use super::clock::rfc3339;
use super::look::{Checked, Member, Running, Seen, Survey};
use crate::base::part::PartId;
use crate::output::emit::readme::md;
use crate::stack::parts::REAPER_EVERY_MINUTES;
use crate::stack::Stack;
use aws_smithy_types::DateTime;

/// The report, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The clock's time the ages and costs are measured to (RFC 3339).
    pub now: String,
    /// The account the credentials reach; None when that is unknown.
    pub account: Option<String>,
    pub students: Vec<StudentReport>,
    pub total: Total,
}

#[derive(Debug, Serialize)]
pub struct StudentReport {
    pub dir: String,
    pub student: String,
    pub index_no: String,
    pub account_id: String,
    pub region: String,
    /// Whether every billed part was looked at.
    pub checked: bool,
    /// Why not, or what failed.
    pub note: Option<String>,
    /// The stack's own billed resources that exist.
    pub running: Vec<Item>,
    /// Resources with the stack's exact names that are not the stack's
    /// (other tags, another account or region): reported, not counted.
    pub not_ours: Vec<NotOurs>,
    /// USD per hour and so far of what bills; None when the region's
    /// prices are unknown (or nothing bills: 0).
    pub usd_per_hour: Option<f64>,
    pub usd_so_far: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Item {
    /// The part (`stream`).
    pub part: String,
    pub what: &'static str,
    pub name: String,
    pub arn: String,
    /// AWS's state; a `DELETING` resource no longer bills.
    pub status: String,
    pub billing: bool,
    pub created: String,
    pub hours: f64,
    pub units: u32,
    pub usd_per_hour: Option<f64>,
    pub usd_so_far: Option<f64>,
    pub basis: String,
    /// With `expire_after_hours`: when the stack's reaper deletes it.
    pub expires: Option<String>,
    /// Still there a schedule period after it expired: the reaper is not
    /// doing its work (look at its log group).
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct NotOurs {
    pub what: &'static str,
    pub name: String,
    pub why: String,
}

#[derive(Debug, Serialize)]
pub struct Total {
    pub students: usize,
    pub not_checked: usize,
    /// Students with something billing.
    pub students_billing: usize,
    /// Resources billing.
    pub billing: usize,
    pub usd_per_hour: f64,
    pub usd_so_far: f64,
    /// Billing resources in regions whose prices are unknown, not in the sums.
    pub unpriced: usize,
}

/// Sums in whole units, so that the printed rows add up to the total.
#[derive(Default, Clone, Copy)]
struct Sums {
    micro_per_hour: i64,
    cents: i64,
    unpriced: usize,
}

impl Sums {
    fn add(&mut self, r: &Running) {
        match (r.cost.per_hour_micro, r.cost.so_far_cents) {
            (Some(m), Some(c)) => {
                self.micro_per_hour += m;
                self.cents += c;
            }
            _ => self.unpriced += 1,
        }
    }
}

fn part_key(r: &Running) -> String {
    serde_json::to_value(r.row.part)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn billing(r: &Running) -> bool {
    !r.summary.deleting()
}

/// Hours to two decimals, for reading.
#[allow(clippy::cast_precision_loss)]
fn hours(seconds: i64) -> f64 {
    (seconds.max(0) as f64 / 36.0).round() / 100.0
}

impl Report {
    pub fn new(members: &[Member], survey: &Survey) -> Self {
        let mut total = Sums::default();
        let (mut not_checked, mut students_billing, mut billing_count) = (0, 0, 0);
        let students = members
            .iter()
            .zip(&survey.checked)
            .map(|(m, checked)| {
                let spec = &m.stack.spec;
                let mut report = StudentReport {
                    dir: m.dir.clone(),
                    student: spec.student.name.clone(),
                    index_no: spec.student.index_no.clone(),
                    account_id: spec.account_id.clone(),
                    region: spec.region.clone(),
                    checked: true,
                    note: None,
                    running: Vec::new(),
                    not_ours: Vec::new(),
                    usd_per_hour: Some(0.0),
                    usd_so_far: Some(0.0),
                };
                let mut sums = Sums::default();
                let mut errors = Vec::new();
                match checked {
                    Checked::OtherAccount => {
                        report.checked = false;
                        report.note = Some(format!(
                            "not checked: the stack is in account {}, and these credentials reach {}",
                            spec.account_id,
                            survey.account.as_deref().unwrap_or("another")
                        ));
                    }
                    Checked::Failed(e) => {
                        report.checked = false;
                        report.note = Some(format!("not checked: {e}"));
                    }
                    Checked::Looked(seen) => {
                        for s in seen {
                            match s {
                                Seen::Ours(r) => {
                                    if billing(r) {
                                        sums.add(r);
                                    }
                                    report.running.push(item(r, &m.stack, survey.now));
                                }
                                Seen::NotOurs { row, name, why } => {
                                    report.not_ours.push(NotOurs {
                                        what: row.what,
                                        name: name.clone(),
                                        why: why.clone(),
                                    });
                                }
                                Seen::Failed { row, name, error } => {
                                    errors.push(format!("{} {name}: {error}", row.what));
                                }
                            }
                        }
                    }
                }
                if !errors.is_empty() {
                    report.checked = false;
                    report.note = Some(format!("not checked: {}", errors.join("; ")));
                }
                if report.checked {
                    let n = report.running.iter().filter(|i| i.billing).count();
                    billing_count += n;
                    students_billing += usize::from(n > 0);
                } else {
                    not_checked += 1;
                }
                let priced = sums.unpriced == 0;
                report.usd_per_hour = priced.then(|| dollars(sums.micro_per_hour, 1_000_000));
                report.usd_so_far = priced.then(|| dollars(sums.cents, 100));
                total.micro_per_hour += sums.micro_per_hour;
                total.cents += sums.cents;
                total.unpriced += sums.unpriced;
                report
            })
            .collect();
        Report {
            now: rfc3339(survey.now),
            account: survey.account.as_ref().ok().cloned(),
            students,
            total: Total {
                students: members.len(),
                not_checked,
                students_billing,
                billing: billing_count,
                usd_per_hour: dollars(total.micro_per_hour, 1_000_000),
                usd_so_far: dollars(total.cents, 100),
                unpriced: total.unpriced,
            },
        }
    }

    /// Whether every student was checked.
    pub fn complete(&self) -> bool {
        self.total.not_checked == 0
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data");
        text.push('\n');
        text
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "What bills by the hour, as of {}, {}:",
            self.now,
            self.account.as_deref().map_or_else(
                || "in no account reached".to_owned(),
                |a| format!("in account {a}")
            )
        );
        for s in &self.students {
            let _ = writeln!(out);
            let _ = writeln!(out, "{}  {} ({})", s.dir, s.student, s.region);
            if let Some(note) = &s.note {
                let _ = writeln!(out, "  {note}");
            }
            for i in &s.running {
                let _ = writeln!(
                    out,
                    "  {} {}: {}, created {} ({:.2} h ago){}; {}: {}",
                    i.part,
                    i.name,
                    i.status,
                    i.created,
                    i.hours,
                    expiry(i),
                    i.basis,
                    money(i)
                );
            }
            for n in &s.not_ours {
                let _ = writeln!(
                    out,
                    "  not the stack's, not counted: {} {}: {}",
                    n.what, n.name, n.why
                );
            }
            if s.checked && s.running.is_empty() {
                let _ = writeln!(out, "  nothing running");
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", self.total_line());
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# What bills by the hour");
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "As of {}, {}.",
            md::code(&self.now),
            self.account.as_deref().map_or_else(
                || "in no account reached".to_owned(),
                |a| format!("in account {}", md::code(a))
            )
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| student | region | what | name | state | created | hours | $ per hour | $ so far |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---:|---:|---:|");
        for s in &self.students {
            let who = format!("{} {}", md::cell_code(&s.dir), md::cell(&s.student));
            let region = md::cell_code(&s.region);
            if let Some(note) = &s.note {
                let _ = writeln!(out, "| {who} | {region} | {} | | | | | | |", md::cell(note));
            }
            for i in &s.running {
                let _ = writeln!(
                    out,
                    "| {who} | {region} | {} | {} | {} | {} | {:.2} | {} | {} |",
                    md::cell(i.what),
                    md::cell_code(&i.name),
                    md::cell(&i.status),
                    md::cell(&i.created),
                    i.hours,
                    i.usd_per_hour.map_or_else(|| "unknown".to_owned(), rate),
                    i.usd_so_far.map_or_else(|| "unknown".to_owned(), cents)
                );
            }
            for n in &s.not_ours {
                let _ = writeln!(
                    out,
                    "| {who} | {region} | not the stack's, not counted: {} | {} | | | | | |",
                    md::cell(&n.why),
                    md::cell_code(&n.name)
                );
            }
            if s.checked && s.running.is_empty() {
                let _ = writeln!(out, "| {who} | {region} | nothing running | | | | | | |");
            }
        }
        let _ = writeln!(
            out,
            "| **total** | | | | | | | **{}** | **{}** |",
            rate(self.total.usd_per_hour),
            cents(self.total.usd_so_far)
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", md::text(&self.total_line()));
        out
    }

    fn total_line(&self) -> String {
        let t = &self.total;
        let mut line = if t.billing == 0 {
            format!(
                "Nothing bills by the hour among the {} student{} checked.",
                t.students - t.not_checked,
                plural(t.students - t.not_checked)
            )
        } else {
            format!(
                "Total: {} resource{} of {} student{} bill ${} per hour; ${} so far.",
                t.billing,
                plural(t.billing),
                t.students_billing,
                plural(t.students_billing),
                rate(t.usd_per_hour),
                cents(t.usd_so_far)
            )
        };
        if t.unpriced > 0 {
            let _ = write!(
                line,
                " {} in regions without known prices are not in the sums.",
                t.unpriced
            );
        }
        if t.not_checked > 0 {
            let _ = write!(
                line,
                " {} student{} not checked.",
                t.not_checked,
                plural(t.not_checked)
            );
        }
        line
    }
}

fn item(r: &Running, stack: &Stack, now: DateTime) -> Item {
    // The reaper measures from the same creation time.
    let expires = match (stack.has(PartId::Reaper), stack.spec.expire_after_hours) {
        (true, Some(hours)) => Some(r.summary.created.secs() + i64::from(hours) * 3600),
        _ => None,
    };
    let grace = i64::from(REAPER_EVERY_MINUTES) * 60;
    Item {
        expires: expires.map(|t| rfc3339(DateTime::from_secs(t))),
        overdue: expires.is_some_and(|t| now.secs() > t + grace),
        part: part_key(r),
        what: r.row.what,
        name: r.summary.name.clone(),
        arn: r.summary.arn.clone(),
        status: r.summary.status.clone(),
        billing: billing(r),
        created: rfc3339(r.summary.created),
        hours: hours(r.seconds),
        units: r.summary.units,
        usd_per_hour: r.cost.per_hour_micro.map(|m| dollars(m, 1_000_000)),
        usd_so_far: r.cost.so_far_cents.map(|c| dollars(c, 100)),
        basis: r.cost.basis.clone(),
    }
}

/// When the reaper deletes it, and whether it is late.
fn expiry(i: &Item) -> String {
    match (&i.expires, i.overdue) {
        (Some(t), false) => format!(", expires {t}"),
        (Some(t), true) => {
            format!(", expired {t} but still there: is its reaper running? (see its log group)")
        }
        (None, _) => String::new(),
    }
}

fn money(i: &Item) -> String {
    if !i.billing {
        return "no longer billing (being deleted)".to_owned();
    }
    match (i.usd_per_hour, i.usd_so_far) {
        (Some(h), Some(s)) => format!("${} per hour, ${} so far", rate(h), cents(s)),
        _ => "cost unknown".to_owned(),
    }
}

/// A rate to four decimals: `0.0150`.
fn rate(usd: f64) -> String {
    // Rates are whole micro-dollars (see `billed`).
    #[allow(clippy::cast_possible_truncation)]
    let micro = (usd * 1_000_000.0).round() as i64;
    usd_rate(micro)
}

/// Dollars to the cent: `1.13`.
fn cents(usd: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let c = (usd * 100.0).round() as i64;
    usd_cents(c)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
