//! Every diagnostic and review code stackgen can report, in one table.
//!
//! A code is a stable identifier: instructors grep for it, `--allow` takes
//! it, and `docs/src/reference/rules.md` documents it under the anchor given here (a test
//! checks every code has its section, and every section its code). A code
//! means one thing: when a rule grows a second, unrelated check, it gets a
//! new code rather than sharing one.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information about how the input was read (a roster's encoding, its
    /// ignored columns); nothing to fix.
    Note,
    /// The stack would work, but something deserves attention.
    Warning,
    /// The input is rejected (validation) or the role needs a look (review).
    Error,
}

macro_rules! codes {
    ($($id:ident $severity:ident $title:literal;)*) => {
        /// A stable finding code. The variant name is the code as printed.
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($id),* }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$id),*];

            /// The code as printed: `SG201`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$id => stringify!($id)),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$id => Severity::$severity),* }
            }

            /// What the code is about, as its `docs/src/reference/rules.md` heading says.
            pub fn title(self) -> &'static str {
                match self { $(Code::$id => $title),* }
            }
        }
    };
}

codes! {
    // SG0xx: reading the file
    SG001 Error "YAML syntax";
    SG002 Error "missing field";
    SG003 Error "wrong type";
    SG004 Error "unknown key";
    SG010 Error "tab indentation";
    SG011 Error "key written twice";
    SG012 Error "no space after the colon";
    SG013 Error "not one of the values";
    // SG1xx: the input fields
    SG101 Error "account id";
    SG102 Error "region";
    SG103 Error "initials";
    SG104 Error "index number";
    SG105 Error "full name";
    SG106 Error "environment";
    SG107 Error "free text";
    // SG2xx: derived AWS names
    SG201 Error "S3 bucket name";
    SG202 Error "Kinesis stream name";
    SG203 Error "Firehose delivery stream name";
    SG204 Error "IAM role name";
    SG205 Error "IAM inline policy name";
    SG206 Error "Lambda function name";
    SG207 Error "Lambda layer name";
    SG208 Error "Glue database or table name";
    SG209 Error "Glue crawler name";
    SG210 Error "Kinesis Analytics application name";
    SG211 Error "Athena workgroup name";
    SG212 Error "CloudWatch log group name";
    SG213 Error "SSM parameter name";
    SG214 Error "EventBridge rule name";
    // SG3xx: options
    SG301 Error "stream.shard_count";
    SG302 Error "stream.retention_hours";
    SG303 Error "firehose.buffer_size_mb";
    SG304 Error "firehose.buffer_interval_s";
    SG305 Error "lambda.runtime";
    SG306 Error "lambda.timeout_s";
    SG307 Error "lambda.memory_mb";
    SG308 Error "lambda.layer_zip path";
    SG309 Error "log_retention_days";
    SG310 Error "analytics.symbol";
    SG311 Error "analytics.threshold";
    SG312 Error "analytics.window_seconds";
    SG313 Error "athena.symbols";
    SG314 Error "athena.first_year";
    SG315 Error "athena.results_expire_days";
    SG316 Error "generator pacing";
    SG317 Error "lambda.layer_version outside modern";
    SG318 Error "analytics.engine";
    SG319 Error "iam.existing_role";
    SG320 Error "lambda.layer_zip outside classic";
    SG321 Error "unknown AWSSDKPandas layer version";
    SG322 Error "Learner Lab region";
    SG323 Error "expire_after_hours";
    SG324 Error "expire_after_hours without a reaper";
    // SG4xx: remote state and AWS quotas
    SG401 Error "backend.s3.bucket";
    SG402 Error "backend.s3.region";
    SG403 Error "backend.s3.key_prefix";
    SG404 Error "backend.s3.lock_table";
    SG405 Error "lock table missing";
    SG406 Error "backend kind";
    SG410 Error "AWS quota exceeded";
    SG411 Error "quotas value";
    SG420 Error "ci.role_arn";
    SG421 Error "ci.max_parallel";
    SG422 Error "CI without remote state";
    // SG5xx: class files
    SG501 Error "students";
    SG502 Error "defaults.student";
    SG503 Error "target";
    SG504 Error "roster";
    SG505 Error "derived initials";
    SG506 Note "roster encoding";
    SG507 Note "ignored roster columns";
    // SG6xx: collisions in a class
    SG601 Error "duplicate index number";
    SG602 Error "duplicate S3 bucket";
    SG603 Error "duplicate name in one account";
    SG604 Note "same initials";
    // SG7xx: editions
    SG701 Error "unknown edition";
    SG702 Error "edition file";
    SG703 Error "edition grading";
    // SG8xx: files `stackgen grade` reads
    SG801 Error "state or plan JSON";
    SG802 Error "state or plan contents";
    SG803 Error "state or plan format version";
    SG804 Error "Terraform code";
    // SG9xx: warnings
    SG901 Warning "retired Lambda runtime";
    SG902 Warning "policy_style in a Learner Lab";
    SG903 Warning "near an AWS quota";
    SG904 Warning "lock table unused";
    SG905 Warning "max_parallel above the account's limit";
    // IAM0xx: `stackgen review`
    IAM001 Error "action wildcard";
    IAM002 Warning "resource `*`";
    IAM003 Error "reach beyond the student's resources";
    IAM004 Warning "permissions-management action";
    IAM005 Warning "unused role";
}

impl Code {
    /// The anchor of the code's section in `docs/src/reference/rules.md` (mdBook's and GitHub's
    /// heading slugs: lowercase, spaces to `-`, punctuation dropped).
    pub fn anchor(self) -> String {
        let heading = format!("{} {}", self.id(), self.title());
        heading
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    }

    /// Looks a code up by its printed form, case-insensitively (`--allow sg901`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.id().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.id()), "{code} twice");
            let digits = code.id().trim_start_matches(char::is_alphabetic);
            assert_eq!(digits.len(), 3, "{code}");
            assert!(!code.title().is_empty());
        }
    }

    #[test]
    fn parse_round_trips() {
        for code in Code::ALL {
            assert_eq!(Code::parse(&code.id().to_lowercase()), Some(*code));
        }
        assert_eq!(Code::parse("SG999"), None);
    }
}
