//! The readers of `stackgen grade --state` and `--plan` on arbitrary bytes:
//! any input is either read or refused with a diagnostic (SG801 to SG803),
//! never a panic, a stack overflow or a hang. What is read is then graded
//! against a fixed student, so the checks meet hostile values too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stackgen::grade::source::{parse, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for source in [Source::State, Source::Plan] {
        if let Ok(observed) = parse(source, "fuzz.json", text, &stackgen::grade::wanted) {
            let spec = spec();
            let _ = stackgen::grade(&spec, &observed, source);
        }
    }
});

fn spec() -> stackgen::base::model::StudentSpec {
    static SPEC: std::sync::OnceLock<stackgen::base::model::StudentSpec> =
        std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let text = "target: classic\nstudent: {name: Jan Kowalski, initials: jk, index_no: \"12345\"}\naccount_id: \"100603781557\"\n";
        stackgen::check(&stackgen::input::load::Source::new("fuzz.yaml", text))
            .expect("the fuzz student is valid")
            .spec
    })
    .clone()
}
