//! The parts of one stack, and what each part owns.
//!
//! A part is one piece of the lab (the stream, the ETL function, ...). It
//! owns its AWS names (each with the naming rule of its kind), its
//! Terraform addresses, its IAM role, the templates that write it, its zip,
//! its cost line and its review text. Which parts a stack has is decided
//! once, in `stack::parts`, from the edition and the spec; validation,
//! emit, link, review and the class summary all iterate over that list.
//! The kinds of part and of name are `base::part`'s: editions name them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::address::Address;
use super::iam::Document;
use crate::base::part::{Name, PartId};

/// An IAM role the stack creates for a part.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub name: String,
    pub policy_name: String,
    pub trust: Document,
    pub policy: Document,
    /// What the part's service needs: the least-privilege policy, whatever
    /// style the stack's own policy is written in (`stackgen grade` checks
    /// a student's role against it).
    #[serde(skip)]
    pub needs: Document,
    pub address: Address,
    pub policy_address: Address,
    /// AWS managed policies attached beside the inline policy, with the
    /// attachment's address.
    pub managed: Vec<(Address, String)>,
}

/// One line of a stack's running cost.
#[derive(Debug, Clone, Serialize)]
pub struct Cost {
    pub usd_per_hour: f64,
    /// How the figure is reached: "1 shard × $0.015 per shard-hour".
    pub basis: String,
}

/// A template a part is written by, and the output file it goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fragment {
    pub file: &'static str,
    pub template: &'static str,
}

/// A zip the stack carries, built by `package`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zip {
    Etl,
    Alert,
    Detector,
    Reaper,
}

impl Zip {
    pub fn path(self) -> &'static str {
        match self {
            Zip::Etl => "lambda/etl_function.zip",
            Zip::Alert => "lambda/alert_function.zip",
            Zip::Detector => "lambda/detector_function.zip",
            Zip::Reaper => "lambda/stack_reaper.zip",
        }
    }
}

/// One part of one student's stack.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub id: PartId,
    /// Names by key (the edition's `names:` keys).
    pub names: BTreeMap<&'static str, Name>,
    /// Addresses of the blocks the part declares, by key.
    pub addresses: BTreeMap<&'static str, Address>,
    /// The role the stack creates for the part; None when the part needs
    /// none or the stack uses a Learner Lab's existing role.
    pub role: Option<Role>,
    /// Where the part's service gets its role ARN: its own role's, or the
    /// Learner Lab role's lookup. None for parts without a role.
    #[serde(skip)]
    pub role_arn: Option<super::address::Reference>,
    pub fragments: Vec<Fragment>,
    pub zip: Option<Zip>,
    pub cost: Option<Cost>,
    /// What the part is, for the review and the stack's README.
    pub title: &'static str,
}

impl Part {
    /// The value of one of the part's names. Every key asked for is one
    /// the part's table in `stack::parts` declares.
    pub fn name(&self, key: &str) -> &str {
        self.names.get(key).map_or_else(
            || panic!("part {:?} has no name `{key}`", self.id),
            |n| &n.value,
        )
    }

    pub fn address(&self, key: &str) -> Address {
        *self
            .addresses
            .get(key)
            .unwrap_or_else(|| panic!("part {:?} has no address `{key}`", self.id))
    }
}
