//! Live updates of a chat as Server-Sent Events, and the tickets that open them.
//!
//! A browser's `EventSource` cannot send an `Authorization` header, and a token in the URL
//! ends up in logs, proxies and the browser's history. So a page first asks for a ticket
//! with an authenticated `POST /api/v1/chats/{id}/events/ticket`, then opens
//! `GET /api/v1/chats/{id}/events?ticket=<ticket>`. A ticket opens one stream of that chat,
//! once, within [`TICKET_SECS`] seconds; the database keeps only its SHA-256 (so it works
//! through any server process on one PostgreSQL). Other clients may still send the
//! `Authorization` header instead.
//!
//! The researcher's stream of stored lab events (`crate::lab`) is opened the same way, with
//! a ticket of its own kind (see [`LAB_SCOPE`]).

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use hongbao_api::{ChatEvent, ErrorBody, StreamTicket};
use hongbao_engine::{Lang, Timestamp};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::AppState;
use crate::auth::{self, AuthSession};
use crate::error::{AppError, AppResult};
use crate::extract::ChatIdPath;

/// How long a stream ticket is valid, in seconds.
pub const TICKET_SECS: i64 = 60;

/// Asks for a ticket to open the chat's event stream (one stream, once, within a minute).
#[utoipa::path(post, path = "/api/v1/chats/{id}/events/ticket", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "chat id")),
    responses((status = 200, body = StreamTicket), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ticket(
    State(state): State<AppState>,
    session: AuthSession,
    ChatIdPath(chat_id): ChatIdPath,
) -> AppResult<Json<StreamTicket>> {
    crate::routes::member_chat(&state, &session.user, &chat_id).await?;
    issue(&state, session, chat_id).await
}

/// What a ticket of the lab's stream stores as its chat: no chat (no chat has an empty id,
/// and a chat's stream is never opened with one), so a chat's ticket never opens the lab's
/// stream and the lab's never a chat's.
pub const LAB_SCOPE: &str = "";

/// A new ticket for `session` that opens the stream of `scope` (a chat's id, or
/// [`LAB_SCOPE`]) once, within [`TICKET_SECS`].
pub(crate) async fn issue(
    state: &AppState,
    session: AuthSession,
    scope: String,
) -> AppResult<Json<StreamTicket>> {
    let ticket = auth::new_token();
    let expires_at = Timestamp::from_millis(state.clock.now().millis() + TICKET_SECS * 1000);
    state
        .store
        .new_ticket(
            auth::token_hash(&ticket),
            session.token_hash,
            session.user,
            scope,
            expires_at,
        )
        .await
        .map_err(|e| e.into_app(Lang::En))?;
    Ok(Json(StreamTicket { ticket, expires_at }))
}

/// The query of the event stream.
#[derive(Deserialize)]
pub struct StreamQuery {
    ticket: Option<String>,
}

/// Who opens an event stream, and how.
pub(crate) enum Opener {
    /// With a ticket of the stream's scope (checked when it was issued).
    Ticket(String),
    /// With the `Authorization` header.
    Header(String),
}

/// The caller of the event stream of `scope` (a chat's id or [`LAB_SCOPE`]), by a ticket
/// of that scope or by the `Authorization` header.
pub(crate) async fn stream_user(
    state: &AppState,
    parts: &mut axum::http::request::Parts,
    scope: &str,
) -> AppResult<Opener> {
    use axum::extract::FromRequestParts;
    if parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        let user = AuthSession::from_request_parts(parts, state).await?.user;
        return Ok(Opener::Header(user));
    }
    let Query(q) = Query::<StreamQuery>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::unauthorized())?;
    let ticket = q
        .ticket
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(AppError::unauthorized)?;
    let now = state.clock.now();
    let taken = state
        .store
        .take_ticket(auth::token_hash(&ticket), now)
        .await
        .map_err(|e| e.into_app(Lang::En))?
        .ok_or_else(AppError::unauthorized)?;
    if taken.chat_id != scope {
        return Err(AppError::unauthorized());
    }
    // The session behind the ticket must still be valid.
    match state
        .tokens
        .authenticate(&state.store, &taken.session_hash, now)
        .await?
    {
        Ok(user) if user == taken.username => Ok(Opener::Ticket(user)),
        Ok(_) => Err(AppError::unauthorized()),
        Err(why) => Err(auth::refused(why)),
    }
}

/// Live updates of a chat as Server-Sent Events: each `data:` is a `ChatEvent` (packets
/// sent, claimed, recalled, expired). A comment `: ready` comes first; an event named
/// `lagged` means some events were missed (refetch). Open it with `?ticket=` from
/// `POST /api/v1/chats/{id}/events/ticket` (browsers) or with the `Authorization` header.
#[utoipa::path(get, path = "/api/v1/chats/{id}/events", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "chat id"),
           ("ticket" = Option<String>, Query, description = "a stream ticket (single use, 60 s), instead of the Authorization header")),
    responses((status = 200, description = "text/event-stream of ChatEvent", body = ChatEvent),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn chat_events(
    State(state): State<AppState>,
    ChatIdPath(chat_id): ChatIdPath,
    request: axum::extract::Request,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let (mut parts, _body) = request.into_parts();
    let (Opener::Ticket(user) | Opener::Header(user)) =
        stream_user(&state, &mut parts, &chat_id).await?;
    crate::routes::member_chat(&state, &user, &chat_id).await?;
    let rx = state.store.hub().subscribe();
    let events = BroadcastStream::new(rx).filter_map(move |item| {
        let out = match item {
            Ok(event) if event.chat_id() == chat_id => match serde_json::to_string(&*event) {
                Ok(json) => Some(Ok(Event::default().data(json))),
                Err(e) => {
                    // Plain data serialises; were it ever not to, the client refetches on
                    // the next event rather than reading an empty one.
                    tracing::error!("an event did not serialise: {e}");
                    None
                }
            },
            Ok(_) => None,
            Err(BroadcastStreamRecvError::Lagged(n)) => {
                Some(Ok(Event::default().event("lagged").data(n.to_string())))
            }
        };
        std::future::ready(out)
    });
    Ok(sse(&state, events))
}

/// An event stream as Server-Sent Events: a comment `: ready` first, then `events`, with
/// keep-alive comments; counted while open (`hongbao_sse_streams_open`) and ended when the
/// server shuts down (a graceful shutdown waits for every response to end, and an event
/// stream would not on its own).
pub(crate) fn sse<E>(
    state: &AppState,
    events: E,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<E>>
where
    E: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    let ready =
        futures_util::stream::once(std::future::ready(Ok(Event::default().comment("ready"))));
    let open = crate::observe::OpenStream::default();
    let mut stopping = state.stopping.clone();
    let stream = ready
        .chain(events)
        .map(move |event| {
            let _counted = &open;
            event
        })
        .take_until(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
