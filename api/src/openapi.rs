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

/// A packet to send: `kind` and that kind's own fields (a field of another kind is
/// refused). Money is a decimal string.
#[derive(ToSchema)]
#[schema(as = NewPacket)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewPacketDoc {
    /// 拼手气: `total` split at random into `count` shares, in a group.
    Lucky {
        chat_id: String,
        #[schema(example = "18.80")]
        total: String,
        count: u32,
        /// The split rule (the policy's default when left out).
        split: Option<Split>,
        greeting: Option<String>,
        idempotency_key: String,
    },
    /// 普通: `count` shares of `per_share` each, in a group.
    Normal {
        chat_id: String,
        #[schema(example = "1.88")]
        per_share: String,
        count: u32,
        greeting: Option<String>,
        idempotency_key: String,
    },
    /// One share for `to`, in a 1:1 chat.
    Personal {
        chat_id: String,
        to: String,
        #[schema(example = "5.20")]
        amount: String,
        greeting: Option<String>,
        idempotency_key: String,
    },
    /// 专属: one share in a group that only `to` may claim.
    Exclusive {
        chat_id: String,
        to: String,
        #[schema(example = "5.20")]
        amount: String,
        greeting: Option<String>,
        idempotency_key: String,
    },
}
