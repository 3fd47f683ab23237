//! Lays out rendered HCL the way `terraform fmt` does, so templates and the
//! `hcl` filter need not care about indentation or alignment.
//!
//! What it does, and all that it does:
//! - indents two spaces per open `{`, `[` or `(` (brackets inside strings,
//!   comments and heredoc bodies do not count);
//! - aligns the `=` of consecutive one-line attributes (`a   = 1`), the way
//!   `terraform fmt` does: an attribute whose value spans several lines
//!   ends the run and is not padded;
//! - trims trailing spaces and collapses runs of blank lines (left behind by
//!   template conditionals) into one; no blank line right after an opening
//!   brace or right before a closing one.
//!
//! `terraform fmt -check` in the test suite is the judge of whether this
//! matches.

/// Formats a whole HCL file.
pub fn format(source: &str) -> String {
    let lines = indent(source);
    let lines = align(lines);
    let mut out = String::with_capacity(source.len());
    for line in lines {
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}

#[derive(Debug)]
struct Line {
    text: String,
    /// For a one-line attribute: the byte length of the key (after the
    /// indentation) and where the ` = ` starts.
    assign: Option<usize>,
    /// Heredoc bodies and closing markers: they neither take part in
    /// alignment nor end a run (the heredoc belongs to its attribute line).
    transparent: bool,
}

fn indent(source: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    // Like `terraform fmt`: a line with more openers than closers indents
    // what follows by one level, however many brackets it opened; the
    // stack remembers how many each level stands for.
    let mut levels: Vec<usize> = Vec::new();
    let mut heredoc: Option<String> = None;
    for raw in source.lines() {
        let trimmed = raw.trim();
        if let Some(marker) = &heredoc {
            let depth = levels.len();
            if trimmed == marker {
                heredoc = None;
                out.push(heredoc_line(format!("{}{trimmed}", "  ".repeat(depth))));
            } else if trimmed.is_empty() {
                out.push(heredoc_line(String::new()));
            } else {
                out.push(heredoc_line(format!(
                    "{}{}",
                    "  ".repeat(depth + 1),
                    raw.trim_end()
                )));
            }
            continue;
        }
        if trimmed.is_empty() {
            let previous_blank_or_open = out
                .last()
                .is_none_or(|l| l.text.is_empty() || l.text.ends_with(['{', '[', '(']));
            if !previous_blank_or_open {
                out.push(plain_line(String::new()));
            }
            continue;
        }
        let scan = scan(trimmed);
        let net = scan.opens.cast_signed() - scan.closes.cast_signed();
        if net < 0 {
            while out.last().is_some_and(|l| l.text.is_empty()) {
                out.pop();
            }
            let mut closed = net.unsigned_abs();
            while closed > 0 {
                let Some(top) = levels.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    levels.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
        }
        let text = format!(
            "{}{}",
            "  ".repeat(levels.len()),
            normalize_assign(trimmed, &scan)
        );
        if net > 0 {
            levels.push(net.unsigned_abs());
        }
        let assign = match scan.assign {
            Some(_) if net == 0 => Some(text.find(" = ").expect("normalized attribute has ` = `")),
            _ => None,
        };
        out.push(Line {
            text,
            assign,
            transparent: false,
        });
        heredoc = scan.heredoc;
    }
    while out.last().is_some_and(|l| l.text.is_empty()) {
        out.pop();
    }
    out
}

fn plain_line(text: String) -> Line {
    Line {
        text,
        assign: None,
        transparent: false,
    }
}

fn heredoc_line(text: String) -> Line {
    Line {
        transparent: true,
        ..plain_line(text)
    }
}

/// `key=value`, `key   =   value` -> `key = value`.
fn normalize_assign(line: &str, scan: &Scan) -> String {
    match scan.assign {
        Some(at) => {
            let key = line[..at].trim_end();
            let value = line[at + 1..].trim_start();
            format!("{key} = {value}")
        }
        None => line.to_owned(),
    }
}

#[derive(Debug, Default)]
struct Scan {
    opens: usize,
    closes: usize,
    /// Byte offset of the attribute's `=`, if the line is `key = ...`.
    assign: Option<usize>,
    /// The closing marker of a heredoc this line opens.
    heredoc: Option<String>,
}

/// Counts brackets outside strings and comments, and finds an attribute's
/// `=` (only before any bracket, so `x = { a = 1 }` has one assignment).
fn scan(line: &str) -> Scan {
    let mut s = Scan::default();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    // Nesting of `${ ... }` inside a string: its braces are not layout.
    let mut interpolation = 0usize;
    let mut seen_bracket = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' if interpolation == 0 => in_string = false,
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                    interpolation += 1;
                    i += 1;
                }
                b'}' if interpolation > 0 => interpolation -= 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'#' => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'{' | b'[' | b'(' => {
                s.opens += 1;
                seen_bracket = true;
            }
            b'}' | b']' | b')' => {
                if s.opens > 0 {
                    s.opens -= 1;
                } else {
                    s.closes += 1;
                }
                seen_bracket = true;
            }
            b'=' if !seen_bracket
                && s.assign.is_none()
                && bytes.get(i + 1) != Some(&b'=')
                && i > 0
                && !matches!(bytes[i - 1], b'!' | b'<' | b'>' | b'=') =>
            {
                s.assign = Some(i);
            }
            b'<' if line[i..].starts_with("<<") => {
                let marker = line[i + 2..].trim_start_matches('-').trim();
                if !marker.is_empty()
                    && marker
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    s.heredoc = Some(marker.to_owned());
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    s
}

/// Pads the keys of each run of consecutive one-line attributes to the
/// same width.
fn align(mut lines: Vec<Line>) -> Vec<Line> {
    let mut start = 0;
    while start < lines.len() {
        if lines[start].assign.is_none() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < lines.len() && (lines[end].assign.is_some() || lines[end].transparent) {
            end += 1;
        }
        let width = lines[start..end]
            .iter()
            .filter_map(|l| l.assign)
            .max()
            .unwrap_or(0);
        for line in &mut lines[start..end] {
            if let Some(at) = line.assign.filter(|at| *at < width) {
                line.text.insert_str(at, &" ".repeat(width - at));
            }
        }
        start = end;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn indents_and_aligns_like_terraform_fmt() {
        let input = "resource \"x\" \"y\" {\nname=\"a\"\nshard_count = 1\ntags = {\nA = \"1\"\nLonger = \"2\"\n}\n\n\n}\n";
        let expected = "resource \"x\" \"y\" {\n  name        = \"a\"\n  shard_count = 1\n  tags = {\n    A      = \"1\"\n    Longer = \"2\"\n  }\n}\n";
        assert_eq!(format(input), expected);
    }

    #[test]
    fn brackets_in_strings_and_interpolations_do_not_indent() {
        let input = "a {\nb = \"${c.d}/{x\"\nc = \"[\"\n}\n";
        assert_eq!(format(input), "a {\n  b = \"${c.d}/{x\"\n  c = \"[\"\n}\n");
    }

    #[test]
    fn heredoc_bodies_are_kept_and_indented_once() {
        let input = "a {\nq = <<-EOT\nSELECT {\n  x\nEOT\nlonger = 1\n}\n";
        assert_eq!(
            format(input),
            "a {\n  q      = <<-EOT\n    SELECT {\n      x\n  EOT\n  longer = 1\n}\n"
        );
    }

    #[test]
    fn no_blank_lines_inside_brace_edges() {
        let input = "a {\n\n\nb = 1\n\n}\n\n\nc {\n}\n";
        assert_eq!(format(input), "a {\n  b = 1\n}\n\nc {\n}\n");
    }
}
