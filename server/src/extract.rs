//! Request extractors whose rejections are API errors (`{"error": …}` with a 4xx status).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use hongbao_engine::Lang;
use serde::de::DeserializeOwned;

use crate::error::{AppError, shortened};
use crate::validate;

/// The language of error messages, from `Accept-Language` (English unless it asks for
/// Chinese first).
#[derive(Clone, Copy, Debug)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .find_map(|tag| Lang::from_tag(tag.split(';').next()?))
            })
            .unwrap_or(Lang::En);
        Ok(ReqLang(lang))
    }
}

/// A JSON body: `Content-Type: application/json`, at most the configured size, valid JSON
/// of the expected shape.
pub struct Body<T>(pub T);

/// The raw bytes of a JSON body (or an empty body), with the same content and size checks.
pub async fn json_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
    optional: bool,
) -> Result<Bytes, AppError> {
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let has_body = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .is_none_or(|v| v.as_bytes() != b"0");
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::invalid("the request body is too large")
                .with_status(StatusCode::PAYLOAD_TOO_LARGE)
                .with_detail("payload_too_large")
        } else {
            AppError::invalid(format!("unreadable request body: {e}"))
        }
    })?;
    if optional && bytes.is_empty() {
        return Ok(bytes);
    }
    let json = content_type
        .as_deref()
        .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    if !json && (has_body || !bytes.is_empty()) {
        return Err(AppError::invalid("expected Content-Type: application/json")
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .with_detail("unsupported_media_type"));
    }
    Ok(bytes)
}

/// Parses JSON, turning serde's message into an `invalid_request`; every string in it is
/// checked by [`validate::json`] (control characters, lengths) before it takes its shape.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let invalid = |e: serde_json::Error| {
        AppError::invalid(format!(
            "invalid JSON body: {}",
            shortened(e.to_string(), 300)
        ))
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
    validate::json(&value)?;
    serde_json::from_value(value).map_err(invalid)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = json_bytes(req, state, false).await?;
        parse_json(&bytes).map(Body)
    }
}

/// A numeric path id; anything else is "no such packet".
pub struct PacketIdPath(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for PacketIdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found("packet"))?;
        raw.parse::<u64>()
            .ok()
            .filter(|id| *id > 0 && i64::try_from(*id).is_ok())
            .map(PacketIdPath)
            .ok_or_else(|| AppError::not_found("packet"))
    }
}

/// A chat id from the path.
pub struct ChatIdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ChatIdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found("chat"))?;
        if raw.is_empty() || raw.len() > 128 {
            return Err(AppError::not_found("chat"));
        }
        Ok(ChatIdPath(raw))
    }
}

/// A study's key from the path, checked like every path segment (by the route layer) and,
/// being a study key, at most [`validate::MAX_STUDY_KEY`] characters (400 `too_long`):
/// a longer one is no study's, and never reaches the database.
pub struct StudyKeyPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for StudyKeyPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found("study"))?;
        validate::text("the study key", &raw, validate::MAX_STUDY_KEY, false)?;
        if raw.is_empty() {
            return Err(AppError::not_found("study"));
        }
        Ok(StudyKeyPath(raw))
    }
}
