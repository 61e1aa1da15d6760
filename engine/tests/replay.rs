//! Replay: determinism, exact snapshot round trips, and the golden scenario.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use hongbao_engine::{Engine, PacketId, RecallMode, Rng, SplitRule};

/// A fixed script of operations, run on `engine` with `rng`.
fn script(engine: &mut Engine, rng: &mut Rng, round: i64) {
    let t = t0().plus_hours(round);
    let chat = family();
    let mut ids: Vec<PacketId> = Vec::new();
    for (i, kind) in [
        lucky("100", 4),
        lucky_with("33.33", 3, SplitRule::LineCutting),
        normal("1.88", 4),
        exclusive("bo", "8.88"),
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("r{round}-{i}");
        if let Ok(s) = engine.send(&req("ana", chat.clone(), kind, &key), t, rng) {
            ids.push(s.packet_id);
        }
    }
    for (i, id) in ids.iter().enumerate() {
        for (j, user) in ["bo", "cai", "dan", "ana"].iter().enumerate() {
            let _ = engine.claim(*id, user, t.plus_secs((i * 10 + j) as i64), rng);
        }
    }
    let _ = engine.tick(t.plus_hours(30));
}

#[test]
fn same_seed_same_operations_same_snapshot() {
    let run = || {
        let mut e = engine_with(policy_with_mode(RecallMode::Remainder));
        let mut rng = Rng::new(99);
        for round in 0..5 {
            script(&mut e, &mut rng, round * 31);
        }
        (e.snapshot(), rng)
    };
    let (a, ra) = run();
    let (b, rb) = run();
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    // A different seed gives a different result.
    let mut e = engine_with(policy_with_mode(RecallMode::Remainder));
    let mut rng = Rng::new(100);
    for round in 0..5 {
        script(&mut e, &mut rng, round * 31);
    }
    assert_ne!(e.snapshot(), a);
}

#[test]
fn snapshot_round_trips_exactly_and_continues_identically() {
    let mut e = engine_with(policy_with_mode(RecallMode::Delayed));
    let mut rng = Rng::new(7);
    script(&mut e, &mut rng, 0);
    // Leave some packets open.
    let open = e.send(
        &req("bo", family(), lucky("50", 10), "open"),
        t0().plus_hours(40),
        &mut rng,
    );
    assert!(open.is_ok());
    let json = e.snapshot();
    let restored = Engine::restore(&json).expect("restore");
    assert_eq!(restored, e);
    assert_eq!(restored.snapshot(), json);
    let rng_json = serde_json::to_string(&rng).unwrap();
    let mut rng2: Rng = serde_json::from_str(&rng_json).unwrap();
    let mut e2 = restored;
    for round in 1..4 {
        script(&mut e, &mut rng, 40 + round);
        script(&mut e2, &mut rng2, 40 + round);
    }
    assert_eq!(e, e2);
    assert_eq!(e.snapshot(), e2.snapshot());
    e.check_invariants().unwrap();
}

#[test]
fn restore_rejects_bad_snapshots() {
    let mut e = engine_with(Default::default());
    let mut rng = Rng::new(1);
    e.send(&req("ana", family(), lucky("10", 2), "k"), t0(), &mut rng)
        .unwrap();
    let json = e.snapshot();
    let err = Engine::restore("{not json").unwrap_err();
    assert_eq!(err.code(), "invalid_snapshot");
    // Tamper with a balance: the ledger no longer agrees.
    let tampered = json.replacen("\"balance\":\"990.00\"", "\"balance\":\"999.00\"", 1);
    assert_ne!(tampered, json);
    let err = Engine::restore(&tampered).unwrap_err();
    assert!(
        matches!(err, hongbao_engine::SnapshotError::Invariant(_)),
        "{err:?}"
    );
    assert!(!err.message(hongbao_engine::Lang::Zh).is_empty());
}

#[test]
fn golden_scenario() {
    let out = common::scenario::run();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/scenario.json");
        std::fs::write(path, &out).expect("write golden file");
        eprintln!("updated {path}");
        return;
    }
    assert!(
        out == common::scenario::GOLDEN,
        "the scenario differs from tests/golden/scenario.json; if the change is intended, \
         regenerate it with UPDATE_GOLDEN=1 cargo test -p hongbao-engine --test replay\n{out}"
    );
}

#[test]
fn split_checksum() {
    use hongbao_engine::Money;
    use hongbao_engine::split::{self, SplitRule};
    // The same computation as `splits_match_native_checksum` in tests/wasm.rs.
    let mut rng = Rng::new(5);
    let mut out = Vec::new();
    let mut checksum: u64 = 0;
    for rule in SplitRule::ALL {
        for k in 0..2_000u32 {
            split::split_all(
                rule,
                Money::from_fen(10_000 + i64::from(k)),
                1 + k % 20,
                Money::from_fen(20_000),
                &mut rng,
                &mut out,
            );
            for s in &out {
                checksum = checksum.wrapping_mul(31).wrapping_add(s.fen() as u64);
            }
        }
    }
    assert_eq!(checksum, common::SPLIT_CHECKSUM, "checksum {checksum}");
}
