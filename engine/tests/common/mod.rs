//! Helpers shared by the integration tests (and the wasm tests).
#![allow(dead_code)]

pub mod scenario;

use hongbao_engine::{
    ChatRef, Engine, Money, PacketKind, Policy, RecallMode, SendRequest, SplitRule, Timestamp,
};

/// Checksum of a fixed series of splits (seed 5), shared by the native and the wasm test.
pub const SPLIT_CHECKSUM: u64 = 12_477_678_567_855_331_226;

/// An ordinary day (no special day), 10:00 in China.
pub fn t0() -> Timestamp {
    Timestamp::from_local(2025, 3, 3, 10, 0, 480)
}

pub fn yuan(s: &str) -> Money {
    Money::parse_typed(s).expect("valid amount in test")
}

pub fn family() -> ChatRef {
    ChatRef::group("family", false, ["ana", "bo", "cai", "dan"])
}

pub fn work() -> ChatRef {
    ChatRef::group("work", true, ["ana", "bo", "cai", "dan", "eve"])
}

pub fn direct(other: &str) -> ChatRef {
    ChatRef::direct(format!("ana-{other}"), "ana", other)
}

pub fn lucky(total: &str, count: u32) -> PacketKind {
    PacketKind::Lucky {
        total: yuan(total),
        count,
        split: None,
    }
}

pub fn lucky_with(total: &str, count: u32, split: SplitRule) -> PacketKind {
    PacketKind::Lucky {
        total: yuan(total),
        count,
        split: Some(split),
    }
}

pub fn normal(per_share: &str, count: u32) -> PacketKind {
    PacketKind::Normal {
        per_share: yuan(per_share),
        count,
    }
}

pub fn personal(to: &str, amount: &str) -> PacketKind {
    PacketKind::Personal {
        to: to.into(),
        amount: yuan(amount),
    }
}

pub fn exclusive(to: &str, amount: &str) -> PacketKind {
    PacketKind::Exclusive {
        to: to.into(),
        amount: yuan(amount),
    }
}

pub fn req(sender: &str, chat: ChatRef, kind: PacketKind, key: &str) -> SendRequest {
    SendRequest {
        sender: sender.into(),
        chat,
        kind,
        greeting: "恭喜发财，大吉大利".into(),
        idempotency_key: key.into(),
    }
}

pub fn policy_with_mode(mode: RecallMode) -> Policy {
    let mut p = Policy::default();
    p.recall.mode = mode;
    p
}

/// An engine with wallets for ana, bo, cai, dan, eve (¥1,000 each) under `policy`.
pub fn engine_with(policy: Policy) -> Engine {
    let mut e = Engine::new(policy);
    for u in ["ana", "bo", "cai", "dan", "eve"] {
        e.open_wallet(u, yuan("1000"), t0()).expect("open wallet");
    }
    e
}
