//! The error codes added for validation, sessions and rate limits, in one place (the
//! others are `hongbao_api`'s). Each with its HTTP status and a constructor.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hongbao_api::{ApiError, ErrorBody};

use crate::error::AppError;

/// 400: a string holds NUL or another control character (outside the few fields that
/// allow line breaks), or a percent-encoded path segment or query value is not UTF-8.
pub const INVALID_TEXT: &str = "invalid_text";
/// 400: a string (path segment, query value, JSON field, header) is longer than allowed.
pub const TOO_LONG: &str = "too_long";
/// 429: too many login attempts for this user name or from this address; the response
/// has `Retry-After` (seconds).
pub const RATE_LIMITED: &str = "rate_limited";

/// Every code above, for the OpenAPI description and the tests.
pub const ALL: [(&str, u16); 3] = [(INVALID_TEXT, 400), (TOO_LONG, 400), (RATE_LIMITED, 429)];

pub fn invalid_text(message: impl Into<String>) -> AppError {
    AppError::new(INVALID_TEXT, message).with_status(StatusCode::BAD_REQUEST)
}

pub fn too_long(message: impl Into<String>) -> AppError {
    AppError::new(TOO_LONG, message).with_status(StatusCode::BAD_REQUEST)
}

/// A 429 with `Retry-After: <seconds>` (at least 1).
pub fn rate_limited(retry_after_secs: u64, message: impl Into<String>) -> Response {
    let secs = retry_after_secs.max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(ErrorBody {
            error: ApiError::new(RATE_LIMITED, message),
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}
