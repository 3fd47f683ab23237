//! Maps field paths (`student.initials`, `students[3].index_no`) to places
//! in the YAML text.
//!
//! serde_yaml reports a location only for errors it finds itself; our naming
//! rules run later on typed values and know only field paths. This module
//! walks the YAML event stream once (yaml-rust2 keeps markers on events) and
//! remembers where every key and value starts, so any diagnostic can point at
//! `student.yaml:4:13`.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::base::diagnostic::Location;

#[derive(Debug, Default)]
pub struct Locations {
    values: BTreeMap<String, Location>,
    keys: BTreeMap<String, Location>,
    duplicates: Vec<Duplicate>,
}

/// A key written twice in one mapping. serde_yaml reports it without a
/// useful place (line 1 of the mapping), so the walk records both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Field path of the key, e.g. `region`.
    pub path: String,
    /// Where it is written first.
    pub first: Location,
    /// Where it is written again: what the user has to remove.
    pub again: Location,
}

impl Locations {
    /// Indexes `source`. Text that does not parse yields an empty index:
    /// serde_yaml reports the syntax error with its own location.
    pub fn index(source: &str) -> Self {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut walker, false).is_err() {
            return Self::default();
        }
        walker.found
    }

    /// Where the value of `path` starts; for a field that is absent, the
    /// key of the closest enclosing field that is present (a default
    /// derived from a missing key is best explained at its parent).
    pub fn value(&self, path: &str) -> Option<Location> {
        if let Some(loc) = self.values.get(path) {
            return Some(*loc);
        }
        let mut path = path;
        loop {
            path = parent(path)?;
            if let Some(loc) = self.keys.get(path) {
                return Some(*loc);
            }
        }
    }

    /// Where the value of `path` starts, only if the field is written.
    pub fn exact(&self, path: &str) -> Option<Location> {
        self.values.get(path).copied()
    }

    /// Where the key of `path` is written (used for unknown keys).
    pub fn key(&self, path: &str) -> Option<Location> {
        self.keys.get(path).copied()
    }

    /// Every key written twice in the same mapping, in file order.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }
}

fn parent(path: &str) -> Option<&str> {
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

/// One open collection while walking: a mapping waiting for a key or a
/// value, or a sequence counting its items.
enum Frame {
    Mapping {
        path: String,
        pending_key: Option<String>,
        /// Keys already seen in this mapping, with where: only keys of the
        /// same mapping are duplicates (`students[0].name` and
        /// `students[1].name` are not).
        seen: BTreeMap<String, Location>,
    },
    Sequence {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    found: Locations,
}

impl Walker {
    /// The path of the node that starts now, and whether it is a key.
    fn next_node(&mut self) -> Option<(String, bool)> {
        match self.stack.last_mut()? {
            Frame::Mapping {
                path, pending_key, ..
            } => match pending_key.take() {
                Some(key) => Some((join(path, &key), false)),
                None => Some((path.clone(), true)),
            },
            Frame::Sequence { path, next } => {
                let item = format!("{path}[{next}]");
                *next += 1;
                Some((item, false))
            }
        }
    }

    fn record_value(&mut self, path: &str, mark: Marker) {
        self.found.values.insert(path.to_owned(), to_location(mark));
    }
}

/// The field path of `key` inside `parent` (`student` + `initials`).
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn to_location(mark: Marker) -> Location {
    Location {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, ..) => match self.next_node() {
                Some((parent, true)) => {
                    let path = join(&parent, &text);
                    let here = to_location(mark);
                    if let Some(Frame::Mapping {
                        pending_key, seen, ..
                    }) = self.stack.last_mut()
                    {
                        match seen.get(&text) {
                            Some(&first) => self.found.duplicates.push(Duplicate {
                                path: path.clone(),
                                first,
                                again: here,
                            }),
                            None => {
                                seen.insert(text.clone(), here);
                            }
                        }
                        *pending_key = Some(text);
                    }
                    // The first occurrence keeps the key's place: the value
                    // serde ends up with is reported against it otherwise.
                    self.found.keys.entry(path).or_insert(here);
                }
                Some((path, false)) => self.record_value(&path, mark),
                None => {}
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = match self.next_node() {
                    Some((path, false)) => path,
                    // A collection used as a mapping key: not part of our
                    // input format; give it a path nobody asks for.
                    Some((_, true)) => "<complex key>".to_owned(),
                    None => String::new(),
                };
                self.record_value(&path, mark);
                self.stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping {
                        path,
                        pending_key: None,
                        seen: BTreeMap::new(),
                    },
                    _ => Frame::Sequence { path, next: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Alias(_) => {
                if let Some((path, false)) = self.next_node() {
                    self.record_value(&path, mark);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
target: classic
student:
  name: Jan Kowalski
  initials: jk
  index_no: \"12345\"
students:
  - { name: A, initials: ab }
  - name: B
    initials: cd
";

    #[test]
    fn finds_nested_values_and_keys() {
        let loc = Locations::index(SPEC);
        assert_eq!(
            loc.value("student.initials"),
            Some(Location {
                line: 4,
                column: 13
            })
        );
        assert_eq!(
            loc.key("student.initials"),
            Some(Location { line: 4, column: 3 })
        );
        assert_eq!(
            loc.value("student.index_no"),
            Some(Location {
                line: 5,
                column: 13
            })
        );
    }

    #[test]
    fn finds_sequence_items_in_both_styles() {
        let loc = Locations::index(SPEC);
        assert_eq!(
            loc.value("students[0].initials"),
            Some(Location {
                line: 7,
                column: 26
            })
        );
        assert_eq!(
            loc.value("students[1].initials"),
            Some(Location {
                line: 9,
                column: 15
            })
        );
    }

    #[test]
    fn missing_field_falls_back_to_its_parent() {
        let loc = Locations::index(SPEC);
        assert_eq!(loc.value("student.nickname"), loc.key("student"));
        assert_eq!(loc.value("region"), None);
    }

    #[test]
    fn a_key_written_twice_is_found_at_its_second_place() {
        let loc = Locations::index("region: a\nstudent:\n  name: x\nregion: b\n");
        assert_eq!(
            loc.duplicates(),
            [Duplicate {
                path: "region".into(),
                first: Location { line: 1, column: 1 },
                again: Location { line: 4, column: 1 },
            }]
        );
        // The same key in two list items is no duplicate.
        let loc = Locations::index(SPEC);
        assert!(loc.duplicates().is_empty(), "{:?}", loc.duplicates());
    }

    #[test]
    fn broken_yaml_gives_an_empty_index() {
        let loc = Locations::index("a: [1, 2\nb: {");
        assert_eq!(loc.value("a"), None);
    }
}
