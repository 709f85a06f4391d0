//! Italian tax codes: the 11-digit numeric code (partita IVA, or the codice
//! fiscale of a company, association or public body) and the 16-character
//! personal codice fiscale. Pure checks of form and check character; whether
//! the code was actually issued can only be asked of the Agenzia delle Entrate.

/// Why a tax code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeError {
    #[error("the tax code is empty")]
    Empty,
    #[error("a tax code has 11 digits or 16 characters, this one has {found}")]
    Length { found: usize },
    #[error("a tax code contains only letters and digits")]
    Characters,
    #[error("an 11-character tax code must contain only digits")]
    NotDigits,
    #[error("character {position} does not fit the layout of a personal tax code")]
    Layout { position: usize },
    #[error("the birth month or day in the tax code is not valid")]
    BirthDate,
    #[error("the check digit is wrong: expected {expected}, found {found}")]
    CheckDigit { expected: char, found: char },
    #[error("00000000000 is not a real tax code")]
    AllZero,
}

/// Which of the two forms a valid code has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxCodeKind {
    /// 11 digits: partita IVA or an organisation's codice fiscale.
    Numeric,
    /// 16 characters: a person's codice fiscale.
    Personal,
}

/// Validate a codice fiscale or partita IVA.
///
/// Spaces are removed and letters uppercased; an "IT" prefix is accepted in
/// front of 11 digits (the VAT number as written on invoices). Returns the
/// normalized code (without "IT") and its kind.
///
/// `00000000000` passes the checksum but is refused: it is the placeholder
/// people type when they have no code, never a real one.
///
/// Omocodic personal codes (letters `LMNPQRSTUV` in place of digits, issued
/// when two people would get the same code) are accepted at every numeric
/// position; the order in which the Agenzia substitutes them is not checked.
pub fn validate(input: &str) -> Result<(String, TaxCodeKind), TaxCodeError> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.is_empty() {
        return Err(TaxCodeError::Empty);
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TaxCodeError::Characters);
    }
    // Only ASCII is left, so byte length is character count.
    let code = match code.strip_prefix("IT") {
        Some(rest) if rest.len() == 11 => rest.to_owned(),
        _ => code,
    };
    match code.len() {
        11 => {
            check_numeric(code.as_bytes())?;
            Ok((code, TaxCodeKind::Numeric))
        }
        16 => {
            check_personal(code.as_bytes())?;
            Ok((code, TaxCodeKind::Personal))
        }
        found => Err(TaxCodeError::Length { found }),
    }
}

fn check_numeric(code: &[u8]) -> Result<(), TaxCodeError> {
    if !code.iter().all(u8::is_ascii_digit) {
        return Err(TaxCodeError::NotDigits);
    }
    if code.iter().all(|&b| b == b'0') {
        return Err(TaxCodeError::AllZero);
    }
    let digits: Vec<u32> = code.iter().map(|&b| u32::from(b - b'0')).collect();
    let sum: u32 = digits[..10]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            // Index 0 is position 1 (odd): taken as is; even positions doubled.
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    let expected = (10 - sum % 10) % 10;
    compare(digit_char(expected), char::from(code[10]))
}

fn digit_char(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('?')
}

/// Indexes (0-based) of the characters that are digits in a personal code:
/// year, day, and the number of the comune or foreign country.
const NUMERIC_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Letters that stand for 0..=9 in an omocodic code.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// Month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

fn check_personal(code: &[u8]) -> Result<(), TaxCodeError> {
    for (i, &b) in code.iter().enumerate() {
        let ok = if NUMERIC_POSITIONS.contains(&i) {
            b.is_ascii_digit() || OMOCODIA.contains(&b)
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            return Err(TaxCodeError::Layout { position: i + 1 });
        }
    }
    if !MONTHS.contains(&code[8]) {
        return Err(TaxCodeError::BirthDate);
    }
    let day = decoded_digit(code[9]) * 10 + decoded_digit(code[10]);
    // Women's codes add 40 to the day.
    if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
        return Err(TaxCodeError::BirthDate);
    }

    // The check character covers the code as written, omocodic letters included.
    let sum: u32 = code[..15]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if i % 2 == 0 {
                odd_value(b)
            } else {
                even_value(b)
            }
        })
        .sum();
    let expected = char::from(b'A' + (sum % 26) as u8);
    compare(expected, char::from(code[15]))
}

fn decoded_digit(b: u8) -> u32 {
    match OMOCODIA.iter().position(|&l| l == b) {
        Some(d) => d as u32,
        None => u32::from(b.wrapping_sub(b'0')),
    }
}

/// Value of a character at an even position (2nd, 4th, ...): digits 0-9 and
/// A-Z as 0-25.
fn even_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        _ => u32::from(b - b'A'),
    }
}

/// Value of a character at an odd position (1st, 3rd, ...), from the table of
/// the Ministry of Finance decree of 23/12/1976. Digits count as A-J.
fn odd_value(b: u8) -> u32 {
    const TABLE: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let index = match b {
        b'0'..=b'9' => b - b'0',
        _ => b - b'A',
    };
    TABLE[usize::from(index)]
}

fn compare(expected: char, found: char) -> Result<(), TaxCodeError> {
    if expected == found {
        Ok(())
    } else {
        Err(TaxCodeError::CheckDigit { expected, found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOLOGNA: &str = "01232710374";

    /// The check character by a second route: the odd-position table written
    /// as "which letter has value v", and plain arithmetic for even ones.
    fn reference_check(first15: &str) -> char {
        const ODD_BY_VALUE: &str = "BAKPLCQDREVOSFTGUHMINJWZYX";
        let sum: usize = first15
            .chars()
            .enumerate()
            .map(|(i, c)| {
                // Digits behave exactly like the letters A-J.
                let c = match c.to_digit(10) {
                    Some(d) => (b'A' + d as u8) as char,
                    None => c,
                };
                if i % 2 == 0 {
                    ODD_BY_VALUE.find(c).expect("letter")
                } else {
                    (c as u8 - b'A') as usize
                }
            })
            .sum();
        (b'A' + (sum % 26) as u8) as char
    }

    #[test]
    fn comune_di_bologna_is_valid() {
        assert_eq!(
            validate(BOLOGNA),
            Ok((BOLOGNA.to_owned(), TaxCodeKind::Numeric))
        );
    }

    #[test]
    fn any_single_digit_change_is_caught() {
        for pos in 0..BOLOGNA.len() {
            for d in b'0'..=b'9' {
                let mut bytes = BOLOGNA.as_bytes().to_vec();
                if bytes[pos] == d {
                    continue;
                }
                bytes[pos] = d;
                let changed = String::from_utf8(bytes).expect("ascii");
                assert!(
                    matches!(validate(&changed), Err(TaxCodeError::CheckDigit { .. })),
                    "{changed} should be invalid"
                );
            }
        }
    }

    #[test]
    fn check_digit_error_message() {
        let err = validate("01232710375").expect_err("wrong check digit");
        assert_eq!(
            err,
            TaxCodeError::CheckDigit {
                expected: '4',
                found: '5'
            }
        );
        assert_eq!(
            err.to_string(),
            "the check digit is wrong: expected 4, found 5"
        );
    }

    #[test]
    fn vat_prefix_spaces_and_case() {
        let ok = Ok((BOLOGNA.to_owned(), TaxCodeKind::Numeric));
        assert_eq!(validate("IT 01232710374"), ok);
        assert_eq!(validate("it01232710374"), ok);
        assert_eq!(validate(" 012 327 103 74 "), ok);
        // "IT" only goes in front of the 11 digits.
        assert_eq!(
            validate("IT0123271037"),
            Err(TaxCodeError::Length { found: 12 })
        );
    }

    #[test]
    fn all_zero_is_refused() {
        assert_eq!(validate("00000000000"), Err(TaxCodeError::AllZero));
        assert_eq!(validate("IT00000000000"), Err(TaxCodeError::AllZero));
    }

    #[test]
    fn wrong_length_and_characters() {
        assert_eq!(validate(""), Err(TaxCodeError::Empty));
        assert_eq!(validate("   "), Err(TaxCodeError::Empty));
        assert_eq!(
            validate("0123271037"),
            Err(TaxCodeError::Length { found: 10 })
        );
        assert_eq!(
            validate("012327103745"),
            Err(TaxCodeError::Length { found: 12 })
        );
        assert_eq!(
            validate("RSSMRA85T10A562"),
            Err(TaxCodeError::Length { found: 15 })
        );
        assert_eq!(validate("0123271037A"), Err(TaxCodeError::NotDigits));
        assert_eq!(validate("01232-710374"), Err(TaxCodeError::Characters));
        assert_eq!(validate("RSSMRA85T10À562S"), Err(TaxCodeError::Characters));
    }

    #[test]
    fn personal_code_is_valid() {
        let ok = Ok(("RSSMRA85T10A562S".to_owned(), TaxCodeKind::Personal));
        assert_eq!(validate("RSSMRA85T10A562S"), ok);
        assert_eq!(validate("rssmra85t10a562s"), ok);
        assert_eq!(validate("RSS MRA 85T10 A562S"), ok);
        assert_eq!(reference_check("RSSMRA85T10A562"), 'S');
    }

    #[test]
    fn personal_code_wrong_check_letter() {
        assert_eq!(
            validate("RSSMRA85T10A562T"),
            Err(TaxCodeError::CheckDigit {
                expected: 'S',
                found: 'T'
            })
        );
    }

    #[test]
    fn omocodic_variants_are_recomputed() {
        assert_eq!(reference_check("RSSMRA85T10A56N"), 'H');
        assert_eq!(
            validate("RSSMRA85T10A56NH"),
            Ok(("RSSMRA85T10A56NH".to_owned(), TaxCodeKind::Personal))
        );
        // The original check letter does not fit the omocodic variant.
        assert_eq!(
            validate("RSSMRA85T10A56NS"),
            Err(TaxCodeError::CheckDigit {
                expected: 'H',
                found: 'S'
            })
        );
        // Every number of substitutions, right to left as the Agenzia does.
        let mut body = *b"RSSMRA85T10A562";
        for &pos in NUMERIC_POSITIONS.iter().rev() {
            body[pos] = OMOCODIA[usize::from(body[pos] - b'0')];
            let first15 = std::str::from_utf8(&body).expect("ascii");
            let code = format!("{first15}{}", reference_check(first15));
            assert_eq!(validate(&code), Ok((code.clone(), TaxCodeKind::Personal)));
        }
        assert_eq!(std::str::from_utf8(&body), Ok("RSSMRAURTMLARSN"));
    }

    #[test]
    fn personal_code_layout() {
        // A digit where a name letter belongs.
        assert_eq!(
            validate("R5SMRA85T10A562S"),
            Err(TaxCodeError::Layout { position: 2 })
        );
        // A letter outside LMNPQRSTUV in a numeric position.
        assert_eq!(
            validate("RSSMRA8AT10A562S"),
            Err(TaxCodeError::Layout { position: 8 })
        );
        // A digit as check character.
        assert_eq!(
            validate("RSSMRA85T10A5621"),
            Err(TaxCodeError::Layout { position: 16 })
        );
        // F is not a month letter; day 32 and day 00 do not exist.
        let with = |first15: &str| format!("{first15}{}", reference_check(first15));
        assert_eq!(
            validate(&with("RSSMRA85F10A562")),
            Err(TaxCodeError::BirthDate)
        );
        assert_eq!(
            validate(&with("RSSMRA85T32A562")),
            Err(TaxCodeError::BirthDate)
        );
        assert_eq!(
            validate(&with("RSSMRA85T00A562")),
            Err(TaxCodeError::BirthDate)
        );
        // A woman born on the 10th: day 50.
        let woman = with("RSSMRA85T50A562");
        assert_eq!(validate(&woman), Ok((woman.clone(), TaxCodeKind::Personal)));
    }
}
