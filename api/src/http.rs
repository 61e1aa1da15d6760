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

fn put(path: String, body: Option<String>) -> Request {
    Request {
        method: "PUT",
        ..post(path, body)
    }
}

fn delete(path: String) -> Request {
    Request {
        method: "DELETE",
        ..get(path)
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
    /// `GET /lab/events?all=true&experiment={key}` → every event of one experiment or study,
    /// however many (researchers only; [`lab_events`] reads them).
    pub fn lab_events_of(experiment: &str) -> Request {
        get(format!(
            "{PREFIX}/lab/events?all=true&experiment={}",
            encode(experiment)
        ))
    }
    /// `GET /lab/results?experiment={key}&variants={a,b}&forced={bool}` → the results per
    /// variant of one experiment or study, computed by the server where its events are
    /// (`hongbao_study::results::summarize`: rows in `variants` order, then any other variant
    /// seen; forced participants only with `forced`). Researchers only.
    pub fn lab_results(experiment: &str, variants: &[String], forced: bool) -> Request {
        get(format!(
            "{PREFIX}/lab/results?experiment={}&variants={}&forced={forced}",
            encode(experiment),
            encode(&variants.join(","))
        ))
    }
    /// `POST /lab/events/ticket` → [`crate::StreamTicket`] for [`lab_events_stream_path`]
    /// (researchers only).
    pub fn lab_stream_ticket() -> Request {
        post(format!("{PREFIX}/lab/events/ticket"), None)
    }
    /// `GET /studies/{key}` → the study's JSON, without a login (a participant's page reads
    /// its study first); [`study`] reads the answer.
    pub fn study(key: &str) -> Request {
        Request {
            authenticated: false,
            ..get(format!("{PREFIX}/studies/{}", encode(key)))
        }
    }
    /// `GET /studies` → every stored study, by key (researchers only; [`studies`] reads
    /// the answer).
    pub fn studies() -> Request {
        get(format!("{PREFIX}/studies"))
    }
    /// `PUT /studies/{key}` with the study's JSON (its `key` the same) → the study as
    /// stored, 201 when new, 200 when it replaced one (researchers only; [`text`] reads
    /// the answer).
    pub fn put_study(key: &str, study_json: &str) -> Request {
        put(
            format!("{PREFIX}/studies/{}", encode(key)),
            Some(study_json.to_owned()),
        )
    }
    /// `POST /studies/{key}/participants` → a [`crate::ParticipantToken`] for the study
    /// link's participant (no login).
    pub fn join_study(key: &str, join: &crate::JoinStudy) -> Request {
        Request {
            authenticated: false,
            ..post(
                format!("{PREFIX}/studies/{}/participants", encode(key)),
                json(join),
            )
        }
    }
    /// `DELETE /studies/{key}` → 204, or 404 when there is none (researchers only;
    /// [`deleted`] reads the answer).
    pub fn delete_study(key: &str) -> Request {
        delete(format!("{PREFIX}/studies/{}", encode(key)))
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

/// The stream of everyone's new lab events (researchers only), for `EventSource`: opened
/// with a single-use ticket from [`Request::lab_stream_ticket`], never with the token.
pub fn lab_events_stream_path(ticket: &str) -> String {
    format!("{PREFIX}/lab/events/stream?ticket={}", encode(ticket))
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

/// A 2xx answer's body as it came (JSON text the caller parses itself), anything else as
/// the error [`parse`] reads.
pub fn text(status: u16, body: String) -> Result<String, ApiError> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    parse::<serde::de::IgnoredAny>(status, &body)?;
    Err(ApiError::new(
        ErrorCode::InvalidResponse,
        format!("the server answered {status}"),
    ))
}

/// A study from `GET /studies/{key}`: its JSON text, `None` when there is no study of
/// that key (404).
pub fn study(status: u16, body: String) -> Result<Option<String>, ApiError> {
    if status == 404 {
        return Ok(None);
    }
    text(status, body).map(Some)
}

/// The studies from `GET /studies`, each one's JSON text.
pub fn studies(status: u16, body: &str) -> Result<Vec<String>, ApiError> {
    let values: Vec<Box<serde_json::value::RawValue>> = parse(status, body)?;
    Ok(values.into_iter().map(|v| v.get().to_owned()).collect())
}

/// `DELETE /studies/{key}`: whether there was a study to delete (204; 404 is `false`).
pub fn deleted(status: u16, body: &str) -> Result<bool, ApiError> {
    match status {
        204 => Ok(true),
        404 => Ok(false),
        _ => text(status, body.to_owned()).map(|_| true),
    }
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

    #[test]
    fn studies() {
        let read = Request::study("send basics");
        assert_eq!(
            (read.method, read.path.as_str(), read.authenticated),
            ("GET", "/api/v1/studies/send%20basics", false)
        );
        let save = Request::put_study("s1", r#"{"key":"s1"}"#);
        assert_eq!(
            (save.method, save.path.as_str(), save.body.as_deref()),
            ("PUT", "/api/v1/studies/s1", Some(r#"{"key":"s1"}"#))
        );
        assert!(save.authenticated);
        let gone = Request::delete_study("s1");
        assert_eq!((gone.method, gone.body), ("DELETE", None));
        assert_eq!(Request::studies().path, "/api/v1/studies");
        assert_eq!(
            study(200, r#"{"key":"s1"}"#.into()).unwrap().as_deref(),
            Some(r#"{"key":"s1"}"#)
        );
        assert_eq!(
            study(
                404,
                r#"{"error":{"code":"not_found","message":"no such study"}}"#.into()
            ),
            Ok(None)
        );
        assert_eq!(
            study(
                400,
                r#"{"error":{"code":"too_long","message":"long"}}"#.into()
            )
            .unwrap_err()
            .code,
            ErrorCode::TooLong
        );
        assert!(study(503, String::new()).unwrap_err().is_network());
        assert_eq!(
            super::studies(200, r#"[{"key":"a"}, {"key":"b","closed":true}]"#).unwrap(),
            [r#"{"key":"a"}"#, r#"{"key":"b","closed":true}"#]
        );
        assert_eq!(deleted(204, ""), Ok(true));
        assert_eq!(deleted(404, ""), Ok(false));
        assert_eq!(
            deleted(403, r#"{"error":{"code":"forbidden","message":"no"}}"#)
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }
}
