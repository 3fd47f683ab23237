//! A class against AWS's quotas: what every account (and region) of the
//! class will hold, counted from each student's stack before anything is
//! written, and compared with `aws::QUOTAS` (or the raised values the class
//! states under `quotas:`).
//!
//! Why: Terraform checks no quota before `apply`. A 300-student class in
//! one account runs out of IAM roles after creating hundreds of resources,
//! and every later apply fails halfway.
//!
//! - over a quota: SG410, an error;
//! - within 10% of one: SG903, a warning;
//! - each names the quota (AWS's name, its Service Quotas code), the count
//!   and the accounts' students, and the fixes: raise the quota and say so
//!   under `quotas:`, split the class over accounts, or what else avoids
//!   the resource (the Learner Lab role creates no IAM roles).
//!
//! Counting is one pass over the students' names (linear; a 10,000-student
//! class adds a few milliseconds to `validate`): a quota counts the names
//! of the kinds its `Measure` lists, so a new kind of part is counted by
//! the kinds of its names alone.

use std::collections::HashMap;

use crate::base::aws::{self, Measure, Quota, Scope, QUOTAS};
use crate::base::codes::Code;
use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::model::{Quotas, StudentSpec};
use crate::base::part::{Name, NameKind};

/// More than there are kinds of name (`NameKind` is a fieldless enum).
const KINDS: usize = 32;
const _: () = assert!((NameKind::Prefix as usize) < KINDS);

/// How much of each quota (in `QUOTAS` order) one student's stack uses.
pub fn usage(spec: &StudentSpec, names: &[Name]) -> [u64; QUOTAS.len()] {
    // Counted by the kind's discriminant: no allocation per student.
    let mut per_kind = [0_u64; KINDS];
    for name in names {
        per_kind[name.kind as usize] += 1;
    }
    let count = |kinds: &[NameKind]| -> u64 { kinds.iter().map(|k| per_kind[*k as usize]).sum() };
    let mut used = [0; QUOTAS.len()];
    for (slot, quota) in used.iter_mut().zip(QUOTAS) {
        *slot = match quota.measure {
            Measure::Names(kinds) => count(kinds),
            Measure::LambdaCode => {
                count(&[NameKind::LambdaLayer]) * aws::LAYER_ZIP_BYTES
                    + count(&[NameKind::LambdaFunction]) * aws::FUNCTION_ZIP_BYTES
            }
            Measure::Shards => {
                count(&[NameKind::KinesisStream]) * u64::from(spec.stream.shard_count)
            }
        };
    }
    used
}

/// What one account (or one account's region) holds.
struct Tally {
    students: u64,
    used: [u64; QUOTAS.len()],
    /// The least and most one student uses, per quota: equal when every
    /// student's stack is alike, which the message then says.
    least: [u64; QUOTAS.len()],
    most: [u64; QUOTAS.len()],
}

impl Tally {
    fn new() -> Self {
        Self {
            students: 0,
            used: [0; QUOTAS.len()],
            least: [u64::MAX; QUOTAS.len()],
            most: [0; QUOTAS.len()],
        }
    }

    fn add(&mut self, used: &[u64; QUOTAS.len()]) {
        self.students += 1;
        for (i, &n) in used.iter().enumerate() {
            self.used[i] += n;
            self.least[i] = self.least[i].min(n);
            self.most[i] = self.most[i].max(n);
        }
    }
}

/// Where a finding points: the raised value if the class states one, else
/// the place that decides the account (given by the caller).
pub struct Places<'a> {
    pub quota: &'a dyn Fn(&str) -> Option<Location>,
    pub account: Option<Location>,
}

/// Every quota finding for a class: `students` gives each student's spec
/// and names.
pub fn check<'a>(
    quotas: &Quotas,
    students: impl IntoIterator<Item = (&'a StudentSpec, &'a [Name])>,
    places: &Places<'_>,
) -> Vec<Diagnostic> {
    let mut found = values(quotas, places);
    // (account, region) -> tally; the region is empty for quotas per account.
    let mut tallies: HashMap<(&str, &str), Tally> = HashMap::new();
    for (spec, names) in students {
        let used = usage(spec, names);
        tallies
            .entry((spec.account_id.as_str(), ""))
            .or_insert_with(Tally::new)
            .add(&used);
        tallies
            .entry((spec.account_id.as_str(), spec.region.as_str()))
            .or_insert_with(Tally::new)
            .add(&used);
    }
    let mut keys: Vec<(&str, &str)> = tallies.keys().copied().collect();
    keys.sort_unstable();
    for key @ (account, region) in keys {
        let tally = &tallies[&key];
        let scope = if region.is_empty() {
            Scope::Account
        } else {
            Scope::Region
        };
        for (i, quota) in QUOTAS.iter().enumerate() {
            if quota.scope != scope || tally.used[i] == 0 {
                continue;
            }
            let raised = quotas.raised(quota.key);
            if raised == Some(0) {
                // SG411 says so; a quota of 0 is no figure to count against.
                continue;
            }
            let value = raised.unwrap_or_else(|| quota.default_in(region));
            let limit = quota.limit(value);
            let count = tally.used[i];
            // Within 10%: at least nine tenths of the limit (in integers).
            let code = if count > limit {
                Code::SG410
            } else if count.saturating_mul(10) >= limit.saturating_mul(9) {
                Code::SG903
            } else {
                continue;
            };
            found.push(finding(
                code,
                quota,
                &Found {
                    account,
                    region,
                    count,
                    value,
                    raised: raised.is_some(),
                    tally,
                    i,
                },
                places,
            ));
        }
    }
    found
}

/// One quota over (or near) its limit in one account or region.
struct Found<'a> {
    account: &'a str,
    region: &'a str,
    count: u64,
    /// The limit in the quota's unit, and whether the class raised it.
    value: u64,
    raised: bool,
    tally: &'a Tally,
    i: usize,
}

fn finding(code: Code, quota: &Quota, f: &Found, places: &Places<'_>) -> Diagnostic {
    let whose = if f.region.is_empty() {
        format!("account {}", f.account)
    } else {
        format!("account {} in {}", f.account, f.region)
    };
    let each = if f.tally.least[f.i] == f.tally.most[f.i] {
        format!(", {} each", quota.show(f.tally.most[f.i]))
    } else {
        String::new()
    };
    let students = format!(
        "{} student{}{each}",
        aws::thousands(f.tally.students),
        if f.tally.students == 1 { "" } else { "s" }
    );
    let named = match quota.code {
        Some(code) => format!("\"{}\", {} {code}", quota.name, quota.service),
        None => format!(
            "\"{}\", {}, no Service Quotas code",
            quota.name, quota.service
        ),
    };
    let limit = quota.show(quota.limit(f.value));
    let which = if f.raised {
        format!("the raised quota of {limit} (`quotas.{}`)", quota.key)
    } else {
        format!("the default quota of {limit}")
    };
    let message = if code == Code::SG410 {
        format!(
            "{whose} would hold {} {} ({students}), over {which} ({named})",
            quota.show(f.count),
            quota.what
        )
    } else {
        format!(
            "{whose} would hold {} {} ({students}), within 10% of {which} ({named})",
            quota.show(f.count),
            quota.what
        )
    };
    let field = format!("quotas.{}", quota.key);
    let location = (places.quota)(&field).or(places.account);
    Diagnostic::new(code, field, message)
        .value(whose)
        .rule(format!(
            "an AWS account holds at most its quota of {} ({}; documented default {}, source: {}, read {})",
            quota.what,
            if quota.scope == Scope::Account { "per account" } else { "per account and region" },
            quota.show(quota.limit(quota.default_in(f.region))),
            quota.source,
            quota.date
        ))
        .fix(fixes(quota, f.count))
        .at(location)
}

/// The ways out, most direct first.
fn fixes(quota: &Quota, count: u64) -> String {
    let mut ways = Vec::new();
    if quota.adjustable {
        // Enough to clear the 10% warning too.
        let wanted = match quota.measure {
            Measure::LambdaCode => (count * 10 / 9).div_ceil(aws::GB).max(1),
            _ => (count * 10 / 9 + 1).max(1),
        };
        let code = quota.code.unwrap_or("");
        ways.push(format!(
            "raise the quota (Service Quotas, {} {code}) and state it: `quotas: {{ {}: {wanted} }}`",
            quota.service, quota.key
        ));
    }
    ways.push(
        "split the class over more accounts (a per-student `account_id`, or an `account_id` column in the roster)"
            .to_owned(),
    );
    match quota.key {
        "iam_roles" => ways.push(
            "use the AWS Academy Learner Lab role (`iam: { existing_role: LabRole }`), which creates no roles"
                .to_owned(),
        ),
        "lambda_storage_gb" => ways.push(
            "use the modern target, whose pandas layer is AWS-managed and is not stored in the account"
                .to_owned(),
        ),
        "kinesis_shards" => ways.push("lower `stream.shard_count`".to_owned()),
        _ => {}
    }
    if quota.scope == Scope::Region {
        ways.push("or spread the students over regions (`region` per student)".to_owned());
    }
    ways.join("; ")
}

/// SG411: a raised quota is a positive whole number.
fn values(quotas: &Quotas, places: &Places<'_>) -> Vec<Diagnostic> {
    QUOTAS
        .iter()
        .filter(|q| quotas.raised(q.key) == Some(0))
        .map(|q| {
            let field = format!("quotas.{}", q.key);
            let location = (places.quota)(&field);
            Diagnostic::new(Code::SG411, field, format!("`quotas.{}` is 0", q.key))
                .value("0")
                .rule("a raised quota is a whole number from 1, in the quota's unit (Lambda storage in GB)")
                .fix(format!(
                    "give the account's quota, or remove the key to use the default ({})",
                    q.show(q.limit(q.default))
                ))
                .at(location)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(account: &str, region: &str) -> StudentSpec {
        serde_json::from_value(serde_json::json!({
            "student": { "name": "A B", "initials": "ab", "index_no": "1" },
            "account_id": account,
            "region": region,
        }))
        .unwrap()
    }

    fn name(kind: NameKind) -> Name {
        Name {
            kind,
            purpose: "test",
            value: "x".into(),
            fields: vec![],
        }
    }

    fn nowhere() -> Places<'static> {
        Places {
            quota: &|_| None,
            account: None,
        }
    }

    fn roles(n: usize) -> Vec<Name> {
        (0..n).map(|_| name(NameKind::IamRole)).collect()
    }

    #[test]
    fn over_near_and_under_the_default() {
        let s = spec("100603781557", "us-east-1");
        let six = roles(6);
        let run = |n: usize, quotas: &Quotas| {
            check(quotas, (0..n).map(|_| (&s, six.as_slice())), &nowhere())
        };
        let over = run(200, &Quotas::default());
        assert_eq!(over.len(), 1, "{over:?}");
        assert_eq!(over[0].code, Code::SG410);
        assert_eq!(over[0].field, "quotas.iam_roles");
        assert!(
            over[0]
                .message
                .contains("1,200 IAM roles (200 students, 6 each)"),
            "{}",
            over[0].message
        );
        assert!(
            over[0].message.contains("L-FE177D64"),
            "{}",
            over[0].message
        );
        assert!(
            over[0].fix.contains("`quotas: { iam_roles: 1334 }`"),
            "{}",
            over[0].fix
        );
        assert!(over[0].fix.contains("existing_role"), "{}", over[0].fix);
        // 150 x 6 = 900: exactly 90% of 1,000 is "within 10%".
        let near = run(150, &Quotas::default());
        assert_eq!(
            near.iter().map(|d| d.code).collect::<Vec<_>>(),
            vec![Code::SG903]
        );
        assert!(run(149, &Quotas::default()).is_empty());
        let raised = Quotas {
            iam_roles: Some(2000),
            ..Quotas::default()
        };
        assert!(run(200, &raised).is_empty());
        let zero = Quotas {
            iam_roles: Some(0),
            ..Quotas::default()
        };
        assert!(run(1, &zero).iter().any(|d| d.code == Code::SG411));
    }

    #[test]
    fn each_account_and_region_counts_apart() {
        let a = spec("100603781557", "us-east-1");
        let b = spec("210987654321", "us-east-1");
        let c = spec("100603781557", "eu-central-1");
        let shards = vec![name(NameKind::KinesisStream)];
        // 300 streams in eu-central-1 are over its 200 shards; the same
        // account's 150 in us-east-1 (of 500) and another account's are not.
        let students = (0..150)
            .map(|_| (&a, shards.as_slice()))
            .chain((0..300).map(|_| (&b, shards.as_slice())))
            .chain((0..300).map(|_| (&c, shards.as_slice())));
        let found = check(&Quotas::default(), students, &nowhere());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("account 100603781557 in eu-central-1 would hold 300 Kinesis shards"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn lambda_storage_counts_the_classic_layer() {
        let s = spec("100603781557", "us-east-1");
        let classic = vec![name(NameKind::LambdaLayer), name(NameKind::LambdaFunction)];
        let fits = 75 * aws::GB * 9 / 10 / (aws::LAYER_ZIP_BYTES + aws::FUNCTION_ZIP_BYTES);
        let found = check(
            &Quotas::default(),
            (0..2_000).map(|_| (&s, classic.as_slice())),
            &nowhere(),
        );
        assert!(
            found
                .iter()
                .any(|d| d.code == Code::SG410 && d.field == "quotas.lambda_storage_gb"),
            "{found:?}"
        );
        let found = check(
            &Quotas::default(),
            (0..fits).map(|_| (&s, classic.as_slice())),
            &nowhere(),
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
