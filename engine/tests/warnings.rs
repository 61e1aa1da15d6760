//! Warning table tests: special amounts, the romantic severity by chat, every anomaly.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use hongbao_engine::warnings::{self, WARNINGS, special_amount};
use hongbao_engine::{
    ChatRef, Lang, Money, PacketKind, Policy, SenderHistory, Severity, Timestamp, Warning,
    WarningCode, WarningInput,
};

fn check_with(
    kind: &PacketKind,
    chat: &ChatRef,
    history: &SenderHistory,
    balance: &str,
    now: Timestamp,
) -> Vec<Warning> {
    warnings::check(&WarningInput {
        kind,
        chat,
        history,
        balance: yuan(balance),
        policy: &Policy::default(),
        now,
    })
}

fn check(kind: &PacketKind, chat: &ChatRef, history: &SenderHistory) -> Vec<Warning> {
    check_with(kind, chat, history, "100000", t0())
}

fn find(ws: &[Warning], code: WarningCode) -> Option<Warning> {
    ws.iter().find(|w| w.code == code).copied()
}

#[test]
fn special_amount_table() {
    use WarningCode::*;
    let table: &[(&str, WarningCode)] = &[
        ("520", Romantic),
        ("521", Romantic),
        ("1314", Romantic),
        ("5.20", Romantic),
        ("13.14", Romantic),
        ("6.66", Auspicious),
        ("66", Auspicious),
        ("666", Auspicious),
        ("8.88", Auspicious),
        ("88", Auspicious),
        ("888", Auspicious),
        ("8888", Auspicious),
        ("168", Auspicious),
        ("1688", Auspicious),
        ("99", Auspicious),
        ("999", Auspicious),
        ("250", Offensive),
        ("38", Offensive),
        ("4", Unlucky),
        ("14", Unlucky),
        ("44", Unlucky),
        ("444", Unlucky),
        ("74", Unlucky),
    ];
    assert_eq!(table.len(), hongbao_engine::warnings::SPECIAL_AMOUNTS.len());
    for &(amount, code) in table {
        assert_eq!(special_amount(yuan(amount)), Some(code), "{amount}");
        // Raised on the typed amount of a lucky packet in a group...
        let ws = check(&lucky(amount, 1), &family(), &SenderHistory::default());
        let w = find(&ws, code).unwrap_or_else(|| panic!("{amount}: {ws:?}"));
        assert_eq!(w.amount, yuan(amount));
        assert_eq!(w.severity, code.def().in_group);
    }
    for plain in [
        "5.21", "52", "5200", "1.88", "100", "0.04", "40", "8.8", "25",
    ] {
        assert_eq!(special_amount(yuan(plain)), None, "{plain}");
    }
}

#[test]
fn romantic_is_stronger_in_groups_and_strongest_in_work_groups() {
    let h = SenderHistory::default();
    let direct_w = find(
        &check(&personal("bo", "520"), &direct("bo"), &h),
        WarningCode::Romantic,
    )
    .unwrap();
    let group_w = find(
        &check(&lucky("520", 4), &family(), &h),
        WarningCode::Romantic,
    )
    .unwrap();
    let work_w = find(&check(&lucky("520", 4), &work(), &h), WarningCode::Romantic).unwrap();
    assert_eq!(direct_w.severity, Severity::Info);
    assert_eq!(group_w.severity, Severity::Caution);
    assert_eq!(work_w.severity, Severity::Danger);
    assert!(direct_w.severity < group_w.severity && group_w.severity < work_w.severity);
    // Offensive amounts are worse at work too.
    let off = find(
        &check(&lucky("250", 4), &work(), &h),
        WarningCode::Offensive,
    )
    .unwrap();
    assert_eq!(off.severity, Severity::Danger);
}

#[test]
fn special_amounts_are_checked_on_the_total_too() {
    let h = SenderHistory::default();
    // 52.00 per person × 10 = 520.00 total.
    let ws = check(
        &normal("52", 10),
        &ChatRef::group("g", false, (0..12).map(|i| format!("u{i}"))),
        &h,
    );
    let w = find(&ws, WarningCode::Romantic).unwrap();
    assert_eq!(w.amount, yuan("520"));
    // 5.20 × 100 = 520: both romantic, reported once.
    let big = ChatRef::group("g", false, (0..120).map(|i| format!("u{i}")));
    let ws = check(&normal("5.20", 100), &big, &h);
    assert_eq!(
        ws.iter()
            .filter(|w| w.code == WarningCode::Romantic)
            .count(),
        1
    );
}

#[test]
fn ten_times_usual_and_last_in_chat() {
    let usual = SenderHistory {
        usual_amount: Some(yuan("10")),
        ..Default::default()
    };
    let w = find(
        &check(&lucky("150", 10), &family(), &usual),
        WarningCode::TenTimesUsual,
    )
    .unwrap();
    assert_eq!(w.severity, Severity::Caution);
    assert_eq!(w.usual, Some(yuan("10")));
    assert_eq!(w.amount, yuan("150"));
    assert!(
        find(
            &check(&lucky("99.99", 10), &family(), &usual),
            WarningCode::TenTimesUsual
        )
        .is_none()
    );
    let last = SenderHistory {
        last_in_chat: Some(yuan("5")),
        ..Default::default()
    };
    let w = find(
        &check(&lucky("60", 10), &family(), &last),
        WarningCode::TenTimesUsual,
    )
    .unwrap();
    assert_eq!(w.usual, Some(yuan("5")));
    // No history, no anomaly.
    assert!(
        find(
            &check(&lucky("150", 10), &family(), &SenderHistory::default()),
            WarningCode::TenTimesUsual
        )
        .is_none()
    );
}

/// 520, 521 and 5.20 say 我爱你; only 1314 and 13.14 say 一生一世.
#[test]
fn romantic_texts_name_what_the_amount_says() {
    let h = SenderHistory::default();
    for (amount, zh, en) in [
        ("520", "我爱你", "I love you"),
        ("521", "我爱你", "I love you"),
        ("5.20", "我爱你", "I love you"),
        ("1314", "一生一世", "for ever"),
        ("13.14", "一生一世", "for ever"),
    ] {
        let w = find(
            &check(&lucky(amount, 10), &family(), &h),
            WarningCode::Romantic,
        )
        .unwrap();
        let (text_zh, text_en) = (w.text(Lang::Zh), w.text(Lang::En));
        assert!(text_zh.contains(&format!("“{zh}”")), "{text_zh}");
        assert!(text_en.contains(&format!("“{en}”")), "{text_en}");
        let other = if zh == "我爱你" {
            "一生一世"
        } else {
            "我爱你"
        };
        assert!(!text_zh.contains(other), "{text_zh}");
        assert!(!text_en.contains(" / "), "{text_en}");
    }
}

#[test]
fn decimal_slip() {
    let h = SenderHistory {
        usual_amount: Some(yuan("1.88")),
        ..Default::default()
    };
    for typed in ["18.80", "188"] {
        let ws = check(&normal(typed, 1), &family(), &h);
        let w = find(&ws, WarningCode::DecimalSlip).unwrap();
        assert_eq!(w.severity, Severity::Danger);
        assert_eq!(w.usual, Some(yuan("1.88")));
        assert_eq!(ws[0].code, WarningCode::DecimalSlip, "most severe first");
        assert!(
            find(&ws, WarningCode::TenTimesUsual).is_none(),
            "the slip replaces ten_times_usual"
        );
        assert!(w.text(Lang::En).contains("¥1.88"));
        // The text says which slip it is: the engine knows.
        let factor = if typed == "188" { 100 } else { 10 };
        assert_eq!(w.factor(), Some(factor));
        assert!(
            w.text(Lang::En)
                .contains(&format!("exactly {factor}× your usual ¥1.88")),
            "{}",
            w.text(Lang::En)
        );
        assert!(
            w.text(Lang::Zh).contains(&format!("的 {factor} 倍")),
            "{}",
            w.text(Lang::Zh)
        );
        assert!(!w.text(Lang::En).contains(" or "));
    }
    assert!(
        find(
            &check(&normal("18.81", 1), &family(), &h),
            WarningCode::DecimalSlip
        )
        .is_none()
    );
}

#[test]
fn normal_total_high() {
    let h = SenderHistory {
        usual_total: Some(yuan("18.80")),
        ..Default::default()
    };
    let w = find(
        &check(&normal("18.80", 5), &family(), &h),
        WarningCode::NormalTotalHigh,
    )
    .unwrap();
    assert_eq!(w.amount, yuan("94"));
    assert_eq!(w.usual, Some(yuan("18.80")));
    assert!(
        find(
            &check(&normal("18.80", 4), &family(), &h),
            WarningCode::NormalTotalHigh
        )
        .is_none()
    );
    // Only for normal packets.
    assert!(
        find(
            &check(&lucky("188", 4), &family(), &h),
            WarningCode::NormalTotalHigh
        )
        .is_none()
    );
}

#[test]
fn over_half_balance() {
    let h = SenderHistory::default();
    let w = find(
        &check_with(&lucky("50.01", 2), &family(), &h, "100", t0()),
        WarningCode::OverHalfBalance,
    )
    .unwrap();
    assert_eq!(w.amount, yuan("50.01"));
    assert!(
        find(
            &check_with(&lucky("50", 2), &family(), &h, "100", t0()),
            WarningCode::OverHalfBalance
        )
        .is_none()
    );
    assert!(
        find(
            &check_with(&lucky("1", 2), &family(), &h, "0.01", t0()),
            WarningCode::OverHalfBalance
        )
        .is_some()
    );
}

#[test]
fn count_above_group() {
    let h = SenderHistory::default();
    assert!(
        find(
            &check(&lucky("10", 5), &family(), &h),
            WarningCode::CountAboveGroup
        )
        .is_some()
    );
    assert!(
        find(
            &check(&lucky("10", 4), &family(), &h),
            WarningCode::CountAboveGroup
        )
        .is_none()
    );
    let dup = ChatRef::group("d", false, ["ana", "bo", "bo"]);
    assert!(
        find(
            &check(&normal("1", 3), &dup, &h),
            WarningCode::CountAboveGroup
        )
        .is_some()
    );
}

#[test]
fn above_limit() {
    let h = SenderHistory::default();
    let w = find(
        &check(&normal("200.01", 2), &family(), &h),
        WarningCode::AboveLimit,
    )
    .unwrap();
    assert_eq!(w.severity, Severity::Danger);
    assert_eq!(w.limit, Some(yuan("200")));
    assert_eq!(
        w.text(Lang::En),
        "¥200.01 is above the limit of ¥200.00 and cannot be sent"
    );
    assert!(
        find(
            &check(&lucky("2000", 10), &family(), &h),
            WarningCode::AboveLimit
        )
        .is_none()
    );
    let w = find(
        &check(&lucky("2000.01", 10), &family(), &h),
        WarningCode::AboveLimit,
    )
    .unwrap();
    assert_eq!(w.limit, Some(yuan("2000")));
    let may20 = Timestamp::from_local(2025, 5, 20, 12, 0, 480);
    let may21 = Timestamp::from_local(2025, 5, 21, 12, 0, 480);
    let p = personal("bo", "520");
    assert!(
        find(
            &check_with(&p, &direct("bo"), &h, "10000", may20),
            WarningCode::AboveLimit
        )
        .is_none()
    );
    assert!(
        find(
            &check_with(&p, &direct("bo"), &h, "10000", may21),
            WarningCode::AboveLimit
        )
        .is_some()
    );
}

#[test]
fn sorted_unique_and_translated() {
    let h = SenderHistory {
        usual_amount: Some(yuan("5.20")),
        last_in_chat: Some(yuan("5.20")),
        usual_total: Some(yuan("5.20")),
        samples: 3,
    };
    let ws = check_with(&normal("520", 8), &work(), &h, "100", t0());
    let codes: Vec<WarningCode> = ws.iter().map(|w| w.code).collect();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
    assert!(ws.windows(2).all(|p| p[0].severity >= p[1].severity));
    assert_eq!(ws[0].severity, Severity::Danger);
    for w in &ws {
        for lang in [Lang::Zh, Lang::En] {
            let text = w.text(lang);
            assert!(!text.contains('{'), "{text}");
        }
    }
    for def in WARNINGS {
        assert!(!def.reason.is_empty() && !def.zh.is_empty() && !def.en.is_empty());
        assert!(def.severity <= def.in_group && def.in_group <= def.in_work_group);
    }
    let mut as_str: Vec<&str> = WarningCode::ALL.iter().map(|c| c.as_str()).collect();
    as_str.dedup();
    assert_eq!(
        as_str,
        [
            "romantic",
            "auspicious",
            "offensive",
            "unlucky",
            "ten_times_usual",
            "decimal_slip",
            "normal_total_high",
            "over_half_balance",
            "count_above_group",
            "above_limit"
        ]
    );
    assert_eq!(
        [Severity::Info, Severity::Caution, Severity::Danger].map(|s| s.as_str()),
        ["info", "caution", "danger"]
    );
    let _ = Money::ZERO;
}
