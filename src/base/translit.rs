//! ASCII forms of the Latin letters students' names are written with.
//!
//! Used to suggest initials (`ł` -> `l`) and, for class rosters, to derive
//! them from a full name. The table covers Polish fully and the common
//! Central and Western European letters; anything else has no suggestion.

/// The ASCII form of one letter, if known. Lowercase and uppercase map to
/// the same case in ASCII.
pub fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ą' | 'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ă' => "a",
        'Ą' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'Ă' => "A",
        'ć' | 'č' | 'ç' => "c",
        'Ć' | 'Č' | 'Ç' => "C",
        'ď' => "d",
        'Ď' => "D",
        'ę' | 'é' | 'è' | 'ê' | 'ë' | 'ě' => "e",
        'Ę' | 'É' | 'È' | 'Ê' | 'Ë' | 'Ě' => "E",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'Í' | 'Ì' | 'Î' | 'Ï' => "I",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ń' | 'ň' | 'ñ' => "n",
        'Ń' | 'Ň' | 'Ñ' => "N",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ő' | 'ø' => "o",
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ő' | 'Ø' => "O",
        'ř' | 'ŕ' => "r",
        'Ř' | 'Ŕ' => "R",
        'ś' | 'š' | 'ş' => "s",
        'Ś' | 'Š' | 'Ş' => "S",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'Ť' | 'Ţ' => "T",
        'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ű' => "u",
        'Ú' | 'Ù' | 'Û' | 'Ü' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

/// `text` with every known letter replaced by its ASCII form; `None` if
/// some non-ASCII character has no known form.
pub fn to_ascii(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(letter(c)?);
        }
    }
    Some(out)
}

/// Initials from a full name: the first letter of each word, in ASCII
/// lowercase (`Łukasz Żak` -> `lz`, `Anna Maria Nowak-Kowalska` -> `amn`).
pub fn initials(full_name: &str) -> Option<String> {
    let mut out = String::new();
    for word in full_name.split_whitespace() {
        let first = word.chars().next()?;
        out.push_str(&to_ascii(&first.to_string())?.to_ascii_lowercase());
    }
    (!out.is_empty() && out.chars().all(|c| c.is_ascii_lowercase())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_letters() {
        assert_eq!(
            to_ascii("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ").unwrap(),
            "acelnoszz ACELNOSZZ"
        );
    }

    #[test]
    fn unknown_letters_have_no_form() {
        assert_eq!(to_ascii("日本"), None);
    }

    #[test]
    fn initials_from_names() {
        assert_eq!(initials("Łukasz Żak").unwrap(), "lz");
        assert_eq!(initials("Jan Kowalski").unwrap(), "jk");
        assert_eq!(initials("Anna Maria Nowak-Kowalska").unwrap(), "amn");
        assert_eq!(initials("   ").as_deref(), None);
    }
}
