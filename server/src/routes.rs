//! The HTTP API, `/api/v1/…` (PRODUCT §8). Every handler checks the caller and what the
//! caller may see, then hands the money decisions to the engine through the store.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hongbao_api::{
    AdvanceClock, ChatInfo, ClaimResult, ClockNow, ErrorBody, ErrorCode, LedgerEntry, Me,
    NewPacket, PacketView, Preview, RecallRequest, RecallResult,
};
use hongbao_engine::{Lang, Money, Packet, PacketKindTag, SendRequest, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::auth::AuthUser;
use crate::compat;
use crate::error::{AppError, AppResult, shortened};
use crate::extract::{Body, ChatIdPath, PacketIdPath, ReqLang, json_bytes, parse_json};
use crate::participants::{LabPoster, is_study};
use crate::store::{ChatRow, LabFilter, NewLabEvent, ParticipantRow};
use crate::validate;

/// Longest lab event `type`.
const MAX_LAB_TYPE: usize = 64;

// Logging in and out: see `crate::sessions`.

// ------------------------------------------------------------------------------ wallet

/// The caller's wallet.
#[utoipa::path(get, path = "/api/v1/me", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, AuthUser(user): AuthUser) -> AppResult<Json<Me>> {
    expire_due_of(&state, &user).await?;
    let balance = state
        .store
        .balance(&user)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    Ok(Json(Me {
        username: user,
        balance,
    }))
}

/// The caller's ledger, newest first (at most 2,000 entries).
#[utoipa::path(get, path = "/api/v1/ledger", tag = "wallet", security(("bearer" = [])),
    responses((status = 200, body = [LedgerEntry]), (status = 401, body = ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> AppResult<Json<Vec<LedgerEntry>>> {
    expire_due_of(&state, &user).await?;
    Ok(Json(state.store.ledger(&user).await?))
}

/// Refunds the caller's own packets that are past their expiry (refund on access).
async fn expire_due_of(state: &AppState, user: &str) -> AppResult<()> {
    let now = state.clock.now();
    let due = state.store.due_packets(now, Some(user), 100).await?;
    if !due.is_empty() {
        state
            .store
            .expire(due, now)
            .await
            .map_err(|e| e.into_app(Lang::En))?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------ chats

/// The chats the caller belongs to.
#[utoipa::path(get, path = "/api/v1/chats", tag = "chats", security(("bearer" = [])),
    responses((status = 200, body = [ChatInfo]), (status = 401, body = ErrorBody)))]
pub async fn chats(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> AppResult<Json<Vec<ChatInfo>>> {
    let chats = state.store.chats_of(&user).await?;
    Ok(Json(chats.iter().map(|c| c.info_for(&user)).collect()))
}

pub(crate) async fn member_chat(state: &AppState, user: &str, chat_id: &str) -> AppResult<ChatRow> {
    state
        .store
        .chat_for(user, chat_id)
        .await?
        .ok_or_else(|| AppError::not_found("chat"))
}

/// A chat's packets, oldest first (the newest 500).
#[utoipa::path(get, path = "/api/v1/chats/{id}/packets", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "chat id")),
    responses((status = 200, body = [PacketView]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn chat_packets(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ChatIdPath(chat_id): ChatIdPath,
) -> AppResult<Json<Vec<PacketView>>> {
    member_chat(&state, &user, &chat_id).await?;
    let now = state.clock.now();
    let mut packets = state.store.chat_packets(&chat_id).await?;
    let due: Vec<u64> = packets
        .iter()
        .filter(|p| is_due(p, now))
        .map(|p| p.id.0)
        .collect();
    if !due.is_empty() {
        state
            .store
            .expire(due, now)
            .await
            .map_err(|e| e.into_app(Lang::En))?;
        packets = state.store.chat_packets(&chat_id).await?;
    }
    Ok(Json(
        packets
            .iter()
            .map(|p| PacketView::new(p, &user, now))
            .collect(),
    ))
}

fn is_due(p: &Packet, now: hongbao_engine::Timestamp) -> bool {
    !p.is_finished() && now >= p.expires_at
}

// The event stream and its tickets: see `crate::stream`.

// ------------------------------------------------------------------------------ packets

/// Validates a new packet's JSON (today's shape, or the first release's, see
/// [`compat::upgrade_new_packet`]) and reports amounts and counts with their own codes:
/// the kind's money field (`total`, `per_share` or `amount`) must be a decimal string
/// (`invalid_amount`, with the amount's own reason in `detail`), its count a whole number
/// (`invalid_count`); anything else wrong is `invalid_request`.
fn parse_new_packet(mut value: Value, lang: Lang, preview: bool) -> AppResult<NewPacket> {
    let Value::Object(map) = &mut value else {
        return Err(AppError::invalid("the body must be a JSON object"));
    };
    compat::upgrade_new_packet(map)?;
    let kind = map
        .get("kind")
        .and_then(Value::as_str)
        .and_then(PacketKindTag::parse);
    if let Some(kind) = kind {
        let (money, counted) = match kind {
            PacketKindTag::Lucky => ("total", true),
            PacketKindTag::Normal => ("per_share", true),
            PacketKindTag::Personal | PacketKindTag::Exclusive => ("amount", false),
        };
        match map.get(money) {
            None | Some(Value::Null) => {
                return Err(AppError::new(
                    ErrorCode::InvalidAmount,
                    format!("{money} is required"),
                ));
            }
            Some(Value::String(s)) => {
                if let Err(e) = Money::from_wire(s) {
                    return Err(AppError::engine(&e, lang));
                }
            }
            Some(_) => {
                return Err(AppError::new(
                    ErrorCode::InvalidAmount,
                    format!("{money} must be a decimal string such as \"18.80\""),
                ));
            }
        }
        if counted {
            let problem = match map.get("count") {
                None | Some(Value::Null) => Some("count is required"),
                Some(n) if n.as_u64().is_none_or(|n| u32::try_from(n).is_err()) => {
                    Some("count must be a whole number of shares")
                }
                Some(_) => None,
            };
            if let Some(problem) = problem {
                return Err(AppError::new(ErrorCode::InvalidCount, problem));
            }
        }
    }
    if preview {
        map.entry("idempotency_key")
            .or_insert_with(|| Value::String("preview".into()));
    }
    serde_json::from_value::<NewPacket>(value)
        .map_err(|e| AppError::invalid(shortened(e.to_string(), 300)))
}

async fn request_for(state: &AppState, user: &str, draft: &NewPacket) -> AppResult<SendRequest> {
    let chat = member_chat(state, user, &draft.chat_id).await?;
    Ok(draft.to_request(user, &chat.info_for(user)))
}

/// Sends a packet: `kind` and that kind's fields (lucky `total` and `count`, normal
/// `per_share` and `count`, personal and exclusive `to` and `amount`). The same
/// `idempotency_key` with the same request again returns the same packet (header
/// `Idempotent-Replayed: true`) and never debits twice; with another request it is a
/// `conflict`.
#[utoipa::path(post, path = "/api/v1/packets", tag = "packets", security(("bearer" = [])),
    request_body = NewPacket,
    responses((status = 201, body = PacketView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ReqLang(lang): ReqLang,
    Body(body): Body<Value>,
) -> AppResult<Response> {
    let draft = parse_new_packet(body, lang, false)?;
    let req = request_for(&state, &user, &draft).await?;
    let done = state
        .store
        .send(req, state.policy.clone(), state.clock.now())
        .await
        .map_err(|e| e.into_app(lang))?;
    let mut response = (StatusCode::CREATED, Json(done.view)).into_response();
    if done.replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// What the review stage shows: the total and every warning, or the validation error a
/// send would get (nothing is sent).
#[utoipa::path(post, path = "/api/v1/packets/preview", tag = "packets", security(("bearer" = [])),
    request_body = NewPacket,
    responses((status = 200, body = Preview), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ReqLang(lang): ReqLang,
    Body(body): Body<Value>,
) -> AppResult<Json<Preview>> {
    let draft = parse_new_packet(body, lang, true)?;
    let req = request_for(&state, &user, &draft).await?;
    let balance = state.store.balance(&user).await?;
    let history = state.store.history(&user, &req.chat.id).await?;
    let preview =
        hongbao_engine::ops::preview(&req, balance, &history, &state.policy, state.clock.now())
            .map_err(|e| AppError::engine(&e, lang))?;
    Ok(Json(Preview {
        total: preview.total,
        warnings: preview.warnings,
    }))
}

/// One packet with its claims (only for members of its chat).
#[utoipa::path(get, path = "/api/v1/packets/{id}", tag = "packets", security(("bearer" = [])),
    params(("id" = u64, Path, description = "packet id")),
    responses((status = 200, body = PacketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn packet(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    PacketIdPath(id): PacketIdPath,
) -> AppResult<Json<PacketView>> {
    let now = state.clock.now();
    let visible = |p: Option<Packet>| {
        p.filter(|p| p.is_member(&user))
            .ok_or_else(|| AppError::not_found("packet"))
    };
    let mut p = visible(state.store.packet(id).await?)?;
    if is_due(&p, now) {
        state
            .store
            .expire(vec![id], now)
            .await
            .map_err(|e| e.into_app(Lang::En))?;
        p = visible(state.store.packet(id).await?)?;
    }
    Ok(Json(PacketView::new(&p, &user, now)))
}

/// Claims a share. The same user again gets the same amount with `already_claimed`.
#[utoipa::path(post, path = "/api/v1/packets/{id}/claim", tag = "packets", security(("bearer" = [])),
    params(("id" = u64, Path, description = "packet id")),
    responses((status = 200, body = ClaimResult), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not_for_you"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "claimed_out, expired, recalled, pending")))]
pub async fn claim(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ReqLang(lang): ReqLang,
    PacketIdPath(id): PacketIdPath,
) -> AppResult<Json<ClaimResult>> {
    let started = std::time::Instant::now();
    let claimed = state
        .store
        .claim(id, &user, state.clock.now())
        .await
        .map_err(|e| e.into_app(lang))
        .inspect_err(|e| crate::observe::claim(started, e.error.code.as_str()))?;
    crate::observe::claim(started, "ok");
    Ok(Json(ClaimResult {
        amount: claimed.amount,
        already_claimed: claimed.already_claimed,
    }))
}

/// Recalls a packet (the sender only), under the recall policy it was sent with. The body
/// is optional: `{"authorized": true}` for the extra authorization some policies want.
#[utoipa::path(post, path = "/api/v1/packets/{id}/recall", tag = "packets", security(("bearer" = [])),
    params(("id" = u64, Path, description = "packet id")),
    request_body(content = Option<RecallRequest>),
    responses((status = 200, body = RecallResult), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "recall_forbidden"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "recall_window_closed, recall_has_claims, claimed_out, expired, recalled")))]
pub async fn recall(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ReqLang(lang): ReqLang,
    PacketIdPath(id): PacketIdPath,
    request: axum::extract::Request,
) -> AppResult<Json<RecallResult>> {
    let bytes: Bytes = json_bytes(request, &state, true).await?;
    let body: RecallRequest = if bytes.is_empty() {
        RecallRequest::default()
    } else {
        parse_json(&bytes)?
    };
    let recalled = state
        .store
        .recall(
            id,
            &user,
            body.authorized,
            state.policy.clone(),
            state.clock.now(),
        )
        .await
        .map_err(|e| e.into_app(lang))?;
    Ok(Json(RecallResult {
        refund: recalled.refund,
    }))
}

// ------------------------------------------------------------------------------ lab

/// The ids of stored lab events (`id`: the first).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
    pub ids: Vec<i64>,
}

/// Most events in one `POST /api/v1/lab/events`.
const MAX_LAB_BATCH: usize = 1_000;

/// What the server sets on every stored lab event (from the caller's session, its own clock
/// and the database), never the body.
pub const LAB_SERVER_FIELDS: [&str; 3] = ["id", "username", "received_at"];

/// What a study participant's token writes into each of its events, by field.
fn participant_fields(p: &ParticipantRow) -> [(&'static str, Value); 5] {
    [
        ("study", Value::from(p.study.as_str())),
        ("experiment", Value::from(p.study.as_str())),
        ("participant", Value::from(p.participant.as_str())),
        ("variant", Value::from(p.variant.as_str())),
        ("forced", Value::from(p.forced)),
    ]
}

/// A posted lab event checked, with what is stored beside its JSON. A participant's event
/// gets the token's study, participant and variant (one that names others is refused); a
/// user's may not be a study's (`study_keys`: the studies among the batch's experiments).
fn lab_event(value: &Value, poster: &LabPoster, study_keys: &[String]) -> AppResult<NewLabEvent> {
    let Value::Object(map) = value else {
        return Err(AppError::invalid("a lab event is a JSON object"));
    };
    let mut map = map.clone();
    match poster {
        LabPoster::Participant(p) => {
            for (field, value) in participant_fields(p) {
                if let Some(said) = map.get(field)
                    && *said != value
                {
                    return Err(AppError::new(
                        ErrorCode::Forbidden,
                        format!(
                            "this token is participant {:?}'s in study {:?} (variant {:?}): \
                             an event's \"{field}\" is the token's, or left out",
                            p.participant, p.study, p.variant
                        ),
                    ));
                }
                map.insert(field.to_owned(), value);
            }
        }
        LabPoster::User(_) => {
            let study = match map.get("study") {
                Some(Value::String(s)) => Some(s.as_str()),
                _ => map
                    .get("experiment")
                    .and_then(Value::as_str)
                    .filter(|e| study_keys.iter().any(|k| k == e)),
            };
            if let Some(study) = study {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "the events of study {study:?} are its participants': posted with the \
                         token of POST /api/v1/studies/{{key}}/participants"
                    ),
                ));
            }
        }
    }
    if let Some(field) = LAB_SERVER_FIELDS.iter().find(|f| map.contains_key(**f)) {
        return Err(AppError::invalid(format!(
            "a lab event's \"{field}\" is set by the server (id, username, received_at: \
             the caller's session and the server's time); leave it out"
        )));
    }
    let kind = match map.get("type") {
        Some(Value::String(t)) if !t.trim().is_empty() && t.chars().count() <= MAX_LAB_TYPE => {
            t.clone()
        }
        _ => {
            return Err(AppError::invalid(
                "a lab event needs a \"type\" string of 1 to 64 characters",
            ));
        }
    };
    // Research data of any shape: an event without an `experiment` string is stored too,
    // under no experiment ('').
    let experiment = match map.get("experiment") {
        Some(Value::String(e)) => e.clone(),
        _ => String::new(),
    };
    Ok(NewLabEvent {
        kind,
        experiment,
        body: Value::Object(map).to_string(),
    })
}

/// Stores lab events: one JSON object with a `type` string (1–64 characters) and any other
/// fields (the widget sends `hongbao_api::LabEvent`s), or an array of up to 1,000 of them.
/// Each is stored as JSON text under the caller's name (from the session) with the server's
/// time, and under its `experiment` string (none without one). An event that names `id`,
/// `username` or `received_at` itself is refused (400 `invalid_request`, nothing of the
/// batch stored): those are the server's. A study's events are posted with a participant's
/// token (`POST /api/v1/studies/{key}/participants`), which sets their `study`,
/// `experiment`, `participant`, `variant` and `forced` (stored with no user name); an event
/// that names other values, or a user's event of a study, is refused (403 `forbidden`,
/// nothing stored). Once stored, every open researcher's stream
/// (`GET /api/v1/lab/events/stream`) hears how many.
#[utoipa::path(post, path = "/api/v1/lab/events", tag = "lab", security(("bearer" = [])),
    request_body(content = Object, description = "{\"type\": \"exposure\", …} or an array of such objects"),
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn add_lab_event(
    State(state): State<AppState>,
    poster: LabPoster,
    Body(body): Body<Value>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let items: Vec<Value> = match body {
        Value::Array(items) => items,
        one => vec![one],
    };
    if items.is_empty() || items.len() > MAX_LAB_BATCH {
        return Err(AppError::invalid(
            "between 1 and 1,000 lab events at a time",
        ));
    }
    // A user's events may not be a study's: the batch's experiments that are studies (a
    // batch is one page's: one experiment, seldom more).
    let mut study_keys = Vec::new();
    if let LabPoster::User(_) = &poster {
        let mut experiments: Vec<&str> = items
            .iter()
            .filter_map(|e| e.get("experiment").and_then(Value::as_str))
            .collect();
        experiments.sort_unstable();
        experiments.dedup();
        for key in experiments {
            if !key.is_empty()
                && key.chars().count() <= validate::MAX_STUDY_KEY
                && is_study(&state, key).await?
            {
                study_keys.push(key.to_owned());
            }
        }
    }
    let events = items
        .iter()
        .map(|e| lab_event(e, &poster, &study_keys))
        .collect::<AppResult<Vec<_>>>()?;
    // A participant's events are stored with no user name ('').
    let user = match poster {
        LabPoster::User(user) => user,
        LabPoster::Participant(_) => String::new(),
    };
    let ids = state
        .store
        .add_lab_events(user, state.clock.now(), events)
        .await
        .map_err(|e| e.into_app(Lang::En))?;
    // At least one event was stored (the batch is not empty), so there is a first id.
    let id = ids
        .first()
        .copied()
        .ok_or_else(|| AppError::internal("no id for a stored lab event"))?;
    Ok((StatusCode::CREATED, Json(Created { id, ids })))
}

/// The query of `GET /api/v1/lab/events`.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct LabQuery {
    /// Everyone's events (the lab's export), not only the caller's.
    #[serde(default)]
    all: bool,
    /// Only the events of this experiment (an experiment's or a study's key): with
    /// `all=true`, every one of them, however many.
    experiment: Option<String>,
}

/// An experiment's key from a query: text as every query value (no control character, at
/// most [`validate::MAX_QUERY_VALUE`] characters), not empty.
pub(crate) fn experiment_key(key: &str) -> AppResult<()> {
    validate::text("experiment", key, validate::MAX_QUERY_VALUE, false)?;
    if key.is_empty() {
        return Err(AppError::invalid("experiment must not be empty"));
    }
    Ok(())
}

/// Lab events, oldest first: the caller's, or with `?all=true` everyone's, which only a
/// researcher (`--researcher`) may read (anyone else: 403 `forbidden`); the newest 10,000.
/// With `&experiment=KEY` only that experiment's events (the event's `experiment` string):
/// with `all=true` every one of them, however many (a study's export), else the caller's
/// newest 10,000. Each as it was posted, with `id`, `username` (who posted it) and
/// `received_at` (the server's time when it was stored) set by the server.
#[utoipa::path(get, path = "/api/v1/lab/events", tag = "lab", security(("bearer" = [])),
    params(LabQuery),
    responses((status = 200, body = [Object]), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "?all=true by someone not a researcher")))]
pub async fn lab_events(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    query: Result<Query<LabQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Vec<Value>>> {
    let Query(query) = query.map_err(|_| {
        AppError::invalid("the query is ?all=true or ?all=false, and optionally &experiment=KEY")
    })?;
    if let Some(key) = &query.experiment {
        experiment_key(key)?;
    }
    if query.all && !state.researchers.contains(&user) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "only a researcher may read everyone's lab events",
        ));
    }
    let rows = state
        .store
        .lab_events(LabFilter {
            user: (!query.all).then_some(user.as_str()),
            experiment: query.experiment.as_deref(),
        })
        .await?;
    let events = rows
        .into_iter()
        .map(|r| {
            // Stored as posted, after it was read as JSON: it reads back.
            let mut event: Value = serde_json::from_str(&r.body).map_err(AppError::internal)?;
            // The server's, over anything an event stored before they were refused said.
            if let Value::Object(map) = &mut event {
                map.insert("id".into(), Value::from(r.id));
                // A study participant's (posted with its token): no user.
                let user = (!r.username.is_empty()).then_some(r.username);
                map.insert("username".into(), Value::from(user));
                map.insert(
                    "received_at".into(),
                    Value::from(Timestamp::from_millis(r.at).to_string()),
                );
            }
            Ok(event)
        })
        .collect::<AppResult<Vec<Value>>>()?;
    Ok(Json(events))
}

// The researcher's console (results, the live stream): see `crate::lab`.

// ------------------------------------------------------------------------------ test clock

/// Moves this server process's clock forward (only with `--test-clock`).
#[utoipa::path(post, path = "/api/v1/test/clock", tag = "test", security(("bearer" = [])),
    request_body = AdvanceClock,
    responses((status = 200, body = ClockNow), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "without --test-clock")))]
pub async fn advance_clock(
    State(state): State<AppState>,
    AuthUser(_): AuthUser,
    Body(body): Body<AdvanceClock>,
) -> AppResult<Json<ClockNow>> {
    const TEN_YEARS: i64 = 10 * 366 * 86_400;
    if !(0..=TEN_YEARS).contains(&body.advance_seconds) {
        return Err(AppError::invalid(
            "advance_seconds must be between 0 and ten years",
        ));
    }
    state.clock.advance(body.advance_seconds);
    Ok(Json(ClockNow {
        now: state.clock.now(),
    }))
}

// ------------------------------------------------------------------------------ misc

/// The OpenAPI document of this API.
pub async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
}

/// Unknown API paths.
pub async fn not_found() -> AppError {
    AppError::not_found("endpoint")
}

/// Known paths with the wrong method.
pub async fn method_not_allowed() -> AppError {
    AppError::invalid("method not allowed").with_status(StatusCode::METHOD_NOT_ALLOWED)
}

pub type SharedPolicy = Arc<hongbao_engine::Policy>;
