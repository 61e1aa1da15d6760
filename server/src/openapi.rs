//! The OpenAPI document, served at `/api/v1/openapi.json`.

use hongbao_api::openapi as doc;
use hongbao_api::{
    AdvanceClock, ApiError, ChatEvent, ChatInfo, ClaimResult, ClaimView, ClockNow, ErrorBody,
    ErrorCode, JoinStudy, LedgerEntry, Login, Me, NewPacket, PacketView, ParticipantToken, Preview,
    RecallRequest, RecallResult, StreamTicket, Token,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{lab, observe, participants, routes, sessions, stream, studies};

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hongbao API",
        description = "Red packets (红包): wallets, packets, claims, recalls, ledgers, lab \
            events and the lab's studies. Money is always a decimal string (\"18.80\"), never a JSON number; times \
            are RFC 3339. Every endpoint but login, reading one study \
            (GET /api/v1/studies/{key}) and this document needs `Authorization: Bearer \
            <token>`. Errors are `{\"error\": {\"code\", \"message\", \
            \"detail\"?}}` with stable codes: invalid_amount, invalid_count, invalid_request, \
            limit_exceeded (400), unauthorized (401), forbidden, not_for_you, recall_forbidden \
            (403), not_found (404), claimed_out, expired, recalled, recall_window_closed, \
            recall_has_claims, conflict, pending (409), insufficient_balance (422); oversize \
            bodies 413 and non-JSON bodies 415 with code invalid_request. Text is checked \
            before anything else: a NUL or other control character (line breaks and tabs \
            are allowed in `greeting` and in a study's strings only) in a path segment, query value, JSON string or \
            key, or the Authorization header is invalid_text (400), a value over its limit \
            (user names and recipients 64 characters, chat ids 128, passwords 1,024, a \
            study's strings 16,384, other JSON strings 4,096, path segments 128, study keys \
            64, query values 256) is too_long (400). \
            Sessions end after a time without use and a time after the login (the login's \
            answer says both), or at POST /api/v1/logout; an ended session is 401 \
            unauthorized with detail session_expired. Login attempts are limited per user \
            name and per client address: 429 rate_limited with Retry-After (seconds). \
            Browsers open an event stream with ?ticket= from POST \
            /api/v1/chats/{id}/events/ticket (one stream, once, within a minute), never \
            with the token in the URL; a researcher opens the stream of stored lab events \
            the same way (POST /api/v1/lab/events/ticket). Operations, outside /api/v1 and \
            without a token: GET /healthz (200 while the process serves), GET /readyz (200 \
            when the database answers and its migrations are this server's, 503 otherwise \
            and from the start of a shutdown), GET /metrics (Prometheus text: \
            hongbao_http_requests_total by method, route and status, \
            hongbao_http_request_duration_seconds and hongbao_claim_duration_seconds \
            histograms, hongbao_sse_streams_open, hongbao_db_connections_open/idle, \
            hongbao_db_writer_queue, hongbao_login_refused_total)."
    ),
    paths(
        sessions::login,
        sessions::logout,
        routes::me,
        routes::ledger,
        routes::chats,
        routes::chat_packets,
        stream::chat_events,
        stream::ticket,
        routes::send,
        routes::preview,
        routes::packet,
        routes::claim,
        routes::recall,
        routes::add_lab_event,
        routes::lab_events,
        lab::results,
        lab::stream_ticket,
        lab::events_stream,
        studies::study,
        studies::studies,
        studies::put_study,
        studies::delete_study,
        participants::join,
        routes::advance_clock,
        sessions::crowd_sessions,
        observe::healthz,
        observe::readyz,
        observe::metrics_page,
    ),
    components(schemas(
        Login, Token, Me, ChatInfo, NewPacket, Preview, PacketView, ClaimView, ClaimResult,
        StreamTicket, JoinStudy, ParticipantToken, RecallRequest, RecallResult, LedgerEntry, ChatEvent, ApiError, ErrorBody,
        ErrorCode, AdvanceClock, ClockNow, routes::Created, sessions::CrowdLogin,
        sessions::CrowdTokens, sessions::LoginRequest, sessions::LoginResponse,
        sessions::LogoutRequest, sessions::LogoutResponse, doc::Kind, doc::State, doc::Recall,
        doc::Split, doc::Entry, doc::Chat, doc::Warn,
    )),
    modifiers(&Bearer),
    tags(
        (name = "auth"), (name = "wallet"), (name = "chats"), (name = "packets"),
        (name = "lab"), (name = "ops", description = "health, readiness and metrics: outside /api/v1, no token"), (name = "test", description = "only with --test-clock (clock) or --load-test-sessions (sessions)"),
    )
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}
