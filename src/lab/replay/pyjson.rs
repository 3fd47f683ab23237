//! Python's `json.dumps` for the few value kinds a trade holds, byte for
//! byte: the course generator sends `json.dumps(event) + "\n"`, and the ETL
//! function, Firehose and the crawler's table have only ever seen that.
//!
//! What `json.dumps` does with its defaults: `", "` between items and
//! `": "` after keys; strings with `ensure_ascii` (every non-ASCII character
//! as `\uXXXX`, astral ones as a surrogate pair); floats as `repr(float)`,
//! the shortest digits that read back as the same double, written in fixed
//! notation when the decimal exponent is in -4..16 (with `.0` if there is no
//! fraction) and as `1.5e+16` / `1e-05` otherwise.

use std::fmt::Write as _;

/// `repr(x)` of a finite Python float (`json.dumps` of it).
pub fn float(x: f64) -> String {
    debug_assert!(x.is_finite(), "callers reject NaN and infinities");
    // Rust's `{:e}` without a precision gives the shortest round-trip
    // digits, the same digits Python's repr picks (both choose the closest
    // of the shortest candidates): only the layout differs.
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let point = usize::try_from(exponent).unwrap_or(0) + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        } else {
            out.push_str("0.");
            let zeros = usize::try_from(-exponent - 1).unwrap_or(0);
            out.extend(std::iter::repeat_n('0', zeros));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.unsigned_abs()
        );
    }
    out
}

/// `json.dumps(s)` with `ensure_ascii=True`.
pub fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='\u{7e}' | '\u{7f}' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_repr_writes_them() {
        // Each right-hand side is what CPython 3 prints for repr(left).
        let cases = [
            (10850.0, "10850.0"),
            (360.03, "360.03"),
            (0.035, "0.035"),
            (123_456_789.0, "123456789.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.25e16, "1.25e+16"),
            (1e100, "1e+100"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (-2.5, "-2.5"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(float(x), want, "repr({x:?})");
        }
    }

    #[test]
    fn strings_as_json_dumps_writes_them() {
        let mut out = String::new();
        string("a\"b\\c\n\u{1}é😀", &mut out);
        assert_eq!(out, r#""a\"b\\c\n\u0001\u00e9\ud83d\ude00""#);
    }
}
