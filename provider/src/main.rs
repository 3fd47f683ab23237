//! `terraform-provider-aws`: stackgen's schema-only stand-in for
//! hashicorp/aws (see lib.rs). Terraform starts it; by hand, only
//! `terraform-provider-aws --version` is useful: it prints the version of
//! the schema it serves, which is the version the mirror must file it under.

use std::process::ExitCode;

use stackgen_schema_provider::schema::SchemaFile;
use stackgen_schema_provider::SchemaProvider;

/// The schema is compiled in, so the installed binary is the whole provider
/// at one version, wherever Terraform runs it from. Refreshing the schema
/// (scripts/schema/) means changing this path.
const SCHEMA_JSON: &str = include_str!("../../tests/schema/aws-6.66.0.json");

fn main() -> ExitCode {
    // tf-provider 0.2.2 appends a captured backtrace to every diagnostic's
    // detail when backtraces are on (RUST_BACKTRACE in a developer's
    // environment): Terraform would print 80 frames under each message.
    // Set before any thread exists (the runtime starts below).
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    run()
}

#[tokio::main(flavor = "current_thread")]
async fn run() -> ExitCode {
    let provider = match SchemaFile::parse(SCHEMA_JSON).and_then(SchemaProvider::new) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("terraform-provider-aws: the compiled-in schema is unusable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {}
        [flag] if flag == "--version" => {
            println!("{}", provider.version());
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!(
                "usage: terraform-provider-aws [--version]\n\
                 A Terraform provider plugin (schema-only hashicorp/aws {}); Terraform starts it.",
                provider.version()
            );
            return ExitCode::from(2);
        }
    }
    // Without Terraform's handshake variables, tf-provider's server would
    // wait forever; say what this is instead.
    if std::env::var_os("PLUGIN_CLIENT_CERT").is_none() {
        eprintln!(
            "terraform-provider-aws: this is a Terraform plugin (schema-only hashicorp/aws {}); \
             Terraform starts it. Run `terraform-provider-aws --version` for its version.",
            provider.version()
        );
        return ExitCode::from(2);
    }
    match tf_provider::serve("aws", provider).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-aws: {e:#}");
            ExitCode::FAILURE
        }
    }
}
