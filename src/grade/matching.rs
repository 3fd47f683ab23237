//! Finding each part's resources among what a source saw.
//!
//! Students choose their own addresses and may misname a thing, so a
//! resource is matched, in this order:
//! 1. by type and the name the edition gives it;
//! 2. by its connections: among the unmatched resources of its type, the
//!    one that reproduces the most of the references the rendered stack
//!    makes between it and parts already matched (the Firehose that reads
//!    the student's stream, the notification on the student's bucket);
//! 3. as the only resource of its type left, when only one member of that
//!    type is unmatched.
//!
//! Steps 2 and 3 repeat until nothing more is found. A resource is matched
//! to one member at most. Everything later (settings, connections, IAM)
//! reads the matched resource, so a misnamed resource fails its name check
//! and nothing else of its own.

use std::collections::BTreeMap;

use super::observed::{Mode, Observed, Resource, Val};
use crate::base::part::PartId;
use crate::stack::grading::Member;

/// One member of one graded part, with its rendered resource.
pub struct Slot<'a> {
    pub part: PartId,
    pub member: &'static Member,
    pub rendered: &'a Resource,
    /// The name attribute and the name the edition gives, when graded.
    pub name: Option<(&'static str, String)>,
    /// What it is, in words: "Kinesis Data Stream".
    pub purpose: &'static str,
}

/// Slot index -> observed resource index.
#[derive(Debug, Default)]
pub struct Matched(BTreeMap<usize, usize>);

impl Matched {
    pub fn get(&self, slot: usize) -> Option<usize> {
        self.0.get(&slot).copied()
    }

    fn claimed(&self, resource: usize) -> bool {
        self.0.values().any(|r| *r == resource)
    }
}

/// Whether an attribute of one resource refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conn {
    Yes,
    No,
    /// The value is known only after apply, and no reference says.
    Unknown,
}

/// The attributes that identify a resource when another one names it.
const IDENTITIES: &[&str] = &[
    "arn",
    "id",
    "name",
    "bucket",
    "function_name",
    "qualified_arn",
    "layer_name",
];

/// A resource's known identifying values (its ARN, id, name...).
pub fn identities(r: &Resource) -> Vec<&str> {
    IDENTITIES
        .iter()
        .filter_map(|k| r.values.get(k).and_then(Val::as_str))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether the attribute at `path` of `from` refers to `to`: by a
/// reference in the source's expressions, by a value equal to one of
/// `to`'s identities, or, where `to`'s identities are known only after
/// apply, by a value that holds `to`'s name as a whole ARN or path segment
/// (`arn:aws:kinesis:…:stream/<name>`).
pub fn connects(from: &Resource, path: &str, to: &Resource) -> Conn {
    let refs = from.references_at(path);
    if refs.iter().any(|r| to.is_referenced_by(r)) {
        return Conn::Yes;
    }
    let values = from.values.at(path);
    let strings: Vec<&str> = values.iter().flat_map(|v| v.strings()).collect();
    let ids = identities(to);
    if strings.iter().any(|s| ids.contains(s)) {
        return Conn::Yes;
    }
    let to_unknown = IDENTITIES
        .iter()
        .any(|k| to.values.get(k).is_some_and(Val::is_unknown));
    if to_unknown
        && strings
            .iter()
            .any(|s| ids.iter().any(|name| holds_name(s, name)))
    {
        return Conn::Yes;
    }
    // A plan knows what an unknown value is made of: when it is only other
    // resources' attributes, it is not `to`'s (a variable or a local could
    // still hold `to`, so those leave it unknown).
    if !refs.is_empty() && refs.iter().all(|r| names_a_resource(r)) {
        return Conn::No;
    }
    if values.iter().any(|v| v.has_unknown())
        || (to_unknown && !strings.is_empty() && ids.is_empty())
    {
        return Conn::Unknown;
    }
    Conn::No
}

/// Whether a reference names a managed resource (`aws_…`, in a module or
/// not), rather than a variable, a local, a data source or a module's
/// output.
fn names_a_resource(reference: &str) -> bool {
    let mut rest = reference;
    while let Some(inner) = rest.strip_prefix("module.") {
        match inner.split_once('.') {
            Some((_, after)) => rest = after,
            None => return false,
        }
    }
    rest.starts_with("aws_")
}

/// Whether `text` holds `name` as a whole segment: between the start, `/`
/// or `:` and the end, `/` or `:`.
fn holds_name(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        before.is_none_or(|c| c == '/' || c == ':') && after.is_none_or(|c| c == '/' || c == ':')
    })
}

/// Matches the slots to observed resources.
pub fn run(slots: &[Slot], observed: &Observed) -> Matched {
    let mut matched = Matched::default();
    let candidates = |slot: &Slot, matched: &Matched| -> Vec<usize> {
        observed
            .resources
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                r.mode == Mode::Managed && r.kind == slot.rendered.kind && !matched.claimed(*i)
            })
            .map(|(i, _)| i)
            .collect()
    };
    // 1. By name.
    for (s, slot) in slots.iter().enumerate() {
        let Some((attr, name)) = &slot.name else {
            continue;
        };
        let found = candidates(slot, &matched).into_iter().find(|i| {
            matches!(observed.resources[*i].values.at(attr).as_slice(), [Val::String(n)] if n == name)
        });
        if let Some(i) = found {
            matched.0.insert(s, i);
        }
    }
    loop {
        let mut progress = false;
        // 2. By the connections the rendered stack makes.
        for (s, slot) in slots.iter().enumerate() {
            if matched.get(s).is_some() {
                continue;
            }
            let scored: Vec<(usize, usize)> = candidates(slot, &matched)
                .into_iter()
                .map(|c| (score(s, c, slots, &matched, observed), c))
                .filter(|(score, _)| *score > 0)
                .collect();
            let best = scored.iter().map(|(score, _)| *score).max();
            let top: Vec<usize> = scored
                .iter()
                .filter(|(score, _)| Some(*score) == best)
                .map(|(_, c)| *c)
                .collect();
            if let [only] = top.as_slice() {
                matched.0.insert(s, *only);
                progress = true;
            }
        }
        // 3. The only one of its type left.
        for (s, slot) in slots.iter().enumerate() {
            if matched.get(s).is_some() {
                continue;
            }
            let rivals = slots
                .iter()
                .enumerate()
                .filter(|(t, other)| {
                    matched.get(*t).is_none() && other.rendered.kind == slot.rendered.kind
                })
                .count();
            if let ([only], 1) = (candidates(slot, &matched).as_slice(), rivals) {
                matched.0.insert(s, *only);
                progress = true;
            }
        }
        if !progress {
            return matched;
        }
    }
}

/// How many of the rendered stack's references between slot `s` and the
/// matched slots the candidate `c` reproduces.
fn score(s: usize, c: usize, slots: &[Slot], matched: &Matched, observed: &Observed) -> usize {
    let candidate = &observed.resources[c];
    let me = slots[s].rendered;
    let mut n = 0;
    for (t, other) in slots.iter().enumerate() {
        let Some(o) = matched.get(t) else { continue };
        let target = &observed.resources[o];
        // From the candidate to a matched part.
        for (path, refs) in &me.references {
            if refs.iter().any(|r| other.rendered.is_referenced_by(r))
                && connects(candidate, path, target) == Conn::Yes
            {
                n += 1;
            }
        }
        // From a matched part to the candidate.
        for (path, refs) in &other.rendered.references {
            if refs.iter().any(|r| me.is_referenced_by(r))
                && connects(target, path, candidate) == Conn::Yes
            {
                n += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(address: &str, values: &str) -> Resource {
        Resource {
            address: address.to_owned(),
            mode: Mode::Managed,
            kind: address.split('.').next().unwrap().to_owned(),
            values: serde_json::from_str(values).unwrap(),
            references: BTreeMap::new(),
        }
    }

    #[test]
    fn connections_by_value_reference_or_name() {
        let stream = resource(
            "aws_kinesis_stream.s",
            r#"{"name":"cs","arn":"arn:aws:kinesis:us-east-1:1:stream/cs"}"#,
        );
        let by_value = resource(
            "aws_kinesis_firehose_delivery_stream.f",
            r#"{"kinesis_source_configuration":[{"kinesis_stream_arn":"arn:aws:kinesis:us-east-1:1:stream/cs"}]}"#,
        );
        let path = "kinesis_source_configuration.0.kinesis_stream_arn";
        assert_eq!(connects(&by_value, path, &stream), Conn::Yes);
        let other = resource(
            "aws_kinesis_firehose_delivery_stream.f",
            r#"{"kinesis_source_configuration":[{"kinesis_stream_arn":"arn:aws:kinesis:us-east-1:1:stream/other"}]}"#,
        );
        assert_eq!(connects(&other, path, &stream), Conn::No);
        // A plan: the stream's ARN is unknown; a literal ARN with its name
        // still counts, another name does not, an unknown value is unknown.
        let mut planned = resource("aws_kinesis_stream.s", r#"{"name":"cs"}"#);
        planned
            .values
            .mark_unknown(&serde_json::json!({"arn": true, "id": true}));
        assert_eq!(connects(&by_value, path, &planned), Conn::Yes);
        assert_eq!(connects(&other, path, &planned), Conn::No);
        let mut unknown = other.clone();
        unknown.values.mark_unknown(
            &serde_json::json!({"kinesis_source_configuration": [{"kinesis_stream_arn": true}]}),
        );
        assert_eq!(connects(&unknown, path, &planned), Conn::Unknown);
        unknown
            .references
            .insert(path.to_owned(), vec!["aws_kinesis_stream.s.arn".into()]);
        assert_eq!(connects(&unknown, path, &planned), Conn::Yes);
        // Another resource's attribute is not the stream's; a variable or a
        // module's output might be.
        let mut elsewhere = unknown.clone();
        elsewhere.references.insert(
            path.to_owned(),
            vec!["module.lab.aws_kinesis_stream.other.arn".into()],
        );
        assert_eq!(connects(&elsewhere, path, &planned), Conn::No);
        elsewhere
            .references
            .insert(path.to_owned(), vec!["var.stream_arn".into()]);
        assert_eq!(connects(&elsewhere, path, &planned), Conn::Unknown);
        elsewhere
            .references
            .insert(path.to_owned(), vec!["module.lab.stream_arn".into()]);
        assert_eq!(connects(&elsewhere, path, &planned), Conn::Unknown);
        assert!(holds_name("arn:aws:lambda:r:1:layer:aws_w:3", "aws_w"));
        assert!(!holds_name("arn:aws:s3:::bucket-12345", "bucket-1234"));
    }
}
