//! IAM policy evaluation, as much of it as a role's permissions need.
//!
//! A request (an action on a resource ARN) is decided over a role's
//! identity policies the way IAM decides it: an explicit `Deny` that
//! matches wins; otherwise an `Allow` that matches grants; otherwise it is
//! implicitly denied. A statement matches through `Action` or `NotAction`
//! and `Resource` or `NotResource`, with IAM's wildcards: `*` (any run of
//! characters) and `?` (one), case-insensitive in actions, case-sensitive
//! in resources; an ARN is matched segment by segment (partition, service,
//! region, account), and the resource segment, which holds `/` and `:`,
//! as a whole.
//!
//! **Conditions are not evaluated.** An `Allow` with a `Condition` is
//! taken to grant (the condition is assumed to hold) and a `Deny` with one
//! is taken not to apply; the decision then carries the conditions it
//! assumed, and the check that asked passes with "conditions not
//! evaluated". A grader that failed a student for a condition it cannot
//! evaluate would fail stackgen's own least-privilege policies, whose
//! `s3:ListBucket` statements carry an `s3:prefix` condition.
//!
//! A requested resource may itself be a pattern (`bucket/raw-zone/*`, the
//! objects a Firehose writes): it is matched as a literal string, so a
//! statement grants it only when its own pattern covers the whole prefix.

use serde_json::Value;

/// One statement of a policy, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: String,
    pub allow: bool,
    pub actions: Matcher,
    pub resources: Matcher,
    /// `Operator key` of each condition, e.g. `StringLike s3:prefix`.
    pub conditions: Vec<String>,
}

/// `Action` or `NotAction` (and likewise for resources).
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Any(Vec<String>),
    AllBut(Vec<String>),
}

/// A policy document of a role, with where it came from (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// "inline policy `p`", "`arn:aws:iam::aws:policy/...`".
    pub origin: String,
    pub statements: Vec<Statement>,
}

/// What IAM would answer, conditions aside.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Granted; the conditions assumed to hold on the way (empty: none).
    Allowed { conditions: Vec<String> },
    /// An explicit `Deny` in this policy.
    Denied { origin: String },
    /// No statement grants it.
    NotAllowed,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// Decides a request over a role's policies.
pub fn decide(policies: &[Policy], action: &str, resource: &str) -> Decision {
    let mut granted = false;
    let mut unconditional = false;
    let mut allow_conditions = Vec::new();
    let mut deny_conditions = Vec::new();
    for policy in policies {
        for s in &policy.statements {
            if !(covers_action(&s.actions, action) && covers_resource(&s.resources, resource)) {
                continue;
            }
            match (s.allow, s.conditions.is_empty()) {
                (false, true) => {
                    return Decision::Denied {
                        origin: policy.origin.clone(),
                    }
                }
                (false, false) => deny_conditions.extend(s.conditions.iter().cloned()),
                (true, true) => {
                    granted = true;
                    unconditional = true;
                }
                (true, false) => {
                    granted = true;
                    allow_conditions.extend(s.conditions.iter().cloned());
                }
            }
        }
    }
    if !granted {
        return Decision::NotAllowed;
    }
    let mut conditions = if unconditional {
        Vec::new()
    } else {
        allow_conditions
    };
    conditions.extend(deny_conditions);
    conditions.sort();
    conditions.dedup();
    Decision::Allowed { conditions }
}

fn covers_action(m: &Matcher, action: &str) -> bool {
    match m {
        Matcher::Any(patterns) => patterns.iter().any(|p| wildcard(p, action, true)),
        Matcher::AllBut(patterns) => !patterns.iter().any(|p| wildcard(p, action, true)),
    }
}

fn covers_resource(m: &Matcher, resource: &str) -> bool {
    match m {
        Matcher::Any(patterns) => patterns.iter().any(|p| arn_matches(p, resource)),
        Matcher::AllBut(patterns) => !patterns.iter().any(|p| arn_matches(p, resource)),
    }
}

/// An ARN pattern against an ARN: the first five segments one by one,
/// the resource segment as a whole. A pattern that is not an ARN (`*`) is
/// matched against the whole string.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() < 6 || a.len() < 6 {
        return wildcard(pattern, arn, false);
    }
    p.iter().zip(&a).all(|(p, a)| wildcard(p, a, false))
}

/// IAM's wildcard match: `*` any run, `?` one character. Linear in
/// practice and never exponential: on a mismatch after a `*` it retries
/// from the last `*` only (the classic two-pointer match).
pub fn wildcard(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| {
        if ignore_case {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || same(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Parses a policy document (the JSON text of `policy`). What is not a
/// policy IAM would accept is an error in words.
pub fn parse(origin: &str, text: &str) -> Result<Policy, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("not a JSON policy document: {e}"))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err("its `Statement` is neither a statement nor a list".into()),
        None => return Err("it has no `Statement`".into()),
    };
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(i, s)| statement(i, s))
        .collect::<Result<_, _>>()?;
    Ok(Policy {
        origin: origin.to_owned(),
        statements,
    })
}

fn statement(i: usize, s: &Value) -> Result<Statement, String> {
    let Value::Object(s) = s else {
        return Err(format!("statement {} is not an object", i + 1));
    };
    let sid = s
        .get("Sid")
        .and_then(Value::as_str)
        .map_or_else(|| format!("statement {}", i + 1), str::to_owned);
    let allow = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        _ => return Err(format!("{sid}: `Effect` is neither `Allow` nor `Deny`")),
    };
    let matcher = |any: &str, all_but: &str| -> Result<Matcher, String> {
        match (s.get(any), s.get(all_but)) {
            (Some(v), None) => strings(v).map(Matcher::Any),
            (None, Some(v)) => strings(v).map(Matcher::AllBut),
            (None, None) => Err(format!("{sid}: neither `{any}` nor `{all_but}`")),
            (Some(_), Some(_)) => Err(format!("{sid}: both `{any}` and `{all_but}`")),
        }
        .map_err(|e| format!("{sid}: {e}"))
    };
    let actions = matcher("Action", "NotAction")?;
    let resources = matcher("Resource", "NotResource")?;
    let mut conditions = Vec::new();
    if let Some(Value::Object(ops)) = s.get("Condition") {
        for (op, keys) in ops {
            match keys {
                Value::Object(keys) => {
                    conditions.extend(keys.keys().map(|k| format!("{op} {k}")));
                }
                _ => conditions.push(op.clone()),
            }
        }
    }
    Ok(Statement {
        sid,
        allow,
        actions,
        resources,
        conditions,
    })
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| "a list entry is not a string".to_owned())
            })
            .collect(),
        _ => Err("neither a string nor a list of strings".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Policy {
        parse("test", json).unwrap()
    }

    const BUCKET: &str = "arn:aws:s3:::datalake-dev-100603781557-jk-12345";

    #[test]
    fn allow_deny_and_implicit_deny() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::datalake-dev-100603781557-jk-12345","arn:aws:s3:::datalake-dev-100603781557-jk-12345/*"]},
                {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#,
        );
        let objects = format!("{BUCKET}/raw-zone/*");
        assert!(decide(std::slice::from_ref(&p), "s3:PutObject", &objects).allowed());
        assert!(decide(std::slice::from_ref(&p), "S3:putobject", &objects).allowed());
        assert!(matches!(
            decide(std::slice::from_ref(&p), "s3:DeleteObject", &objects),
            Decision::Denied { .. }
        ));
        assert_eq!(
            decide(std::slice::from_ref(&p), "kinesis:GetRecords", BUCKET),
            Decision::NotAllowed
        );
        // Another student's bucket, whose name starts with this one's.
        assert_eq!(
            decide(&[p], "s3:PutObject", &format!("{BUCKET}6/raw-zone/*")),
            Decision::NotAllowed
        );
    }

    #[test]
    fn a_deny_in_another_policy_wins() {
        let allow = policy(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
        let deny = policy(
            r#"{"Statement":[{"Effect":"Deny","Action":["s3:Put*"],"Resource":"arn:aws:s3:::*/raw-zone/*"}]}"#,
        );
        assert!(matches!(
            decide(
                &[allow.clone(), deny],
                "s3:PutObject",
                &format!("{BUCKET}/raw-zone/*")
            ),
            Decision::Denied { .. }
        ));
        assert!(decide(&[allow], "s3:PutObject", &format!("{BUCKET}/raw-zone/*")).allowed());
    }

    #[test]
    fn not_action_and_not_resource() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::secret*"}]}"#,
        );
        assert!(decide(
            std::slice::from_ref(&p),
            "s3:GetObject",
            &format!("{BUCKET}/x")
        )
        .allowed());
        assert!(!decide(
            std::slice::from_ref(&p),
            "iam:PassRole",
            &format!("{BUCKET}/x")
        )
        .allowed());
        assert!(!decide(&[p], "s3:GetObject", "arn:aws:s3:::secret-bucket/x").allowed());
        let deny_all_but = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["kinesis:Get*","kinesis:Describe*"],"Resource":"*"}]}"#,
        );
        assert!(decide(
            std::slice::from_ref(&deny_all_but),
            "kinesis:GetRecords",
            "arn:aws:kinesis:us-east-1:1:stream/s"
        )
        .allowed());
        assert!(!decide(
            &[deny_all_but],
            "kinesis:PutRecord",
            "arn:aws:kinesis:us-east-1:1:stream/s"
        )
        .allowed());
    }

    #[test]
    fn wildcards_in_actions_and_resources() {
        assert!(wildcard("kinesis:Get*", "kinesis:GetShardIterator", true));
        assert!(wildcard("kinesis:?etRecords", "KINESIS:GETRECORDS", true));
        assert!(!wildcard("kinesis:Get*", "kinesis:ListShards", true));
        assert!(!wildcard("Arn", "arn", false));
        assert!(wildcard("a*b*c", "aXXbYYc", false));
        assert!(!wildcard("a*b*c", "aXXbYY", false));
        // Segment by segment: a region wildcard does not run into the account.
        assert!(arn_matches(
            "arn:aws:logs:*:*:log-group:/aws/kinesisfirehose/*",
            "arn:aws:logs:us-east-1:100603781557:log-group:/aws/kinesisfirehose/f:log-stream:*"
        ));
        assert!(!arn_matches(
            "arn:aws:kinesis:us-*:1:stream/s",
            "arn:aws:kinesis:eu-west-1:1:stream/s"
        ));
        assert!(arn_matches("*", "arn:aws:s3:::b"));
        assert!(arn_matches("arn:aws:s3:::*", "arn:aws:s3:::b/raw-zone/*"));
    }

    #[test]
    fn a_hostile_pattern_is_not_exponential() {
        let pattern = format!("{}b", "*a".repeat(200));
        let text = "a".repeat(10_000);
        assert!(!wildcard(&pattern, &text, false));
    }

    #[test]
    fn conditions_are_assumed_and_reported() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":["raw-zone/*"]}}}]}"#,
        );
        assert_eq!(
            decide(std::slice::from_ref(&p), "s3:ListBucket", "arn:aws:s3:::b"),
            Decision::Allowed {
                conditions: vec!["StringLike s3:prefix".into()]
            }
        );
        // An unconditional grant beside it needs no assumption.
        let plain = policy(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#);
        assert_eq!(
            decide(&[p.clone(), plain], "s3:ListBucket", "arn:aws:s3:::b"),
            Decision::Allowed { conditions: vec![] }
        );
        // A conditional deny is assumed not to apply.
        let deny = policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        );
        assert!(decide(&[deny], "s3:GetObject", "arn:aws:s3:::b/k").allowed());
    }

    #[test]
    fn what_is_not_a_policy_is_said() {
        for (text, says) in [
            ("nope", "not a JSON policy document"),
            (r#"{"Version":"2012-10-17"}"#, "no `Statement`"),
            (
                r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
                "`Effect`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "neither `Action`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}"#,
                "both",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#,
                "not a string",
            ),
            (r#"{"Statement":"x"}"#, "neither a statement"),
        ] {
            let e = parse("t", text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
