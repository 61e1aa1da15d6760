//! The sans-IO red packet (红包) engine of Hongbao.
//!
//! Exact money ([`Money`], integer fen), packets (personal, lucky, normal, exclusive), split
//! rules ([`split`]), recall policies ([`policy`]), pre-send [`warnings`] and an append-only
//! [`ledger`], all driven by explicit inputs: the time comes in as a [`Timestamp`] and the
//! randomness as a seeded [`Rng`]. The same seed and the same operations give the same
//! results everywhere, natively and in wasm32. There is no I/O, no clock, no global state and
//! no floating point where money is held or computed.
//!
//! [`Engine`] holds every wallet and packet in memory; [`ops`] offers the same rules as pure
//! packet-level functions (send, claim, recall, expire) for a server that keeps its state in
//! a database, and `Engine` itself is built on them.
//!
//! ```
//! use hongbao_engine::{ChatRef, Engine, Money, PacketKind, Policy, Rng, SendRequest, Timestamp};
//!
//! let mut engine = Engine::new(Policy::default());
//! let mut rng = Rng::new(42);
//! let now = Timestamp::from_utc(2025, 1, 1, 12, 0, 0);
//! engine.open_wallet("ana", Money::parse_typed("100")?, now)?;
//!
//! let family = ChatRef::group("family", false, ["ana", "bo", "cai"]);
//! let request = SendRequest {
//!     sender: "ana".into(),
//!     chat: family,
//!     kind: PacketKind::Lucky { total: Money::parse_typed("10.00")?, count: 3, split: None },
//!     greeting: "恭喜发财".into(),
//!     idempotency_key: "send-1".into(),
//! };
//! let sent = engine.send(&request, now, &mut rng)?;
//! assert_eq!(engine.balance("ana"), Some(Money::from_fen(9_000)));
//!
//! // A retry with the same key does not debit twice.
//! assert!(engine.send(&request, now, &mut rng)?.replayed);
//!
//! let share = engine.claim(sent.packet_id, "bo", now.plus_secs(5), &mut rng)?;
//! assert!(share.amount >= Money::from_fen(1));
//! println!("bo got {} ({})", share.amount.format(hongbao_engine::Lang::En), share.amount.to_capitals());
//!
//! // Every invariant of PRODUCT §2 holds, and the state round-trips as JSON.
//! engine.check_invariants()?;
//! assert_eq!(Engine::restore(&engine.snapshot())?, engine);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod engine;
pub mod error;
pub mod lang;
pub mod ledger;
pub mod money;
pub mod ops;
pub mod packet;
pub mod policy;
pub mod rng;
mod sort;
pub mod split;
pub mod time;
pub mod warnings;

pub use engine::{Engine, Sent};
pub use error::{
    ClaimError, EngineError, InvariantViolation, RecallError, SendError, SnapshotError,
};
pub use lang::Lang;
pub use ledger::{Entry, EntryKind, RefundReason};
#[cfg(feature = "decimal")]
pub use money::DecimalError;
pub use money::{AmountError, Money};
pub use ops::{Claimed, Expired, Posting, Recalled};
pub use packet::{
    ChatKind, ChatRef, Claim, Packet, PacketId, PacketKind, PacketKindTag, PacketState, SendRequest,
};
pub use policy::{Blackout, Policy, RecallMode, RecallPolicy, SpecialDay};
pub use rng::Rng;
pub use split::SplitRule;
pub use time::{LocalDate, Timestamp};
pub use warnings::{SenderHistory, Severity, Warning, WarningCode, WarningInput};
