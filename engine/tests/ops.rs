//! The packet-level operations (`ops`) used the way a database-backed server uses them:
//! every packet is stored as JSON between operations, balances and the ledger live
//! outside the engine. Random sequences run side by side through `Engine` and through such
//! a store must give the same results, the same packets and the same balances, and the
//! store's books must balance after every step.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use hongbao_engine::ops::{self, Posting};
use hongbao_engine::{
    ChatRef, ClaimError, Engine, EntryKind, Money, Packet, PacketId, PacketKind, PacketState,
    Policy, RecallError, RecallMode, RecallPolicy, Rng, SendError, SendRequest, SplitRule,
    Timestamp,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

const USERS: [&str; 5] = ["ana", "bo", "cai", "dan", "eve"];

fn chats() -> Vec<ChatRef> {
    vec![
        ChatRef::direct("ana-bo", "ana", "bo"),
        ChatRef::group("family", false, ["ana", "bo", "cai", "dan"]),
        ChatRef::group("work", true, USERS),
    ]
}

fn t0() -> Timestamp {
    Timestamp::from_utc(2025, 5, 20, 9, 0, 0)
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

/// What a server keeps: packets as JSON rows, balances, the ledger, idempotency keys and
/// recall counts per (sender, local day).
struct Store {
    policy: Policy,
    packets: Vec<String>,
    balances: BTreeMap<String, i64>,
    ledger: Vec<Posting>,
    keys: BTreeMap<(String, String), (PacketId, SendRequest)>,
    recalls: BTreeMap<(String, i64), u32>,
    granted: i64,
}

impl Store {
    fn new(policy: Policy) -> Store {
        let mut balances = BTreeMap::new();
        for u in USERS {
            balances.insert(u.to_string(), 50_000);
        }
        Store {
            policy,
            packets: Vec::new(),
            balances,
            ledger: Vec::new(),
            keys: BTreeMap::new(),
            recalls: BTreeMap::new(),
            granted: 50_000 * USERS.len() as i64,
        }
    }

    fn load(&self, id: PacketId) -> Option<Packet> {
        let row = self
            .packets
            .get(usize::try_from(id.0).ok()?.checked_sub(1)?)?;
        Some(serde_json::from_str(row).unwrap())
    }

    fn save(&mut self, p: &Packet) {
        self.packets[p.id.0 as usize - 1] = serde_json::to_string(p).unwrap();
    }

    fn book(&mut self, postings: Vec<Posting>) {
        for p in postings {
            let b = self.balances.get_mut(&p.user).unwrap();
            *b += i64::try_from(p.signed_amount()).unwrap();
            assert!(*b >= 0, "negative balance");
            self.ledger.push(p);
        }
    }

    fn send(
        &mut self,
        req: &SendRequest,
        now: Timestamp,
        rng: &mut Rng,
    ) -> Result<PacketId, SendError> {
        ops::check_idempotency_key(&req.idempotency_key)?;
        if let Some((id, first)) = self
            .keys
            .get(&(req.sender.clone(), req.idempotency_key.clone()))
        {
            let same = first == req
                || self
                    .load(*id)
                    .is_some_and(|p| ops::same_send(&p, req, self.policy.split));
            return if same {
                Ok(*id)
            } else {
                Err(SendError::IdempotencyConflict { packet: *id })
            };
        }
        let balance = self.balances.get(&req.sender).map(|&f| Money::from_fen(f));
        let id = PacketId(self.packets.len() as u64 + 1);
        let (packet, postings) = ops::prepare_send(req, balance, &self.policy, now, id, rng)?;
        self.packets.push(serde_json::to_string(&packet).unwrap());
        self.book(postings);
        self.keys.insert(
            (req.sender.clone(), req.idempotency_key.clone()),
            (id, req.clone()),
        );
        Ok(id)
    }

    fn expire(&mut self, p: &mut Packet, now: Timestamp) -> bool {
        match ops::expire(p, now) {
            Some((_, postings)) => {
                self.save(p);
                self.book(postings);
                true
            }
            None => false,
        }
    }

    fn claim(
        &mut self,
        id: PacketId,
        user: &str,
        now: Timestamp,
        rng: &mut Rng,
    ) -> Result<Money, ClaimError> {
        let mut p = self.load(id).ok_or(ClaimError::NotFound)?;
        if p.claim_of(user).is_none() {
            self.expire(&mut p, now);
        }
        let before = p.clone();
        match ops::claim(&mut p, user, now, rng) {
            Ok((claimed, postings)) => {
                assert_eq!(claimed.already_claimed, postings.is_empty());
                if claimed.already_claimed {
                    assert_eq!(p, before);
                }
                self.save(&p);
                self.book(postings);
                Ok(claimed.amount)
            }
            Err(e) => {
                assert_eq!(p, before, "a refused claim changes nothing");
                Err(e)
            }
        }
    }

    fn recall(&mut self, id: PacketId, user: &str, now: Timestamp) -> Result<Money, RecallError> {
        let mut p = self.load(id).ok_or(RecallError::NotFound)?;
        self.expire(&mut p, now);
        let offset = self.policy.utc_offset_minutes;
        let day = now.local_day(offset);
        let used = self
            .recalls
            .get(&(user.to_string(), day))
            .copied()
            .unwrap_or(0);
        let before = p.clone();
        match ops::recall(&mut p, user, now, false, used, offset) {
            Ok((recalled, postings)) => {
                self.recalls.insert((user.to_string(), day), used + 1);
                self.save(&p);
                self.book(postings);
                Ok(recalled.refund)
            }
            Err(e) => {
                assert_eq!(p, before, "a refused recall changes nothing");
                Err(e)
            }
        }
    }

    fn sweep(&mut self, now: Timestamp) -> Vec<PacketId> {
        let mut out = Vec::new();
        for i in 0..self.packets.len() {
            let mut p = self.load(PacketId(i as u64 + 1)).unwrap();
            if self.expire(&mut p, now) {
                out.push(p.id);
            } else if ops::deliver(&mut p, now) {
                self.save(&p);
            }
        }
        out
    }

    /// PRODUCT §2's invariants, checked from the stored rows only.
    fn check(&self) {
        let mut held = 0i64;
        for i in 0..self.packets.len() {
            let p = self.load(PacketId(i as u64 + 1)).unwrap();
            let of_packet = |kind: EntryKind| -> i64 {
                self.ledger
                    .iter()
                    .filter(|e| e.packet == Some(p.id) && e.kind == kind)
                    .map(|e| e.amount.fen())
                    .sum()
            };
            let debit = of_packet(EntryKind::Debit);
            let credits = of_packet(EntryKind::Credit);
            let refunds = of_packet(EntryKind::RefundExpiry) + of_packet(EntryKind::RefundRecall);
            assert_eq!(debit, p.total.fen());
            assert_eq!(credits, p.claimed_total().fen());
            assert_eq!(
                debit,
                credits + refunds + p.remaining.fen(),
                "packet {} balances",
                p.id
            );
            assert!(
                p.claims
                    .iter()
                    .all(|c| c.amount >= Money::FEN && c.amount <= p.share_cap)
            );
            assert!(p.claims.len() as u32 <= p.count);
            if !p.is_finished() {
                held += p.remaining.fen();
            }
        }
        let total: i64 = self.balances.values().sum();
        assert_eq!(total + held, self.granted, "money is conserved");
        for (user, &b) in &self.balances {
            let derived: i128 = self
                .ledger
                .iter()
                .filter(|e| &e.user == user)
                .map(Posting::signed_amount)
                .sum();
            assert_eq!(
                i128::from(b) - 50_000,
                derived,
                "{user}'s balance is the ledger's sum"
            );
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Send {
        sender: usize,
        chat: usize,
        fen: i64,
        count: u32,
        to: usize,
        key: u8,
    },
    Claim {
        packet: u8,
        user: usize,
    },
    Recall {
        packet: u8,
        user: usize,
    },
    Advance {
        secs: i64,
    },
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..USERS.len(), 0..3usize, prop_oneof![1i64..=3_000, 1i64..=30_000, -5i64..=0],
              prop_oneof![1u32..=6, Just(0u32), 99u32..=101], 0..USERS.len(), 0u8..6)
            .prop_map(|(sender, chat, fen, count, to, key)| Op::Send { sender, chat, fen, count, to, key }),
        6 => (any::<u8>(), 0..USERS.len()).prop_map(|(packet, user)| Op::Claim { packet, user }),
        2 => (any::<u8>(), 0..USERS.len()).prop_map(|(packet, user)| Op::Recall { packet, user }),
        1 => prop_oneof![1i64..=200, 3_000i64..=90_000].prop_map(|secs| Op::Advance { secs }),
        1 => Just(Op::Sweep),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![
            Just(RecallMode::None),
            Just(RecallMode::Window),
            Just(RecallMode::Remainder),
            Just(RecallMode::Delayed)
        ],
        prop_oneof![Just(SplitRule::DoubleMean), Just(SplitRule::LineCutting)],
        prop::option::of(0u32..3),
    )
        .prop_map(|(mode, split, max_recalls_per_day)| Policy {
            recall: RecallPolicy {
                mode,
                window_secs: 120,
                delay_secs: 60,
                max_recalls_per_day,
                ..RecallPolicy::default()
            },
            split,
            ..Policy::default()
        })
}

fn kind_for(chat: &ChatRef, fen: i64, count: u32, to: &str) -> PacketKind {
    let amount = Money::from_fen(fen);
    match (chat.kind.is_group(), count % 3) {
        (false, _) => PacketKind::Personal {
            to: to.into(),
            amount,
        },
        (true, 0) => PacketKind::Exclusive {
            to: to.into(),
            amount,
        },
        (true, 1) => PacketKind::Normal {
            per_share: amount,
            count,
        },
        (true, _) => PacketKind::Lucky {
            total: amount,
            count,
            split: None,
        },
    }
}

fn run(policy: Policy, seed: u64, ops_list: &[Op]) -> Result<(), TestCaseError> {
    let mut engine = Engine::new(policy.clone());
    for u in USERS {
        engine
            .open_wallet(u, Money::from_fen(50_000), t0())
            .unwrap();
    }
    let mut store = Store::new(policy);
    let (mut rng_a, mut rng_b) = (Rng::new(seed), Rng::new(seed));
    let chats = chats();
    let mut now = t0();
    for op in ops_list {
        match *op {
            Op::Send {
                sender,
                chat,
                fen,
                count,
                to,
                key,
            } => {
                let chat = &chats[chat];
                let req = request(
                    USERS[sender],
                    chat,
                    kind_for(chat, fen, count, USERS[to]),
                    &format!("k{key}"),
                );
                let a = engine.send(&req, now, &mut rng_a).map(|s| s.packet_id);
                let b = store.send(&req, now, &mut rng_b);
                prop_assert_eq!(a, b);
            }
            Op::Claim { packet, user } => {
                let id = PacketId(u64::from(packet) % (store.packets.len() as u64 + 2));
                let a = engine
                    .claim(id, USERS[user], now, &mut rng_a)
                    .map(|c| c.amount);
                let b = store.claim(id, USERS[user], now, &mut rng_b);
                prop_assert_eq!(a, b);
            }
            Op::Recall { packet, user } => {
                let id = PacketId(u64::from(packet) % (store.packets.len() as u64 + 2));
                let a = engine.recall(id, USERS[user], now, false).map(|r| r.refund);
                let b = store.recall(id, USERS[user], now);
                prop_assert_eq!(a, b);
            }
            Op::Advance { secs } => now = now.plus_secs(secs),
            Op::Sweep => prop_assert_eq!(engine.tick(now), store.sweep(now)),
        }
        store.check();
        engine
            .check_invariants()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, row) in store.packets.iter().enumerate() {
            let p: Packet = serde_json::from_str(row).unwrap();
            prop_assert_eq!(Some(&p), engine.packet(PacketId(i as u64 + 1)));
        }
        for u in USERS {
            prop_assert_eq!(
                engine.balance(u).map(Money::fen),
                store.balances.get(u).copied()
            );
        }
        prop_assert_eq!(engine.ledger().len(), store.ledger.len() + USERS.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 1_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn a_store_built_on_ops_matches_the_engine(
        policy in policy(),
        seed in any::<u64>(),
        ops_list in prop::collection::vec(op(), 1..60),
    ) {
        run(policy, seed, &ops_list)?;
    }
}

fn family_lucky(total: i64, count: u32) -> SendRequest {
    request(
        "ana",
        &chats()[1],
        PacketKind::Lucky {
            total: Money::from_fen(total),
            count,
            split: None,
        },
        "k",
    )
}

#[test]
fn prepare_send_validates_in_order_and_debits_the_total() {
    let policy = Policy::default();
    let mut rng = Rng::new(1);
    let id = PacketId(9);
    let rich = Some(Money::from_fen(1_000_000));
    let err = |req: &SendRequest, balance| {
        ops::prepare_send(req, balance, &policy, t0(), id, &mut Rng::new(1)).unwrap_err()
    };
    assert_eq!(
        err(
            &SendRequest {
                idempotency_key: String::new(),
                ..family_lucky(100, 2)
            },
            rich
        ),
        SendError::InvalidIdempotencyKey
    );
    assert_eq!(err(&family_lucky(100, 2), None), SendError::UnknownSender);
    assert_eq!(
        err(&family_lucky(100, 0), rich),
        SendError::InvalidCount { max: 100 }
    );
    assert_eq!(
        err(&family_lucky(1, 2), rich),
        SendError::InvalidAmount {
            min: Money::from_fen(2)
        }
    );
    assert_eq!(
        err(&family_lucky(40_001, 2), rich),
        SendError::LimitExceeded {
            max: Money::from_fen(40_000)
        }
    );
    assert_eq!(
        err(&family_lucky(500, 2), Some(Money::from_fen(499))),
        SendError::InsufficientBalance {
            balance: Money::from_fen(499),
            needed: Money::from_fen(500)
        }
    );
    assert_eq!(
        ops::validate_send(&family_lucky(500, 2), rich, &policy, t0()),
        Ok(Money::from_fen(500))
    );

    let (p, postings) =
        ops::prepare_send(&family_lucky(500, 2), rich, &policy, t0(), id, &mut rng).unwrap();
    assert_eq!(
        (p.id, p.total, p.remaining, p.state),
        (
            id,
            Money::from_fen(500),
            Money::from_fen(500),
            PacketState::Open
        )
    );
    assert_eq!(
        postings,
        vec![Posting {
            at: t0(),
            user: "ana".into(),
            kind: EntryKind::Debit,
            amount: Money::from_fen(500),
            packet: Some(id),
        }]
    );
}

#[test]
fn claim_is_once_per_user_and_refuses_without_changing_anything() {
    let policy = Policy::default();
    let mut rng = Rng::new(3);
    let (mut p, _) = ops::prepare_send(
        &family_lucky(300, 2),
        Some(Money::from_fen(1_000)),
        &policy,
        t0(),
        PacketId(1),
        &mut rng,
    )
    .unwrap();
    let (first, postings) = ops::claim(&mut p, "bo", t0(), &mut rng).unwrap();
    assert!(!first.already_claimed && !first.fully_claimed);
    assert_eq!(postings.len(), 1);
    assert_eq!(postings[0].signed_amount(), i128::from(first.amount.fen()));
    let (again, postings) = ops::claim(&mut p, "bo", t0(), &mut rng).unwrap();
    assert!(again.already_claimed && postings.is_empty());
    assert_eq!(again.amount, first.amount);
    // Not a member.
    let before = p.clone();
    assert_eq!(
        ops::claim(&mut p, "eve", t0(), &mut rng).unwrap_err(),
        ClaimError::NotForYou
    );
    // Past the expiry: refused as expired even though nobody expired it yet.
    let late = p.expires_at;
    assert_eq!(
        ops::claim(&mut p, "cai", late, &mut rng).unwrap_err(),
        ClaimError::Expired
    );
    assert_eq!(p, before);
    // The last share: claimed out, best luck set, shares add up.
    let (last, _) = ops::claim(&mut p, "cai", t0().plus_secs(1), &mut rng).unwrap();
    assert!(last.fully_claimed);
    assert_eq!(p.state, PacketState::ClaimedOut);
    assert_eq!(first.amount.fen() + last.amount.fen(), 300);
    assert!(p.best_luck.is_some());
    assert_eq!(
        ops::claim(&mut p, "dan", t0().plus_secs(2), &mut rng).unwrap_err(),
        ClaimError::ClaimedOut
    );
}

#[test]
fn recall_and_expire_refund_the_remainder_once() {
    let policy = Policy {
        recall: RecallPolicy {
            mode: RecallMode::Remainder,
            max_recalls_per_day: Some(1),
            ..RecallPolicy::default()
        },
        ..Policy::default()
    };
    let mut rng = Rng::new(5);
    let offset = policy.utc_offset_minutes;
    let (mut p, _) = ops::prepare_send(
        &family_lucky(300, 3),
        Some(Money::from_fen(1_000)),
        &policy,
        t0(),
        PacketId(1),
        &mut rng,
    )
    .unwrap();
    let (c, _) = ops::claim(&mut p, "bo", t0(), &mut rng).unwrap();
    assert_eq!(
        ops::recall(&mut p.clone(), "bo", t0(), false, 0, offset).unwrap_err(),
        RecallError::NotSender
    );
    assert_eq!(
        ops::recall(&mut p.clone(), "ana", t0(), false, 1, offset).unwrap_err(),
        RecallError::DailyLimit { max: 1 }
    );
    assert_eq!(
        ops::recall(&mut p.clone(), "ana", t0().plus_secs(120), false, 0, offset).unwrap_err(),
        RecallError::WindowClosed
    );

    let mut recalled = p.clone();
    let (r, postings) =
        ops::recall(&mut recalled, "ana", t0().plus_secs(5), false, 0, offset).unwrap();
    assert_eq!(r.refund.fen(), 300 - c.amount.fen());
    assert_eq!(postings[0].kind, EntryKind::RefundRecall);
    assert_eq!(
        ops::recall(&mut recalled, "ana", t0().plus_secs(6), false, 0, offset).unwrap_err(),
        RecallError::AlreadyRecalled
    );
    let due = p.expires_at;
    assert_eq!(ops::expire(&mut recalled, due), None);

    assert_eq!(ops::expire(&mut p, due.plus_millis(-1)), None);
    let (e, postings) = ops::expire(&mut p, due).unwrap();
    assert_eq!(e.refund.fen(), 300 - c.amount.fen());
    assert_eq!(
        (postings[0].kind, postings[0].user.as_str()),
        (EntryKind::RefundExpiry, "ana")
    );
    assert_eq!(ops::expire(&mut p, due.plus_secs(1)), None, "idempotent");
}

#[test]
fn history_from_a_window_equals_history_from_everything() {
    let policy = Policy::default();
    let mut rng = Rng::new(9);
    let chats = chats();
    let mut all: Vec<Packet> = Vec::new();
    for i in 0..45u64 {
        let chat = &chats[if i == 3 { 1 } else { 2 }];
        let req = SendRequest {
            idempotency_key: format!("k{i}"),
            ..request(
                "ana",
                chat,
                PacketKind::Normal {
                    per_share: Money::from_fen(100 + i as i64),
                    count: 2,
                },
                "",
            )
        };
        let (p, _) = ops::prepare_send(
            &req,
            Some(Money::from_fen(1_000_000)),
            &policy,
            t0(),
            PacketId(i + 1),
            &mut rng,
        )
        .unwrap();
        all.push(p);
    }
    let full = ops::history("ana", "family", all.iter().rev());
    let window: Vec<&Packet> = all
        .iter()
        .rev()
        .take(ops::HISTORY_WINDOW)
        .chain(std::iter::once(&all[3]))
        .collect();
    assert_eq!(ops::history("ana", "family", window), full);
    assert_eq!(full.last_in_chat, Some(Money::from_fen(103)));
    assert_eq!(full.samples, 20);
}
