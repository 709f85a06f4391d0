//! Second factor for accounts: TOTP codes (RFC 6238: HMAC-SHA-1, 6 digits,
//! 30-second steps), the `otpauth://` enrolment URL and its QR code as inline
//! SVG, and single-use recovery codes.
//!
//! The server stores the raw secret, the last accepted step (so a code cannot
//! be used twice) and the SHA-256 hashes of the recovery codes.

use std::collections::HashSet;

use qrcode::{Color, QrCode};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Shown by authenticator apps next to the account name.
pub const ISSUER: &str = "Open Welfare Bologna";

/// Fixed by RFC 6238 defaults, which every authenticator app supports.
const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// 160 bits, the HMAC-SHA-1 output size recommended by RFC 4226.
const SECRET_BYTES: usize = 20;

/// Lowercase letters and digits without the look-alikes 0/o, 1/l/i.
const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const RECOVERY_GROUP: usize = 4;
const RECOVERY_GROUPS: usize = 3;
const RECOVERY_CHARS: usize = RECOVERY_GROUP * RECOVERY_GROUPS;

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("the text does not fit in a QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

/// A fresh random secret from the operating system.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> TOTP {
    // Unchecked: the checked constructor refuses short secrets and ':' in the
    // account, but here the secret is ours and the label is percent-encoded.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
}

/// The secret as people type it into an app by hand: RFC 4648 base32, no padding.
pub fn secret_base32(secret: &[u8]) -> String {
    totp(secret, "").get_secret_base32()
}

/// The enrolment URL encoded in the QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    // totp-rs leaves out parameters that equal the defaults; some apps guess
    // wrong without them, so they are always spelled out.
    format!(
        "{}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        totp(secret, account).get_url()
    )
}

/// `text` as a QR code: an `<svg>` element to inline in a page.
///
/// No `style` attributes (the pages have a strict CSP) and no XML declaration
/// (it is embedded in HTML). The modules are drawn as one `<path>`.
pub fn qr_svg(text: &str, label: &str) -> Result<String, TotpError> {
    const QUIET: usize = 4; // modules of white border required by the QR spec
    let code = QrCode::new(text.as_bytes())?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;

    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                // One rectangle per horizontal run keeps the path short.
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!("M{} {}h{run}v1h-{run}z", start + QUIET, y + QUIET));
            } else {
                x += 1;
            }
        }
    }

    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}" width="200" height="200""#,
            r#" role="img" aria-label="{label}" shape-rendering="crispEdges">"#,
            r##"<rect width="{s}" height="{s}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/></svg>"##
        ),
        s = size,
        // maud escapes text as it does attribute values (& < > ").
        label = maud::html!((label)).into_string(),
        path = path,
    ))
}

/// The code shown by an app at `unix_time`.
pub fn code_at(secret: &[u8], unix_time: u64) -> String {
    totp(secret, "").generate(unix_time)
}

/// Accept a code for the step of `unix_time` or one step either side, only if
/// that step is strictly greater than `last_step` (so a code cannot be
/// replayed). Returns the matched step. Codes may contain spaces ("123 456");
/// compare in constant time.
pub fn verify(secret: &[u8], code: &str, unix_time: u64, last_step: Option<i64>) -> Option<i64> {
    // An empty key is a key anyone can compute codes for.
    if secret.is_empty() {
        return None;
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = i64::try_from(unix_time / STEP_SECONDS).ok()?;

    let mut matched = None;
    // ±1 step tolerates clock drift and a code typed just as it changed.
    for step in [now - 1, now, now + 1] {
        if step < 0 || last_step.is_some_and(|last| step <= last) {
            continue;
        }
        let Ok(step_u) = u64::try_from(step) else {
            continue;
        };
        let Some(time) = step_u.checked_mul(STEP_SECONDS) else {
            continue;
        };
        let expected = code_at(secret, time);
        // No early exit: every candidate costs the same.
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// `n` distinct recovery codes such as `k7m2-9xqp-4dhw`.
///
/// 12 characters from a 31-symbol alphabet: 12 × log2(31) ≈ 59.4 bits.
pub fn new_recovery_codes(n: usize) -> Vec<String> {
    let mut seen = HashSet::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let code = random_recovery_code();
        // A repeat is astronomically unlikely, but two equal codes would
        // share one hash, so rule it out.
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    codes
}

fn random_recovery_code() -> String {
    let mut out = String::with_capacity(RECOVERY_CHARS + RECOVERY_GROUPS);
    for i in 0..RECOVERY_CHARS {
        if i > 0 && i % RECOVERY_GROUP == 0 {
            out.push('-');
        }
        // gen_range is unbiased, unlike `byte % 31`.
        let idx = OsRng.gen_range(0..RECOVERY_ALPHABET.len());
        out.push(char::from(RECOVERY_ALPHABET[idx]));
    }
    out
}

/// What is hashed and compared: lowercase, without spaces and dashes.
pub fn normalize_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// SHA-256 hex of the normalized code. The codes are random and long, so a
/// fast unsalted hash is enough (unlike passwords).
pub fn hash_recovery_code(code: &str) -> String {
    hex::encode(Sha256::digest(normalize_recovery_code(code).as_bytes()))
}

/// True when the input has the shape of a recovery code rather than a TOTP code,
/// so a single form field can take either.
pub fn looks_like_recovery_code(input: &str) -> bool {
    let code = normalize_recovery_code(input);
    code.len() == RECOVERY_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors_last_six_digits() {
        // RFC 6238 appendix B, 8-digit codes 94287082, 07081804, 14050471,
        // 89005924, 69279037: a 6-digit code is the same value mod 10^6.
        let cases = [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ];
        for (time, code) in cases {
            assert_eq!(code_at(RFC_SECRET, time), code, "time {time}");
            assert_eq!(
                verify(RFC_SECRET, code, time, None),
                Some((time / 30) as i64)
            );
        }
    }

    #[test]
    fn spaces_in_code_are_ignored() {
        assert_eq!(verify(RFC_SECRET, "287 082", 59, None), Some(1));
        assert_eq!(verify(RFC_SECRET, " 287082\n", 59, None), Some(1));
    }

    #[test]
    fn replay_is_refused() {
        let t = 1_111_111_111;
        let code = code_at(RFC_SECRET, t);
        let step = verify(RFC_SECRET, &code, t, None).expect("fresh code");
        assert_eq!(verify(RFC_SECRET, &code, t, Some(step)), None);
        // The previous step's code, still inside the window, is refused too.
        let previous = code_at(RFC_SECRET, t - 30);
        assert_eq!(verify(RFC_SECRET, &previous, t, Some(step)), None);
        // The next step is still fine.
        let next = code_at(RFC_SECRET, t + 30);
        assert_eq!(verify(RFC_SECRET, &next, t, Some(step)), Some(step + 1));
    }

    #[test]
    fn window_is_one_step_each_side() {
        let t = 1_234_567_890;
        let step = (t / 30) as i64;
        let at = |dt: i64| code_at(RFC_SECRET, (t as i64 + dt) as u64);
        assert_eq!(verify(RFC_SECRET, &at(-30), t, None), Some(step - 1));
        assert_eq!(verify(RFC_SECRET, &at(0), t, None), Some(step));
        assert_eq!(verify(RFC_SECRET, &at(30), t, None), Some(step + 1));
        assert_eq!(verify(RFC_SECRET, &at(-60), t, None), None);
        assert_eq!(verify(RFC_SECRET, &at(60), t, None), None);
    }

    #[test]
    fn first_step_has_no_negative_neighbour() {
        let code = code_at(RFC_SECRET, 0);
        assert_eq!(verify(RFC_SECRET, &code, 0, None), Some(0));
        assert_eq!(verify(RFC_SECRET, &code, 0, Some(0)), None);
    }

    #[test]
    fn garbage_is_refused() {
        for code in [
            "",
            "abcdef",
            "1234567",
            "12345",
            "28708a",
            "+28708",
            "２８７０８２",
        ] {
            assert_eq!(verify(RFC_SECRET, code, 59, None), None, "{code:?}");
        }
        assert_eq!(verify(b"", &code_at(b"", 59), 59, None), None);
        // The far end of the clock must not overflow.
        let late = code_at(RFC_SECRET, u64::MAX);
        assert_eq!(
            verify(RFC_SECRET, &late, u64::MAX, None),
            Some((u64::MAX / 30) as i64)
        );
    }

    #[test]
    fn secrets_are_random_and_encode_as_base32() {
        let a = new_secret();
        assert_eq!(a.len(), 20);
        assert_ne!(a, new_secret());
        // RFC 4648 test vector "foobar" -> "MZXW6YTBOI======", unpadded.
        assert_eq!(secret_base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            secret_base32(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }

    #[test]
    fn otpauth_url_has_every_parameter() {
        assert_eq!(
            otpauth_url(RFC_SECRET, "anna@example.org"),
            "otpauth://totp/Open%20Welfare%20Bologna:anna%40example.org\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Open%20Welfare%20Bologna\
             &algorithm=SHA1&digits=6&period=30"
        );
        // A colon would split issuer and account again: it must be encoded.
        assert!(otpauth_url(RFC_SECRET, "a:b").contains(":a%3Ab?"));
    }

    #[test]
    fn qr_svg_is_csp_safe_and_accessible() {
        let url = otpauth_url(&new_secret(), "anna@example.org");
        let svg = qr_svg(&url, r#"QR "code" <for> Anna & co"#).expect("fits");
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("style"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-label="QR &quot;code&quot; &lt;for&gt; Anna &amp; co""#));
        assert!(svg.contains(r#"width="200" height="200""#));
        assert!(svg.contains(r##"fill="#000""##) && svg.contains(r##"fill="#fff""##));
        assert_eq!(svg.matches("<path").count(), 1);
        // The quiet zone: nothing is drawn in the first 4 modules.
        assert!(
            svg.contains(r#"d="M4 4h7v1h-7z"#),
            "finder pattern at (4,4)"
        );
    }

    #[test]
    fn qr_svg_reports_oversized_text() {
        assert!(qr_svg(&"x".repeat(5000), "too long").is_err());
    }

    #[test]
    fn recovery_codes_have_the_documented_shape() {
        let codes = new_recovery_codes(50);
        assert_eq!(codes.len(), 50);
        let unique: HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 50);
        for code in &codes {
            assert_eq!(code.len(), 14, "{code}");
            let groups: Vec<_> = code.split('-').collect();
            assert_eq!(groups.len(), 3);
            assert!(groups.iter().all(|g| g.len() == 4));
            assert!(!code.contains(['0', 'o', '1', 'l', 'i']));
            assert!(looks_like_recovery_code(code));
        }
        assert!(RECOVERY_CHARS as f64 * (RECOVERY_ALPHABET.len() as f64).log2() > 59.0);
    }

    #[test]
    fn recovery_code_normalization_and_hash() {
        assert_eq!(normalize_recovery_code("K7M2 9XQP 4DHW"), "k7m29xqp4dhw");
        assert_eq!(
            hash_recovery_code("K7M2 9XQP 4DHW"),
            hash_recovery_code("k7m2-9xqp-4dhw")
        );
        assert_eq!(hash_recovery_code("k7m2-9xqp-4dhw").len(), 64);
        assert_ne!(
            hash_recovery_code("k7m2-9xqp-4dhw"),
            hash_recovery_code("k7m2-9xqp-4dhx")
        );
    }

    #[test]
    fn recovery_code_shape_check() {
        assert!(looks_like_recovery_code("K7M2 9XQP 4DHW"));
        assert!(looks_like_recovery_code("k7m29xqp4dhw"));
        assert!(!looks_like_recovery_code("287082"));
        assert!(!looks_like_recovery_code("287 082"));
        assert!(!looks_like_recovery_code(""));
        assert!(!looks_like_recovery_code("k7m2-9xqp-4dh")); // too short
        assert!(!looks_like_recovery_code("k7m2-9xqp-4dho")); // 'o' is not in the alphabet
        assert!(!looks_like_recovery_code("k7m2-9xqp-4dhé"));
    }
}
