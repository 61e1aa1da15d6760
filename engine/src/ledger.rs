//! The append-only ledger: every movement of money is one immutable [`Entry`].

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::packet::PacketId;
use crate::time::Timestamp;

/// Why money went back to a sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The packet expired with shares unclaimed.
    Expiry,
    /// The sender recalled the packet.
    Recall,
}

/// The kind of a ledger entry. Serialised flat: `"grant"`, `"debit"`, `"credit"`,
/// `"refund_expiry"`, `"refund_recall"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Money entering the system (a wallet opened or topped up). The only source of money.
    Grant,
    /// A sender paying for a packet.
    Debit,
    /// A claimer receiving a share.
    Credit,
    /// The unclaimed remainder of an expired packet back to its sender.
    RefundExpiry,
    /// A recalled packet's refund back to its sender.
    RefundRecall,
}

impl EntryKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Grant => "grant",
            EntryKind::Debit => "debit",
            EntryKind::Credit => "credit",
            EntryKind::RefundExpiry => "refund_expiry",
            EntryKind::RefundRecall => "refund_recall",
        }
    }

    /// Every kind.
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Grant,
        EntryKind::Debit,
        EntryKind::Credit,
        EntryKind::RefundExpiry,
        EntryKind::RefundRecall,
    ];

    /// The kind named by its stable name ([`EntryKind::as_str`]).
    pub fn parse(name: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The refund reason, for refunds.
    pub fn refund_reason(self) -> Option<RefundReason> {
        match self {
            EntryKind::RefundExpiry => Some(RefundReason::Expiry),
            EntryKind::RefundRecall => Some(RefundReason::Recall),
            _ => None,
        }
    }

    /// The refund kind for a reason.
    pub fn refund(reason: RefundReason) -> EntryKind {
        match reason {
            RefundReason::Expiry => EntryKind::RefundExpiry,
            RefundReason::Recall => EntryKind::RefundRecall,
        }
    }

    /// `true` when the entry adds to the user's balance (everything but a debit).
    pub fn is_incoming(self) -> bool {
        !matches!(self, EntryKind::Debit)
    }
}

/// One immutable ledger entry. `amount` is always positive; the kind gives the direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number, 1, 2, 3, … in order of appending.
    pub id: u64,
    /// When.
    pub at: Timestamp,
    /// Whose wallet moved.
    pub user: String,
    /// Grant, debit, credit or refund.
    pub kind: EntryKind,
    /// How much (always > 0).
    pub amount: Money,
    /// The packet involved (none for grants).
    pub packet: Option<PacketId>,
}

impl Entry {
    /// The signed effect on the user's balance (negative for a debit).
    pub fn signed_amount(&self) -> i128 {
        let a = i128::from(self.amount.fen());
        if self.kind.is_incoming() { a } else { -a }
    }
}
