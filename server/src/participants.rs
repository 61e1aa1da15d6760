//! A study's participants (issue 14): `POST /api/v1/studies/{key}/participants` hands the
//! participant of a study link a token scoped to that study, and [`LabPoster`] tells such a
//! token from a user's session where lab events are posted.
//!
//! A participant's token (`pt_` and 64 hex digits; stored as its SHA-256, like a session's)
//! posts that participant's lab events and nothing else: every other route answers 403.
//! The server writes the token's study (as the event's `study` and `experiment`), its
//! participant, variant and `forced` into every event posted with it; an event that names
//! others is refused. The variant is the server's: the study's assignment rule
//! ([`hongbao_study::assign`], the page's own code), or the link's forced variant (marked
//! as forced). A study's events come only this way: a user's session may not post events
//! of a study (stored or shipped), so no one can post as another participant.
//!
//! No login is needed to join an open study (its link is the invitation); joins are
//! limited per client address (`--participant-joins-per-ip`). A token ends
//! `--session-max-age-secs` after it was handed out.

use std::net::IpAddr;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hongbao_api::{ErrorBody, ErrorCode, JoinStudy, ParticipantToken};
use hongbao_engine::Timestamp;
use hongbao_study::Study;
use hongbao_study::assign::{assign, valid_participant};

use crate::AppState;
use crate::auth::{self, AuthUser, new_token, token_hash};
use crate::codes;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, StudyKeyPath};
use crate::sessions::ClientIp;
use crate::store::ParticipantRow;

/// What starts a participant's token.
pub const TOKEN_PREFIX: &str = "pt_";

/// A participant's token from `Authorization: Bearer pt_<64 hex digits>`, if the request
/// carries one.
pub fn participant_bearer(parts: &Parts) -> Option<&str> {
    auth::bearer_value(parts).filter(|t| t.strip_prefix(TOKEN_PREFIX).is_some_and(auth::is_token))
}

/// The refusal of a participant's token on any route but posting lab events.
pub fn not_for_participants() -> AppError {
    AppError::new(
        ErrorCode::Forbidden,
        "a study participant's token only posts that participant's lab events",
    )
}

/// The study of `key`: the stored one, else the one shipped with the app.
pub async fn find_study(state: &AppState, key: &str) -> AppResult<Option<Study>> {
    if let Some(row) = state.store.study(key).await? {
        // Stored after it was validated by the same code: it reads back.
        return Study::parse(&row.body)
            .map(Some)
            .map_err(|e| AppError::internal(e.message(hongbao_engine::Lang::En)));
    }
    Ok(crate::studies::shipped(key).cloned())
}

/// Whether `key` is a study's (stored or shipped), without reading the study.
pub async fn is_study(state: &AppState, key: &str) -> AppResult<bool> {
    Ok(crate::studies::shipped(key).is_some() || state.store.study(key).await?.is_some())
}

/// A study link's participant joins the study (no login): the answer is a token that posts
/// this participant's lab events and nothing else, with the variant the participant is
/// assigned (the study's rule, or `variant` when the link forces one). `participant` is the
/// link's participant id (1–64 letters, digits, `-` and `_`); without one the server draws
/// one. 404 for no such study, 409 `conflict` for a closed one, 429 past
/// `--participant-joins-per-ip` a minute from one address.
#[utoipa::path(post, path = "/api/v1/studies/{key}/participants", tag = "lab",
    params(("key" = String, Path, description = "the study's key")),
    request_body(content = JoinStudy, description = "the link's participant and forced variant, both optional"),
    responses((status = 201, body = ParticipantToken),
              (status = 400, body = ErrorBody, description = "a participant id or variant that is not one"),
              (status = 404, body = ErrorBody, description = "no such study"),
              (status = 409, body = ErrorBody, description = "the study is closed"),
              (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After")))]
pub async fn join(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    StudyKeyPath(key): StudyKeyPath,
    Body(join): Body<JoinStudy>,
) -> Response {
    match join_checked(&state, ip, key, join).await {
        Ok(joined) => (StatusCode::CREATED, Json(joined)).into_response(),
        Err(Refusal::Limited(secs)) => codes::rate_limited(
            secs,
            "too many participants from this address: try again later",
        ),
        Err(Refusal::Error(e)) => e.into_response(),
    }
}

enum Refusal {
    Limited(u64),
    Error(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Refusal {
        Refusal::Error(e)
    }
}

async fn join_checked(
    state: &AppState,
    ip: IpAddr,
    key: String,
    join: JoinStudy,
) -> Result<ParticipantToken, Refusal> {
    let study = find_study(state, &key)
        .await?
        .ok_or_else(|| AppError::not_found("study"))?;
    if study.closed {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("the study {key:?} is closed and takes no more participants"),
        )
        .with_detail("study_closed")
        .into());
    }
    let participant = match join.participant {
        Some(p) if valid_participant(&p) => p,
        Some(_) => {
            return Err(
                AppError::invalid("a participant id is 1 to 64 letters, digits, - and _").into(),
            );
        }
        None => format!("p-{}", &new_token()[..12]),
    };
    let experiment = study.experiment();
    if let Some(v) = &join.variant
        && experiment.variant(v).is_none()
    {
        return Err(AppError::invalid(format!("the study {key:?} has no variant {v:?}")).into());
    }
    state.limits.check_join(ip).map_err(Refusal::Limited)?;
    let assignment = assign(&experiment, &participant, join.variant.as_deref());
    let token = format!("{TOKEN_PREFIX}{}", new_token());
    let now = state.clock.now();
    let row = ParticipantRow {
        study: key.clone(),
        participant: participant.clone(),
        variant: assignment.variant.clone(),
        forced: assignment.forced,
        created_at: now.millis(),
    };
    state
        .store
        .new_participant(token_hash(&token), row)
        .await
        .map_err(|e| e.into_app(hongbao_engine::Lang::En))?;
    Ok(ParticipantToken {
        token,
        study: key,
        participant,
        variant: assignment.variant,
        forced: assignment.forced,
        expires_at: state.tokens.ends_at(now),
    })
}

/// Who posts lab events: a user (their session) or a study's participant (their token).
pub enum LabPoster {
    User(String),
    Participant(ParticipantRow),
}

impl FromRequestParts<AppState> for LabPoster {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = participant_bearer(parts) else {
            return AuthUser::from_request_parts(parts, state)
                .await
                .map(|AuthUser(user)| LabPoster::User(user));
        };
        let row = state
            .store
            .participant(&token_hash(token))
            .await?
            .ok_or_else(AppError::unauthorized)?;
        let ends = state.tokens.ends_at(Timestamp::from_millis(row.created_at));
        if state.clock.now() >= ends {
            return Err(auth::refused(auth::Refused::Expired));
        }
        Ok(LabPoster::Participant(row))
    }
}
