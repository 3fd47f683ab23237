//! The one clock of `status` and `sweep`, and the durations `sweep` takes.
//!
//! Ages and costs so far are measured from "now". The CLI reads now from
//! the environment variable `STACKGEN_NOW` when it is set (RFC 3339 in
//! UTC, e.g. `2026-12-06T12:00:00Z`), else from the system clock: tests set it to
//! get exact ages and costs from streams whose creation time they know.
//! Nothing else in stackgen reads a clock.

use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

/// The environment variable that sets the clock.
pub const NOW_VARIABLE: &str = "STACKGEN_NOW";

/// The clock's reading: `STACKGEN_NOW`'s value when given, else the
/// system's time.
pub fn now(setting: Option<&str>) -> Result<DateTime, String> {
    match setting {
        Some(text) => DateTime::from_str(text.trim(), Format::DateTime).map_err(|e| {
            format!("{NOW_VARIABLE}=`{text}` is not an RFC 3339 time in UTC such as 2026-12-06T12:00:00Z ({e})")
        }),
        None => Ok(DateTime::from(std::time::SystemTime::now())),
    }
}

/// A time as RFC 3339 in UTC, to the second.
pub fn rfc3339(t: DateTime) -> String {
    let whole = DateTime::from_secs(t.secs());
    whole
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// Seconds from `from` to `to`; negative when `to` is earlier.
pub fn seconds_between(from: DateTime, to: DateTime) -> f64 {
    to.as_secs_f64() - from.as_secs_f64()
}

/// A length of time as `sweep --older-than` takes it: a whole number and
/// a unit, `s`, `m`, `h` or `d` (`90m`, `8h`, `2d`, `0s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub seconds: u64,
    text_amount: u64,
    unit: char,
}

impl Span {
    pub fn parse(text: &str) -> Result<Span, String> {
        let bad = || {
            format!(
                "`{text}` is not a duration: write a whole number and a unit, s, m, h or d (90m, 8h, 2d, 0s)"
            )
        };
        let unit = text.chars().last().ok_or_else(bad)?;
        let per_unit: u64 = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let digits = &text[..text.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let amount: u64 = digits.parse().map_err(|_| bad())?;
        // Ten years is longer than any stream has lived.
        let seconds = amount
            .checked_mul(per_unit)
            .filter(|s| *s <= 10 * 366 * 86_400)
            .ok_or_else(|| format!("`{text}` is longer than ten years"))?;
        Ok(Span {
            seconds,
            text_amount: amount,
            unit,
        })
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.text_amount, self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_a_number_and_a_unit() {
        assert_eq!(Span::parse("90m").unwrap().seconds, 5400);
        assert_eq!(Span::parse("8h").unwrap().seconds, 28_800);
        assert_eq!(Span::parse("2d").unwrap().seconds, 172_800);
        assert_eq!(Span::parse("0s").unwrap().seconds, 0);
        assert_eq!(Span::parse("2d").unwrap().to_string(), "2d");
        for bad in [
            "",
            "h",
            "8",
            "8 h",
            "-1h",
            "1.5h",
            "8H",
            "1h30m",
            "8hours",
            "99999999999d",
            "٣h",
        ] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_clock_reads_rfc3339() {
        let t = now(Some("2026-12-06T12:00:00Z")).unwrap();
        assert_eq!(rfc3339(t), "2026-12-06T12:00:00Z");
        // UTC only: the AWS SDK's parser takes no offsets, and one time
        // zone is all a test clock needs.
        assert!(now(Some("2026-12-06T13:30:00+01:30")).is_err());
        assert_eq!(
            rfc3339(now(Some("2026-12-06T12:00:00.75Z")).unwrap()),
            "2026-12-06T12:00:00Z"
        );
        assert!(now(Some("yesterday")).is_err());
        assert!(now(Some("2026-12-06")).is_err());
        assert!(now(None).is_ok());
        let later = now(Some("2026-12-07T13:30:00Z")).unwrap();
        assert!((seconds_between(t, later) - 91_800.0).abs() < 1e-9);
    }
}
