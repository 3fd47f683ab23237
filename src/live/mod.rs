//! What reads or changes a live AWS account: `stackgen status` (what each
//! student has left billing by the hour, and what it has cost) and
//! `stackgen sweep` (deletes it, by exact name, when it is old enough).
//! `sdk` builds the AWS SDK's configuration for every command that calls
//! AWS, `replay` included.
//!
//! - `billed.rs`: the table of hourly-billed parts and their prices;
//! - `clock.rs`: the one clock (`STACKGEN_NOW`) and `--older-than`'s spans;
//! - `aws.rs`: the AWS calls, each naming one resource by its full name;
//! - `look.rs`: each student's billed resources, and whether they are the
//!   stack's own (exact name, ARN and the stack's tags);
//! - `status.rs`, `sweep.rs`: the two commands' reports and decisions.

pub mod aws;
pub mod billed;
pub mod clock;
pub mod look;
pub mod sdk;
pub mod status;
pub mod sweep;
