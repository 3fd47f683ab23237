//! `stackgen init`: a commented student or class file to start from.
//!
//! The file validates exactly as written (a test renders it), so a newcomer
//! can `init`, `render`, and only then edit. Every optional key is listed
//! commented out with its default, so the file doubles as the reference;
//! a test uncomments them all and checks that the file still loads, so the
//! comments cannot drift from the model.
//!
//! The first line is the YAML language server's schema comment. It names
//! `student.schema.json` (or `class.schema.json`) beside the file, which
//! `init` writes from `stackgen schema` too: a relative path works offline
//! and with any editor that runs the language server, and the schema is the
//! one of the stackgen that wrote the file (`stackgen schema > student.schema.json`
//! refreshes it after an upgrade).

/// The course edition the file is for (`base::edition`'s built-ins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edition {
    #[default]
    Uam2021,
    Uam2025,
}

impl Edition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uam2021 => "uam-2021",
            Self::Uam2025 => "uam-2025",
        }
    }
}

/// The schema file the student file's first line names.
pub const STUDENT_SCHEMA: &str = "student.schema.json";
/// The schema file the class file's first line names.
pub const CLASS_SCHEMA: &str = "class.schema.json";

/// A student file: the handout's student on the modern target.
pub fn student(edition: Edition) -> String {
    format!(
        "\
# yaml-language-server: $schema={STUDENT_SCHEMA}
#
# One student's lab stack. Check it, then render it:
#   stackgen validate student.yaml
#   stackgen render student.yaml -o out/jk-12345
# The keys down to `environment` describe the student; everything after is
# optional, shown commented out with its default (the handout's values).
# Each check is explained in docs/src/reference/rules.md.

# `modern` (Terraform >= 1.5, AWS provider 6: deploys on AWS today) or
# `classic` (the handout's Terraform 0.14 and provider 3).
target: modern
{edition}
student:
  name: Jan Kowalski        # full name, for the Owner tag
  initials: jk              # lowercase letters a-z
  index_no: \"12345\"         # digits, in quotes
account_id: \"100603781557\"  # the AWS account's 12 digits, in quotes
region: us-east-1
environment: dev            # lowercase letters and digits; part of every name

{options}",
        edition = edition_line(edition),
        options = OPTIONS,
    )
}

/// A class file: defaults shared by every student, two students inline,
/// and the roster alternative commented out.
pub fn class(edition: Edition) -> String {
    format!(
        "\
# yaml-language-server: $schema={CLASS_SCHEMA}
#
# A whole class: one stack per student, checked together. Check, then render:
#   stackgen validate class.yaml
#   stackgen render class.yaml -o out/
# writes out/<index_no>-<initials>/ per student and out/class-summary.md.

course: uam-cloud-2026
target: modern
# Any key of the student file except `student`, shared by every student.
defaults:
  {edition}
  account_id: \"100603781557\"
  region: us-east-1
  # log_retention_days: 14
  # stream:
  #   shard_count: 1
  # Every student's Terraform state in one S3 bucket, which `render` writes
  # a bootstrap/ stack for (the book's \"Remote state\"; classic adds `lock_table`):
  # backend:
  #   s3: {{ bucket: uam-cloud-2026-tfstate, region: us-east-1, key_prefix: uam-cloud-2026 }}

# AWS quotas your accounts have had raised (checked, with the defaults, by
# `validate`; the book's \"Large classes\"):
# quotas:
#   iam_roles: 2000

# Each student may also set `account_id`, `region` and `environment`.
# Missing initials come from the name (Łukasz Żak: lz).
students:
  - {{ name: Jan Kowalski, initials: jk, index_no: \"12345\" }}
  - {{ name: Anna Nowak, index_no: \"12346\" }}

# Or, instead of `students:`, a CSV exported from the university system
# (`,` `;` or tab; UTF-8 or Windows-1250; headers such as `Imię`,
# `Nazwisko`, `Numer albumu`, or `name`, `index_no`, `initials`, `account_id`):
# roster: students.csv
",
        edition = edition_line(edition).trim_end().replace('\n', "\n  "),
    )
}

fn edition_line(edition: Edition) -> String {
    format!(
        "# The course's layout: uam-2021 (the handout's) or uam-2025 (the 2025-26 cohorts').\nedition: {}\n",
        edition.as_str()
    )
}

/// Every optional key of the student file, commented out, with its default.
const OPTIONS: &str = "\
# policy_style: least_privilege  # or `lab`: the handout's broad policies
# log_retention_days: 14         # one of CloudWatch's values
# iam:
#   existing_role: LabRole       # AWS Academy Learner Lab: use its role, create no IAM
# stream:
#   shard_count: 1               # 1 to 500
#   retention_hours: 24          # 24 to 8760
# firehose:
#   buffer_size_mb: 1            # 1 to 128
#   buffer_interval_s: 60        # 60 to 900
# lambda:
#   runtime: python3.12          # modern: python3.11, python3.12, python3.13
#   timeout_s: 300               # 1 to 900
#   memory_mb: 512               # 128 to 10240
# analytics:
#   enabled: true                # exercise 5: anomaly detection on the stream
#   symbol: BTC_USD
#   threshold: 4                 # flag a trade above 4 x the window's average
#   window_seconds: 30
#   alerts_firehose: true        # load alerts into alerts/
# athena:
#   symbols: [BTC_USD, ETH_USD, LTC_USD]
#   first_year: 2020
#   last_year: 2030
#   results_expire_days: 7
# generator:
#   messages_per_second: 10      # generator -s (1 to 1000)
#   single_run: false            # generator -r
# expire_after_hours: 12         # delete the stream 12 h after it is created (1 to 720; off unless set)
";
