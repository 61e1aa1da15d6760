//! Exact money: an integer number of fen (0.01 CNY).
//!
//! [`Money`] never uses floating point. This module holds the type, its checked arithmetic,
//! [`Display`](core::fmt::Display) (`"18.80"`), [`Money::format`] (`"¥1,888.00"`) and its
//! serde form, a decimal string (`"18.80"`) so that JSON consumers never see a float. The
//! rest is one concern per file:
//! - `parse`: the two parsers, named for what they read:
//!   [`Money::parse_typed`] (lenient: what people type into an amount field, one
//!   [`AmountError`] per reason) and [`Money::from_wire`] (strict: the canonical decimal
//!   string of `Display` and of the JSON API);
//! - `capitals`: [`Money::to_capitals`] (`壹佰捌拾捌元整`), as banks print amounts;
//! - `words`: [`Money::to_words_en`] (`"one hundred eighty-eight yuan"`);
//! - `decimal` (feature `decimal`): exact conversions to and from `rust_decimal::Decimal`
//!   for databases that store money as `NUMERIC`.

use core::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lang::Lang;

mod capitals;
#[cfg(feature = "decimal")]
mod decimal;
mod parse;
mod words;

#[cfg(feature = "decimal")]
pub use decimal::DecimalError;
pub use parse::AmountError;

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
    /// The absolute ceiling of a typed amount: ¥100,000,000.00. [`Money::parse_typed`] rejects
    /// anything larger with [`AmountError::TooLarge`], whatever the policy says.
    pub const MAX_AMOUNT: Money = Money(10_000_000_000);
    /// Inputs longer than this many characters (after trimming) are rejected by
    /// [`Money::parse_typed`] and [`Money::from_wire`] with [`AmountError::TooLong`].
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
                Money::from_wire(v)
                    .map_err(|e| E::custom(format_args!("invalid money {v:?}: {}", e.code())))
            }
        }
        deserializer.deserialize_str(MoneyVisitor)
    }
}
