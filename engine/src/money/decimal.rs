//! Exact conversions between [`Money`] and [`rust_decimal::Decimal`] (feature `decimal`), for
//! stores that keep money as SQL `NUMERIC` (the server's PostgreSQL columns, through sqlx).
//!
//! `Money → Decimal` is exact for every amount (a 96-bit mantissa holds any `i64` of fen).
//! `Decimal → Money` refuses what would lose or invent money: a value with a non-zero part
//! below one fen ([`DecimalError::SubFen`]; trailing zeros such as `1.500` are exact and
//! accepted) and a value outside the `i64` range of fen ([`DecimalError::OutOfRange`]).
//!
//! ```
//! use hongbao_engine::Money;
//! use rust_decimal::Decimal;
//!
//! let d = Decimal::from(Money::from_fen(1_880));
//! assert_eq!(d.to_string(), "18.80");
//! assert_eq!(Money::try_from(d), Ok(Money::from_fen(1_880)));
//! assert!(Money::try_from(Decimal::new(18_805, 3)).is_err()); // 18.805: half a fen
//! ```

use core::fmt;

use rust_decimal::Decimal;

use super::Money;

/// Why a [`Decimal`] is not an amount of [`Money`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecimalError {
    /// The value has a non-zero part below one fen (`18.805`).
    SubFen,
    /// The value is outside what an `i64` of fen holds.
    OutOfRange,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::SubFen => "the amount has a part below one fen",
            DecimalError::OutOfRange => "the amount is out of range",
        })
    }
}

impl std::error::Error for DecimalError {}

impl From<Money> for Decimal {
    /// The amount in yuan with scale 2 (`18.80`): exact.
    fn from(m: Money) -> Decimal {
        Decimal::new(m.0, 2)
    }
}

impl TryFrom<Decimal> for Money {
    type Error = DecimalError;

    /// The amount of `d` yuan, exactly, or an error (see [`DecimalError`]).
    fn try_from(d: Decimal) -> Result<Money, DecimalError> {
        // value = mantissa / 10^scale, so fen = mantissa × 10^(2 − scale).
        let mantissa = d.mantissa();
        let scale = d.scale();
        let fen = if scale <= 2 {
            // |mantissa| < 2^96, so × 100 cannot overflow an i128.
            mantissa * 10i128.pow(2 - scale)
        } else {
            // scale ≤ 28, so the divisor fits an i128.
            let divisor = 10i128.pow(scale - 2);
            if mantissa % divisor != 0 {
                return Err(DecimalError::SubFen);
            }
            mantissa / divisor
        };
        i64::try_from(fen)
            .map(Money)
            .map_err(|_| DecimalError::OutOfRange)
    }
}
