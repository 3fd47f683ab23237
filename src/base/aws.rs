//! Facts about AWS that validation, the schema and planning need, as
//! tables, each with its source where AWS publishes it: regions and their
//! partitions, CloudWatch's allowed log retentions, the Lambda runtimes
//! each target takes, the AWS-managed AWSSDKPandas layers, the Learner
//! Lab's regions, and list prices. Kept as data so a new region is a
//! one-line change.

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

#[cfg(test)]
mod tests {
    use super::*;

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
