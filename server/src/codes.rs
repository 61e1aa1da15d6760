//! Constructors for the rejections added for validation, sessions and rate limits (their
//! codes are `hongbao_api::ErrorCode` variants, with their statuses there).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hongbao_api::{ApiError, ErrorCode};

use crate::error::AppError;

/// 400 `invalid_text`: NUL or another control character, or a percent-encoding that is not UTF-8.
pub fn invalid_text(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidText, message)
}

/// 400 `too_long`.
pub fn too_long(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::TooLong, message)
}

/// A 429 `rate_limited` with `Retry-After: <seconds>` (at least 1).
pub fn rate_limited(retry_after_secs: u64, message: impl Into<String>) -> Response {
    let secs = retry_after_secs.max(1);
    let mut response =
        AppError::api(ApiError::new(ErrorCode::RateLimited, message)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}
