//! The layers of `src/`, checked. ARCHITECTURE.md's "Layers" table is the
//! one place that says which folder sits on which layer; this test reads
//! it, reads every `src/**/*.rs`, and fails on an import that goes up a
//! layer, or on folders of one layer that import each other in a cycle.
//! Within a folder, imports are free.
//!
//! An import is any path that starts at the crate root: `crate::x`,
//! `use crate::{x, y::z}` (groups may span lines), `super::super::x` once
//! it climbs out of its folder, and, from the binary, `stackgen::x`. Paths
//! inside strings count, because `#[schemars(schema_with = "crate::...")]`
//! is one; paths inside comments do not. Unit tests are code like any
//! other: a test that needs the whole pipeline belongs in `tests/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// One row of the table: a layer and what sits on it. An entry is a folder
/// of `src/` (`base/`) or a file at its root (`lib.rs`); a row's entries
/// form one unit, named by its first.
#[derive(Debug, Clone)]
struct Unit {
    name: String,
    layer: u32,
    folders: Vec<String>,
    files: Vec<String>,
}

#[derive(Debug, Clone)]
struct Table {
    units: Vec<Unit>,
}

impl Table {
    /// The first Markdown table after the `## Layers` heading: `| layer |
    /// entries | ... |`, the entries in backticks.
    fn parse(markdown: &str) -> Table {
        let section = markdown
            .split_once("\n## Layers\n")
            .map(|(_, rest)| rest)
            .expect("ARCHITECTURE.md has a `## Layers` section");
        let rows = section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'));
        let mut units = Vec::new();
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            // The header and the `---` line have no number in the first cell.
            let Ok(layer) = cells.get(1).unwrap_or(&"").parse::<u32>() else {
                continue;
            };
            let entries: Vec<&str> = cells
                .get(2)
                .unwrap_or(&"")
                .split('`')
                .skip(1)
                .step_by(2)
                .collect();
            assert!(!entries.is_empty(), "a Layers row without entries: {row}");
            let mut unit = Unit {
                name: entries[0].trim_end_matches('/').to_owned(),
                layer,
                folders: Vec::new(),
                files: Vec::new(),
            };
            for entry in entries {
                match entry.strip_suffix('/') {
                    Some(folder) => unit.folders.push(folder.to_owned()),
                    None => unit.files.push(entry.to_owned()),
                }
            }
            units.push(unit);
        }
        assert!(!units.is_empty(), "the Layers section has no table");
        Table { units }
    }

    /// The unit a file of `src/` belongs to (`path` relative to `src/`).
    fn unit_of(&self, path: &str) -> Option<&Unit> {
        match path.split_once('/') {
            Some((folder, _)) => self.folder(folder),
            None => self
                .units
                .iter()
                .find(|u| u.files.iter().any(|f| f == path)),
        }
    }

    fn unit(&self, name: &str) -> &Unit {
        self.units
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no unit {name}"))
    }

    fn folder(&self, folder: &str) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.folders.iter().any(|f| f == folder))
    }

    /// The binary: the unit holding `main.rs`. Everything else is the
    /// library, whose root is `lib.rs`.
    fn binary(&self) -> &Unit {
        self.units
            .iter()
            .find(|u| u.files.iter().any(|f| f == "main.rs"))
            .expect("the Layers table places main.rs")
    }

    fn library_root(&self) -> &Unit {
        self.units
            .iter()
            .find(|u| u.files.iter().any(|f| f == "lib.rs"))
            .expect("the Layers table places lib.rs")
    }

    /// The unit a path from the crate root names, by its first segment:
    /// `crate::<first>` in a file of `from`, or `stackgen::<first>` from the
    /// binary (`via_library_name`).
    fn resolve(&self, from: &Unit, first: &str, via_library_name: bool) -> &Unit {
        let in_binary = from.name == self.binary().name && !via_library_name;
        if in_binary {
            // The binary's own paths: its folders, or main.rs's items.
            return self.binary();
        }
        match self.folder(first) {
            Some(unit) if unit.name != self.binary().name => unit,
            // An item of lib.rs itself (`crate::check`, `crate::RenderError`).
            _ => self.library_root(),
        }
    }
}

/// An import of one unit by another.
#[derive(Debug, Clone)]
struct Import {
    file: String,
    line: usize,
    text: String,
    from: String,
    to: String,
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "src/{}:{}: `{}` ({} imports {})",
            self.file, self.line, self.text, self.from, self.to
        )
    }
}

/// The file's text twice, at the same offsets: `paths` with comments
/// blanked (strings kept: attribute strings hold paths), `code` with
/// strings and character literals blanked too (for counting braces).
fn views(text: &str) -> (Vec<char>, Vec<char>) {
    let src: Vec<char> = text.chars().collect();
    let mut paths = src.clone();
    let mut code = src.clone();
    let blank = |v: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut v[from..to] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < src.len() {
        let at = |k: usize| src.get(k).copied().unwrap_or('\0');
        let start = i;
        if at(i) == '/' && at(i + 1) == '/' {
            while i < src.len() && src[i] != '\n' {
                i += 1;
            }
            blank(&mut paths, start, i);
            blank(&mut code, start, i);
        } else if at(i) == '/' && at(i + 1) == '*' {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < src.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            blank(&mut paths, start, i);
            blank(&mut code, start, i);
        } else if (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r'))
            && !is_ident(at(i.wrapping_sub(1)))
            && {
                let mut k = i + if at(i) == 'b' { 2 } else { 1 };
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // A raw string: r"..", r#".."#, br"..".
            let mut k = i + if at(i) == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            loop {
                if k >= src.len() {
                    break;
                }
                if at(k) == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                k += 1;
            }
            i = k;
            blank(&mut code, start, i);
        } else if at(i) == '"' {
            i += 1;
            while i < src.len() && src[i] != '"' {
                i += if src[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            blank(&mut code, start, i.min(src.len()));
        } else if at(i) == '\'' {
            // A character literal, or a lifetime (`'a`), which is code.
            if at(i + 1) == '\\' {
                // `'\''`, `'\n'`, `'\u{1F600}'`: the escaped character, then
                // up to the closing quote.
                i += 3;
                while i < src.len() && src[i] != '\'' {
                    i += 1;
                }
                i += 1;
                blank(&mut code, start, i.min(src.len()));
            } else if at(i + 2) == '\'' {
                i += 3;
                blank(&mut code, start, i);
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    (paths, code)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn starts_with(v: &[char], at: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, c)| v.get(at + k) == Some(&c))
}

fn skip_space(v: &[char], mut at: usize) -> usize {
    while v.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    at
}

fn ident_at(v: &[char], at: usize) -> String {
    v[at..].iter().take_while(|c| is_ident(**c)).collect()
}

/// After `crate::` (or a `super::` chain that reached the root): the first
/// segment of each path, one for `x::y`, several for `{x, y::z}`.
/// Each with its offset, so a group's items are reported at their lines.
fn first_segments(v: &[char], at: usize) -> Vec<(String, usize)> {
    let at = skip_space(v, at);
    if v.get(at) != Some(&'{') {
        return vec![(ident_at(v, at), at)];
    }
    let mut found = Vec::new();
    let mut depth = 0;
    let mut expect = true;
    let mut k = at;
    while k < v.len() {
        match v[k] {
            '{' => {
                depth += 1;
                expect = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect = true,
            c if expect && depth == 1 && (is_ident(c) || c == '*') => {
                found.push((if c == '*' { "*".into() } else { ident_at(v, k) }, k));
                expect = false;
            }
            _ => {}
        }
        k += 1;
    }
    found
}

/// The module path a file of `src/` declares: `stack/parts.rs` is
/// `stack::parts`, `stack/mod.rs` is `stack`, `lib.rs` the root.
fn module_path(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every import of another unit in one file.
fn imports(table: &Table, path: &str, text: &str) -> Vec<Import> {
    let Some(from) = table.unit_of(path) else {
        return Vec::new();
    };
    let is_binary = from.name == table.binary().name;
    let (paths, code) = views(text);
    let lines: Vec<&str> = text.lines().collect();
    let file_module = module_path(path);
    // Inline modules open at the moment: (name, brace depth inside).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut line = 1;
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let boundary = i == 0 || !is_ident(paths[i - 1]);
        // (first segment, its offset, whether named through `stackgen::`)
        let mut targets: Vec<(String, usize, bool)> = Vec::new();
        if boundary && starts_with(&paths, i, "crate::") {
            targets = first_segments(&paths, i + "crate::".len())
                .into_iter()
                .map(|(s, at)| (s, at, false))
                .collect();
        } else if boundary && is_binary && starts_with(&paths, i, "stackgen::") {
            targets = first_segments(&paths, i + "stackgen::".len())
                .into_iter()
                .map(|(s, at)| (s, at, true))
                .collect();
        } else if boundary && starts_with(&paths, i, "super::") {
            let mut module = file_module.clone();
            module.extend(inline.iter().map(|(name, _)| name.clone()));
            let mut k = i;
            while starts_with(&paths, k, "super::") {
                module.pop();
                k = skip_space(&paths, k + "super::".len());
            }
            if module.is_empty() {
                targets = first_segments(&paths, k)
                    .into_iter()
                    .map(|(s, at)| (s, at, false))
                    .collect();
            } else if let Some(unit) = table.folder(&module[0]) {
                if unit.name != from.name {
                    targets.push((module[0].clone(), i, false));
                }
            }
        }
        for (first, at, via_library_name) in targets {
            let to = table.resolve(from, &first, via_library_name);
            if to.name != from.name {
                let line = line + paths[i..at].iter().filter(|c| **c == '\n').count();
                found.push(Import {
                    file: path.to_owned(),
                    line,
                    text: lines.get(line - 1).unwrap_or(&"").trim().to_owned(),
                    from: from.name.clone(),
                    to: to.name.clone(),
                });
            }
        }
        match code[i] {
            '\n' => line += 1,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            'm' if (i == 0 || !is_ident(code[i - 1])) && starts_with(&code, i, "mod ") => {
                let name_at = skip_space(&code, i + 4);
                let name = ident_at(&code, name_at);
                let after = skip_space(&code, name_at + name.len());
                if !name.is_empty() && code.get(after) == Some(&'{') {
                    inline.push((name, depth + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// What is wrong with the tree, one sentence each; empty when it keeps
/// its layers.
fn check(table: &Table, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    for unit in &table.units {
        for folder in &unit.folders {
            if !files.keys().any(|p| p.starts_with(&format!("{folder}/"))) {
                problems.push(format!(
                    "the Layers table places `{folder}/`, which src/ does not have"
                ));
            }
        }
        for file in &unit.files {
            if !files.contains_key(file) {
                problems.push(format!(
                    "the Layers table places `{file}`, which src/ does not have"
                ));
            }
        }
    }
    let layer = |name: &str| table.unit(name).layer;
    // Same-layer imports by (from, to), the first one seen of each.
    let mut sideways: BTreeMap<(String, String), Import> = BTreeMap::new();
    for (path, text) in files {
        if table.unit_of(path).is_none() {
            problems.push(format!(
                "src/{path} is on no layer: put it in a folder the Layers table of ARCHITECTURE.md places, or add a row"
            ));
            continue;
        }
        for import in imports(table, path, text) {
            let (from, to) = (layer(&import.from), layer(&import.to));
            if from < to {
                problems.push(format!(
                    "upward import: {import}; {} is on layer {from}, {} on layer {to}, and a layer may use only the layers below it",
                    import.from, import.to
                ));
            } else if from == to {
                sideways
                    .entry((import.from.clone(), import.to.clone()))
                    .or_insert(import);
            }
        }
    }
    // Folders of one layer may use each other, but not in a cycle.
    let reaches = |start: &str, goal: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.to_owned()];
        while let Some(node) = todo.pop() {
            if node == goal {
                return true;
            }
            if seen.insert(node.clone()) {
                todo.extend(
                    sideways
                        .keys()
                        .filter(|(f, _)| *f == node)
                        .map(|(_, t)| t.clone()),
                );
            }
        }
        false
    };
    let mut cycles: BTreeMap<BTreeSet<String>, Vec<String>> = BTreeMap::new();
    for ((from, to), import) in &sideways {
        if reaches(to, from) {
            let members: BTreeSet<String> = sideways
                .keys()
                .flat_map(|(f, t)| [f.clone(), t.clone()])
                .filter(|n| reaches(from, n) && reaches(n, from))
                .collect();
            cycles.entry(members).or_default().push(import.to_string());
        }
    }
    for (members, edges) in cycles {
        let names: Vec<&str> = members.iter().map(String::as_str).collect();
        problems.push(format!(
            "import cycle between folders of layer {}: {}; through {}",
            layer(names[0]),
            names.join(", "),
            edges.join(" and ")
        ));
    }
    problems
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn table() -> Table {
    Table::parse(&std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap())
}

/// Every `.rs` file under `src/`, by its path relative to `src/`.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(
                    relative.replace('\\', "/"),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(&repo().join("src"), &repo().join("src"), &mut files);
    files
}

#[test]
fn src_keeps_its_layers() {
    let problems = check(&table(), &sources());
    assert!(
        problems.is_empty(),
        "src/ breaks the layers of ARCHITECTURE.md:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn a_planted_upward_import_fails() {
    let mut files = sources();
    let model = files.get_mut("base/model.rs").unwrap();
    model.push_str("\nfn planted() -> crate::output::emit::Files {\n    Default::default()\n}\n");
    let table = table();
    let problems = check(&table, &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert!(p.starts_with("upward import: src/base/model.rs:"), "{p}");
    assert!(
        p.contains("`fn planted() -> crate::output::emit::Files {`"),
        "{p}"
    );
    let layers = format!(
        "base is on layer {}, output on layer {}",
        table.unit("base").layer,
        table.unit("output").layer
    );
    assert!(p.contains(&layers), "{p}");
}

#[test]
fn a_planted_cycle_between_folders_of_one_layer_fails() {
    let table = table();
    assert_eq!(table.unit("review").layer, table.unit("lab").layer);
    let mut files = sources();
    files
        .get_mut("review/words.rs")
        .unwrap()
        .push_str("\nuse crate::lab::replay::Pacing;\n");
    files.get_mut("lab/simulate.rs").unwrap().push_str(
        "\n#[allow(unused)]\nuse crate::{\n    base::codes::Code,\n    review::Review,\n};\n",
    );
    let problems = check(&table, &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert!(
        p.starts_with("import cycle between folders of layer"),
        "{p}"
    );
    assert!(p.contains("src/review/words.rs:"), "{p}");
    assert!(p.contains("src/lab/simulate.rs:"), "{p}");
}

#[test]
fn a_file_outside_the_table_fails() {
    let mut files = sources();
    files.insert("grab_bag.rs".into(), "pub fn f() {}\n".into());
    let problems = check(&table(), &files);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].starts_with("src/grab_bag.rs is on no layer"));
}

/// The reader on a made-up tree: groups across lines, `super` chains out
/// of a folder and out of an inline module, strings, comments, braces in
/// literals.
#[test]
fn paths_are_read_as_rust_resolves_them() {
    let table = Table::parse(
        "# x\n\n## Layers\n\n| Layer | Entries |\n|---|---|\n| 0 | `low/` |\n| 1 | `high/` |\n| 2 | `lib.rs` |\n| 3 | `cli/`, `main.rs` |\n",
    );
    let found = |path: &str, text: &str| -> Vec<(usize, String)> {
        imports(&table, path, text)
            .into_iter()
            .map(|i| (i.line, i.to))
            .collect()
    };
    // Grouped, across lines: the first segment of each item decides, and
    // the item's own line is reported.
    assert_eq!(
        found(
            "low/a.rs",
            "use crate::{\n    low::x,\n    high::{y, z},\n};\n"
        ),
        [(3, "high".to_owned())]
    );
    // In comments: nothing. In an attribute string: an import.
    assert_eq!(
        found(
            "low/a.rs",
            "// crate::high::x\n/* crate::high /* nested */ crate::high */\n#[s(with = \"crate::high::f\")]\nstruct S;\n"
        ),
        [(3, "high".to_owned())]
    );
    // `super` out of a mod.rs reaches the root; out of a test module it
    // stays home. Braces in literals do not close the module early.
    let text = "fn f() { let _ = ('{', \"}}\", r#\"}\"#); }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn g() -> char { '}' }\n    use super::super::high::x;\n}\nuse super::check;\n";
    assert_eq!(
        found("low/mod.rs", text),
        [(6, "high".to_owned()), (8, "lib.rs".to_owned())]
    );
    // From a nested file, `super::super` leaves the folder.
    assert_eq!(
        found(
            "low/deep/a.rs",
            "use super::super::super::high::Y;\nuse super::b;\n"
        ),
        [(1, "high".to_owned())]
    );
    // Lifetimes are not character literals.
    assert_eq!(
        found(
            "high/a.rs",
            "fn f<'a>(x: &'a str) -> &'a str { x }\nconst Q: char = '\\'';\nuse crate::low::L;\n"
        ),
        [(3, "low".to_owned())]
    );
    // The binary: its own paths stay home; `stackgen::` names the library.
    assert_eq!(
        found(
            "cli/run.rs",
            "use crate::cli::common;\nuse crate::EXIT_IO;\nuse stackgen::high::x;\nuse stackgen::{check, low::y};\n"
        ),
        [
            (3, "high".to_owned()),
            (4, "lib.rs".to_owned()),
            (4, "low".to_owned())
        ]
    );
}
