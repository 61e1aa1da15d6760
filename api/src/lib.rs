//! The wire types of Hongbao's backend interface (PRODUCT §8).
//!
//! The widget's mock backend, its HTTP backend and the server all speak these types, so the
//! widget cannot tell its backends apart. Money is always a decimal string (`"18.80"`), times
//! are RFC 3339 strings. The engine decides everything; these are views of its state.

#![forbid(unsafe_code)]

pub mod backend;
pub mod client;
pub mod demo;
mod error;
pub mod http;
mod new_packet;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod time;

pub use error::{ApiError, EngineRefusal, ErrorBody, ErrorCode};
pub use new_packet::NewPacket;

use hongbao_engine::{
    ChatKind, ChatRef, Entry, EntryKind, Money, Packet, PacketId, PacketKindTag, PacketState,
    RecallMode, Timestamp, Warning,
};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/me`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1000.00"))]
    pub balance: Money,
}

/// One chat of `GET /api/v1/chats`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatInfo {
    pub id: String,
    /// The group's name, or for a 1:1 chat the other member's user name.
    pub name: String,
    pub members: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Chat))]
    pub kind: ChatKind,
}

impl ChatInfo {
    pub fn is_group(&self) -> bool {
        self.kind.is_group()
    }
    /// The engine's view of this chat.
    pub fn to_ref(&self) -> ChatRef {
        ChatRef {
            id: self.id.clone(),
            kind: self.kind,
            members: self.members.clone(),
        }
    }
}

/// What the review stage shows before sending: the total and every warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub total: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::Warn>))]
    pub warnings: Vec<Warning>,
}

/// One claim in a packet's details list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1.88"))]
    pub amount: Money,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub claimed_at: Timestamp,
    pub best_luck: bool,
}

/// `GET /api/v1/packets/{id}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PacketView {
    pub id: u64,
    pub chat_id: String,
    pub sender: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Kind))]
    pub kind: PacketKindTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    pub greeting: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub total: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1.88"))]
    pub per_share: Option<Money>,
    pub count: u32,
    pub claimed_count: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub remaining: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::State))]
    pub state: PacketState,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[serde(
        with = "time::rfc3339_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub deliver_at: Option<Timestamp>,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Recall))]
    pub recall_mode: RecallMode,
    #[serde(
        with = "time::rfc3339_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub recall_deadline: Option<Timestamp>,
    /// Whether the sender could recall it now (false for everyone else).
    pub can_recall: bool,
    #[serde(
        with = "time::rfc3339_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub recalled_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1.88"))]
    pub refund: Option<Money>,
    pub claims: Vec<ClaimView>,
}

impl PacketView {
    /// The view of `packet` for `viewer` at `now`.
    pub fn new(packet: &Packet, viewer: &str, now: Timestamp) -> PacketView {
        let best = packet.best_luck.map(|i| i as usize);
        PacketView {
            id: packet.id.0,
            chat_id: packet.chat_id.clone(),
            sender: packet.sender.clone(),
            kind: packet.kind,
            recipient: packet.recipient.clone(),
            greeting: packet.greeting.clone(),
            total: packet.total,
            per_share: packet.per_share,
            count: packet.count,
            claimed_count: packet.claimed_count(),
            remaining: packet.remaining,
            state: packet.state_at(now),
            created_at: packet.created_at,
            deliver_at: packet.deliver_at,
            expires_at: packet.expires_at,
            recall_mode: packet.recall.mode,
            recall_deadline: packet.recall_deadline(),
            can_recall: packet.sender == viewer && packet.can_recall(now),
            recalled_at: packet.recalled_at,
            refund: packet.refund,
            claims: packet
                .claims
                .iter()
                .enumerate()
                .map(|(i, c)| ClaimView {
                    username: c.user.clone(),
                    amount: c.amount,
                    claimed_at: c.at,
                    best_luck: best == Some(i),
                })
                .collect(),
        }
    }

    pub fn packet_id(&self) -> PacketId {
        PacketId(self.id)
    }

    /// The viewer's own claim, if any.
    pub fn claim_of(&self, user: &str) -> Option<&ClaimView> {
        self.claims.iter().find(|c| c.username == user)
    }
}

/// `POST /api/v1/packets/{id}/claim`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub amount: Money,
    #[serde(default)]
    pub already_claimed: bool,
}

/// `POST /api/v1/packets/{id}/recall`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecallResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub refund: Money,
}

/// One entry of `GET /api/v1/ledger`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub id: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Entry))]
    pub kind: EntryKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_id: Option<u64>,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

impl From<&Entry> for LedgerEntry {
    fn from(e: &Entry) -> LedgerEntry {
        LedgerEntry {
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            packet_id: e.packet.map(|p| p.0),
            at: e.at,
        }
    }
}

/// A live update on a chat (`GET /api/v1/chats/{id}/events`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", try_from = "ChatEventWire")]
pub enum ChatEvent {
    PacketSent {
        chat_id: String,
        packet_id: u64,
    },
    PacketClaimed {
        chat_id: String,
        packet_id: u64,
        username: String,
    },
    PacketRecalled {
        chat_id: String,
        packet_id: u64,
    },
    PacketExpired {
        chat_id: String,
        packet_id: u64,
    },
}

#[derive(Deserialize)]
enum ChatEventType {
    #[serde(rename = "packet_sent")]
    Sent,
    #[serde(rename = "packet_claimed")]
    Claimed,
    #[serde(rename = "packet_recalled")]
    Recalled,
    #[serde(rename = "packet_expired")]
    Expired,
}

/// The JSON of [`ChatEvent`], read field by field (as `PacketKind` in the engine: an
/// internally tagged enum read directly costs the browser bundle serde's buffering code).
#[derive(Deserialize)]
struct ChatEventWire {
    r#type: ChatEventType,
    chat_id: Option<String>,
    packet_id: Option<u64>,
    username: Option<String>,
}

impl TryFrom<ChatEventWire> for ChatEvent {
    type Error = String;
    fn try_from(w: ChatEventWire) -> Result<ChatEvent, String> {
        fn required<T>(value: Option<T>, name: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{name}`"))
        }
        let chat_id = required(w.chat_id, "chat_id")?;
        let packet_id = required(w.packet_id, "packet_id")?;
        Ok(match w.r#type {
            ChatEventType::Sent => ChatEvent::PacketSent { chat_id, packet_id },
            ChatEventType::Claimed => ChatEvent::PacketClaimed {
                chat_id,
                packet_id,
                username: required(w.username, "username")?,
            },
            ChatEventType::Recalled => ChatEvent::PacketRecalled { chat_id, packet_id },
            ChatEventType::Expired => ChatEvent::PacketExpired { chat_id, packet_id },
        })
    }
}

impl ChatEvent {
    pub fn chat_id(&self) -> &str {
        match self {
            ChatEvent::PacketSent { chat_id, .. }
            | ChatEvent::PacketClaimed { chat_id, .. }
            | ChatEvent::PacketRecalled { chat_id, .. }
            | ChatEvent::PacketExpired { chat_id, .. } => chat_id,
        }
    }
}

/// `POST /api/v1/login`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// The answer to `POST /api/v1/login`: send it as `Authorization: Bearer <token>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    pub token: String,
}

/// The answer to `POST /api/v1/chats/{id}/events/ticket`: open the chat's event stream at
/// [`http::events_path`] with it, once, before `expires_at` (a minute). A browser's
/// `EventSource` cannot send the token in a header, and a token in a URL ends up in logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamTicket {
    pub ticket: String,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
}

/// `POST /api/v1/studies/{key}/participants`: a study link's participant joins (no login).
/// Both fields come from the link: `participant` (`&participant=`; without it the server
/// draws one) and `variant` (`&variant=`, a forced variant, marked as such).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinStudy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// The answer to `POST /api/v1/studies/{key}/participants`: a token scoped to this study and
/// participant, which posts that participant's lab events (`POST /api/v1/lab/events`) and
/// nothing else. The server writes `study`, `experiment`, `participant`, `variant` and
/// `forced` into every event posted with it (an event that says otherwise is refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantToken {
    /// `pt_` and 64 hex digits: send it as `Authorization: Bearer …`.
    pub token: String,
    pub study: String,
    pub participant: String,
    /// The variant the participant is assigned (FNV-1a, as on the page), or the forced one.
    pub variant: String,
    pub forced: bool,
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
}

/// `POST /api/v1/packets/{id}/recall` (the body is optional).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecallRequest {
    /// The extra authorization some recall policies ask for above an amount.
    #[serde(default)]
    pub authorized: bool,
}

/// `POST /api/v1/test/clock` (servers started with `--test-clock` only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvanceClock {
    pub advance_seconds: i64,
}

/// The answer to `POST /api/v1/test/clock`: the server's time now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockNow {
    #[serde(with = "time::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub now: Timestamp,
}

/// One event of a lab experiment or study (PRODUCT §6): exposure, stages entered and left,
/// warnings, cancels, sends, recalls and claims; in a study also `consent`, `task_done` and
/// `complete`. `POST /api/v1/lab/events` takes a list of them and
/// `GET /api/v1/lab/events` returns them all; the widget exports them as CSV and JSON Lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabEvent {
    /// `exposure`, `stage_entered`, `stage_left`, `warning_shown`, `cancel`, `send`,
    /// `recall` or `claim`; in a study also `consent`, `task_done` and `complete`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The experiment's key (a study's key for a study's events).
    pub experiment: String,
    /// The study's key, on every event a participant of a study (`?study=`) records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<String>,
    pub variant: String,
    pub participant: String,
    /// Assigned from the URL (`?variant=`) rather than by the hash.
    #[serde(default)]
    pub forced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub at: Timestamp,
    /// The stage (`entry`, `review`, `authorize`) of stage events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Milliseconds: in the stage (`stage_left`), from opening the flow (`send`, `cancel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// Warning codes shown (`warning_shown`, `send`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The amount changed after a warning was shown (`send`, `cancel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_changed: Option<bool>,
    /// The task's intended outcome and what was sent, as `chat kind amount×count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u64>,
    /// Whether the actual outcome differs from the intended one (`send` and `task_done` of
    /// a task; `None` when nothing was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slip: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_events_keep_their_shape_and_name_a_missing_field() {
        let events = [
            ChatEvent::PacketSent {
                chat_id: "family".into(),
                packet_id: 7,
            },
            ChatEvent::PacketClaimed {
                chat_id: "family".into(),
                packet_id: 7,
                username: "bob".into(),
            },
            ChatEvent::PacketRecalled {
                chat_id: "dm-bob".into(),
                packet_id: 8,
            },
            ChatEvent::PacketExpired {
                chat_id: "dm-bob".into(),
                packet_id: 9,
            },
        ];
        for event in events {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(
                serde_json::from_str::<ChatEvent>(&json).unwrap(),
                event,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&ChatEvent::PacketSent {
                chat_id: "f".into(),
                packet_id: 1
            })
            .unwrap(),
            r#"{"type":"packet_sent","chat_id":"f","packet_id":1}"#
        );
        let err = serde_json::from_str::<ChatEvent>(
            r#"{"type":"packet_claimed","chat_id":"f","packet_id":1}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("missing field `username`"), "{err}");
        assert!(
            serde_json::from_str::<ChatEvent>(
                r#"{"type":"packet_lost","chat_id":"f","packet_id":1}"#
            )
            .is_err()
        );
    }
}
