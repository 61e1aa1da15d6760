//! `ops::preview`, the one preview of every backend: for any draft, it refuses exactly what
//! a send refuses (but for the idempotency key a draft does not have yet), with the same
//! error; otherwise it gives the total the send debits and the warnings the engine computes
//! for it; and it changes nothing.
#![cfg(not(target_arch = "wasm32"))]

use hongbao_engine::ops;
use hongbao_engine::{
    ChatRef, Engine, Money, PacketKind, Policy, Rng, SendError, SendRequest, Timestamp,
};
use proptest::prelude::*;

const USERS: [&str; 4] = ["ana", "bo", "cai", "dan"];

fn t0() -> Timestamp {
    // Near 5·20, when special amounts and days raise their warnings.
    Timestamp::from_utc(2025, 5, 19, 9, 0, 0)
}

fn chats() -> [ChatRef; 2] {
    [
        ChatRef::direct("ana-bo", "ana", "bo"),
        ChatRef::group("family", false, ["ana", "bo", "cai"]),
    ]
}

fn kind(tag: u8, amount: i64, count: u32, to: &str) -> PacketKind {
    let amount = Money::from_fen(amount);
    match tag % 4 {
        0 => PacketKind::Lucky {
            total: amount,
            count,
            split: None,
        },
        1 => PacketKind::Normal {
            per_share: amount,
            count,
        },
        2 => PacketKind::Personal {
            to: to.into(),
            amount,
        },
        _ => PacketKind::Exclusive {
            to: to.into(),
            amount,
        },
    }
}

fn request(sender: &str, chat: &ChatRef, kind: PacketKind, key: &str) -> SendRequest {
    SendRequest {
        sender: sender.into(),
        chat: chat.clone(),
        kind,
        greeting: "恭喜发财".into(),
        idempotency_key: key.into(),
    }
}

/// An engine where `ana` has sent a few packets (her history) and holds `balance` fen.
fn engine(history: &[(u8, i64, u32)], balance: i64) -> Engine {
    let mut engine = Engine::new(Policy::default());
    for user in USERS {
        let opening = if user == "ana" { balance } else { 100_000 };
        engine
            .open_wallet(user, Money::from_fen(opening), t0())
            .unwrap();
    }
    let family = &chats()[1];
    let mut rng = Rng::new(1);
    for (i, &(tag, amount, count)) in history.iter().enumerate() {
        let req = request(
            "ana",
            family,
            kind(tag, amount, count, "bo"),
            &format!("h{i}"),
        );
        let _ = engine.send(&req, t0(), &mut rng);
    }
    engine
}

fn preview(engine: &Engine, req: &SendRequest, now: Timestamp) -> Result<ops::Preview, SendError> {
    ops::preview(
        req,
        engine.balance(&req.sender),
        &engine.history(&req.sender, &req.chat.id),
        engine.policy(),
        now,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_preview_refuses_what_a_send_refuses_and_warns_as_the_engine_does(
        history in prop::collection::vec((0u8..2, 1i64..30_000, 1u32..6), 0..6),
        balance in 0i64..200_000,
        sender in 0usize..5,
        chat in 0usize..2,
        tag in 0u8..4,
        amount in prop_oneof![0i64..3_000, 5_000i64..30_000, Just(52_000), Just(1_314), Just(250)],
        count in 0u32..120,
        to in 0usize..5,
        key in prop_oneof![Just(""), Just("fresh")],
        later_secs in 0i64..(3 * 86_400),
    ) {
        let engine = engine(&history, balance);
        let names = ["ana", "bo", "cai", "dan", "zed"];
        let now = t0().plus_secs(later_secs);
        let req = request(names[sender], &chats()[chat], kind(tag, amount, count, names[to]), key);
        let before = engine.clone();
        let got = preview(&engine, &req, now);
        prop_assert_eq!(&engine, &before, "a preview changes nothing");

        // What a send of the same draft, with a key, does.
        let keyed = SendRequest { idempotency_key: "fresh".into(), ..req.clone() };
        let mut sending = engine.clone();
        let sent = sending.send(&keyed, now, &mut Rng::new(9));
        match (&got, &sent) {
            (Ok(p), Ok(s)) => {
                let debited = sending.packet(s.packet_id).unwrap().total;
                prop_assert_eq!(p.total, debited);
                prop_assert_eq!(&p.warnings, &engine.warnings(&keyed, now));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "preview {:?} but send {:?}", got, sent),
        }
    }
}

#[test]
fn a_special_amount_warns_and_an_empty_key_is_no_error() {
    let engine = engine(&[], 100_000);
    let family = &chats()[1];
    let req = request("ana", family, kind(1, 520, 3, ""), "");
    let p = preview(&engine, &req, t0()).unwrap();
    assert_eq!(p.total, Money::from_fen(1_560));
    assert!(!p.warnings.is_empty(), "5.20 × 3 around 5·20");
    let too_long = SendRequest {
        idempotency_key: "k".repeat(129),
        ..req
    };
    assert_eq!(preview(&engine, &too_long, t0()).unwrap().total, p.total);
}
