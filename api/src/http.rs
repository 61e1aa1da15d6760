//! The HTTP API as data: each call's method, path and JSON body, and how a response becomes
//! a value or an [`ApiError`]. The widget's HTTP backend sends these with `fetch`, the
//! contract tests with a native client, so both speak exactly the same requests.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{
    AdvanceClock, ApiError, ClaimResult, ClockNow, ErrorBody, ErrorCode, LabEvent, LedgerEntry,
    Login, Me, NewPacket, PacketView, Preview, RecallRequest, RecallResult, Token,
};

/// The API's path prefix.
pub const PREFIX: &str = "/api/v1";

/// The demo accounts' password (the HTTP backend logs in as the acting demo user).
pub use crate::demo::DEMO_PASSWORD;

/// One request: method, path (with [`PREFIX`]) and JSON body. `authenticated` is false
/// only for login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
    pub authenticated: bool,
}

/// A request body. The API's types serialise infallibly (plain data, string map keys), so a
/// failure here is a bug, not a condition to report.
fn json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    Some(serde_json::to_string(value).expect("the API's request types serialise"))
}

fn get(path: String) -> Request {
    Request {
        method: "GET",
        path,
        body: None,
        authenticated: true,
    }
}

fn post(path: String, body: Option<String>) -> Request {
    Request {
        method: "POST",
        path,
        body,
        authenticated: true,
    }
}

/// Percent-encodes a path segment or query value (everything but RFC 3986's unreserved).
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Request {
    /// `POST /login` → [`Token`].
    pub fn login(username: &str, password: &str) -> Request {
        Request {
            authenticated: false,
            ..post(
                format!("{PREFIX}/login"),
                json(&Login {
                    username: username.to_owned(),
                    password: password.to_owned(),
                }),
            )
        }
    }
    /// `GET /me` → [`Me`].
    pub fn me() -> Request {
        get(format!("{PREFIX}/me"))
    }
    /// `GET /chats` → `Vec<ChatInfo>`.
    pub fn chats() -> Request {
        get(format!("{PREFIX}/chats"))
    }
    /// `GET /chats/{id}/packets` → `Vec<PacketView>`.
    pub fn chat_packets(chat_id: &str) -> Request {
        get(format!("{PREFIX}/chats/{}/packets", encode(chat_id)))
    }
    /// `GET /packets/{id}` → [`PacketView`].
    pub fn packet(id: u64) -> Request {
        get(format!("{PREFIX}/packets/{id}"))
    }
    /// `POST /chats/{id}/events/ticket` → [`crate::StreamTicket`] (for [`events_path`]).
    pub fn stream_ticket(chat_id: &str) -> Request {
        post(
            format!("{PREFIX}/chats/{}/events/ticket", encode(chat_id)),
            None,
        )
    }
    /// `POST /packets/preview` → [`Preview`].
    pub fn preview(draft: &NewPacket) -> Request {
        post(format!("{PREFIX}/packets/preview"), json(draft))
    }
    /// `POST /packets` → [`PacketView`].
    pub fn send(packet: &NewPacket) -> Request {
        post(format!("{PREFIX}/packets"), json(packet))
    }
    /// `POST /packets/{id}/claim` → [`ClaimResult`].
    pub fn claim(id: u64) -> Request {
        post(format!("{PREFIX}/packets/{id}/claim"), None)
    }
    /// `POST /packets/{id}/recall` → [`RecallResult`].
    pub fn recall(id: u64, authorized: bool) -> Request {
        post(
            format!("{PREFIX}/packets/{id}/recall"),
            json(&RecallRequest { authorized }),
        )
    }
    /// `GET /ledger` → `Vec<LedgerEntry>` (newest first).
    pub fn ledger() -> Request {
        get(format!("{PREFIX}/ledger"))
    }
    /// `POST /test/clock` → [`ClockNow`].
    pub fn advance_clock(secs: i64) -> Request {
        post(
            format!("{PREFIX}/test/clock"),
            json(&AdvanceClock {
                advance_seconds: secs,
            }),
        )
    }
    /// `POST /lab/events` (a batch).
    pub fn log_events(events: &[LabEvent]) -> Request {
        post(format!("{PREFIX}/lab/events"), json(&events))
    }
    /// `GET /lab/events?all=true` → every user's events ([`lab_events`] reads them).
    pub fn lab_events() -> Request {
        get(format!("{PREFIX}/lab/events?all=true"))
    }
}

/// The event stream of a chat, for `EventSource` (which cannot send headers): opened with
/// a single-use ticket from [`Request::stream_ticket`], never with the token.
pub fn events_path(chat_id: &str, ticket: &str) -> String {
    format!(
        "{PREFIX}/chats/{}/events?ticket={}",
        encode(chat_id),
        encode(ticket)
    )
}

/// A response: a 2xx body as `T`, anything else as the server's [`ApiError`] (or, when the
/// body is not one, an error from the status: a 5xx or a gateway page is `network`, i.e.
/// retryable).
pub fn parse<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(body).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidResponse,
                format!("unexpected response: {e}"),
            )
        });
    }
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) if status < 500 => Err(error),
        _ if status >= 500 || status == 0 => {
            Err(ApiError::network(format!("the server answered {status}")))
        }
        Ok(ErrorBody { error }) => Err(error),
        Err(_) => Err(ApiError::new(
            status_code(status),
            format!("the server answered {status}"),
        )),
    }
}

/// The API code for a bare 4xx status (a body that is not an API error).
fn status_code(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        _ => ErrorCode::InvalidRequest,
    }
}

/// Lab events from `GET /lab/events` (events that are not [`LabEvent`]s are skipped).
pub fn lab_events(status: u16, body: &str) -> Result<Vec<LabEvent>, ApiError> {
    let values: Vec<Box<serde_json::value::RawValue>> = parse(status, body)?;
    Ok(values
        .into_iter()
        .filter_map(|v| serde_json::from_str(v.get()).ok())
        .collect())
}

/// The typed answers, for readers of this module.
pub type LoginResponse = Token;
pub type MeResponse = Me;
pub type PacketResponse = PacketView;
pub type PreviewResponse = Preview;
pub type ClaimResponse = ClaimResult;
pub type RecallResponse = RecallResult;
pub type LedgerResponse = Vec<LedgerEntry>;
pub type ClockResponse = ClockNow;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_errors() {
        assert_eq!(
            Request::chat_packets("a b/c").path,
            "/api/v1/chats/a%20b%2Fc/packets"
        );
        assert!(!Request::login("alice", "x").authenticated);
        assert_eq!(
            Request::recall(7, true).body.as_deref(),
            Some(r#"{"authorized":true}"#)
        );
        let e: ApiError = parse::<Me>(
            409,
            r#"{"error":{"code":"claimed_out","message":"too late"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ClaimedOut);
        assert!(
            parse::<Me>(502, "<html>bad gateway</html>")
                .unwrap_err()
                .is_network()
        );
        assert_eq!(parse::<Me>(404, "").unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(
            parse::<Me>(200, "{}").unwrap_err().code,
            ErrorCode::InvalidResponse
        );
        let me: Me = parse(200, r#"{"username":"bob","balance":"1.00"}"#).unwrap();
        assert_eq!(me.username, "bob");
    }
}
