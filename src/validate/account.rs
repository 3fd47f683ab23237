//! `account_id`: exactly 12 digits.
//!
//! Why: it is part of every name and every ARN; the handout declared it a
//! number, which drops a leading zero. Example: `"100603781557"`.

use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;

pub fn check(account_id: &str) -> Option<Diagnostic> {
    let ok = account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit());
    (!ok).then(|| {
        Diagnostic::new(Code::SG101,
            "account_id",
            format!("account id `{account_id}` is not 12 digits"),
        )
        .rule("an AWS account id is exactly 12 digits, written as a quoted string")
        .fix("copy the 12-digit id from the AWS console (account menu), keeping leading zeros, in quotes")
    })
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_twelve_digits() {
        assert!(check("100603781557").is_none());
        assert!(check("012345678901").is_none());
    }

    #[test]
    fn rejects_others() {
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "10060378155a",
            "1006-0378-1557",
        ] {
            assert!(check(bad).is_some(), "{bad}");
        }
    }
}
