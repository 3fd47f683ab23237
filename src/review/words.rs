//! IAM statements in plain words, for instructors who do not read ARNs.

use std::fmt::Write as _;

use crate::stack::iam::Statement;

/// What a resource ARN (or `*`) covers, in words.
pub fn resource(arn: &str) -> String {
    if arn == "*" {
        return "every resource of the service, in every account (`*`)".to_owned();
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, _, rest] = parts.as_slice() else {
        return format!("`{arn}`");
    };
    match *service {
        "s3" => s3(rest),
        "kinesis" => match rest.strip_prefix("stream/") {
            Some(name) => format!("Kinesis stream `{name}`"),
            None => format!("Kinesis `{rest}`"),
        },
        "firehose" => match rest.strip_prefix("deliverystream/") {
            Some(name) => format!("Firehose delivery stream `{name}`"),
            None => format!("Firehose `{rest}`"),
        },
        "lambda" => match rest.strip_prefix("function:") {
            Some(name) => match name.strip_suffix(":*") {
                Some(base) => format!("versions and aliases of Lambda function `{base}`"),
                None => format!("Lambda function `{name}`"),
            },
            None => format!("Lambda `{rest}`"),
        },
        "logs" => logs(rest),
        _ => format!("`{arn}`"),
    }
}

fn s3(rest: &str) -> String {
    match rest.split_once('/') {
        None => match rest.strip_suffix('*') {
            Some(prefix) => format!("every bucket whose name starts with `{prefix}`"),
            None => format!("bucket `{rest}`"),
        },
        Some((bucket, "*")) => format!("every object in bucket `{bucket}`"),
        Some((bucket, key)) => match key.strip_suffix('*') {
            Some(prefix) => format!("objects under `{prefix}` in bucket `{bucket}`"),
            None => format!("object `{key}` in bucket `{bucket}`"),
        },
    }
}

fn logs(rest: &str) -> String {
    let Some(group) = rest.strip_prefix("log-group:") else {
        return format!("CloudWatch Logs `{rest}`");
    };
    if let Some(name) = group.strip_suffix(":log-stream:*") {
        return format!("log streams of log group `{name}`");
    }
    if let Some(name) = group.strip_suffix(":*") {
        return format!("log group `{name}` and its streams");
    }
    if let Some(prefix) = group.strip_suffix('*') {
        return format!("every log group whose name starts with `{prefix}`");
    }
    format!("log group `{group}`")
}

/// One line per statement: effect, actions, resources, conditions.
pub fn statement(s: &Statement) -> String {
    let mut out = format!("{} {}", s.effect, s.actions.join(", "));
    if !s.resources.is_empty() {
        let on: Vec<String> = s.resources.iter().map(|r| resource(r)).collect();
        let _ = write!(out, " on {}", on.join("; "));
    }
    for (operator, keys) in &s.condition {
        for (key, values) in keys {
            let _ = write!(
                out,
                ", only if {key} {} {}",
                verb(operator),
                values.join(" or ")
            );
        }
    }
    out
}

fn verb(operator: &str) -> &str {
    match operator {
        "StringLike" | "ArnLike" => "matches",
        "StringEquals" | "ArnEquals" => "is",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::resource;

    #[test]
    fn describes_the_arns_stacks_use() {
        let cases = [
            ("*", "every resource of the service, in every account (`*`)"),
            ("arn:aws:s3:::b", "bucket `b`"),
            ("arn:aws:s3:::b*", "every bucket whose name starts with `b`"),
            ("arn:aws:s3:::b/*", "every object in bucket `b`"),
            (
                "arn:aws:s3:::b/raw-zone/*",
                "objects under `raw-zone/` in bucket `b`",
            ),
            ("arn:aws:kinesis:us-east-1:1:stream/s", "Kinesis stream `s`"),
            (
                "arn:aws:lambda:us-east-1:1:function:f:*",
                "versions and aliases of Lambda function `f`",
            ),
            (
                "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*",
                "log group `/aws/lambda/f` and its streams",
            ),
            (
                "arn:aws:logs:us-east-1:1:log-group:/aws/kinesisfirehose/*",
                "every log group whose name starts with `/aws/kinesisfirehose/`",
            ),
        ];
        for (arn, words) in cases {
            assert_eq!(resource(arn), words, "{arn}");
        }
    }
}
