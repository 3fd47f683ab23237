//! The edition a student file names, found and laid under the file: a
//! built-in one by name, or an instructor's edition file by its path
//! (relative to the file that names it). The editions themselves are data,
//! in `base::edition`.

use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::edition::{built_in_names, Edition, DEFAULT};
use crate::base::suggest;

/// Resolves the `edition` a student file names (a built-in name, or a
/// path relative to `base`, the directory of the file that names it) and
/// lays the edition's defaults under the file's own keys. Returns the
/// edition and the merged document.
pub fn apply(
    document: &serde_json::Value,
    base: &std::path::Path,
) -> Result<(Edition, serde_json::Value), Vec<Diagnostic>> {
    let named = document.get("edition").and_then(serde_json::Value::as_str);
    let edition = resolve(named.unwrap_or(DEFAULT), base)?;
    let mut merged = serde_json::Value::Object(edition.defaults.clone());
    merge(&mut merged, document);
    Ok((edition, merged))
}

/// Resolves an edition by name or path.
pub fn resolve(named: &str, base: &std::path::Path) -> Result<Edition, Vec<Diagnostic>> {
    if let Some(edition) = Edition::built_in(named) {
        return Ok(edition);
    }
    let extension = std::path::Path::new(named)
        .extension()
        .map(std::ffi::OsStr::to_ascii_lowercase);
    let looks_like_path =
        named.contains('/') || extension.is_some_and(|e| e == "yaml" || e == "yml");
    if !looks_like_path {
        let known: Vec<&str> = built_in_names().collect();
        let mut d = Diagnostic::new(
            Code::SG701,
            "edition",
            format!("edition {} is not a built-in edition", quote(named)),
        )
        .value(named)
        .rule(format!(
            "`edition` is one of {} or the path of an edition file (`.yaml`)",
            known
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        d = match suggest::closest(&named.to_ascii_lowercase(), known.iter().copied()) {
            Some(s) => d.fix(format!("did you mean `{s}`?")),
            None => d.fix(format!(
                "write `{DEFAULT}` (the handout's layout) or a path to your own edition file"
            )),
        };
        return Err(vec![d]);
    }
    let path = base.join(named);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![Diagnostic::new(
            Code::SG702,
            "edition",
            format!("edition file {} cannot be read: {e}", quote(named)),
        )
        .value(named)
        .rule("a path in `edition` is relative to the file that names it")
        .fix("check the path")]
    })?;
    Edition::parse(&text, named, "edition")
}

/// Deep merge: `over`'s keys win; objects merge key by key.
pub fn merge(under: &mut serde_json::Value, over: &serde_json::Value) {
    match (under, over) {
        (serde_json::Value::Object(u), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match u.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        u.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (u, o) => *u = o.clone(),
    }
}
