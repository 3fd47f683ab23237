//! What is billing in an AWS account, student by student: for each of the
//! stack's hourly-billed parts (`billed::BILLED`), the resource by its
//! exact name in the student's region, and whether it is the stack's own.
//!
//! A resource is the stack's when AWS reports exactly the name stackgen
//! derives, the ARN the stack gives it (so: the student's account, region
//! and partition), and every tag the stack puts on its resources with the
//! same value (`Stack::tags`, from the table main.tf is written from). A
//! resource by that name that fails either is reported as not the stack's
//! and never touched: it may be someone else's, made by hand or by another
//! course. Nothing is listed and filtered, so a name that merely starts
//! with a student's (`jk-12345` in `jk-123456`) is never even read.

use std::collections::BTreeMap;

use aws_smithy_types::DateTime;

use super::aws::{caller_account, Clients, Summary};
use super::billed::{Billed, Cost, BILLED};
use super::clock::seconds_between;
use super::sdk::{self, Retries};
use crate::stack::Stack;

/// One student to look at: their stack, and how to call them.
pub struct Member {
    /// The student's directory in a rendered class (`12345-jk`), or the
    /// same form for a student file.
    pub dir: String,
    pub stack: Stack,
}

/// One of the stack's billed resources, found.
#[derive(Debug, Clone)]
pub struct Running {
    pub row: &'static Billed,
    pub summary: Summary,
    /// Whole seconds since it was created, by the clock.
    pub seconds: i64,
    pub cost: Cost,
}

/// What the look found for one billed part of one stack.
#[derive(Debug, Clone)]
pub enum Seen {
    /// The stack's own resource; it bills (unless AWS is deleting it).
    Ours(Running),
    /// A resource with the stack's exact name that is not the stack's.
    NotOurs {
        row: &'static Billed,
        name: String,
        why: String,
    },
    /// Reading it failed.
    Failed {
        row: &'static Billed,
        name: String,
        error: String,
    },
}

/// What the look could say about one student.
#[derive(Debug, Clone)]
pub enum Checked {
    /// Looked at every billed part; what exists (nothing: nothing bills).
    Looked(Vec<Seen>),
    /// The student's account is not the one the credentials reach.
    OtherAccount,
    /// The look could not start (no credentials, no answer).
    Failed(String),
}

/// The look at a whole input, by the clock's time.
pub struct Survey {
    pub now: DateTime,
    /// The account the credentials reach, or why it is unknown.
    pub account: Result<String, String>,
    /// One per member, in the input's order.
    pub checked: Vec<Checked>,
}

/// How many attempts each call gets: a passing failure is tried again,
/// with the SDK's backoff (the calls pace themselves under AWS's rates,
/// `aws::Clients`, so throttling is not expected).
const ATTEMPTS: u32 = 4;

/// A connection to the account the credentials reach: the async runtime
/// and one set of clients per region, made when first needed.
pub struct Session {
    runtime: tokio::runtime::Runtime,
    profile: Option<String>,
    regions: BTreeMap<String, Clients>,
}

impl Session {
    /// Credentials from `profile` (the standard chain's default when None).
    pub fn new(profile: Option<&str>) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        Ok(Self {
            runtime,
            profile: profile.map(str::to_owned),
            regions: BTreeMap::new(),
        })
    }

    /// Looks at every member's billed parts, by the clock's `now`.
    pub fn survey(&mut self, members: &[Member], now: DateTime) -> Survey {
        let Session {
            runtime,
            profile,
            regions,
        } = self;
        let profile = profile.as_deref();
        runtime.block_on(async {
            let first = members
                .first()
                .map_or("us-east-1", |m| m.stack.spec.region.as_str());
            let account =
                caller_account(&sdk::config(first, profile, Retries::Standard(ATTEMPTS)).await)
                    .await;
            let mut checked = Vec::with_capacity(members.len());
            for m in members {
                let spec = &m.stack.spec;
                let c = match &account {
                    Err(e) => Checked::Failed(e.clone()),
                    Ok(a) if *a != spec.account_id => Checked::OtherAccount,
                    Ok(_) => {
                        let clients = clients(regions, &spec.region, profile).await;
                        Checked::Looked(look(clients, &m.stack, now).await)
                    }
                };
                checked.push(c);
            }
            Survey {
                now,
                account,
                checked,
            }
        })
    }

    /// Deletes the resource `name` of kind `row` in `region`.
    pub fn delete(&mut self, region: &str, row: &Billed, name: &str) -> Result<(), String> {
        let Session {
            runtime,
            profile,
            regions,
        } = self;
        let profile = profile.as_deref();
        runtime.block_on(async {
            clients(regions, region, profile)
                .await
                .delete(row.api, name)
                .await
        })
    }
}

/// The clients of `region`, made on first use.
async fn clients<'a>(
    regions: &'a mut BTreeMap<String, Clients>,
    region: &str,
    profile: Option<&str>,
) -> &'a Clients {
    if !regions.contains_key(region) {
        let config = sdk::config(region, profile, Retries::Standard(ATTEMPTS)).await;
        regions.insert(region.to_owned(), Clients::new(&config));
    }
    &regions[region]
}

/// Every billed part of one stack.
async fn look(clients: &Clients, stack: &Stack, now: DateTime) -> Vec<Seen> {
    let mut seen = Vec::new();
    for row in BILLED {
        let Some(part) = stack.part(row.part) else {
            continue;
        };
        let Some(name) = part.names.get(row.name_key).map(|n| n.value.clone()) else {
            continue;
        };
        let failed = |error: String| Seen::Failed {
            row,
            name: name.clone(),
            error,
        };
        let summary = match clients.find(row.api, &name).await {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                seen.push(failed(e));
                continue;
            }
        };
        let tags = match clients.tags(row.api, &name).await {
            Ok(t) => t,
            Err(e) => {
                seen.push(failed(e));
                continue;
            }
        };
        seen.push(judge(row, stack, summary, &tags, now));
    }
    seen
}

/// Whether a resource found by the stack's name is the stack's own.
pub fn judge(
    row: &'static Billed,
    stack: &Stack,
    summary: Summary,
    tags: &BTreeMap<String, String>,
    now: DateTime,
) -> Seen {
    let not_ours = |why: String| Seen::NotOurs {
        row,
        name: summary.name.clone(),
        why,
    };
    let expected_arn = (row.arn)(stack);
    if summary.arn != expected_arn {
        return not_ours(format!(
            "its ARN is {}, not the stack's {expected_arn}",
            summary.arn
        ));
    }
    let mut differences = Vec::new();
    for (key, value) in &stack.tags {
        match tags.get(*key) {
            Some(v) if v == value => {}
            Some(v) => differences.push(format!("tag {key} is `{v}`, not `{value}`")),
            None => differences.push(format!("it has no tag {key}")),
        }
    }
    if !differences.is_empty() {
        return not_ours(format!(
            "it lacks the stack's tags: {}",
            differences.join(", ")
        ));
    }
    // Whole seconds: the cost so far is the same wherever it is computed.
    #[allow(clippy::cast_possible_truncation)]
    let seconds = seconds_between(summary.created, now).floor() as i64;
    let cost = row.cost(&stack.spec.region, summary.units, seconds);
    Seen::Ours(Running {
        row,
        summary,
        seconds,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack() -> Stack {
        let spec = crate::input::load::handout_student();
        Stack::new(&spec, &spec.edition())
    }

    fn summary(stack: &Stack) -> Summary {
        Summary {
            name: stack.name("stream").unwrap().to_owned(),
            arn: stack.arns.stream.clone(),
            status: "ACTIVE".into(),
            created: DateTime::from_secs(1_000_000),
            units: 2,
        }
    }

    fn tags(stack: &Stack) -> BTreeMap<String, String> {
        stack
            .tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn the_stacks_own_stream_is_billed_from_its_creation() {
        let stack = stack();
        let now = DateTime::from_secs(1_000_000 + 10 * 3600 + 59);
        let Seen::Ours(r) = judge(&BILLED[0], &stack, summary(&stack), &tags(&stack), now) else {
            panic!("the stack's own stream");
        };
        assert_eq!(r.seconds, 10 * 3600 + 59);
        // 2 shards × $0.015 × 10.016 h = $0.3005.
        assert_eq!(r.cost.so_far_cents, Some(30));
        // Extra tags of the student's own do not matter.
        let mut more = tags(&stack);
        more.insert("Course".into(), "x".into());
        assert!(matches!(
            judge(&BILLED[0], &stack, summary(&stack), &more, now),
            Seen::Ours(_)
        ));
    }

    #[test]
    fn a_stream_without_the_stacks_tags_or_arn_is_not_the_stacks() {
        let stack = stack();
        let now = DateTime::from_secs(2_000_000);
        let mut other = tags(&stack);
        other.remove("Student");
        other.insert("Owner".into(), "Someone Else".into());
        let Seen::NotOurs { why, .. } = judge(&BILLED[0], &stack, summary(&stack), &other, now)
        else {
            panic!("tags differ");
        };
        assert!(why.contains("tag Owner is `Someone Else`"), "{why}");
        assert!(why.contains("no tag Student"), "{why}");
        assert!(matches!(
            judge(&BILLED[0], &stack, summary(&stack), &BTreeMap::new(), now),
            Seen::NotOurs { .. }
        ));
        // The same name in another region or account: another ARN.
        let mut elsewhere = summary(&stack);
        elsewhere.arn = elsewhere.arn.replace("us-east-1", "eu-west-1");
        let Seen::NotOurs { why, .. } = judge(&BILLED[0], &stack, elsewhere, &tags(&stack), now)
        else {
            panic!("another region");
        };
        assert!(why.contains("eu-west-1"), "{why}");
    }
}
