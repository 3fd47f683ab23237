//! GitHub Actions: `.github/workflows/stackgen-class.yml` and the reusable
//! `stackgen-batch.yml`.
//!
//! The class workflow is started by hand (`workflow_dispatch`: `action`,
//! `students`). Its `list` job reads the manifest (`.stackgen/ci.py
//! github`) into batches of at most 256 stacks (a matrix's limit); its
//! `batch` job runs the batch workflow once per batch, one batch at a time
//! (`max-parallel: 1`), so the batch workflow's `max-parallel` is the cap
//! for the whole class. Each batch is a matrix with one job per student,
//! `fail-fast: false` (one student's failure stops nobody else) and a
//! `concurrency` group per student (two runs of one student never overlap).
//!
//! Third-party actions are pinned by commit SHA (`PINS`); every expression
//! reaches a script through `env:`, never inside `run:`.

use super::yaml::{map, s, seq, strs, Y};
use crate::validate::ci::Pipeline;

pub const PATH: &str = ".github/workflows/stackgen-class.yml";
pub const BATCH_PATH: &str = ".github/workflows/stackgen-batch.yml";
/// The repository secret holding the role's ARN when the class file gives
/// no `ci.role_arn` (a secret, not a variable: the linters in the suite
/// know no `vars` context).
pub const ROLE_SECRET: &str = "STACKGEN_ROLE_ARN";

/// A third-party action, pinned: the tag it was at, the commit, and where
/// that commit was read. Re-pin by reading the tag's commit again.
pub struct Pin {
    pub action: &'static str,
    pub tag: &'static str,
    pub sha: &'static str,
    pub read_from: &'static str,
}

pub const CHECKOUT: Pin = Pin {
    action: "actions/checkout",
    tag: "v7.0.1",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    read_from: "`git rev-parse v7.0.1^{commit}` in a clone of github.com/actions/checkout, 2026-12-06 (commit dated 2026-07-17)",
};
pub const AWS_CREDENTIALS: Pin = Pin {
    action: "aws-actions/configure-aws-credentials",
    tag: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    read_from: "`git rev-parse v6.2.3^{commit}` in a clone of github.com/aws-actions/configure-aws-credentials, 2026-12-06 (commit dated 2026-07-22)",
};
pub const SETUP_TERRAFORM: Pin = Pin {
    action: "hashicorp/setup-terraform",
    tag: "v4.0.1",
    sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
    read_from: "`git rev-parse v4.0.1^{commit}` in a clone of github.com/hashicorp/setup-terraform, 2026-12-06 (commit dated 2026-05-12)",
};
/// Every pinned action, as the book's table lists them.
pub const PINS: &[&Pin] = &[&CHECKOUT, &AWS_CREDENTIALS, &SETUP_TERRAFORM];

impl Pin {
    fn uses(&self) -> Y {
        Y::Commented(
            Box::new(s(format!("{}@{}", self.action, self.sha))),
            self.tag,
        )
    }
}

fn checkout() -> Y {
    map(vec![
        ("name", s(format!("checkout ({})", CHECKOUT.tag))),
        ("uses", CHECKOUT.uses()),
        // The job needs no git credentials after checkout.
        ("with", map(vec![("persist-credentials", Y::Bool(false))])),
    ])
}

fn common(name: &str) -> Vec<(&'static str, Y)> {
    vec![
        ("name", s(name)),
        ("permissions", map(vec![("contents", s("read"))])),
        (
            "defaults",
            map(vec![("run", map(vec![("shell", s("bash"))]))]),
        ),
    ]
}

/// The two workflow files, with their paths.
pub fn render(pipeline: &Pipeline, header: &str) -> Vec<(&'static str, String)> {
    vec![
        (PATH, format!("{header}{}", class(pipeline).document())),
        (
            BATCH_PATH,
            format!("{header}{}", batch(pipeline).document()),
        ),
    ]
}

fn class(pipeline: &Pipeline) -> Y {
    let mut doc = common("stackgen class");
    doc.insert(1, ("on", dispatch()));
    doc.push((
        "jobs",
        map(vec![("list", list_job()), ("batch", batch_job(pipeline))]),
    ));
    Y::Map(doc)
}

/// `on: workflow_dispatch` with the two inputs.
fn dispatch() -> Y {
    map(vec![(
        "workflow_dispatch",
        map(vec![(
            "inputs",
            map(vec![
                (
                    "action",
                    map(vec![
                        (
                            "description",
                            s("plan, apply or destroy the chosen students' stacks"),
                        ),
                        ("required", Y::Bool(true)),
                        ("type", s("choice")),
                        ("options", strs(&["plan", "apply", "destroy"])),
                        ("default", s("plan")),
                    ]),
                ),
                (
                    "students",
                    map(vec![
                        (
                            "description",
                            s("index numbers, comma-separated; empty: the whole class"),
                        ),
                        ("required", Y::Bool(false)),
                        ("type", s("string")),
                        ("default", s("")),
                    ]),
                ),
            ]),
        )]),
    )])
}

fn list_job() -> Y {
    map(vec![
        ("name", s("list the students")),
        ("runs-on", s("ubuntu-latest")),
        (
            "outputs",
            map(vec![("batches", s("${{ steps.list.outputs.batches }}"))]),
        ),
        (
            "steps",
            seq(vec![
                checkout(),
                map(vec![
                    ("name", s("list the chosen students from the manifest")),
                    ("id", s("list")),
                    ("env", map(vec![("STUDENTS", s("${{ inputs.students }}"))])),
                    ("run", s(format!("python3 {}", super::HELPER) + " github")),
                ]),
            ]),
        ),
    ])
}

/// The batches, one after another, each through the batch workflow.
fn batch_job(pipeline: &Pipeline) -> Y {
    let mut batches = vec![
        ("name", s("batch ${{ matrix.batch.batch }}")),
        ("needs", strs(&["list"])),
        // An empty matrix is an error on GitHub: no job when nobody is chosen.
        ("if", s("needs.list.outputs.batches != '[]'")),
        (
            "permissions",
            map(vec![("contents", s("read")), ("id-token", s("write"))]),
        ),
        (
            "strategy",
            map(vec![
                ("fail-fast", Y::Bool(false)),
                // One batch at a time: the batch's max-parallel is the class's.
                ("max-parallel", Y::Int(1)),
                (
                    "matrix",
                    map(vec![(
                        "batch",
                        s("${{ fromJSON(needs.list.outputs.batches) }}"),
                    )]),
                ),
            ]),
        ),
        // zizmor suggests `$/...`, which act and actionlint do not accept.
        (
            "uses",
            Y::Commented(
                Box::new(s(format!("./{BATCH_PATH}"))),
                "zizmor: ignore[self-repository]",
            ),
        ),
        (
            "with",
            map(vec![
                ("action", s("${{ inputs.action }}")),
                ("stacks", s("${{ toJSON(matrix.batch.stacks) }}")),
            ]),
        ),
    ];
    if pipeline.role_arn.is_none() {
        // Passed by name, not `secrets: inherit`: the batch gets this one.
        batches.push((
            "secrets",
            map(vec![(
                ROLE_SECRET,
                s(format!("${{{{ secrets.{ROLE_SECRET} }}}}")),
            )]),
        ));
    }
    Y::Map(batches)
}

fn batch(pipeline: &Pipeline) -> Y {
    let mut call = vec![(
        "inputs",
        map(vec![
            (
                "action",
                map(vec![
                    ("description", s("plan, apply or destroy")),
                    ("required", Y::Bool(true)),
                    ("type", s("string")),
                ]),
            ),
            (
                "stacks",
                map(vec![
                    (
                        "description",
                        s("the batch's stacks, as JSON (from .stackgen/ci.py)"),
                    ),
                    ("required", Y::Bool(true)),
                    ("type", s("string")),
                ]),
            ),
        ]),
    )];
    if pipeline.role_arn.is_none() {
        call.push((
            "secrets",
            map(vec![(
                ROLE_SECRET,
                map(vec![
                    (
                        "description",
                        s("the IAM role the jobs assume through OIDC"),
                    ),
                    ("required", Y::Bool(true)),
                ]),
            )]),
        ));
    }
    let mut doc = common("stackgen batch");
    doc.insert(1, ("on", map(vec![("workflow_call", Y::Map(call))])));
    doc.push(("jobs", map(vec![("stack", stack_job(pipeline))])));
    Y::Map(doc)
}

/// One job per student of the batch.
fn stack_job(pipeline: &Pipeline) -> Y {
    let role = match &pipeline.role_arn {
        Some(arn) => s(arn.clone()),
        None => s(format!("${{{{ secrets.{ROLE_SECRET} }}}}")),
    };
    map(vec![
        ("name", s("${{ matrix.stack.dir }}")),
        ("runs-on", s("ubuntu-latest")),
        (
            "permissions",
            // id-token: the OIDC token configure-aws-credentials exchanges for the role.
            map(vec![("contents", s("read")), ("id-token", s("write"))]),
        ),
        (
            "strategy",
            map(vec![
                ("fail-fast", Y::Bool(false)),
                ("max-parallel", Y::Int(u64::from(pipeline.max_parallel))),
                (
                    "matrix",
                    map(vec![("stack", s("${{ fromJSON(inputs.stacks) }}"))]),
                ),
            ]),
        ),
        (
            "concurrency",
            map(vec![
                ("group", s("stackgen-${{ matrix.stack.dir }}")),
                ("cancel-in-progress", Y::Bool(false)),
            ]),
        ),
        (
            "env",
            map(vec![
                ("ACTION", s("${{ inputs.action }}")),
                ("STACK_DIR", s("${{ matrix.stack.dir }}")),
            ]),
        ),
        (
            "steps",
            seq(vec![
                checkout(),
                map(vec![
                    (
                        "name",
                        s(format!(
                            "AWS credentials through OIDC ({})",
                            AWS_CREDENTIALS.tag
                        )),
                    ),
                    ("uses", AWS_CREDENTIALS.uses()),
                    (
                        "with",
                        map(vec![
                            ("role-to-assume", role),
                            ("role-session-name", s("stackgen-${{ matrix.stack.dir }}")),
                            ("aws-region", s("${{ matrix.stack.region }}")),
                        ]),
                    ),
                ]),
                map(vec![
                    ("name", s(format!("Terraform ({})", SETUP_TERRAFORM.tag))),
                    ("uses", SETUP_TERRAFORM.uses()),
                    (
                        "with",
                        map(vec![
                            ("terraform_version", s("${{ matrix.stack.terraform }}")),
                            ("terraform_wrapper", Y::Bool(false)),
                        ]),
                    ),
                ]),
                map(vec![
                    ("name", s("terraform ${{ inputs.action }}")),
                    ("run", s(format!("sh {}", super::JOB))),
                ]),
            ]),
        ),
    ])
}
