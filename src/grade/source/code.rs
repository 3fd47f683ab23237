//! `--code DIR`: the student's Terraform itself, read without Terraform,
//! AWS or the providers.
//!
//! The directory's `.tf` files are parsed with hcl-rs and evaluated as far
//! as they can be without applying anything:
//! - variables from their defaults, then `terraform.tfvars`, then
//!   `*.auto.tfvars` in name order, and their `.json` forms (Terraform's
//!   precedence);
//! - locals, string templates and heredocs (with `%{ if }`/`%{ for }`),
//!   conditionals, arithmetic and comparisons, `for` expressions, indexes
//!   and splats, `count` and `for_each` over known values;
//! - the functions students call (`FUNCTIONS`); `filebase64sha256` and
//!   `filesha256` hash the file when it is there;
//! - references to other resources: recorded on the attribute (as a
//!   plan's configuration records them), and evaluated to the target's
//!   configured value, or to the identity AWS gives it (`IDENTITY`: a
//!   bucket's ARN is `arn:aws:s3:::<bucket>`, a stream's
//!   `arn:aws:kinesis:<region>:<account>:stream/<name>`), in the
//!   student's account (the spec's `account_id`) and the provider's region
//!   (the spec's when the code does not say). So a policy that says
//!   `"${aws_s3_bucket.b.arn}/*"` is decided on that bucket's ARN;
//! - local modules (`source = "./…"`): their resources under
//!   `module.<name>.`, their variables from the call's arguments (with
//!   the references those carry), their outputs back to the caller.
//!
//! What cannot be evaluated is `Unknown`, never an error: a registry or
//! Git module (listed in `Observed::opaque`, so what is not found may be
//! made there and is unknown rather than missing), a provider function, `count` over
//! an unknown value, a `dynamic` block, a data source other than the few
//! whose answer the account and region give (and
//! `aws_iam_policy_document`, whose JSON is built here). A file that does not
//! parse is SG804 with the file and place.
//!
//! References to resources are resolved by passes: each pass evaluates
//! every module with the resources' values from the previous one, so a
//! reference is never followed recursively and a cycle of references only
//! stays unknown.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hcl::expr::{
    BinaryOperator, Expression, ObjectKey, Operation, TraversalOperator, UnaryOperator,
};
use hcl::structure::{Block, Body};
use hcl::template::{Element, Template};

use super::ReadError;
use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic, Location};
use crate::grade::observed::{Mode, Observed, Resource, Val};

/// Where the student's resources live, for the identities AWS gives them.
#[derive(Debug, Clone)]
pub struct Account {
    pub account_id: String,
    /// The region when the code's provider block does not set one.
    pub region: String,
}

/// The largest `.tf` file read: a lab's files are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// The most `.tf` bytes in all the modules of one student's code.
pub const MAX_TOTAL_BYTES: u64 = 32 * 1024 * 1024;
/// Modules calling modules: far deeper than a lab's code.
const MAX_MODULE_DEPTH: usize = 8;
/// Locals referring to locals, nesting of expressions.
const MAX_DEPTH: usize = 64;
/// Reference resolution passes: a chain of references as long as this is
/// followed to its end.
const PASSES: usize = 4;
/// Instances of one `count`/`for_each` block.
const MAX_INSTANCES: usize = 1024;

/// Reads and evaluates the student's code in `dir`.
pub fn read(dir: &Path, account: &Account) -> Result<Observed, ReadError> {
    let mut loader = Loader {
        root: dir.to_owned(),
        modules: BTreeMap::new(),
        total: 0,
    };
    let meta = std::fs::metadata(dir).map_err(|e| ReadError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    if !meta.is_dir() {
        return Err(invalid(
            dir,
            format!(
                "{} is a file: `--code` reads a directory of `.tf` files",
                quote(&dir.display().to_string())
            ),
            None,
        ));
    }
    loader.load(".", 0)?;
    if loader.modules.get(".").is_some_and(|m| m.files.is_empty()) {
        return Err(invalid(
            dir,
            format!(
                "{} holds no `.tf` file: not a Terraform configuration",
                quote(&dir.display().to_string())
            ),
            None,
        ));
    }
    Ok(evaluate(&loader, account))
}

/// Evaluates code given as text: `files` are the root module's `.tf`
/// files (name, text), `tfvars` its `terraform.tfvars`. No module is
/// followed and no file is read (for the fuzz target and tests).
pub fn parse_text(
    files: &[(&str, &str)],
    tfvars: &str,
    account: &Account,
) -> Result<Observed, Box<Diagnostic>> {
    let mut module = Module::default();
    for (name, text) in files {
        let body = parse_hcl(Path::new(name), text)?;
        module.files.push(((*name).to_owned(), body));
    }
    if let Ok(body) = parse_hcl(Path::new("terraform.tfvars"), tfvars) {
        module.tfvars.push(body);
    }
    let mut modules = BTreeMap::new();
    modules.insert(".".to_owned(), module);
    let loader = Loader {
        root: PathBuf::new(),
        modules,
        total: 0,
    };
    Ok(evaluate(&loader, account))
}

fn invalid(path: &Path, message: String, at: Option<Location>) -> ReadError {
    ReadError::Invalid(diagnostic(path, message, at))
}

fn diagnostic(path: &Path, message: String, at: Option<Location>) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(Code::SG804, "--code", message)
            .value(path.display().to_string())
            .rule("`--code` reads a directory of Terraform `.tf` files that `terraform validate` would parse, each at most 4 MiB")
            .fix("fix the file as `terraform validate` says, or grade the student's state (`--state`) or plan (`--plan`)")
            .at(at),
    )
}

fn syntax(path: &Path, e: &hcl::Error) -> Box<Diagnostic> {
    let (message, at) = match e {
        hcl::Error::Parse(p) => (
            p.message().to_owned(),
            Some(Location {
                line: p.location().line(),
                column: p.location().column(),
            }),
        ),
        other => (other.to_string(), None),
    };
    diagnostic(
        path,
        format!(
            "{} is not valid Terraform: {}",
            quote(&path.display().to_string()),
            message.lines().next().unwrap_or_default()
        ),
        at,
    )
}

/// The id a resource gets from AWS, given its name.
#[derive(Clone, Copy)]
enum Id {
    /// The name itself.
    Name,
    /// The ARN.
    Arn,
    /// `<account>:<name>` (a Glue database).
    AccountName,
    /// None worth deriving.
    None,
}

/// What AWS derives from a resource's name: its ARN
/// (`arn:aws:<service>:<region>:<account>:<resource><name>`, with neither
/// region nor account for a global one) under `arn_key`, and its id.
/// Resources whose ARN is shaped otherwise (IAM's paths, SSM's leading
/// slash) and data sources are `Pass::identity`'s own cases.
struct Derived {
    kind: &'static str,
    /// The attribute holding the name.
    name: &'static str,
    service: &'static str,
    resource: &'static str,
    global: bool,
    id: Id,
    arn_key: &'static str,
}

const fn derived(
    kind: &'static str,
    name: &'static str,
    service: &'static str,
    resource: &'static str,
    id: Id,
) -> Derived {
    Derived {
        kind,
        name,
        service,
        resource,
        global: false,
        id,
        arn_key: "arn",
    }
}

const DERIVED: &[Derived] = &[
    Derived {
        global: true,
        ..derived("aws_s3_bucket", "bucket", "s3", "", Id::Name)
    },
    derived("aws_kinesis_stream", "name", "kinesis", "stream/", Id::Arn),
    derived(
        "aws_kinesis_firehose_delivery_stream",
        "name",
        "firehose",
        "deliverystream/",
        Id::Arn,
    ),
    derived(
        "aws_lambda_function",
        "function_name",
        "lambda",
        "function:",
        Id::Name,
    ),
    Derived {
        arn_key: "layer_arn",
        ..derived(
            "aws_lambda_layer_version",
            "layer_name",
            "lambda",
            "layer:",
            Id::None,
        )
    },
    derived(
        "aws_glue_catalog_database",
        "name",
        "glue",
        "database/",
        Id::AccountName,
    ),
    derived("aws_glue_crawler", "name", "glue", "crawler/", Id::Name),
    derived(
        "aws_cloudwatch_log_group",
        "name",
        "logs",
        "log-group:",
        Id::Name,
    ),
    derived(
        "aws_athena_workgroup",
        "name",
        "athena",
        "workgroup/",
        Id::Name,
    ),
    derived("aws_sns_topic", "name", "sns", "", Id::Arn),
    derived(
        "aws_cloudwatch_event_rule",
        "name",
        "events",
        "rule/",
        Id::Name,
    ),
    derived(
        "aws_kinesis_analytics_application",
        "name",
        "kinesisanalytics",
        "application/",
        Id::None,
    ),
];

/// One module directory, parsed.
#[derive(Default)]
struct Module {
    files: Vec<(String, Body)>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, then the
    /// `*.auto.tfvars(.json)` files by name (the root's only count).
    tfvars: Vec<Body>,
}

struct Loader {
    root: PathBuf,
    /// By path relative to the root, `/`-separated (`.`, `modules/lab`).
    modules: BTreeMap<String, Module>,
    total: u64,
}

impl Loader {
    /// Loads the module at `rel` and, through its `module` blocks, every
    /// local module it calls.
    fn load(&mut self, rel: &str, depth: usize) -> Result<(), ReadError> {
        if self.modules.contains_key(rel) || depth > MAX_MODULE_DEPTH {
            return Ok(());
        }
        let dir = if rel == "." {
            self.root.clone()
        } else {
            self.root.join(rel)
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| ReadError::Io {
            path: dir.clone(),
            source: e,
        })?;
        let mut names: Vec<(String, PathBuf)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ReadError::Io {
                path: dir.clone(),
                source: e,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if matches!(extension(&name), Some("tf" | "tfvars")) || name.ends_with(".tfvars.json") {
                names.push((name, entry.path()));
            }
        }
        names.sort();
        let mut module = Module::default();
        // Terraform's order: terraform.tfvars, terraform.tfvars.json, then
        // the *.auto.tfvars(.json) files by name; a later value wins.
        let mut first: [Option<Body>; 2] = [None, None];
        let mut auto = Vec::new();
        for (name, path) in &names {
            let is_tf = extension(name) == Some("tf");
            if !is_tf && depth > 0 {
                continue;
            }
            let tfvars = match name.as_str() {
                "terraform.tfvars" => Some(0),
                "terraform.tfvars.json" => Some(1),
                n if n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json") => Some(2),
                _ => None,
            };
            if !is_tf && tfvars.is_none() {
                continue;
            }
            let text = self.read(path)?;
            let Some(text) = text else { continue };
            let body = if extension(name) == Some("json") {
                json_tfvars(path, &text)
            } else {
                parse_hcl(path, &text)
            }
            .map_err(ReadError::Invalid)?;
            match tfvars {
                None => module.files.push((name.clone(), body)),
                Some(2) => auto.push(body),
                Some(i) => first[i] = Some(body),
            }
        }
        module.tfvars = first.into_iter().flatten().chain(auto).collect();
        let calls: Vec<String> = module
            .files
            .iter()
            .flat_map(|(_, body)| body.blocks())
            .filter(|b| b.identifier.as_str() == "module")
            .filter_map(|b| local_source(b).and_then(|s| join_rel(rel, &s)))
            .collect();
        self.modules.insert(rel.to_owned(), module);
        for call in calls {
            self.load(&call, depth + 1)?;
        }
        Ok(())
    }

    /// A file's text; `None` for what is not a regular file after
    /// following links (a directory named `x.tf`).
    fn read(&mut self, path: &Path) -> Result<Option<String>, ReadError> {
        use std::io::Read as _;
        let io = |e| ReadError::Io {
            path: path.to_owned(),
            source: e,
        };
        // A symlink loop fails here (ELOOP), as an I/O error naming it.
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() {
            return Ok(None);
        }
        let shown = quote(&path.display().to_string());
        if meta.len() > MAX_FILE_BYTES {
            return Err(invalid(
                path,
                format!(
                    "{shown} is larger than {} MiB: not a lab's Terraform",
                    MAX_FILE_BYTES / 1024 / 1024
                ),
                None,
            ));
        }
        self.total += meta.len();
        if self.total > MAX_TOTAL_BYTES {
            return Err(invalid(
                path,
                format!(
                    "the code reaches past {} MiB of `.tf` files at {shown}: not a lab's Terraform",
                    MAX_TOTAL_BYTES / 1024 / 1024
                ),
                None,
            ));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        String::from_utf8(bytes).map(Some).map_err(|e| {
            invalid(
                path,
                format!(
                    "{shown} is not UTF-8 text (byte {}): Terraform reads UTF-8",
                    e.utf8_error().valid_up_to()
                ),
                None,
            )
        })
    }
}

/// A file name's extension, as Terraform matches it (case-sensitively:
/// `main.TF` is not read by Terraform either).
fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, e)| e)
}

/// A whole, non-negative number as an index or a count.
fn whole(x: f64) -> Option<usize> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked range
    (x >= 0.0 && x.fract() == 0.0 && x < 1.0e12).then_some(x as usize)
}

/// How deeply an expression may nest (brackets, templates, operators in
/// one expression): lab code nests a handful of levels; the parser and the
/// evaluator recurse once per level, and a file nested thousands deep
/// would overflow the stack.
pub const MAX_NESTING: usize = 100;

/// A conservative estimate of the deepest nesting in `text`, read as
/// tokens before parsing: brackets and `${`/`%{` nest, string contents do
/// not count, and unary and binary operators and `?` add a level each
/// within one expression (a comma, or a new line in a block or an object,
/// starts another). Returns the place where it passes `MAX_NESTING`.
fn too_deep(text: &str) -> Option<Location> {
    // Each open level: its opening byte (`"` a string, `$` an
    // interpolation) and the operators counted outside it.
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut ops = 0usize;
    let mut outer = 0usize;
    let (mut line, mut column) = (1usize, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == b'\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        let top = stack.last().map(|(k, _)| *k);
        if top == Some(b'"') {
            match b {
                b'\\' => i += 1,
                b'"' => {
                    let (_, saved) = stack.pop().unwrap_or_default();
                    outer -= saved;
                    ops = saved;
                }
                b'$' | b'%' if bytes.get(i) == Some(&b'{') => {
                    i += 1;
                    stack.push((b'$', ops));
                    outer += ops;
                    ops = 0;
                }
                b'\n' => {
                    // A string does not span lines: back to code.
                    let (_, saved) = stack.pop().unwrap_or_default();
                    outer -= saved;
                    ops = saved;
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'(' | b'[' | b'{' => {
                stack.push((b, ops));
                outer += ops;
                ops = 0;
            }
            b')' | b']' | b'}' => {
                if let Some((_, saved)) = stack.pop() {
                    outer -= saved;
                    ops = saved;
                }
            }
            b',' => ops = 0,
            b'\n' if matches!(top, None | Some(b'{')) => ops = 0,
            b'!' | b'-' | b'+' | b'*' | b'/' | b'%' | b'?' | b'<' | b'>' | b'&' | b'|' => ops += 1,
            b'=' if bytes.get(i) == Some(&b'=') => {
                i += 1;
                ops += 1;
            }
            _ => {}
        }
        if stack.len() + ops + outer > MAX_NESTING {
            return Some(Location { line, column });
        }
    }
    None
}

/// A `.tfvars.json` file: a JSON object of variable values.
fn json_tfvars(path: &Path, text: &str) -> Result<Body, Box<Diagnostic>> {
    let shown = quote(&path.display().to_string());
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| {
            diagnostic(
                path,
                format!("{shown} is not a JSON object of variable values: {e}"),
                (e.line() > 0).then(|| Location {
                    line: e.line(),
                    column: e.column().max(1),
                }),
            )
        })?;
    let mut body = Body::builder();
    for (key, value) in object {
        let expr = hcl::to_expression(&value)
            .map_err(|e| diagnostic(path, format!("{shown}: the value of `{key}`: {e}"), None))?;
        body = body.add_attribute((key, expr));
    }
    Ok(body.build())
}

/// Parses HCL after the nesting guard.
fn parse_hcl(path: &Path, text: &str) -> Result<Body, Box<Diagnostic>> {
    if let Some(at) = too_deep(text) {
        return Err(diagnostic(
            path,
            format!(
                "{} nests an expression more than {MAX_NESTING} levels deep: not a lab's Terraform",
                quote(&path.display().to_string())
            ),
            Some(at),
        ));
    }
    hcl::parse(text).map_err(|e| syntax(path, &e))
}

/// A module block's source when it is a local path.
fn local_source(block: &Block) -> Option<String> {
    let source = block
        .body
        .attributes()
        .find(|a| a.key.as_str() == "source")?;
    match &source.expr {
        Expression::String(s) if s.starts_with("./") || s.starts_with("../") => Some(s.clone()),
        _ => None,
    }
}

/// `rel` joined with a relative module source, normalized; `None` when
/// it leaves the student's directory.
fn join_rel(rel: &str, source: &str) -> Option<String> {
    let mut parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in source.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// A value with the resources it was computed from.
#[derive(Debug, Clone)]
struct Ref {
    val: Val,
    refs: Vec<String>,
}

impl Ref {
    fn unknown() -> Self {
        Ref {
            val: Val::Unknown,
            refs: Vec::new(),
        }
    }
}

/// What the previous pass knew: resource blocks by full block address
/// (`module.lab.aws_s3_bucket.b`: an object, a list for `count`, a map
/// for `for_each`) and module calls' outputs (`module.lab`).
type Known = BTreeMap<String, Val>;

fn evaluate(loader: &Loader, account: &Account) -> Observed {
    let mut known = Known::new();
    let mut resources = Vec::new();
    let mut opaque = Vec::new();
    for _ in 0..PASSES {
        let mut pass = Pass {
            loader,
            account,
            known: &known,
            region: None,
            next: Known::new(),
            resources: Vec::new(),
            opaque: Vec::new(),
        };
        pass.region = pass.provider_region();
        pass.module(".", "", BTreeMap::new(), &mut Vec::new());
        let (next, found) = (pass.next, pass.resources);
        opaque = pass.opaque;
        known = next;
        resources = found;
    }
    opaque.sort();
    opaque.dedup();
    Observed {
        resources,
        opaque,
        ..Observed::default()
    }
}

struct Pass<'a> {
    loader: &'a Loader,
    account: &'a Account,
    known: &'a Known,
    region: Option<String>,
    next: Known,
    resources: Vec<Resource>,
    /// Module calls not followed (`Observed::opaque`).
    opaque: Vec<String>,
}

/// The scope an expression is evaluated in.
struct Scope<'a> {
    /// `module.lab.` (empty for the root).
    prefix: &'a str,
    /// The module's path relative to the root (`path.module`).
    rel: &'a str,
    vars: &'a BTreeMap<String, Ref>,
    locals: &'a BTreeMap<String, &'a Expression>,
    /// `count.index`, `each.key`, `each.value`.
    instance: Option<Instance>,
}

#[derive(Clone)]
enum Instance {
    Count(Val),
    Each(Val, Val),
}

impl Pass<'_> {
    fn provider_region(&self) -> Option<String> {
        let module = self.loader.modules.get(".")?;
        let vars = self.variables(module, BTreeMap::new());
        let locals = locals(module);
        let scope = Scope {
            prefix: "",
            rel: ".",
            vars: &vars,
            locals: &locals,
            instance: None,
        };
        let provider = module
            .files
            .iter()
            .flat_map(|(_, b)| b.blocks())
            .find(|b| {
                b.identifier.as_str() == "provider"
                    && b.labels.first().map(hcl::BlockLabel::as_str) == Some("aws")
                    && !b.body.attributes().any(|a| a.key.as_str() == "alias")
            })?;
        let region = provider
            .body
            .attributes()
            .find(|a| a.key.as_str() == "region")?;
        match self.expr(&region.expr, &scope, &mut Vec::new(), 0) {
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    fn region(&self) -> &str {
        self.region.as_deref().unwrap_or(&self.account.region)
    }

    /// The module's variables: defaults, then (the root's) tfvars, then
    /// the call's arguments.
    fn variables(&self, module: &Module, args: BTreeMap<String, Ref>) -> BTreeMap<String, Ref> {
        let empty_vars = BTreeMap::new();
        let empty_locals = BTreeMap::new();
        let literal = Scope {
            prefix: "",
            rel: ".",
            vars: &empty_vars,
            locals: &empty_locals,
            instance: None,
        };
        let mut vars = BTreeMap::new();
        for (_, body) in &module.files {
            for block in body.blocks() {
                if let ("variable", [name]) = (block.identifier.as_str(), block.labels.as_slice()) {
                    let value = block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == "default")
                        .map_or_else(Ref::unknown, |d| Ref {
                            val: self.expr(&d.expr, &literal, &mut Vec::new(), 0),
                            refs: Vec::new(),
                        });
                    vars.insert(name.as_str().to_owned(), value);
                }
            }
        }
        for body in &module.tfvars {
            for a in body.attributes() {
                // Terraform warns about a value for an undeclared variable
                // and ignores it.
                if let Some(v) = vars.get_mut(a.key.as_str()) {
                    *v = Ref {
                        val: self.expr(&a.expr, &literal, &mut Vec::new(), 0),
                        refs: Vec::new(),
                    };
                }
            }
        }
        for (name, value) in args {
            if let Some(v) = vars.get_mut(&name) {
                *v = value;
            }
        }
        vars
    }

    /// Evaluates one module instance: its resources into `self.resources`,
    /// their values and its outputs into `self.next`.
    fn module(
        &mut self,
        rel: &str,
        prefix: &str,
        args: BTreeMap<String, Ref>,
        stack: &mut Vec<String>,
    ) {
        let Some(module) = self.loader.modules.get(rel) else {
            return;
        };
        // A module that calls itself (directly or not) is followed once.
        if stack.iter().any(|s| s == rel) || stack.len() > MAX_MODULE_DEPTH {
            return;
        }
        stack.push(rel.to_owned());
        let vars = self.variables(module, args);
        let locals = locals(module);
        let base = Scope {
            prefix,
            rel,
            vars: &vars,
            locals: &locals,
            instance: None,
        };
        let mut outputs = BTreeMap::new();
        for (_, body) in &module.files {
            for block in body.blocks() {
                match (block.identifier.as_str(), block.labels.as_slice()) {
                    ("resource", [kind, name]) => {
                        self.resource(Mode::Managed, kind.as_str(), name.as_str(), block, &base);
                    }
                    ("data", [kind, name]) => {
                        self.resource(Mode::Data, kind.as_str(), name.as_str(), block, &base);
                    }
                    ("module", [name]) => self.call(name.as_str(), block, &base, stack),
                    ("output", [name]) => {
                        if let Some(value) =
                            block.body.attributes().find(|a| a.key.as_str() == "value")
                        {
                            let mut refs = Vec::new();
                            let val = self.expr(&value.expr, &base, &mut refs, 0);
                            outputs.insert(name.as_str().to_owned(), Ref { val, refs });
                        }
                    }
                    _ => {}
                }
            }
        }
        if !prefix.is_empty() {
            // Outputs, with the references they carry, under a key the
            // caller reads (`module.lab` in `prefix` `module.lab.`).
            let key = prefix.trim_end_matches('.').to_owned();
            let output_values = outputs
                .iter()
                .map(|(k, r)| (k.clone(), r.val.clone()))
                .collect();
            self.next.insert(key.clone(), Val::Map(output_values));
            for (k, r) in outputs {
                self.next.insert(
                    format!("{key}#{k}"),
                    Val::List(r.refs.into_iter().map(Val::String).collect()),
                );
            }
        }
        stack.pop();
    }

    fn call(&mut self, name: &str, block: &Block, scope: &Scope, stack: &mut Vec<String>) {
        let address = format!("{}module.{name}", scope.prefix);
        let Some(rel) = local_source(block).and_then(|source| join_rel(scope.rel, &source)) else {
            // A registry or Git module, or a path out of the student's
            // directory: its resources are not seen.
            let source = block
                .body
                .attributes()
                .find(|a| a.key.as_str() == "source")
                .and_then(|a| match &a.expr {
                    Expression::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            self.opaque.push(format!("`{address}` (`{source}`)"));
            return;
        };
        let mut args = BTreeMap::new();
        for a in block.body.attributes() {
            if matches!(
                a.key.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            let mut refs = Vec::new();
            let val = self.expr(&a.expr, scope, &mut refs, 0);
            args.insert(a.key.to_string(), Ref { val, refs });
        }
        let prefix = format!("{}module.{name}.", scope.prefix);
        self.module(&rel, &prefix, args, stack);
    }

    #[allow(clippy::too_many_lines)] // one arm per case: a table
    fn resource(&mut self, mode: Mode, kind: &str, name: &str, block: &Block, scope: &Scope) {
        let block_address = match mode {
            Mode::Managed => format!("{}{kind}.{name}", scope.prefix),
            Mode::Data => format!("{}data.{kind}.{name}", scope.prefix),
        };
        let meta = |key: &str| block.body.attributes().find(|a| a.key.as_str() == key);
        // The instances: (address key, count.index / each).
        let instances: Vec<(String, Option<Instance>)> = if let Some(count) = meta("count") {
            match self.expr(&count.expr, scope, &mut Vec::new(), 0) {
                Val::Number(n) => {
                    let n = n.as_f64().and_then(whole).unwrap_or(0);
                    (0..n.min(MAX_INSTANCES))
                        .map(|i| {
                            (
                                format!("[{i}]"),
                                Some(Instance::Count(Val::Number(i.into()))),
                            )
                        })
                        .collect()
                }
                Val::Bool(b) => {
                    // `count = var.on` is a type error in Terraform;
                    // a converted bool is 1 or 0.
                    if b {
                        vec![(
                            "[0]".to_owned(),
                            Some(Instance::Count(Val::Number(0.into()))),
                        )]
                    } else {
                        Vec::new()
                    }
                }
                _ => vec![(String::new(), Some(Instance::Count(Val::Unknown)))],
            }
        } else if let Some(each) = meta("for_each") {
            match self.expr(&each.expr, scope, &mut Vec::new(), 0) {
                Val::Map(map) => map
                    .into_iter()
                    .take(MAX_INSTANCES)
                    .map(|(k, v)| {
                        (
                            format!("[{}]", serde_json::Value::String(k.clone())),
                            Some(Instance::Each(Val::String(k), v)),
                        )
                    })
                    .collect(),
                Val::List(items) if items.iter().all(|i| matches!(i, Val::String(_))) => {
                    let set: BTreeSet<String> = items
                        .into_iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect();
                    set.into_iter()
                        .take(MAX_INSTANCES)
                        .map(|k| {
                            (
                                format!("[{}]", serde_json::Value::String(k.clone())),
                                Some(Instance::Each(Val::String(k.clone()), Val::String(k))),
                            )
                        })
                        .collect()
                }
                _ => vec![(
                    String::new(),
                    Some(Instance::Each(Val::Unknown, Val::Unknown)),
                )],
            }
        } else {
            vec![(String::new(), None)]
        };
        let counted = meta("count").is_some();
        let mut all = Vec::new();
        for (key, instance) in instances {
            let inner = Scope {
                prefix: scope.prefix,
                rel: scope.rel,
                vars: scope.vars,
                locals: scope.locals,
                instance,
            };
            let mut references = BTreeMap::new();
            let mut values = self.body(&block.body, &inner, "", &mut references, 0);
            self.identity(mode, kind, &mut values);
            all.push((key.clone(), values.clone()));
            self.resources.push(Resource {
                address: format!("{block_address}{key}"),
                mode,
                kind: kind.to_owned(),
                values,
                references,
            });
        }
        let value = match all.as_slice() {
            [(key, v)] if key.is_empty() => v.clone(),
            _ if counted => Val::List(all.into_iter().map(|(_, v)| v).collect()),
            _ => Val::Map(
                all.into_iter()
                    .map(|(k, v)| {
                        let k: String =
                            serde_json::from_str(k.trim_start_matches('[').trim_end_matches(']'))
                                .unwrap_or_default();
                        (k, v)
                    })
                    .collect(),
            ),
        };
        self.next.insert(block_address, value);
    }

    /// Adds what AWS will say about a resource where its configuration
    /// gives it away (its ARN and id from its name), and marks the other
    /// identities unknown, as a plan does.
    fn identity(&self, mode: Mode, kind: &str, values: &mut Val) {
        let Val::Map(map) = values else { return };
        let region = self.region().to_owned();
        let account = self.account.account_id.clone();
        let get = |k: &str| map.get(k).and_then(Val::as_str).map(str::to_owned);
        let mut set: Vec<(&str, String)> = Vec::new();
        let named = DERIVED
            .iter()
            .find(|d| mode == Mode::Managed && d.kind == kind);
        if let Some((d, n)) = named.and_then(|d| Some((d, get(d.name)?))) {
            let (r, a) = if d.global {
                ("", "")
            } else {
                (region.as_str(), account.as_str())
            };
            let arn = format!("arn:aws:{}:{r}:{a}:{}{n}", d.service, d.resource);
            match d.id {
                Id::Name => set.push(("id", n)),
                Id::Arn => set.push(("id", arn.clone())),
                Id::AccountName => set.push(("id", format!("{account}:{n}"))),
                Id::None => {}
            }
            set.push((d.arn_key, arn));
        }
        match (mode, kind) {
            (_, "aws_iam_role") => {
                if let Some(n) = get("name") {
                    let path = get("path").unwrap_or_else(|| "/".to_owned());
                    set.push(("id", n.clone()));
                    set.push(("arn", format!("arn:aws:iam::{account}:role{path}{n}")));
                }
            }
            (Mode::Managed, "aws_iam_policy") => {
                if let Some(n) = get("name") {
                    let path = get("path").unwrap_or_else(|| "/".to_owned());
                    let arn = format!("arn:aws:iam::{account}:policy{path}{n}");
                    set.push(("id", arn.clone()));
                    set.push(("arn", arn));
                }
            }
            (Mode::Managed, "aws_ssm_parameter") => {
                if let Some(n) = get("name") {
                    set.push(("id", n.clone()));
                    let bare = n.trim_start_matches('/');
                    set.push((
                        "arn",
                        format!("arn:aws:ssm:{region}:{account}:parameter/{bare}"),
                    ));
                }
            }
            (Mode::Data, "aws_caller_identity") => set.push(("account_id", account.clone())),
            (Mode::Data, "aws_region") => {
                set.push(("name", region.clone()));
                set.push(("region", region.clone()));
                set.push(("id", region.clone()));
            }
            (Mode::Data, "aws_partition") => set.push(("partition", "aws".to_owned())),
            _ => {}
        }
        if (mode, kind) == (Mode::Data, "aws_iam_policy_document") {
            if let Some(json) = policy_document(map) {
                set.push(("json", json));
            }
        }
        for (k, v) in set {
            map.entry(k.to_owned()).or_insert(Val::String(v));
        }
        if mode == Mode::Managed {
            for k in ["arn", "id"] {
                map.entry(k.to_owned()).or_insert(Val::Unknown);
            }
        }
    }

    /// A block body as a map: attributes by name, nested blocks as lists of
    /// maps by type (as Terraform's JSON shows them). Meta-arguments are
    /// left out; a `dynamic` block makes its attribute unknown.
    fn body(
        &self,
        body: &Body,
        scope: &Scope,
        path: &str,
        references: &mut BTreeMap<String, Vec<String>>,
        depth: usize,
    ) -> Val {
        let mut map = BTreeMap::new();
        let top = path.is_empty();
        for a in body.attributes() {
            if top
                && matches!(
                    a.key.as_str(),
                    "count" | "for_each" | "depends_on" | "provider"
                )
            {
                continue;
            }
            let here = join(path, a.key.as_str());
            let mut refs = Vec::new();
            let value = self.expr(&a.expr, scope, &mut refs, depth);
            self.key_references(&a.expr, scope, &here, references, depth);
            if !refs.is_empty() {
                refs.sort();
                refs.dedup();
                references.insert(here, refs);
            }
            map.insert(a.key.to_string(), value);
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for b in body.blocks() {
            let kind = b.identifier.to_string();
            if top && matches!(kind.as_str(), "lifecycle" | "provisioner" | "connection") {
                continue;
            }
            if kind == "dynamic" {
                if let Some(label) = b.labels.first() {
                    map.insert(label.as_str().to_owned(), Val::Unknown);
                }
                continue;
            }
            if depth > MAX_DEPTH {
                map.insert(kind, Val::Unknown);
                continue;
            }
            let index = counts.entry(kind.clone()).or_insert(0);
            let here = join(path, &format!("{kind}.{index}"));
            *index += 1;
            let value = self.body(&b.body, scope, &here, references, depth + 1);
            match map.entry(kind).or_insert_with(|| Val::List(Vec::new())) {
                Val::List(items) => items.push(value),
                other => *other = Val::Unknown,
            }
        }
        Val::Map(map)
    }

    /// The references of each key of an object attribute, at the key's
    /// path (`environment.0.variables.STREAM_NAME`), as the expected stack
    /// records them.
    fn key_references(
        &self,
        expr: &Expression,
        scope: &Scope,
        path: &str,
        references: &mut BTreeMap<String, Vec<String>>,
        depth: usize,
    ) {
        let Expression::Object(object) = expr else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        for (key, value) in object {
            let key = match key {
                ObjectKey::Identifier(id) => id.to_string(),
                ObjectKey::Expression(Expression::String(s)) => s.clone(),
                _ => continue,
            };
            let here = join(path, &key);
            let mut refs = Vec::new();
            self.expr(value, scope, &mut refs, depth + 1);
            self.key_references(value, scope, &here, references, depth + 1);
            if !refs.is_empty() {
                refs.sort();
                refs.dedup();
                references.insert(here, refs);
            }
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per case: a table
    fn expr(&self, expr: &Expression, scope: &Scope, refs: &mut Vec<String>, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        let d = depth + 1;
        match expr {
            Expression::Null => Val::Null,
            Expression::Bool(b) => Val::Bool(*b),
            Expression::Number(n) => number(n),
            Expression::String(s) => Val::String(s.clone()),
            Expression::Array(items) => {
                Val::List(items.iter().map(|e| self.expr(e, scope, refs, d)).collect())
            }
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                let mut unknown_key = false;
                for (key, value) in object {
                    let key = match key {
                        ObjectKey::Identifier(id) => Some(id.to_string()),
                        ObjectKey::Expression(e) => match self.expr(e, scope, refs, d) {
                            Val::String(s) => Some(s),
                            Val::Number(n) => Some(n.to_string()),
                            _ => None,
                        },
                        _ => None,
                    };
                    let value = self.expr(value, scope, refs, d);
                    match key {
                        Some(k) => {
                            map.insert(k, value);
                        }
                        None => unknown_key = true,
                    }
                }
                if unknown_key {
                    Val::Unknown
                } else {
                    Val::Map(map)
                }
            }
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => self.template(&template, scope, refs, d),
                Err(_) => Val::Unknown,
            },
            Expression::Variable(v) => self.root(v.as_str(), &[], scope, refs, d),
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    let base = self.expr(&t.expr, scope, refs, d);
                    return self.apply(base, &t.operators, scope, refs, d);
                };
                self.root(root.as_str(), &t.operators, scope, refs, d)
            }
            Expression::FuncCall(call) => {
                if !call.name.namespace.is_empty() {
                    // A provider function: not evaluated here.
                    for a in &call.args {
                        self.expr(a, scope, refs, d);
                    }
                    return Val::Unknown;
                }
                let name = call.name.name.as_str();
                if name == "try" {
                    for a in &call.args {
                        let v = self.expr(a, scope, refs, d);
                        if !v.has_unknown() {
                            return v;
                        }
                    }
                    return Val::Unknown;
                }
                let mut args: Vec<Val> = call
                    .args
                    .iter()
                    .map(|a| self.expr(a, scope, refs, d))
                    .collect();
                if call.expand_final {
                    match args.pop() {
                        Some(Val::List(items)) => args.extend(items),
                        _ => return Val::Unknown,
                    }
                }
                self.function(name, &args, scope)
            }
            Expression::Parenthesis(inner) => self.expr(inner, scope, refs, d),
            Expression::Conditional(c) => match self.expr(&c.cond_expr, scope, refs, d) {
                Val::Bool(true) => self.expr(&c.true_expr, scope, refs, d),
                Val::Bool(false) => self.expr(&c.false_expr, scope, refs, d),
                _ => {
                    self.expr(&c.true_expr, scope, refs, d);
                    self.expr(&c.false_expr, scope, refs, d);
                    Val::Unknown
                }
            },
            Expression::Operation(op) => match op.as_ref() {
                Operation::Unary(u) => {
                    let v = self.expr(&u.expr, scope, refs, d);
                    match (u.operator, v) {
                        (UnaryOperator::Not, Val::Bool(b)) => Val::Bool(!b),
                        (UnaryOperator::Neg, v) => match as_f64(&v) {
                            Some(x) => from_f64(-x),
                            None => Val::Unknown,
                        },
                        _ => Val::Unknown,
                    }
                }
                Operation::Binary(_) => {
                    // hcl-rs leaves a chain of operators as written; the
                    // language's precedence is applied here.
                    let mut operands = Vec::new();
                    let mut operators = Vec::new();
                    flatten_binary(expr, &mut operands, &mut operators);
                    let values: Vec<Val> = operands
                        .into_iter()
                        .map(|e| self.expr(e, scope, refs, d))
                        .collect();
                    by_precedence(values, &operators)
                }
            },
            Expression::ForExpr(f) => self.for_expr(f, scope, refs, d),
            _ => Val::Unknown,
        }
    }

    fn for_expr(
        &self,
        f: &hcl::expr::ForExpr,
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
    ) -> Val {
        let items: Vec<(Val, Val)> = match self.expr(&f.collection_expr, scope, refs, d) {
            Val::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::Number(i.into()), v))
                .collect(),
            Val::Map(map) => map.into_iter().map(|(k, v)| (Val::String(k), v)).collect(),
            _ => return Val::Unknown,
        };
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        for (k, v) in items.into_iter().take(MAX_INSTANCES) {
            let mut vars = scope.vars.clone();
            // The loop's names shadow variables of the same name only here:
            // a `for` binds bare names, which this evaluator reads as vars.
            let mut bound = BTreeMap::new();
            if let Some(key_var) = &f.key_var {
                bound.insert(key_var.to_string(), k.clone());
            }
            bound.insert(f.value_var.to_string(), v.clone());
            for (name, val) in &bound {
                vars.insert(
                    format!("\u{0}{name}"),
                    Ref {
                        val: val.clone(),
                        refs: Vec::new(),
                    },
                );
            }
            let inner = Scope {
                prefix: scope.prefix,
                rel: scope.rel,
                vars: &vars,
                locals: scope.locals,
                instance: scope.instance.clone(),
            };
            if let Some(cond) = &f.cond_expr {
                match self.expr(cond, &inner, refs, d) {
                    Val::Bool(true) => {}
                    Val::Bool(false) => continue,
                    _ => return Val::Unknown,
                }
            }
            let value = self.expr(&f.value_expr, &inner, refs, d);
            match &f.key_expr {
                Some(key_expr) => match self.expr(key_expr, &inner, refs, d) {
                    Val::String(s) => {
                        map.insert(s, value);
                    }
                    _ => return Val::Unknown,
                },
                None => list.push(value),
            }
        }
        if f.key_expr.is_some() {
            Val::Map(map)
        } else {
            Val::List(list)
        }
    }

    /// A traversal from a root name: `var.x`, `local.y`, `aws_s3_bucket.b.arn`…
    fn root(
        &self,
        root: &str,
        ops: &[TraversalOperator],
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
    ) -> Val {
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        // A `for` expression's own names.
        if let Some(bound) = scope.vars.get(&format!("\u{0}{root}")) {
            return self.apply(bound.val.clone(), ops, scope, refs, d);
        }
        match root {
            "var" => {
                let Some(name) = attr(0) else {
                    return Val::Unknown;
                };
                match scope.vars.get(name) {
                    Some(r) => {
                        refs.extend(r.refs.iter().cloned());
                        self.apply(r.val.clone(), &ops[1..], scope, refs, d)
                    }
                    None => Val::Unknown,
                }
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return Val::Unknown;
                };
                match scope.locals.get(name) {
                    Some(e) => {
                        let v = self.expr(e, scope, refs, d);
                        self.apply(v, &ops[1..], scope, refs, d)
                    }
                    None => Val::Unknown,
                }
            }
            "count" => match (&scope.instance, attr(0)) {
                (Some(Instance::Count(i)), Some("index")) => i.clone(),
                _ => Val::Unknown,
            },
            "each" => match (&scope.instance, attr(0)) {
                (Some(Instance::Each(k, _)), Some("key")) => k.clone(),
                (Some(Instance::Each(_, v)), Some("value")) => {
                    self.apply(v.clone(), &ops[1..], scope, refs, d)
                }
                _ => Val::Unknown,
            },
            "path" => match attr(0) {
                Some("module") => Val::String(scope.rel.to_owned()),
                Some("root" | "cwd") => Val::String(".".to_owned()),
                _ => Val::Unknown,
            },
            "terraform" => match attr(0) {
                Some("workspace") => Val::String("default".to_owned()),
                _ => Val::Unknown,
            },
            "module" => {
                let Some(name) = attr(0) else {
                    return Val::Unknown;
                };
                let key = format!("{}module.{name}", scope.prefix);
                if let Some(output) = attr(1) {
                    if let Some(Val::List(carried)) = self.known.get(&format!("{key}#{output}")) {
                        refs.extend(carried.iter().filter_map(|v| v.as_str().map(str::to_owned)));
                    }
                }
                match self.known.get(&key) {
                    Some(v) => self.apply(v.clone(), &ops[1..], scope, refs, d),
                    None => Val::Unknown,
                }
            }
            "data" => {
                let (Some(kind), Some(name)) = (attr(0), attr(1)) else {
                    return Val::Unknown;
                };
                let address = format!("{}data.{kind}.{name}", scope.prefix);
                self.reference(&address, &ops[2..], scope, refs, d)
            }
            kind if kind.contains('_') => {
                let Some(name) = attr(0) else {
                    return Val::Unknown;
                };
                let address = format!("{}{kind}.{name}", scope.prefix);
                self.reference(&address, &ops[1..], scope, refs, d)
            }
            _ => Val::Unknown,
        }
    }

    /// A reference to a resource block: recorded as a plan records it
    /// (the address, then the first attribute), valued as the previous
    /// pass saw the block.
    fn reference(
        &self,
        address: &str,
        ops: &[TraversalOperator],
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
    ) -> Val {
        let first_attr = ops.iter().find_map(|op| match op {
            TraversalOperator::GetAttr(id) => Some(id.as_str()),
            _ => None,
        });
        refs.push(match first_attr {
            Some(a) => format!("{address}.{a}"),
            None => address.to_owned(),
        });
        match self.known.get(address) {
            Some(v) => self.apply(v.clone(), ops, scope, refs, d),
            None => Val::Unknown,
        }
    }

    /// Applies traversal operators to a value.
    fn apply(
        &self,
        mut v: Val,
        ops: &[TraversalOperator],
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
    ) -> Val {
        for (i, op) in ops.iter().enumerate() {
            v = match (op, v) {
                (_, Val::Unknown) => return Val::Unknown,
                (TraversalOperator::GetAttr(id), Val::Map(mut map)) => {
                    // An attribute the configuration does not set is
                    // computed by the provider: unknown here.
                    map.remove(id.as_str()).unwrap_or(Val::Unknown)
                }
                (TraversalOperator::Index(e), v) => {
                    let key = self.expr(e, scope, refs, d);
                    index(v, &key)
                }
                (TraversalOperator::LegacyIndex(n), v) => index(v, &Val::Number((*n).into())),
                (TraversalOperator::AttrSplat | TraversalOperator::FullSplat, Val::List(items)) => {
                    let rest = &ops[i + 1..];
                    return Val::List(
                        items
                            .into_iter()
                            .map(|item| self.apply(item, rest, scope, refs, d))
                            .collect(),
                    );
                }
                _ => return Val::Unknown,
            };
        }
        v
    }

    fn template(
        &self,
        template: &Template,
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
    ) -> Val {
        let mut out = String::new();
        let mut trim_next = false;
        let mut known = true;
        self.render(
            template,
            scope,
            refs,
            d,
            &mut out,
            &mut trim_next,
            &mut known,
        );
        if known {
            Val::String(out)
        } else {
            Val::Unknown
        }
    }

    /// Renders template elements into `out`: interpolations, and the
    /// `%{ if }` and `%{ for }` directives over known values, with the `~`
    /// strip markers (whitespace before a `~` marker is cut from the text
    /// so far, after it from the next literal). Anything unknown makes the
    /// whole template unknown.
    #[allow(clippy::too_many_arguments, clippy::too_many_lines)] // one arm per element
    fn render(
        &self,
        template: &Template,
        scope: &Scope,
        refs: &mut Vec<String>,
        d: usize,
        out: &mut String,
        trim_next: &mut bool,
        known: &mut bool,
    ) {
        use hcl::template::{Directive, Strip};
        fn before(strip: Strip, out: &mut String) {
            if matches!(strip, Strip::Start | Strip::Both) {
                out.truncate(out.trim_end().len());
            }
        }
        let after = |strip: Strip| matches!(strip, Strip::End | Strip::Both);
        if d > MAX_DEPTH {
            *known = false;
            return;
        }
        for element in template.elements() {
            match element {
                Element::Literal(text) => {
                    out.push_str(if *trim_next { text.trim_start() } else { text });
                    *trim_next = false;
                }
                Element::Interpolation(i) => {
                    before(i.strip, out);
                    match self.expr(&i.expr, scope, refs, d) {
                        Val::String(s) => out.push_str(&s),
                        Val::Number(n) => out.push_str(&n.to_string()),
                        Val::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                        _ => *known = false,
                    }
                    *trim_next = after(i.strip);
                }
                Element::Directive(Directive::If(dir)) => {
                    before(dir.if_strip, out);
                    *trim_next = after(dir.if_strip);
                    match self.expr(&dir.cond_expr, scope, refs, d) {
                        Val::Bool(true) => {
                            self.render(
                                &dir.true_template,
                                scope,
                                refs,
                                d + 1,
                                out,
                                trim_next,
                                known,
                            );
                        }
                        Val::Bool(false) => {
                            if let Some(f) = &dir.false_template {
                                before(dir.else_strip, out);
                                *trim_next = after(dir.else_strip);
                                self.render(f, scope, refs, d + 1, out, trim_next, known);
                            }
                        }
                        _ => *known = false,
                    }
                    before(dir.endif_strip, out);
                    *trim_next = after(dir.endif_strip);
                }
                Element::Directive(Directive::For(dir)) => {
                    before(dir.for_strip, out);
                    *trim_next = after(dir.for_strip);
                    let items: Vec<(Val, Val)> =
                        match self.expr(&dir.collection_expr, scope, refs, d) {
                            Val::List(items) => items
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| (Val::Number(i.into()), v))
                                .collect(),
                            Val::Map(map) => {
                                map.into_iter().map(|(k, v)| (Val::String(k), v)).collect()
                            }
                            _ => {
                                *known = false;
                                Vec::new()
                            }
                        };
                    for (k, v) in items.into_iter().take(MAX_INSTANCES) {
                        let mut vars = scope.vars.clone();
                        if let Some(key_var) = &dir.key_var {
                            vars.insert(
                                format!("\u{0}{key_var}"),
                                Ref {
                                    val: k,
                                    refs: Vec::new(),
                                },
                            );
                        }
                        vars.insert(
                            format!("\u{0}{}", dir.value_var),
                            Ref {
                                val: v,
                                refs: Vec::new(),
                            },
                        );
                        let inner = Scope {
                            prefix: scope.prefix,
                            rel: scope.rel,
                            vars: &vars,
                            locals: scope.locals,
                            instance: scope.instance.clone(),
                        };
                        self.render(&dir.template, &inner, refs, d + 1, out, trim_next, known);
                    }
                    before(dir.endfor_strip, out);
                    *trim_next = after(dir.endfor_strip);
                }
            }
            if !*known {
                return;
            }
        }
    }

    fn function(&self, name: &str, args: &[Val], scope: &Scope) -> Val {
        if let Some(v) = file_function(name, args, &self.loader.root, scope) {
            return v;
        }
        function(name, args)
    }
}

fn locals(module: &Module) -> BTreeMap<String, &Expression> {
    let mut out = BTreeMap::new();
    for (_, body) in &module.files {
        for block in body.blocks().filter(|b| b.identifier.as_str() == "locals") {
            for a in block.body.attributes() {
                out.insert(a.key.to_string(), &a.expr);
            }
        }
    }
    out
}

fn index(v: Val, key: &Val) -> Val {
    match (v, key) {
        (Val::List(items), k) => match as_f64(k) {
            Some(i) => match whole(i) {
                Some(i) => items.into_iter().nth(i).unwrap_or(Val::Unknown),
                None => Val::Unknown,
            },
            _ => Val::Unknown,
        },
        (Val::Map(mut map), Val::String(k)) => map.remove(k).unwrap_or(Val::Unknown),
        _ => Val::Unknown,
    }
}

/// The operands and operators of a chain of binary operations, in the
/// order written (parentheses are their own expression and stay whole).
fn flatten_binary<'e>(
    expr: &'e Expression,
    operands: &mut Vec<&'e Expression>,
    operators: &mut Vec<BinaryOperator>,
) {
    if let Expression::Operation(op) = expr {
        if let Operation::Binary(b) = op.as_ref() {
            flatten_binary(&b.lhs_expr, operands, operators);
            operators.push(b.operator);
            flatten_binary(&b.rhs_expr, operands, operators);
            return;
        }
    }
    operands.push(expr);
}

fn precedence(op: BinaryOperator) -> u8 {
    use BinaryOperator as B;
    match op {
        B::Or => 1,
        B::And => 2,
        B::Eq | B::NotEq => 3,
        B::Less | B::LessEq | B::Greater | B::GreaterEq => 4,
        B::Plus | B::Minus => 5,
        B::Mul | B::Div | B::Mod => 6,
    }
}

/// `values[0] op[0] values[1] op[1] …`, left to right within a level of
/// precedence.
fn by_precedence(values: Vec<Val>, operators: &[BinaryOperator]) -> Val {
    if values.len() != operators.len() + 1 {
        return Val::Unknown;
    }
    let mut out: Vec<Val> = Vec::new();
    let mut pending: Vec<BinaryOperator> = Vec::new();
    let reduce = |out: &mut Vec<Val>, op: BinaryOperator| {
        let r = out.pop().unwrap_or(Val::Unknown);
        let l = out.pop().unwrap_or(Val::Unknown);
        out.push(binary(op, &l, &r));
    };
    let mut values = values.into_iter();
    out.extend(values.next());
    for (op, v) in operators.iter().zip(values) {
        while pending
            .last()
            .is_some_and(|top| precedence(*top) >= precedence(*op))
        {
            let top = pending.pop().unwrap_or(*op);
            reduce(&mut out, top);
        }
        pending.push(*op);
        out.push(v);
    }
    while let Some(op) = pending.pop() {
        reduce(&mut out, op);
    }
    out.pop().unwrap_or(Val::Unknown)
}

fn binary(op: BinaryOperator, l: &Val, r: &Val) -> Val {
    use BinaryOperator as B;
    if l.has_unknown() || r.has_unknown() {
        return Val::Unknown;
    }
    match op {
        B::Eq => Val::Bool(equal(l, r)),
        B::NotEq => Val::Bool(!equal(l, r)),
        B::And | B::Or => match (l, r) {
            (Val::Bool(a), Val::Bool(b)) => {
                Val::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => Val::Unknown,
        },
        _ => {
            let (Some(a), Some(b)) = (as_f64(l), as_f64(r)) else {
                return Val::Unknown;
            };
            match op {
                B::Less => Val::Bool(a < b),
                B::LessEq => Val::Bool(a <= b),
                B::Greater => Val::Bool(a > b),
                B::GreaterEq => Val::Bool(a >= b),
                B::Plus => from_f64(a + b),
                B::Minus => from_f64(a - b),
                B::Mul => from_f64(a * b),
                B::Div if b != 0.0 => from_f64(a / b),
                B::Mod if b != 0.0 => from_f64(a % b),
                _ => Val::Unknown,
            }
        }
    }
}

/// Terraform's `==`: a number and its string are not equal; numbers by
/// value.
fn equal(l: &Val, r: &Val) -> bool {
    match (l, r) {
        (Val::Number(_), Val::Number(_)) => as_f64(l) == as_f64(r),
        _ => l == r,
    }
}

fn as_f64(v: &Val) -> Option<f64> {
    match v {
        Val::Number(n) => n.as_f64(),
        Val::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

fn from_f64(x: f64) -> Val {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return Val::Number((x as i64).into());
    }
    serde_json::Number::from_f64(x).map_or(Val::Unknown, Val::Number)
}

fn number(n: &hcl::Number) -> Val {
    if let Some(i) = n.as_i64() {
        Val::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Val::Number(u.into())
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Val::Unknown, Val::Number)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A value as Terraform's `tostring` gives it, for string functions.
fn text(v: &Val) -> Option<String> {
    match v {
        Val::String(s) => Some(s.clone()),
        Val::Number(n) => Some(n.to_string()),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The functions of Terraform's language that a student's lab code calls.
/// Any other, or any argument unknown, is `Unknown`.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "base64encode",
    "coalesce",
    "concat",
    "contains",
    "distinct",
    "element",
    "file",
    "filebase64sha256",
    "filesha256",
    "flatten",
    "format",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "replace",
    "sha256",
    "split",
    "substr",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "values",
];

#[allow(clippy::too_many_lines)] // one arm per case: a table
fn function(name: &str, args: &[Val]) -> Val {
    if args.iter().any(Val::has_unknown) && name != "coalesce" {
        return Val::Unknown;
    }
    let s = |i: usize| args.get(i).and_then(text);
    match (name, args.len()) {
        ("upper", 1) => s(0).map_or(Val::Unknown, |x| Val::String(x.to_uppercase())),
        ("lower", 1) => s(0).map_or(Val::Unknown, |x| Val::String(x.to_lowercase())),
        ("title", 1) => s(0).map_or(Val::Unknown, |x| Val::String(title(&x))),
        ("trimspace", 1) => s(0).map_or(Val::Unknown, |x| Val::String(x.trim().to_owned())),
        ("trimprefix", 2) => match (s(0), s(1)) {
            (Some(a), Some(p)) => Val::String(a.strip_prefix(&p).unwrap_or(&a).to_owned()),
            _ => Val::Unknown,
        },
        ("trimsuffix", 2) => match (s(0), s(1)) {
            (Some(a), Some(p)) => Val::String(a.strip_suffix(&p).unwrap_or(&a).to_owned()),
            _ => Val::Unknown,
        },
        ("trim", 2) => match (s(0), s(1)) {
            (Some(a), Some(cut)) => Val::String(a.trim_matches(|c| cut.contains(c)).to_owned()),
            _ => Val::Unknown,
        },
        ("tostring", 1) => match &args[0] {
            Val::Null => Val::Null,
            v => text(v).map_or(Val::Unknown, Val::String),
        },
        ("tonumber", 1) => as_f64(&args[0]).map_or(Val::Unknown, from_f64),
        ("tobool", 1) => match &args[0] {
            Val::Bool(b) => Val::Bool(*b),
            Val::String(s) if s == "true" => Val::Bool(true),
            Val::String(s) if s == "false" => Val::Bool(false),
            _ => Val::Unknown,
        },
        ("tolist" | "tomap", 1) => args[0].clone(),
        ("toset" | "distinct", 1) => match &args[0] {
            Val::List(items) => {
                let mut out: Vec<Val> = Vec::new();
                for i in items {
                    if !out.contains(i) {
                        out.push(i.clone());
                    }
                }
                Val::List(out)
            }
            _ => Val::Unknown,
        },
        ("jsonencode", 1) => Val::String(args[0].to_json().to_string()),
        ("jsondecode", 1) => {
            match s(0).and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) {
                Some(v) => Val::from_json(&v),
                None => Val::Unknown,
            }
        }
        ("sha256", 1) => s(0).map_or(Val::Unknown, |x| Val::String(hex(&sha256(x.as_bytes())))),
        ("base64encode", 1) => s(0).map_or(Val::Unknown, |x| Val::String(base64(x.as_bytes()))),
        ("format", n) if n >= 1 => s(0)
            .and_then(|f| format(&f, &args[1..]))
            .map_or(Val::Unknown, Val::String),
        ("join", 2) => match (&args[0], &args[1]) {
            (Val::String(sep), Val::List(items)) => items
                .iter()
                .map(text)
                .collect::<Option<Vec<_>>>()
                .map_or(Val::Unknown, |parts| Val::String(parts.join(sep))),
            _ => Val::Unknown,
        },
        ("split", 2) => match (s(0), s(1)) {
            (Some(sep), Some(x)) if !sep.is_empty() => Val::List(
                x.split(sep.as_str())
                    .map(|p| Val::String(p.to_owned()))
                    .collect(),
            ),
            _ => Val::Unknown,
        },
        ("replace", 3) => match (s(0), s(1), s(2)) {
            // A `/regex/` search: not evaluated.
            (Some(_), Some(find), Some(_))
                if find.len() > 1 && find.starts_with('/') && find.ends_with('/') =>
            {
                Val::Unknown
            }
            (Some(x), Some(find), Some(with)) if !find.is_empty() => {
                Val::String(x.replace(&find, &with))
            }
            _ => Val::Unknown,
        },
        ("substr", 3) => match (s(0), as_f64(&args[1]), as_f64(&args[2])) {
            (Some(x), Some(off), Some(len)) => match whole(off) {
                Some(off) => {
                    let chars: Vec<char> = x.chars().collect();
                    let off = off.min(chars.len());
                    let end = whole(len).map_or(chars.len(), |len| (off + len).min(chars.len()));
                    Val::String(chars[off..end].iter().collect())
                }
                None => Val::Unknown,
            },
            _ => Val::Unknown,
        },
        ("length", 1) => match &args[0] {
            Val::String(x) => Val::Number(x.chars().count().into()),
            Val::List(items) => Val::Number(items.len().into()),
            Val::Map(map) => Val::Number(map.len().into()),
            _ => Val::Unknown,
        },
        ("concat", _) => {
            let mut out = Vec::new();
            for a in args {
                match a {
                    Val::List(items) => out.extend(items.iter().cloned()),
                    _ => return Val::Unknown,
                }
            }
            Val::List(out)
        }
        ("flatten", 1) => match &args[0] {
            Val::List(items) => Val::List(flatten(items)),
            _ => Val::Unknown,
        },
        ("merge", _) => {
            let mut out = BTreeMap::new();
            for a in args {
                match a {
                    Val::Map(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    Val::Null => {}
                    _ => return Val::Unknown,
                }
            }
            Val::Map(out)
        }
        ("lookup", 2 | 3) => match (&args[0], s(1)) {
            (Val::Map(map), Some(k)) => map
                .get(&k)
                .cloned()
                .or_else(|| args.get(2).cloned())
                .unwrap_or(Val::Unknown),
            _ => Val::Unknown,
        },
        ("element", 2) => match (&args[0], as_f64(&args[1])) {
            (Val::List(items), Some(i)) if !items.is_empty() => match whole(i) {
                Some(i) => items[i % items.len()].clone(),
                None => Val::Unknown,
            },
            _ => Val::Unknown,
        },
        ("contains", 2) => match &args[0] {
            Val::List(items) => Val::Bool(items.iter().any(|i| equal(i, &args[1]))),
            _ => Val::Unknown,
        },
        ("keys", 1) => match &args[0] {
            Val::Map(map) => Val::List(map.keys().map(|k| Val::String(k.clone())).collect()),
            _ => Val::Unknown,
        },
        ("values", 1) => match &args[0] {
            Val::Map(map) => Val::List(map.values().cloned().collect()),
            _ => Val::Unknown,
        },
        ("coalesce", _) => {
            for a in args {
                match a {
                    Val::Unknown => return Val::Unknown,
                    Val::Null => {}
                    Val::String(x) if x.is_empty() => {}
                    v => return v.clone(),
                }
            }
            Val::Unknown
        }
        ("abs", 1) => as_f64(&args[0]).map_or(Val::Unknown, |x| from_f64(x.abs())),
        ("min" | "max", n) if n >= 1 => {
            let nums: Option<Vec<f64>> = args.iter().map(as_f64).collect();
            match nums {
                Some(nums) => from_f64(nums.into_iter().fold(
                    if name == "min" {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    },
                    if name == "min" { f64::min } else { f64::max },
                )),
                None => Val::Unknown,
            }
        }
        _ => Val::Unknown,
    }
}

fn flatten(items: &[Val]) -> Vec<Val> {
    let mut out = Vec::new();
    for i in items {
        match i {
            Val::List(inner) => out.extend(flatten(inner)),
            other => out.push(other.clone()),
        }
    }
    out
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    out
}

/// Terraform's `format`: `%s`, `%d`, `%v`, `%q`, `%f` and `%%`; flags and
/// widths are not evaluated.
fn format(spec: &str, args: &[Val]) -> Option<String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next()?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args.get(next)?;
        next += 1;
        match verb {
            's' | 'v' => out.push_str(&text(arg)?),
            'd' => match from_f64(as_f64(arg)?.trunc()) {
                Val::Number(n) => out.push_str(&n.to_string()),
                _ => return None,
            },
            'f' => {
                let _ = write!(out, "{:.6}", as_f64(arg)?);
            }
            'q' => out.push_str(&serde_json::Value::String(text(arg)?).to_string()),
            _ => return None,
        }
    }
    Some(out)
}

/// `file`, `filesha256` and `filebase64sha256`: a file of the student's
/// directory, read when it is there (at most `MAX_FILE_BYTES`); unknown
/// when it is not (a layer zip the course hands out).
fn file_function(name: &str, args: &[Val], root: &Path, _scope: &Scope) -> Option<Val> {
    if !matches!(name, "file" | "filesha256" | "filebase64sha256") {
        return None;
    }
    let [Val::String(path)] = args else {
        return Some(Val::Unknown);
    };
    if root.as_os_str().is_empty() {
        return Some(Val::Unknown);
    }
    let full = root.join(path);
    let bytes = std::fs::metadata(&full)
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_FILE_BYTES)
        .and_then(|_| std::fs::read(&full).ok());
    let Some(bytes) = bytes else {
        return Some(Val::Unknown);
    };
    Some(match name {
        "file" => String::from_utf8(bytes).map_or(Val::Unknown, Val::String),
        "filesha256" => Val::String(hex(&sha256(&bytes))),
        _ => Val::String(base64(&sha256(&bytes))),
    })
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The JSON of a `data "aws_iam_policy_document"` whose statements are
/// known: what the data source would compute.
fn policy_document(map: &BTreeMap<String, Val>) -> Option<String> {
    let mut statements = Vec::new();
    for s in map.get("statement").map(|v| v.at("*")).unwrap_or_default() {
        if s.has_unknown() {
            return None;
        }
        let mut out = serde_json::Map::new();
        if let Some(Val::String(sid)) = s.get("sid") {
            out.insert("Sid".into(), sid.clone().into());
        }
        let effect = s.get("effect").and_then(Val::as_str).unwrap_or("Allow");
        out.insert("Effect".into(), effect.into());
        for (key, name) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(v @ Val::List(_)) = s.get(key) {
                out.insert(name.into(), v.to_json());
            }
        }
        for (key, name) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals = serde_json::Map::new();
            for p in s.get(key).map(|v| v.at("*")).unwrap_or_default() {
                let (Some(kind), Some(ids)) =
                    (p.get("type").and_then(Val::as_str), p.get("identifiers"))
                else {
                    return None;
                };
                principals.insert(kind.to_owned(), ids.to_json());
            }
            if !principals.is_empty() {
                out.insert(name.into(), principals.into());
            }
        }
        let mut condition = serde_json::Map::new();
        for c in s.get("condition").map(|v| v.at("*")).unwrap_or_default() {
            let (Some(test), Some(variable), Some(values)) = (
                c.get("test").and_then(Val::as_str),
                c.get("variable").and_then(Val::as_str),
                c.get("values"),
            ) else {
                return None;
            };
            let entry = condition
                .entry(test.to_owned())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(m) = entry {
                m.insert(variable.to_owned(), values.to_json());
            }
        }
        if !condition.is_empty() {
            out.insert("Condition".into(), condition.into());
        }
        statements.push(serde_json::Value::Object(out));
    }
    Some(serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            account_id: "100603781557".into(),
            region: "us-east-1".into(),
        }
    }

    fn eval(files: &[(&str, &str)], tfvars: &str) -> Observed {
        parse_text(files, tfvars, &account()).unwrap()
    }

    fn one<'a>(o: &'a Observed, address: &str) -> &'a Resource {
        o.resources.iter().find(|r| r.address == address).unwrap()
    }

    #[test]
    fn variables_locals_functions_and_references() {
        let o = eval(
            &[(
                "main.tf",
                r#"
variable "env" { default = "dev" }
variable "index" {}
locals {
  name   = format("datalake-%s-%s", var.env, var.index)
  parts  = split("-", local.name)
}
resource "aws_s3_bucket" "b" {
  bucket = lower(local.name)
  tags   = merge({ A = "1" }, { B = join("+", local.parts) })
  n      = length(local.parts) * 2 > 5 ? "big" : "small"
}
resource "aws_iam_role_policy" "p" {
  policy = jsonencode({
    Statement = [{ Resource = ["${aws_s3_bucket.b.arn}/*", aws_s3_bucket.b.arn] }]
  })
  other = <<EOF
{"Resource": "${aws_s3_bucket.b.arn}"}
EOF
}
"#,
            )],
            "index = \"12345\"\n",
        );
        let b = one(&o, "aws_s3_bucket.b");
        assert_eq!(
            b.values.at("bucket"),
            [&Val::String("datalake-dev-12345".into())]
        );
        assert_eq!(
            b.values.at("arn"),
            [&Val::String("arn:aws:s3:::datalake-dev-12345".into())]
        );
        assert_eq!(
            b.values.at("tags.B"),
            [&Val::String("datalake+dev+12345".into())]
        );
        assert_eq!(b.values.at("n"), [&Val::String("big".into())]);
        let p = one(&o, "aws_iam_role_policy.p");
        assert_eq!(
            p.values.at("policy"),
            [&Val::String(
                r#"{"Statement":[{"Resource":["arn:aws:s3:::datalake-dev-12345/*","arn:aws:s3:::datalake-dev-12345"]}]}"#.into()
            )]
        );
        assert_eq!(p.references_at("policy"), ["aws_s3_bucket.b.arn"]);
        assert_eq!(
            p.values.at("other"),
            [&Val::String(
                "{\"Resource\": \"arn:aws:s3:::datalake-dev-12345\"}\n".into()
            )]
        );
    }

    #[test]
    fn count_for_each_and_unknowns() {
        let o = eval(
            &[(
                "main.tf",
                r#"
variable "names" { default = ["a", "b"] }
resource "aws_s3_bucket" "c" {
  count  = length(var.names)
  bucket = "x-${var.names[count.index]}"
}
resource "aws_s3_bucket" "e" {
  for_each = toset(var.names)
  bucket   = "y-${each.key}"
}
resource "aws_s3_bucket" "u" {
  count  = var.missing ? 1 : 0
  bucket = provider::aws::arn_parse("x")
}
"#,
            )],
            "",
        );
        assert_eq!(
            one(&o, "aws_s3_bucket.c[1]").values.at("bucket"),
            [&Val::String("x-b".into())]
        );
        assert_eq!(
            one(&o, "aws_s3_bucket.e[\"a\"]").values.at("bucket"),
            [&Val::String("y-a".into())]
        );
        assert_eq!(
            one(&o, "aws_s3_bucket.u").values.at("bucket"),
            [&Val::Unknown]
        );
    }

    #[test]
    fn syntax_errors_are_sg804_with_the_place() {
        let e =
            parse_text(&[("bad.tf", "resource \"x\" {\n  a = \n")], "", &account()).unwrap_err();
        assert_eq!(e.code, Code::SG804);
        assert!(e.message.contains("bad.tf"), "{}", e.message);
    }

    #[test]
    fn base64_and_hashes() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi"), "aGk=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn local_modules_carry_inputs_references_and_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("modules/lab")).unwrap();
        std::fs::write(
            root.join("main.tf"),
            r#"
provider "aws" { region = "eu-west-1" }
resource "aws_kinesis_stream" "s" { name = "cs-${var.index}" }
variable "index" {}
module "lab" {
  source     = "./modules/lab"
  stream_arn = aws_kinesis_stream.s.arn
  index      = var.index
}
resource "aws_s3_bucket" "copy" { bucket = module.lab.bucket_name }
"#,
        )
        .unwrap();
        std::fs::write(root.join("terraform.tfvars"), "index = \"12345\"\n").unwrap();
        std::fs::write(root.join("terraform.tfvars.json"), r#"{"index": "555"}"#).unwrap();
        std::fs::write(root.join("lab.auto.tfvars"), "index = \"666\"\n").unwrap();
        std::fs::write(root.join("zz.auto.tfvars.json"), r#"{"index": "777"}"#).unwrap();
        std::fs::write(
            root.join("modules/lab/main.tf"),
            r#"
variable "stream_arn" {}
variable "index" {}
resource "aws_s3_bucket" "b" { bucket = "datalake-${var.index}" }
resource "aws_kinesis_firehose_delivery_stream" "f" {
  name = "fh"
  kinesis_source_configuration { kinesis_stream_arn = var.stream_arn }
  extended_s3_configuration { bucket_arn = aws_s3_bucket.b.arn }
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}
resource "aws_iam_role_policy" "p" { policy = data.aws_iam_policy_document.p.json }
output "bucket_name" { value = aws_s3_bucket.b.bucket }
"#,
        )
        .unwrap();
        let o = read(root, &account()).unwrap();
        // `terraform.tfvars`, `terraform.tfvars.json`, then the
        // `*.auto.tfvars(.json)` files by name: the last one wins.
        assert_eq!(
            one(&o, "module.lab.aws_s3_bucket.b").values.at("bucket"),
            [&Val::String("datalake-777".into())]
        );
        let f = one(&o, "module.lab.aws_kinesis_firehose_delivery_stream.f");
        let path = "kinesis_source_configuration.0.kinesis_stream_arn";
        // The reference came in through the variable; the provider's region.
        assert_eq!(f.references_at(path), ["aws_kinesis_stream.s.arn"]);
        assert_eq!(
            f.values.at(path),
            [&Val::String(
                "arn:aws:kinesis:eu-west-1:100603781557:stream/cs-777".into()
            )]
        );
        assert_eq!(
            f.references_at("extended_s3_configuration.0.bucket_arn"),
            ["module.lab.aws_s3_bucket.b.arn"]
        );
        assert_eq!(
            one(&o, "module.lab.aws_iam_role_policy.p").values.at("policy"),
            [&Val::String(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::datalake-777/*"]}]}"#.into()
            )]
        );
        // The output, with its reference, back in the root.
        let copy = one(&o, "aws_s3_bucket.copy");
        assert_eq!(
            copy.values.at("bucket"),
            [&Val::String("datalake-777".into())]
        );
        assert_eq!(
            copy.references_at("bucket"),
            ["module.lab.aws_s3_bucket.b.bucket"]
        );
    }

    #[test]
    fn template_directives_render_over_known_values() {
        let o = eval(
            &[(
                "main.tf",
                r#"
variable "zones" { default = ["raw-zone", "processed-zone"] }
variable "strict" { default = true }
resource "aws_iam_role_policy" "p" {
  policy = <<-EOT
    {"Resource": [
    %{~ for i, z in var.zones ~}
    "arn:aws:s3:::b/${z}/*"%{ if i < length(var.zones) - 1 },%{ endif }
    %{~ endfor ~}
    ], "Strict": %{ if var.strict }true%{ else }false%{ endif }}
  EOT
  other = "%{ for z in var.unknown }${z}%{ endfor }"
}
"#,
            )],
            "",
        );
        let p = one(&o, "aws_iam_role_policy.p");
        let Val::String(policy) = p.values.at("policy")[0] else {
            panic!("{:?}", p.values.at("policy"))
        };
        let json: serde_json::Value = serde_json::from_str(policy).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Resource": ["arn:aws:s3:::b/raw-zone/*", "arn:aws:s3:::b/processed-zone/*"], "Strict": true})
        );
        assert_eq!(p.values.at("other"), [&Val::Unknown]);
    }

    #[test]
    fn operators_take_their_precedence() {
        let o = eval(
            &[(
                "m.tf",
                "resource \"aws_x\" \"y\" {\n  a = 1 + 2 * 3\n  b = 2 * 3 + 1\n  c = 10 - 2 - 3\n  d = 1 + 1 == 2 && !false\n  e = (1 + 2) * 3\n}\n",
            )],
            "",
        );
        let v = &o.resources[0].values;
        assert_eq!(v.at("a"), [&Val::Number(7.into())]);
        assert_eq!(v.at("b"), [&Val::Number(7.into())]);
        assert_eq!(v.at("c"), [&Val::Number(5.into())]);
        assert_eq!(v.at("d"), [&Val::Bool(true)]);
        assert_eq!(v.at("e"), [&Val::Number(9.into())]);
    }
}
