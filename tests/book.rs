//! The book (`docs/src/`) and the README run.
//!
//! Every command of a `console` block is run by bash against the binary
//! this build made, and what it prints is compared with the block: the lines
//! after a `$ ` line are its expected output (stdout and stderr together, as
//! a terminal shows them), and a `? N` line right after the command is its
//! exit code (0 when there is none). The syntax is trycmd's, so a page reads
//! like a terminal session. In the expected output a line `...` stands for
//! any number of lines, and `[..]` for any text within a line.
//!
//! Each page runs in a sandbox of its own, a temporary directory that holds
//! copies of the repository's folders the examples read (`FIXTURES`), so a
//! command reads as a reader would type it in a clone (`stackgen render
//! examples/modern.yaml -o out/jk-12345`) and writes only into the sandbox.
//! `HOME` is the sandbox's `home/`. The steps of one page run in order, in
//! the same sandbox: a page is one session.
//!
//! What counts as a command outside a tested block (the check fails on it):
//! - in any fenced or indented code block that is not `console`, a line that
//!   starts with `stackgen` or `$ stackgen` (after indentation);
//! - an inline code span that starts with `stackgen ` and is not a synopsis,
//!   unless its words are the first words of a command the book runs, or
//!   shows in a block listed in `NOT_RUN` (so
//!   `stackgen review` in a sentence is fine once some block runs
//!   `stackgen review examples/modern.yaml`). A synopsis is a span with a
//!   placeholder: an upper-case word (`SPEC`, `DIR`, `N`), or `<`, `[` or
//!   `…`. Its flags are checked against the command's `--help` instead.
//!
//! A `console,ignore` block is shown but not run. Each one must be listed in
//! `NOT_RUN` with the reason, and every entry there must still exist.
//!
//! To accept changed output, run with `STACKGEN_BOOK=overwrite`: each failing
//! step's expected output (and `? N` line) is replaced by what the command
//! printed, unless the step uses `...` or `[..]`, which must be edited by
//! hand. Review the change with `git diff` as any other.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The repository's folders each page's sandbox gets a copy of.
const FIXTURES: &[&str] = &[
    "examples",
    "editions",
    "tests/editions",
    "tests/inputs",
    "tests/rosters",
    "tests/python/fixtures",
    "tests/grade/fixtures",
];

/// `console,ignore` blocks: the page, the block's first command, and why it
/// is not run. The suite prints this list on every run.
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "docs/src/instructors/billing.md",
        "stackgen status examples/expiring-class.yaml",
        "reads an AWS account: needs credentials and deployed streams \
         (tests/live runs status against moto server, exact to the cent)",
    ),
    (
        "docs/src/instructors/billing.md",
        "stackgen sweep examples/expiring-class.yaml --older-than 8h",
        "deletes streams in an AWS account (tests/live/test_sweep.py runs sweep \
         against moto server, next to look-alikes it must leave alone)",
    ),
    (
        "docs/src/instructors/replay.md",
        "stackgen replay examples/modern.yaml --data crypto_trades_20201001.csv",
        "sends records to a Kinesis stream: needs a deployed stack and AWS credentials \
         (tests/replay runs replay against moto server)",
    ),
    (
        "docs/src/instructors/simulate.md",
        "stackgen simulate examples/modern.yaml --data ../shared/lab/crypto_trades_20201001.csv --speed 1",
        "reads the course's trade file, which is not in the repository \
         (tests/replay/test_simulate.py runs simulate on it)",
    ),
];

/// How long one command may take.
const TIMEOUT: Duration = Duration::from_mins(2);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A page: its path from the repository root, and its text.
struct Page {
    path: String,
    text: String,
}

/// The README, every page of the book, and the files the book includes
/// (`{{#include ../../../ARCHITECTURE.md}}`), in a fixed order.
fn pages() -> Vec<Page> {
    let mut paths = vec![root().join("README.md")];
    let mut dirs = vec![root().join("docs/src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut included = BTreeSet::new();
    for path in &paths {
        included.extend(includes(path, &fs::read_to_string(path).unwrap()));
    }
    paths.extend(included);
    paths
        .into_iter()
        .map(|p| Page {
            path: p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            text: fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

/// The files a page includes with mdbook's `{{#include PATH}}` (a line
/// range or anchor after `:` is left off).
fn includes(page: &Path, text: &str) -> Vec<PathBuf> {
    text.split("{{#include ")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(target, _)| {
            let target = target.trim().split(':').next().unwrap();
            normalize(&page.parent().unwrap().join(target))
        })
        .collect()
}

/// A page's text with its includes put in, as mdbook builds it.
fn expanded(page: &Path, text: &str) -> String {
    let mut out = text.to_owned();
    for (directive, target) in text
        .match_indices("{{#include ")
        .filter_map(|(at, _)| text[at..].find("}}").map(|end| &text[at..at + end + 2]))
        .zip(includes(page, text))
    {
        out = out.replace(directive, &fs::read_to_string(target).unwrap());
    }
    out
}

/// A fenced or indented code block: its info string, its first content line
/// (0-based), and its content lines with the block's indentation removed.
struct Block {
    info: String,
    first: usize,
    lines: Vec<String>,
    indent: usize,
}

/// An inline code span and the line it is on (1-based).
struct Span {
    text: String,
    line: usize,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count()
}

fn parse(page: &Page) -> (Vec<Block>, Vec<Span>) {
    let text = &page.text;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blocks = Vec::new();
    let mut spans = Vec::new();
    let mut in_block = false;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_block = true;
                let start = line_of(text, range.start);
                let end = line_of(text, range.end.saturating_sub(1).max(range.start));
                let indent = range.start - text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let (info, first, last) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let closed = end > start && {
                            let l = lines[end].trim_start();
                            l.starts_with("```") || l.starts_with("~~~")
                        };
                        (
                            info.to_string(),
                            start + 1,
                            if closed { end } else { end + 1 },
                        )
                    }
                    CodeBlockKind::Indented => (String::new(), start, end + 1),
                };
                let content = lines[first..last.max(first)]
                    .iter()
                    .map(|l| {
                        let cut = l.len() - l.trim_start().len();
                        l[cut.min(indent)..].to_owned()
                    })
                    .collect();
                blocks.push(Block {
                    info,
                    first,
                    lines: content,
                    indent,
                });
            }
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Code(code) if !in_block => spans.push(Span {
                text: code.to_string(),
                line: line_of(text, range.start) + 1,
            }),
            _ => {}
        }
    }
    (blocks, spans)
}

/// One command of a console block.
struct Step {
    /// 0-based line of the `$ ` line in the page.
    line: usize,
    command: String,
    status: i32,
    expected: Vec<String>,
    /// The page lines (0-based, end exclusive) holding the status line and
    /// the expected output, for overwriting.
    body: (usize, usize),
}

fn steps(page: &Page, block: &Block) -> Result<Vec<Step>, String> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_command = false;
    for (i, line) in block.lines.iter().enumerate() {
        let at = block.first + i;
        if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some(last) = steps.last_mut() {
                trim_trailing_blank(last);
            }
            steps.push(Step {
                line: at,
                command: cmd.to_owned(),
                status: 0,
                expected: Vec::new(),
                body: (at + 1, at + 1),
            });
            in_command = true;
            continue;
        }
        let Some(step) = steps.last_mut() else {
            return Err(format!(
                "{}:{}: a console block must start with a `$ ` line",
                page.path,
                at + 1
            ));
        };
        if in_command {
            if let Some(more) = line.strip_prefix("> ") {
                step.command.push('\n');
                step.command.push_str(more);
                step.body = (at + 1, at + 1);
                continue;
            }
            if let Some(code) = line.strip_prefix("? ") {
                step.status = code.trim().parse().map_err(|_| {
                    format!("{}:{}: `? {code}` is not an exit code", page.path, at + 1)
                })?;
                step.body.1 = at + 1;
                in_command = false;
                continue;
            }
        }
        in_command = false;
        step.expected.push(line.clone());
        step.body.1 = at + 1;
    }
    if let Some(last) = steps.last_mut() {
        trim_trailing_blank(last);
    }
    Ok(steps)
}

fn trim_trailing_blank(step: &mut Step) {
    while step.expected.last().is_some_and(|l| l.trim().is_empty()) {
        step.expected.pop();
        step.body.1 -= 1;
    }
}

/// What a command printed, and how it ended.
struct Ran {
    output: Vec<String>,
    status: i32,
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for fixture in FIXTURES {
        copy_tree(&root().join(fixture), &dir.path().join(fixture));
    }
    fs::create_dir(dir.path().join("home")).unwrap();
    dir
}

/// Runs one command with bash in `dir`, the built stackgen first on PATH,
/// stderr into the same pipe as stdout (so the two keep their order).
fn run(dir: &Path, command: &str) -> Ran {
    let bin = Path::new(env!("CARGO_BIN_EXE_stackgen"));
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        bin.parent().unwrap().display()
    );
    let mut child = Command::new("bash")
        .args(["--noprofile", "--norc", "-c"])
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir.join("home"))
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`{command}` took more than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let bytes = reader.join().unwrap();
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    // Temporary paths never reach the page.
    for form in [dir.canonicalize().unwrap(), dir.to_owned()] {
        text = text.replace(&*form.to_string_lossy(), "[CWD]");
    }
    let mut output: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while output.last().is_some_and(String::is_empty) {
        output.pop();
    }
    Ran {
        output,
        status: status.code().unwrap_or(128),
    }
}

/// Does `actual` match `expected`, where an expected line `...` matches any
/// number of lines and `[..]` any text within a line? Trailing spaces are
/// ignored on both sides.
fn matches(expected: &[String], actual: &[String]) -> bool {
    fn line(pattern: &str, text: &str) -> bool {
        let pattern = pattern.trim_end();
        let mut parts = pattern.split("[..]");
        let first = parts.next().unwrap_or_default();
        let Some(mut rest) = text.strip_prefix(first) else {
            return false;
        };
        let parts: Vec<&str> = parts.collect();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                return rest.ends_with(part);
            }
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        rest.is_empty()
    }
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, more)) if first.trim_end() == "..." => {
            (0..=actual.len()).any(|skip| matches(more, &actual[skip..]))
        }
        Some((first, more)) => actual
            .split_first()
            .is_some_and(|(a, rest)| line(first, a) && matches(more, rest)),
    }
}

fn has_wildcards(lines: &[String]) -> bool {
    lines
        .iter()
        .any(|l| l.trim_end() == "..." || l.contains("[..]"))
}

fn is_console(info: &str) -> bool {
    info.split(',').next() == Some("console")
}

fn is_ignored(info: &str) -> bool {
    info.split(',').skip(1).any(|a| a.trim() == "ignore")
}

/// The words of a command from `stackgen` on (an environment assignment or
/// a `cd x &&` before it is left out), or None when it does not run stackgen.
fn stackgen_words(command: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "stackgen")?;
    Some(words[at..].to_vec())
}

/// A line of a block that is a stackgen command (`stackgen ...`, `$ stackgen ...`).
fn is_command_line(line: &str) -> bool {
    let line = line.trim_start();
    let line = line.strip_prefix("$ ").unwrap_or(line).trim_start();
    line == "stackgen" || line.starts_with("stackgen ")
}

fn is_placeholder(word: &str) -> bool {
    if word.contains('<') || word.contains('[') || word.contains('…') || word.contains("...") {
        return true;
    }
    let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    !bare.is_empty()
        && bare.starts_with(|c: char| c.is_ascii_uppercase())
        && bare
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The flags a synopsis names (`[--rate R | --speed X]` gives `--rate`,
/// `--speed`), up to a pipe into another program (a `|` outside brackets).
fn flags(words: &[&str]) -> Vec<String> {
    let (mut opened, mut closed) = (0, 0);
    let mut found = Vec::new();
    for word in words {
        if *word == "|" && opened <= closed {
            break;
        }
        opened += word.matches('[').count();
        closed += word.matches(']').count();
        for part in word.split('|') {
            let part = part.trim_matches(|c: char| "[]()<>,.\\".contains(c));
            if part.starts_with('-') && part.len() > 1 {
                found.push(part.split('=').next().unwrap().to_owned());
            }
        }
    }
    found
}

/// Every flag `stackgen [SUB] --help` lists.
fn help_flags(sub: Option<&str>) -> BTreeSet<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stackgen"));
    if let Some(sub) = sub {
        cmd.arg(sub);
    }
    let out = cmd.arg("--help").output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| "[]()<>`.".contains(c)))
        .filter(|w| w.starts_with('-') && w.len() > 1)
        .map(|w| w.split('=').next().unwrap().to_owned())
        .collect()
}

const SUBCOMMANDS: &[&str] = &[
    "render",
    "validate",
    "review",
    "grade",
    "plan",
    "replay",
    "simulate",
    "status",
    "sweep",
    "schema",
    "init",
    "completions",
    "man",
];

/// What running the pages found.
#[derive(Default)]
struct Book {
    overwrite: bool,
    failures: Vec<String>,
    /// The words of every stackgen command run, or shown in a listed
    /// `console,ignore` block.
    shown: Vec<Vec<String>>,
    /// The NOT_RUN entries found: (page, first command).
    not_run_seen: BTreeSet<(String, String)>,
    steps_run: usize,
    stackgen_run: usize,
    helps: BTreeMap<Option<&'static str>, BTreeSet<String>>,
}

impl Book {
    fn note_shown(&mut self, command: &str) {
        if let Some(words) = stackgen_words(command) {
            self.shown
                .push(words.iter().map(|w| (*w).to_owned()).collect());
        }
    }

    /// A block that is not `console`: it may hold no stackgen command.
    fn plain_block(&mut self, page: &Page, block: &Block) {
        for (i, line) in block.lines.iter().enumerate() {
            if is_command_line(line) {
                self.failures.push(format!(
                    "{}:{}: a stackgen command outside a console block (make the block \
                     `console` so it runs, or `console,ignore` and list it in NOT_RUN): {}",
                    page.path,
                    block.first + i + 1,
                    line.trim()
                ));
            }
        }
    }

    /// A `console,ignore` block: shown, not run, and listed in NOT_RUN.
    fn ignored_block(&mut self, page: &Page, block: &Block, steps: &[Step]) {
        let first = steps.first().map(|s| s.command.clone()).unwrap_or_default();
        if NOT_RUN
            .iter()
            .any(|(p, c, _)| *p == page.path && *c == first)
        {
            self.not_run_seen.insert((page.path.clone(), first));
            // Listed, so a sentence may name these commands too.
            for step in steps {
                self.note_shown(&step.command);
            }
        } else {
            self.failures.push(format!(
                "{}:{}: a `console,ignore` block not listed in NOT_RUN (tests/book.rs): {first}",
                page.path, block.first
            ));
        }
    }

    /// Runs a console block's steps in `dir`; returns the page edits that
    /// overwriting asks for.
    fn run_block(
        &mut self,
        page: &Page,
        block: &Block,
        steps: Vec<Step>,
        dir: &Path,
    ) -> Vec<((usize, usize), Vec<String>)> {
        let mut edits = Vec::new();
        for step in steps {
            let ran = run(dir, &step.command);
            self.steps_run += 1;
            if stackgen_words(&step.command).is_some() {
                self.stackgen_run += 1;
                self.note_shown(&step.command);
            }
            if ran.status == step.status && matches(&step.expected, &ran.output) {
                continue;
            }
            let mut report = mismatch(page, &step, &ran);
            if self.overwrite && has_wildcards(&step.expected) {
                report.push_str("  (not overwritten: the expected output has `...` or `[..]`)\n");
            } else if self.overwrite {
                let pad = " ".repeat(block.indent);
                let mut body: Vec<String> = Vec::new();
                if ran.status != 0 {
                    body.push(format!("{pad}? {}", ran.status));
                }
                body.extend(ran.output.iter().map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!("{pad}{l}")
                    }
                }));
                edits.push((step.body, body));
            }
            self.failures.push(report);
        }
        edits
    }

    fn page(&mut self, page: &Page) {
        let (blocks, spans) = parse(page);
        let mut edits = Vec::new();
        let mut sandbox_dir: Option<tempfile::TempDir> = None;
        for block in &blocks {
            if !is_console(&block.info) {
                self.plain_block(page, block);
                continue;
            }
            let steps = match steps(page, block) {
                Ok(s) => s,
                Err(e) => {
                    self.failures.push(e);
                    continue;
                }
            };
            if is_ignored(&block.info) {
                self.ignored_block(page, block, &steps);
            } else if block.info == "console" {
                let dir = sandbox_dir.get_or_insert_with(sandbox).path().to_owned();
                edits.extend(self.run_block(page, block, steps, &dir));
            } else {
                self.failures.push(format!(
                    "{}:{}: `{}`: a console block is `console` (run) or `console,ignore`",
                    page.path, block.first, block.info
                ));
            }
        }
        if !edits.is_empty() {
            let mut lines: Vec<String> = page.text.split('\n').map(str::to_owned).collect();
            edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.0));
            for ((from, to), body) in edits {
                lines.splice(from..to, body);
            }
            fs::write(root().join(&page.path), lines.join("\n")).unwrap();
        }
        for span in spans {
            self.synopsis(page, &span);
        }
    }

    /// Inline commands that are not synopses must be (the start of) a
    /// command shown in a block.
    fn inline_commands(&mut self, page: &Page) {
        for span in parse(page).1 {
            let words: Vec<&str> = span.text.split_whitespace().collect();
            if words.first() != Some(&"stackgen") || words.len() < 2 {
                continue;
            }
            if words.iter().any(|w| is_placeholder(w)) {
                continue;
            }
            let shown = self
                .shown
                .iter()
                .any(|c| c.len() >= words.len() && c.iter().zip(&words).all(|(a, b)| a == b));
            if !shown {
                self.failures.push(format!(
                    "{}:{}: `{}` is written as a command, but no console block runs it \
                     (run it in a block, or write it as a synopsis: `stackgen render SPEC -o DIR`)",
                    page.path, span.line, span.text
                ));
            }
        }
    }
}

/// How a step's run differs from its page: the exit codes and a diff.
fn mismatch(page: &Page, step: &Step, ran: &Ran) -> String {
    let mut report = format!("{}:{}: `{}`\n", page.path, step.line + 1, step.command);
    if ran.status != step.status {
        let _ = writeln!(
            report,
            "  exit code {} (the page says {})",
            ran.status, step.status
        );
    }
    // Each line ends with its newline, so the diff shows none missing.
    let expected = step.expected.join("\n") + "\n";
    let actual = ran.output.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let _ = write!(
        report,
        "{}",
        diff.unified_diff()
            .header("the page", "the binary")
            .context_radius(3)
    );
    report
}

/// The README's and the book's examples, run; plus the check that no
/// stackgen command is shown outside them.
#[test]
fn every_command_in_the_book_runs() {
    let mut book = Book {
        overwrite: std::env::var("STACKGEN_BOOK").is_ok_and(|v| v == "overwrite"),
        ..Book::default()
    };
    let pages = pages();
    for page in &pages {
        book.page(page);
    }
    for page in &pages {
        book.inline_commands(page);
    }
    for (page, command, _) in NOT_RUN {
        if !book
            .not_run_seen
            .contains(&((*page).to_owned(), (*command).to_owned()))
        {
            book.failures.push(format!(
                "NOT_RUN lists `{command}` on {page}, which has no such `console,ignore` block"
            ));
        }
    }
    eprintln!(
        "book: {} commands run ({} of them stackgen) on {} pages; not run:",
        book.steps_run,
        book.stackgen_run,
        pages.len()
    );
    for (page, command, why) in NOT_RUN {
        eprintln!("  {page}: `{command}`: {why}");
    }
    assert!(
        book.failures.is_empty(),
        "{} problems in the book's examples{}:\n\n{}",
        book.failures.len(),
        if book.overwrite {
            " (outputs without wildcards were overwritten; review with git diff)"
        } else {
            " (STACKGEN_BOOK=overwrite accepts new outputs)"
        },
        book.failures.join("\n")
    );
    assert!(book.stackgen_run > 0, "no command ran");
}

impl Book {
    /// A synopsis's flags must be ones the command has.
    fn synopsis(&mut self, page: &Page, span: &Span) {
        let words: Vec<&str> = span.text.split_whitespace().collect();
        if words.first() != Some(&"stackgen") || !words.iter().any(|w| is_placeholder(w)) {
            return;
        }
        let sub = words
            .get(1)
            .and_then(|w| SUBCOMMANDS.iter().copied().find(|s| s == w));
        let known = self.helps.entry(sub).or_insert_with(|| help_flags(sub));
        for flag in flags(&words) {
            if !known.contains(&flag) {
                self.failures.push(format!(
                    "{}:{}: `{}` names {flag}, which `stackgen {}--help` does not list",
                    page.path,
                    span.line,
                    span.text,
                    sub.map(|s| format!("{s} ")).unwrap_or_default()
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The reference covers what the binary has.

/// Every code span of a page.
fn code_spans(page: &str) -> BTreeSet<String> {
    let page = Page {
        path: page.to_owned(),
        text: fs::read_to_string(root().join(page)).unwrap(),
    };
    parse(&page).1.into_iter().map(|s| s.text).collect()
}

fn stackgen_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_stackgen"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "stackgen {args:?} failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The dotted paths of every property a JSON Schema describes (`stream.shard_count`;
/// an array's items as `students[].name`), following `$ref`s, `allOf`,
/// `anyOf` and `oneOf`; `skip` names properties not to descend into.
fn schema_paths(schema: &serde_json::Value, skip: &[&str]) -> BTreeSet<String> {
    fn resolve<'a>(
        root: &'a serde_json::Value,
        node: &'a serde_json::Value,
    ) -> &'a serde_json::Value {
        match node.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                resolve(root, &root["definitions"][name])
            }
            None => node,
        }
    }
    fn walk(
        root: &serde_json::Value,
        node: &serde_json::Value,
        prefix: &str,
        skip: &[&str],
        out: &mut BTreeSet<String>,
    ) {
        let node = resolve(root, node);
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            for (key, value) in props {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                if !skip.contains(&path.as_str()) {
                    walk(root, value, &path, skip, out);
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = node.get(key).and_then(|l| l.as_array()) {
                for item in list {
                    walk(root, item, prefix, skip, out);
                }
            }
        }
        if let Some(items) = node.get("items") {
            walk(root, items, &format!("{prefix}[]"), skip, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(schema, schema, "", skip, &mut out);
    out
}

fn assert_documented(page: &str, wanted: &BTreeSet<String>, what: &str) {
    let spans = code_spans(page);
    let missing: Vec<&String> = wanted.iter().filter(|w| !spans.contains(*w)).collect();
    assert!(
        missing.is_empty(),
        "{page} does not document these {what} (as `code`): {missing:?}"
    );
}

#[test]
fn the_reference_has_every_key_of_the_student_class_and_edition_files() {
    let student = schema_paths(&stackgen_json(&["schema"]), &[]);
    assert!(student.contains("stream.shard_count"), "{student:?}");
    assert_documented(
        "docs/src/reference/student-file.md",
        &student,
        "student-file keys",
    );

    // A class's `defaults` holds student-file keys, documented there.
    let class = schema_paths(&stackgen_json(&["schema", "--class"]), &["defaults"]);
    assert!(class.contains("students[].initials"), "{class:?}");
    assert_documented(
        "docs/src/reference/class-file.md",
        &class,
        "class-file keys",
    );

    let edition_schema = stackgen_json(&["schema", "--edition"]);
    let mut edition = schema_paths(&edition_schema, &[]);
    // And every part an edition can list.
    for part in edition_schema["definitions"]["PartId"]["oneOf"]
        .as_array()
        .unwrap()
    {
        for id in part["enum"].as_array().unwrap() {
            edition.insert(id.as_str().unwrap().to_owned());
        }
    }
    assert_documented(
        "docs/src/reference/edition-file.md",
        &edition,
        "edition-file keys and parts",
    );
}

#[test]
fn the_reference_has_every_field_of_the_plan() {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for example in [
        "examples/modern.yaml",
        "examples/jk-12345.yaml",
        "examples/uam-2025.yaml",
        "examples/learner-lab.yaml",
    ] {
        let plan = stackgen_json(&["plan", example]);
        let top = plan.as_object().unwrap();
        for (key, value) in top {
            keys.insert(key.clone());
            let children: Vec<&serde_json::Value> = match key.as_str() {
                "features" | "zones" | "generator" => vec![value],
                "roles" => value.as_object().unwrap().values().collect(),
                "queries" | "parts" => value.as_array().unwrap().iter().collect(),
                _ => Vec::new(),
            };
            for child in children {
                for field in child.as_object().unwrap().keys() {
                    keys.insert(format!("{key}.{field}"));
                }
            }
        }
    }
    let spans = code_spans("docs/src/reference/plan.md");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| {
            let leaf = k.rsplit('.').next().unwrap();
            !spans.contains(*k) && !spans.contains(leaf)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/src/reference/plan.md does not document these plan fields (as `code`): {missing:?}"
    );
}

/// Every page of docs/src is in SUMMARY.md (mdbook leaves a page it does not
/// list out of the book, and its examples would run unseen).
#[test]
fn every_page_is_in_the_summary() {
    let summary = fs::read_to_string(root().join("docs/src/SUMMARY.md")).unwrap();
    let listed: BTreeSet<String> = Parser::new(&summary)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect();
    let mut missing = Vec::new();
    for page in pages() {
        let Some(rel) = page.path.strip_prefix("docs/src/") else {
            continue;
        };
        if rel != "SUMMARY.md" && !listed.contains(rel) {
            missing.push(rel.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/src/SUMMARY.md: {missing:?}"
    );
}

/// Every relative link of the README and the book finds its file, and a
/// link to a heading (`page.md#heading`, `#heading`) finds the heading:
/// mdbook-linkcheck2 checks the book's pages, not headings, and not the
/// README. Ids are mdbook's: the heading's text in lower case, spaces as
/// `-`, other punctuation dropped, a repeated id suffixed `-1`, `-2`.
#[test]
fn every_link_finds_its_page_and_heading() {
    fn ids(text: &str) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut heading: Option<String> = None;
        for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
                Event::Text(t) | Event::Code(t) => {
                    if let Some(h) = heading.as_mut() {
                        h.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    let h = heading.take().unwrap();
                    let id: String = h
                        .trim()
                        .chars()
                        .filter_map(|c| {
                            if c.is_alphanumeric() || c == '_' || c == '-' {
                                Some(c.to_lowercase().next().unwrap())
                            } else if c.is_whitespace() {
                                Some('-')
                            } else {
                                None
                            }
                        })
                        .collect();
                    let n = counts.entry(id.clone()).or_default();
                    ids.insert(if *n == 0 {
                        id.clone()
                    } else {
                        format!("{id}-{n}")
                    });
                    *n += 1;
                }
                _ => {}
            }
        }
        ids
    }
    let mut broken = Vec::new();
    let mut links = 0;
    for page in pages() {
        let path = root().join(&page.path);
        for event in Parser::new_ext(&page.text, Options::ENABLE_TABLES) {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                continue;
            };
            if dest_url.contains("://") || dest_url.starts_with("mailto:") {
                continue;
            }
            links += 1;
            let (file, anchor) = dest_url.split_once('#').unwrap_or((&dest_url, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                normalize(&path.parent().unwrap().join(file))
            };
            if !target.exists() {
                broken.push(format!("{}: {dest_url} (no such file)", page.path));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let text = fs::read_to_string(&target).unwrap();
            if !ids(&expanded(&target, &text)).contains(anchor) {
                broken.push(format!("{}: {dest_url} (no such heading)", page.path));
            }
        }
    }
    assert!(links > 50, "only {links} links found");
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
