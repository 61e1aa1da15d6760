//! Schemas for the engine's types as they appear on the wire, for the OpenAPI document
//! (feature `openapi`; only the server enables it). The engine itself has no such
//! dependency; these mirror its serde forms and are checked against them by the tests.

#![allow(dead_code)]

use utoipa::ToSchema;

/// A packet kind.
#[derive(ToSchema)]
#[schema(as = PacketKind)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Personal,
    Lucky,
    Normal,
    Exclusive,
}

/// Where a packet is in its life.
#[derive(ToSchema)]
#[schema(as = PacketState)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Open,
    ClaimedOut,
    Expired,
    Recalled,
}

/// The recall policy a packet was sent under.
#[derive(ToSchema)]
#[schema(as = RecallMode)]
#[serde(rename_all = "snake_case")]
pub enum Recall {
    None,
    Window,
    Remainder,
    Delayed,
}

/// How a lucky packet is split.
#[derive(ToSchema)]
#[schema(as = SplitRule)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    DoubleMean,
    LineCutting,
}

/// The kind of a ledger entry.
#[derive(ToSchema)]
#[schema(as = EntryKind)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    Grant,
    Debit,
    Credit,
    RefundExpiry,
    RefundRecall,
}

/// Direct (1:1) or group chat: `{"type":"direct"}` or `{"type":"group","work":false}`.
#[derive(ToSchema)]
#[schema(as = ChatKind)]
pub struct Chat {
    /// `direct` or `group`.
    #[schema(rename = "type", example = "group")]
    pub kind: String,
    /// Groups only: a work group.
    pub work: Option<bool>,
}

/// A pre-send warning (special or anomalous amount).
#[derive(ToSchema)]
#[schema(as = Warning)]
pub struct Warn {
    /// The warning's stable code, e.g. `romantic`, `ten_times_usual`.
    pub code: String,
    /// `info`, `caution` or `danger`.
    pub severity: String,
    /// The amount that triggered it.
    #[schema(example = "520.00")]
    pub amount: String,
    /// The usual amount it was compared with.
    pub usual: Option<String>,
    /// The limit it was compared with.
    pub limit: Option<String>,
}
