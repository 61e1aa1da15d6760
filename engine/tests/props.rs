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

/// Who: a member of the chat/packet at the given index (coherent), or any user (noise).
#[derive(Clone, Copy, Debug)]
enum Who {
    Member(u8),
    Any(usize),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![5 => any::<u8>().prop_map(Who::Member), 1 => (0..USERS.len()).prop_map(Who::Any)]
}

/// Which packet: one of the four most recent ones, or any id (possibly missing).
#[derive(Clone, Copy, Debug)]
enum Which {
    Recent(u8),
    Raw(u8),
}

fn which() -> impl Strategy<Value = Which> {
    prop_oneof![6 => any::<u8>().prop_map(Which::Recent), 1 => any::<u8>().prop_map(Which::Raw)]
}

#[derive(Clone, Debug)]
struct KindGen {
    /// `None`: the kind that fits the chat; `Some(t)`: kind number `t` whatever the chat.
    tag: Option<u8>,
    pick: u8,
    to: Who,
    fen: i64,
    count: u32,
    split: Option<SplitRule>,
}

fn kind() -> impl Strategy<Value = KindGen> {
    (
        prop_oneof![6 => Just(None), 1 => (0u8..4).prop_map(Some)],
        any::<u8>(),
        who(),
        fen(),
        count(),
        prop::option::of(prop_oneof![
            Just(SplitRule::DoubleMean),
            Just(SplitRule::LineCutting)
        ]),
    )
        .prop_map(|(tag, pick, to, fen, count, split)| KindGen {
            tag,
            pick,
            to,
            fen,
            count,
            split,
        })
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
        sender: Who,
        chat: usize,
        kind: KindGen,
        key: u8,
        long_greeting: bool,
    },
    Claim {
        packet: Which,
        user: Who,
    },
    Recall {
        packet: Which,
        sender: bool,
        user: usize,
        authorized: bool,
    },
    Advance {
        secs: i64,
    },
    Tick,
    SetPolicy(Box<Policy>),
    Snapshot,
    /// Resend the last successful request (a double submit).
    Retry,
}

fn fen() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 1i64..=300,
        6 => 1i64..=20_000,
        1 => 20_000i64..=60_000,
        1 => -200i64..=0,
        1 => Just(52_000i64),
        1 => 1_000_000i64..=i64::MAX,
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![12 => 1u32..=7, 1 => Just(0u32), 1 => 90u32..=130]
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
        prop_oneof![6 => Just(20_000i64), 1 => Just(500), 1 => Just(50), 1 => Just(1)],
        prop_oneof![6 => Just(1i64), 1 => Just(5), 1 => Just(0)],
        prop_oneof![6 => Just(100u32), 1 => Just(5), 1 => Just(2_000)],
        prop_oneof![4 => Just(86_400i64), 2 => Just(600), 1 => Just(30), 1 => Just(0)],
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
        8 => (who(), 0..5usize, kind(), 0u8..8, prop::bool::weighted(0.03)).prop_map(
            |(sender, chat, kind, key, long_greeting)| Op::Send { sender, chat, kind, key, long_greeting }
        ),
        12 => (which(), who()).prop_map(|(packet, user)| Op::Claim { packet, user }),
        4 => (which(), prop::bool::weighted(0.85), 0..USERS.len(), any::<bool>())
            .prop_map(|(packet, sender, user, authorized)| Op::Recall { packet, sender, user, authorized }),
        4 => prop_oneof![4 => 0i64..=5, 3 => 0i64..=200, 1 => 3_000i64..=90_000, 1 => Just(86_400i64)]
            .prop_map(|secs| Op::Advance { secs }),
        1 => Just(Op::Tick),
        1 => policy().prop_map(|p| Op::SetPolicy(Box::new(p))),
        1 => Just(Op::Snapshot),
        2 => Just(Op::Retry),
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

fn pick(members: &[String], who: Who) -> &str {
    match who {
        Who::Member(i) if !members.is_empty() => &members[usize::from(i) % members.len()],
        Who::Member(_) => "",
        Who::Any(i) => USERS[i],
    }
}

fn request(sender: Who, chat: usize, kind: &KindGen, key: u8, long_greeting: bool) -> SendRequest {
    let chat = chats()[chat].clone();
    let sender = pick(&chat.members, sender).to_string();
    let others: Vec<String> = chat
        .members
        .iter()
        .filter(|m| **m != sender)
        .cloned()
        .collect();
    let to = pick(&others, kind.to).to_string();
    let tag = kind.tag.unwrap_or(if chat.kind.is_group() {
        1 + kind.pick % 3
    } else {
        0
    });
    let (fen, count) = (kind.fen, kind.count);
    let kind = match tag {
        0 => PacketKind::Personal {
            to,
            amount: money(fen),
        },
        1 => PacketKind::Lucky {
            total: money(fen),
            count,
            split: kind.split,
        },
        2 => PacketKind::Normal {
            per_share: money(fen),
            count,
        },
        _ => PacketKind::Exclusive {
            to,
            amount: money(fen),
        },
    };
    SendRequest {
        sender,
        chat,
        kind,
        greeting: if long_greeting {
            "好".repeat(60)
        } else {
            "恭喜发财".into()
        },
        idempotency_key: format!("key-{key}"),
    }
}

fn packet_id(engine: &Engine, which: Which) -> PacketId {
    let n = engine.packets().len() as u64;
    match which {
        Which::Recent(k) => PacketId(n.saturating_sub(u64::from(k) % n.clamp(1, 4))),
        Which::Raw(raw) => PacketId(u64::from(raw) % (n + 2)),
    }
}

fn run(policy: Policy, seed: u64, start: Timestamp, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut engine = Engine::new(policy);
    let mut rng = Rng::new(seed);
    let mut now = start;
    let mut last_sent: Option<(SendRequest, PacketId)> = None;
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
                        last_sent = Some((req, sent.packet_id));
                    }
                    Err(_) => {
                        prop_assert_eq!(&rng, &rng_before);
                        failed = Some(None);
                    }
                }
            }
            Op::Claim { packet, user } => {
                let id = packet_id(&engine, *packet);
                let members = engine
                    .packet(id)
                    .map(|p| p.members.clone())
                    .unwrap_or_default();
                let user = pick(&members, *user);
                match engine.claim(id, user, now, &mut rng) {
                    Ok(c) => {
                        prop_assert!(c.amount >= Money::FEN);
                        if c.already_claimed {
                            unchanged = true;
                        }
                        let p = engine.packet(id).expect("claimed packet exists");
                        prop_assert_eq!(p.claim_of(user).map(|c| c.amount), Some(c.amount));
                    }
                    Err(_) => failed = Some(Some(id)),
                }
            }
            Op::Recall {
                packet,
                sender,
                user,
                authorized,
            } => {
                let id = packet_id(&engine, *packet);
                let user = match engine.packet(id) {
                    Some(p) if *sender => p.sender.clone(),
                    _ => USERS[*user].to_string(),
                };
                let could = engine
                    .packet(id)
                    .is_some_and(|p| p.can_recall(now) && p.sender == user);
                match engine.recall(id, &user, now, *authorized) {
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
            Op::Retry => {
                if let Some((req, id)) = &last_sent {
                    let sent = engine.send(req, now, &mut rng);
                    prop_assert_eq!(
                        sent,
                        Ok(hongbao_engine::Sent {
                            packet_id: *id,
                            replayed: true
                        })
                    );
                    unchanged = true;
                }
            }
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

fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        4 => prop::sample::select(vec!['0', '1', '5', '9', '.', ',', '-', '+', 'e', ' ', '\u{A0}', '\u{202F}', '¥', '￥', '元', '０', '．', '，', 'a', 'N']),
        1 => any::<char>(),
    ];
    prop::collection::vec(chars, 0..40).prop_map(String::from_iter)
}

proptest! {
    #![proptest_config(Config { cases: 2_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn parse_never_panics_and_accepts_only_valid_amounts(s in text()) {
        if let Ok(m) = Money::parse_typed(&s) {
            prop_assert!(m.is_positive() && m <= Money::MAX_AMOUNT);
        }
    }

    #[test]
    fn display_and_format_parse_back(fen in 1i64..=Money::MAX_AMOUNT.fen()) {
        let m = Money::from_fen(fen);
        prop_assert_eq!(Money::parse_typed(&m.to_string()), Ok(m));
        prop_assert_eq!(Money::parse_typed(&m.format(hongbao_engine::Lang::Zh)), Ok(m));
        prop_assert_eq!(Money::from_wire(&m.to_string()), Ok(m));
        prop_assert!(!m.to_capitals().is_empty() && !m.to_words_en().is_empty());
    }

    /// Digits grouped by threes with spaces (the space, U+00A0, U+202F, U+2009) read as the
    /// same amount as with commas; the wire parser refuses them all.
    #[test]
    fn space_grouping_reads_like_commas(
        fen in 1i64..=Money::MAX_AMOUNT.fen(),
        sep in prop::sample::select(vec![' ', '\u{A0}', '\u{202F}', '\u{2009}']),
        decimals in 0usize..=2,
    ) {
        let m = Money::from_fen(fen);
        let plain = m.to_string();
        let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
        let group = |sep: char| {
            let digits: Vec<char> = int.chars().collect();
            let mut out = String::new();
            for (i, d) in digits.iter().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(*d);
            }
            if decimals > 0 && frac.len() >= decimals {
                out.push('.');
                out.push_str(&frac[..decimals]);
            }
            out
        };
        let spaced = group(sep);
        let commas = group(',');
        prop_assert_eq!(Money::parse_typed(&spaced), Money::parse_typed(&commas), "{:?}", spaced);
        if decimals == 2 {
            prop_assert_eq!(Money::parse_typed(&spaced), Ok(m));
        }
        if spaced.contains(sep) {
            prop_assert!(Money::from_wire(&spaced).is_err());
        }
    }

    #[test]
    fn restore_never_panics(s in text()) {
        let _ = Engine::restore(&s);
    }
}
