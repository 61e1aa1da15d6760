//! The mock core's tests (moved with it from the widget), and the mock backend's on the
//! in-memory host: failures and retries, bots, reloads.

use crate::backend::{InMemory, Mock};
use crate::config::MockConfig;
use crate::core::MockCore;
use crate::log::{Op, STATE_VERSION};
use hongbao_api::backend::{Backend, retry};
use hongbao_api::demo::{self, DEMO_USERS};
use hongbao_api::{ChatEvent, ErrorCode, NewPacket};
use hongbao_engine::{
    Money, PacketId, PacketKind, PacketKindTag, PacketState, RecallMode, Timestamp, WarningCode,
};
use std::future::Future;
use std::task::{Context, Poll, Waker};

fn t0() -> Timestamp {
    Timestamp::from_utc(2026, 11, 22, 12, 0, 0)
}

fn config() -> MockConfig {
    MockConfig {
        bots: false,
        ..MockConfig::default()
    }
}

fn lucky(key: &str, total: i64, count: u32) -> NewPacket {
    NewPacket {
        chat_id: demo::FAMILY.into(),
        kind: PacketKind::Lucky {
            total: Money::from_fen(total),
            count,
            split: None,
        },
        greeting: "恭喜发财".into(),
        idempotency_key: key.into(),
    }
}

/// Runs a future of the in-memory mock, which never waits (its sleeps are instant).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory mock waited"),
    }
}

// ------------------------------------------------------------------------------ the core

#[test]
fn preview_checks_like_a_send_and_changes_nothing() {
    let mut core = MockCore::new_demo(&config(), t0());
    let ok = core
        .preview("alice", &lucky("p1", 52_000, 10), t0())
        .unwrap();
    assert_eq!(ok.total, Money::from_fen(52_000));
    assert!(
        ok.warnings
            .iter()
            .any(|w| w.code == hongbao_engine::WarningCode::Romantic),
        "{ok:?}"
    );
    // Over the per-packet limit, and (after spending) over the balance: the send's errors.
    let too_big = core.preview("alice", &lucky("p2", 20_000_000, 1), t0());
    assert_eq!(too_big.unwrap_err().code, ErrorCode::LimitExceeded);
    for i in 0..5 {
        core.send("alice", &lucky(&format!("s{i}"), 20_000, 1), t0())
            .unwrap();
    }
    let broke = core.preview("alice", &lucky("p3", 1_000, 1), t0());
    assert_eq!(broke.unwrap_err().code, ErrorCode::InsufficientBalance);
    // Previews changed nothing: five packets, and the balance only they took.
    assert_eq!(core.me("alice").unwrap().balance, Money::from_fen(0));
    let again = core.send("alice", &lucky("s0", 20_000, 1), t0()).unwrap();
    assert!(again.1.is_none(), "the same key replays");
}

#[test]
fn send_claim_and_ledger_agree() {
    let mut core = MockCore::new_demo(&config(), t0());
    let (view, event) = core.send("alice", &lucky("k1", 1000, 3), t0()).unwrap();
    assert!(event.is_some());
    assert_eq!(
        core.me("alice").unwrap().balance,
        Money::from_fen(100_000 - 1000)
    );
    let mut sum = 0;
    for user in ["bob", "carol", "dave"] {
        sum += core
            .claim(user, view.id, t0().plus_secs(1))
            .unwrap()
            .0
            .amount
            .fen();
    }
    assert_eq!(sum, 1000);
    let view = core.packet("alice", view.id, t0().plus_secs(2)).unwrap();
    assert_eq!(view.claims.iter().filter(|c| c.best_luck).count(), 1);
    assert_eq!(core.ledger("bob").unwrap()[0].packet_id, Some(view.id));
    core.engine().check_invariants().unwrap();
}

#[test]
fn retries_never_double_send_or_double_claim() {
    let mut core = MockCore::new_demo(&config(), t0());
    let (a, _) = core.send("alice", &lucky("same", 500, 2), t0()).unwrap();
    let (b, event) = core.send("alice", &lucky("same", 500, 2), t0()).unwrap();
    assert_eq!((a.id, event), (b.id, None));
    assert_eq!(
        core.me("alice").unwrap().balance,
        Money::from_fen(100_000 - 500)
    );
    let (first, _) = core.claim("bob", a.id, t0()).unwrap();
    let (again, event) = core.claim("bob", a.id, t0()).unwrap();
    assert!(again.already_claimed && event.is_none());
    assert_eq!(first.amount, again.amount);
}

#[test]
fn outsiders_and_unknown_users_are_refused() {
    let mut core = MockCore::new_demo(&config(), t0());
    let dm = NewPacket {
        chat_id: "alice-bob".into(),
        kind: PacketKind::Personal {
            to: "bob".into(),
            amount: Money::from_fen(520),
        },
        ..lucky("d", 520, 1)
    };
    let (view, _) = core.send("alice", &dm, t0()).unwrap();
    assert_eq!(
        core.packet("erin", view.id, t0()).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        core.claim("mallory", view.id, t0()).unwrap_err().code,
        ErrorCode::Unauthorized
    );
    assert_eq!(
        core.send("erin", &dm, t0()).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn test_clock_expires_and_refunds() {
    let mut core = MockCore::new_demo(&config(), t0());
    let (view, _) = core.send("alice", &lucky("e", 1000, 2), t0()).unwrap();
    core.claim("bob", view.id, t0()).unwrap();
    core.advance_clock(24 * 3600);
    let events = core.tick(t0().plus_millis(core.clock_offset_ms()));
    assert_eq!(events.len(), 1);
    let bob = core.me("bob").unwrap().balance.fen() - 100_000;
    assert_eq!(core.me("alice").unwrap().balance.fen(), 100_000 - bob);
}

#[test]
fn state_round_trips_through_json() {
    let mut core = MockCore::new_demo(&config(), t0());
    core.send("alice", &lucky("r", 1000, 4), t0()).unwrap();
    let back = MockCore::restore(&core.to_json(), &config()).unwrap();
    assert_eq!(back, core);
    assert!(MockCore::restore("{not json", &config()).is_none());
}

fn kinds(core: &MockCore) -> Vec<&'static str> {
    let mut kinds: Vec<_> = core
        .ops
        .iter()
        .map(|op| match op {
            Op::Send { .. } => "send",
            Op::Claim { .. } => "claim",
            Op::Recall { .. } => "recall",
            Op::Tick { .. } => "tick",
            Op::Expire { .. } => "expire",
            Op::Policy { .. } => "policy",
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// A long mixed session, driven as `MockBackend` drives it (an expiry tick before each
/// call, bots claiming on their own without one), then saved and restored: the replay
/// gives the same engine, random sources, clock and log, and both go on alike.
#[test]
fn the_operation_log_replays_to_the_same_state() {
    let mut s = config();
    let mut core = MockCore::new_demo(&s, t0());
    // The wall clock, and the mock's clock after `secs` more seconds of it, with what
    // fell due expired.
    let mut wall = t0();
    let mut at = |core: &mut MockCore, secs: i64| {
        wall = wall.plus_secs(secs);
        let now = wall.plus_millis(core.clock_offset_ms());
        core.tick(now);
        now
    };

    // Every kind of send, claims by several users.
    let now = at(&mut core, 0);
    let (l1, _) = core.send("alice", &lucky("l1", 10_000, 5), now).unwrap();
    for user in ["bob", "carol"] {
        let now = at(&mut core, 3);
        core.claim(user, l1.id, now).unwrap();
    }
    let now = at(&mut core, 1);
    let normal = NewPacket {
        kind: PacketKind::Normal {
            per_share: Money::from_fen(200),
            count: 3,
        },
        ..lucky("n1", 200, 3)
    };
    let (n1, _) = core.send("bob", &normal, now).unwrap();
    for user in ["alice", "dave"] {
        let now = at(&mut core, 2);
        core.claim(user, n1.id, now).unwrap();
    }
    let now = at(&mut core, 1);
    let personal = NewPacket {
        chat_id: "alice-bob".into(),
        kind: PacketKind::Personal {
            to: "bob".into(),
            amount: Money::from_fen(520),
        },
        ..lucky("p1", 520, 1)
    };
    let (p1, _) = core.send("alice", &personal, now).unwrap();
    let now = at(&mut core, 1);
    core.claim("bob", p1.id, now).unwrap();
    let now = at(&mut core, 1);
    let exclusive = NewPacket {
        kind: PacketKind::Exclusive {
            to: "carol".into(),
            amount: Money::from_fen(888),
        },
        ..lucky("x1", 888, 1)
    };
    let (x1, _) = core.send("alice", &exclusive, now).unwrap();

    // Bots: their plan draws on the simulation's source, their claims skip the tick.
    let mut plan = core.bot_plan(&l1, "alice");
    assert!(!plan.is_empty());
    plan.sort_by_key(|(_, delay)| *delay);
    let bots_from = at(&mut core, 0);
    for (bot, delay) in &plan {
        let _ = core.claim(bot, l1.id, bots_from.plus_millis(i64::from(*delay)));
    }
    at(&mut core, 41);
    for _ in 0..7 {
        core.sim_rng().next_u32(); // latencies and failure draws
    }

    // Refused calls change nothing and are not logged.
    let logged = core.ops.len();
    let now = at(&mut core, 1);
    assert!(core.claim("mallory", l1.id, now).is_err());
    assert!(core.claim("dave", x1.id, now).is_err());
    assert!(core.recall("bob", x1.id, true, now).is_err());
    assert!(
        core.send("alice", &lucky("big", 20_000_000, 1), now)
            .is_err()
    );
    assert_eq!(core.ops.len(), logged);

    // A policy change between sends: line-cutting, remainder recall.
    s = MockConfig {
        split: hongbao_engine::SplitRule::LineCutting,
        recall: RecallMode::Remainder,
        window_secs: 60,
        ..s
    };
    core.configure(&s);
    let now = at(&mut core, 1);
    let (l2, _) = core.send("carol", &lucky("l2", 5_000, 4), now).unwrap();
    let now = at(&mut core, 2);
    core.claim("erin", l2.id, now).unwrap();
    let now = at(&mut core, 2);
    let refund = core.recall("carol", l2.id, true, now).unwrap().0.refund;
    assert!(refund.is_positive());

    // The same key again: nothing new, live and after a restore alike.
    let now = at(&mut core, 1);
    let (again, event) = core.send("bob", &normal, now).unwrap();
    assert_eq!((again.id, event), (n1.id, None));

    // Delayed delivery: a tick that only delivers is logged too.
    s = MockConfig {
        recall: RecallMode::Delayed,
        window_secs: 30,
        ..s
    };
    core.configure(&s);
    let now = at(&mut core, 1);
    let (d1, _) = core.send("dave", &lucky("d1", 3_000, 3), now).unwrap();
    let logged = core.ops.len();
    at(&mut core, 31);
    assert_eq!(core.ops.len(), logged + 1, "the delivering tick");
    let now = at(&mut core, 1);
    core.claim("frank", d1.id, now).unwrap();
    let now = at(&mut core, 1);
    let (late, _) = core.send("grace", &lucky("late", 900, 3), now).unwrap();

    // Past 24 h: a bot's claim (no tick first) expires its packet and is refused; then
    // the tick expires the rest.
    core.advance_clock(25 * 3600);
    let late_bot = now.plus_secs(25 * 3600 + 1);
    let refused = core.claim("heidi", late.id, late_bot).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Expired);
    let now = at(&mut core, 2);
    assert_eq!(
        core.engine().packet(PacketId(x1.id)).unwrap().state,
        PacketState::Expired
    );
    assert_eq!(
        core.engine().packet(PacketId(d1.id)).unwrap().state,
        PacketState::Expired
    );
    let now = now.plus_secs(1);
    core.send("ivan", &lucky("after", 1_000, 2), now).unwrap();
    core.engine().check_invariants().unwrap();
    assert_eq!(
        kinds(&core),
        ["claim", "expire", "policy", "recall", "send", "tick"]
    );

    let json = core.to_json();
    let mut back = MockCore::restore(&json, &s).expect("the log replays");
    assert_eq!(back.engine(), core.engine());
    assert_eq!(back.money_rng, core.money_rng);
    assert_eq!(back.sim_rng, core.sim_rng);
    assert_eq!(back.clock_offset_ms(), core.clock_offset_ms());
    assert_eq!(back, core);
    for user in DEMO_USERS {
        assert_eq!(back.me(user).unwrap(), core.me(user).unwrap());
        assert_eq!(back.ledger(user).unwrap(), core.ledger(user).unwrap());
    }
    assert_eq!(back.to_json(), json);

    // Both go on alike: the retried send, and a new one with its claims.
    let now = now.plus_secs(5);
    assert_eq!(
        back.send("bob", &normal, now).unwrap(),
        core.send("bob", &normal, now).unwrap()
    );
    let next = lucky("next", 7_777, 6);
    let (view, _) = core.send("judy", &next, now).unwrap();
    assert_eq!(back.send("judy", &next, now).unwrap().0, view);
    // (Still the delayed policy: claimable after 30 s.)
    let later = now.plus_secs(31);
    for user in ["alice", "bob", "judy"] {
        assert_eq!(
            back.claim(user, view.id, later).unwrap(),
            core.claim(user, view.id, later).unwrap()
        );
    }
    assert_eq!(back.bot_plan(&view, "judy"), core.bot_plan(&view, "judy"));
    assert_eq!(back, core);
}

#[test]
fn an_unreadable_log_starts_a_fresh_demo() {
    let mut core = MockCore::new_demo(&config(), t0());
    let (view, _) = core.send("alice", &lucky("k", 1000, 3), t0()).unwrap();
    core.claim("bob", view.id, t0()).unwrap();
    let json = core.to_json();
    assert!(MockCore::restore(&json, &config()).is_some());
    let restore = |json: &str| MockCore::restore(json, &config());
    assert!(restore("").is_none());
    assert!(restore("{not json").is_none());
    assert!(restore(&json[..json.len() / 2]).is_none());
    // Another version, and version 1's snapshot of the engine.
    let v = format!(r#""version":{STATE_VERSION}"#);
    assert!(json.contains(&v));
    assert!(restore(&json.replace(&v, r#""version":1"#)).is_none());
    assert!(restore(&json.replace(&v, r#""version":3"#)).is_none());
    assert!(restore(r#"{"version":1,"engine":{},"money_rng":{"state":"1","inc":"1"}}"#).is_none());
    // Readable, but it does not replay: a claim of a packet that was never sent, a
    // claim twice, a bad policy, a bad random state.
    let id = format!(r#""id":{}"#, view.id);
    assert!(restore(&json.replace(&id, r#""id":99"#)).is_none());
    let claim = &json[json.find(r#"{"op":"claim""#).unwrap()..json.rfind(']').unwrap()];
    assert!(restore(&json.replace(claim, &format!("{claim},{claim}"))).is_none());
    // A record without a field its operation needs, and an unknown operation.
    assert!(restore(&json.replace(r#""user":"bob","#, "")).is_none());
    assert!(restore(&json.replace(r#""op":"claim""#, r#""op":"steal""#)).is_none());
    assert!(restore(&json.replace("recall=window", "recall=sometimes")).is_none());
    let (state, inc) = core.sim_rng.to_parts();
    assert!(
        restore(&json.replace(
            &format!("[{state},{inc}]"),
            &format!("[{state},{}]", inc - 1)
        ))
        .is_none()
    );
}

/// What the send flow relies on: the preview refuses what a send would refuse, with the
/// engine's code and a translated message, and changes nothing.
#[test]
fn the_preview_refuses_what_a_send_would_refuse() {
    let draft = |kind, amount: &str, count| {
        let amount = Money::parse_typed(amount).unwrap();
        NewPacket {
            kind: match kind {
                PacketKindTag::Normal => PacketKind::Normal {
                    per_share: amount,
                    count,
                },
                _ => PacketKind::Lucky {
                    total: amount,
                    count,
                    split: None,
                },
            },
            greeting: "hi".into(),
            idempotency_key: "k".into(),
            ..lucky("k", 0, 1)
        }
    };
    let now = Timestamp::from_utc(2025, 1, 1, 12, 0, 0);
    let core = MockCore::new_demo(&MockConfig::default(), now);
    let before = core.clone();
    let refused = [
        (
            draft(PacketKindTag::Normal, "300", 10),
            ErrorCode::LimitExceeded,
        ),
        (draft(PacketKindTag::Lucky, "5", 0), ErrorCode::InvalidCount),
        (
            draft(PacketKindTag::Lucky, "5", 101),
            ErrorCode::InvalidCount,
        ),
        (
            draft(PacketKindTag::Lucky, "0.05", 10),
            ErrorCode::InvalidAmount,
        ),
        (
            draft(PacketKindTag::Normal, "150", 10),
            ErrorCode::InsufficientBalance,
        ),
    ];
    for (d, code) in refused {
        let e = core.preview("alice", &d, now).unwrap_err();
        assert_eq!(e.code, code, "{d:?}");
        assert!(!e.message.is_empty());
    }
    // A draft has no idempotency key yet: the preview does not ask for one.
    let ok = core
        .preview(
            "alice",
            &NewPacket {
                idempotency_key: String::new(),
                ..draft(PacketKindTag::Lucky, "250", 10)
            },
            now,
        )
        .unwrap();
    assert_eq!(ok.total, Money::from_fen(25_000));
    assert!(ok.warnings.iter().any(|w| w.code == WarningCode::Offensive));
    assert_eq!(core, before, "a preview changes nothing");
}

/// A state the widget saved in a browser before the mock core left the widget crate
/// (version 2, written by that code): it still restores, to the same balances.
#[test]
fn a_state_saved_before_the_move_restores() {
    let json = include_str!("../tests/fixtures/state-v2.json").trim();
    // Restored under the policy it was left with, it logs nothing new.
    let left_with = MockConfig {
        recall: RecallMode::Remainder,
        window_secs: 60,
        split: hongbao_engine::SplitRule::LineCutting,
        ..config()
    };
    let core = MockCore::restore(json, &left_with).expect("the saved log replays");
    assert_eq!(core.to_json(), json, "and saves back the same");
    let balances: Vec<i64> = DEMO_USERS
        .iter()
        .map(|u| core.me(u).unwrap().balance.fen())
        .collect();
    assert_eq!(balances, FIXTURE_BALANCES);
    core.engine().check_invariants().unwrap();
}

// ------------------------------------------------------------------------------ the backend

/// Failure injection loses requests and responses; retrying every call with the same
/// arguments sends each packet once, claims each share once, and loses no money.
#[test]
fn retries_through_lost_requests_and_responses_change_nothing_twice() {
    let mock = Mock::in_memory(
        MockConfig {
            fail_percent: 50,
            ..config()
        },
        t0(),
    );
    let (mut lost, mut sent) = (0, Vec::new());
    for i in 0..20 {
        let packet = lucky(&format!("k{i}"), 1_000 + i, 2);
        let first = block_on(mock.send("alice", &packet));
        lost += usize::from(first.as_ref().is_err_and(|e| e.is_network()));
        let view = block_on(retry(50, || mock.send("alice", &packet))).unwrap();
        sent.push(view.id);
        for user in ["bob", "carol"] {
            let a = block_on(retry(50, || mock.claim(user, view.id))).unwrap();
            let b = block_on(retry(50, || mock.claim(user, view.id))).unwrap();
            assert!(b.already_claimed && a.amount == b.amount);
        }
    }
    assert!(lost > 0, "some calls failed");
    sent.dedup();
    assert_eq!(sent.len(), 20, "one packet per key");
    let core = mock.core();
    assert_eq!(core.engine().packets().count(), 20);
    core.engine().check_invariants().unwrap();
    let total: i64 = DEMO_USERS
        .iter()
        .map(|u| core.me(u).unwrap().balance.fen())
        .sum();
    assert_eq!(total, 10 * 100_000, "no money made or lost");
}

/// Bots claim a new group packet on their own (later, as spawned tasks), and their claims
/// are saved and announced.
#[test]
fn bots_claim_new_packets_on_their_own() {
    let mock = Mock::in_memory(
        MockConfig {
            bots: true,
            latency_ms: Some(0),
            seed: 7,
            ..MockConfig::default()
        },
        t0(),
    );
    let view = block_on(mock.send("alice", &lucky("b", 5_000, 9))).unwrap();
    let events = mock.host().take_events();
    assert!(
        matches!(&events[..], [ChatEvent::PacketSent { packet_id, .. }] if *packet_id == view.id)
    );
    block_on(mock.host().run_tasks());
    let claims = mock.host().take_events();
    assert!(!claims.is_empty(), "some bots claimed");
    let family = demo::chat_for("alice", demo::FAMILY).unwrap().members;
    let mut bots: Vec<&str> = claims
        .iter()
        .map(|event| match event {
            ChatEvent::PacketClaimed { username, .. } => username.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        bots.iter()
            .all(|b| *b != "alice" && family.iter().any(|m| m == b))
    );
    bots.sort_unstable();
    bots.dedup();
    assert_eq!(bots.len(), claims.len(), "each bot claims once");
    let packet = block_on(mock.packet("alice", view.id)).unwrap();
    assert_eq!(packet.claims.len(), claims.len());
    let saved = MockCore::restore(&mock.host().saved(), &config()).unwrap();
    assert_eq!(
        saved.engine(),
        mock.core().engine(),
        "the bots' claims were saved"
    );
}

/// A reload (a new mock on what the last one saved) goes on where it stopped, with the
/// language and configuration it is given, and the test clock it had.
#[test]
fn a_reload_goes_on_from_the_saved_state() {
    let mock = Mock::in_memory(config(), t0());
    let view = block_on(mock.send("alice", &lucky("r", 1_000, 2))).unwrap();
    block_on(mock.claim("bob", view.id)).unwrap();
    block_on(mock.advance_clock(60)).unwrap();
    let en = MockConfig {
        lang: hongbao_engine::Lang::En,
        recall: RecallMode::None,
        ..config()
    };
    let host = InMemory::new(t0().plus_secs(5));
    let restored = MockCore::restore(&mock.host().saved(), &en);
    assert!(restored.is_some(), "the saved state restores");
    let again = Mock::start(en, host, restored);
    assert_eq!(again.core().engine().packets().count(), 1);
    assert_eq!(again.now(), t0().plus_secs(65));
    let me = block_on(again.me("bob")).unwrap();
    assert_eq!(me, block_on(mock.me("bob")).unwrap());
    let refused = block_on(again.claim("mallory", view.id)).unwrap_err();
    assert_eq!(refused.message, "unknown user");
    // Reset starts the demo again at the wall clock, in the language it had.
    again.reset();
    assert_eq!(again.core().engine().packets().count(), 0);
    assert_eq!(again.core().lang(), hongbao_engine::Lang::En);
    assert_eq!(again.core().clock_offset_ms(), 0);
}

/// The balances of alice … judy in `tests/fixtures/state-v2.json`, as the code that wrote it
/// gave them.
const FIXTURE_BALANCES: [i64; 10] = [
    99_390, 99_681, 100_409, 100_520, 99_384, 100_616, 100_000, 100_000, 100_000, 100_000,
];

/// A new demo is not written until something changes (a reload then starts the same demo
/// afresh, and the page's first screen serializes nothing); a read writes nothing; every
/// change (a send, a claim, the test clock, a reset) is written once, and what is written
/// restores to the same books.
#[test]
fn only_changes_are_saved() {
    let mock = Mock::in_memory(config(), t0());
    block_on(mock.chats("alice")).unwrap();
    block_on(mock.me("alice")).unwrap();
    assert_eq!(mock.host().saves(), 0);
    let view = block_on(mock.send("alice", &lucky("only", 1_000, 2))).unwrap();
    assert_eq!(mock.host().saves(), 1);
    block_on(mock.packet("alice", view.id)).unwrap();
    block_on(mock.chat_packets("bob", demo::FAMILY)).unwrap();
    block_on(mock.ledger("alice")).unwrap();
    assert_eq!(mock.host().saves(), 1);
    block_on(mock.claim("bob", view.id)).unwrap();
    assert_eq!(mock.host().saves(), 2);
    // Claiming again is refused by the rules and changes nothing.
    block_on(mock.claim("bob", view.id)).unwrap();
    assert_eq!(mock.host().saves(), 2);
    // The money is all in what was saved (the simulation's draws since are not).
    let restored = MockCore::restore(&mock.host().saved(), &config()).unwrap();
    assert_eq!(restored.engine(), mock.core().engine());
    block_on(mock.advance_clock(60)).unwrap();
    assert_eq!(mock.host().saves(), 3);
    mock.host().pass(1_000);
    mock.reset();
    assert_eq!(mock.host().saves(), 4);
}

/// A call the simulated network failed is saved with its draws, so that a reload (a new mock
/// on the saved state) does not fail the same call the same way again and again.
#[test]
fn a_failed_call_is_saved_with_its_draws() {
    let failing = MockConfig {
        fail_percent: 100,
        latency_ms: Some(0),
        ..config()
    };
    let mock = Mock::in_memory(failing, t0());
    assert!(block_on(mock.chats("alice")).is_err());
    assert_eq!(mock.host().saves(), 1);
    let saved = MockCore::restore(&mock.host().saved(), &config()).unwrap();
    assert_eq!(saved.sim_rng, mock.core().sim_rng);
    assert_ne!(saved.sim_rng, MockCore::new_demo(&config(), t0()).sim_rng);
}
