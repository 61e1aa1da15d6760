//! Policy tests: lifecycle, idempotency, every recall mode and risk rule, expiry refunds,
//! best luck, special days, error codes.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use hongbao_engine::{
    Blackout, ChatRef, ClaimError, Engine, EngineError, EntryKind, Lang, Money, PacketKindTag,
    PacketState, Policy, RecallError, RecallMode, Rng, SendError, SplitRule, Timestamp,
};

fn ok(e: &Engine) {
    e.check_invariants().expect("invariants");
}

#[test]
fn lucky_lifecycle() {
    let mut e = engine_with(Policy::default());
    let mut rng = Rng::new(1);
    let t = t0();
    let sent = e
        .send(&req("ana", family(), lucky("10", 3), "k1"), t, &mut rng)
        .unwrap();
    assert!(!sent.replayed);
    let id = sent.packet_id;
    assert_eq!(e.balance("ana"), Some(yuan("990")));
    let p = e.packet(id).unwrap();
    assert_eq!(p.kind, PacketKindTag::Lucky);
    assert_eq!(p.split, Some(SplitRule::DoubleMean));
    assert_eq!(p.state, PacketState::Open);
    assert_eq!(p.expires_at, t.plus_secs(86_400));
    assert!(p.can_recall(t));

    let a = e.claim(id, "bo", t.plus_secs(1), &mut rng).unwrap();
    assert!(!a.already_claimed && !a.fully_claimed);
    let ledger_len = e.ledger().len();
    let again = e.claim(id, "bo", t.plus_secs(2), &mut rng).unwrap();
    assert_eq!(again.amount, a.amount);
    assert!(again.already_claimed);
    assert_eq!(
        e.ledger().len(),
        ledger_len,
        "a repeated claim books nothing"
    );
    // The sender may claim a lucky packet.
    let b = e.claim(id, "ana", t.plus_secs(3), &mut rng).unwrap();
    let c = e.claim(id, "cai", t.plus_secs(4), &mut rng).unwrap();
    assert!(c.fully_claimed);
    assert_eq!(a.amount.fen() + b.amount.fen() + c.amount.fen(), 1_000);
    let before = e.clone();
    assert_eq!(
        e.claim(id, "dan", t.plus_secs(5), &mut rng),
        Err(ClaimError::ClaimedOut)
    );
    assert_eq!(e, before);
    let p = e.packet(id).unwrap();
    assert_eq!(p.state, PacketState::ClaimedOut);
    assert_eq!(p.claimed_count(), 3);
    assert!(p.best_luck.is_some());
    let best = p.claims.iter().map(|c| c.amount).max().unwrap();
    assert_eq!(
        p.claim_of(p.best_luck_user().unwrap()).unwrap().amount,
        best
    );
    assert!(!p.can_recall(t.plus_secs(6)));
    assert!(
        e.claim(id, "cai", t.plus_secs(9), &mut rng)
            .unwrap()
            .fully_claimed
    );
    // Ledger: debit, three credits.
    let kinds: Vec<EntryKind> = e
        .ledger()
        .iter()
        .filter(|x| x.packet == Some(id))
        .map(|x| x.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Debit,
            EntryKind::Credit,
            EntryKind::Credit,
            EntryKind::Credit
        ]
    );
    assert_eq!(e.ledger_for("bo").count(), 2);
    ok(&e);
}

#[test]
fn normal_personal_exclusive() {
    let mut e = engine_with(Policy::default());
    let mut rng = Rng::new(2);
    let t = t0();
    let n = e
        .send(&req("ana", family(), normal("1.88", 3), "n"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(e.packet(n).unwrap().total, yuan("5.64"));
    assert_eq!(e.packet(n).unwrap().per_share, Some(yuan("1.88")));
    for u in ["bo", "cai", "ana"] {
        assert_eq!(e.claim(n, u, t, &mut rng).unwrap().amount, yuan("1.88"));
    }
    assert_eq!(
        e.packet(n).unwrap().best_luck,
        None,
        "best luck only for lucky packets"
    );
    assert_eq!(
        e.claim(n, "eve", t, &mut rng),
        Err(ClaimError::NotForYou),
        "eve is not in the family chat"
    );

    let p = e
        .send(
            &req("ana", direct("bo"), personal("bo", "20"), "p"),
            t,
            &mut rng,
        )
        .unwrap()
        .packet_id;
    assert_eq!(e.claim(p, "ana", t, &mut rng), Err(ClaimError::NotForYou));
    assert_eq!(e.claim(p, "cai", t, &mut rng), Err(ClaimError::NotForYou));
    let got = e.claim(p, "bo", t, &mut rng).unwrap();
    assert_eq!(got.amount, yuan("20"));
    assert!(got.fully_claimed);

    let x = e
        .send(
            &req("ana", family(), exclusive("dan", "8.88"), "x"),
            t,
            &mut rng,
        )
        .unwrap()
        .packet_id;
    assert_eq!(e.packet(x).unwrap().recipient.as_deref(), Some("dan"));
    for u in ["ana", "bo", "eve"] {
        assert_eq!(e.claim(x, u, t, &mut rng), Err(ClaimError::NotForYou));
    }
    assert_eq!(e.claim(x, "dan", t, &mut rng).unwrap().amount, yuan("8.88"));
    assert_eq!(
        e.claim(hongbao_engine::PacketId(999), "dan", t, &mut rng),
        Err(ClaimError::NotFound)
    );
    assert_eq!(
        e.claim(hongbao_engine::PacketId(0), "dan", t, &mut rng),
        Err(ClaimError::NotFound)
    );
    ok(&e);
}

#[test]
fn send_validation_refuses_and_changes_nothing() {
    let mut e = engine_with(Policy::default());
    e.open_wallet("poor", yuan("5"), t0()).unwrap();
    let mut rng = Rng::new(3);
    let t = t0();
    let long_greeting = "福".repeat(51);
    let mut big_group: Vec<String> = (0..150).map(|i| format!("u{i}")).collect();
    big_group.push("ana".into());
    let cases: Vec<(hongbao_engine::SendRequest, SendError)> = vec![
        (
            req("ana", family(), lucky("10", 0), "a"),
            SendError::InvalidCount { max: 100 },
        ),
        (
            req(
                "ana",
                ChatRef::group("big", false, big_group),
                lucky("200", 101),
                "b",
            ),
            SendError::InvalidCount { max: 100 },
        ),
        (
            req("ana", family(), lucky("0.09", 10), "c"),
            SendError::InvalidAmount { min: yuan("0.10") },
        ),
        (
            req("ana", family(), lucky("2000.01", 10), "d"),
            SendError::LimitExceeded { max: yuan("2000") },
        ),
        (
            req("ana", family(), normal("200.01", 2), "e"),
            SendError::LimitExceeded { max: yuan("200") },
        ),
        (
            req(
                "ana",
                family(),
                hongbao_engine::PacketKind::Normal {
                    per_share: Money::ZERO,
                    count: 2,
                },
                "e0",
            ),
            SendError::InvalidAmount { min: Money::FEN },
        ),
        (
            req("ana", direct("bo"), personal("bo", "200.01"), "f"),
            // Allowed on the special days: the refusal says so.
            SendError::PersonalLimitExceeded {
                max: yuan("200"),
                special_max: yuan("520"),
                days: Policy::default().special_days,
            },
        ),
        (
            req("ana", family(), exclusive("bo", "250.00"), "g"),
            SendError::LimitExceeded { max: yuan("200") },
        ),
        (
            req(
                "poor",
                ChatRef::group("g", false, ["poor", "bo"]),
                normal("3", 2),
                "h",
            ),
            SendError::InsufficientBalance {
                balance: yuan("5"),
                needed: yuan("6"),
            },
        ),
        (
            req("nobody", family(), lucky("1", 1), "i"),
            SendError::UnknownSender,
        ),
        (
            req("eve", family(), lucky("1", 1), "j"),
            SendError::NotAMember,
        ),
        (
            req("ana", direct("bo"), lucky("1", 1), "k"),
            SendError::WrongChat,
        ),
        (
            req("ana", family(), personal("bo", "1"), "l"),
            SendError::WrongChat,
        ),
        (
            req("ana", direct("bo"), exclusive("bo", "1"), "l2"),
            SendError::WrongChat,
        ),
        (
            req("ana", family(), exclusive("eve", "1"), "m"),
            SendError::InvalidRecipient,
        ),
        (
            req("ana", family(), exclusive("ana", "1"), "n"),
            SendError::InvalidRecipient,
        ),
        (
            req("ana", direct("bo"), personal("cai", "1"), "o"),
            SendError::InvalidRecipient,
        ),
        (
            req("ana", family(), normal("1", 2), ""),
            SendError::InvalidIdempotencyKey,
        ),
        (
            req("ana", family(), normal("1", 2), &"k".repeat(129)),
            SendError::InvalidIdempotencyKey,
        ),
        (
            hongbao_engine::SendRequest {
                greeting: long_greeting,
                ..req("ana", family(), normal("1", 2), "p")
            },
            SendError::GreetingTooLong { max: 50 },
        ),
        (
            req(
                "ana",
                family(),
                hongbao_engine::PacketKind::Normal {
                    per_share: Money::from_fen(i64::MAX / 2),
                    count: 3,
                },
                "q",
            ),
            SendError::LimitExceeded { max: yuan("200") },
        ),
    ];
    for (request, expected) in cases {
        let before = e.clone();
        let rng_before = rng.clone();
        assert_eq!(
            e.send(&request, t, &mut rng),
            Err(expected.clone()),
            "{request:?}"
        );
        assert_eq!(e, before, "a refused send changes nothing");
        assert_eq!(rng, rng_before);
        assert!(!expected.message(Lang::Zh).is_empty() && !expected.message(Lang::En).is_empty());
    }
    // The limits themselves are allowed.
    e.send(&req("ana", family(), lucky("0.10", 10), "ok1"), t, &mut rng)
        .unwrap();
    e.send(&req("ana", family(), lucky("400", 2), "ok2"), t, &mut rng)
        .unwrap();
    e.send(
        &req("ana", direct("bo"), personal("bo", "200"), "ok3"),
        t,
        &mut rng,
    )
    .unwrap();
    ok(&e);
}

#[test]
fn idempotency_is_per_sender_and_never_debits_twice() {
    let mut e = engine_with(Policy::default());
    let mut rng = Rng::new(4);
    let t = t0();
    let r = req("ana", family(), lucky("10", 2), "same");
    let first = e.send(&r, t, &mut rng).unwrap();
    let balance = e.balance("ana");
    let again = e.send(&r, t.plus_secs(30), &mut rng).unwrap();
    assert_eq!(again.packet_id, first.packet_id);
    assert!(again.replayed);
    assert_eq!(e.balance("ana"), balance);
    assert_eq!(e.packets().count(), 1);
    // Same key, different request.
    let before = e.clone();
    let other = req("ana", family(), lucky("10.01", 2), "same");
    assert_eq!(
        e.send(&other, t, &mut rng),
        Err(SendError::IdempotencyConflict {
            packet: first.packet_id
        })
    );
    assert_eq!(
        SendError::IdempotencyConflict {
            packet: first.packet_id
        }
        .code(),
        "conflict"
    );
    assert_eq!(e, before);
    // The request is compared field by field once normalized: naming the split rule the
    // policy would have chosen is the same request; another rule is not.
    let named = req(
        "ana",
        family(),
        lucky_with("10", 2, Policy::default().split),
        "same",
    );
    let replay = e.send(&named, t.plus_secs(60), &mut rng).unwrap();
    assert_eq!((replay.packet_id, replay.replayed), (first.packet_id, true));
    let other_rule = match Policy::default().split {
        SplitRule::DoubleMean => SplitRule::LineCutting,
        SplitRule::LineCutting => SplitRule::DoubleMean,
    };
    let other = req("ana", family(), lucky_with("10", 2, other_rule), "same");
    assert!(matches!(
        e.send(&other, t, &mut rng),
        Err(SendError::IdempotencyConflict { .. })
    ));
    assert_eq!(e, before);
    // Keys are scoped per sender.
    let bo = e
        .send(&req("bo", family(), lucky("10", 2), "same"), t, &mut rng)
        .unwrap();
    assert_ne!(bo.packet_id, first.packet_id);
    assert!(!bo.replayed);
    // A replay still answers after the packet finished and after the policy changed.
    e.set_policy(Policy {
        max_share: yuan("1"),
        ..Policy::default()
    });
    e.tick(t.plus_hours(48));
    assert!(e.send(&r, t.plus_hours(48), &mut rng).unwrap().replayed);
    ok(&e);
}

#[test]
fn recall_mode_none() {
    let mut e = engine_with(policy_with_mode(RecallMode::None));
    let mut rng = Rng::new(5);
    let t = t0();
    let id = e
        .send(&req("ana", family(), lucky("10", 2), "k"), t, &mut rng)
        .unwrap()
        .packet_id;
    let p = e.packet(id).unwrap();
    assert_eq!(p.recall_deadline(), None);
    assert!(!p.can_recall(t));
    let before = e.clone();
    assert_eq!(e.recall(id, "ana", t, true), Err(RecallError::NotAllowed));
    assert_eq!(RecallError::NotAllowed.code(), "recall_not_allowed");
    assert_eq!(e, before);
    // Only the expiry refund.
    e.claim(id, "bo", t, &mut rng).unwrap();
    let share = e.packet(id).unwrap().claims[0].amount;
    assert_eq!(e.tick(t.plus_secs(86_399)), vec![]);
    assert_eq!(e.tick(t.plus_secs(86_400)), vec![id]);
    assert_eq!(e.tick(t.plus_secs(86_401)), vec![], "tick is idempotent");
    let p = e.packet(id).unwrap();
    assert_eq!(p.state, PacketState::Expired);
    assert_eq!(p.refund, Some(Money::from_fen(1_000 - share.fen())));
    assert_eq!(
        e.balance("ana"),
        Some(Money::from_fen(100_000 - share.fen()))
    );
    let last = e.ledger().last().unwrap();
    assert_eq!(last.kind, EntryKind::RefundExpiry);
    assert_eq!(
        e.recall(id, "ana", t.plus_hours(30), false),
        Err(RecallError::Expired)
    );
    ok(&e);
}

#[test]
fn recall_mode_window() {
    let mut e = engine_with(policy_with_mode(RecallMode::Window));
    let mut rng = Rng::new(6);
    let t = t0();
    let a = e
        .send(&req("ana", family(), lucky("10", 2), "a"), t, &mut rng)
        .unwrap()
        .packet_id;
    let p = e.packet(a).unwrap();
    assert_eq!(p.recall_deadline(), Some(t.plus_secs(120)));
    assert!(p.can_recall(t.plus_secs(119)));
    assert!(!p.can_recall(t.plus_secs(120)));
    assert_eq!(e.recall(a, "bo", t, false), Err(RecallError::NotSender));
    assert_eq!(RecallError::NotSender.code(), "recall_forbidden");
    assert_eq!(
        e.recall(a, "ana", t.plus_secs(119), false),
        Ok(hongbao_engine::Recalled { refund: yuan("10") })
    );
    assert_eq!(e.balance("ana"), Some(yuan("1000")));
    let p = e.packet(a).unwrap();
    assert_eq!(p.state, PacketState::Recalled);
    assert_eq!(p.recalled_at, Some(t.plus_secs(119)));
    assert_eq!(e.ledger().last().unwrap().kind, EntryKind::RefundRecall);
    // Recall wins, the claim loses.
    assert_eq!(
        e.claim(a, "bo", t.plus_secs(119), &mut rng),
        Err(ClaimError::Recalled {
            at: t.plus_secs(119)
        })
    );
    assert_eq!(
        e.recall(a, "ana", t.plus_secs(119), false),
        Err(RecallError::AlreadyRecalled)
    );

    // The window closes at W.
    let b = e
        .send(&req("ana", family(), lucky("10", 2), "b"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(
        e.recall(b, "ana", t.plus_secs(120), false),
        Err(RecallError::WindowClosed)
    );
    // The first claim wins: no recall after it.
    let c = e
        .send(&req("ana", family(), lucky("10", 2), "c"), t, &mut rng)
        .unwrap()
        .packet_id;
    e.claim(c, "bo", t.plus_secs(1), &mut rng).unwrap();
    assert!(!e.packet(c).unwrap().can_recall(t.plus_secs(2)));
    assert_eq!(
        e.recall(c, "ana", t.plus_secs(2), false),
        Err(RecallError::HasClaims)
    );
    e.claim(c, "cai", t.plus_secs(3), &mut rng).unwrap();
    assert_eq!(
        e.recall(c, "ana", t.plus_secs(4), false),
        Err(RecallError::ClaimedOut)
    );
    ok(&e);
}

#[test]
fn recall_mode_remainder() {
    let mut e = engine_with(policy_with_mode(RecallMode::Remainder));
    let mut rng = Rng::new(7);
    let t = t0();
    let id = e
        .send(&req("ana", family(), normal("2", 3), "a"), t, &mut rng)
        .unwrap()
        .packet_id;
    e.claim(id, "bo", t.plus_secs(5), &mut rng).unwrap();
    assert!(e.packet(id).unwrap().can_recall(t.plus_secs(6)));
    let r = e.recall(id, "ana", t.plus_secs(6), false).unwrap();
    assert_eq!(r.refund, yuan("4"));
    assert_eq!(e.balance("bo"), Some(yuan("1002")), "claimed shares stand");
    assert_eq!(e.balance("ana"), Some(yuan("998")));
    assert_eq!(
        e.claim(id, "cai", t.plus_secs(7), &mut rng),
        Err(ClaimError::Recalled { at: t.plus_secs(6) })
    );
    // bo still sees his share.
    assert!(
        e.claim(id, "bo", t.plus_secs(8), &mut rng)
            .unwrap()
            .already_claimed
    );
    let late = e
        .send(&req("ana", family(), normal("2", 3), "b"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(
        e.recall(late, "ana", t.plus_secs(121), false),
        Err(RecallError::WindowClosed)
    );
    ok(&e);
}

#[test]
fn recall_mode_delayed() {
    let mut policy = policy_with_mode(RecallMode::Delayed);
    policy.recall.delay_secs = 60;
    let mut e = engine_with(policy);
    let mut rng = Rng::new(8);
    let t = t0();
    let a = e
        .send(&req("ana", family(), lucky("10", 2), "a"), t, &mut rng)
        .unwrap()
        .packet_id;
    let p = e.packet(a).unwrap();
    assert_eq!(p.state, PacketState::Pending);
    assert_eq!(p.deliver_at, Some(t.plus_secs(60)));
    assert_eq!(p.expires_at, t.plus_secs(60 + 86_400));
    assert_eq!(p.state_at(t.plus_secs(59)), PacketState::Pending);
    assert_eq!(p.state_at(t.plus_secs(60)), PacketState::Open);
    assert_eq!(p.recall_deadline(), Some(t.plus_secs(60)));
    let before = e.clone();
    assert_eq!(
        e.claim(a, "bo", t.plus_secs(59), &mut rng),
        Err(ClaimError::Pending {
            deliver_at: t.plus_secs(60)
        })
    );
    assert_eq!(e, before);
    assert_eq!(
        e.recall(a, "ana", t.plus_secs(59), false).unwrap().refund,
        yuan("10")
    );

    let b = e
        .send(&req("ana", family(), lucky("10", 2), "b"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(e.tick(t.plus_secs(60)), vec![]);
    assert_eq!(
        e.packet(b).unwrap().state,
        PacketState::Open,
        "tick delivers"
    );
    assert_eq!(
        e.recall(b, "ana", t.plus_secs(60), false),
        Err(RecallError::WindowClosed)
    );
    let c = e
        .send(&req("ana", family(), lucky("10", 2), "c"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert!(e.claim(c, "bo", t.plus_secs(61), &mut rng).is_ok());
    assert_eq!(e.packet(c).unwrap().state, PacketState::Open);
    ok(&e);
}

#[test]
fn risk_rules() {
    let mut policy = policy_with_mode(RecallMode::Window);
    policy.recall.max_recalls_per_day = Some(2);
    policy.recall.blackout = Some(Blackout {
        start_minute: 23 * 60 + 30,
        end_minute: 30,
    });
    policy.recall.auth_above = Some(yuan("100"));
    let mut e = engine_with(policy);
    let mut rng = Rng::new(9);
    let t = t0();
    // Per-day limit, per sender, per local day.
    for (i, expected) in [Ok(()), Ok(()), Err(RecallError::DailyLimit { max: 2 })]
        .into_iter()
        .enumerate()
    {
        let id = e
            .send(
                &req("ana", family(), lucky("1", 1), &format!("d{i}")),
                t,
                &mut rng,
            )
            .unwrap()
            .packet_id;
        let before = e.clone();
        let r = e.recall(id, "ana", t.plus_secs(1), false).map(|_| ());
        assert_eq!(r, expected);
        if r.is_err() {
            assert_eq!(e, before);
        }
    }
    let other = e
        .send(&req("bo", family(), lucky("1", 1), "d"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert!(
        e.recall(other, "bo", t.plus_secs(1), false).is_ok(),
        "limits are per sender"
    );
    let tomorrow = Timestamp::from_local(2025, 3, 4, 0, 31, 480);
    let id = e
        .send(
            &req("ana", family(), lucky("1", 1), "d-next"),
            tomorrow,
            &mut rng,
        )
        .unwrap()
        .packet_id;
    assert!(
        e.recall(id, "ana", tomorrow.plus_secs(1), false).is_ok(),
        "a new local day"
    );

    // Blackout 23:30–00:30 local, across midnight.
    for (h, m, blocked) in [
        (23, 29, false),
        (23, 30, true),
        (0, 0, true),
        (0, 29, true),
        (0, 30, false),
    ] {
        let at = Timestamp::from_local(2025, 3, 10, h, m, 480);
        let id = e
            .send(
                &req("cai", family(), lucky("1", 1), &format!("b{h}{m}")),
                at,
                &mut rng,
            )
            .unwrap()
            .packet_id;
        let r = e.recall(id, "cai", at, false);
        if blocked {
            assert_eq!(r, Err(RecallError::Blackout), "{h}:{m}");
        } else {
            assert!(r.is_ok(), "{h}:{m}");
        }
    }
    // Authorization above ¥100.
    let big = e
        .send(
            &req("dan", family(), lucky("100.01", 2), "big"),
            t,
            &mut rng,
        )
        .unwrap()
        .packet_id;
    let before = e.clone();
    assert_eq!(
        e.recall(big, "dan", t, false),
        Err(RecallError::NeedsAuthorization { above: yuan("100") })
    );
    assert_eq!(e, before);
    assert_eq!(
        RecallError::NeedsAuthorization { above: yuan("100") }.code(),
        "recall_needs_authorization"
    );
    assert!(e.recall(big, "dan", t, true).is_ok());
    let exact = e
        .send(&req("dan", family(), lucky("100", 2), "exact"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert!(
        e.recall(exact, "dan", t, false).is_ok(),
        "only above the threshold"
    );
    ok(&e);
}

#[test]
fn expiry_refunds_and_lazy_expiry() {
    let mut e = engine_with(policy_with_mode(RecallMode::Remainder));
    let mut rng = Rng::new(10);
    let t = t0();
    let id = e
        .send(&req("ana", family(), lucky("10", 3), "a"), t, &mut rng)
        .unwrap()
        .packet_id;
    let got = e.claim(id, "bo", t.plus_secs(5), &mut rng).unwrap().amount;
    let expiry = e.packet(id).unwrap().expires_at;
    assert_eq!(e.packet(id).unwrap().state_at(expiry), PacketState::Expired);
    // No tick: the claim at expiry expires the packet, refunds, then fails.
    assert_eq!(
        e.claim(id, "cai", expiry, &mut rng),
        Err(ClaimError::Expired)
    );
    let p = e.packet(id).unwrap();
    assert_eq!(p.state, PacketState::Expired);
    assert_eq!(p.refund, Some(Money::from_fen(1_000 - got.fen())));
    assert_eq!(p.remaining, Money::ZERO);
    assert_eq!(e.tick(expiry.plus_secs(1)), vec![]);
    // bo still sees his share after expiry.
    assert!(
        e.claim(id, "bo", expiry.plus_secs(2), &mut rng)
            .unwrap()
            .already_claimed
    );
    // A recall past expiry expires first too.
    let b = e
        .send(&req("ana", family(), lucky("10", 3), "b"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(
        e.recall(b, "ana", t.plus_hours(24), false),
        Err(RecallError::Expired)
    );
    assert_eq!(e.packet(b).unwrap().refund, Some(yuan("10")));
    assert_eq!(e.balance("ana"), Some(Money::from_fen(100_000 - got.fen())));
    assert!(!e.expire_if_due(b, t.plus_hours(30)));
    ok(&e);
}

#[test]
fn best_luck_tie_goes_to_the_earlier_claimer() {
    let mut e = engine_with(Policy::default());
    let mut rng = Rng::new(11);
    let t = t0();
    // 0.03 in 3 shares: every share is forced to 0.01.
    let id = e
        .send(&req("ana", family(), lucky("0.03", 3), "tie"), t, &mut rng)
        .unwrap()
        .packet_id;
    for (i, u) in ["cai", "bo", "dan"].iter().enumerate() {
        let c = e.claim(id, u, t.plus_secs(i as i64), &mut rng).unwrap();
        assert_eq!(c.amount, Money::FEN);
    }
    let p = e.packet(id).unwrap();
    assert_eq!(p.best_luck, Some(0));
    assert_eq!(p.best_luck_user(), Some("cai"));
    // Best luck is set only once all shares are claimed.
    let open = e
        .send(&req("ana", family(), lucky("5", 3), "open"), t, &mut rng)
        .unwrap()
        .packet_id;
    e.claim(open, "bo", t, &mut rng).unwrap();
    assert_eq!(e.packet(open).unwrap().best_luck, None);
    ok(&e);
}

#[test]
fn line_cutting_packets_hand_out_the_cut_shares() {
    let mut e = engine_with(Policy {
        split: SplitRule::LineCutting,
        ..Policy::default()
    });
    let mut rng = Rng::new(12);
    let t = t0();
    let id = e
        .send(&req("ana", family(), lucky("100", 4), "lc"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert_eq!(e.packet(id).unwrap().split, Some(SplitRule::LineCutting));
    let mut sum = 0;
    for u in ["ana", "bo", "cai", "dan"] {
        let c = e.claim(id, u, t, &mut rng).unwrap();
        assert!(c.amount >= Money::FEN && c.amount <= yuan("200"));
        sum += c.amount.fen();
    }
    assert_eq!(sum, 10_000);
    // Per-packet choice overrides the policy default.
    let dm = e
        .send(
            &req(
                "ana",
                family(),
                lucky_with("1", 2, SplitRule::DoubleMean),
                "dm",
            ),
            t,
            &mut rng,
        )
        .unwrap()
        .packet_id;
    assert_eq!(e.packet(dm).unwrap().split, Some(SplitRule::DoubleMean));
    ok(&e);
}

#[test]
fn special_days_allow_520_personal_packets() {
    let mut e = engine_with(Policy::default());
    e.grant("ana", yuan("10000"), t0()).unwrap();
    let mut rng = Rng::new(13);
    let mut n = 0;
    let mut send = |e: &mut Engine, at: Timestamp, amount: &str| {
        n += 1;
        e.send(
            &req(
                "ana",
                direct("bo"),
                personal("bo", amount),
                &format!("s{n}"),
            ),
            at,
            &mut rng,
        )
    };
    let may20 = Timestamp::from_local(2025, 5, 20, 12, 0, 480);
    assert!(send(&mut e, may20, "520").is_ok());
    assert_eq!(
        send(&mut e, may20, "520.01"),
        Err(SendError::LimitExceeded { max: yuan("520") })
    );
    let may21 = Timestamp::from_local(2025, 5, 21, 12, 0, 480);
    // Refused on an ordinary day, with the days it would be allowed on.
    let refused = send(&mut e, may21, "520").unwrap_err();
    assert_eq!(
        refused,
        SendError::PersonalLimitExceeded {
            max: yuan("200"),
            special_max: yuan("520"),
            days: Policy::default().special_days,
        }
    );
    assert_eq!(refused.code(), "limit_exceeded");
    assert_eq!(
        refused.message(Lang::En),
        "The amount is above the limit of ¥200.00; on 5/20, 2/14 and Qixi a personal packet may be up to ¥520.00"
    );
    assert_eq!(
        refused.message(Lang::Zh),
        "金额超过上限 ¥200.00；5月20日、2月14日和七夕，个人红包最多可发 ¥520.00"
    );
    // Above what even a special day allows: the plain refusal.
    assert_eq!(
        send(&mut e, may21, "520.01"),
        Err(SendError::LimitExceeded { max: yuan("200") })
    );
    // Local midnight at +08:00 is 16:00 UTC the day before.
    assert!(send(&mut e, Timestamp::from_utc(2025, 5, 19, 16, 0, 0), "520").is_ok());
    assert!(send(&mut e, Timestamp::from_utc(2025, 5, 19, 15, 59, 59), "520").is_err());
    assert!(
        send(
            &mut e,
            Timestamp::from_local(2026, 2, 14, 20, 0, 480),
            "520"
        )
        .is_ok()
    );
    // Qixi 2025 is August 29; 2026 is August 19.
    assert!(
        send(
            &mut e,
            Timestamp::from_local(2025, 8, 29, 20, 0, 480),
            "520"
        )
        .is_ok()
    );
    assert!(
        send(
            &mut e,
            Timestamp::from_local(2025, 8, 28, 20, 0, 480),
            "520"
        )
        .is_err()
    );
    assert!(send(&mut e, Timestamp::from_local(2026, 8, 19, 8, 0, 480), "520").is_ok());
    assert!(send(&mut e, Timestamp::from_local(2026, 8, 20, 8, 0, 480), "520").is_err());
    // Only personal packets get the allowance.
    let r = e.send(
        &req("ana", family(), exclusive("bo", "520"), "x"),
        may20,
        &mut Rng::new(1),
    );
    assert_eq!(r, Err(SendError::LimitExceeded { max: yuan("200") }));
    // The policy table covers 2020–2040 at least.
    for year in 2020..=2040 {
        assert!(hongbao_engine::policy::qixi(year).is_some(), "{year}");
    }
    ok(&e);
}

#[test]
fn set_policy_only_affects_later_sends() {
    let mut e = engine_with(policy_with_mode(RecallMode::Window));
    let mut rng = Rng::new(14);
    let t = t0();
    let a = e
        .send(&req("ana", family(), lucky("10", 2), "a"), t, &mut rng)
        .unwrap()
        .packet_id;
    e.set_policy(policy_with_mode(RecallMode::None));
    assert_eq!(e.policy().recall.mode, RecallMode::None);
    let b = e
        .send(&req("ana", family(), lucky("10", 2), "b"), t, &mut rng)
        .unwrap()
        .packet_id;
    assert!(
        e.recall(a, "ana", t.plus_secs(10), false).is_ok(),
        "a captured the window policy"
    );
    assert_eq!(
        e.recall(b, "ana", t.plus_secs(10), false),
        Err(RecallError::NotAllowed)
    );
    ok(&e);
}

#[test]
fn wallets() {
    let mut e = Engine::new(Policy::default());
    let t = t0();
    e.open_wallet("ana", yuan("10"), t).unwrap();
    e.open_wallet("zero", Money::ZERO, t).unwrap();
    assert_eq!(
        e.open_wallet("ana", yuan("10"), t),
        Err(EngineError::UserExists)
    );
    assert_eq!(EngineError::UserExists.code(), "conflict");
    assert_eq!(
        e.open_wallet("", yuan("10"), t),
        Err(EngineError::InvalidUser)
    );
    assert_eq!(
        e.open_wallet("neg", Money::from_fen(-1), t),
        Err(EngineError::InvalidAmount)
    );
    assert_eq!(
        e.grant("nobody", yuan("1"), t),
        Err(EngineError::UnknownUser)
    );
    assert_eq!(
        e.grant("ana", Money::ZERO, t),
        Err(EngineError::InvalidAmount)
    );
    e.grant("ana", yuan("5"), t).unwrap();
    assert_eq!(
        e.open_wallet("rich", Money::from_fen(i64::MAX), t),
        Err(EngineError::Overflow)
    );
    assert_eq!(e.balance("ana"), Some(yuan("15")));
    assert_eq!(e.balance("zero"), Some(Money::ZERO));
    assert_eq!(e.balance("nobody"), None);
    assert_eq!(e.users().collect::<Vec<_>>(), ["ana", "zero"]);
    assert!(
        e.ledger()
            .iter()
            .all(|x| x.kind == EntryKind::Grant && x.amount.is_positive())
    );
    ok(&e);
}

#[test]
fn history_and_engine_warnings() {
    let mut e = engine_with(Policy::default());
    let mut rng = Rng::new(15);
    let t = t0();
    assert_eq!(e.history("ana", "family"), Default::default());
    for i in 0..5 {
        e.send(
            &req("ana", family(), normal("1.88", 4), &format!("h{i}")),
            t,
            &mut rng,
        )
        .unwrap();
    }
    e.send(&req("ana", work(), lucky("30", 3), "w"), t, &mut rng)
        .unwrap();
    let h = e.history("ana", "family");
    assert_eq!(h.usual_amount, Some(yuan("1.88")));
    assert_eq!(h.last_in_chat, Some(yuan("1.88")));
    assert_eq!(h.usual_total, Some(yuan("7.52")));
    assert_eq!(h.samples, 6);
    assert_eq!(e.history("ana", "work").last_in_chat, Some(yuan("30")));
    let slip = req("ana", family(), normal("188", 4), "slip");
    let codes: Vec<&str> = e
        .warnings(&slip, t)
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes[0], "decimal_slip");
    assert!(codes.contains(&"normal_total_high"));
    assert!(codes.contains(&"over_half_balance"));
}

#[test]
fn error_codes_are_stable() {
    let claim = [
        (ClaimError::NotFound, "not_found"),
        (ClaimError::NotForYou, "not_for_you"),
        (ClaimError::Pending { deliver_at: t0() }, "pending"),
        (ClaimError::ClaimedOut, "claimed_out"),
        (ClaimError::Expired, "expired"),
        (ClaimError::Recalled { at: t0() }, "recalled"),
    ];
    for (e, code) in claim {
        assert_eq!(e.code(), code);
        assert_ne!(e.message(Lang::Zh), e.message(Lang::En));
    }
    let recall = [
        (RecallError::NotFound, "not_found"),
        (RecallError::NotSender, "recall_forbidden"),
        (RecallError::NotAllowed, "recall_not_allowed"),
        (RecallError::WindowClosed, "recall_window_closed"),
        (RecallError::HasClaims, "recall_has_claims"),
        (RecallError::ClaimedOut, "claimed_out"),
        (RecallError::Expired, "expired"),
        (RecallError::AlreadyRecalled, "recalled"),
        (RecallError::DailyLimit { max: 1 }, "recall_daily_limit"),
        (RecallError::Blackout, "recall_blackout"),
        (
            RecallError::NeedsAuthorization { above: yuan("1") },
            "recall_needs_authorization",
        ),
    ];
    for (e, code) in recall {
        assert_eq!(e.code(), code);
        assert_ne!(e.message(Lang::Zh), e.message(Lang::En));
        assert_eq!(e.to_string(), e.message(Lang::En));
    }
    let send = [
        (
            SendError::InvalidAmount { min: Money::FEN },
            "invalid_amount",
        ),
        (SendError::InvalidCount { max: 100 }, "invalid_count"),
        (
            SendError::LimitExceeded { max: yuan("200") },
            "limit_exceeded",
        ),
        (
            SendError::InsufficientBalance {
                balance: Money::ZERO,
                needed: Money::FEN,
            },
            "insufficient_balance",
        ),
        (SendError::UnknownSender, "not_found"),
        (SendError::NotAMember, "forbidden"),
        (SendError::WrongChat, "invalid_chat"),
        (SendError::InvalidRecipient, "invalid_recipient"),
        (SendError::GreetingTooLong { max: 50 }, "greeting_too_long"),
        (SendError::InvalidIdempotencyKey, "invalid_idempotency_key"),
        (
            SendError::IdempotencyConflict {
                packet: hongbao_engine::PacketId(1),
            },
            "conflict",
        ),
    ];
    for (e, code) in send {
        assert_eq!(e.code(), code);
        assert_ne!(e.message(Lang::Zh), e.message(Lang::En));
    }
}
