//! A Terraform provider that serves the schema of hashicorp/aws, as extracted
//! into `tests/schema/aws-<version>.json`, and plans without calling AWS.
//!
//! No hashicorp/aws 6.x binary can be had on these machines, so this binary
//! stands in for it, installed in a filesystem mirror as
//! `registry.terraform.io/hashicorp/aws` at the schema's version. Real
//! Terraform (1.15.5) then runs `init`, `validate` and `plan` on the modern
//! target's stacks. Terraform core does every check that needs only the
//! schema: unknown arguments and blocks, value types, required arguments,
//! references to undeclared resources and to attributes that do not exist,
//! too many blocks (where the file knows max 1). The provider itself:
//!
//! - validate calls: accepts, and warns about deprecated arguments that are
//!   set (core leaves deprecation to providers); fails on a missing
//!   required block, which tf-provider 0.2.2 cannot put in the schema
//!   (`min_items`), on a required argument set to null and on a computed-only
//!   attribute set, both of which core lets through and hashicorp/aws
//!   reports itself (`value::missing_required`);
//! - PlanResourceChange: the proposed new state with every computed
//!   attribute unknown, and every optional one the configuration leaves out
//!   (the file cannot tell optional+computed from optional; see
//!   `schema::computes`);
//! - ReadDataSource: the configuration plus deterministic computed values
//!   (`data.aws_iam_role` answers `arn:aws:iam::<account>:role/<name>`; see
//!   `data.rs`), the account being the first of the provider's
//!   `allowed_account_ids`;
//! - ApplyResourceChange: refuses ("schema-only provider").
//!
//! What it cannot check: anything AWS decides (allowed values, ARN formats,
//! cross-field rules, whether the names exist), and what the schema file
//! does not know (optional+computed attributes, MaxItems other than 1,
//! ConflictsWith/ExactlyOneOf, see scripts/schema/extract-aws-schema.mjs).

pub mod data;
pub mod schema;
pub mod value;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use rmpv::Value;
use tf_provider::schema::Schema;
use tf_provider::value::ValueEmpty;
use tf_provider::{AttributePath, Diagnostics, DynamicDataSource, DynamicResource};

use crate::schema::{BlockSpec, SchemaError, SchemaFile};

/// Who the provider acts as, from its configuration (for data sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account_id: String,
    pub region: String,
}

/// Used when the configuration names no account: moto's default account,
/// so that a stack planned here and applied to moto agree.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// The provider's own default is the environment; there is none here.
pub const DEFAULT_REGION: &str = "us-east-1";

impl Default for Identity {
    fn default() -> Self {
        Self {
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            region: DEFAULT_REGION.to_owned(),
        }
    }
}

impl Identity {
    /// From the provider block's value: `region`, and the first of
    /// `allowed_account_ids` (a set, so Terraform sends it sorted).
    pub fn from_config(config: &Value) -> Self {
        let mut id = Self::default();
        if let Some(region) = value::get_str(config, "region") {
            region.clone_into(&mut id.region);
        }
        if let Some(account) = value::items(value::get(config, "allowed_account_ids"))
            .iter()
            .find_map(Value::as_str)
        {
            account.clone_into(&mut id.account_id);
        }
        id
    }
}

const APPLY_REFUSED: &str = "this terraform-provider-aws is stackgen's schema-only provider \
    (provider/ in the stackgen repository): it serves hashicorp/aws's schema so that Terraform \
    can validate and plan offline, and it cannot create, change or delete anything. Apply with \
    the real hashicorp/aws provider.";

pub struct SchemaProvider {
    file: Arc<SchemaFile>,
    identity: Arc<RwLock<Identity>>,
}

impl SchemaProvider {
    /// Checks that every type expression of the file translates, so that a
    /// bad file fails when the binary starts, not in the middle of a plan.
    pub fn new(file: SchemaFile) -> Result<Self, SchemaError> {
        schema::schema(&file.provider, "provider")?;
        for (name, spec) in file.resources.iter().chain(&file.data_sources) {
            schema::schema(spec, name)?;
        }
        Ok(Self {
            file: Arc::new(file),
            identity: Arc::default(),
        })
    }

    pub fn version(&self) -> &str {
        &self.file.source.provider_version
    }
}

fn served_schema(spec: &BlockSpec, at: &str, diags: &mut Diagnostics) -> Option<Schema> {
    match schema::schema(spec, at) {
        Ok(s) => Some(s),
        Err(e) => {
            diags.root_error_short(e.to_string());
            None
        }
    }
}

/// tf-provider prefixes each type name with the provider's name and `_`.
fn short_name(type_name: &str) -> String {
    type_name
        .strip_prefix("aws_")
        .unwrap_or(type_name)
        .to_owned()
}

#[async_trait]
impl tf_provider::Provider for SchemaProvider {
    type Config<'a> = Value;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        served_schema(&self.file.provider, "provider", diags)
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Value) -> Option<()> {
        value::deprecations(&self.file.provider, &config, &AttributePath::root(), diags);
        value::missing_required(&self.file.provider, &config, &AttributePath::root(), diags);
        Some(())
    }

    async fn configure<'a>(
        &self,
        _diags: &mut Diagnostics,
        _terraform_version: String,
        config: Value,
    ) -> Option<()> {
        let identity = Identity::from_config(&config);
        // A poisoned lock only means another call panicked mid-write of a
        // plain struct; its value is still whole.
        *self
            .identity
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = identity;
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(
            self.file
                .resources
                .keys()
                .map(|name| {
                    let r: Box<dyn DynamicResource> = Box::new(AwsResource {
                        file: Arc::clone(&self.file),
                        type_name: name.clone(),
                    });
                    (short_name(name), r)
                })
                .collect(),
        )
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(
            self.file
                .data_sources
                .keys()
                .map(|name| {
                    let d: Box<dyn DynamicDataSource> = Box::new(AwsDataSource {
                        file: Arc::clone(&self.file),
                        identity: Arc::clone(&self.identity),
                        type_name: name.clone(),
                    });
                    (short_name(name), d)
                })
                .collect(),
        )
    }
}

struct AwsResource {
    file: Arc<SchemaFile>,
    type_name: String,
}

impl AwsResource {
    fn spec(&self) -> &BlockSpec {
        // Built from the file's own keys, so the entry is there.
        &self.file.resources[&self.type_name]
    }
}

#[async_trait]
impl tf_provider::Resource for AwsResource {
    type State<'a> = Value;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        served_schema(self.spec(), &self.type_name, diags)
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Value) -> Option<()> {
        value::deprecations(self.spec(), &config, &AttributePath::root(), diags);
        value::missing_required(self.spec(), &config, &AttributePath::root(), diags);
        Some(())
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: Value,
        _private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<(Value, ValueEmpty)> {
        // Nothing exists anywhere; what the state says is all there is.
        Some((state, ValueEmpty::Null))
    }

    async fn plan_create<'a>(
        &self,
        _diags: &mut Diagnostics,
        proposed_state: Value,
        _config_state: Value,
        _provider_meta_state: ValueEmpty,
    ) -> Option<(Value, ValueEmpty)> {
        let mut planned = proposed_state;
        value::plan_create(self.spec(), &mut planned);
        Some((planned, ValueEmpty::Null))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        proposed_state: Value,
        _config_state: Value,
        _prior_private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<(Value, ValueEmpty, Vec<AttributePath>)> {
        // Core's proposal already keeps computed values from the prior state.
        Some((proposed_state, ValueEmpty::Null, Vec::new()))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Value,
        _prior_private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<ValueEmpty> {
        Some(ValueEmpty::Null)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        _planned_state: Value,
        _config_state: Value,
        _planned_private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<(Value, ValueEmpty)> {
        diags.root_error("schema-only provider: cannot create", APPLY_REFUSED);
        None
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        _prior_state: Value,
        _planned_state: Value,
        _config_state: Value,
        _planned_private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<(Value, ValueEmpty)> {
        diags.root_error("schema-only provider: cannot update", APPLY_REFUSED);
        None
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        _prior_state: Value,
        _planned_private_state: ValueEmpty,
        _provider_meta_state: ValueEmpty,
    ) -> Option<()> {
        diags.root_error("schema-only provider: cannot destroy", APPLY_REFUSED);
        None
    }
}

struct AwsDataSource {
    file: Arc<SchemaFile>,
    identity: Arc<RwLock<Identity>>,
    type_name: String,
}

impl AwsDataSource {
    fn spec(&self) -> &BlockSpec {
        &self.file.data_sources[&self.type_name]
    }
}

#[async_trait]
impl tf_provider::DataSource for AwsDataSource {
    type State<'a> = Value;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        served_schema(self.spec(), &self.type_name, diags)
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Value) -> Option<()> {
        value::deprecations(self.spec(), &config, &AttributePath::root(), diags);
        value::missing_required(self.spec(), &config, &AttributePath::root(), diags);
        Some(())
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        config: Value,
        _provider_meta_state: ValueEmpty,
    ) -> Option<Value> {
        let identity = self
            .identity
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Some(data::read(&self.type_name, config, &identity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::value::obj;

    #[test]
    fn identity_comes_from_region_and_allowed_account_ids() {
        let config = obj(vec![
            ("region", Value::from("eu-central-1")),
            (
                "allowed_account_ids",
                Value::Array(vec![Value::from("100603781557")]),
            ),
        ]);
        assert_eq!(
            Identity::from_config(&config),
            Identity {
                account_id: "100603781557".into(),
                region: "eu-central-1".into()
            }
        );
        assert_eq!(Identity::from_config(&Value::Nil), Identity::default());
    }

    #[test]
    fn the_checked_in_schema_translates_whole() {
        let file = SchemaFile::parse(include_str!("../../tests/schema/aws-6.66.0.json"))
            .expect("the checked-in schema parses");
        let provider = SchemaProvider::new(file).expect("every type translates");
        assert_eq!(provider.version(), "6.66.0");
    }
}
