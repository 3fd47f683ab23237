//! `region`: a real AWS region code.
//!
//! Why: a misspelt region fails only when Terraform first calls AWS.
//! Example: `us-east-1`; `us-est-1` gets "did you mean `us-east-1`?".

use crate::base::aws;
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::suggest;

pub fn check(region: &str) -> Option<Diagnostic> {
    check_field(Code::SG102, "region", region)
}

/// The same rule for another field holding a region code (the state
/// bucket's, SG402), under that field's own code.
pub fn check_field(code: Code, field: &str, region: &str) -> Option<Diagnostic> {
    if aws::is_region(region) {
        return None;
    }
    // Region codes are lowercase; `US-EAST-1` is the commonest slip (the
    // console shows names, not codes) and is far from any code by edits.
    let lower = region.to_ascii_lowercase();
    let fix = match suggest::closest(&lower, aws::REGIONS.iter().map(|(r, _)| *r)) {
        Some(near) if near == lower => {
            format!("did you mean `{near}`? Region codes are lowercase")
        }
        Some(near) => format!("did you mean `{near}`?"),
        None => {
            "use a region code such as `us-east-1` (the handout's) or `eu-central-1`".to_owned()
        }
    };
    Some(
        Diagnostic::new(code, field, format!("`{region}` is not an AWS region code"))
            .rule(format!(
                "{field} must be one of the AWS region codes, e.g. `us-east-1`"
            ))
            .fix(fix),
    )
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_regions() {
        for ok in [
            "us-east-1",
            "eu-central-1",
            "ap-southeast-7",
            "us-gov-west-1",
        ] {
            assert!(check(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn rejects_and_suggests() {
        let d = check("us-est-1").unwrap();
        assert_eq!(d.fix, "did you mean `us-east-1`?");
        assert_eq!(
            check("US-EAST-1").unwrap().fix,
            "did you mean `us-east-1`? Region codes are lowercase"
        );
        assert_eq!(
            check("EU-West-2").unwrap().fix,
            "did you mean `eu-west-2`? Region codes are lowercase"
        );
        assert!(check("mars-north-1").is_some());
    }
}
