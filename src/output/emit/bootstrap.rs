//! The class's bootstrap stack (`bootstrap/`): the state bucket, and for
//! the classic target its lock table, rendered through the same template
//! environment and formatter as every stack, then its README.

use minijinja::{context, Value};

use super::{environment, format, readme, template_for, EmitError, Files};
use crate::stack::backend::Bootstrap;

/// The directory a class's output gets it in.
pub const DIR: &str = "bootstrap";

/// The bootstrap stack's files, by path inside `bootstrap/`.
pub fn render(boot: &Bootstrap, source_name: &str) -> Result<Files, EmitError> {
    let env = environment();
    let value = context! {
        version => env!("CARGO_PKG_VERSION"),
        source_name => source_name,
        ..Value::from_serialize(boot)
    };
    let render_one = |template: &str| {
        env.get_template(template)
            .and_then(|t| t.render(&value))
            .map_err(|source| EmitError::Template {
                template: template.to_owned(),
                source,
            })
    };
    let header = render_one("common/header.j2")?;
    let mut files = Files::new();
    for (file, template) in [
        (
            "main.tf",
            template_for("{target}/bootstrap.tf.j2", boot.target),
        ),
        ("outputs.tf", "common/bootstrap_outputs.tf.j2".to_owned()),
    ] {
        let text = format!("{header}\n{}", render_one(&template)?);
        files.insert(file.to_owned(), format::format(&text).into_bytes());
    }
    files.insert(
        "README.md".to_owned(),
        readme::bootstrap(boot, source_name).into_bytes(),
    );
    Ok(files)
}
