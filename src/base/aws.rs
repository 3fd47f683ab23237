//! Facts about AWS that validation, the schema and planning need, as
//! tables, each with its source where AWS publishes it: regions and their
//! partitions, CloudWatch's allowed log retentions, the Lambda runtimes
//! each target takes, the AWS-managed AWSSDKPandas layers, the Learner
//! Lab's regions, list prices, and the quotas that bound how many students
//! one account holds. Kept as data so a new region is a one-line change.

use super::part::NameKind;

/// Region codes as of late 2026, with their partition.
pub const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "aws"),
    ("ap-east-1", "aws"),
    ("ap-east-2", "aws"),
    ("ap-northeast-1", "aws"),
    ("ap-northeast-2", "aws"),
    ("ap-northeast-3", "aws"),
    ("ap-south-1", "aws"),
    ("ap-south-2", "aws"),
    ("ap-southeast-1", "aws"),
    ("ap-southeast-2", "aws"),
    ("ap-southeast-3", "aws"),
    ("ap-southeast-4", "aws"),
    ("ap-southeast-5", "aws"),
    ("ap-southeast-6", "aws"),
    ("ap-southeast-7", "aws"),
    ("ca-central-1", "aws"),
    ("ca-west-1", "aws"),
    ("cn-north-1", "aws-cn"),
    ("cn-northwest-1", "aws-cn"),
    ("eu-central-1", "aws"),
    ("eu-central-2", "aws"),
    ("eu-north-1", "aws"),
    ("eu-south-1", "aws"),
    ("eu-south-2", "aws"),
    ("eu-west-1", "aws"),
    ("eu-west-2", "aws"),
    ("eu-west-3", "aws"),
    ("il-central-1", "aws"),
    ("me-central-1", "aws"),
    ("me-south-1", "aws"),
    ("mx-central-1", "aws"),
    ("sa-east-1", "aws"),
    ("us-east-1", "aws"),
    ("us-east-2", "aws"),
    ("us-gov-east-1", "aws-us-gov"),
    ("us-gov-west-1", "aws-us-gov"),
    ("us-west-1", "aws"),
    ("us-west-2", "aws"),
];

/// The ARN partition of a region; `aws` for an unknown one (validation has
/// rejected it before anything is planned).
pub fn partition(region: &str) -> &'static str {
    REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .map_or("aws", |(_, p)| p)
}

pub fn is_region(code: &str) -> bool {
    REGIONS.iter().any(|(r, _)| *r == code)
}

/// Values CloudWatch Logs accepts for a log group's retention, in days.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The classic target's runtime: provider 3.x knows no newer Python than
/// 3.9 and rejects newer ones at validate, and the handout's awswrangler
/// layer is built for 3.8.
pub const CLASSIC_RUNTIME: &str = "python3.8";
/// Runtimes the modern target accepts: those AWS supports for new
/// functions (late 2026) with an AWS-managed AWSSDKPandas layer.
pub const MODERN_RUNTIMES: [&str; 3] = ["python3.11", "python3.12", "python3.13"];
pub const MODERN_RUNTIME: &str = "python3.12";
/// The AWS-managed AWSSDKPandas layers (x86_64) AWS publishes, per
/// region: the account that publishes them there, and the newest version
/// of `AWSSDKPandas-Python311`, `-Python312` and `-Python313` (the order of
/// `MODERN_RUNTIMES`).
///
/// Source: the aws-sdk-pandas documentation, "AWS Lambda Managed Layers"
/// (`docs/source/layers.rst` in aws/aws-sdk-pandas, as updated on
/// 2026-06-25 for awswrangler 3.17.0, the newest release in the copy of
/// the repository read on 2026-12-01, whose last commit is of 2026-07-24).
/// A layer's versions are numbered from 1 and every earlier version stays
/// published (the page's history lists them in turn), so the published
/// versions are 1 to the newest. The newest is the default: every region
/// then gets the same awswrangler release. Regions absent here (newer
/// ones such as ap-southeast-7, and GovCloud) have no published layer on
/// that page; there `lambda.layer_version` must be given.
pub const PANDAS_LAYERS: &[(&str, &str, [u32; 3])] = &[
    ("af-south-1", "336392948345", [32, 28, 13]),
    ("ap-east-1", "839552336658", [32, 26, 11]),
    ("ap-northeast-1", "336392948345", [33, 29, 14]),
    ("ap-northeast-2", "336392948345", [33, 29, 14]),
    ("ap-northeast-3", "336392948345", [33, 29, 14]),
    ("ap-south-1", "336392948345", [33, 29, 14]),
    ("ap-south-2", "246107603503", [31, 26, 11]),
    ("ap-southeast-1", "336392948345", [33, 29, 14]),
    ("ap-southeast-2", "336392948345", [33, 29, 14]),
    ("ap-southeast-3", "258944054355", [32, 26, 11]),
    ("ap-southeast-4", "945386623051", [31, 26, 11]),
    ("ca-central-1", "336392948345", [33, 29, 14]),
    ("ca-west-1", "941713567376", [3, 3, 3]),
    ("cn-north-1", "406640652441", [26, 10, 10]),
    ("cn-northwest-1", "406640652441", [25, 10, 10]),
    ("eu-central-1", "336392948345", [33, 29, 14]),
    ("eu-central-2", "956415814219", [31, 26, 11]),
    ("eu-north-1", "336392948345", [33, 29, 14]),
    ("eu-south-1", "774444163449", [32, 26, 11]),
    ("eu-south-2", "982086096842", [31, 26, 11]),
    ("eu-west-1", "336392948345", [33, 29, 14]),
    ("eu-west-2", "336392948345", [33, 29, 14]),
    ("eu-west-3", "336392948345", [33, 29, 14]),
    ("il-central-1", "263840725265", [30, 26, 11]),
    ("me-central-1", "593833071574", [30, 26, 11]),
    ("sa-east-1", "336392948345", [33, 29, 14]),
    ("us-east-1", "336392948345", [33, 29, 14]),
    ("us-east-2", "336392948345", [33, 29, 14]),
    ("us-west-1", "336392948345", [33, 29, 14]),
    ("us-west-2", "336392948345", [33, 29, 14]),
];
/// When and from where `PANDAS_LAYERS` was read (said in SG321's rule).
pub const PANDAS_LAYERS_SOURCE: &str =
    "the aws-sdk-pandas \"AWS Lambda Managed Layers\" page for awswrangler 3.17.0 (2026-06-25)";
/// The account AWS publishes the AWSSDKPandas layers from in most regions,
/// used where `PANDAS_LAYERS` has no entry.
pub const PANDAS_LAYER_ACCOUNT: &str = "336392948345";

/// A published AWSSDKPandas layer for one region and runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PandasLayer {
    pub account: &'static str,
    /// The newest published version; versions 1 to this one exist.
    pub newest: u32,
}

/// The AWSSDKPandas layer AWS publishes for `runtime` in `region`, if any.
pub fn pandas_layer(region: &str, runtime: &str) -> Option<PandasLayer> {
    let column = MODERN_RUNTIMES.iter().position(|r| *r == runtime)?;
    PANDAS_LAYERS
        .iter()
        .find(|(r, _, _)| *r == region)
        .map(|(_, account, versions)| PandasLayer {
            account,
            newest: versions[column],
        })
}
pub const DEFAULT_LAYER_ZIP: &str = "lambda/awswrangler-layer-2.7.0-py3.8.zip";
/// Regions an AWS Academy Learner Lab account can use.
pub const LEARNER_LAB_REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

/// List prices of the parts that bill by the hour, in one region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionPrices {
    pub region: &'static str,
    /// Kinesis Data Streams, provisioned mode: per shard-hour.
    pub shard_hour_usd: f64,
    /// Kinesis Data Analytics for SQL: per KPU-hour.
    pub analytics_hour_usd: f64,
    /// Firehose, Direct PUT and Kinesis source, first tier: per GB ingested.
    pub firehose_gb_usd: f64,
    /// When the prices were read, and where.
    pub date: &'static str,
    pub source: &'static str,
}

/// The regions whose prices are known. A region missing here gets no
/// invented figure: `prices` says None, `cost` says so in its basis, and
/// the class summary shows the cost as unknown (see `output::summary`).
/// To add a region, read its three prices off the pages in `source` (pick
/// the region in the page's selector) and add a line.
pub const PRICES: &[RegionPrices] = &[RegionPrices {
    region: "us-east-1",
    shard_hour_usd: 0.015,
    analytics_hour_usd: 0.11,
    firehose_gb_usd: 0.029,
    date: "2026-11",
    source: "AWS pricing pages of Kinesis Data Streams, Kinesis Data Analytics and Amazon Data Firehose (the first two are also the handout's)",
}];

/// The prices of `region`, if known.
pub fn prices(region: &str) -> Option<&'static RegionPrices> {
    PRICES.iter().find(|p| p.region == region)
}

/// The prices used when a region's are unknown, so a stack still has a
/// figure for its own cost lines; each line then says whose prices they are.
pub const FALLBACK_PRICES: &RegionPrices = &PRICES[0];

/// us-east-1 list prices, the figures the handout quotes.
pub const SHARD_HOUR_USD: f64 = FALLBACK_PRICES.shard_hour_usd;
pub const ANALYTICS_HOUR_USD: f64 = FALLBACK_PRICES.analytics_hour_usd;
pub const FIREHOSE_GB_USD: f64 = FALLBACK_PRICES.firehose_gb_usd;
pub const PRICES_DATE: &str = FALLBACK_PRICES.date;

/// The longest `backend.s3.key_prefix` (SG403): leaves room in S3's
/// 1,024-byte keys for `/<index_no>-<initials>/terraform.tfstate` and for
/// the lock file's suffix.
pub const KEY_PREFIX_MAX: usize = 200;

/// What a quota counts in one student's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// One for each name of these kinds the stack creates (the names are
    /// the part table's, so a new part is counted by the kinds of its
    /// names, with no change here).
    Names(&'static [NameKind]),
    /// Bytes of code Lambda stores: `LAYER_ZIP_BYTES` for each layer the
    /// stack uploads (classic: the course's awswrangler zip, once per
    /// student) and `FUNCTION_ZIP_BYTES` for each function. The modern
    /// target's AWS-managed layer lives in AWS's account, not the student's.
    LambdaCode,
    /// Shards: `stream.shard_count` for each Kinesis stream.
    Shards,
}

/// Where a quota applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Once per account, whatever the region (IAM, S3 bucket count).
    Account,
    /// Per account and region.
    Region,
}

/// One AWS quota that a class can run into. Figures are the documented
/// defaults; a class states raised ones under `quotas:` (by `key`).
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    /// Its key under `quotas:` (`iam_roles`, a fixed contract, and the rest).
    pub key: &'static str,
    /// What is counted, in words: "IAM roles".
    pub what: &'static str,
    /// The quota's name where AWS lists it: "Roles per account".
    pub name: &'static str,
    /// The Service Quotas service code.
    pub service: &'static str,
    /// The Service Quotas quota code, where the quota has one there (the
    /// adjustable ones); None where AWS documents the quota only on the
    /// service's own page.
    pub code: Option<&'static str>,
    /// The default in every region not in `regional`.
    pub default: u64,
    /// Regions whose default differs.
    pub regional: &'static [(&'static str, u64)],
    pub scope: Scope,
    pub measure: Measure,
    /// Whether AWS raises it on request.
    pub adjustable: bool,
    pub source: &'static str,
    /// When the figure and the code were read.
    pub date: &'static str,
}

impl Quota {
    /// The default in `region`.
    pub fn default_in(&self, region: &str) -> u64 {
        self.regional
            .iter()
            .find(|(r, _)| *r == region)
            .map_or(self.default, |(_, v)| *v)
    }

    /// A count in the quota's unit, as a diagnostic prints it.
    pub fn show(&self, count: u64) -> String {
        match self.measure {
            Measure::LambdaCode => {
                // Tenths of a GB, rounded, in integers.
                let tenths = (count * 10 + GB / 2) / GB;
                format!("{}.{} GB", thousands(tenths / 10), tenths % 10)
            }
            _ => thousands(count),
        }
    }

    /// The quota's limit in what `Measure` counts (bytes for Lambda
    /// storage), from a value in its unit (GB for Lambda storage).
    pub fn limit(&self, value: u64) -> u64 {
        match self.measure {
            Measure::LambdaCode => value.saturating_mul(GB),
            _ => value,
        }
    }
}

/// Lambda counts storage in binary units: its documentation says MB for
/// 1,024 KB, and GB likewise.
pub const GB: u64 = 1 << 30;
/// Kinesis Data Streams: at most 5 streams can be in the CREATING state at
/// the same time per account (a hard limit, not adjustable). Source: Amazon
/// Kinesis Data Streams Developer Guide, "Quotas and limits" (CreateStream),
/// read 2026-12-06. A CI pipeline's `max_parallel` follows it.
pub const KINESIS_CREATING_PER_ACCOUNT: u32 = 5;
/// The course's awswrangler 2.7.0 layer zip, which every classic student
/// uploads as a layer version of their own: 40 MB, the figure the course
/// and this repository's README give. stackgen does not generate it and it
/// is not in the repository, so it is not measured here; a larger file
/// only makes the Lambda storage quota bind sooner.
pub const LAYER_ZIP_BYTES: u64 = 40 << 20;
/// An upper bound for each Lambda function's zip that stackgen generates
/// (ETL, alert, detector): a few KB each; `tests/class_cli.rs` checks every
/// generated zip against it.
pub const FUNCTION_ZIP_BYTES: u64 = 64 << 10;

const IAM_QUOTAS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

/// The quotas a class is checked against (`validate::quotas`), each with
/// its source. Kinesis Data Analytics for SQL (50 applications per region)
/// is not here: AWS has accepted no new application since 2025-10-15, so
/// no class creates one on AWS whatever its size (the classic target's
/// README says so). The codes are Service Quotas' (`aws service-quotas
/// get-aws-default-service-quota --service-code S --quota-code C`), read
/// off a published listing of the adjustable quotas and the quota pages
/// below in 2026-12.
pub const QUOTAS: &[Quota] = &[
    Quota {
        key: "iam_roles",
        what: "IAM roles",
        name: "Roles per account",
        service: "iam",
        code: Some("L-FE177D64"),
        default: 1_000,
        regional: &[],
        scope: Scope::Account,
        measure: Measure::Names(&[NameKind::IamRole]),
        adjustable: true,
        source: IAM_QUOTAS,
        date: "2026-12",
    },
    Quota {
        key: "s3_buckets",
        what: "S3 buckets",
        name: "General purpose buckets",
        service: "s3",
        code: Some("L-DC2B2D3D"),
        default: 10_000,
        regional: &[],
        scope: Scope::Account,
        measure: Measure::Names(&[NameKind::S3Bucket]),
        adjustable: true,
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html",
        date: "2026-12",
    },
    Quota {
        key: "kinesis_shards",
        what: "Kinesis shards",
        name: "Shards per Region",
        service: "kinesis",
        code: Some("L-0918CF54"),
        default: 200,
        regional: &[("us-east-1", 500), ("us-west-2", 500), ("eu-west-1", 500)],
        scope: Scope::Region,
        measure: Measure::Shards,
        adjustable: true,
        source: "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
        date: "2026-12",
    },
    Quota {
        key: "firehose_streams",
        what: "Firehose streams",
        name: "Delivery streams",
        service: "firehose",
        code: Some("L-14BB0BE7"),
        default: 5_000,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::Firehose]),
        adjustable: true,
        source: "https://docs.aws.amazon.com/firehose/latest/dev/limits.html",
        date: "2026-12",
    },
    Quota {
        key: "glue_databases",
        what: "Glue databases",
        name: "Max databases per account",
        service: "glue",
        code: Some("L-F953935E"),
        default: 10_000,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::GlueDatabase]),
        adjustable: true,
        source: "https://docs.aws.amazon.com/general/latest/gr/glue.html",
        date: "2026-12",
    },
    Quota {
        key: "glue_crawlers",
        what: "Glue crawlers",
        name: "Number of crawlers per account",
        service: "glue",
        code: Some("L-11FA2C1A"),
        default: 1_000,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::GlueCrawler]),
        adjustable: true,
        source: "https://docs.aws.amazon.com/general/latest/gr/glue.html",
        date: "2026-12",
    },
    Quota {
        key: "athena_workgroups",
        what: "Athena workgroups",
        name: "Workgroups per account and region",
        service: "athena",
        code: None,
        default: 1_000,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::AthenaWorkgroup]),
        adjustable: false,
        source: "https://docs.aws.amazon.com/athena/latest/ug/service-limits.html",
        date: "2026-12",
    },
    Quota {
        key: "lambda_storage_gb",
        what: "Lambda code and layer storage",
        name: "Function and layer storage",
        service: "lambda",
        code: Some("L-2ACBD22F"),
        default: 75,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::LambdaCode,
        adjustable: true,
        source: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
        date: "2026-12",
    },
    Quota {
        key: "ssm_parameters",
        what: "SSM parameters (standard tier)",
        name: "Standard parameters per account and region",
        service: "ssm",
        code: None,
        default: 10_000,
        regional: &[],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::SsmParameter]),
        adjustable: false,
        source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
        date: "2026-12",
    },
    Quota {
        key: "eventbridge_rules",
        what: "EventBridge rules on the default bus",
        name: "Number of rules",
        service: "events",
        code: Some("L-244521F2"),
        default: 300,
        regional: &[("af-south-1", 100), ("eu-south-1", 100)],
        scope: Scope::Region,
        measure: Measure::Names(&[NameKind::EventRule]),
        adjustable: true,
        source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
        date: "2026-12",
    },
];

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quota_has_a_raisable_key_and_a_source() {
        let mut keys = std::collections::BTreeSet::new();
        for q in QUOTAS {
            assert!(keys.insert(q.key), "{} twice", q.key);
            // `quotas:` has a field of the same name (model::Quotas).
            let mut raised = serde_json::Map::new();
            raised.insert(q.key.to_owned(), serde_json::json!(7));
            let quotas: crate::base::model::Quotas =
                serde_json::from_value(serde_json::Value::Object(raised))
                    .unwrap_or_else(|e| panic!("quotas: has no `{}`: {e}", q.key));
            assert_eq!(quotas.raised(q.key), Some(7), "{}", q.key);
            assert!(
                q.source.starts_with("https://docs.aws.amazon.com/"),
                "{}",
                q.key
            );
            assert!(q.default > 0 && !q.date.is_empty());
            if let Some(code) = q.code {
                assert!(code.starts_with("L-") && code.len() == 10, "{code}");
            }
            for (region, _) in q.regional {
                assert!(is_region(region), "{region}");
            }
        }
        // And the reverse: every field of `quotas:` is a row.
        let all = serde_json::to_value(crate::base::model::Quotas::default()).unwrap();
        for key in all.as_object().unwrap().keys() {
            assert!(
                keys.contains(key.as_str()),
                "quotas.{key} has no row in QUOTAS"
            );
        }
    }

    #[test]
    fn regional_defaults_and_units() {
        let shards = QUOTAS.iter().find(|q| q.key == "kinesis_shards").unwrap();
        assert_eq!(shards.default_in("us-east-1"), 500);
        assert_eq!(shards.default_in("eu-central-1"), 200);
        let lambda = QUOTAS
            .iter()
            .find(|q| q.key == "lambda_storage_gb")
            .unwrap();
        assert_eq!(lambda.limit(75), 75 * GB);
        assert_eq!(lambda.show(LAYER_ZIP_BYTES * 1_920), "75.0 GB");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_layer_table_covers_known_regions_and_runtimes() {
        for (region, _, versions) in PANDAS_LAYERS {
            assert!(is_region(region), "{region}");
            assert!(versions.iter().all(|v| *v >= 1), "{region}");
        }
        let layer = pandas_layer("ap-east-1", "python3.12").unwrap();
        // Opt-in regions publish from accounts of their own.
        assert_eq!(layer.account, "839552336658");
        assert_eq!(pandas_layer("us-east-1", "python3.12").unwrap().newest, 29);
        assert!(pandas_layer("ap-southeast-7", "python3.12").is_none());
        assert!(pandas_layer("us-east-1", "python3.8").is_none());
    }
}
