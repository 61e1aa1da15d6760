//! Exact money: an integer number of fen (0.01 CNY).
//!
//! [`Money`] never uses floating point. It is parsed from what people type with
//! [`Money::parse`], shown with [`Display`](core::fmt::Display) (`"18.80"`),
//! [`Money::format`] (`"¥1,888.00"`), [`Money::to_capitals`] (`壹佰捌拾捌元整`) and
//! [`Money::to_words_en`] (`"one hundred eighty-eight yuan"`), and serialised as a decimal
//! string (`"18.80"`) so that JSON consumers never see a float.

use core::fmt;
use core::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lang::Lang;

/// An exact amount of money in fen (1 yuan = 100 fen).
///
/// `Copy`, totally ordered, and serialised as a decimal string such as `"18.80"`.
/// Arithmetic is checked: [`Money::checked_add`], [`Money::checked_sub`], [`Money::checked_mul`].
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);
    /// One fen, the smallest positive amount.
    pub const FEN: Money = Money(1);
    /// The absolute ceiling of a typed amount: ¥100,000,000.00. [`Money::parse`] rejects
    /// anything larger with [`AmountError::TooLarge`], whatever the policy says.
    pub const MAX_AMOUNT: Money = Money(10_000_000_000);
    /// Inputs longer than this many characters (after trimming) are rejected by
    /// [`Money::parse`] with [`AmountError::TooLong`].
    pub const MAX_INPUT_CHARS: usize = 32;

    /// An amount of `fen` fen (may be negative; the engine itself only stores non-negative amounts).
    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// An amount of whole yuan, `None` on overflow.
    pub const fn from_yuan(yuan: i64) -> Option<Money> {
        match yuan.checked_mul(100) {
            Some(f) => Some(Money(f)),
            None => None,
        }
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// `true` for exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `true` for amounts of at least one fen.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// `self + other`, `None` on overflow.
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// `self - other`, `None` on overflow (the result may be negative).
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// `self × n`, `None` on overflow.
    pub const fn checked_mul(self, n: u32) -> Option<Money> {
        match self.0.checked_mul(n as i64) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// Parses what people type into an amount field.
    ///
    /// Accepted: `8.88`, `8.8`, `.5`, `8.`, full-width digits and points (`０.５`, `０。５`),
    /// thousands grouping when it is valid (`1,000`, `12,345.60`), surrounding white space
    /// (`" 20 "`, including the ideographic space), a currency sign before the number
    /// (`¥20`, `￥20`, `¥ 20`), a `+` sign, and a trailing `元` (`20元`).
    ///
    /// Rejected, one [`AmountError`] variant per reason: empty input, more than
    /// [`Money::MAX_INPUT_CHARS`] characters, `NaN`/`inf`, exponents (`1e3`), letters,
    /// other malformed numbers (`1.2.3`, `1 000`), bad grouping (`1,00`, `1,0000`, `1,5`), more than two decimals (`1.500`
    /// too: in many locales that means one thousand five hundred), negative amounts, zero, and
    /// amounts above [`Money::MAX_AMOUNT`]. Policy limits (such as ¥200 per share) are *not*
    /// checked here; the engine checks them when sending.
    ///
    /// ```
    /// use hongbao_engine::money::{AmountError, Money};
    /// assert_eq!(Money::parse("￥1,000.5"), Ok(Money::from_fen(100_050)));
    /// assert_eq!(Money::parse("1.888"), Err(AmountError::TooManyDecimals));
    /// ```
    pub fn parse(input: &str) -> Result<Money, AmountError> {
        parse_user(input)
    }

    /// Formats for display with the yuan sign and thousands separators: `¥1,888.00`.
    ///
    /// Both languages use the same form (the product shows `¥` in Chinese and English);
    /// negative amounts are shown as `-¥1.00`.
    pub fn format(self, lang: Lang) -> String {
        let _ = lang;
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        let digits = yuan.to_string();
        let mut out = String::with_capacity(digits.len() + 8);
        if self.0 < 0 {
            out.push('-');
        }
        out.push('¥');
        let n = digits.len();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (n - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        out.push('.');
        out.push(char::from(b'0' + (fen / 10) as u8));
        out.push(char::from(b'0' + (fen % 10) as u8));
        out
    }

    /// The amount in Chinese capital numerals (大写金额) as banks print them.
    ///
    /// Rules followed (中国人民银行《正确填写票据和结算凭证的基本规定》):
    /// - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, sections 万 and 亿 (and 万亿, 亿亿 above that);
    ///   a leading ten keeps its 壹: `10.00` → 壹拾元整;
    /// - one or more zeros inside the number are written as a single 零
    ///   (`1001.01` → 壹仟零壹元零壹分, `100100` → 壹拾万零壹佰元整); zeros at the end of a
    ///   section are not written (`107000` → 壹拾万柒仟元整);
    /// - an amount that ends at 元 gets 整 (`188.00` → 壹佰捌拾捌元整); one that ends at 角
    ///   does not (`1.50` → 壹元伍角, the rule allows either); one that ends at 分 never does;
    /// - when 角 is zero and 分 is not, 零 is written after 元 (`325.04` → 叁佰贰拾伍元零肆分);
    ///   when only the 元 digit is zero before a non-zero 角, no 零 is written
    ///   (`1680.32` → 壹仟陆佰捌拾元叁角贰分, the rule allows either);
    /// - amounts below one yuan have no 元 part (`0.05` → 伍分, `0.50` → 伍角);
    ///   zero is 零元整, and a negative amount is prefixed with 负.
    pub fn to_capitals(self) -> String {
        const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
        let mut out = String::new();
        if self.0 < 0 {
            out.push('负');
        }
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let jiao = ((abs / 10) % 10) as usize;
        let fen = (abs % 10) as usize;
        if yuan == 0 && jiao == 0 && fen == 0 {
            out.push_str("零元整");
            return out;
        }
        if yuan > 0 {
            capitals_int(yuan, &mut out);
            out.push('元');
            if jiao == 0 && fen == 0 {
                out.push('整');
                return out;
            }
            if jiao == 0 {
                out.push('零');
            }
        }
        if jiao > 0 {
            out.push(DIGITS[jiao]);
            out.push('角');
        }
        if fen > 0 {
            out.push(DIGITS[fen]);
            out.push('分');
        }
        out
    }

    /// The amount in English words.
    ///
    /// Yuan are written as a cardinal number, and the jiao and fen together as a number of fen
    /// (`0.50` → "fifty fen", `1.50` → "one yuan and fifty fen"); no "and" inside numbers,
    /// hyphens between tens and units, and no plural on yuan or fen:
    /// `188.00` → "one hundred eighty-eight yuan", `1001.01` → "one thousand one yuan and one fen",
    /// `0.00` → "zero yuan". Negative amounts start with "minus".
    pub fn to_words_en(self) -> String {
        let mut out = String::new();
        if self.0 < 0 {
            out.push_str("minus ");
        }
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        if yuan == 0 && fen == 0 {
            out.push_str("zero yuan");
            return out;
        }
        if yuan > 0 {
            words_int(yuan, &mut out);
            out.push_str(" yuan");
            if fen > 0 {
                out.push_str(" and ");
            }
        }
        if fen > 0 {
            words_int(fen, &mut out);
            out.push_str(" fen");
        }
        out
    }
}

fn capitals_int(n: u64, out: &mut String) {
    const YI: u64 = 100_000_000;
    if n >= YI {
        let high = n / YI;
        let low = n % YI;
        capitals_int(high, out);
        out.push('亿');
        if low > 0 {
            if low < YI / 10 {
                out.push('零');
            }
            capitals_section8(low, out);
        }
    } else {
        capitals_section8(n, out);
    }
}

fn capitals_section8(n: u64, out: &mut String) {
    if n >= 10_000 {
        let high = n / 10_000;
        let low = n % 10_000;
        capitals_section4(high, out);
        out.push('万');
        if low > 0 {
            if low < 1_000 {
                out.push('零');
            }
            capitals_section4(low, out);
        }
    } else {
        capitals_section4(n, out);
    }
}

fn capitals_section4(n: u64, out: &mut String) {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let mut started = false;
    let mut zero_pending = false;
    for (d, unit) in digits.iter().zip(UNITS) {
        if *d == 0 {
            if started {
                zero_pending = true;
            }
        } else {
            if zero_pending {
                out.push('零');
                zero_pending = false;
            }
            out.push(DIGITS[*d as usize]);
            out.push_str(unit);
            started = true;
        }
    }
}

fn words_int(n: u64, out: &mut String) {
    const SCALES: [&str; 7] = [
        "",
        "thousand",
        "million",
        "billion",
        "trillion",
        "quadrillion",
        "quintillion",
    ];
    let mut groups = [0u64; 7];
    let mut rest = n;
    for g in groups.iter_mut() {
        *g = rest % 1000;
        rest /= 1000;
    }
    let mut first = true;
    for i in (0..groups.len()).rev() {
        let g = groups[i];
        if g == 0 {
            continue;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        words_below_1000(g, out);
        if i > 0 {
            out.push(' ');
            out.push_str(SCALES[i]);
        }
    }
}

fn words_below_1000(n: u64, out: &mut String) {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let hundreds = (n / 100) as usize;
    let rest = (n % 100) as usize;
    if hundreds > 0 {
        out.push_str(ONES[hundreds]);
        out.push_str(" hundred");
        if rest > 0 {
            out.push(' ');
        }
    }
    if rest > 0 {
        if rest < 20 {
            out.push_str(ONES[rest]);
        } else {
            out.push_str(TENS[rest / 10]);
            if !rest.is_multiple_of(10) {
                out.push('-');
                out.push_str(ONES[rest % 10]);
            }
        }
    }
}

impl fmt::Display for Money {
    /// `18.80`, `-0.05`: yuan, a point and exactly two decimals, no grouping.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl FromStr for Money {
    type Err = AmountError;

    /// Parses the canonical form produced by `Display` (`18.80`, `-0.05`, `7`, `7.5`):
    /// an optional `-`, ASCII digits, and at most two decimals. For user input use
    /// [`Money::parse`].
    fn from_str(s: &str) -> Result<Money, AmountError> {
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

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct MoneyVisitor;
        impl Visitor<'_> for MoneyVisitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount as a decimal string such as \"18.80\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                parse_canonical(v)
                    .map_err(|e| E::custom(format_args!("invalid money {v:?}: {}", e.code())))
            }
        }
        deserializer.deserialize_str(MoneyVisitor)
    }
}

/// Why a typed amount was rejected by [`Money::parse`]. One variant per reason.
///
/// All of these fall under the server's `invalid_amount` code ([`AmountError::server_code`]);
/// [`AmountError::code`] gives the finer, stable reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmountError {
    /// Nothing was typed (or only white space / a currency sign). `amount_empty`
    Empty,
    /// More than [`Money::MAX_INPUT_CHARS`] characters. `amount_too_long`
    TooLong,
    /// Contains letters (`abc`, `12元5`, `ten`). `amount_letters`
    Letters,
    /// Digits and symbols that do not form a number (`1.2.3`, `.`, `1 000`, `--5`, `5%`). `amount_malformed`
    Malformed,
    /// Scientific notation such as `1e3`. `amount_exponent`
    Exponent,
    /// `NaN`, `inf`, `Infinity`. `amount_not_finite`
    NotFinite,
    /// Thousands separators in the wrong places (`1,00`, `1,0000`, `,100`, `1,5`). `amount_bad_grouping`
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

    /// The server-level code all amount errors map to: `invalid_amount`.
    pub fn server_code(&self) -> &'static str {
        "invalid_amount"
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
                while let Some(b' ') = s.first() {
                    s = &s[1..];
                }
            }
            _ => break,
        }
    }
    // A trailing 元, with optional spaces before it.
    if let Some((&YUAN, rest)) = s.split_last() {
        s = rest;
        while let Some((b' ', rest)) = s.split_last() {
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
        .any(|&b| !(b.is_ascii_digit() || b == b'.' || b == b','))
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
    if frac.contains(&b',') {
        return Err(AmountError::BadGrouping);
    }
    let mut digits = [0u8; Money::MAX_INPUT_CHARS];
    let mut n = 0;
    if int.contains(&b',') {
        for (i, group) in int.split(|&b| b == b',').enumerate() {
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
