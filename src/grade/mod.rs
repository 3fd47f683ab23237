//! `stackgen grade`: one student's work, exercise by exercise, against the
//! stack stackgen renders for that student and edition.
//!
//! Three inputs, all in one model (`observed::Observed`):
//! - the **expected** stack: the parts of `Stack::new` (through the
//!   checkpoint asked for), their rendered Terraform read back by
//!   `expected::evaluate`;
//! - what a **source** saw (`source::state`, `source::plan`);
//! - the **grading table** (`stack::grading`): per kind of part, which
//!   members and settings are graded, and where.
//!
//! Then: `matching` finds each part's resources among the observed ones (by
//! type and name first, then by the connections the rendered stack makes);
//! each check compares what the rendered stack says with what the matched
//! resource has; a role's permissions are decided by `policy` against the
//! part's least-privilege needs; `report` counts points and prints.
//!
//! The checks never know the source: part 2 (`--code`) and issue 20
//! (`--live`) add sources, not checks.

pub mod class;
pub mod expected;
pub mod flow;
pub mod formats;
pub mod grader_policy;
pub mod managed;
mod matching;
pub mod observed;
pub mod policy;
pub mod report;
pub mod source;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::edition::{part_key, Edition, MadeIn};
use crate::base::part::PartId;
use crate::stack::grading::{self, At, Compare, Graded, Setting};
use crate::stack::part::Part;
use crate::stack::Stack;
use matching::{Conn, Matched, Slot};
use observed::{Blind, Mode, Observed, Resource, Val};
use report::{Advice, Check, NotGraded, Report, Status};
use source::Source;

/// The resource types a grade reads: what a source needs to parse.
pub fn wanted(kind: &str) -> bool {
    crate::stack::parts::resource_types()
        .chain(grading::companion_types())
        .any(|k| k == kind)
}

/// Grades what `observed` holds against `stack` (whose rendered Terraform
/// `expected` is), as read from `source`.
pub fn grade(stack: &Stack, expected: &Observed, observed: &Observed, source: Source) -> Report {
    let edition = stack.spec.edition();
    let through = stack
        .spec
        .through
        .unwrap_or_else(|| edition.last_exercise());
    let mut not_graded = Vec::new();
    let mut graded_parts: Vec<&Part> = Vec::new();
    for part in &stack.parts {
        match edition.entry(part.id) {
            // AWS no longer runs SQL applications: there is nothing to see.
            _ if source == Source::Live && part.id == PartId::SqlAnalytics => {
                not_graded.push(NotGraded {
                    part: part_key(part.id),
                    why: SQL_GONE.to_owned(),
                });
            }
            // The account shows what was made in the console too.
            _ if source == Source::Live => graded_parts.push(part),
            Some(entry) if entry.made_in == MadeIn::Console => not_graded.push(NotGraded {
                part: part_key(part.id),
                why: format!(
                    "the {} edition has it made in the AWS console in exercise {}: {} holds no trace of it",
                    edition.name,
                    entry.exercise,
                    source.holder()
                ),
            }),
            _ => graded_parts.push(part),
        }
    }
    not_graded.extend(blind(&graded_parts, expected, &observed.blind));
    let slots: Vec<Slot> = slots(&graded_parts, expected)
        .into_iter()
        .filter(|s| blind_at(&observed.blind, &s.rendered.kind, "*").is_none())
        .collect();
    let matched = matching::run(&slots, observed);
    let grader = Grader {
        stack,
        expected,
        slots: &slots,
        matched: &matched,
        observed,
        renames: renames(&slots, &matched, observed),
    };
    let mut checks: BTreeMap<u8, Vec<Check>> = (1..=through).map(|e| (e, Vec::new())).collect();
    let mut used_roles = Vec::new();
    for part in &graded_parts {
        let exercise = edition.exercise(part.id).unwrap_or(1);
        let mut found = grader.part(part, &mut used_roles);
        refused(part, &mut found, &observed.refused);
        checks.entry(exercise).or_default().extend(found);
    }
    if let Some(flow) = &observed.flow {
        for (part, check) in flow::checks(stack, flow) {
            let exercise = edition.exercise(part).unwrap_or(1);
            if exercise <= through {
                checks.entry(exercise).or_default().push(check);
            }
        }
    }
    if !observed.opaque.is_empty() {
        unseen(&mut checks, &observed.opaque);
    }
    let advice = advice(stack, observed, &used_roles);
    Report::new(
        stack,
        source,
        through,
        checks,
        not_graded,
        advice,
        &edition.grading,
    )
}

/// Why `grade --live` has no SQL application to grade.
const SQL_GONE: &str = "AWS deleted Kinesis Data Analytics for SQL applications from 2026-01-27: no account holds one to read";

/// The blind spot of a source for `path` of resources of type `kind`.
fn blind_at<'b>(blind: &'b [Blind], kind: &str, path: &str) -> Option<&'b Blind> {
    blind.iter().find(|b| b.kind == kind && b.path == path)
}

/// The blind spot of a source for `setting` of a resource of type `kind`:
/// at one of the attributes the setting is read at.
fn blind_setting<'b>(blind: &'b [Blind], kind: &str, setting: &Setting) -> Option<&'b Blind> {
    setting.at.iter().find_map(|at| match at {
        At::Attr(path) => blind_at(blind, kind, path),
        At::Beside { .. } => None,
    })
}

/// What the source cannot see of the graded parts, as `not_graded`: a
/// whole member (`<part>.<member>`) or one setting (`<part>.<setting>`).
fn blind(parts: &[&Part], expected: &Observed, blind: &[Blind]) -> Vec<NotGraded> {
    let mut out = Vec::new();
    if blind.is_empty() {
        return out;
    }
    for part in parts {
        let key = part_key(part.id);
        let g = grading::graded(part.id);
        let kind_of = |member: &str| -> Option<String> {
            let m = g.members.iter().find(|m| m.key == member)?;
            let address = part.addresses.get(m.address)?.to_string();
            expected
                .resources
                .iter()
                .find(|r| r.address == address)
                .map(|r| r.kind.clone())
        };
        for m in g.members {
            if let Some(b) = kind_of(m.key).and_then(|k| blind_at(blind, &k, "*")) {
                out.push(NotGraded {
                    part: if m.key.is_empty() {
                        key.clone()
                    } else {
                        format!("{key}.{}", m.key)
                    },
                    why: b.why.to_owned(),
                });
            }
        }
        for setting in g.settings {
            let Some(kind) = kind_of(setting.member) else {
                continue;
            };
            if let Some(b) = blind_setting(blind, &kind, setting) {
                out.push(NotGraded {
                    part: format!("{key}.{}", setting.key),
                    why: b.why.to_owned(),
                });
            }
        }
    }
    out
}

/// A part some of whose resources the source was refused (or could not
/// read): its checks that do not pass are `unknown`, never failed.
fn refused(part: &Part, checks: &mut [Check], refused: &[(String, String)]) {
    let why: Vec<&str> = refused
        .iter()
        .filter(|(name, _)| part.names.values().any(|n| n.value == *name))
        .map(|(_, why)| why.as_str())
        .collect();
    if why.is_empty() {
        return;
    }
    for c in checks.iter_mut().filter(|c| c.status != Status::Pass) {
        c.status = Status::Unknown;
        c.message = format!(
            "access denied or unreadable: {} (so: {})",
            why.join("; "),
            c.message
        );
        c.fix = String::new();
    }
}

/// With modules the source could not look into, a resource not found may
/// be made there: its checks are unknown, not missing.
fn unseen(checks: &mut BTreeMap<u8, Vec<Check>>, opaque: &[String]) {
    for c in checks.values_mut().flatten() {
        if c.status == Status::Missing {
            c.status = Status::Unknown;
            c.message = format!(
                "{}; it may be made by {}, which stackgen does not read",
                c.message,
                opaque.join(", ")
            );
            c.fix = String::new();
        }
    }
}

/// Every member of every graded part, with its rendered resource.
fn slots<'a>(parts: &[&'a Part], expected: &'a Observed) -> Vec<Slot<'a>> {
    let mut out = Vec::new();
    for part in parts {
        for member in grading::graded(part.id).members {
            let Some(address) = part.addresses.get(member.address) else {
                continue;
            };
            let address = address.to_string();
            let Some(rendered) = expected.resources.iter().find(|r| r.address == address) else {
                continue;
            };
            let name = member
                .name
                .and_then(|(attr, key)| part.names.get(key).map(|n| (attr, n.value.clone())));
            let purpose = member
                .name
                .and_then(|(_, key)| part.names.get(key))
                .map_or(part.title, |n| n.purpose);
            out.push(Slot {
                part: part.id,
                member,
                rendered,
                name,
                purpose,
            });
        }
    }
    out
}

/// Expected name -> found name, for matched resources named otherwise: a
/// setting or a permission that embeds a part's name (the crawler's path,
/// a policy's ARN) is expected with the name the student's resource has.
fn renames(slots: &[Slot], matched: &Matched, observed: &Observed) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let (Some((attr, expected)), Some(o)) = (&slot.name, matched.get(i)) else {
            continue;
        };
        if let [Val::String(found)] = observed.resources[o].values.at(attr).as_slice() {
            if found != expected && !found.is_empty() {
                out.push((expected.clone(), found.clone()));
                // An SSM parameter's ARN holds its name without the
                // leading slash.
                if let (Some(e), Some(f)) = (expected.strip_prefix('/'), found.strip_prefix('/')) {
                    out.push((e.to_owned(), f.to_owned()));
                }
            }
        }
    }
    // Longer names first: one name may contain another.
    out.sort_by_key(|(e, _)| std::cmp::Reverse(e.len()));
    out
}

/// `text` with each renamed name replaced where it stands as a whole name
/// (between `/`, `:`, `.` or the ends).
fn renamed(text: &str, renames: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in renames {
        out = replace_token(&out, from, to);
    }
    out
}

fn replace_token(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(from) {
        let prev = rest[..i].chars().next_back().or(before);
        let next = rest[i + from.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| matches!(c, '/' | ':' | '.' | '"' | '*'));
        out.push_str(&rest[..i]);
        if bounded(prev) && bounded(next) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        before = from.chars().next_back();
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn renamed_val(v: &Val, renames: &[(String, String)]) -> Val {
    if renames.is_empty() {
        return v.clone();
    }
    match v {
        Val::String(s) => Val::String(renamed(s, renames)),
        Val::List(items) => Val::List(items.iter().map(|i| renamed_val(i, renames)).collect()),
        Val::Map(map) => Val::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), renamed_val(v, renames)))
                .collect(),
        ),
        other => other.clone(),
    }
}

struct Grader<'a> {
    stack: &'a Stack,
    expected: &'a Observed,
    slots: &'a [Slot<'a>],
    matched: &'a Matched,
    observed: &'a Observed,
    renames: Vec<(String, String)>,
}

/// What a setting's place holds in one resource.
struct Seen<'a> {
    values: Vec<&'a Val>,
    refs: Vec<&'a str>,
    /// The resource holding it (a `Beside` companion, or the member).
    holder: &'a Resource,
    path: &'a str,
}

impl<'a> Grader<'a> {
    fn slot(&self, part: PartId, member: &str) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.part == part && s.member.key == member)
    }

    fn found(&self, slot: usize) -> Option<&'a Resource> {
        self.matched.get(slot).map(|o| &self.observed.resources[o])
    }

    /// Every check of one part.
    fn part(&self, part: &Part, used_roles: &mut Vec<usize>) -> Vec<Check> {
        let g = grading::graded(part.id);
        let key = part_key(part.id);
        let mut out = Vec::new();
        let Some(main) = self.slot(part.id, "") else {
            return out;
        };
        let main_slot = &self.slots[main];
        let main_found = self.found(main);
        out.push(Self::exists(&key, main_slot, main_found));
        for member in g.members {
            let Some(i) = self.slot(part.id, member.key) else {
                continue;
            };
            if let Some(check) = self.name(&key, &self.slots[i], self.found(i)) {
                out.push(check);
            }
        }
        for setting in g.settings {
            let Some(i) = self.slot(part.id, setting.member) else {
                continue;
            };
            if let Some(check) = self.setting(&key, setting, i) {
                out.push(check);
            }
        }
        if part.role_arn.is_some() && !g.role_at.is_empty() {
            out.extend(self.role(&key, part, g, main, used_roles));
        }
        out
    }

    fn exists(key: &str, slot: &Slot, found: Option<&Resource>) -> Check {
        let what = describe(slot);
        match found {
            Some(r) => Check::new(
                format!("{key}.exists"),
                Status::Pass,
                Value::String(slot.rendered.kind.clone()),
                Value::String(r.address.clone()),
                format!("{what} is `{}`", r.address),
                String::new(),
            ),
            None => Check::new(
                format!("{key}.exists"),
                Status::Missing,
                Value::String(slot.rendered.kind.clone()),
                Value::Null,
                format!("no `{}` for {what}", slot.rendered.kind),
                format!(
                    "declare it (stackgen's stack: `{}` in {})",
                    slot.rendered.address,
                    example_file(&slot.rendered.kind)
                ),
            ),
        }
    }

    fn name(&self, key: &str, slot: &Slot, found: Option<&Resource>) -> Option<Check> {
        let (attr, expected) = slot.name.as_ref()?;
        let id = if slot.member.key.is_empty() {
            format!("{key}.name")
        } else {
            format!("{key}.{}.name", slot.member.key)
        };
        let expected_json = Value::String(expected.clone());
        let Some(r) = found else {
            return Some(missing(id, expected_json, slot));
        };
        let values = r.values.at(attr);
        let check = match values.as_slice() {
            [Val::String(name)] if name == expected => Check::new(
                id,
                Status::Pass,
                expected_json,
                Value::String(name.clone()),
                format!("`{}` is named `{name}`", r.address),
                String::new(),
            ),
            [Val::Unknown] => Check::new(
                id,
                Status::Unknown,
                expected_json,
                Value::Null,
                format!("the name of `{}` is known only after apply", r.address),
                String::new(),
            ),
            found_values => {
                let found = found_values.first().map_or(Value::Null, |v| v.to_json());
                Check::new(
                    id,
                    Status::Fail,
                    expected_json,
                    found.clone(),
                    format!(
                        "`{}` is named {}; the {} edition names it `{expected}`",
                        r.address,
                        shown(&found),
                        self.stack.edition
                    ),
                    format!("set `{attr} = \"{expected}\"` in `{}`", r.address),
                )
            }
        };
        Some(check)
    }

    /// What `at` gives in `resource` (the member's resource or a
    /// companion linked to it).
    fn seen(resource: &'a Resource, at: &'a At, within: &'a Observed) -> Vec<Seen<'a>> {
        match at {
            At::Attr(path) => vec![Seen {
                values: resource.values.at(path),
                refs: resource.references_at(path),
                holder: resource,
                path,
            }],
            At::Beside { kind, link, path } => within
                .resources
                .iter()
                .filter(|c| c.mode == Mode::Managed && c.kind == *kind)
                .filter(|c| matching::connects(c, link, resource) == Conn::Yes)
                .map(|c| Seen {
                    values: c.values.at(path),
                    refs: c.references_at(path),
                    holder: c,
                    path,
                })
                .collect(),
        }
    }

    fn setting(&self, key: &str, setting: &'static Setting, slot: usize) -> Option<Check> {
        let id = format!("{key}.{}", setting.key);
        let s = &self.slots[slot];
        if blind_setting(&self.observed.blind, &s.rendered.kind, setting).is_some() {
            return None;
        }
        // The expected value: the first place the rendered stack has it.
        // `Beside` companions of the rendered stack are looked up in the
        // rendered stack itself.
        let expected_stack = self.expected_stack();
        let expected = setting.at.iter().find_map(|at| {
            Self::seen(s.rendered, at, expected_stack)
                .into_iter()
                .find(|seen| !seen.values.is_empty() || !seen.refs.is_empty())
        })?;
        // A reference in the rendered stack: a connection to that member.
        if let Some(target) = expected.refs.iter().find_map(|r| {
            self.slots
                .iter()
                .position(|t| t.rendered.is_referenced_by(r))
        }) {
            return Some(self.connection(id, s, slot, setting, target, expected.refs[0]));
        }
        let want = renamed_val(expected.values.first()?, &self.renames);
        if want.has_unknown() {
            return None;
        }
        let want_json = want.to_json();
        let Some(r) = self.found(slot) else {
            return Some(missing(id, want_json, s));
        };
        let seen = setting.at.iter().find_map(|at| {
            Self::seen(r, at, self.observed)
                .into_iter()
                .find(|seen| !seen.values.is_empty() || !seen.refs.is_empty())
        });
        let place = |seen: Option<&Seen>| match seen {
            Some(seen) => format!("`{}` of `{}`", seen.path, seen.holder.address),
            None => format!("`{}` of `{}`", first_path(setting.at[0]), r.address),
        };
        let values: Vec<&Val> = seen.as_ref().map(|s| s.values.clone()).unwrap_or_default();
        let found_json = match values.as_slice() {
            [] => Value::Null,
            [one] => one.to_json(),
            many => Value::Array(many.iter().map(|v| v.to_json()).collect()),
        };
        let passes = values.iter().any(|v| compare(setting.compare, &want, v));
        let status = if passes {
            Status::Pass
        } else if values.iter().any(|v| v.has_unknown()) {
            Status::Unknown
        } else {
            Status::Fail
        };
        let where_ = place(seen.as_ref());
        let (message, fix) = match status {
            Status::Pass => (format!("{where_} is {}", shown(&found_json)), String::new()),
            Status::Unknown => (format!("{where_} is known only after apply"), String::new()),
            _ => (
                format!(
                    "{where_} is {}; expected {}",
                    shown(&found_json),
                    shown(&want_json)
                ),
                fix_for(setting, &want_json, &where_),
            ),
        };
        Some(Check::new(id, status, want_json, found_json, message, fix))
    }

    /// The rendered stack as a whole (for `Beside` companions).
    fn expected_stack(&self) -> &'a Observed {
        self.expected
    }

    fn connection(
        &self,
        id: String,
        s: &Slot,
        slot: usize,
        setting: &'static Setting,
        target: usize,
        rendered_ref: &str,
    ) -> Check {
        let target_slot = &self.slots[target];
        let what = describe(target_slot);
        let path = first_path(setting.at[0]);
        let expected = Value::String(rendered_ref.to_owned());
        let Some(r) = self.found(slot) else {
            return missing(id, expected, s);
        };
        let place = format!("`{path}` of `{}`", r.address);
        let values = r.values.at(path);
        let refs = r.references_at(path);
        let found_json = if refs.is_empty() {
            match values.as_slice() {
                [] => Value::Null,
                [one] => one.to_json(),
                many => Value::Array(many.iter().map(|v| v.to_json()).collect()),
            }
        } else {
            Value::Array(
                refs.iter()
                    .map(|r| Value::String((*r).to_owned()))
                    .collect(),
            )
        };
        let Some(t) = self.found(target) else {
            if !self.observed.opaque.is_empty() {
                return Check::new(
                    id,
                    Status::Unknown,
                    expected,
                    found_json,
                    format!(
                        "{place} cannot be checked: {what} is not seen, and may be made by {}",
                        self.observed.opaque.join(", ")
                    ),
                    String::new(),
                );
            }
            return Check::new(
                id,
                Status::Fail,
                expected,
                found_json,
                format!("{place} cannot refer to {what}: there is none"),
                format!("declare {what}, then refer to it here"),
            );
        };
        let attribute = rendered_ref.rsplit('.').next().unwrap_or("arn");
        match matching::connects(r, path, t) {
            Conn::Yes => Check::new(
                id,
                Status::Pass,
                expected,
                found_json,
                format!("{place} refers to {what} (`{}`)", t.address),
                String::new(),
            ),
            Conn::Unknown => Check::new(
                id,
                Status::Unknown,
                expected,
                found_json,
                format!("{place} is known only after apply"),
                String::new(),
            ),
            Conn::No => Check::new(
                id,
                Status::Fail,
                expected,
                found_json.clone(),
                format!(
                    "{place} is {}, not {what} (`{}`)",
                    shown(&found_json),
                    t.address
                ),
                format!("set it to `{}.{attribute}`", t.block_address()),
            ),
        }
    }

    /// `role`, `iam.<need>` and `iam.managed` of a part whose service
    /// assumes a role.
    fn role(
        &self,
        key: &str,
        part: &Part,
        graded: &Graded,
        main: usize,
        used_roles: &mut Vec<usize>,
    ) -> Vec<Check> {
        let slot = &self.slots[main];
        let placed =
            |r: &Resource, p: &&str| !r.values.at(p).is_empty() || !r.references_at(p).is_empty();
        let Some(rendered_path) = graded.role_at.iter().find(|p| placed(slot.rendered, p)) else {
            return Vec::new();
        };
        let expected_name = match &part.role {
            Some(role) => role.name.clone(),
            None => self
                .stack
                .spec
                .iam
                .existing_role
                .clone()
                .unwrap_or_default(),
        };
        let needs = part
            .role
            .as_ref()
            .map(|r| needs(&r.needs))
            .unwrap_or_default();
        let managed: Vec<String> = part
            .role
            .as_ref()
            .map(|r| r.managed.iter().map(|(_, arn)| arn.clone()).collect())
            .unwrap_or_default();
        let Some(resource) = self.found(main) else {
            let mut out = vec![missing(
                format!("{key}.role"),
                Value::String(expected_name),
                slot,
            )];
            for (need, requests) in &needs {
                out.push(missing(
                    format!("{key}.iam.{need}"),
                    requests_json(requests),
                    slot,
                ));
            }
            if !managed.is_empty() {
                out.push(missing(
                    format!("{key}.iam.managed"),
                    json_strings(&managed),
                    slot,
                ));
            }
            return out;
        };
        let path = graded
            .role_at
            .iter()
            .find(|p| placed(resource, p))
            .unwrap_or(rendered_path);
        let place = format!("`{path}` of `{}`", resource.address);
        // The role resource (or the Learner Lab's lookup) it names.
        let role = self
            .observed
            .resources
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == "aws_iam_role")
            .find(|(_, o)| matching::connects(resource, path, o) == Conn::Yes);
        if let Some((i, o)) = role {
            if o.mode == Mode::Managed {
                used_roles.push(i);
            }
        }
        let mut out = vec![self.role_check(
            key,
            part,
            resource,
            path,
            role.map(|(_, o)| o),
            &expected_name,
        )];
        if part.role.is_none() {
            return out;
        }
        let role = role.map(|(_, o)| o).filter(|o| o.mode == Mode::Managed);
        let permissions = role.map(|o| permissions(self.observed, o));
        for (need, requests) in &needs {
            out.push(self.need(key, need, requests, role, permissions.as_ref(), &place));
        }
        if !managed.is_empty() {
            out.push(managed_check(
                key,
                &managed,
                role,
                permissions.as_ref(),
                &place,
            ));
        }
        out
    }

    /// `<part>.role`: the role the part's service uses is the one the
    /// edition names (or the Learner Lab's).
    fn role_check(
        &self,
        key: &str,
        part: &Part,
        resource: &Resource,
        path: &str,
        role: Option<&Resource>,
        expected_name: &str,
    ) -> Check {
        let place = format!("`{path}` of `{}`", resource.address);
        let value = resource.values.at(path);
        let named = |name: &str| {
            if name == expected_name {
                Status::Pass
            } else {
                Status::Fail
            }
        };
        let (status, found, message) = match (role, value.as_slice()) {
            (Some(o), _) => match o.values.at("name").as_slice() {
                [Val::String(name)] => (
                    named(name),
                    Value::String(name.clone()),
                    format!("{place} is the role `{name}` (`{}`)", o.address),
                ),
                _ => (
                    Status::Unknown,
                    Value::Null,
                    format!("the name of `{}` is known only after apply", o.address),
                ),
            },
            (None, [Val::String(arn)]) => {
                let name = arn.rsplit('/').next().unwrap_or_default().to_owned();
                (
                    named(&name),
                    Value::String(name.clone()),
                    format!(
                        "{place} is the role `{name}` ({}), which the source does not show",
                        quote(arn)
                    ),
                )
            }
            (None, values) if values.iter().any(|v| v.has_unknown()) => (
                Status::Unknown,
                Value::Null,
                format!("{place} is known only after apply"),
            ),
            (None, _) => (Status::Fail, Value::Null, format!("{place} names no role")),
        };
        let fix = match (status, &part.role) {
            (Status::Fail, Some(own)) => format!(
                "give `{}` the role `{expected_name}` the {} edition names (stackgen's stack: `{}`)",
                resource.address, self.stack.edition, own.address
            ),
            (Status::Fail, None) => format!(
                "use the Learner Lab's role: `data.aws_iam_role.lab.arn`, looked up with `name = \"{expected_name}\"`"
            ),
            _ => String::new(),
        };
        Check::new(
            format!("{key}.role"),
            status,
            Value::String(expected_name.to_owned()),
            found,
            message,
            fix,
        )
    }

    /// `<part>.iam.<need>`: the role may do every request of one need of
    /// the part's least-privilege policy, on the student's resources.
    fn need(
        &self,
        key: &str,
        need: &str,
        requests: &[(String, String)],
        role: Option<&Resource>,
        permissions: Option<&Permissions>,
        place: &str,
    ) -> Check {
        let id = format!("{key}.iam.{need}");
        let requests: Vec<(String, String)> = requests
            .iter()
            .map(|(a, r)| (a.clone(), renamed(r, &self.renames)))
            .collect();
        let expected = requests_json(&requests);
        let (Some(role), Some(p)) = (role, permissions) else {
            return Check::new(
                id,
                Status::Unknown,
                expected,
                Value::Null,
                format!("{place} is not a role the source shows: its permissions are unknown"),
                String::new(),
            );
        };
        let role_name = role
            .values
            .at("name")
            .first()
            .and_then(|v| v.as_str())
            .unwrap_or(&role.address)
            .to_owned();
        let decided = Decided::of(&p.policies, &requests);
        let found = requests_json(&decided.granted);
        if decided.refused.is_empty() {
            let mut message = format!(
                "role `{role_name}` may do all {} request{}",
                requests.len(),
                if requests.len() == 1 { "" } else { "s" }
            );
            if !decided.assumed.is_empty() {
                let _ = write!(
                    message,
                    " (conditions not evaluated: {})",
                    decided
                        .assumed
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            return Check::new(id, Status::Pass, expected, found, message, String::new());
        }
        let unseen: Vec<&str> = p
            .unknown
            .iter()
            .chain(&p.unreadable)
            .map(String::as_str)
            .collect();
        if !unseen.is_empty() && !decided.denied {
            return Check::new(
                id,
                Status::Unknown,
                expected,
                found,
                format!(
                    "role `{role_name}` may not {} by what the source shows; it also has {}",
                    decided.refused.join(", "),
                    unseen.join(", ")
                ),
                String::new(),
            );
        }
        let actions: Vec<String> = requests
            .iter()
            .filter(|r| !decided.granted.contains(r))
            .map(|(a, _)| format!("`{a}`"))
            .collect();
        Check::new(
            id,
            Status::Fail,
            expected,
            found,
            format!("role `{role_name}` may not {}", decided.refused.join(", ")),
            format!(
                "allow {} on the resources listed under `expected` in a policy of role `{role_name}`{}",
                actions.join(", "),
                if decided.denied { ", and remove the Deny" } else { "" }
            ),
        )
    }
}

/// A need's requests, decided.
struct Decided {
    granted: Vec<(String, String)>,
    /// The refused ones, in words.
    refused: Vec<String>,
    /// Whether an explicit Deny refused one.
    denied: bool,
    /// Conditions assumed to hold (or, on a Deny, not to).
    assumed: Vec<String>,
}

impl Decided {
    fn of(policies: &[policy::Policy], requests: &[(String, String)]) -> Self {
        let mut d = Decided {
            granted: Vec::new(),
            refused: Vec::new(),
            denied: false,
            assumed: Vec::new(),
        };
        for (action, resource) in requests {
            match policy::decide(policies, action, resource) {
                policy::Decision::Allowed { conditions } => {
                    d.granted.push((action.clone(), resource.clone()));
                    d.assumed.extend(conditions);
                }
                policy::Decision::Denied { origin } => {
                    d.denied = true;
                    d.refused
                        .push(format!("`{action}` on `{resource}` (denied by {origin})"));
                }
                policy::Decision::NotAllowed => {
                    d.refused.push(format!("`{action}` on `{resource}`"));
                }
            }
        }
        d.assumed.sort();
        d.assumed.dedup();
        d
    }
}

/// `<part>.iam.managed`: the AWS managed policies the role needs are
/// attached.
fn managed_check(
    key: &str,
    managed: &[String],
    role: Option<&Resource>,
    permissions: Option<&Permissions>,
    place: &str,
) -> Check {
    let id = format!("{key}.iam.managed");
    let expected = json_strings(managed);
    let (Some(role), Some(p)) = (role, permissions) else {
        return Check::new(
            id,
            Status::Unknown,
            expected,
            Value::Null,
            format!("{place} is not a role the source shows"),
            String::new(),
        );
    };
    let lacking: Vec<&String> = managed.iter().filter(|a| !p.attached.contains(a)).collect();
    let found = json_strings(&p.attached);
    if lacking.is_empty() {
        Check::new(
            id,
            Status::Pass,
            expected,
            found,
            format!("`{}` has {} attached", role.address, join_code(managed)),
            String::new(),
        )
    } else {
        Check::new(
            id,
            Status::Fail,
            expected,
            found,
            format!(
                "`{}` lacks {}",
                role.address,
                lacking.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ),
            format!(
                "attach it with `aws_iam_role_policy_attachment` (not the exclusive `aws_iam_policy_attachment`): `policy_arn = \"{}\"`",
                lacking[0]
            ),
        )
    }
}

/// A role's policies: what the observed resources show of them, and what
/// they name but do not show.
fn permissions<'a>(observed: &'a Observed, role: &'a Resource) -> Permissions<'a> {
    let mut p = Permissions::default();
    let role_name = role
        .values
        .at("name")
        .first()
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    for o in observed
        .resources
        .iter()
        .filter(|o| o.mode == Mode::Managed)
    {
        match o.kind.as_str() {
            "aws_iam_role_policy" if matching::connects(o, "role", role) == Conn::Yes => {
                p.add_document(
                    &format!("inline policy `{}`", o.address),
                    o.values.at("policy").first().copied(),
                );
            }
            "aws_iam_role_policy_attachment"
                if matching::connects(o, "role", role) == Conn::Yes =>
            {
                p.attachments.push(o);
            }
            "aws_iam_policy_attachment" if matching::connects(o, "roles", role) == Conn::Yes => {
                p.attachments.push(o);
            }
            _ => {}
        }
    }
    for inline in role.values.at("inline_policy.*") {
        if let Some(name) = inline
            .get("name")
            .and_then(Val::as_str)
            .filter(|n| !n.is_empty())
        {
            p.add_document(
                &format!("inline policy `{name}` of role `{role_name}`"),
                inline.get("policy"),
            );
        }
    }
    p.attach(observed, role);
    p
}

impl<'a> Permissions<'a> {
    fn add_document(&mut self, origin: &str, doc: Option<&Val>) {
        match doc {
            Some(Val::String(text)) => match policy::parse(origin, text) {
                Ok(policy) => self.policies.push(policy),
                Err(e) => self.unreadable.push(format!("{origin} ({e})")),
            },
            _ => self
                .unknown
                .push(format!("{origin} (known only after apply)")),
        }
    }

    /// The managed policies attached to the role: customer policies the
    /// source shows, AWS's from `managed`'s table, any other unknown.
    fn attach(&mut self, observed: &'a Observed, role: &Resource) {
        let mut arns: Vec<String> = Vec::new();
        let mut shown: Vec<&Resource> = Vec::new();
        for a in &self.attachments {
            let target = observed
                .resources
                .iter()
                .filter(|o| o.kind == "aws_iam_policy" && o.mode == Mode::Managed)
                .find(|o| matching::connects(a, "policy_arn", o) == Conn::Yes);
            match (target, a.values.at("policy_arn").as_slice()) {
                (Some(o), _) => shown.push(o),
                (None, [Val::String(arn)]) => arns.push(arn.clone()),
                _ => self.unknown.push(format!(
                    "the policy `{}` attaches (known only after apply)",
                    a.address
                )),
            }
        }
        for v in role.values.at("managed_policy_arns.*") {
            if let Val::String(arn) = v {
                arns.push(arn.clone());
            }
        }
        for o in shown {
            if let [Val::String(arn)] = o.values.at("arn").as_slice() {
                arns.retain(|a| a != arn);
                self.attached.push(arn.clone());
            }
            self.add_document(
                &format!("policy `{}`", o.address),
                o.values.at("policy").first().copied(),
            );
        }
        arns.sort();
        arns.dedup();
        for arn in arns {
            // A customer policy the source shows was read above.
            let read = observed.resources.iter().any(|o| {
                o.kind == "aws_iam_policy"
                    && o.values.at("arn").first().and_then(|v| v.as_str()) == Some(&arn)
            });
            if !read {
                match managed::document(&arn) {
                    Some((version, doc)) => {
                        match policy::parse(&format!("`{arn}` ({version})"), doc) {
                            Ok(policy) => self.policies.push(policy),
                            Err(e) => self.unreadable.push(e),
                        }
                    }
                    None => self
                        .unknown
                        .push(format!("`{arn}`, whose document the source does not show")),
                }
            }
            self.attached.push(arn);
        }
        self.attached.sort();
        self.attached.dedup();
    }
}

/// A role's policies as far as the source shows them.
#[derive(Default)]
struct Permissions<'a> {
    policies: Vec<policy::Policy>,
    /// Policies named whose documents the source does not show.
    unknown: Vec<String>,
    /// Documents that do not parse as policies.
    unreadable: Vec<String>,
    attachments: Vec<&'a Resource>,
    /// ARNs of the managed policies attached.
    attached: Vec<String>,
}

/// A least-privilege document's requests, by need, in the document's
/// order: each action on each resource.
fn needs(doc: &crate::stack::iam::Document) -> Vec<(&'static str, Vec<(String, String)>)> {
    let mut out: Vec<(&'static str, Vec<(String, String)>)> = Vec::new();
    for s in &doc.statements {
        let Some(need) = crate::stack::iam::need(&s.sid) else {
            continue;
        };
        let requests: Vec<(String, String)> = s
            .actions
            .iter()
            .flat_map(|a| s.resources.iter().map(move |r| (a.clone(), r.clone())))
            .collect();
        match out.iter_mut().find(|(n, _)| *n == need) {
            Some((_, list)) => list.extend(requests),
            None => out.push((need, requests)),
        }
    }
    out
}

fn requests_json(requests: &[(String, String)]) -> Value {
    Value::Array(
        requests
            .iter()
            .map(|(a, r)| Value::String(format!("{a} {r}")))
            .collect(),
    )
}

fn json_strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

fn join_code(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A check of a resource that is not there: what `<part>.exists` (or the
/// member's) says, not repeated.
fn missing(id: String, expected: Value, slot: &Slot) -> Check {
    let what = if slot.member.key.is_empty() {
        format!("`{}.exists`", part_key(slot.part))
    } else {
        format!("the {} of {}", slot.member.key, part_key(slot.part))
    };
    Check::new(
        id,
        Status::Missing,
        expected,
        Value::Null,
        format!("nothing to check: {what} is missing"),
        String::new(),
    )
}

fn describe(slot: &Slot) -> String {
    match (slot.member.key, &slot.name) {
        (_, Some((_, name))) => format!("the {} `{name}`", slot.purpose),
        (member, None) => format!("the {} of {}", member, part_key(slot.part)),
    }
}

/// Where stackgen's stack declares a resource type (for a fix).
fn example_file(kind: &str) -> &'static str {
    match kind {
        "aws_s3_bucket" => "s3.tf",
        "aws_kinesis_stream" => "kinesis_ds.tf",
        "aws_kinesis_firehose_delivery_stream" => "kinesis_fh.tf",
        k if k.starts_with("aws_glue") => "glue.tf",
        k if k.starts_with("aws_lambda")
            || k == "aws_s3_bucket_notification"
            || k == "aws_ssm_parameter" =>
        {
            "lambda.tf"
        }
        k if k.starts_with("aws_athena") => "athena.tf",
        "aws_kinesis_analytics_application" => "kinesis_analytics.tf",
        _ => "its file",
    }
}

fn first_path(at: At) -> &'static str {
    match at {
        At::Attr(p) | At::Beside { path: p, .. } => p,
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "not set".to_owned(),
        v => quote(&v.to_string()),
    }
}

fn fix_for(setting: &Setting, want: &Value, where_: &str) -> String {
    match setting.compare {
        Compare::Tags(keys) => format!(
            "give it the tags {} ({})",
            shown(want),
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("set {where_} to {}", shown(want)),
    }
}

/// Whether a found value meets the expected one.
fn compare(how: Compare, want: &Val, found: &Val) -> bool {
    match how {
        Compare::Equal => same(want, found),
        Compare::Number => match (number(want), number(found)) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            _ => false,
        },
        Compare::Set => match (want, found) {
            (Val::List(a), Val::List(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| b.iter().any(|y| same(x, y)))
                    && b.iter().all(|y| a.iter().any(|x| same(x, y)))
            }
            _ => same(want, found),
        },
        Compare::Includes => match (want, found) {
            (Val::List(a), Val::List(b)) => a.iter().all(|x| b.iter().any(|y| same(x, y))),
            _ => same(want, found),
        },
        Compare::Tags(keys) => keys.iter().all(|k| match want.get(k) {
            Some(w) => found.get(k).is_some_and(|f| same(w, f)),
            None => true,
        }),
    }
}

fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Number(_), Val::Number(_)) => number(a) == number(b),
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn number(v: &Val) -> Option<f64> {
    match v {
        Val::Number(n) => n.as_f64(),
        Val::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// IAM review findings on the student's roles (`review`'s rules, on what
/// the source shows), as advice: never points.
fn advice(stack: &Stack, observed: &Observed, used_roles: &[usize]) -> Vec<Advice> {
    let own = crate::review::own_arns(stack);
    let mut out: Vec<Advice> = Vec::new();
    for (i, role) in observed.resources.iter().enumerate() {
        if role.kind != "aws_iam_role" || role.mode != Mode::Managed {
            continue;
        }
        let grader_permissions = permissions(observed, role);
        let name = role
            .values
            .at("name")
            .first()
            .and_then(|v| v.as_str())
            .unwrap_or(&role.address)
            .to_owned();
        for policy in &grader_permissions.policies {
            if policy.origin.starts_with("`arn:") {
                // AWS's own managed policies are not the student's to fix.
                continue;
            }
            for s in policy.statements.iter().filter(|s| s.allow) {
                let (policy::Matcher::Any(actions), policy::Matcher::Any(resources)) =
                    (&s.actions, &s.resources)
                else {
                    continue;
                };
                let statement = crate::stack::iam::Statement {
                    sid: s.sid.clone(),
                    effect: "Allow",
                    principal: None,
                    actions: actions.clone(),
                    resources: resources.clone(),
                    condition: BTreeMap::new(),
                };
                for f in crate::review::statement_findings(&statement, &own) {
                    let message = format!(
                        "role `{name}`, {}, statement `{}`: {}",
                        policy.origin, s.sid, f.message
                    );
                    if !out.iter().any(|a| a.code == f.code && a.message == message) {
                        out.push(Advice {
                            code: f.code,
                            message,
                        });
                    }
                }
            }
        }
        let used = used_roles.contains(&i)
            || observed.resources.iter().any(|o| {
                o.mode == Mode::Managed
                    && !grading::IAM_TYPES.contains(&o.kind.as_str())
                    && (o
                        .values
                        .strings()
                        .iter()
                        .any(|s| matching::identities(role).iter().any(|id| id == s))
                        || o.references
                            .values()
                            .flatten()
                            .any(|r| role.is_referenced_by(r)))
            });
        if !used {
            out.push(Advice {
                code: Code::IAM005,
                message: format!("no resource uses role `{name}` (`{}`)", role.address),
            });
        }
    }
    out
}

/// Every check id an edition's parts can have, for its `grading` section.
pub fn check_ids(edition: &Edition) -> Vec<String> {
    let mut ids = Vec::new();
    for entry in &edition.parts {
        let key = part_key(entry.part);
        let g = grading::graded(entry.part);
        ids.push(format!("{key}.exists"));
        for member in g.members.iter().filter(|m| m.name.is_some()) {
            ids.push(if member.key.is_empty() {
                format!("{key}.name")
            } else {
                format!("{key}.{}.name", member.key)
            });
        }
        ids.extend(g.settings.iter().map(|s| format!("{key}.{}", s.key)));
        if !g.role_at.is_empty() {
            ids.push(format!("{key}.role"));
            ids.extend(crate::stack::iam::need_keys().map(|n| format!("{key}.iam.{n}")));
            ids.push(format!("{key}.iam.managed"));
        }
    }
    ids
}

/// An edition's `grading` naming checks none of its parts has: each a
/// diagnostic (SG703), with "did you mean".
pub fn grading_problems(edition: &Edition) -> Vec<Diagnostic> {
    let ids = check_ids(edition);
    let named = edition
        .grading
        .weights
        .keys()
        .map(|k| ("grading.weights", k))
        .chain(edition.grading.drop.iter().map(|k| ("grading.drop", k)));
    let mut out = Vec::new();
    for (field, id) in named {
        if ids.contains(id) {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::SG703,
            format!("{field}.{id}"),
            format!(
                "the edition `{}` grades {}, a check none of its parts has",
                edition.name,
                quote(id)
            ),
        )
        .value(id.clone())
        .rule("a check id is `<part>.<key>` of a part the edition lists (the book lists them per part)");
        d = match crate::base::suggest::closest(id, ids.iter().map(String::as_str)) {
            Some(s) => d.fix(format!("did you mean `{s}`?")),
            None => d.fix("run `stackgen grade` with `--format json` to see the ids"),
        };
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_replaces_whole_names_only() {
        let renames = vec![(
            "datalake-1-jk-12345".to_owned(),
            "datalake-1-jk-99".to_owned(),
        )];
        assert_eq!(
            renamed("arn:aws:s3:::datalake-1-jk-12345/raw-zone/*", &renames),
            "arn:aws:s3:::datalake-1-jk-99/raw-zone/*"
        );
        assert_eq!(
            renamed("s3://datalake-1-jk-12345/raw-zone/", &renames),
            "s3://datalake-1-jk-99/raw-zone/"
        );
        // Another student's name that starts with this one's stays.
        assert_eq!(
            renamed("arn:aws:s3:::datalake-1-jk-123456", &renames),
            "arn:aws:s3:::datalake-1-jk-123456"
        );
    }

    #[test]
    fn comparisons() {
        let v = |j: &str| -> Val { serde_json::from_str(j).unwrap() };
        assert!(compare(Compare::Number, &v("1"), &v("1.0")));
        assert!(compare(Compare::Number, &v("\"4\""), &v("4")));
        assert!(!compare(Compare::Number, &v("\"4\""), &v("\"5\"")));
        assert!(compare(
            Compare::Set,
            &v("[\"a\",\"b\"]"),
            &v("[\"b\",\"a\"]")
        ));
        assert!(!compare(Compare::Set, &v("[\"a\",\"b\"]"), &v("[\"a\"]")));
        assert!(compare(
            Compare::Includes,
            &v("[\"a\"]"),
            &v("[\"b\",\"a\"]")
        ));
        assert!(compare(
            Compare::Tags(&["Environment"]),
            &v(r#"{"Environment":"DEV","Student":"x"}"#),
            &v(r#"{"Environment":"DEV"}"#)
        ));
        assert!(!compare(
            Compare::Tags(&["Environment"]),
            &v(r#"{"Environment":"DEV"}"#),
            &v(r#"{"Environment":"PROD"}"#)
        ));
        assert!(!compare(Compare::Equal, &v("true"), &v("false")));
    }
}
