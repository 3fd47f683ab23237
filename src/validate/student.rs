//! The `student` block: initials, index number and full name.
//!
//! Why: initials and index go into every AWS name, where only lowercase
//! ASCII letters and digits are safe everywhere (S3 and Athena are the
//! strictest); the full name goes into the `Owner` tag, where AWS allows
//! letters of any script, digits, spaces and `+ - = . _ : / @`.
//! Example: `initials: jk`, `index_no: "12345"`, `name: Łukasz Żak`.

use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::model::Student;
use crate::base::translit;

const INITIALS_RULE: &str = "initials are lowercase ASCII letters (a-z), because they are part of S3 bucket and Athena database names";

pub fn check(student: &Student) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    found.extend(initials(&student.initials));
    found.extend(index_no(&student.index_no));
    found.extend(name(&student.name));
    found
}

fn initials(value: &str) -> Option<Diagnostic> {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let d = |message: String, fix: String| {
        Diagnostic::new(Code::SG103, "student.initials", message)
            .rule(INITIALS_RULE)
            .fix(fix)
    };
    if value.is_empty() {
        return Some(d(
            "initials are empty".to_owned(),
            "write the first letters of the first and last name, e.g. `jk`".to_owned(),
        ));
    }
    let suggestion = translit::to_ascii(value)
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase()));
    let bad: String = value.chars().filter(|c| !c.is_ascii_lowercase()).collect();
    // Capitals are the usual slip and deserve their own words: "`JK`
    // contain `JK`" says nothing the reader does not see.
    let message = if bad.chars().all(|c| c.is_ascii_uppercase()) {
        if bad.len() == value.len() {
            format!("initials `{value}` are uppercase")
        } else {
            format!("initials `{value}` contain the uppercase `{bad}`")
        }
    } else {
        format!("initials `{value}` contain `{bad}`")
    };
    Some(d(
        message,
        match suggestion {
            Some(s) => format!("write `{s}`"),
            None => "use only the letters a-z".to_owned(),
        },
    ))
}

fn index_no(value: &str) -> Option<Diagnostic> {
    // Plain digits (the register's number) or the university login form,
    // `s` and digits (`s1203137`), which the 2025-26 cohorts used.
    let digits = value.strip_prefix('s').unwrap_or(value);
    let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (!ok).then(|| {
        Diagnostic::new(Code::SG104,
            "student.index_no",
            format!("index number `{value}` is not all digits"),
        )
        .rule("the index number is one or more digits, or `s` and digits (the university login), written as a quoted string")
        .fix(
            "write the student's index number from the university register, digits only, in quotes",
        )
    })
}

fn name(value: &str) -> Option<Diagnostic> {
    let d = |message: String, fix: &str| {
        Diagnostic::new(Code::SG105, "student.name", message)
            .rule("the full name becomes the `Owner` tag: 1-256 characters of letters, digits, spaces and `+ - = . _ : / @`")
            .fix(fix)
    };
    if value.trim().is_empty() {
        return Some(d(
            "the full name is empty".to_owned(),
            "write the student's full name",
        ));
    }
    if value.chars().count() > 256 {
        return Some(d(
            "the full name is longer than 256 characters".to_owned(),
            "shorten it",
        ));
    }
    let bad: Vec<char> = value
        .chars()
        .filter(|c| !(c.is_alphanumeric() || *c == ' ' || "+-=._:/@".contains(*c)))
        .collect();
    (!bad.is_empty()).then(|| {
        let list: String = bad.iter().collect();
        d(
            format!("full name `{value}` contains `{list}`, which AWS tags do not allow"),
            "leave those characters out, or replace them with a space or `-`",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(name: &str, initials: &str, index_no: &str) -> Student {
        Student {
            name: name.into(),
            initials: initials.into(),
            index_no: index_no.into(),
        }
    }

    #[test]
    fn accepts_the_handout_student_and_polish_names() {
        assert!(check(&student("Jan Kowalski", "jk", "12345")).is_empty());
        assert!(check(&student("Łukasz Żak", "lz", "1")).is_empty());
    }

    #[test]
    fn suggests_ascii_initials() {
        let found = check(&student("Łukasz Żak", "łż", "12345"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].fix, "write `lz`");
        let found = check(&student("Jan Kowalski", "JK", "12345"));
        assert_eq!(found[0].message, "initials `JK` are uppercase");
        assert_eq!(found[0].fix, "write `jk`");
        let found = check(&student("Jan Kowalski", "jK", "12345"));
        assert_eq!(found[0].message, "initials `jK` contain the uppercase `K`");
    }

    #[test]
    fn rejects_bad_index_and_name() {
        let found = check(&student("O'Brien", "", "12a45"));
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::SG103, Code::SG104, Code::SG105]);
    }
}
