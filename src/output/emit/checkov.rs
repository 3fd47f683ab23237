//! Why the stacks skip the checkov checks they skip: one reason per check,
//! written once. Templates write `{{ "CKV_AWS_158" | skip }}`; a check
//! without a reason here fails the render, and the suite fails on a skip
//! that suppresses nothing (tests/infra/test_checkers.py).

const REASONS: &[(&str, &str)] = &[
    ("CKV_AWS_18", "access logging needs a second bucket to receive the logs, which a course's buckets do without"),
    ("CKV_AWS_21", "versioning would keep every object the lifecycle rule expires; lab data is regenerated"),
    ("CKV_AWS_28", "the lock table holds only locks that live for one run; a backup restores nothing worth having"),
    ("CKV_AWS_50", "X-Ray needs xray:PutTraceSegments on *, which least privilege rules out"),
    ("CKV_AWS_115", "reserved concurrency fails in accounts whose concurrency limit is 10 (new and lab accounts)"),
    ("CKV_AWS_116", "a dead-letter queue needs SQS; failures show in the function's log group"),
    ("CKV_AWS_117", "a VPC needs endpoints or a NAT gateway (about $1 a day)"),
    ("CKV_AWS_119", "a customer-managed key costs $1 a month; the table holds only lock ids and checksums"),
    ("CKV_AWS_144", "cross-region replication doubles storage and needs a second bucket and role"),
    ("CKV_AWS_158", "a customer-managed key costs $1 a month; CloudWatch encrypts logs already"),
    ("CKV_AWS_173", "the variables are prefixes, names and the rule's settings, no secret; Lambda encrypts them with the AWS key"),
    ("CKV_AWS_195", "encrypted crawler logs need a customer-managed key; the data is public market data"),
    ("CKV_AWS_241", "a customer-managed key costs $1 a month; the AWS-owned key encrypts at rest"),
    ("CKV_AWS_272", "code signing needs a signing profile; stackgen builds the zips"),
    ("CKV_AWS_338", "logs are kept for log_retention_days on purpose, not a year"),
    ("CKV2_AWS_34", "the parameter holds a bucket name, not a secret"),
    ("CKV2_AWS_62", "nothing reacts to new objects in this bucket (of the lake's buckets, only the raw zone's notifies the ETL function)"),
];

/// The skip comment for `check`, or None when no reason is recorded.
pub fn skip(check: &str) -> Option<String> {
    REASONS
        .iter()
        .find(|(c, _)| *c == check)
        .map(|(c, why)| format!("#checkov:skip={c}:{why}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reason_is_one_line_and_checks_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (check, why) in super::REASONS {
            assert!(seen.insert(check), "{check} twice");
            assert!(!why.contains('\n') && !why.is_empty());
        }
    }
}
