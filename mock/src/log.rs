//! The persisted state of a [`MockCore`]: an operation log, not a snapshot of the engine.
//!
//! It holds how the demo started (seed, time, policy) and every state-changing call the
//! engine accepted, each with the time it ran at. Restoring replays them on a fresh demo;
//! the engine is deterministic (time and randomness are inputs), so the replay rebuilds the
//! exact state, the money's random source included. Only the simulation's random source and
//! the test clock, which no operation rebuilds, are stored as they are. This keeps the
//! engine's own deserialization out of the browser bundle.
//!
//! The format is the one the widget persisted before this crate existed (version 2), so the
//! states saved in browsers stay readable (`tests/fixtures/state-v2.json` is one).

use crate::config::MockConfig;
use crate::core::MockCore;
use hongbao_api::NewPacket;
use hongbao_engine::{Money, PacketId, PacketKind, PacketKindTag, Rng, SplitRule, Timestamp};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Bumped when the persisted shape, or what a replay of the same log gives (the engine's
/// rules, the demo world), changes; a state of another version is replaced by a fresh demo.
/// Version 1 was a snapshot of the engine.
pub const STATE_VERSION: u32 = 2;

/// One state-changing call the mock accepted, with the time it ran at. Calls that changed
/// nothing (refused ones, a retried send, a repeated claim, a tick with nothing due) are not
/// logged. Persisted as an [`OpRecord`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "OpRecord", into = "OpRecord")]
pub(crate) enum Op {
    /// A new packet.
    Send {
        at: Timestamp,
        user: String,
        packet: NewPacket,
    },
    /// A new share.
    Claim {
        at: Timestamp,
        user: String,
        id: u64,
    },
    /// A recall.
    Recall {
        at: Timestamp,
        user: String,
        id: u64,
        authorized: bool,
    },
    /// An expiry tick that expired or delivered a packet.
    Tick { at: Timestamp },
    /// A packet the engine expired on its own before refusing a claim or a recall of it.
    Expire { at: Timestamp, id: u64 },
    /// The policy of later sends changed: the configuration that shapes it, as
    /// [`MockConfig::policy_query`] gives it.
    Policy { query: String },
}

/// What an [`Op`] is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OpKind {
    Send,
    Claim,
    Recall,
    Tick,
    Expire,
    Policy,
}

/// The persisted form of an [`Op`]: one flat record, `{"op":"claim","at":…,"user":…,"id":…}`.
/// One struct's deserializer is less code than serde's derive for an enum of six struct
/// variants (measured: about 5 KB less wasm, 1 KB brotli'd).
#[derive(Serialize, Deserialize)]
struct OpRecord {
    op: OpKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    packet: Option<LoggedPacket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<String>,
}

/// A sent packet as the log records it. It has the fields and the JSON of the wire's
/// [`NewPacket`] when the log's format was fixed (the first release's flat shape, where
/// `amount` means the total or the per-share amount by `kind`), and is its own type so that
/// the wire can change without changing what browsers have stored: only the conversions
/// below follow it (today's `NewPacket` is one variant per kind).
#[derive(Serialize, Deserialize)]
struct LoggedPacket {
    chat_id: String,
    kind: PacketKindTag,
    /// The total for lucky packets, the per-share amount for the other kinds.
    amount: Money,
    count: u32,
    greeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    split: Option<SplitRule>,
    idempotency_key: String,
}

impl From<NewPacket> for LoggedPacket {
    fn from(p: NewPacket) -> LoggedPacket {
        let (kind, amount, count) = (p.kind.tag(), p.kind.typed_amount(), p.kind.count());
        let (recipient, split) = match p.kind {
            PacketKind::Lucky { split, .. } => (None, split),
            PacketKind::Normal { .. } => (None, None),
            PacketKind::Personal { to, .. } | PacketKind::Exclusive { to, .. } => (Some(to), None),
        };
        LoggedPacket {
            chat_id: p.chat_id,
            kind,
            amount,
            count,
            greeting: p.greeting,
            recipient,
            split,
            idempotency_key: p.idempotency_key,
        }
    }
}

impl TryFrom<LoggedPacket> for NewPacket {
    type Error = &'static str;

    /// The log's flat shape read as the kind it names; a recipient or a split where the
    /// kind has none, or no recipient where it needs one, is not a log this crate wrote.
    fn try_from(p: LoggedPacket) -> Result<NewPacket, &'static str> {
        let foreign = "a logged packet with a field of another kind";
        let single = |to: Option<String>, split: Option<SplitRule>| match (to, split) {
            (Some(to), None) => Ok(to),
            _ => Err(foreign),
        };
        let kind = match p.kind {
            PacketKindTag::Lucky if p.recipient.is_none() => PacketKind::Lucky {
                total: p.amount,
                count: p.count,
                split: p.split,
            },
            PacketKindTag::Normal if p.recipient.is_none() && p.split.is_none() => {
                PacketKind::Normal {
                    per_share: p.amount,
                    count: p.count,
                }
            }
            // One share: the logged count (1) was never read.
            PacketKindTag::Personal => PacketKind::Personal {
                to: single(p.recipient, p.split)?,
                amount: p.amount,
            },
            PacketKindTag::Exclusive => PacketKind::Exclusive {
                to: single(p.recipient, p.split)?,
                amount: p.amount,
            },
            PacketKindTag::Lucky | PacketKindTag::Normal => return Err(foreign),
        };
        Ok(NewPacket {
            chat_id: p.chat_id,
            kind,
            greeting: p.greeting,
            idempotency_key: p.idempotency_key,
        })
    }
}

impl From<Op> for OpRecord {
    fn from(op: Op) -> OpRecord {
        let record = |op, at| OpRecord {
            op,
            at,
            user: None,
            id: None,
            authorized: None,
            packet: None,
            query: None,
        };
        match op {
            Op::Send { at, user, packet } => OpRecord {
                user: Some(user),
                packet: Some(packet.into()),
                ..record(OpKind::Send, Some(at))
            },
            Op::Claim { at, user, id } => OpRecord {
                user: Some(user),
                id: Some(id),
                ..record(OpKind::Claim, Some(at))
            },
            Op::Recall {
                at,
                user,
                id,
                authorized,
            } => OpRecord {
                user: Some(user),
                id: Some(id),
                authorized: Some(authorized),
                ..record(OpKind::Recall, Some(at))
            },
            Op::Tick { at } => record(OpKind::Tick, Some(at)),
            Op::Expire { at, id } => OpRecord {
                id: Some(id),
                ..record(OpKind::Expire, Some(at))
            },
            Op::Policy { query } => OpRecord {
                query: Some(query),
                ..record(OpKind::Policy, None)
            },
        }
    }
}

impl TryFrom<OpRecord> for Op {
    type Error = &'static str;

    fn try_from(r: OpRecord) -> Result<Op, &'static str> {
        let missing = "an operation without a field it needs";
        let at = r.at.ok_or(missing);
        let user = r.user.ok_or(missing);
        let id = r.id.ok_or(missing);
        Ok(match r.op {
            OpKind::Send => Op::Send {
                at: at?,
                user: user?,
                packet: r.packet.ok_or(missing)?.try_into()?,
            },
            OpKind::Claim => Op::Claim {
                at: at?,
                user: user?,
                id: id?,
            },
            OpKind::Recall => Op::Recall {
                at: at?,
                user: user?,
                id: id?,
                authorized: r.authorized.ok_or(missing)?,
            },
            OpKind::Tick => Op::Tick { at: at? },
            OpKind::Expire => Op::Expire { at: at?, id: id? },
            OpKind::Policy => Op::Policy {
                query: r.query.ok_or(missing)?,
            },
        })
    }
}

/// The persisted form of a [`MockCore`] (JSON in localStorage).
#[derive(Serialize, Deserialize)]
struct Saved<'a> {
    version: u32,
    seed: u64,
    start: Timestamp,
    policy: Cow<'a, str>,
    /// The test clock's offset, in ms.
    clock: i64,
    /// The simulation's random source, [`Rng::to_parts`].
    sim: (u64, u64),
    ops: Cow<'a, [Op]>,
}

impl MockCore {
    /// Restores a persisted state ([`MockCore::to_json`]) by replaying its operations on a
    /// fresh demo, then applies `config` ([`MockCore::configure`]). `None` when it is
    /// unreadable, of another version, or does not replay to itself (every logged call must
    /// succeed again and log the same).
    pub fn restore(json: &str, config: &MockConfig) -> Option<MockCore> {
        let saved: Saved = serde_json::from_str(json).ok()?;
        if saved.version != STATE_VERSION {
            return None;
        }
        let start = MockConfig {
            seed: saved.seed,
            ..MockConfig::from_policy_query(&saved.policy)?
        };
        let mut core = MockCore::new_demo(&start, saved.start);
        for op in saved.ops.iter() {
            core.replay(op)?;
        }
        if core.ops[..] != saved.ops[..] || core.engine.check_invariants().is_err() {
            return None;
        }
        core.sim_rng = Rng::from_parts(saved.sim.0, saved.sim.1)?;
        core.clock_offset_ms = saved.clock;
        core.configure(config);
        Some(core)
    }

    /// Runs one logged call again (which logs it again); `None` if it fails now.
    fn replay(&mut self, op: &Op) -> Option<()> {
        match op {
            Op::Send { at, user, packet } => {
                self.send(user, packet, *at).ok()?;
            }
            Op::Claim { at, user, id } => {
                self.claim(user, *id, *at).ok()?;
            }
            Op::Recall {
                at,
                user,
                id,
                authorized,
            } => {
                self.recall(user, *id, *authorized, *at).ok()?;
            }
            Op::Tick { at } => {
                self.tick(*at);
            }
            Op::Expire { at, id } => {
                if self.engine.expire_if_due(PacketId(*id), *at) {
                    self.ops.push(op.clone());
                }
            }
            Op::Policy { query } => self.set_policy(&MockConfig::from_policy_query(query)?),
        }
        Some(())
    }

    /// What [`MockCore::to_json`] writes that matters, in a few numbers: the start, the test
    /// clock and the length of the log (which only grows). [`crate::Mock`] saves only when it
    /// changed. Not the simulation's random source: every call draws its latency and failure
    /// from it, reads too, and writing the whole log for that would put serializing on every
    /// read; it is written with the next change (a reload may draw latencies differently;
    /// money comes from the log, never from it).
    pub fn save_mark(&self) -> SaveMark {
        SaveMark {
            start: self.start,
            clock_offset_ms: self.clock_offset_ms,
            ops: self.ops.len(),
        }
    }

    /// The persisted state: how the demo started and the operations since, plus the
    /// simulation's random source and the test clock. [`MockCore::restore`] reads it back.
    pub fn to_json(&self) -> String {
        let sim = self.sim_rng.to_parts();
        serde_json::to_string(&Saved {
            version: STATE_VERSION,
            seed: self.seed,
            start: self.start,
            policy: Cow::Borrowed(&self.start_policy),
            clock: self.clock_offset_ms,
            sim,
            ops: Cow::Borrowed(&self.ops),
        })
        .expect("the mock state serializes")
    }
}

/// See [`MockCore::save_mark`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveMark {
    start: Timestamp,
    clock_offset_ms: i64,
    ops: usize,
}
