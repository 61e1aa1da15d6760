//! The wire types of Hongbao's backend interface (PRODUCT §8).
//!
//! The widget's mock backend, its HTTP backend and the server all speak these types, so the
//! widget cannot tell its backends apart. Money is always a decimal string (`"18.80"`), times
//! are RFC 3339 strings. The engine decides everything; these are views of its state.

#![forbid(unsafe_code)]

pub mod demo;
pub mod http;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod time;

use hongbao_engine::{
    ChatKind, ChatRef, Entry, EntryKind, Money, Packet, PacketId, PacketKind, PacketKindTag,
    PacketState, RecallMode, SendRequest, SplitRule, Timestamp, Warning,
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

/// `POST /api/v1/packets`: `amount` is the total for lucky packets and the per-share amount
/// for the other kinds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPacket {
    pub chat_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Kind))]
    pub kind: PacketKindTag,
    /// The total for lucky packets, the per-share amount for the other kinds.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "18.80"))]
    pub amount: Money,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub greeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Split>))]
    pub split: Option<SplitRule>,
    pub idempotency_key: String,
}

fn one() -> u32 {
    1
}

impl NewPacket {
    /// The engine request for `sender` in `chat`; an error when the kind needs a recipient
    /// that is missing.
    pub fn to_request(&self, sender: &str, chat: &ChatInfo) -> Result<SendRequest, ApiError> {
        let recipient = || {
            self.recipient
                .clone()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| {
                    ApiError::new("invalid_request", "recipient is required for this kind")
                })
        };
        let kind = match self.kind {
            PacketKindTag::Lucky => PacketKind::Lucky {
                total: self.amount,
                count: self.count,
                split: self.split,
            },
            PacketKindTag::Normal => PacketKind::Normal {
                per_share: self.amount,
                count: self.count,
            },
            PacketKindTag::Personal => PacketKind::Personal {
                to: recipient()?,
                amount: self.amount,
            },
            PacketKindTag::Exclusive => PacketKind::Exclusive {
                to: recipient()?,
                amount: self.amount,
            },
        };
        Ok(SendRequest {
            sender: sender.to_owned(),
            chat: chat.to_ref(),
            kind,
            greeting: self.greeting.clone(),
            idempotency_key: self.idempotency_key.clone(),
        })
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

/// An error with a stable code (PRODUCT §8 / issue 5) and a human message.
///
/// The codes of the HTTP API: `invalid_amount`, `invalid_count`, `invalid_request`,
/// `limit_exceeded`, `insufficient_balance`, `not_found`, `unauthorized`, `forbidden`,
/// `not_for_you`, `claimed_out`, `expired`, `recalled`, `recall_window_closed`,
/// `recall_has_claims`, `recall_forbidden`, `recall_needs_authorization`, `conflict`,
/// `pending` (plus `network` on the client side). [`ApiError::engine`] maps the engine's finer codes onto these and keeps the
/// finer one in `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
    /// The engine's finer reason when it differs from `code` (e.g. `invalid_chat`,
    /// `recall_not_allowed`, `amount_negative`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The API code for an engine error code (see [`ApiError`]): finer engine codes map onto
/// the API's list, the others pass through.
pub fn api_code(engine_code: &str) -> &str {
    match engine_code {
        c if c.starts_with("amount_") => "invalid_amount",
        "invalid_chat"
        | "invalid_recipient"
        | "greeting_too_long"
        | "invalid_idempotency_key"
        | "invalid_user"
        | "invalid_snapshot" => "invalid_request",
        // `recall_needs_authorization` stays: the client answers it by asking for the extra
        // authorization and recalling again with `authorized: true`.
        "recall_not_allowed" | "recall_daily_limit" | "recall_blackout" => "recall_forbidden",
        other => other,
    }
}

/// The HTTP status of an API error code.
pub fn http_status(code: &str) -> u16 {
    match code {
        "invalid_amount" | "invalid_count" | "invalid_request" | "limit_exceeded" => 400,
        "unauthorized" => 401,
        "forbidden" | "not_for_you" | "recall_forbidden" | "recall_needs_authorization" => 403,
        "not_found" => 404,
        "insufficient_balance" => 422,
        "claimed_out"
        | "expired"
        | "recalled"
        | "recall_window_closed"
        | "recall_has_claims"
        | "conflict"
        | "pending" => 409,
        "network" => 503,
        _ => 400,
    }
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.into(),
            message: message.into(),
            detail: None,
        }
    }

    /// An error from an engine code and message: the code mapped by [`api_code`], the
    /// engine's code kept in `detail` when it is finer.
    pub fn engine(engine_code: &str, message: impl Into<String>) -> ApiError {
        let code = api_code(engine_code);
        ApiError {
            code: code.to_owned(),
            message: message.into(),
            detail: (code != engine_code).then(|| engine_code.to_owned()),
        }
    }

    /// The HTTP status of this error's code.
    pub fn status(&self) -> u16 {
        http_status(&self.code)
    }
    /// A failure of the transport rather than a rule: safe to retry with the same request.
    pub fn network(message: impl Into<String>) -> ApiError {
        ApiError::new("network", message)
    }
    pub fn is_network(&self) -> bool {
        self.code == "network"
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The JSON body of every error response: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
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

/// One event of a lab experiment (PRODUCT §6): exposure, stages entered and left, warnings,
/// cancels, sends, recalls and claims. `POST /api/v1/lab/events` takes a list of them and
/// `GET /api/v1/lab/events` returns them all; the widget exports them as CSV and JSON Lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabEvent {
    /// `exposure`, `stage_entered`, `stage_left`, `warning_shown`, `cancel`, `send`,
    /// `recall` or `claim`.
    #[serde(rename = "type")]
    pub kind: String,
    pub experiment: String,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_packet_json_uses_decimal_strings_and_defaults() {
        let p: NewPacket = serde_json::from_str(
            r#"{"chat_id":"family","kind":"lucky","amount":"18.80","idempotency_key":"k"}"#,
        )
        .unwrap();
        assert_eq!(p.amount, Money::from_fen(1880));
        assert_eq!(p.count, 1);
        assert!(
            serde_json::to_string(&p)
                .unwrap()
                .contains(r#""amount":"18.80""#)
        );
        assert!(
            serde_json::from_str::<NewPacket>(
                r#"{"chat_id":"f","kind":"lucky","amount":18.8,"idempotency_key":"k"}"#
            )
            .is_err()
        );
    }

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

    #[test]
    fn personal_without_recipient_is_rejected() {
        let chat = ChatInfo {
            id: "ab".into(),
            name: "b".into(),
            members: vec!["a".into(), "b".into()],
            kind: ChatKind::Direct,
        };
        let p = NewPacket {
            chat_id: "ab".into(),
            kind: PacketKindTag::Personal,
            amount: Money::from_fen(100),
            count: 1,
            greeting: String::new(),
            recipient: None,
            split: None,
            idempotency_key: "k".into(),
        };
        assert_eq!(
            p.to_request("a", &chat).unwrap_err().code,
            "invalid_request"
        );
        let p = NewPacket {
            recipient: Some("b".into()),
            ..p
        };
        assert!(matches!(
            p.to_request("a", &chat).unwrap().kind,
            PacketKind::Personal { .. }
        ));
    }
}
