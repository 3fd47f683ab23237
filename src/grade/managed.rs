//! AWS managed policies a lab role may have attached, by name.
//!
//! A state or a plan holds only the ARN of an AWS managed policy
//! (`arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole`), never its
//! document. The policies the lab and its common variations attach are
//! here, each at the version given, from the AWS Managed Policy Reference
//! Guide (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/,
//! one page per policy, read 2026-12); any other managed policy's
//! permissions are unknown to a grade, and a check that would need them
//! is `unknown`.

/// (name, default version, document).
const POLICIES: &[(&str, &str, &str)] = &[
    // The crawler's service policy the handout attaches (exercise 3).
    // Version v5, updated 2023-09-11.
    (
        "AWSGlueServiceRole",
        "v5",
        r#"{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["glue:*","s3:GetBucketLocation","s3:ListBucket","s3:ListAllMyBuckets","s3:GetBucketAcl","ec2:DescribeVpcEndpoints","ec2:DescribeRouteTables","ec2:CreateNetworkInterface","ec2:DeleteNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSecurityGroups","ec2:DescribeSubnets","ec2:DescribeVpcAttribute","iam:ListRolePolicies","iam:GetRole","iam:GetRolePolicy","cloudwatch:PutMetricData"],"Resource":["*"]},
{"Effect":"Allow","Action":["s3:CreateBucket"],"Resource":["arn:aws:s3:::aws-glue-*"]},
{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::aws-glue-*/*","arn:aws:s3:::*/*aws-glue-*/*"]},
{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::crawler-public*","arn:aws:s3:::aws-glue-*"]},
{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":["arn:aws:logs:*:*:*:/aws-glue/*"]},
{"Effect":"Allow","Action":["ec2:CreateTags","ec2:DeleteTags"],"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["aws-glue-service-resource"]}},"Resource":["arn:aws:ec2:*:*:network-interface/*","arn:aws:ec2:*:*:security-group/*","arn:aws:ec2:*:*:instance/*"]}]}"#,
    ),
    // What students attach to a Lambda role for its logs. Version v1.
    (
        "AWSLambdaBasicExecutionRole",
        "v1",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    // A detector function's stream and logs. Version v2.
    (
        "AWSLambdaKinesisExecutionRole",
        "v2",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords","kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams","kinesis:SubscribeToShard","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
];

/// The document of the AWS managed policy an ARN names
/// (`arn:<partition>:iam::aws:policy/<path>/<name>`), if it is one of the
/// table's.
pub fn document(arn: &str) -> Option<(&'static str, &'static str)> {
    let rest = arn.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(':')?;
    let policy = rest.strip_prefix("iam::aws:policy/")?;
    let name = policy.rsplit('/').next()?;
    POLICIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, version, doc)| (*version, *doc))
}

/// Whether an ARN names an AWS managed policy (known or not).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws") && arn.contains(":policy/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_parses_and_is_found_by_arn() {
        for (name, _, doc) in POLICIES {
            crate::grade::policy::parse(name, doc).unwrap();
            let arn = format!("arn:aws:iam::aws:policy/service-role/{name}");
            assert!(document(&arn).is_some(), "{arn}");
            assert!(is_aws_managed(&arn));
        }
        assert!(document("arn:aws:iam::aws:policy/AdministratorAccess").is_none());
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/mine"));
    }
}
