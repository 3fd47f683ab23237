//! What several commands share: loading a student or class file with its
//! diagnostics printed, the exit code of a failure, rendering in memory
//! with a progress bar, reading the trade CSV, the pacing options, and the
//! clock and students of `status` and `sweep`.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use stackgen::base::diagnostic::{summary, Diagnostic};
use stackgen::input::load::{self, Kind, Source};
use stackgen::lab::replay::{self as replay_lib, Pacing};
use stackgen::live::look::{Member, Session, Survey};
use stackgen::output::emit::Files;
use stackgen::output::summary::CsvStyle;
use stackgen::stack::Stack;
use stackgen::validate::class::Class;
use stackgen::RenderError;

use super::Verbosity;
use crate::{EXIT_INVALID, EXIT_IO};

/// A loaded input: one student, or a class with its roster.
pub enum Input {
    Student(Box<stackgen::Checked>),
    Class(Class),
}

/// Everything needed to report on an input: its sources and its name.
pub struct Loaded {
    pub sources: Vec<Source>,
    pub name: String,
    pub input: Input,
}

impl Loaded {
    pub fn warnings(&self) -> &[Diagnostic] {
        match &self.input {
            Input::Student(c) => &c.warnings,
            Input::Class(c) => &c.warnings,
        }
    }
}

/// Reads, parses and validates a student or class file, printing the
/// diagnostics and choosing the exit code when it is invalid.
pub fn load(spec: &Path, v: &Verbosity) -> Result<Loaded, ExitCode> {
    load_ci(spec, v, None)
}

/// `load`, with the CI pipeline `render --ci` asks for: a class gets it
/// (the kind chosen over its `ci:`); a student file is refused.
pub fn load_ci(
    spec: &Path,
    v: &Verbosity,
    ci: Option<stackgen::base::model::CiKind>,
) -> Result<Loaded, ExitCode> {
    let source = Source::read(spec).map_err(|e| {
        errln!("error: cannot read `{}`: {e}", spec.display());
        ExitCode::from(if e.is_invalid_input() {
            EXIT_INVALID
        } else {
            EXIT_IO
        })
    })?;
    let name = file_name(spec);
    let kind = match load::kind(&source) {
        Ok(k) => k,
        Err(found) => return Err(fail(&[source], &RenderError::Invalid(found), v)),
    };
    if ci.is_some() && kind == Kind::Student {
        errln!(
            "error: `--ci` writes a class's pipeline, and `{}` is a student file; render the class file instead",
            spec.display()
        );
        return Err(ExitCode::from(EXIT_INVALID));
    }
    let (result, roster) = match kind {
        Kind::Student => (
            stackgen::check(&source).map(|c| Input::Student(Box::new(c))),
            None,
        ),
        Kind::Class => {
            let base = spec.parent().unwrap_or(Path::new("."));
            let (result, roster) = stackgen::check_class_ci(&source, base, ci);
            (result.map(Input::Class), roster)
        }
    };
    let mut sources = vec![source];
    sources.extend(roster);
    match result {
        Ok(input) => {
            let loaded = Loaded {
                sources,
                name,
                input,
            };
            report(&loaded.sources, loaded.warnings(), v);
            Ok(loaded)
        }
        Err(e) => Err(fail(&sources, &e, v)),
    }
}

/// A checkpoint (`--through N`): every stack of the input keeps the parts
/// of exercises 1 to N. N must be one of the edition's exercises.
pub fn apply_through(loaded: &mut Loaded, through: Option<u8>) -> Result<(), ExitCode> {
    let Some(n) = through else {
        return Ok(());
    };
    let specs: Vec<&mut stackgen::base::model::StudentSpec> = match &mut loaded.input {
        Input::Student(c) => vec![&mut c.spec],
        Input::Class(c) => c.members.iter_mut().map(|m| &mut m.spec).collect(),
    };
    for spec in specs {
        let edition = spec.edition();
        let last = edition.last_exercise();
        if n > last {
            errln!(
                "error: --through {n}: the edition `{}` of {} has exercises 1 to {last}",
                edition.name,
                loaded.name
            );
            return Err(ExitCode::from(EXIT_INVALID));
        }
        spec.through = Some(n);
    }
    Ok(())
}

/// The clap parser of `--through`: an exercise number, from 1.
pub fn exercise(text: &str) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{text}` is not an exercise number (1, 2, ...)")),
    }
}

/// The student of a class that `--student` names (index number or
/// directory), or the single student. `whose` says what is being picked
/// ("whose stream").
pub fn pick_student<'a>(
    loaded: &'a Loaded,
    student: Option<&str>,
    whose: &str,
) -> Result<&'a stackgen::base::model::StudentSpec, ExitCode> {
    match (&loaded.input, student) {
        (Input::Student(c), None) => Ok(&c.spec),
        (Input::Student(_), Some(_)) => {
            errln!(
                "error: --student picks a student of a class, and {} is one student's file",
                loaded.name
            );
            Err(ExitCode::from(EXIT_INVALID))
        }
        (Input::Class(c), wanted) => {
            let found = wanted.and_then(|w| {
                c.members
                    .iter()
                    .find(|m| m.spec.student.index_no == w || m.dir == w)
            });
            found.map(|m| &m.spec).ok_or_else(|| {
                let known: Vec<&str> = c
                    .members
                    .iter()
                    .map(|m| m.spec.student.index_no.as_str())
                    .collect();
                match wanted {
                    None => errln!(
                        "error: {} is a class: say {whose} with --student INDEX (one of {})",
                        loaded.name,
                        known.join(", ")
                    ),
                    Some(w) => errln!(
                        "error: no student `{w}` in {} (index numbers: {})",
                        loaded.name,
                        known.join(", ")
                    ),
                }
                ExitCode::from(EXIT_INVALID)
            })
        }
    }
}

/// The input's file name, used in generated headers so the output does not
/// depend on where the input or the output lives.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `2 errors, 1 warning` of what is printed, and how many `--allow` hid.
pub fn shown_summary(diagnostics: &[Diagnostic], v: &Verbosity) -> String {
    let allowed = diagnostics
        .iter()
        .filter(|d| !d.is_error() && v.allow.contains(&d.code))
        .count();
    let shown: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !v.allow.contains(&d.code))
        .cloned()
        .collect();
    if allowed == 0 {
        summary(&shown)
    } else {
        format!("{}, {allowed} allowed", summary(&shown))
    }
}

/// Prints the diagnostics `v` lets through.
fn report(sources: &[Source], diagnostics: &[Diagnostic], v: &Verbosity) {
    for d in diagnostics.iter().filter(|d| v.shows(d)) {
        errln!("{}", load::render_in(sources, d));
    }
}

/// Prints what went wrong and picks the exit code.
pub fn fail(sources: &[Source], error: &RenderError, v: &Verbosity) -> ExitCode {
    match error {
        RenderError::Invalid(found) => {
            report(sources, found, v);
            errln!(
                "{}: {} is invalid; nothing was written",
                shown_summary(found, v),
                sources[0].name
            );
            ExitCode::from(EXIT_INVALID)
        }
        RenderError::Internal(message) => {
            errln!("error: {message}\nThis is a bug in stackgen; please report it with the input file.");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// Renders a loaded input in memory (link check included).
pub fn render_files(loaded: &Loaded, csv: CsvStyle, v: &Verbosity) -> Result<Files, ExitCode> {
    let result = match &loaded.input {
        Input::Student(checked) => stackgen::render(&checked.spec, &loaded.name),
        Input::Class(class) => {
            let bar = progress_bar(class.members.len(), v, "rendering");
            let result = stackgen::render_class_in(class, &loaded.name, csv, &|| bar.inc(1));
            bar.finish_and_clear();
            result
        }
    };
    result.map_err(|e| fail(&loaded.sources, &e, v))
}

/// A progress bar on a terminal for classes big enough to wait for;
/// hidden otherwise.
pub fn progress_bar(len: usize, v: &Verbosity, doing: &str) -> ProgressBar {
    if v.quiet || len < 50 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{doing} {{bar:40}} {{pos}}/{{len}} students ({{eta}})"
        ))
        .expect("the template is valid"),
    );
    bar
}

pub fn read_trades(data: &Path) -> Result<Vec<replay_lib::Trade>, ExitCode> {
    replay_lib::trades::read(data).map_err(|e| {
        errln!("error: {e}");
        ExitCode::from(match e {
            replay_lib::trades::TradesError::Io { .. } => EXIT_IO,
            _ => EXIT_INVALID,
        })
    })
}

/// `--rate` or `--speed`; neither: what the spec's generator settings say.
#[derive(clap::Args, Clone, Copy)]
pub struct PacingArgs {
    /// Records per second (the i-th record is due at i/R s).
    #[arg(long, value_name = "R", value_parser = positive, conflicts_with = "speed")]
    pub rate: Option<f64>,
    /// Event time divided by X (the course generator's -s X): a trade is
    /// due at (ts - ts0)/X s.
    #[arg(long, value_name = "X", value_parser = positive)]
    pub speed: Option<f64>,
}

impl PacingArgs {
    pub fn pacing(self) -> Option<Pacing> {
        self.rate
            .map(Pacing::Rate)
            .or(self.speed.map(Pacing::Speed))
    }
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

/// The clock of `status` and `sweep`: `STACKGEN_NOW` (RFC 3339) when it is
/// set, else the system's (see `live::clock`).
pub fn clock() -> Result<aws_smithy_types::DateTime, ExitCode> {
    use stackgen::live::clock::{now, NOW_VARIABLE};
    let setting = std::env::var(NOW_VARIABLE).ok();
    now(setting.as_deref()).map_err(|e| {
        errln!("error: {e}");
        ExitCode::from(EXIT_INVALID)
    })
}

/// The students of a loaded input with their stacks, as `status` and
/// `sweep` look at them; a student file's student is named like a class
/// member's directory (`12345-jk`).
pub fn live_members(loaded: &Loaded) -> Vec<Member> {
    match &loaded.input {
        Input::Student(c) => vec![Member {
            dir: format!("{}-{}", c.spec.student.index_no, c.spec.student.initials),
            stack: Stack::new(&c.spec, &c.spec.edition()),
        }],
        Input::Class(c) => c
            .members
            .iter()
            .map(|m| Member {
                dir: m.dir.clone(),
                stack: Stack::new(&m.spec, &m.spec.edition()),
            })
            .collect(),
    }
}

/// What `status` and `sweep` both start from: the file's students with
/// their stacks, a session with the credentials, and what AWS shows of
/// each student's hourly-billed parts now.
pub fn live_survey(
    spec: &Path,
    profile: Option<&str>,
    v: &Verbosity,
) -> Result<(Vec<Member>, Session, Survey), ExitCode> {
    let now = clock()?;
    let loaded = load(spec, v)?;
    let members = live_members(&loaded);
    let mut session = Session::new(profile).map_err(|e| {
        errln!("error: {e}");
        ExitCode::from(EXIT_IO)
    })?;
    let survey = session.survey(&members, now);
    Ok((members, session, survey))
}
