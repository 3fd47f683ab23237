//! The published JSON Schemas (`stackgen schema`, `stackgen schema --class`)
//! checked by a real JSON Schema validator (the `jsonschema` crate), the
//! way an editor's YAML language server uses them: every example and every
//! file `stackgen init` writes passes, and every bad input that a static
//! rule can catch fails, at exactly the fields the rules name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn student_schema() -> Value {
    serde_json::from_str(&stackgen::input::schema::student_json()).unwrap()
}

fn class_schema() -> Value {
    serde_json::from_str(&stackgen::input::schema::class_json()).unwrap()
}

/// A YAML file as the language server sees it: parsed into JSON values,
/// after the byte order mark editors strip.
fn document(text: &str) -> Value {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}"))
}

fn is_class(doc: &Value) -> bool {
    ["course", "students", "roster"]
        .iter()
        .any(|k| doc.get(k).is_some())
}

/// The instance paths the validator reports for a document, with its
/// schema chosen as `load::kind` chooses it.
fn failures(doc: &Value) -> BTreeSet<String> {
    let schema = if is_class(doc) {
        class_schema()
    } else {
        student_schema()
    };
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| e.instance_path().to_string())
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn schemas_are_valid_draft_7_schemas() {
    for schema in [student_schema(), class_schema()] {
        assert_eq!(
            schema["$schema"], "http://json-schema.org/draft-07/schema#",
            "the language server reads draft 7"
        );
        assert!(jsonschema::meta::is_valid(&schema));
    }
}

#[test]
fn every_example_passes() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let doc = document(&read(&path));
        let found = failures(&doc);
        assert!(found.is_empty(), "{}: {found:?}", path.display());
        checked += 1;
    }
    // Nine student files and three classes when this was written.
    assert!(checked >= 12, "only {checked} examples found");
}

#[test]
fn files_init_writes_pass() {
    use stackgen::input::init::{class, student, Edition};
    for edition in [Edition::Uam2021, Edition::Uam2025] {
        for text in [student(edition), class(edition)] {
            let found = failures(&document(&text));
            assert!(found.is_empty(), "{text}\n{found:?}");
        }
    }
}

/// Every file in `tests/inputs/` is either here, with the fields a static
/// rule rejects (as JSON pointers; `""` is the document, where a missing
/// or unknown key is reported), or in `NOT_STATIC` with the reason no
/// schema can see its mistake.
const STATIC: &[(&str, &[&str])] = &[
    // SG101 12 digits, SG102 region enum, SG104 index pattern.
    (
        "err_account_region_index.yaml",
        &["/account_id", "/region", "/student/index_no"],
    ),
    // SG101 after the BOM, which an editor strips too.
    ("err_bom.yaml", &["/account_id"]),
    // SG305 classic runtime, SG317 layer_version on classic, SG318 the
    // lambda engine on classic: the schema's `if target == classic`.
    (
        "err_classic_modern_options.yaml",
        &[
            "/lambda/runtime",
            "/lambda/layer_version",
            "/analytics/engine",
        ],
    ),
    // SG013: not one of the engine's values.
    ("err_engine_value.yaml", &["/analytics/engine"]),
    // SG106 pattern.
    ("err_environment.yaml", &["/environment"]),
    // SG319 role pattern, SG322 Learner Lab regions (`if iam.existing_role`).
    ("err_learner_lab.yaml", &["/iam/existing_role", "/region"]),
    // SG002: `student.index_no` is required.
    ("err_missing_field.yaml", &["/student"]),
    // SG305 retired runtime, SG320 layer_zip on modern, SG318 sql on modern.
    (
        "err_modern_options.yaml",
        &["/lambda/runtime", "/lambda/layer_zip", "/analytics/engine"],
    ),
    // SG105 name, SG301/SG304 ranges, SG308 zip path, SG309 retention
    // enum, SG310/SG313 symbols, SG311 threshold. (SG314, first_year after
    // last_year, compares two fields: validation's alone.)
    (
        "err_options.yaml",
        &[
            "/student/name",
            "/stream/shard_count",
            "/firehose/buffer_interval_s",
            "/lambda/layer_zip",
            "/log_retention_days",
            "/analytics/symbol",
            "/analytics/threshold",
            "/athena/symbols",
        ],
    ),
    // SG103 pattern.
    ("err_polish_initials.yaml", &["/student/initials"]),
    ("err_uppercase_initials.yaml", &["/student/initials"]),
    // SG102: region codes are lowercase.
    ("err_region_case.yaml", &["/region"]),
    // SG013: `Modern` is not `modern`.
    ("err_target_case.yaml", &["/target"]),
    // SG004: unknown keys (additionalProperties false), at their parent.
    ("err_unknown_keys.yaml", &["", "/student", "/stream"]),
    // SG003: text where a number goes.
    ("err_wrong_type.yaml", &["/stream/shard_count"]),
    // SG321: above the newest version published for the region and runtime.
    ("err_layer_version.yaml", &["/lambda/layer_version"]),
    // SG321: no layer is published in ap-southeast-7, so the version is required.
    ("err_layer_unpublished.yaml", &[""]),
    // SG401 bucket pattern, SG402 region enum, SG403 key prefix pattern,
    // SG404 table name pattern.
    (
        "err_backend.yaml",
        &[
            "/backend/s3/bucket",
            "/backend/s3/region",
            "/backend/s3/key_prefix",
            "/backend/s3/lock_table",
        ],
    ),
    // SG405: the classic target's S3 backend requires `lock_table`.
    ("err_backend_lock.yaml", &["/backend/s3"]),
    // SG411: a raised quota is at least 1. (SG410, the class over the
    // shard quota, counts across students: validation's alone.)
    ("class_err_quotas.yaml", &["/quotas/iam_roles"]),
    // SG323: below the range's minimum.
    ("err_expire.yaml", &["/expire_after_hours"]),
    // SG501 both `students` and `roster` (oneOf), SG502 `defaults.student`.
    ("class_err_both.yaml", &["", "/defaults/student"]),
    // SG103, SG104, SG101 in student entries; SG301 in `defaults`, which
    // the class schema types. (SG505, initials that cannot be derived from
    // `李小龙`, depends on the name's letters: validation's alone.)
    (
        "class_err_fields.yaml",
        &[
            "/students/0/initials",
            "/students/1/index_no",
            "/students/3/account_id",
            "/defaults/stream/shard_count",
        ],
    ),
    // SG004 in an entry and in `defaults`.
    ("class_err_unknown_keys.yaml", &["/defaults", "/students/1"]),
    // SG420 the role ARN's pattern, SG421 max_parallel's range: `ci` is
    // `anyOf` a kind and the mapping, so the schema blames `ci` itself.
    // (SG422, a pipeline without remote state, is validation's alone.)
    ("class_err_ci.yaml", &["/ci"]),
];

/// Inputs whose mistake no schema can see, and why.
const NOT_STATIC: &[(&str, &str)] = &[
    (
        "err_duplicate_key.yaml",
        "a key written twice is a YAML mistake: as a JSON value only its last value is left, which is valid (the YAML language server reports the duplicate itself)",
    ),
    (
        "err_glued_colon.yaml",
        "`initials:jk` is a YAML syntax error: there is no document to check",
    ),
    ("err_tabs.yaml", "tabs in indentation are a YAML syntax error"),
    ("err_yaml_syntax.yaml", "a YAML syntax error"),

    (
        "err_environment_too_long.yaml",
        "each field fits its own pattern; the derived names are too long only in combination (environment, account, initials and index together)",
    ),
    (
        "err_too_long.yaml",
        "the initials fit their pattern; the name they make with the other fields is too long",
    ),
    (
        "class_err_collisions.yaml",
        "duplicates across students compare fields of different entries, which JSON Schema cannot (uniqueItems compares whole entries)",
    ),
    (
        "class_err_roster.yaml",
        "the mistakes are in the roster CSV, which the schema only sees as a file name",
    ),
    ("class_err_roster_cells.yaml", "the mistakes are in the roster CSV"),
    ("class_err_roster_header.yaml", "the mistake is in the roster CSV's header"),
];

#[test]
fn every_static_mistake_fails_at_its_field() {
    for (name, expected) in STATIC {
        let doc = document(&read(&root().join("tests/inputs").join(name)));
        let found = failures(&doc);
        // Exactly the fields the rules name: no more (the schema would
        // then be stricter than validation), no fewer.
        let expected: BTreeSet<String> = expected.iter().map(|p| (*p).to_owned()).collect();
        assert_eq!(found, expected, "{name}");
    }
}

#[test]
fn every_input_is_classified() {
    let listed: BTreeSet<&str> = STATIC
        .iter()
        .map(|(n, _)| *n)
        .chain(NOT_STATIC.iter().map(|(n, _)| *n))
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("tests/inputs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(listed, on_disk, "classify each new input as static or not");
}

#[test]
fn yaml_errors_are_not_documents() {
    // The NOT_STATIC YAML cases really cannot reach a schema; the others
    // parse, so the schema had its chance and could not see the mistake.
    for (name, _) in NOT_STATIC {
        let text = read(&root().join("tests/inputs").join(name));
        let parsed: Result<Value, _> = serde_yaml::from_str(&text);
        let yaml_mistake = matches!(
            *name,
            "err_glued_colon.yaml" | "err_tabs.yaml" | "err_yaml_syntax.yaml"
        );
        if yaml_mistake {
            assert!(parsed.is_err(), "{name} parses");
        } else {
            let found = failures(&parsed.unwrap());
            assert!(
                found.is_empty(),
                "{name} fails the schema after all: {found:?}"
            );
        }
    }
}

#[test]
fn class_defaults_take_any_student_key_but_student() {
    let schema = class_schema();
    let defaults = &schema["definitions"]["StudentDefaults"];
    assert_eq!(defaults["properties"]["student"], Value::Bool(false));
    assert!(defaults
        .get("required")
        .is_none_or(|r| r.as_array().is_some_and(Vec::is_empty)));
    // A classic class's defaults may hold classic-only keys: the target
    // is at the class's top level, out of sight of `defaults`.
    let doc = document(
        "course: c\ntarget: classic\ndefaults:\n  lambda: { layer_zip: lambda/x.zip }\nstudents:\n  - { name: Jan Kowalski, initials: jk, index_no: \"1\", account_id: \"100603781557\" }\n",
    );
    assert!(failures(&doc).is_empty());
}

#[test]
fn region_enum_is_the_region_table() {
    let schema = student_schema();
    let listed: Vec<&str> = schema["properties"]["region"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let table: Vec<&str> = stackgen::base::aws::REGIONS
        .iter()
        .map(|(r, _)| *r)
        .collect();
    assert_eq!(listed, table);
}
