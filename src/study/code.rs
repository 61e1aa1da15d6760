//! The completion code a participant hands to the researcher: deterministic from the study
//! and the participant, short, and with a check character that catches a mistyped character
//! and a swap of two neighbours.
//!
//! `code = base32(FNV-1a-64("done:" + study + ":" + participant) >> 24)` in Crockford's
//! alphabet (no I, L, O, U): 8 characters, then the check character, the weighted sum
//! `Σ (i + 1) · value(cᵢ) mod 37` in Crockford's check alphabet (`0–9A–Z*~$=U`); shown as
//! `XXXX-XXXX-C`. Anyone who knows the rule and the participant id can compute a code: it
//! proves a participant reached the end of the study on the page, not who they are.

use hongbao_study::assign::fnv1a64;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHECK: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";

fn check(body: &[u8]) -> u8 {
    let sum: usize = body
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1) * ALPHABET.iter().position(|a| a == c).unwrap_or(0))
        .sum();
    CHECK[sum % 37]
}

/// The completion code of `participant` in `study` (`XXXX-XXXX-C`).
pub fn completion_code(study: &str, participant: &str) -> String {
    let h = fnv1a64(format!("done:{study}:{participant}").as_bytes()) >> 24;
    let body: Vec<u8> = (0..8)
        .map(|i| ALPHABET[((h >> (35 - 5 * i)) & 31) as usize])
        .collect();
    let mut out = String::with_capacity(11);
    out.push_str(std::str::from_utf8(&body[..4]).unwrap_or_default());
    out.push('-');
    out.push_str(std::str::from_utf8(&body[4..]).unwrap_or_default());
    out.push('-');
    out.push(check(&body) as char);
    out
}

/// Whether `code` is well formed with a matching check character (case and dashes ignored).
pub fn is_well_formed(code: &str) -> bool {
    let chars: Vec<u8> = code
        .bytes()
        .filter(|c| *c != b'-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    chars.len() == 9
        && chars[..8].iter().all(|c| ALPHABET.contains(c))
        && check(&chars[..8]) == chars[8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_checked() {
        let a = completion_code("send-basics", "p-1");
        assert_eq!(a, completion_code("send-basics", "p-1"));
        assert_eq!(a.len(), 11);
        assert_eq!((&a[4..5], &a[9..10]), ("-", "-"));
        assert!(is_well_formed(&a));
        assert!(is_well_formed(&a.to_lowercase().replace('-', "")));
        assert_ne!(a, completion_code("send-basics", "p-2"));
        assert_ne!(a, completion_code("other", "p-1"));
        // Every single changed character and every swap of two different neighbours is caught.
        let body: Vec<u8> = a.bytes().filter(|c| *c != b'-').collect();
        for i in 0..9 {
            for c in ALPHABET.iter().chain(CHECK.iter()) {
                if *c == body[i] {
                    continue;
                }
                let mut typo = body.clone();
                typo[i] = *c;
                assert!(!is_well_formed(std::str::from_utf8(&typo).unwrap()));
            }
        }
        for i in 0..7 {
            if body[i] != body[i + 1] {
                let mut swapped = body.clone();
                swapped.swap(i, i + 1);
                assert!(!is_well_formed(std::str::from_utf8(&swapped).unwrap()));
            }
        }
        // A pinned value: the rule above, computed once (reimplementations check against it).
        assert_eq!(completion_code("send-basics", "p-1"), PINNED);
    }
    const PINNED: &str = "1J0R-N21C-M";
}
