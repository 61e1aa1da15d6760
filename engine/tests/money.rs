//! Table tests: the amount parser, Chinese capitals, English words, formatting, serde.

use hongbao_engine::Lang;
use hongbao_engine::money::{AmountError, Money};

fn fen(v: i64) -> Result<Money, AmountError> {
    Ok(Money::from_fen(v))
}

#[test]
fn parser_table() {
    use AmountError::*;
    let long = "1".repeat(33);
    let table: Vec<(&str, Result<Money, AmountError>)> = vec![
        // Accepted.
        ("8.88", fen(888)),
        ("8.8", fen(880)),
        ("０.５", fen(50)),
        ("1,000", fen(100_000)),
        (" 20 ", fen(2_000)),
        ("¥20", fen(2_000)),
        ("￥20", fen(2_000)),
        ("¥ 20", fen(2_000)),
        ("20元", fen(2_000)),
        ("￥20 元", fen(2_000)),
        ("0.01", fen(1)),
        ("200", fen(20_000)),
        (".5", fen(50)),
        ("8.", fen(800)),
        ("12,345.67", fen(1_234_567)),
        ("1,234,567", fen(123_456_700)),
        ("+5", fen(500)),
        ("007", fen(700)),
        ("１２３．４５", fen(12_345)),
        ("１，０００", fen(100_000)),
        ("\u{3000}8.88\u{3000}", fen(888)),
        ("0。5", fen(50)),
        ("\t52.0\n", fen(5_200)),
        ("100000000", Ok(Money::MAX_AMOUNT)),
        ("100,000,000.00", Ok(Money::MAX_AMOUNT)),
        ("ＡＢＣ", Err(Letters)),
        // Spaces group digits like commas: the space, U+00A0, U+202F, U+2009.
        ("1 000", fen(100_000)),
        ("1\u{A0}000", fen(100_000)),
        ("1\u{202F}000", fen(100_000)),
        ("1\u{2009}000", fen(100_000)),
        ("12 345.67", fen(1_234_567)),
        ("1 234 567", fen(123_456_700)),
        ("¥ 1 000", fen(100_000)),
        ("\u{A0}1\u{A0}000\u{A0}元", fen(100_000)),
        ("1 000 元", fen(100_000)),
        ("100 000 000.00", Ok(Money::MAX_AMOUNT)),
        ("1 00", Err(BadGrouping)),
        ("1 0000", Err(BadGrouping)),
        ("1234 567", Err(BadGrouping)),
        ("1,000 000", Err(BadGrouping)),
        ("1 000,000", Err(BadGrouping)),
        ("1.5 0", Err(BadGrouping)),
        ("1  000", Err(BadGrouping)),
        ("100 000 000.01", Err(TooLarge)),
        // Rejected, one reason each.
        ("", Err(Empty)),
        ("   ", Err(Empty)),
        ("¥", Err(Empty)),
        ("abc", Err(Letters)),
        ("12a", Err(Letters)),
        ("ten", Err(Letters)),
        ("二十", Err(Letters)),
        ("e5", Err(Letters)),
        ("1e3", Err(Exponent)),
        ("2.5E-2", Err(Exponent)),
        ("１ｅ３", Err(Exponent)),
        ("NaN", Err(NotFinite)),
        ("inf", Err(NotFinite)),
        ("-Infinity", Err(NotFinite)),
        ("-5", Err(Negative)),
        ("-0.01", Err(Negative)),
        ("¥-20", Err(Negative)),
        ("－３", Err(Negative)),
        ("0", Err(Zero)),
        ("0.00", Err(Zero)),
        ("¥0", Err(Zero)),
        ("1.888", Err(TooManyDecimals)),
        ("1.500", Err(TooManyDecimals)),
        ("0.001", Err(TooManyDecimals)),
        ("1,00", Err(BadGrouping)),
        ("1,0000", Err(BadGrouping)),
        (",100", Err(BadGrouping)),
        ("1,5", Err(BadGrouping)),
        ("1.000,50", Err(BadGrouping)),
        ("1234,567", Err(BadGrouping)),
        ("1.2.3", Err(Malformed)),
        (".", Err(Malformed)),
        ("1\t000", Err(Malformed)),
        ("1\n000", Err(Malformed)),
        ("1\u{3000}000", Err(Malformed)),
        ("--5", Err(Malformed)),
        ("5%", Err(Malformed)),
        ("$5", Err(Malformed)),
        ("-", Err(Malformed)),
        ("100000000.01", Err(TooLarge)),
        ("999999999999", Err(TooLarge)),
        ("99999999999999999999999", Err(TooLarge)),
        (&long, Err(TooLong)),
        ("123456789012345678901234567890123", Err(TooLong)),
    ];
    assert!(table.len() >= 40);
    for (input, expected) in &table {
        assert_eq!(Money::parse_typed(input), *expected, "input {input:?}");
    }
    // Absurdly long inputs are refused without looking at all of them.
    assert_eq!(Money::parse_typed(&"9".repeat(1_000_000)), Err(TooLong));
}

#[test]
fn amount_errors_have_distinct_codes_and_texts() {
    let mut codes: Vec<&str> = AmountError::ALL.iter().map(|e| e.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), AmountError::ALL.len());
    for e in AmountError::ALL {
        assert!(e.code().starts_with("amount_"));
        assert!(!e.message(Lang::Zh).is_empty());
        assert!(!e.message(Lang::En).is_empty());
        assert_ne!(e.message(Lang::Zh), e.message(Lang::En));
    }
    assert_eq!(
        AmountError::TooManyDecimals.code(),
        "amount_too_many_decimals"
    );
}

#[test]
fn capitals_table() {
    let table: &[(i64, &str)] = &[
        (18_800, "壹佰捌拾捌元整"),
        (100_101, "壹仟零壹元零壹分"),
        (1_000, "壹拾元整"),
        (5, "伍分"),
        (150, "壹元伍角"),
        (50, "伍角"),
        (55, "伍角伍分"),
        (0, "零元整"),
        (100, "壹元整"),
        (10_000, "壹佰元整"),
        (10_100, "壹佰零壹元整"),
        (11_000, "壹佰壹拾元整"),
        (2_008, "贰拾元零捌分"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (32_504, "叁佰贰拾伍元零肆分"),
        (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
        (10_700_053, "壹拾万柒仟元伍角叁分"),
        (10_010_000, "壹拾万零壹佰元整"),
        (1_000_000, "壹万元整"),
        (100_010_000, "壹佰万零壹佰元整"),
        (52_000, "伍佰贰拾元整"),
        (20_000, "贰佰元整"),
        (131_400, "壹仟叁佰壹拾肆元整"),
        (9_999_999_999, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (10_000_000_000, "壹亿元整"),
        (10_000_000_100, "壹亿零壹元整"),
        (12_000_000_000, "壹亿贰仟万元整"),
        (100_001_000_000, "壹拾亿零壹万元整"),
        (50_000_100_000, "伍亿零壹仟元整"),
        (100_000_000_000_000, "壹万亿元整"),
        (-100, "负壹元整"),
    ];
    assert!(table.len() >= 20);
    for &(f, expected) in table {
        assert_eq!(
            Money::from_fen(f).to_capitals(),
            expected,
            "{}",
            Money::from_fen(f)
        );
    }
    // The largest amount the parser accepts, and the largest representable one.
    assert_eq!(Money::MAX_AMOUNT.to_capitals(), "壹亿元整");
    assert_eq!(
        Money::from_fen(i64::MAX).to_capitals(),
        "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"
    );
    let _ = Money::from_fen(i64::MIN).to_capitals();
}

#[test]
fn english_words_table() {
    let table: &[(i64, &str)] = &[
        (18_800, "one hundred eighty-eight yuan"),
        (100_101, "one thousand one yuan and one fen"),
        (50, "fifty fen"),
        (150, "one yuan and fifty fen"),
        (5, "five fen"),
        (0, "zero yuan"),
        (1_234, "twelve yuan and thirty-four fen"),
        (52_000, "five hundred twenty yuan"),
        (131_400, "one thousand three hundred fourteen yuan"),
        (1_100, "eleven yuan"),
        (2_000_000, "twenty thousand yuan"),
        (10_000_000_000, "one hundred million yuan"),
        (-200, "minus two yuan"),
    ];
    for &(f, expected) in table {
        assert_eq!(Money::from_fen(f).to_words_en(), expected);
    }
    assert_eq!(
        Money::from_fen(i64::MAX).to_words_en(),
        "ninety-two quadrillion two hundred thirty-three trillion seven hundred twenty billion \
         three hundred sixty-eight million five hundred forty-seven thousand seven hundred \
         fifty-eight yuan and seven fen"
    );
}

#[test]
fn display_and_format() {
    let m = Money::from_fen(1_880);
    assert_eq!(m.to_string(), "18.80");
    assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
    assert_eq!(Money::from_fen(188_800).format(Lang::Zh), "¥1,888.00");
    assert_eq!(Money::from_fen(188_800).format(Lang::En), "¥1,888.00");
    assert_eq!(Money::from_fen(5).format(Lang::En), "¥0.05");
    assert_eq!(
        Money::from_fen(123_456_789).format(Lang::Zh),
        "¥1,234,567.89"
    );
    assert_eq!(Money::from_fen(10_000).format(Lang::Zh), "¥100.00");
    assert_eq!(Money::from_fen(-100_000).format(Lang::En), "-¥1,000.00");
    assert_eq!(
        Money::from_fen(i64::MIN).to_string(),
        "-92233720368547758.08"
    );
}

#[test]
fn serde_as_decimal_string() {
    let m = Money::from_fen(1_880);
    assert_eq!(serde_json::to_string(&m).unwrap(), "\"18.80\"");
    for s in ["18.80", "18.8", "18", "-0.05", "0.00"] {
        let back: Money = serde_json::from_str(&format!("\"{s}\"")).unwrap();
        assert_eq!(back, Money::from_wire(s).unwrap());
    }
    assert_eq!(serde_json::from_str::<Money>("\"18.8\"").unwrap(), m);
    for bad in [
        "18",
        "\"1.234\"",
        "\"¥1\"",
        "\"\"",
        "\"1e3\"",
        "\"99999999999999999999\"",
        "\".5\"",
        "\"5.\"",
    ] {
        assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
    }
    for f in [0, 1, -1, 99, 100, 123_456, i64::MAX, i64::MIN + 1] {
        let m = Money::from_fen(f);
        let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}

#[test]
fn checked_arithmetic() {
    let a = Money::from_fen(i64::MAX);
    assert_eq!(a.checked_add(Money::FEN), None);
    assert_eq!(Money::from_fen(i64::MIN).checked_sub(Money::FEN), None);
    assert_eq!(a.checked_mul(2), None);
    assert_eq!(
        Money::from_fen(188).checked_mul(10),
        Some(Money::from_fen(1_880))
    );
    assert_eq!(Money::from_yuan(5), Some(Money::from_fen(500)));
    assert_eq!(Money::from_yuan(i64::MAX), None);
}
