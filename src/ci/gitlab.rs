//! GitLab CI: `.gitlab-ci.yml`.
//!
//! A `generate` job runs `.stackgen/ci.py gitlab`, which writes one child
//! pipeline per 500 students of the class (GitLab's job limit per pipeline
//! on the free tier), with `ACTION` written in (pipeline variables do not
//! reach child pipelines). One trigger job per child, each in its own
//! stage so the children run one after another, with `strategy: depend`
//! (the trigger fails when its child does) and, for `destroy`,
//! `when: manual`. GitLab has no pipeline-wide cap on parallel jobs: each
//! student's job is in the resource group `stackgen-slot-<i mod
//! max_parallel>`, so at most `max_parallel` run at once, and two runs of
//! one student (always in the same slot) never overlap.

use std::fmt::Write as _;

use super::yaml::{map, s, seq, strs, Y};
use crate::validate::ci::Pipeline;

pub const PATH: &str = ".gitlab-ci.yml";
/// Jobs per child pipeline (GitLab's free tier: 500 per pipeline).
pub const CHILD_JOBS: usize = 500;

/// How many child pipelines a class of `students` needs.
pub fn children(students: usize) -> usize {
    students.div_ceil(CHILD_JOBS).max(1)
}

fn variables(pipeline: &Pipeline) -> Y {
    let mut variables = vec![
        (
            "ACTION",
            map(vec![
                ("value", s("plan")),
                ("options", strs(&["plan", "apply", "destroy"])),
                (
                    "description",
                    s("plan, apply or destroy the chosen students' stacks"),
                ),
            ]),
        ),
        (
            "STUDENTS",
            map(vec![
                ("value", s("")),
                (
                    "description",
                    s("index numbers, comma-separated; empty: the whole class"),
                ),
            ]),
        ),
    ];
    if let Some(arn) = &pipeline.role_arn {
        variables.push(("STACKGEN_ROLE_ARN", s(arn.clone())));
    }
    Y::Map(variables)
}

pub fn render(pipeline: &Pipeline, students: usize, header: &str) -> String {
    let n = children(students);
    let mut stages = vec![s("generate")];
    stages.extend((1..=n).map(|k| s(format!("batch-{k}"))));
    let artifacts: Vec<Y> = (1..=n).map(|k| s(child(k))).collect();
    let mut doc = vec![
        ("stages", seq(stages)),
        ("variables", variables(pipeline)),
        (
            // Runs only when started by hand, by the API or a trigger: a push
            // to the class's repository deploys nothing.
            "workflow",
            map(vec![(
                "rules",
                seq(vec![map(vec![(
                    "if",
                    s("$CI_PIPELINE_SOURCE == \"web\" || $CI_PIPELINE_SOURCE == \"api\" || $CI_PIPELINE_SOURCE == \"trigger\""),
                )])]),
            )]),
        ),
        (
            "generate",
            map(vec![
                ("stage", s("generate")),
                ("image", s("python:3.12-alpine")),
                (
                    "script",
                    seq(vec![s(format!(
                        "python3 {} gitlab {} {n}",
                        super::HELPER,
                        pipeline.max_parallel
                    ))]),
                ),
                ("artifacts", map(vec![("paths", seq(artifacts))])),
            ]),
        ),
    ];
    let jobs: Vec<(String, Y)> = (1..=n)
        .map(|k| (format!("batch-{k}"), trigger(k)))
        .collect();
    let mut out = format!("{header}{}", Y::Map(std::mem::take(&mut doc)).document());
    // Job names are not `&'static str`: one trigger per child, named by
    // number, written as their own mappings.
    for (name, job) in jobs {
        let _ = writeln!(out, "{name}:");
        let body = job.document();
        for line in body.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The trigger job of child pipeline `k`, in its own stage.
fn trigger(k: usize) -> Y {
    map(vec![
        ("stage", s(format!("batch-{k}"))),
        // The child gets ACTION from the generate job, not the parent's
        // default.
        ("inherit", map(vec![("variables", Y::Bool(false))])),
        (
            "trigger",
            map(vec![
                (
                    "include",
                    seq(vec![map(vec![
                        ("artifact", s(child(k))),
                        ("job", s("generate")),
                    ])]),
                ),
                ("strategy", s("depend")),
            ]),
        ),
        (
            "rules",
            seq(vec![
                map(vec![
                    ("if", s("$ACTION == \"destroy\"")),
                    ("when", s("manual")),
                ]),
                map(vec![("when", s("on_success"))]),
            ]),
        ),
    ])
}

/// The file the generate job writes for child pipeline `k`.
pub fn child(k: usize) -> String {
    format!("stackgen-child-{k}.yml")
}
