//! Errors as HTTP responses: the right status and `{"error": {"code", "message"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hongbao_api::{ApiError, EngineRefusal, ErrorBody, ErrorCode};
use hongbao_engine::Lang;

/// A failed request.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub error: ApiError,
}

impl AppError {
    /// An error whose status follows from its code.
    pub fn api(error: ApiError) -> AppError {
        let status = StatusCode::from_u16(error.status())
            .expect("every error code's status is a valid HTTP status");
        AppError { status, error }
    }

    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError::api(ApiError::new(code, message))
    }

    pub fn with_status(mut self, status: StatusCode) -> AppError {
        self.status = status;
        self
    }

    pub fn with_detail(mut self, detail: &str) -> AppError {
        self.error.detail = Some(detail.to_owned());
        self
    }

    pub fn unauthorized() -> AppError {
        AppError::new(ErrorCode::Unauthorized, "missing or invalid token")
    }

    pub fn not_found(what: &str) -> AppError {
        AppError::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::InvalidRequest, message)
    }

    /// A server-side failure (database). Logged; the client sees a generic message.
    pub fn internal(err: impl std::fmt::Display) -> AppError {
        tracing::error!("internal error: {err}");
        AppError::new(ErrorCode::Internal, "internal server error")
    }

    /// The service is overloaded or shutting down (retryable).
    pub fn unavailable(err: impl std::fmt::Display) -> AppError {
        tracing::warn!("unavailable: {err}");
        AppError::new(ErrorCode::Unavailable, "service unavailable, try again")
    }

    /// An engine refusal (a send, claim or recall error, an amount that is not one) in
    /// `lang`, with the engine's finer code in `detail`.
    pub fn engine(e: &impl EngineRefusal, lang: Lang) -> AppError {
        AppError::api(ApiError::engine(e, lang))
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> AppError {
        AppError::api(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => AppError::unavailable(e),
            other => AppError::internal(other),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { error: self.error })).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// `message` cut to at most `max` bytes, at a character boundary: serde's messages quote
/// the input, which may be long and not ASCII (`String::truncate` inside a character
/// panics, and a panicking handler drops the connection).
pub fn shortened(mut message: String, max: usize) -> String {
    message.truncate(message.floor_char_boundary(max));
    message
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn shortening_keeps_whole_characters() {
        assert_eq!(shortened("abc".into(), 300), "abc");
        assert_eq!(shortened("abcdef".into(), 3), "abc");
        // "长" is three bytes: a cut inside one keeps the characters before it.
        assert_eq!(shortened("a长长".into(), 5), "a长");
        assert_eq!(shortened("长".repeat(200), 300).len(), 300);
        assert_eq!(shortened(format!("x{}", "长".repeat(200)), 300).len(), 298);
    }
}
