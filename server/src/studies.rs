//! The lab's studies (issue 14), `/api/v1/studies…`: the researcher's console saves a study
//! here, a participant's page reads it by key.
//!
//! A study is validated with hongbao-study, the code the widget runs ([`Study::parse`]:
//! consent, tasks, every variant's settings through `Settings::apply`), so a study the
//! server accepts is one every participant's page can run. What is stored is the parsed
//! study serialized again, never the text a request brought (fields the study does not
//! know are dropped); reads answer that JSON as stored. Reading one study needs no login
//! (a participant's page reads its study before anything else); listing, saving and
//! deleting are for researchers (`--researcher`) only.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hongbao_api::ErrorBody;
use hongbao_engine::Lang;
use hongbao_study::Study;
use serde_json::Value;

use crate::AppState;
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult, shortened};
use crate::extract::{ReqLang, StudyKeyPath, json_bytes};
use crate::lab::researcher;
use crate::store::StudyRow;
use crate::store::studies::Put;
use crate::validate;

/// The studies shipped with the app (`lab/studies/`), read once.
static SHIPPED: LazyLock<Vec<Study>> = LazyLock::new(hongbao_study::definition::shipped);

/// The study of `key` shipped with the app, if any (a stored one of that key wins).
pub fn shipped(key: &str) -> Option<&'static Study> {
    SHIPPED.iter().find(|s| s.key == key)
}

/// Largest `PUT /api/v1/studies/{key}` body.
pub const STUDY_BODY_BYTES: usize = 64 * 1024;

/// JSON text as a response.
fn json_text(status: StatusCode, body: String) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A study from a request body: UTF-8 JSON whose every string is checked by
/// [`validate::document`], then parsed and validated by [`Study::parse`] (its message in
/// `lang` when refused).
fn parse_study(bytes: &[u8], lang: Lang) -> AppResult<Study> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| AppError::invalid("the study is not UTF-8 text"))?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        AppError::invalid(format!(
            "the study is not JSON: {}",
            shortened(e.to_string(), 300)
        ))
    })?;
    if !value.is_object() {
        return Err(AppError::invalid("a study is a JSON object"));
    }
    validate::document(&value)?;
    Study::parse(text).map_err(|e| AppError::invalid(e.message(lang)))
}

/// One study by its key, as stored (a closed one too, with `"closed": true`: the
/// participant's page says that it is closed), else the one of that key shipped with the
/// app (`lab/studies/`). No login needed.
#[utoipa::path(get, path = "/api/v1/studies/{key}", tag = "lab",
    params(("key" = String, Path, description = "the study's key (letters, digits, - and _; at most 64)")),
    responses((status = 200, body = Object, description = "the study (hongbao-study's JSON)"),
              (status = 400, body = ErrorBody, description = "a key with a control character, or over 64 characters"),
              (status = 404, body = ErrorBody)))]
pub async fn study(
    State(state): State<AppState>,
    StudyKeyPath(key): StudyKeyPath,
) -> AppResult<Response> {
    if let Some(row) = state.store.study(&key).await? {
        return Ok(json_text(StatusCode::OK, row.body));
    }
    // None stored: the one shipped with the app, if any (as the widget on the mock does).
    let shipped = shipped(&key).ok_or_else(|| AppError::not_found("study"))?;
    let body = serde_json::to_string(shipped).map_err(AppError::internal)?;
    Ok(json_text(StatusCode::OK, body))
}

/// Every stored study, by key (researchers only).
#[utoipa::path(get, path = "/api/v1/studies", tag = "lab", security(("bearer" = [])),
    responses((status = 200, body = [Object], description = "the studies (hongbao-study's JSON), by key"),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not a researcher")))]
pub async fn studies(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> AppResult<Response> {
    researcher(&state, &user, "list the studies")?;
    let rows = state.store.studies().await?;
    let mut body = String::from("[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&row.body);
    }
    body.push(']');
    Ok(json_text(StatusCode::OK, body))
}

/// Saves a study under its key (researchers only): the body is the study's JSON (at most
/// 64 KiB), its `key` the path's. It is validated as a participant's page would (consent,
/// tasks, every variant's settings); a refusal is 400 `invalid_request` with the reason
/// (in the request's language, `Accept-Language`: Chinese or English), and nothing
/// changes. 201 with the stored study when the key was new, 200 when it
/// replaced one.
#[utoipa::path(put, path = "/api/v1/studies/{key}", tag = "lab", security(("bearer" = [])),
    params(("key" = String, Path, description = "the study's key, the same as the body's")),
    request_body(content = Object, description = "a study (hongbao-study's JSON)"),
    responses((status = 200, body = Object, description = "replaced: the study as stored"),
              (status = 201, body = Object, description = "created: the study as stored"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not a researcher"),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn put_study(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ReqLang(lang): ReqLang,
    StudyKeyPath(key): StudyKeyPath,
    request: Request,
) -> AppResult<Response> {
    researcher(&state, &user, "save a study")?;
    let bytes = json_bytes(request, &state, false).await?;
    let study = parse_study(&bytes, lang)?;
    if study.key != key {
        return Err(AppError::invalid(format!(
            "the study's key {:?} is not the path's {key:?}",
            study.key
        )));
    }
    let body = serde_json::to_string(&study).map_err(AppError::internal)?;
    let put = state
        .store
        .put_study(StudyRow {
            key,
            body: body.clone(),
            closed: study.closed,
            saved_at: state.clock.now().millis(),
            saved_by: user,
        })
        .await
        .map_err(|e| e.into_app(Lang::En))?;
    let status = match put {
        Put::Created => StatusCode::CREATED,
        Put::Replaced => StatusCode::OK,
    };
    Ok(json_text(status, body))
}

/// Deletes a study (researchers only): 204, or 404 when there is none.
#[utoipa::path(delete, path = "/api/v1/studies/{key}", tag = "lab", security(("bearer" = [])),
    params(("key" = String, Path, description = "the study's key")),
    responses((status = 204, description = "deleted"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "not a researcher"),
              (status = 404, body = ErrorBody)))]
pub async fn delete_study(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    StudyKeyPath(key): StudyKeyPath,
) -> AppResult<StatusCode> {
    researcher(&state, &user, "delete a study")?;
    if state
        .store
        .delete_study(&key)
        .await
        .map_err(|e| e.into_app(Lang::En))?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("study"))
    }
}
