//! The two parsers of [`Money`], named for what they read:
//!
//! - [`Money::parse_typed`]: what people type into an amount field, lenient about the forms
//!   people use (`¥1,000.5`, full-width digits, `20元`) and strict about what they may mean
//!   (one [`AmountError`] per reason a typed amount is refused);
//! - [`Money::from_wire`]: the canonical decimal string of [`Display`](core::fmt::Display)
//!   and of the JSON API (`18.80`, `-0.05`), nothing else.

use core::fmt;

use super::Money;
use crate::lang::Lang;

impl Money {
    /// Parses what people type into an amount field.
    ///
    /// Accepted: `8.88`, `8.8`, `.5`, `8.`, full-width digits and points (`０.５`, `０。５`),
    /// thousands grouping when it is valid, with commas (`1,000`, `12,345.60`) or with spaces
    /// (`1 000`, also the no-break spaces U+00A0 and U+202F and the thin space U+2009 that
    /// many locales format with), one kind of separator per number; surrounding white space
    /// (`" 20 "`, including the ideographic space), a currency sign before the number
    /// (`¥20`, `￥20`, `¥ 20`), a `+` sign, and a trailing `元` (`20元`).
    ///
    /// Rejected, one [`AmountError`] variant per reason: empty input, more than
    /// [`Money::MAX_INPUT_CHARS`] characters, `NaN`/`inf`, exponents (`1e3`), letters,
    /// other malformed numbers (`1.2.3`, `1\t000`), bad grouping (`1,00`, `1 0000`, `1,5`,
    /// `1,000 000`), more than two decimals (`1.500`
    /// too: in many locales that means one thousand five hundred), negative amounts, zero, and
    /// amounts above [`Money::MAX_AMOUNT`]. Policy limits (such as ¥200 per share) are *not*
    /// checked here; the engine checks them when sending. For the JSON API's decimal strings
    /// use [`Money::from_wire`], which accepts none of these conveniences.
    ///
    /// ```
    /// use hongbao_engine::money::{AmountError, Money};
    /// assert_eq!(Money::parse_typed("￥1,000.5"), Ok(Money::from_fen(100_050)));
    /// assert_eq!(Money::parse_typed("1 000"), Ok(Money::from_fen(100_000)));
    /// assert_eq!(Money::parse_typed("1.888"), Err(AmountError::TooManyDecimals));
    /// ```
    pub fn parse_typed(input: &str) -> Result<Money, AmountError> {
        parse_user(input)
    }

    /// Parses the canonical decimal string written by [`Display`](core::fmt::Display) and read
    /// from the JSON API: an optional `-`, ASCII digits, and at most two decimals after a
    /// point (`18.80`, `18.8`, `7`, `-0.05`). No grouping, signs other than `-`, spaces,
    /// currency signs or exponents; at most [`Money::MAX_INPUT_CHARS`] bytes. For what people
    /// type use [`Money::parse_typed`].
    ///
    /// ```
    /// use hongbao_engine::money::{AmountError, Money};
    /// assert_eq!(Money::from_wire("18.80"), Ok(Money::from_fen(1_880)));
    /// assert_eq!(Money::from_wire("1,000"), Err(AmountError::Malformed));
    /// assert_eq!(Money::from_wire("1 000"), Err(AmountError::Malformed));
    /// ```
    pub fn from_wire(s: &str) -> Result<Money, AmountError> {
        parse_canonical(s)
    }
}

fn parse_canonical(s: &str) -> Result<Money, AmountError> {
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.len() > Money::MAX_INPUT_CHARS {
        return Err(AmountError::TooLong);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::Malformed);
    }
    let frac = frac.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (body.contains('.') && frac.is_empty()) {
        return Err(AmountError::Malformed);
    }
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let fen = digits_to_fen(int.as_bytes(), frac.as_bytes()).ok_or(AmountError::TooLarge)?;
    Ok(Money(if neg { -fen } else { fen }))
}

/// Integer and fraction digits (all ASCII digits, fraction ≤ 2) to fen, `None` on overflow.
fn digits_to_fen(int: &[u8], frac: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &b in int {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    v = v.checked_mul(100)?;
    let mut f: i64 = 0;
    for i in 0..2 {
        f = f * 10 + frac.get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    v.checked_add(f)
}

/// Why an amount was rejected by [`Money::parse_typed`] (or [`Money::from_wire`], which
/// reports a subset of these). One variant per reason; [`AmountError::code`] gives the
/// stable reason (the API reports every one of them as `invalid_amount`, with this code as
/// its detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmountError {
    /// Nothing was typed (or only white space / a currency sign). `amount_empty`
    Empty,
    /// More than [`Money::MAX_INPUT_CHARS`] characters. `amount_too_long`
    TooLong,
    /// Contains letters (`abc`, `12元5`, `ten`). `amount_letters`
    Letters,
    /// Digits and symbols that do not form a number (`1.2.3`, `.`, `1\t000`, `--5`, `5%`). `amount_malformed`
    Malformed,
    /// Scientific notation such as `1e3`. `amount_exponent`
    Exponent,
    /// `NaN`, `inf`, `Infinity`. `amount_not_finite`
    NotFinite,
    /// Thousands separators in the wrong places (`1,00`, `1,0000`, `,100`, `1,5`, `1 00`), or
    /// commas and spaces mixed (`1,000 000`). `amount_bad_grouping`
    BadGrouping,
    /// More than two decimals (`1.888`, also `1.500`). `amount_too_many_decimals`
    TooManyDecimals,
    /// A minus sign. `amount_negative`
    Negative,
    /// Zero. `amount_zero`
    Zero,
    /// Above [`Money::MAX_AMOUNT`]. `amount_too_large`
    TooLarge,
}

impl AmountError {
    /// Every variant, in declaration order.
    pub const ALL: [AmountError; 11] = [
        AmountError::Empty,
        AmountError::TooLong,
        AmountError::Letters,
        AmountError::Malformed,
        AmountError::Exponent,
        AmountError::NotFinite,
        AmountError::BadGrouping,
        AmountError::TooManyDecimals,
        AmountError::Negative,
        AmountError::Zero,
        AmountError::TooLarge,
    ];

    /// Stable snake_case code, e.g. `amount_too_many_decimals`.
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Empty => "amount_empty",
            AmountError::TooLong => "amount_too_long",
            AmountError::Letters => "amount_letters",
            AmountError::Malformed => "amount_malformed",
            AmountError::Exponent => "amount_exponent",
            AmountError::NotFinite => "amount_not_finite",
            AmountError::BadGrouping => "amount_bad_grouping",
            AmountError::TooManyDecimals => "amount_too_many_decimals",
            AmountError::Negative => "amount_negative",
            AmountError::Zero => "amount_zero",
            AmountError::TooLarge => "amount_too_large",
        }
    }

    /// A user-facing explanation.
    pub fn message(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            AmountError::Empty => ("请输入金额", "Please enter an amount"),
            AmountError::TooLong => (
                "输入过长，请检查金额",
                "That input is far too long for an amount",
            ),
            AmountError::Letters => (
                "金额只能包含数字和小数点",
                "An amount can only contain digits and a decimal point",
            ),
            AmountError::Malformed => ("这不是一个有效的数字", "That is not a valid number"),
            AmountError::Exponent => (
                "请不要使用科学计数法（如 1e3），直接输入金额",
                "Scientific notation (like 1e3) is not accepted; type the amount itself",
            ),
            AmountError::NotFinite => (
                "金额必须是一个具体的数字",
                "The amount must be an actual number",
            ),
            AmountError::BadGrouping => (
                "千位分隔符位置不正确（应为 1,000 这样的格式）",
                "The thousands separators are misplaced (use 1,000)",
            ),
            AmountError::TooManyDecimals => (
                "金额最多保留两位小数（精确到分）",
                "At most two decimals: amounts are exact to the fen (0.01)",
            ),
            AmountError::Negative => ("金额不能为负数", "The amount cannot be negative"),
            AmountError::Zero => ("金额必须大于零", "The amount must be more than zero"),
            AmountError::TooLarge => (
                "金额超出上限 ¥100,000,000.00",
                "The amount is above the ceiling of ¥100,000,000.00",
            ),
        };
        lang.pick(zh, en).to_string()
    }
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for AmountError {}

// Markers for non-ASCII characters in the normalised buffer.
const CURRENCY: u8 = 0x01;
const YUAN: u8 = 0x02;
const LETTER: u8 = 0x03;
const SYMBOL: u8 = 0x04;
/// A space that may group digits: the space, the no-break space (U+00A0), the narrow no-break
/// space (U+202F, French and others) and the thin space (U+2009).
const GROUP_SPACE: u8 = 0x05;

fn normalize_char(c: char) -> u8 {
    match c {
        '0'..='9' | '.' | ',' | '-' | '+' => c as u8,
        'a'..='z' => c as u8,
        'A'..='Z' => c.to_ascii_lowercase() as u8,
        '\u{FF10}'..='\u{FF19}' => b'0' + (c as u32 - 0xFF10) as u8,
        '\u{FF21}'..='\u{FF3A}' => b'a' + (c as u32 - 0xFF21) as u8,
        '\u{FF41}'..='\u{FF5A}' => b'a' + (c as u32 - 0xFF41) as u8,
        '\u{FF0E}' | '\u{3002}' | '\u{FF61}' => b'.',
        '\u{FF0C}' => b',',
        '\u{FF0D}' | '\u{2212}' | '\u{2010}' | '\u{2013}' => b'-',
        '\u{FF0B}' => b'+',
        '\u{00A5}' | '\u{FFE5}' => CURRENCY,
        '元' => YUAN,
        ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' => GROUP_SPACE,
        c if c.is_whitespace() => b' ',
        c if c.is_ascii() => c as u8,
        c if c.is_alphabetic() => LETTER,
        _ => SYMBOL,
    }
}

fn parse_user(input: &str) -> Result<Money, AmountError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    if trimmed.chars().nth(Money::MAX_INPUT_CHARS).is_some() {
        return Err(AmountError::TooLong);
    }
    let mut buf = [0u8; Money::MAX_INPUT_CHARS];
    let mut len = 0;
    for c in trimmed.chars() {
        buf[len] = normalize_char(c);
        len += 1;
    }
    let mut s: &[u8] = &buf[..len];

    // Leading sign and currency sign, in either order, with spaces after the currency sign.
    let mut neg = false;
    let mut signed = false;
    let mut currency = false;
    loop {
        match s.first() {
            Some(b'-') | Some(b'+') if !signed => {
                neg = s[0] == b'-';
                signed = true;
                s = &s[1..];
            }
            Some(&CURRENCY) if !currency => {
                currency = true;
                s = &s[1..];
                while let Some(&(b' ' | GROUP_SPACE)) = s.first() {
                    s = &s[1..];
                }
            }
            _ => break,
        }
    }
    // A trailing 元, with optional spaces before it.
    if let Some((&YUAN, rest)) = s.split_last() {
        s = rest;
        while let Some((&(b' ' | GROUP_SPACE), rest)) = s.split_last() {
            s = rest;
        }
    }
    if s.is_empty() {
        return if signed {
            Err(AmountError::Malformed)
        } else {
            Err(AmountError::Empty)
        };
    }
    if matches!(s, b"nan" | b"inf" | b"infinity") {
        return Err(AmountError::NotFinite);
    }
    if is_exponent(s) {
        return Err(AmountError::Exponent);
    }
    if s.iter()
        .any(|&b| b.is_ascii_alphabetic() || b == LETTER || b == YUAN)
    {
        return Err(AmountError::Letters);
    }
    if s.iter()
        .any(|&b| !(b.is_ascii_digit() || b == b'.' || b == b',' || b == GROUP_SPACE))
    {
        return Err(AmountError::Malformed);
    }
    let mut parts = s.splitn(3, |&b| b == b'.');
    let int = parts.next().unwrap_or(&[]);
    let frac = parts.next();
    if parts.next().is_some() {
        return Err(AmountError::Malformed);
    }
    let frac = frac.unwrap_or(&[]);
    if int.is_empty() && frac.is_empty() {
        return Err(AmountError::Malformed);
    }
    if frac.iter().any(|&b| b == b',' || b == GROUP_SPACE) {
        return Err(AmountError::BadGrouping);
    }
    // Commas or spaces group the digits, one kind per number.
    let separator = match (int.contains(&b','), int.contains(&GROUP_SPACE)) {
        (true, true) => return Err(AmountError::BadGrouping),
        (true, false) => Some(b','),
        (false, true) => Some(GROUP_SPACE),
        (false, false) => None,
    };
    let mut digits = [0u8; Money::MAX_INPUT_CHARS];
    let mut n = 0;
    if let Some(separator) = separator {
        for (i, group) in int.split(|&b| b == separator).enumerate() {
            let ok = if i == 0 {
                (1..=3).contains(&group.len())
            } else {
                group.len() == 3
            };
            if !ok {
                return Err(AmountError::BadGrouping);
            }
            digits[n..n + group.len()].copy_from_slice(group);
            n += group.len();
        }
    } else {
        digits[..int.len()].copy_from_slice(int);
        n = int.len();
    }
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    if neg {
        return Err(AmountError::Negative);
    }
    let fen = digits_to_fen(&digits[..n], frac).ok_or(AmountError::TooLarge)?;
    if fen == 0 {
        return Err(AmountError::Zero);
    }
    if fen > Money::MAX_AMOUNT.0 {
        return Err(AmountError::TooLarge);
    }
    Ok(Money(fen))
}

/// `digits[.digits]e[+-]digits`, with at least one mantissa digit.
fn is_exponent(s: &[u8]) -> bool {
    let Some(e) = s.iter().position(|&b| b == b'e') else {
        return false;
    };
    let (mantissa, exp) = (&s[..e], &s[e + 1..]);
    let exp = match exp.first() {
        Some(b'+') | Some(b'-') => &exp[1..],
        _ => exp,
    };
    mantissa.iter().any(u8::is_ascii_digit)
        && mantissa
            .iter()
            .all(|&b| b.is_ascii_digit() || b == b'.' || b == b',')
        && !exp.is_empty()
        && exp.iter().all(u8::is_ascii_digit)
}
