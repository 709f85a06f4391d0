//! Generators shared by the property, corpus and fuzz tests: valid
//! identifiers built from their definitions (independently of the crate's
//! own check code), and a small seeded random source so corpora are the
//! same on every run.

#![allow(dead_code)]

/// SplitMix64: deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| (b'0' + self.below(10) as u8) as char)
            .collect()
    }

    pub fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| (b'A' + self.below(26) as u8) as char)
            .collect()
    }
}

// ---- codice fiscale -------------------------------------------------------

const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
pub const CF_MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
pub const CF_OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// 0-based positions that omocodia may replace, from the right as the
/// Agenzia does it.
pub const CF_DIGIT_POSITIONS: [usize; 7] = [14, 13, 12, 10, 9, 7, 6];

fn cf_value(c: u8) -> usize {
    if c.is_ascii_digit() {
        (c - b'0') as usize
    } else {
        (c - b'A') as usize
    }
}

/// The check character of 15 uppercase characters.
pub fn cf_check(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i % 2 == 0 {
                CF_ODD[cf_value(c)]
            } else {
                cf_value(c) as u32
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

/// A codice fiscale from its parts; `omocodia` is how many digit
/// positions (0-7, from the right) are replaced by letters.
#[allow(clippy::too_many_arguments)]
pub fn build_cf(
    surname: &[u8; 3],
    name: &[u8; 3],
    year: u8,
    month: usize,
    day: u8,
    female: bool,
    comune_letter: u8,
    comune_digits: u16,
    omocodia: usize,
) -> String {
    let day = if female { day + 40 } else { day };
    let mut c = Vec::with_capacity(16);
    c.extend_from_slice(surname);
    c.extend_from_slice(name);
    c.extend_from_slice(format!("{:02}", year % 100).as_bytes());
    c.push(CF_MONTHS[month % 12]);
    c.extend_from_slice(format!("{day:02}").as_bytes());
    c.push(comune_letter);
    c.extend_from_slice(format!("{:03}", comune_digits % 1000).as_bytes());
    for &p in CF_DIGIT_POSITIONS.iter().take(omocodia.min(7)) {
        c[p] = CF_OMOCODIA[(c[p] - b'0') as usize];
    }
    let check = cf_check(&c);
    c.push(check);
    String::from_utf8(c).unwrap_or_default()
}

pub fn gen_cf(rng: &mut Rng) -> String {
    let l = |rng: &mut Rng| b'A' + rng.below(26) as u8;
    let surname = [l(rng), l(rng), l(rng)];
    let name = [l(rng), l(rng), l(rng)];
    // Most codes have no omocodia; a quarter have one to seven letters.
    let omocodia = if rng.chance(75) {
        0
    } else {
        rng.range(1, 7) as usize
    };
    build_cf(
        &surname,
        &name,
        rng.below(100) as u8,
        rng.below(12) as usize,
        rng.range(1, 31) as u8,
        rng.chance(50),
        l(rng),
        rng.range(1, 999) as u16,
        omocodia,
    )
}

// ---- Luhn, partita IVA, tessera sanitaria ---------------------------------

/// `digits` with a Luhn check digit appended.
pub fn with_luhn(digits: &str) -> String {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = u32::from(c - b'0');
            // The check digit will sit to the right, so the rightmost
            // payload digit is doubled.
            if i % 2 == 0 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

pub const PIVA_OFFICES: [u16; 6] = [1, 37, 100, 120, 888, 999];

pub fn gen_piva(rng: &mut Rng) -> String {
    let office = if rng.chance(80) {
        rng.range(1, 100) as u16
    } else {
        *rng.pick(&PIVA_OFFICES)
    };
    with_luhn(&format!("{}{office:03}", rng.digits(7)))
}

pub fn gen_tessera(rng: &mut Rng) -> String {
    with_luhn(&format!("80380{}", rng.digits(14)))
}

// ---- IBAN -------------------------------------------------------------------

/// ISO 13616 check digits for `country` and `bban`.
pub fn iban_check(country: &str, bban: &str) -> String {
    let moved = format!("{bban}{country}00");
    let mut r: u32 = 0;
    for c in moved.bytes() {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    format!("{:02}", 98 - r)
}

fn alnum(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..n).map(|_| *rng.pick(A) as char).collect()
}

pub const IBAN_COUNTRIES: [&str; 6] = ["IT", "DE", "FR", "ES", "GB", "NL"];

pub fn gen_iban_for(rng: &mut Rng, country: &str) -> String {
    let bban = match country {
        "IT" => format!("{}{}{}", rng.letters(1), rng.digits(10), alnum(rng, 12)),
        "DE" => rng.digits(18),
        "FR" => format!("{}{}{}", rng.digits(10), alnum(rng, 11), rng.digits(2)),
        "ES" => rng.digits(20),
        "GB" => format!("{}{}", rng.letters(4), rng.digits(14)),
        _ => format!("{}{}", rng.letters(4), rng.digits(10)),
    };
    format!("{country}{}{bban}", iban_check(country, &bban))
}

pub fn gen_iban(rng: &mut Rng) -> String {
    // Italian IBANs are what people here mostly write.
    let country = if rng.chance(60) {
        "IT"
    } else {
        rng.pick(&IBAN_COUNTRIES)
    };
    gen_iban_for(rng, country)
}

/// The paper format: groups of four separated by one space.
pub fn paper(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- phones and e-mail --------------------------------------------------------

const MOBILE_PREFIXES: [&str; 12] = [
    "320", "328", "329", "333", "335", "338", "340", "347", "349", "366", "380", "393",
];
const AREA_CODES: [&str; 10] = [
    "02", "06", "051", "011", "055", "081", "0542", "0544", "0534", "0471",
];

/// An Italian number in one of the ways people write them.
pub fn gen_phone(rng: &mut Rng) -> String {
    let prefix = match rng.below(5) {
        0 => "+39 ",
        1 => "+39",
        2 => "0039 ",
        _ => "",
    };
    let sep = *rng.pick(&[" ", ".", "-", ""]);
    let number = if rng.chance(65) {
        let p = rng.pick(&MOBILE_PREFIXES);
        let rest = rng.digits(7);
        match rng.below(3) {
            0 => format!("{p}{sep}{rest}"),
            1 => format!("{p}{sep}{}{sep}{}", &rest[..3], &rest[3..]),
            _ => format!(
                "{p}{sep}{}{sep}{}{sep}{}",
                &rest[..2],
                &rest[2..4],
                &rest[4..]
            ),
        }
    } else {
        let area = rng.pick(&AREA_CODES);
        // Area code and subscriber number: 9 or 10 digits in all.
        let total = rng.range(9, 10) as usize;
        let rest = rng.digits(total - area.len());
        let sep = if rng.chance(20) { "/" } else { sep };
        match rng.below(2) {
            0 => format!("{area}{sep}{rest}"),
            _ => {
                let inner = if sep == "/" { " " } else { sep };
                let cut = rest.len() / 2;
                format!("{area}{sep}{}{inner}{}", &rest[..cut], &rest[cut..])
            }
        }
    };
    format!("{prefix}{number}")
}

const EMAIL_USERS: [&str; 8] = [
    "mario.rossi",
    "anna_b",
    "g.verdi82",
    "info",
    "l.bianchi+aiuto",
    "fatima.el-amrani",
    "marco",
    "s.neri",
];
const EMAIL_DOMAINS: [&str; 7] = [
    "gmail.com",
    "libero.it",
    "comune.bologna.it",
    "yahoo.it",
    "pec.it",
    "hotmail.com",
    "studenti.unibo.it",
];

pub fn gen_email(rng: &mut Rng) -> String {
    let user = rng.pick(&EMAIL_USERS);
    let n = if rng.chance(40) {
        rng.below(100).to_string()
    } else {
        String::new()
    };
    format!("{user}{n}@{}", rng.pick(&EMAIL_DOMAINS))
}

// ---- names ------------------------------------------------------------------------

pub const FIRST_NAMES: [&str; 16] = [
    "Mario",
    "Anna",
    "Giuseppe",
    "Maria",
    "Luca",
    "Giulia",
    "Francesca",
    "Marco",
    "Fatima",
    "Mohamed",
    "Elena",
    "Paolo",
    "Sara",
    "Andrea",
    "Lucia",
    "Ahmed",
];
pub const SURNAMES: [&str; 14] = [
    "Rossi", "Bianchi", "Verdi", "Esposito", "Ferrari", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "Costa",
];

pub fn gen_name(rng: &mut Rng) -> String {
    let (f, s) = (rng.pick(&FIRST_NAMES), rng.pick(&SURNAMES));
    if rng.chance(80) {
        format!("{f} {s}")
    } else {
        format!("{s} {f}")
    }
}

pub const STREETS: [&str; 10] = [
    "via Emilia",
    "Via dell'Indipendenza",
    "via San Vitale",
    "viale Masini",
    "piazza Maggiore",
    "via del Pratello",
    "Strada Maggiore",
    "via Mazzini",
    "via XX Settembre",
    "corso Garibaldi",
];

pub fn gen_address(rng: &mut Rng) -> String {
    let n = rng.range(1, 250);
    let suffix = *rng.pick(&["", "", "", "/a", "/B", " bis"]);
    format!("{} {n}{suffix}", rng.pick(&STREETS))
}
