//! Editions: the course's layouts as data.
//!
//! An edition says which parts a stack has, the pattern of every name, and
//! defaults applied under the student file's own keys. The built-in ones
//! (`editions/*.yaml`) are compiled in; an instructor can point `edition:`
//! at a file of the same format to describe a course of their own (its
//! JSON Schema: `stackgen schema --edition`).
//!
//! A pattern is text with placeholders in braces: the student's fields
//! `{environment}`, `{account_id}`, `{initials}`, `{index_no}`; `{suffix}`,
//! the edition's `suffix` pattern; `{usuffix}`, the suffix with `-` turned
//! into `_` (for Glue and Athena, which allow no `-`); and any other name
//! key, e.g. `/aws/lambda/{etl_function}`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::codes::Code;
use super::diagnostic::{quote, Diagnostic};
use super::part::{name_keys, PartId};

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "stackgen edition file")]
pub struct Edition {
    /// The edition's name, e.g. `uam-2025`.
    pub name: String,
    /// One line on what the layout is.
    #[serde(default)]
    pub description: String,
    /// Student-file keys every stack of the edition gets unless the file
    /// sets them itself, e.g. `target: modern`.
    #[serde(default)]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// The parts a stack has. Exercise 5's parts are further switched by
    /// the student file's `analytics` section.
    pub parts: Vec<PartId>,
    /// The pattern `{suffix}` stands for.
    pub suffix: String,
    /// A pattern for every name the edition's parts create.
    pub names: BTreeMap<String, String>,
}

/// The built-in editions, by name; the first is the default.
const BUILT_IN: &[(&str, &str)] = &[
    ("uam-2021", include_str!("../../editions/uam-2021.yaml")),
    ("uam-2025", include_str!("../../editions/uam-2025.yaml")),
];

pub const DEFAULT: &str = "uam-2021";

/// The names of the built-in editions.
pub fn built_in_names() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(name, _)| *name)
}

/// The student fields a pattern can embed, with their input field paths.
pub const FIELDS: [(&str, &str); 4] = [
    ("environment", "environment"),
    ("account_id", "account_id"),
    ("initials", "student.initials"),
    ("index_no", "student.index_no"),
];

/// The values of `FIELDS` for one student.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub environment: String,
    pub account_id: String,
    pub initials: String,
    pub index_no: String,
}

impl Identity {
    fn get(&self, field: &str) -> Option<&str> {
        Some(match field {
            "environment" => &self.environment,
            "account_id" => &self.account_id,
            "initials" => &self.initials,
            "index_no" => &self.index_no,
            _ => return None,
        })
    }
}

impl Edition {
    /// A built-in edition. Built-in files are checked by a unit test.
    pub fn built_in(name: &str) -> Option<Edition> {
        // Parsed once: a class resolves its edition for every student, and
        // parsing the YAML each time was a fifth of `validate`'s time.
        static PARSED: std::sync::OnceLock<Vec<(&str, Edition)>> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| {
                BUILT_IN
                    .iter()
                    .map(|(n, text)| {
                        (
                            *n,
                            serde_yaml::from_str(text).expect("built-in editions parse"),
                        )
                    })
                    .collect()
            })
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, edition)| edition.clone())
    }

    /// Reads an edition from a file's text; `field` is where the edition
    /// was named, for the diagnostics.
    pub fn parse(text: &str, path: &str, field: &str) -> Result<Edition, Vec<Diagnostic>> {
        let edition: Edition = serde_yaml::from_str(text).map_err(|e| {
            vec![Diagnostic::new(
                Code::SG702,
                field,
                format!("edition file {} cannot be read: {e}", quote(path)),
            )
            .value(path)
            .rule("an edition file has `name`, `parts`, `suffix` and `names` (see `stackgen schema --edition`)")
            .fix("compare the file with editions/uam-2025.yaml")]
        })?;
        let problems = edition.problems();
        if problems.is_empty() {
            Ok(edition)
        } else {
            Err(problems
                .into_iter()
                .map(|p| {
                    Diagnostic::new(Code::SG702, field, format!("edition file {}: {p}", quote(path)))
                        .value(path)
                        .rule("every part an edition lists needs its companions, and every name a pattern")
                        .fix("compare the file with editions/uam-2025.yaml")
                })
                .collect())
        }
    }

    pub fn has(&self, part: PartId) -> bool {
        self.parts.contains(&part)
    }

    /// What is wrong with the edition as a layout, in words.
    pub fn problems(&self) -> Vec<String> {
        use PartId::{
            Athena, Bucket, Crawler, Etl, EtlParameter, Firehose, GlueDatabase, ProcessedBucket,
            ProcessedDatabase, ProcessedTable, RawBucket, RawDatabase, Stream,
        };
        let mut found = Vec::new();
        for required in [Stream, Firehose, Crawler, ProcessedTable, Etl, Athena] {
            if !self.has(required) {
                found.push(format!("it lacks the part `{}`", part_key(required)));
            }
        }
        let one_of = |single: PartId, split: [PartId; 2], found: &mut Vec<String>| {
            let halves = split.iter().filter(|p| self.has(**p)).count();
            match (self.has(single), halves) {
                (true, 0) | (false, 2) => {}
                _ => found.push(format!(
                    "it needs either `{}` or both `{}` and `{}`",
                    part_key(single),
                    part_key(split[0]),
                    part_key(split[1])
                )),
            }
        };
        one_of(Bucket, [RawBucket, ProcessedBucket], &mut found);
        one_of(GlueDatabase, [RawDatabase, ProcessedDatabase], &mut found);
        if self.has(EtlParameter) && !self.has(ProcessedBucket) {
            found.push(
                "`etl_parameter` holds the processed bucket's name: it needs `processed_bucket`"
                    .into(),
            );
        }
        let mut seen = Vec::new();
        for part in &self.parts {
            if seen.contains(part) {
                found.push(format!("it lists `{}` twice", part_key(*part)));
            }
            seen.push(*part);
        }
        for part in &self.parts {
            for key in name_keys(*part) {
                if !self.names.contains_key(key) {
                    found.push(format!("`names` has no pattern for `{key}`"));
                }
            }
        }
        let probe = Identity {
            environment: "dev".into(),
            account_id: "100603781557".into(),
            initials: "jk".into(),
            index_no: "12345".into(),
        };
        for key in self.names.keys() {
            if let Err(e) = self.expand(key, &probe) {
                found.push(e);
            }
        }
        found
    }

    /// The name `key` for one student, with the student fields it embeds.
    pub fn expand(&self, key: &str, who: &Identity) -> Result<(String, Vec<&'static str>), String> {
        self.expander(who).expand(key)
    }

    /// Expands many names of one student, working out the shared suffix
    /// once (a class's `validate` expands every name of every student).
    pub fn expander<'a>(&'a self, who: &'a Identity) -> Expander<'a> {
        Expander {
            edition: self,
            who,
            suffix: std::cell::OnceCell::new(),
            in_suffix: std::cell::Cell::new(false),
        }
    }
}

/// The names of one student in one edition; see `Edition::expander`.
pub struct Expander<'a> {
    edition: &'a Edition,
    who: &'a Identity,
    /// `{suffix}` expanded, with the fields it embeds.
    suffix: std::cell::OnceCell<Result<(String, Vec<&'static str>), String>>,
    /// Set while `{suffix}` itself is being expanded: a suffix that comes
    /// back to itself through a name is a cycle, not a recursion.
    in_suffix: std::cell::Cell<bool>,
}

impl Expander<'_> {
    /// The name `key`, with the student fields it embeds.
    pub fn expand(&self, key: &str) -> Result<(String, Vec<&'static str>), String> {
        let mut fields = Vec::new();
        let value = match key {
            "suffix" => self.suffix(&mut fields)?.to_owned(),
            "usuffix" => self.suffix(&mut fields)?.replace('-', "_"),
            _ => self.pattern(key, &mut fields, 0)?,
        };
        Ok((value, fields))
    }

    fn suffix(&self, fields: &mut Vec<&'static str>) -> Result<&str, String> {
        if self.in_suffix.get() {
            return Err("the pattern of `suffix` refers to itself".into());
        }
        let (value, embedded) = self
            .suffix
            .get_or_init(|| {
                self.in_suffix.set(true);
                let mut embedded = Vec::new();
                let value = self.pattern("suffix", &mut embedded, 1);
                self.in_suffix.set(false);
                Ok((value?, embedded))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        for field in embedded {
            if !fields.contains(field) {
                fields.push(field);
            }
        }
        Ok(value)
    }

    fn pattern(
        &self,
        key: &str,
        fields: &mut Vec<&'static str>,
        depth: usize,
    ) -> Result<String, String> {
        // Names refer to names (a log group to its function); a cycle
        // would never end.
        if depth > 8 {
            return Err(format!("the pattern of `{key}` refers to itself"));
        }
        let pattern: &str = match key {
            "suffix" => &self.edition.suffix,
            _ => self
                .edition
                .names
                .get(key)
                .ok_or_else(|| format!("`names` has no pattern for `{key}`"))?,
        };
        // Names are short; one allocation covers nearly all of them.
        let mut out = String::with_capacity(64);
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                return Err(format!("the pattern of `{key}` has a `{{` without `}}`"));
            };
            let placeholder = &rest[open + 1..open + close];
            if let Some((_, path)) = FIELDS.iter().find(|(f, _)| *f == placeholder) {
                out.push_str(self.who.get(placeholder).unwrap_or_default());
                if !fields.contains(path) {
                    fields.push(path);
                }
            } else if placeholder == "suffix" {
                out.push_str(self.suffix(fields)?);
            } else if placeholder == "usuffix" {
                out.push_str(&self.suffix(fields)?.replace('-', "_"));
            } else if self.edition.names.contains_key(placeholder) {
                out.push_str(&self.pattern(placeholder, fields, depth + 1)?);
            } else {
                return Err(format!(
                    "the pattern of `{key}` uses `{{{placeholder}}}`, which is neither a student field nor a name"
                ));
            }
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("the pattern of `{key}` has a `}}` without `{{`"));
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The key a part has in an edition file.
pub fn part_key(part: PartId) -> String {
    serde_json::to_value(part)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The JSON Schema of edition files.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Edition);
    let mut json = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jk() -> Identity {
        Identity {
            environment: "dev".into(),
            account_id: "100603781557".into(),
            initials: "jk".into(),
            index_no: "12345".into(),
        }
    }

    #[test]
    fn built_in_editions_are_coherent() {
        for name in built_in_names() {
            let edition = Edition::built_in(name).unwrap();
            assert_eq!(edition.name, name);
            assert_eq!(edition.problems(), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn patterns_expand_with_the_fields_they_use() {
        let e = Edition::built_in("uam-2025").unwrap();
        let (name, fields) = e.expand("etl_log_group", &jk()).unwrap();
        assert_eq!(
            name,
            "/aws/lambda/etl-post-processing-100603781557-jk-12345"
        );
        assert_eq!(
            fields,
            ["account_id", "student.initials", "student.index_no"]
        );
        let (db, _) = e.expand("raw_database", &jk()).unwrap();
        assert_eq!(db, "datalake_raw_100603781557_jk_12345");
    }

    #[test]
    fn broken_editions_are_explained() {
        let mut e = Edition::built_in("uam-2021").unwrap();
        e.names.remove("stream");
        e.names.insert("x".into(), "a-{nope}".into());
        e.parts.push(PartId::RawBucket);
        let problems = e.problems().join("\n");
        assert!(problems.contains("no pattern for `stream`"), "{problems}");
        assert!(problems.contains("`{nope}`"), "{problems}");
        assert!(problems.contains("either `bucket`"), "{problems}");
    }

    #[test]
    fn the_checked_in_schema_is_the_one_stackgen_prints() {
        // Regenerate with `stackgen schema --edition > docs/edition.schema.json`.
        assert_eq!(
            include_str!("../../docs/edition.schema.json"),
            schema_json()
        );
    }
}
