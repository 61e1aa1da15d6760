//! `Money ↔ rust_decimal::Decimal` (feature `decimal`): exact both ways, refusing what is
//! not a whole number of fen or does not fit.
#![cfg(all(feature = "decimal", not(target_arch = "wasm32")))]

use hongbao_engine::{DecimalError, Money};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[test]
fn table() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(Decimal::from(Money::from_fen(1_880)), d("18.80"));
    assert_eq!(Decimal::from(Money::from_fen(1_880)).scale(), 2);
    assert_eq!(Decimal::from(Money::from_fen(-5)), d("-0.05"));
    assert_eq!(Money::try_from(d("18.8")), Ok(Money::from_fen(1_880)));
    assert_eq!(Money::try_from(d("18")), Ok(Money::from_fen(1_800)));
    assert_eq!(Money::try_from(d("18.800000")), Ok(Money::from_fen(1_880)));
    assert_eq!(Money::try_from(d("0.00")), Ok(Money::ZERO));
    assert_eq!(Money::try_from(d("18.805")), Err(DecimalError::SubFen));
    assert_eq!(
        Money::try_from(d("0.0000000000000000000000000001")),
        Err(DecimalError::SubFen)
    );
    let max = Money::from_fen(i64::MAX);
    let min = Money::from_fen(i64::MIN);
    assert_eq!(Money::try_from(Decimal::from(max)), Ok(max));
    assert_eq!(Money::try_from(Decimal::from(min)), Ok(min));
    assert_eq!(
        Money::try_from(Decimal::from(max) + d("0.01")),
        Err(DecimalError::OutOfRange)
    );
    assert_eq!(
        Money::try_from(Decimal::from(min) - d("0.01")),
        Err(DecimalError::OutOfRange)
    );
    assert_eq!(Money::try_from(Decimal::MAX), Err(DecimalError::OutOfRange));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every amount of money is a decimal, and comes back exactly.
    #[test]
    fn money_round_trips(fen in any::<i64>()) {
        let m = Money::from_fen(fen);
        let d = Decimal::from(m);
        prop_assert_eq!(d.to_string(), m.to_string());
        prop_assert_eq!(Money::try_from(d), Ok(m));
    }

    /// A decimal is money exactly when it is a whole number of fen within `i64` (its
    /// normal form has at most two decimals); then the money is that decimal, whatever its
    /// scale.
    #[test]
    fn decimals_are_money_exactly_when_they_are_whole_fen(
        mantissa in prop_oneof![
            any::<i64>().prop_map(i128::from),
            -(1i128 << 95)..(1i128 << 95),
        ],
        scale in 0u32..=28,
    ) {
        let d = Decimal::from_i128_with_scale(mantissa, scale);
        let whole = d.normalize().scale() <= 2;
        match Money::try_from(d) {
            Ok(m) => {
                prop_assert!(whole);
                prop_assert_eq!(Decimal::from(m), d);
            }
            Err(DecimalError::SubFen) => prop_assert!(!whole),
            Err(DecimalError::OutOfRange) => {
                prop_assert!(whole);
                prop_assert!(
                    d > Decimal::from(Money::from_fen(i64::MAX))
                        || d < Decimal::from(Money::from_fen(i64::MIN))
                );
            }
        }
    }
}
