//! Live updates of a chat as Server-Sent Events, and the tickets that open them.
//!
//! A browser's `EventSource` cannot send an `Authorization` header, and a token in the URL
//! ends up in logs, proxies and the browser's history. So a page first asks for a ticket
//! with an authenticated `POST /api/v1/chats/{id}/events/ticket`, then opens
//! `GET /api/v1/chats/{id}/events?ticket=<ticket>`. A ticket opens one stream of that chat,
//! once, within [`TICKET_SECS`] seconds; the database keeps only its SHA-256 (so it works
//! through any server process on one PostgreSQL). Other clients may still send the
//! `Authorization` header instead.

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
    let ticket = auth::new_token();
    let expires_at = Timestamp::from_millis(state.clock.now().millis() + TICKET_SECS * 1000);
    state
        .store
        .new_ticket(
            auth::token_hash(&ticket),
            session.token_hash,
            session.user,
            chat_id,
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

/// The caller of an event stream, by ticket or `Authorization` header.
async fn stream_user(
    state: &AppState,
    parts: &mut axum::http::request::Parts,
    chat_id: &str,
) -> AppResult<String> {
    use axum::extract::FromRequestParts;
    if parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        return Ok(AuthSession::from_request_parts(parts, state).await?.user);
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
    if taken.chat_id != chat_id {
        return Err(AppError::unauthorized());
    }
    // The session behind the ticket must still be valid.
    match state
        .tokens
        .authenticate(&state.store, &taken.session_hash, now)
        .await?
    {
        Ok(user) if user == taken.username => Ok(user),
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
    let user = stream_user(&state, &mut parts, &chat_id).await?;
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
    let ready =
        futures_util::stream::once(std::future::ready(Ok(Event::default().comment("ready"))));
    // Counted while open; ended when the server shuts down (a graceful shutdown waits for
    // every response to end, and an event stream would not on its own).
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
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
