//! Chats, send requests and packets.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::policy::{RecallMode, RecallPolicy};
use crate::split::SplitRule;
use crate::time::Timestamp;

/// A packet's identifier: a positive sequence number assigned by the engine (1, 2, 3, …).
/// Serialised as a JSON number; `Display`/`FromStr` use the plain decimal number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PacketId(pub u64);

impl fmt::Display for PacketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for PacketId {
    type Err = core::num::ParseIntError;
    fn from_str(s: &str) -> Result<PacketId, Self::Err> {
        s.parse().map(PacketId)
    }
}

/// The kind of chat a packet is sent in. Serialised as `{"type":"direct"}` or
/// `{"type":"group","work":true}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "ChatKindWire")]
pub enum ChatKind {
    /// A one-to-one chat.
    Direct,
    /// A group chat; `work` marks a work group (romantic amounts warn more strongly there).
    Group {
        /// A work group (colleagues) rather than family or friends.
        work: bool,
    },
}

impl ChatKind {
    /// `true` for groups.
    pub fn is_group(self) -> bool {
        matches!(self, ChatKind::Group { .. })
    }
}

/// The chat a packet is sent in, with its members (the sender included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRef {
    /// Chat identifier.
    pub id: String,
    /// Direct or group.
    pub kind: ChatKind,
    /// Member user names, the sender included.
    pub members: Vec<String>,
}

impl ChatRef {
    /// A direct chat between `a` and `b`.
    pub fn direct(id: impl Into<String>, a: impl Into<String>, b: impl Into<String>) -> ChatRef {
        ChatRef {
            id: id.into(),
            kind: ChatKind::Direct,
            members: vec![a.into(), b.into()],
        }
    }

    /// A group chat.
    pub fn group<S: Into<String>>(
        id: impl Into<String>,
        work: bool,
        members: impl IntoIterator<Item = S>,
    ) -> ChatRef {
        ChatRef {
            id: id.into(),
            kind: ChatKind::Group { work },
            members: members.into_iter().map(Into::into).collect(),
        }
    }

    /// `true` when `user` is a member.
    pub fn is_member(&self, user: &str) -> bool {
        self.members.iter().any(|m| m == user)
    }

    /// The number of distinct members.
    pub fn member_count(&self) -> usize {
        let mut seen: Vec<&str> = self.members.iter().map(String::as_str).collect();
        crate::sort::sort_short(&mut seen);
        seen.dedup();
        seen.len()
    }
}

/// What the sender asks for. Serialised with a `kind` tag:
/// `{"kind":"lucky","total":"100.00","count":10}`, `{"kind":"personal","to":"bo","amount":"5.20"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "PacketKindWire")]
pub enum PacketKind {
    /// One share to one person in a direct chat. The sender cannot claim it.
    Personal {
        /// The recipient.
        to: String,
        /// The amount.
        amount: Money,
    },
    /// 拼手气: a total split at random into `count` shares, in a group.
    Lucky {
        /// The total.
        total: Money,
        /// Number of shares.
        count: u32,
        /// Split rule; `None` uses the policy's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        split: Option<SplitRule>,
    },
    /// 普通: `count` equal shares of `per_share`, in a group; total = per_share × count.
    Normal {
        /// The amount of each share (what the sender types).
        per_share: Money,
        /// Number of shares.
        count: u32,
    },
    /// 专属: one share in a group that only `to` may claim.
    Exclusive {
        /// The only member who may claim.
        to: String,
        /// The amount.
        amount: Money,
    },
}

// The tagged enums above are written by serde's derive (`tag = ...`) but read through flat
// "wire" structs. The JSON is the same; reading an internally tagged enum directly makes serde
// buffer the whole object into its generic `Content` first, which costs the browser bundle
// several KB of code per type (measured with `cargo xtask size`).

/// `missing field `name``, as serde words it.
fn required<T>(value: Option<T>, name: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{name}`"))
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChatKindTag {
    Direct,
    Group,
}

/// The JSON of [`ChatKind`], read field by field.
#[derive(Deserialize)]
struct ChatKindWire {
    r#type: ChatKindTag,
    work: Option<bool>,
}

impl TryFrom<ChatKindWire> for ChatKind {
    type Error = String;
    fn try_from(w: ChatKindWire) -> Result<ChatKind, String> {
        Ok(match w.r#type {
            ChatKindTag::Direct => ChatKind::Direct,
            ChatKindTag::Group => ChatKind::Group {
                work: required(w.work, "work")?,
            },
        })
    }
}

/// The JSON of [`PacketKind`], read field by field.
#[derive(Deserialize)]
struct PacketKindWire {
    kind: PacketKindTag,
    to: Option<String>,
    amount: Option<Money>,
    total: Option<Money>,
    count: Option<u32>,
    split: Option<SplitRule>,
    per_share: Option<Money>,
}

impl TryFrom<PacketKindWire> for PacketKind {
    type Error = String;
    fn try_from(w: PacketKindWire) -> Result<PacketKind, String> {
        Ok(match w.kind {
            PacketKindTag::Personal => PacketKind::Personal {
                to: required(w.to, "to")?,
                amount: required(w.amount, "amount")?,
            },
            PacketKindTag::Lucky => PacketKind::Lucky {
                total: required(w.total, "total")?,
                count: required(w.count, "count")?,
                split: w.split,
            },
            PacketKindTag::Normal => PacketKind::Normal {
                per_share: required(w.per_share, "per_share")?,
                count: required(w.count, "count")?,
            },
            PacketKindTag::Exclusive => PacketKind::Exclusive {
                to: required(w.to, "to")?,
                amount: required(w.amount, "amount")?,
            },
        })
    }
}

impl PacketKind {
    /// The kind without its data.
    pub fn tag(&self) -> PacketKindTag {
        match self {
            PacketKind::Personal { .. } => PacketKindTag::Personal,
            PacketKind::Lucky { .. } => PacketKindTag::Lucky,
            PacketKind::Normal { .. } => PacketKindTag::Normal,
            PacketKind::Exclusive { .. } => PacketKindTag::Exclusive,
        }
    }

    /// The amount the sender typed: the per-share amount of a normal packet, the total of a
    /// lucky one, the amount of a personal or exclusive one.
    pub fn typed_amount(&self) -> Money {
        match *self {
            PacketKind::Personal { amount, .. } | PacketKind::Exclusive { amount, .. } => amount,
            PacketKind::Lucky { total, .. } => total,
            PacketKind::Normal { per_share, .. } => per_share,
        }
    }

    /// Number of shares (1 for personal and exclusive).
    pub fn count(&self) -> u32 {
        match *self {
            PacketKind::Lucky { count, .. } | PacketKind::Normal { count, .. } => count,
            PacketKind::Personal { .. } | PacketKind::Exclusive { .. } => 1,
        }
    }

    /// The total debited from the sender, `None` if `per_share × count` overflows.
    pub fn total(&self) -> Option<Money> {
        match *self {
            PacketKind::Normal { per_share, count } => per_share.checked_mul(count),
            _ => Some(self.typed_amount()),
        }
    }

    /// The named recipient of a personal or exclusive packet.
    pub fn recipient(&self) -> Option<&str> {
        match self {
            PacketKind::Personal { to, .. } | PacketKind::Exclusive { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// A request to send a packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRequest {
    /// The sender's user name.
    pub sender: String,
    /// The chat, with its members at the time of sending.
    pub chat: ChatRef,
    /// What to send.
    pub kind: PacketKind,
    /// The greeting (恭喜发财，大吉大利), at most [`Policy::max_greeting_chars`](crate::policy::Policy::max_greeting_chars) characters.
    pub greeting: String,
    /// Idempotency key, scoped per sender: a retry with the same key and the same request
    /// returns the first packet and never debits twice. 1–128 characters.
    pub idempotency_key: String,
}

/// A packet's kind without its data. Serialised as `"personal"`, `"lucky"`, `"normal"`, `"exclusive"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketKindTag {
    /// One-to-one.
    Personal,
    /// 拼手气.
    Lucky,
    /// 普通.
    Normal,
    /// 专属.
    Exclusive,
}

impl PacketKindTag {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PacketKindTag::Personal => "personal",
            PacketKindTag::Lucky => "lucky",
            PacketKindTag::Normal => "normal",
            PacketKindTag::Exclusive => "exclusive",
        }
    }

    /// The kind named by its stable name ([`PacketKindTag::as_str`]).
    pub fn parse(name: &str) -> Option<PacketKindTag> {
        [
            PacketKindTag::Personal,
            PacketKindTag::Lucky,
            PacketKindTag::Normal,
            PacketKindTag::Exclusive,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }

    /// `true` for the kinds sent in a group (lucky, normal, exclusive).
    pub fn needs_group(self) -> bool {
        !matches!(self, PacketKindTag::Personal)
    }
}

/// Where a packet is in its life. Serialised snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketState {
    /// Delayed delivery: sent but not yet claimable.
    Pending,
    /// Claimable (possibly partly claimed).
    Open,
    /// Every share claimed.
    ClaimedOut,
    /// Expired; the unclaimed remainder was refunded.
    Expired,
    /// Recalled by the sender; the refund is in [`Packet::refund`].
    Recalled,
}

impl PacketState {
    /// The stable name: `pending`, `open`, `claimed_out`, `expired`, `recalled`.
    pub fn as_str(self) -> &'static str {
        match self {
            PacketState::Pending => "pending",
            PacketState::Open => "open",
            PacketState::ClaimedOut => "claimed_out",
            PacketState::Expired => "expired",
            PacketState::Recalled => "recalled",
        }
    }

    /// Every state.
    pub const ALL: [PacketState; 5] = [
        PacketState::Pending,
        PacketState::Open,
        PacketState::ClaimedOut,
        PacketState::Expired,
        PacketState::Recalled,
    ];

    /// The state named by its stable name ([`PacketState::as_str`]).
    pub fn parse(name: &str) -> Option<PacketState> {
        PacketState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// `true` for the final states (claimed out, expired, recalled).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            PacketState::ClaimedOut | PacketState::Expired | PacketState::Recalled
        )
    }
}

/// One claimed share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Who claimed it.
    pub user: String,
    /// The share.
    pub amount: Money,
    /// When.
    pub at: Timestamp,
}

/// A sent packet. Read it through [`Engine::packet`](crate::Engine::packet); only the engine
/// changes it.
///
/// Note for servers: the serialised form also carries the pre-cut shares of a line-cutting
/// packet (`cut_shares`), which clients should not see before they claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    /// Identifier.
    pub id: PacketId,
    /// The chat it was sent in.
    pub chat_id: String,
    /// The kind of that chat.
    pub chat_kind: ChatKind,
    /// The chat's members when it was sent (sorted, without duplicates).
    pub members: Vec<String>,
    /// The sender.
    pub sender: String,
    /// Personal, lucky, normal or exclusive.
    pub kind: PacketKindTag,
    /// The named recipient of a personal or exclusive packet.
    pub recipient: Option<String>,
    /// The greeting.
    pub greeting: String,
    /// The total debited from the sender.
    pub total: Money,
    /// Number of shares.
    pub count: u32,
    /// The amount of each share for normal, personal and exclusive packets.
    pub per_share: Option<Money>,
    /// The split rule of a lucky packet.
    pub split: Option<SplitRule>,
    /// The largest share allowed when it was sent.
    pub share_cap: Money,
    /// The claimed shares, in claim order.
    pub claims: Vec<Claim>,
    /// What is left unclaimed (zero once finished).
    pub remaining: Money,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When it becomes claimable (delayed recall mode only).
    pub deliver_at: Option<Timestamp>,
    /// When it expires (delivery + policy expiry, 24 h by default).
    pub expires_at: Timestamp,
    /// The recall policy in force when it was sent.
    pub recall: RecallPolicy,
    /// The stored state; see [`Packet::state_at`] for the state at a given time.
    pub state: PacketState,
    /// When it was recalled.
    pub recalled_at: Option<Timestamp>,
    /// The amount refunded to the sender (on recall or expiry).
    pub refund: Option<Money>,
    /// When it finished (claimed out, expired or recalled).
    pub finished_at: Option<Timestamp>,
    /// Index into `claims` of the best-luck share (手气最佳), set when a lucky packet of two or
    /// more shares is claimed out: the largest share, the earlier claimer on a tie.
    pub best_luck: Option<u32>,
    /// The sender's idempotency key.
    pub idempotency_key: String,
    /// Line cutting: every share, cut at send time, in claim order (claim *i* gets share *i*);
    /// empty for the other rules and kinds. A store keeps them with the packet (they are
    /// money decided at send time) and must not show them before they are claimed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cut_shares: Vec<Money>,
}

impl Packet {
    /// Number of claimed shares.
    pub fn claimed_count(&self) -> u32 {
        self.claims.len() as u32
    }

    /// Number of shares not yet claimed.
    pub fn shares_left(&self) -> u32 {
        self.count.saturating_sub(self.claimed_count())
    }

    /// The sum of the claimed shares.
    pub fn claimed_total(&self) -> Money {
        Money::from_fen(self.claims.iter().map(|c| c.amount.fen()).sum())
    }

    /// The amount the sender typed (per-share for normal, total for lucky).
    pub fn typed_amount(&self) -> Money {
        self.per_share.unwrap_or(self.total)
    }

    /// `true` once claimed out, expired or recalled.
    pub fn is_finished(&self) -> bool {
        self.state.is_finished()
    }

    /// The state at `now`: a pending packet is open from `deliver_at` on, and an unfinished
    /// packet is expired from `expires_at` on (even before [`Engine::tick`](crate::Engine::tick)
    /// has refunded it).
    pub fn state_at(&self, now: Timestamp) -> PacketState {
        if self.state.is_finished() {
            return self.state;
        }
        if now >= self.expires_at {
            return PacketState::Expired;
        }
        match self.deliver_at {
            Some(at) if now < at => PacketState::Pending,
            _ => PacketState::Open,
        }
    }

    /// The claim of `user`, if any.
    pub fn claim_of(&self, user: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.user == user)
    }

    /// `true` when `user` was a member of the chat when the packet was sent.
    pub fn is_member(&self, user: &str) -> bool {
        self.members
            .binary_search_by(|m| m.as_str().cmp(user))
            .is_ok()
    }

    /// The user with the best-luck share, once decided.
    pub fn best_luck_user(&self) -> Option<&str> {
        self.best_luck
            .and_then(|i| self.claims.get(i as usize))
            .map(|c| c.user.as_str())
    }

    /// The end of the recall window: `created_at + window` for `window` and `remainder`,
    /// `deliver_at` for `delayed`, `None` for `none`. Recall is possible strictly before it.
    pub fn recall_deadline(&self) -> Option<Timestamp> {
        match self.recall.mode {
            RecallMode::None => None,
            RecallMode::Window | RecallMode::Remainder => Some(
                self.created_at
                    .plus_secs(i64::from(self.recall.window_secs)),
            ),
            RecallMode::Delayed => Some(self.deliver_at.unwrap_or(self.created_at)),
        }
    }

    /// Whether the sender's Recall button should show at `now`: false under `none`, after the
    /// deadline, after the first claim in `window` mode, and once finished or expired.
    /// The risk rules (daily limit, blackout, authorization) are checked by
    /// [`Engine::recall`](crate::Engine::recall) and not reflected here.
    pub fn can_recall(&self, now: Timestamp) -> bool {
        let Some(deadline) = self.recall_deadline() else {
            return false;
        };
        !self.state_at(now).is_finished()
            && now < deadline
            && (self.recall.mode != RecallMode::Window || self.claims.is_empty())
    }
}
