//! The evaluator of `stackgen grade --code` on arbitrary text: any input is
//! either evaluated or refused with SG804, never a panic, a stack overflow
//! or a hang. The bytes are a `.tf` file and, after the first NUL, a
//! `terraform.tfvars`; what is evaluated is then graded against a fixed
//! student, so the checks meet hostile values too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stackgen::grade::source::code::{parse_text, Account};
use stackgen::grade::source::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tf, tfvars) = text.split_once('\0').unwrap_or((text, ""));
    let account = Account {
        account_id: "100603781557".to_owned(),
        region: "us-east-1".to_owned(),
    };
    if let Ok(observed) = parse_text(&[("main.tf", tf)], tfvars, &account) {
        let _ = stackgen::grade(&spec(), &observed, Source::Code);
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
