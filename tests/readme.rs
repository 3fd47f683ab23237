//! The generated README.md files read back with a real CommonMark parser
//! (pulldown-cmark, with GitHub's tables) and their commands run by a real
//! shell: values a user typed stay literal wherever they land, every table
//! row has its header's cells, the replay line is one command with the
//! student file's own arguments, and the cost lines add up to the total.

use std::path::Path;
use std::process::Command;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use stackgen::input::load::Source;

fn readme(yaml: &str) -> String {
    let source = Source::new("s.yaml", yaml);
    let checked = match stackgen::check(&source) {
        Ok(c) => c,
        Err(stackgen::RenderError::Invalid(found)) => {
            let text: Vec<String> = found.iter().map(|d| source.render(d)).collect();
            panic!("invalid:\n{}", text.join("\n"));
        }
        Err(e) => panic!("{e}"),
    };
    let files = stackgen::render(&checked.spec, "s.yaml").unwrap();
    String::from_utf8(files["README.md"].clone()).unwrap()
}

/// A classic student whose free-text paths hold every character Markdown,
/// HTML, tables and shells treat specially that validation lets through.
const HOSTILE: &str = r#"target: classic
student: {name: "Anna Nowak-Kowalska", initials: an, index_no: "12346"}
account_id: "100603781557"
lambda:
  layer_zip: "lambda/my `zip` | <i>*x*</i> #1.zip"
generator:
  input_csv: "dane | `x` <b>_y_ it's.csv"
"#;

fn events(text: &str) -> Vec<Event<'_>> {
    Parser::new_ext(text, Options::ENABLE_TABLES).collect()
}

#[test]
fn values_stay_literal_in_code_spans_and_no_html_gets_in() {
    let text = readme(HOSTILE);
    let events = events(&text);
    let code: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    for value in [
        "lambda/my `zip` | <i>*x*</i> #1.zip",
        "dane | `x` <b>_y_ it's.csv",
    ] {
        assert!(
            code.iter().any(|c| c == value),
            "no code span holds {value:?}: {code:?}"
        );
    }
    // The only HTML is the line break the parts table writes itself.
    let html: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Some(h.to_string()),
            _ => None,
        })
        .collect();
    assert!(!html.is_empty(), "the parts table should use <br>");
    assert!(html.iter().all(|h| h == "<br>"), "{html:?}");
}

#[test]
fn every_table_row_has_its_header_cells() {
    let text = readme(HOSTILE);
    let (mut tables, mut cells, mut widths) = (0, 0, Vec::new());
    let mut header = 0;
    for e in events(&text) {
        match e {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => {
                header = cells;
                cells = 0;
            }
            Event::End(TagEnd::TableRow) => {
                widths.push((header, cells));
                cells = 0;
            }
            _ => {}
        }
    }
    // What it is, its parts, the queries, the costs.
    assert_eq!(tables, 4, "{text}");
    for (header, row) in widths {
        assert_eq!(header, row, "a row split or merged cells:\n{text}");
    }
}

/// The fenced `sh` blocks of a README, in order.
fn shell_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for e in events(text) {
        match e {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "sh" => {
                current = Some(String::new());
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Runs `line` in bash with `stackgen` and `python` replaced by a function
/// that prints its arguments one per line.
fn arguments(line: &str) -> Vec<String> {
    let script = format!(
        "stackgen() {{ printf '%s\\n' stackgen \"$@\"; }}\npython() {{ printf '%s\\n' python \"$@\"; }}\n{line}"
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{line}: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_commands_are_one_shell_line_each_with_the_files_own_values() {
    let text = readme(HOSTILE);
    let blocks = shell_blocks(&text);
    let replay = blocks
        .iter()
        .find(|b| b.starts_with("stackgen replay"))
        .expect("a replay block");
    assert_eq!(
        arguments(replay),
        [
            "stackgen",
            "replay",
            "s.yaml",
            "--data",
            "dane | `x` <b>_y_ it's.csv"
        ]
    );
    let generator = blocks
        .iter()
        .find(|b| b.contains("generator.py"))
        .expect("a generator block");
    let args = arguments(generator);
    let i = args.iter().position(|a| a == "-i").expect("-i");
    assert_eq!(args[i + 1], "dane | `x` <b>_y_ it's.csv");
    assert!(blocks
        .iter()
        .any(|b| b == "terraform init\nterraform apply\n"));
    assert!(blocks.iter().any(|b| b == "terraform destroy\n"));
}

/// Ten-thousandths of a dollar from `0.1300`.
fn units(figure: &str) -> i64 {
    let (whole, frac) = figure.split_once('.').unwrap();
    whole.parse::<i64>().unwrap() * 10_000 + frac.parse::<i64>().unwrap()
}

#[test]
fn every_examples_cost_lines_add_up_to_its_total() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let source = Source::read(&path).unwrap();
        if stackgen::input::load::kind(&source).unwrap() != stackgen::input::load::Kind::Student {
            continue;
        }
        let spec = stackgen::check(&source).unwrap().spec;
        let files = stackgen::render(&spec, "x.yaml").unwrap();
        let text = String::from_utf8(files["README.md"].clone()).unwrap();
        let costs = text
            .split("| part | $ per hour | how |\n|---|---:|---|\n")
            .nth(1)
            .unwrap();
        let mut sum = 0;
        let mut total = None;
        for row in costs.lines().take_while(|l| l.starts_with('|')) {
            let cells: Vec<&str> = row.split(" | ").collect();
            if row.starts_with("| **total**") {
                total = Some(units(cells[1].trim_matches('*')));
            } else {
                sum += units(cells[1]);
            }
        }
        let total = total.expect("a total row");
        assert_eq!(sum, total, "{}", path.display());
        let bold = format!("**${}.{:04} per hour**", total / 10_000, total % 10_000);
        assert!(text.contains(&bold), "{}: {bold}", path.display());
        // The class summary's row for the same student is the same figure.
        let stack = stackgen::stack::Stack::new(&spec, &spec.edition());
        assert_eq!(
            stackgen::output::summary::ten_thousandths(stack.cost_per_hour()),
            total,
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 6, "{checked} examples");
}

#[test]
fn a_class_members_replay_line_names_the_student() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/class.yaml");
    let source = Source::read(&path).unwrap();
    let (class, _) = stackgen::check_class(&source, path.parent().unwrap());
    let class = class.unwrap_or_else(|_| panic!("examples/class.yaml is invalid"));
    let files = stackgen::render_class(&class, "class.yaml", &|| {}).unwrap();
    assert!(!class.members.is_empty());
    for m in &class.members {
        let text = String::from_utf8(files[&format!("{}/README.md", m.dir)].clone()).unwrap();
        let blocks = shell_blocks(&text);
        let replay = blocks
            .iter()
            .find(|b| b.starts_with("stackgen replay"))
            .expect("a replay block");
        assert_eq!(
            arguments(replay),
            [
                "stackgen",
                "replay",
                "class.yaml",
                "--data",
                stackgen::output::emit::readme::COURSE_TRADES_CSV,
                "--student",
                m.spec.student.index_no.as_str()
            ],
            "{}",
            m.dir
        );
    }
    // The root README links every member's own README.
    let root = String::from_utf8(files["README.md"].clone()).unwrap();
    let links: Vec<String> = events(&root)
        .into_iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = class
        .members
        .iter()
        .map(|m| format!("{}/README.md", m.dir))
        .collect();
    assert_eq!(links, expected);
}

/// The class root's loops visit every stack directory, and only those,
/// run from the output root. `terraform` is a fake here (a shell function
/// that records its directory and arguments): the loops are what is
/// tested, and a real apply needs an AWS API (tests/infra does that).
#[test]
fn the_class_loops_visit_every_stack_and_nothing_else() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/class.yaml");
    let source = Source::read(&path).unwrap();
    let (class, _) = stackgen::check_class(&source, path.parent().unwrap());
    let class = class.unwrap_or_else(|_| panic!("examples/class.yaml is invalid"));
    let files = stackgen::render_class(&class, "class.yaml", &|| {}).unwrap();
    let out = tempfile::tempdir().unwrap();
    for (name, bytes) in &files {
        let target = out.path().join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    // Not a stack: the loops must leave it alone.
    std::fs::create_dir(out.path().join("notes")).unwrap();
    std::fs::write(
        out.path().join("awswrangler-layer-2.7.0-py3.8.zip"),
        b"the course's zip",
    )
    .unwrap();
    let root = String::from_utf8(files["README.md"].clone()).unwrap();
    let blocks = shell_blocks(&root);
    assert_eq!(blocks.len(), 3, "copy, apply and destroy loops: {blocks:?}");
    let fake = "terraform() { printf '%s %s\\n' \"${PWD##*/}\" \"$*\" >>\"$LOG\"; }\n";
    let log = out.path().join("log");
    for block in &blocks {
        let status = Command::new("bash")
            .arg("-c")
            .arg(format!("set -e\n{fake}{block}"))
            .current_dir(out.path())
            .env("LOG", &log)
            .status()
            .unwrap();
        assert!(status.success(), "{block}");
    }
    let mut expected = Vec::new();
    for m in &class.members {
        expected.push(format!("{} init -input=false", m.dir));
        expected.push(format!("{} apply -auto-approve", m.dir));
    }
    for m in &class.members {
        expected.push(format!("{} destroy -auto-approve", m.dir));
    }
    let seen = std::fs::read_to_string(&log).unwrap();
    assert_eq!(seen.lines().collect::<Vec<_>>(), expected);
    for m in &class.members {
        let zip = out
            .path()
            .join(&m.dir)
            .join("lambda/awswrangler-layer-2.7.0-py3.8.zip");
        assert_eq!(
            std::fs::read(&zip).unwrap(),
            b"the course's zip",
            "{}",
            m.dir
        );
    }
    assert!(std::fs::read_dir(out.path().join("notes"))
        .unwrap()
        .next()
        .is_none());
}
