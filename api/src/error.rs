//! Errors on the wire: `{"error": {"code", "message", "detail"?}}` with a stable
//! [`ErrorCode`], and how the engine's typed refusals become one.

use hongbao_engine::{
    AmountError, ClaimError, EngineError, Lang, RecallError, SendError, SnapshotError,
};
use serde::{Deserialize, Serialize};

/// The stable code of an API error (PRODUCT §8), `snake_case` on the wire
/// (`"claimed_out"`). Each code has one HTTP status ([`ErrorCode::http_status`]).
///
/// A client reads a code it does not know (from a newer server) as [`ErrorCode::Unknown`]
/// rather than failing to read the error, so an older widget survives a newer server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An amount that is not one (wrong form, zero, negative, below the smallest share).
    InvalidAmount,
    /// A number of shares outside the allowed range, or not a whole number.
    InvalidCount,
    /// Anything else wrong with the request (shape, chat kind, recipient, greeting, key…).
    InvalidRequest,
    /// An amount above a limit (per share, per packet).
    LimitExceeded,
    /// No valid credentials.
    Unauthorized,
    /// The caller may not do this (e.g. send in a chat they are not in).
    Forbidden,
    /// The packet is someone else's to claim.
    NotForYou,
    /// The caller may not recall this packet now (not the sender, or a recall rule).
    RecallForbidden,
    /// The recall needs the extra authorization: ask for it and recall with `authorized`.
    RecallNeedsAuthorization,
    /// No such thing (or not visible to the caller).
    NotFound,
    /// The sender's balance does not cover the total.
    InsufficientBalance,
    /// Every share was already claimed.
    ClaimedOut,
    /// The packet expired.
    Expired,
    /// The packet was recalled.
    Recalled,
    /// The recall window (or the delivery delay) is over.
    RecallWindowClosed,
    /// A share was claimed, so the packet can no longer be recalled.
    RecallHasClaims,
    /// The request conflicts with an earlier one (an idempotency key reused, a user exists).
    Conflict,
    /// The packet has not been delivered yet (delayed delivery).
    Pending,
    /// A string holds NUL or another control character (outside the fields that allow line
    /// breaks), or a percent-encoded path segment or query value is not UTF-8.
    InvalidText,
    /// A string (path segment, query value, JSON field, header) is longer than allowed.
    TooLong,
    /// Too many login attempts for this user name or from this address; the response
    /// carries `Retry-After` (seconds).
    RateLimited,
    /// A failure of the server itself (logged there; retry later).
    Internal,
    /// The server is overloaded or shutting down (retryable).
    Unavailable,
    /// Client side: the server could not be reached, or answered with a 5xx or a page that is
    /// not an API error. Retryable with the same request.
    Network,
    /// Client side: a 2xx answer whose body is not what the call returns.
    InvalidResponse,
    /// A code this client does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 26] = [
        ErrorCode::InvalidAmount,
        ErrorCode::InvalidCount,
        ErrorCode::InvalidRequest,
        ErrorCode::LimitExceeded,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotForYou,
        ErrorCode::RecallForbidden,
        ErrorCode::RecallNeedsAuthorization,
        ErrorCode::NotFound,
        ErrorCode::InsufficientBalance,
        ErrorCode::ClaimedOut,
        ErrorCode::Expired,
        ErrorCode::Recalled,
        ErrorCode::RecallWindowClosed,
        ErrorCode::RecallHasClaims,
        ErrorCode::Conflict,
        ErrorCode::Pending,
        ErrorCode::InvalidText,
        ErrorCode::TooLong,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::Network,
        ErrorCode::InvalidResponse,
        ErrorCode::Unknown,
    ];

    /// The code as on the wire (`"claimed_out"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::InvalidCount => "invalid_count",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotForYou => "not_for_you",
            ErrorCode::RecallForbidden => "recall_forbidden",
            ErrorCode::RecallNeedsAuthorization => "recall_needs_authorization",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InsufficientBalance => "insufficient_balance",
            ErrorCode::ClaimedOut => "claimed_out",
            ErrorCode::Expired => "expired",
            ErrorCode::Recalled => "recalled",
            ErrorCode::RecallWindowClosed => "recall_window_closed",
            ErrorCode::RecallHasClaims => "recall_has_claims",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Pending => "pending",
            ErrorCode::InvalidText => "invalid_text",
            ErrorCode::TooLong => "too_long",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Network => "network",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// The HTTP status of this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidAmount
            | ErrorCode::InvalidCount
            | ErrorCode::InvalidRequest
            | ErrorCode::LimitExceeded
            | ErrorCode::InvalidText
            | ErrorCode::TooLong => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden
            | ErrorCode::NotForYou
            | ErrorCode::RecallForbidden
            | ErrorCode::RecallNeedsAuthorization => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::InsufficientBalance => 422,
            ErrorCode::ClaimedOut
            | ErrorCode::Expired
            | ErrorCode::Recalled
            | ErrorCode::RecallWindowClosed
            | ErrorCode::RecallHasClaims
            | ErrorCode::Conflict
            | ErrorCode::Pending => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            // An invalid answer from upstream, as a gateway would report it.
            ErrorCode::InvalidResponse => 502,
            ErrorCode::Unavailable | ErrorCode::Network => 503,
            // A newer server's code: a client error is the safe reading (not retried).
            ErrorCode::Unknown => 400,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------- engine errors
//
// Each of the engine's typed errors maps onto the API's list variant by variant (no
// wildcard: a new engine error must choose its code). The engine's own code, finer where
// several reasons share an API code (`recall_not_allowed`, `amount_negative`), goes into
// `detail` (see `ApiError::engine`).

impl From<&SendError> for ErrorCode {
    fn from(e: &SendError) -> ErrorCode {
        match e {
            SendError::InvalidAmount { .. } => ErrorCode::InvalidAmount,
            SendError::InvalidCount { .. } => ErrorCode::InvalidCount,
            SendError::LimitExceeded { .. } | SendError::PersonalLimitExceeded { .. } => {
                ErrorCode::LimitExceeded
            }
            SendError::InsufficientBalance { .. } => ErrorCode::InsufficientBalance,
            SendError::UnknownSender => ErrorCode::NotFound,
            SendError::NotAMember => ErrorCode::Forbidden,
            SendError::WrongChat
            | SendError::InvalidRecipient
            | SendError::GreetingTooLong { .. }
            | SendError::InvalidIdempotencyKey => ErrorCode::InvalidRequest,
            SendError::IdempotencyConflict { .. } => ErrorCode::Conflict,
        }
    }
}

impl From<&ClaimError> for ErrorCode {
    fn from(e: &ClaimError) -> ErrorCode {
        match e {
            ClaimError::NotFound => ErrorCode::NotFound,
            ClaimError::NotForYou => ErrorCode::NotForYou,
            ClaimError::Pending { .. } => ErrorCode::Pending,
            ClaimError::ClaimedOut => ErrorCode::ClaimedOut,
            ClaimError::Expired => ErrorCode::Expired,
            ClaimError::Recalled { .. } => ErrorCode::Recalled,
        }
    }
}

impl From<&RecallError> for ErrorCode {
    fn from(e: &RecallError) -> ErrorCode {
        match e {
            RecallError::NotFound => ErrorCode::NotFound,
            RecallError::NotSender
            | RecallError::NotAllowed
            | RecallError::DailyLimit { .. }
            | RecallError::Blackout => ErrorCode::RecallForbidden,
            RecallError::WindowClosed => ErrorCode::RecallWindowClosed,
            RecallError::HasClaims => ErrorCode::RecallHasClaims,
            RecallError::ClaimedOut => ErrorCode::ClaimedOut,
            RecallError::Expired => ErrorCode::Expired,
            RecallError::AlreadyRecalled => ErrorCode::Recalled,
            // Stays its own code: the client answers it by asking for the extra authorization
            // and recalling again with `authorized: true`.
            RecallError::NeedsAuthorization { .. } => ErrorCode::RecallNeedsAuthorization,
        }
    }
}

impl From<&EngineError> for ErrorCode {
    fn from(e: &EngineError) -> ErrorCode {
        match e {
            EngineError::UserExists => ErrorCode::Conflict,
            EngineError::UnknownUser => ErrorCode::NotFound,
            EngineError::InvalidUser => ErrorCode::InvalidRequest,
            EngineError::InvalidAmount => ErrorCode::InvalidAmount,
            EngineError::Overflow => ErrorCode::LimitExceeded,
        }
    }
}

impl From<&AmountError> for ErrorCode {
    fn from(e: &AmountError) -> ErrorCode {
        match e {
            AmountError::Empty
            | AmountError::TooLong
            | AmountError::Letters
            | AmountError::Malformed
            | AmountError::Exponent
            | AmountError::NotFinite
            | AmountError::BadGrouping
            | AmountError::TooManyDecimals
            | AmountError::Negative
            | AmountError::Zero
            | AmountError::TooLarge => ErrorCode::InvalidAmount,
        }
    }
}

impl From<&SnapshotError> for ErrorCode {
    fn from(e: &SnapshotError) -> ErrorCode {
        match e {
            SnapshotError::Parse(_) | SnapshotError::Invariant(_) => ErrorCode::InvalidRequest,
        }
    }
}

/// One of the engine's typed refusals, as [`ApiError::engine`] reads it: the API code it
/// maps to, the engine's own (finer) code, and its message.
pub trait EngineRefusal {
    /// The API's code for it.
    fn api_code(&self) -> ErrorCode;
    /// The engine's stable code (`recall_not_allowed`, `amount_negative`).
    fn engine_code(&self) -> &'static str;
    /// The user-facing message.
    fn message(&self, lang: Lang) -> String;
}

macro_rules! engine_refusal {
    ($($t:ty),*) => {$(
        impl EngineRefusal for $t {
            fn api_code(&self) -> ErrorCode {
                ErrorCode::from(self)
            }
            fn engine_code(&self) -> &'static str {
                self.code()
            }
            fn message(&self, lang: Lang) -> String {
                <$t>::message(self, lang)
            }
        }
    )*};
}
engine_refusal!(
    SendError,
    ClaimError,
    RecallError,
    EngineError,
    AmountError,
    SnapshotError
);

// ---------------------------------------------------------------------------- ApiError

/// An error with a stable code (PRODUCT §8 / issue 5) and a human message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The engine's finer reason when it differs from `code` (e.g. `invalid_chat`,
    /// `recall_not_allowed`, `amount_negative`), or the transport's (`payload_too_large`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// An engine refusal in `lang`: its API code, its message, and the engine's own code in
    /// `detail` when it is finer than the API's.
    pub fn engine(refusal: &(impl EngineRefusal + ?Sized), lang: Lang) -> ApiError {
        let code = refusal.api_code();
        let engine_code = refusal.engine_code();
        ApiError {
            code,
            message: refusal.message(lang),
            detail: (engine_code != code.as_str()).then(|| engine_code.to_owned()),
        }
    }

    /// The HTTP status of this error's code.
    pub fn status(&self) -> u16 {
        self.code.http_status()
    }

    /// A failure of the transport rather than a rule: safe to retry with the same request.
    pub fn network(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Network, message)
    }

    pub fn is_network(&self) -> bool {
        self.code == ErrorCode::Network
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The JSON body of every error response: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::{InvariantViolation, Money, PacketId, Policy, Timestamp};

    /// The codes of the API before they were a type, exactly as they were on the wire, and
    /// the three added since (issue 15: text validation, login rate limits).
    const WIRE: [&str; 25] = [
        "invalid_amount",
        "invalid_count",
        "invalid_request",
        "limit_exceeded",
        "unauthorized",
        "forbidden",
        "not_for_you",
        "recall_forbidden",
        "recall_needs_authorization",
        "not_found",
        "insufficient_balance",
        "claimed_out",
        "expired",
        "recalled",
        "recall_window_closed",
        "recall_has_claims",
        "conflict",
        "pending",
        "invalid_text",
        "too_long",
        "rate_limited",
        "internal",
        "unavailable",
        "network",
        "invalid_response",
    ];

    /// The status of every code as it was when codes were strings (`internal` and
    /// `unavailable` were set by the server itself, `invalid_response` was never sent).
    fn old_status(code: &str) -> u16 {
        match code {
            "invalid_amount" | "invalid_count" | "invalid_request" | "limit_exceeded" => 400,
            "unauthorized" => 401,
            "forbidden" | "not_for_you" | "recall_forbidden" | "recall_needs_authorization" => 403,
            "not_found" => 404,
            "insufficient_balance" => 422,
            "claimed_out"
            | "expired"
            | "recalled"
            | "recall_window_closed"
            | "recall_has_claims"
            | "conflict"
            | "pending" => 409,
            "invalid_text" | "too_long" => 400,
            "rate_limited" => 429,
            "network" | "unavailable" => 503,
            "internal" => 500,
            "invalid_response" => 502,
            other => panic!("not an old code: {other}"),
        }
    }

    /// How engine codes became API codes when both were strings (the oracle for the typed
    /// mapping).
    fn old_api_code(engine_code: &str) -> &str {
        match engine_code {
            "amount_empty"
            | "amount_too_long"
            | "amount_letters"
            | "amount_malformed"
            | "amount_exponent"
            | "amount_not_finite"
            | "amount_bad_grouping"
            | "amount_too_many_decimals"
            | "amount_negative"
            | "amount_zero"
            | "amount_too_large" => "invalid_amount",
            "invalid_chat"
            | "invalid_recipient"
            | "greeting_too_long"
            | "invalid_idempotency_key"
            | "invalid_user"
            | "invalid_snapshot" => "invalid_request",
            "recall_not_allowed" | "recall_daily_limit" | "recall_blackout" => "recall_forbidden",
            other => other,
        }
    }

    #[test]
    fn every_code_keeps_its_wire_form_and_status() {
        let known: Vec<ErrorCode> = ErrorCode::ALL
            .into_iter()
            .filter(|c| *c != ErrorCode::Unknown)
            .collect();
        assert_eq!(known.len(), WIRE.len());
        for (code, wire) in known.into_iter().zip(WIRE) {
            assert_eq!(code.as_str(), wire);
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{wire}\""));
            assert_eq!(
                serde_json::from_str::<ErrorCode>(&format!("\"{wire}\"")).unwrap(),
                code
            );
            assert_eq!(code.http_status(), old_status(wire), "{wire}");
            // The whole error body, byte for byte as the string-coded one was.
            let body = ErrorBody {
                error: ApiError {
                    code,
                    message: "m".into(),
                    detail: Some("d".into()),
                },
            };
            assert_eq!(
                serde_json::to_string(&body).unwrap(),
                format!(r#"{{"error":{{"code":"{wire}","message":"m","detail":"d"}}}}"#)
            );
            assert_eq!(
                serde_json::to_string(&ApiError::new(code, "m")).unwrap(),
                format!(r#"{{"code":"{wire}","message":"m"}}"#)
            );
        }
    }

    #[test]
    fn a_newer_servers_code_is_unknown_not_unreadable() {
        let e: ErrorBody = serde_json::from_str(
            r#"{"error":{"code":"from_the_future","message":"slow down","detail":"x"}}"#,
        )
        .unwrap();
        assert_eq!(e.error.code, ErrorCode::Unknown);
        assert_eq!(e.error.message, "slow down");
        assert_eq!(ErrorCode::Unknown.http_status(), 400);
        assert!(serde_json::from_str::<ErrorCode>("7").is_err());
    }

    /// Every engine refusal, one per variant.
    fn refusals() -> Vec<(Box<dyn EngineRefusal>, &'static str)> {
        let m = Money::from_fen(100);
        let t = Timestamp::from_millis(0);
        let mut all: Vec<Box<dyn EngineRefusal>> = vec![
            Box::new(SendError::InvalidAmount { min: m }),
            Box::new(SendError::InvalidCount { max: 100 }),
            Box::new(SendError::LimitExceeded { max: m }),
            Box::new(SendError::PersonalLimitExceeded {
                max: m,
                special_max: m,
                days: Policy::default().special_days,
            }),
            Box::new(SendError::InsufficientBalance {
                balance: m,
                needed: m,
            }),
            Box::new(SendError::UnknownSender),
            Box::new(SendError::NotAMember),
            Box::new(SendError::WrongChat),
            Box::new(SendError::InvalidRecipient),
            Box::new(SendError::GreetingTooLong { max: 50 }),
            Box::new(SendError::InvalidIdempotencyKey),
            Box::new(SendError::IdempotencyConflict {
                packet: PacketId(1),
            }),
            Box::new(ClaimError::NotFound),
            Box::new(ClaimError::NotForYou),
            Box::new(ClaimError::Pending { deliver_at: t }),
            Box::new(ClaimError::ClaimedOut),
            Box::new(ClaimError::Expired),
            Box::new(ClaimError::Recalled { at: t }),
            Box::new(RecallError::NotFound),
            Box::new(RecallError::NotSender),
            Box::new(RecallError::NotAllowed),
            Box::new(RecallError::WindowClosed),
            Box::new(RecallError::HasClaims),
            Box::new(RecallError::ClaimedOut),
            Box::new(RecallError::Expired),
            Box::new(RecallError::AlreadyRecalled),
            Box::new(RecallError::DailyLimit { max: 3 }),
            Box::new(RecallError::Blackout),
            Box::new(RecallError::NeedsAuthorization { above: m }),
            Box::new(EngineError::UserExists),
            Box::new(EngineError::UnknownUser),
            Box::new(EngineError::InvalidUser),
            Box::new(EngineError::InvalidAmount),
            Box::new(EngineError::Overflow),
            Box::new(SnapshotError::Parse("x".into())),
            Box::new(SnapshotError::Invariant(InvariantViolation::Conservation)),
        ];
        all.extend(
            AmountError::ALL
                .into_iter()
                .map(|e| Box::new(e) as Box<dyn EngineRefusal>),
        );
        all.into_iter()
            .map(|e| {
                let code = e.engine_code();
                (e, code)
            })
            .collect()
    }

    #[test]
    fn engine_refusals_map_as_the_string_codes_did() {
        let all = refusals();
        assert_eq!(all.len(), 36 + AmountError::ALL.len());
        for (e, engine_code) in all {
            let api = ApiError::engine(e.as_ref(), Lang::En);
            let expected = old_api_code(engine_code);
            assert_eq!(api.code.as_str(), expected, "{engine_code}");
            assert_eq!(
                api.detail.as_deref(),
                (expected != engine_code).then_some(engine_code),
                "{engine_code}"
            );
            assert_eq!(api.message, e.message(Lang::En));
            assert_ne!(
                ApiError::engine(e.as_ref(), Lang::Zh).message,
                api.message,
                "{engine_code}: the message follows the language"
            );
        }
    }
}
