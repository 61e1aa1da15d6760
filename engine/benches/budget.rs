//! Performance budgets. Run with `cargo bench -p hongbao-engine --bench budget`.
//!
//! The last two lines of the output are the budget figures:
//! `engine_claims_per_sec=<N>` (budget ≥ 2,000,000) and `split_1m_packets_ms=<N>` (budget ≤ 200).

use std::hint::black_box;
use std::time::{Duration, Instant};

use hongbao_engine::split::{self, SplitRule};
use hongbao_engine::{
    ChatRef, Engine, Money, PacketId, PacketKind, Policy, Rng, SendRequest, Timestamp,
};

const USERS: usize = 2_000;
const GROUP: usize = 11;
const PACKETS_PER_BATCH: usize = 20_000;
const SHARES: u32 = 10;

struct Batch {
    engine: Engine,
    /// (packet, the ten claimers).
    packets: Vec<(PacketId, Vec<String>)>,
}

/// Untimed: wallets for every user and `PACKETS_PER_BATCH` lucky packets of ten, each in a
/// group of eleven (the sender and ten claimers).
fn setup(users: &[String], seed: u64, now: Timestamp) -> Batch {
    let mut engine = Engine::new(Policy::default());
    for u in users {
        engine
            .open_wallet(u, Money::from_fen(100_000_000), now)
            .expect("open wallet");
    }
    let mut rng = Rng::new(seed);
    let mut packets = Vec::with_capacity(PACKETS_PER_BATCH);
    for k in 0..PACKETS_PER_BATCH {
        let first = (k * 7) % (USERS - GROUP);
        let members: Vec<String> = users[first..first + GROUP].to_vec();
        let req = SendRequest {
            sender: members[0].clone(),
            chat: ChatRef::group(format!("g{first}"), false, members.clone()),
            kind: PacketKind::Lucky {
                total: Money::from_fen(10_000),
                count: SHARES,
                split: None,
            },
            greeting: "恭喜发财".into(),
            idempotency_key: format!("k{k}"),
        };
        let sent = engine.send(&req, now, &mut rng).expect("send");
        packets.push((sent.packet_id, members[1..].to_vec()));
    }
    Batch { engine, packets }
}

/// Claims per second (integer arithmetic: no floats in the engine's tree outside statistics).
fn engine_claims_per_sec(users: &[String]) -> u128 {
    let now = Timestamp::from_utc(2025, 3, 3, 2, 0, 0);
    let mut best = 0u128;
    for round in 0..3u64 {
        let mut claims = 0u64;
        let mut timed = Duration::ZERO;
        let mut batch_no = 0u64;
        while timed < Duration::from_secs(1) {
            let mut batch = setup(users, round * 1_000 + batch_no, now);
            let mut rng = Rng::new(batch_no);
            let at = now.plus_secs(5);
            let start = Instant::now();
            for (id, claimers) in &batch.packets {
                for user in claimers {
                    let c = batch.engine.claim(*id, user, at, &mut rng);
                    black_box(&c);
                    if c.is_err() {
                        panic!("claim failed: {c:?}");
                    }
                }
            }
            timed += start.elapsed();
            claims += batch.packets.len() as u64 * u64::from(SHARES);
            batch_no += 1;
            if round == 0 && batch_no == 1 {
                batch
                    .engine
                    .check_invariants()
                    .expect("invariants after the benchmark batch");
            }
        }
        best = best.max(u128::from(claims) * 1_000_000_000 / timed.as_nanos().max(1));
    }
    best
}

/// Milliseconds to split one million packets of ten, best of three.
fn split_1m_ms(rule: SplitRule) -> u128 {
    let mut best = u128::MAX;
    let mut out = Vec::with_capacity(SHARES as usize);
    for round in 0..3u64 {
        let mut rng = Rng::new(round);
        let mut checksum = 0i64;
        let start = Instant::now();
        for _ in 0..1_000_000 {
            split::split_all(
                rule,
                Money::from_fen(10_000),
                SHARES,
                Money::from_fen(20_000),
                &mut rng,
                &mut out,
            );
            checksum = checksum.wrapping_add(out[0].fen());
        }
        let ms = start.elapsed().as_millis();
        black_box(checksum);
        best = best.min(ms);
    }
    best
}

fn main() {
    let users: Vec<String> = (0..USERS).map(|i| format!("user{i:05}")).collect();
    let line_cutting = split_1m_ms(SplitRule::LineCutting);
    println!("(info) line_cutting_1m_packets_ms={line_cutting}");
    let claims = engine_claims_per_sec(&users);
    let split = split_1m_ms(SplitRule::DoubleMean);
    println!("engine_claims_per_sec={claims}");
    println!("split_1m_packets_ms={split}");
}
