//! Property tests: random sequences of operations under random policies. After every step
//! every invariant holds, and a failed operation changes nothing.
#![cfg(not(target_arch = "wasm32"))]

use hongbao_engine::{
    Blackout, ChatRef, Engine, Money, PacketId, PacketKind, Policy, RecallMode, RecallPolicy, Rng,
    SendRequest, SplitRule, Timestamp,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

const USERS: [&str; 7] = ["ana", "bo", "cai", "dan", "eve", "fay", ""];

fn chats() -> Vec<ChatRef> {
    vec![
        ChatRef::direct("ana-bo", "ana", "bo"),
        ChatRef::direct("cai-dan", "cai", "dan"),
        ChatRef::group("family", false, ["ana", "bo", "cai", "dan"]),
        ChatRef::group("work", true, ["ana", "bo", "cai", "dan", "eve", "fay"]),
        ChatRef::group("pair", false, ["bo", "eve", "bo"]),
    ]
}

#[derive(Clone, Debug)]
enum Kind {
    Personal {
        to: usize,
        fen: i64,
    },
    Lucky {
        fen: i64,
        count: u32,
        split: Option<SplitRule>,
    },
    Normal {
        fen: i64,
        count: u32,
    },
    Exclusive {
        to: usize,
        fen: i64,
    },
}

#[derive(Clone, Debug)]
enum Op {
    Open {
        user: usize,
        fen: i64,
    },
    Grant {
        user: usize,
        fen: i64,
    },
    Send {
        sender: usize,
        chat: usize,
        kind: Kind,
        key: u8,
        long_greeting: bool,
    },
    Claim {
        packet: u8,
        user: usize,
    },
    Recall {
        packet: u8,
        user: usize,
        authorized: bool,
    },
    Advance {
        secs: i64,
    },
    Tick,
    SetPolicy(Box<Policy>),
    Snapshot,
}

fn fen() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1i64..=300,
        4 => 1i64..=30_000,
        1 => -200i64..=0,
        1 => Just(52_000i64),
        1 => 1_000_000i64..=i64::MAX,
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 1u32..=8, 1 => Just(0u32), 1 => 90u32..=130]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (0..USERS.len(), fen()).prop_map(|(to, fen)| Kind::Personal { to, fen }),
        (
            fen(),
            count(),
            prop::option::of(prop_oneof![
                Just(SplitRule::DoubleMean),
                Just(SplitRule::LineCutting)
            ])
        )
            .prop_map(|(fen, count, split)| Kind::Lucky { fen, count, split }),
        (fen(), count()).prop_map(|(fen, count)| Kind::Normal { fen, count }),
        (0..USERS.len(), fen()).prop_map(|(to, fen)| Kind::Exclusive { to, fen }),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    let recall = (
        prop_oneof![
            Just(RecallMode::None),
            Just(RecallMode::Window),
            Just(RecallMode::Remainder),
            Just(RecallMode::Delayed)
        ],
        0u32..=300,
        0u32..=120,
        prop::option::of(0u32..=3),
        prop::option::of((0u16..1440, 0u16..=1440)),
        prop::option::of(1i64..=20_000),
    )
        .prop_map(
            |(mode, window_secs, delay_secs, max, blackout, auth)| RecallPolicy {
                mode,
                window_secs,
                delay_secs,
                max_recalls_per_day: max,
                blackout: blackout.map(|(start_minute, end_minute)| Blackout {
                    start_minute,
                    end_minute,
                }),
                auth_above: auth.map(Money::from_fen),
            },
        );
    (
        recall,
        prop_oneof![Just(SplitRule::DoubleMean), Just(SplitRule::LineCutting)],
        prop_oneof![Just(20_000i64), Just(500), Just(50), Just(1)],
        prop_oneof![Just(1i64), Just(5), Just(0)],
        prop_oneof![Just(100u32), Just(5), Just(2_000)],
        prop_oneof![Just(86_400i64), Just(600), Just(30), Just(0)],
        prop_oneof![Just(480i32), Just(0), Just(-300)],
    )
        .prop_map(
            |(recall, split, max_share, min_share, max_count, expiry_secs, offset)| Policy {
                max_share: Money::from_fen(max_share),
                min_share: Money::from_fen(min_share),
                max_count,
                expiry_secs,
                utc_offset_minutes: offset,
                recall,
                split,
                ..Policy::default()
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..USERS.len(), fen()).prop_map(|(user, fen)| Op::Open { user, fen }),
        1 => (0..USERS.len(), fen()).prop_map(|(user, fen)| Op::Grant { user, fen }),
        8 => (0..USERS.len(), 0..5usize, kind(), 0u8..6, prop::bool::weighted(0.05)).prop_map(
            |(sender, chat, kind, key, long_greeting)| Op::Send { sender, chat, kind, key, long_greeting }
        ),
        10 => (any::<u8>(), 0..USERS.len()).prop_map(|(packet, user)| Op::Claim { packet, user }),
        4 => (any::<u8>(), 0..USERS.len(), any::<bool>())
            .prop_map(|(packet, user, authorized)| Op::Recall { packet, user, authorized }),
        4 => prop_oneof![0i64..=5, 0i64..=200, 3_000i64..=90_000, Just(86_400i64)].prop_map(|secs| Op::Advance { secs }),
        1 => Just(Op::Tick),
        1 => policy().prop_map(|p| Op::SetPolicy(Box::new(p))),
        1 => Just(Op::Snapshot),
    ]
}

fn start_time() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        Just(Timestamp::from_local(2025, 3, 3, 10, 0, 480)),
        Just(Timestamp::from_local(2025, 5, 19, 23, 58, 480)),
        Just(Timestamp::from_local(2025, 8, 29, 23, 25, 480)),
        (0i64..4_000_000_000_000).prop_map(Timestamp::from_millis),
    ]
}

fn money(fen: i64) -> Money {
    Money::from_fen(fen)
}

fn request(sender: usize, chat: usize, kind: &Kind, key: u8, long_greeting: bool) -> SendRequest {
    let kind = match *kind {
        Kind::Personal { to, fen } => PacketKind::Personal {
            to: USERS[to].into(),
            amount: money(fen),
        },
        Kind::Lucky { fen, count, split } => PacketKind::Lucky {
            total: money(fen),
            count,
            split,
        },
        Kind::Normal { fen, count } => PacketKind::Normal {
            per_share: money(fen),
            count,
        },
        Kind::Exclusive { to, fen } => PacketKind::Exclusive {
            to: USERS[to].into(),
            amount: money(fen),
        },
    };
    SendRequest {
        sender: USERS[sender].into(),
        chat: chats()[chat].clone(),
        kind,
        greeting: if long_greeting {
            "好".repeat(60)
        } else {
            "恭喜发财".into()
        },
        idempotency_key: format!("key-{key}"),
    }
}

fn packet_id(engine: &Engine, raw: u8) -> PacketId {
    let n = engine.packets().len() as u64;
    PacketId(u64::from(raw) % (n + 2))
}

fn run(policy: Policy, seed: u64, start: Timestamp, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut engine = Engine::new(policy);
    let mut rng = Rng::new(seed);
    let mut now = start;
    for user in &USERS[..4] {
        engine
            .open_wallet(user, Money::from_fen(100_000), now)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    for (step, op) in ops.iter().enumerate() {
        let before = engine.clone();
        // `Some(packet)`: a failure may have expired that packet first (as tick would).
        let mut failed: Option<Option<PacketId>> = None;
        let mut unchanged = false;
        match op {
            Op::Open { user, fen } => {
                if engine.open_wallet(USERS[*user], money(*fen), now).is_err() {
                    failed = Some(None);
                }
            }
            Op::Grant { user, fen } => {
                if engine.grant(USERS[*user], money(*fen), now).is_err() {
                    failed = Some(None);
                }
            }
            Op::Send {
                sender,
                chat,
                kind,
                key,
                long_greeting,
            } => {
                let req = request(*sender, *chat, kind, *key, *long_greeting);
                let rng_before = rng.clone();
                match engine.send(&req, now, &mut rng) {
                    Ok(sent) => {
                        let p = engine.packet(sent.packet_id).expect("sent packet exists");
                        prop_assert_eq!(&p.sender, &req.sender);
                        if sent.replayed {
                            unchanged = true;
                        }
                    }
                    Err(_) => {
                        prop_assert_eq!(&rng, &rng_before);
                        failed = Some(None);
                    }
                }
            }
            Op::Claim { packet, user } => {
                let id = packet_id(&engine, *packet);
                match engine.claim(id, USERS[*user], now, &mut rng) {
                    Ok(c) => {
                        prop_assert!(c.amount >= Money::FEN);
                        if c.already_claimed {
                            unchanged = true;
                        }
                        let p = engine.packet(id).expect("claimed packet exists");
                        prop_assert_eq!(p.claim_of(USERS[*user]).map(|c| c.amount), Some(c.amount));
                    }
                    Err(_) => failed = Some(Some(id)),
                }
            }
            Op::Recall {
                packet,
                user,
                authorized,
            } => {
                let id = packet_id(&engine, *packet);
                let could = engine
                    .packet(id)
                    .is_some_and(|p| p.can_recall(now) && p.sender == USERS[*user]);
                match engine.recall(id, USERS[*user], now, *authorized) {
                    Ok(r) => {
                        prop_assert!(could, "recall succeeded although can_recall was false");
                        prop_assert!(r.refund.is_positive());
                    }
                    Err(_) => failed = Some(Some(id)),
                }
            }
            Op::Advance { secs } => now = now.plus_secs(*secs),
            Op::Tick => {
                engine.tick(now);
                let after = engine.clone();
                prop_assert!(engine.tick(now).is_empty(), "tick is idempotent");
                prop_assert_eq!(&engine, &after);
                prop_assert!(
                    engine
                        .packets()
                        .all(|p| p.is_finished() || p.expires_at > now)
                );
            }
            Op::SetPolicy(p) => engine.set_policy((**p).clone()),
            Op::Snapshot => {
                let restored = Engine::restore(&engine.snapshot())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&restored, &engine);
            }
        }
        if let Some(expired) = failed {
            let mut expected = before.clone();
            if let Some(id) = expired {
                expected.expire_if_due(id, now);
            }
            prop_assert_eq!(
                &engine,
                &expected,
                "step {}: a failed {:?} changed the engine",
                step,
                op
            );
        }
        if unchanged {
            prop_assert_eq!(
                &engine,
                &before,
                "step {}: a replay changed the engine",
                step
            );
        }
        if let Err(v) = engine.check_invariants() {
            return Err(TestCaseError::fail(format!("step {step} {op:?}: {v:?}")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn invariants_hold_after_every_step(
        policy in policy(),
        seed in any::<u64>(),
        start in start_time(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        run(policy, seed, start, &ops)?;
    }
}

/// Money never leaves or enters except through grants, whatever happens: a long random run.
#[test]
fn long_run_conserves_money() {
    let mut runner = proptest::test_runner::TestRunner::new(Config {
        cases: 20,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(
                policy(),
                any::<u64>(),
                prop::collection::vec(op(), 200..400),
            ),
            |(policy, seed, ops)| {
                run(
                    policy,
                    seed,
                    Timestamp::from_local(2025, 5, 20, 8, 0, 480),
                    &ops,
                )
            },
        )
        .unwrap();
}
