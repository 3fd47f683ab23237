//! What the data sources answer: the configuration, plus computed values
//! that depend only on the configuration and the provider's identity, so a
//! plan is the same on every machine. Computed attributes not named here
//! stay null (known, so Terraform accepts the result).

use rmpv::Value;

use crate::value::{get, get_str, items, set};
use crate::Identity;

/// AWS partition of a region, as ARNs spell it.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Sets `name` unless the configuration already did.
fn default(obj: &mut Value, name: &str, v: impl Into<Value>) {
    if get(obj, name).is_none_or(Value::is_nil) {
        set(obj, name, v.into());
    }
}

pub fn read(type_name: &str, config: Value, identity: &Identity) -> Value {
    let mut v = config;
    let account = identity.account_id.as_str();
    let part = partition(&identity.region);
    match type_name {
        "aws_caller_identity" => {
            set(&mut v, "account_id", account.into());
            set(
                &mut v,
                "arn",
                format!("arn:{part}:iam::{account}:user/stackgen-schema-only").into(),
            );
            set(&mut v, "user_id", "AIDASTACKGENSCHEMAONLY".into());
            default(&mut v, "id", account);
        }
        "aws_iam_role" => {
            let name = get_str(&v, "name").unwrap_or_default().to_owned();
            set(
                &mut v,
                "arn",
                format!("arn:{part}:iam::{account}:role/{name}").into(),
            );
            set(&mut v, "path", "/".into());
            set(
                &mut v,
                "unique_id",
                format!("AROA{}", name.to_uppercase()).into(),
            );
            set(&mut v, "max_session_duration", 3600.into());
            // The lab's day: a fixed date keeps plans identical.
            set(&mut v, "create_date", "2020-10-01T00:00:00Z".into());
            default(&mut v, "id", name);
        }
        "aws_region" => {
            let region = get_str(&v, "region")
                .or_else(|| get_str(&v, "name"))
                .unwrap_or(&identity.region)
                .to_owned();
            default(&mut v, "region", region.as_str());
            default(&mut v, "endpoint", format!("ec2.{region}.amazonaws.com"));
            default(&mut v, "id", region.as_str());
            set(&mut v, "description", region.into());
        }
        "aws_partition" => {
            set(&mut v, "partition", part.into());
            set(&mut v, "dns_suffix", "amazonaws.com".into());
            set(&mut v, "reverse_dns_prefix", "com.amazonaws".into());
            default(&mut v, "id", part);
        }
        "aws_iam_policy_document" => {
            let doc = policy_document(&v);
            let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
            let minified = doc.to_string();
            set(&mut v, "json", pretty.into());
            set(&mut v, "minified_json", minified.into());
            default(&mut v, "id", "stackgen-schema-only");
        }
        _ => {}
    }
    v
}

/// One string for one element, else an array: the provider's rendering.
fn one_or_many(values: &[Value]) -> Option<serde_json::Value> {
    let strings: Vec<serde_json::Value> = values
        .iter()
        .filter_map(Value::as_str)
        .map(|s| serde_json::Value::String(s.to_owned()))
        .collect();
    match strings.len() {
        0 => None,
        1 => strings.into_iter().next(),
        _ => Some(serde_json::Value::Array(strings)),
    }
}

/// The policy JSON of `aws_iam_policy_document`'s statements (Sid, Effect,
/// [Not]Action, [Not]Resource, [Not]Principal, Condition). An
/// approximation of the provider's rendering, enough for a plan to show a
/// document; `source_*`/`override_*` documents are not merged.
fn policy_document(config: &Value) -> serde_json::Value {
    let mut statements = Vec::new();
    for st in items(get(config, "statement")) {
        let mut out = serde_json::Map::new();
        if let Some(sid) = get_str(st, "sid") {
            out.insert("Sid".into(), sid.into());
        }
        out.insert(
            "Effect".into(),
            get_str(st, "effect").unwrap_or("Allow").into(),
        );
        for (attr, key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(v) = one_or_many(items(get(st, attr))) {
                out.insert(key.into(), v);
            }
        }
        for (block, key) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals = serde_json::Map::new();
            for p in items(get(st, block)) {
                if let (Some(kind), Some(ids)) = (
                    get_str(p, "type"),
                    one_or_many(items(get(p, "identifiers"))),
                ) {
                    principals.insert(kind.to_owned(), ids);
                }
            }
            if !principals.is_empty() {
                out.insert(key.into(), principals.into());
            }
        }
        let mut conditions = serde_json::Map::new();
        for c in items(get(st, "condition")) {
            if let (Some(test), Some(variable), Some(values)) = (
                get_str(c, "test"),
                get_str(c, "variable"),
                one_or_many(items(get(c, "values"))),
            ) {
                let entry = conditions
                    .entry(test.to_owned())
                    .or_insert_with(|| serde_json::Map::new().into());
                if let serde_json::Value::Object(m) = entry {
                    m.insert(variable.to_owned(), values);
                }
            }
        }
        if !conditions.is_empty() {
            out.insert("Condition".into(), conditions.into());
        }
        statements.push(serde_json::Value::Object(out));
    }
    serde_json::json!({
        "Version": get_str(config, "version").unwrap_or("2012-10-17"),
        "Statement": statements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::value::obj;

    fn lab() -> Identity {
        Identity {
            account_id: "100603781557".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn iam_role_answers_the_arn_of_the_account_and_name() {
        let v = read(
            "aws_iam_role",
            obj(vec![
                ("name", "LabRole".into()),
                ("arn", Value::Nil),
                ("id", Value::Nil),
            ]),
            &lab(),
        );
        assert_eq!(
            get_str(&v, "arn"),
            Some("arn:aws:iam::100603781557:role/LabRole")
        );
        assert_eq!(get_str(&v, "id"), Some("LabRole"));
    }

    #[test]
    fn caller_identity_and_partition_follow_the_region() {
        let id = Identity {
            account_id: "210987654321".into(),
            region: "cn-north-1".into(),
        };
        let v = read(
            "aws_caller_identity",
            obj(vec![("account_id", Value::Nil)]),
            &id,
        );
        assert_eq!(get_str(&v, "account_id"), Some("210987654321"));
        assert!(get_str(&v, "arn")
            .unwrap()
            .starts_with("arn:aws-cn:iam::210987654321:"));
        let p = read("aws_partition", obj(vec![]), &id);
        assert_eq!(get_str(&p, "partition"), Some("aws-cn"));
    }

    #[test]
    fn policy_document_renders_statements() {
        let st = obj(vec![
            ("effect", Value::Nil),
            ("actions", Value::Array(vec!["s3:GetObject".into()])),
            (
                "resources",
                Value::Array(vec!["arn:aws:s3:::b".into(), "arn:aws:s3:::b/*".into()]),
            ),
        ]);
        let v = read(
            "aws_iam_policy_document",
            obj(vec![
                ("statement", Value::Array(vec![st])),
                ("json", Value::Nil),
            ]),
            &lab(),
        );
        let doc: serde_json::Value =
            serde_json::from_str(get_str(&v, "minified_json").unwrap()).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]})
        );
    }
}
