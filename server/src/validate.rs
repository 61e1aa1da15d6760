//! Text validation, once for every backend: every string a request brings (path segments,
//! query values, JSON fields and keys, the `Authorization` header) is checked here before
//! a handler or a database sees it.
//!
//! - No NUL and no other control character (Unicode category Cc: U+0000–U+001F and
//!   U+007F–U+009F), except line breaks and tabs in the fields listed in [`MULTILINE`].
//!   PostgreSQL cannot store U+0000 in `text` at all (it answered such input with a 500),
//!   and control characters have no business in names, ids or keys.
//! - No value longer than its limit ([`FIELD_LIMITS`], else [`MAX_STRING`] for JSON strings,
//!   [`MAX_SEGMENT`] for path segments, [`MAX_QUERY_VALUE`] for query values).
//! - Percent-encoded path segments and query values must decode to UTF-8.
//!
//! Failures are `400` with code `invalid_text` or `too_long` (see [`crate::codes`]) and a
//! message naming the field. The path, query and header checks are a route layer
//! ([`layer`]); JSON bodies are checked where they are parsed ([`crate::extract::parse_json`]),
//! after the body's size and content type.

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request};
use axum::http::{HeaderMap, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::codes;
use crate::error::{AppError, AppResult};

/// JSON fields whose strings may hold line breaks and tabs.
pub const MULTILINE: &[&str] = &["greeting"];

/// Limits in characters of JSON fields (by key, at any depth) that name things the store
/// looks up.
pub const FIELD_LIMITS: &[(&str, usize)] = &[
    ("username", 64),
    ("recipient", 64),
    ("chat_id", 128),
    ("password", 1024),
];

/// Longest JSON string elsewhere, in characters.
pub const MAX_STRING: usize = 4096;
/// Longest JSON string of a document written for people to read (a study: its consent,
/// instructions, closing text), in characters; the document's size is limited too.
pub const MAX_DOCUMENT_STRING: usize = 16_384;
/// Longest JSON object key, in characters.
pub const MAX_KEY: usize = 128;
/// Longest study key, in characters (hongbao-study's limit: letters, digits, `-`, `_`).
pub const MAX_STUDY_KEY: usize = 64;
/// Longest path segment (a chat id, a packet id), in characters once decoded.
pub const MAX_SEGMENT: usize = 128;
/// Longest query value, in characters once decoded.
pub const MAX_QUERY_VALUE: usize = 256;
/// Longest query string before decoding, in bytes.
pub const MAX_QUERY: usize = 2048;
/// Longest `Authorization` header, in bytes.
pub const MAX_AUTHORIZATION: usize = 512;

/// Checks one string: no control characters (but line breaks and tabs when `multiline`),
/// at most `max_chars` characters.
pub fn text(field: &str, value: &str, max_chars: usize, multiline: bool) -> AppResult<()> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(codes::invalid_text(format!(
            "{} must not contain control characters (found U+{:04X})",
            shown(field),
            u32::from(c)
        )));
    }
    if value.len() > max_chars && value.chars().nth(max_chars).is_some() {
        return Err(codes::too_long(format!(
            "{} is longer than {max_chars} characters",
            shown(field)
        )));
    }
    Ok(())
}

/// A field's name for a message (itself checked: it may come from the request).
fn shown(field: &str) -> String {
    let mut name: String = field
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(64)
        .collect();
    if name.is_empty() {
        name.push_str("a value");
    }
    name
}

fn field_limit(key: &str) -> usize {
    FIELD_LIMITS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(MAX_STRING, |(_, n)| *n)
}

/// Checks every string and key of a JSON value.
pub fn json(value: &Value) -> AppResult<()> {
    json_at(value, "body", MAX_STRING, false, Rules::Request)
}

/// Checks every string and key of a document written for people to read (a study): its
/// strings may hold line breaks and tabs (paragraphs of a consent text) and up to
/// [`MAX_DOCUMENT_STRING`] characters, whatever their field; any other control character
/// is refused, and keys are checked as in [`json`].
pub fn document(value: &Value) -> AppResult<()> {
    json_at(value, "body", MAX_DOCUMENT_STRING, true, Rules::Document)
}

/// Which limits a JSON value's strings get.
#[derive(Clone, Copy)]
enum Rules {
    /// A request's fields: [`FIELD_LIMITS`] and [`MULTILINE`] by key, else [`MAX_STRING`].
    Request,
    /// A document's: every string [`MAX_DOCUMENT_STRING`], line breaks and tabs allowed.
    Document,
}

fn json_at(value: &Value, field: &str, max: usize, multiline: bool, rules: Rules) -> AppResult<()> {
    match value {
        Value::String(s) => text(field, s, max, multiline),
        Value::Array(items) => items
            .iter()
            .try_for_each(|v| json_at(v, field, max, multiline, rules)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            text("a field name", k, MAX_KEY, false)?;
            match rules {
                Rules::Request => {
                    json_at(v, k, field_limit(k), MULTILINE.contains(&k.as_str()), rules)
                }
                Rules::Document => json_at(v, k, max, multiline, rules),
            }
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Decodes a percent-encoded query part (`+` is a space).
fn decode_query_part(field: &str, raw: &str) -> AppResult<String> {
    let raw = raw.replace('+', " ");
    percent_decode_str(&raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            codes::invalid_text(format!(
                "the query parameter {} is not UTF-8 once decoded",
                shown(field)
            ))
        })
}

/// Checks the query string: every name and value decodes to UTF-8 without control
/// characters, within the limits.
pub fn query(uri: &Uri) -> AppResult<()> {
    let Some(q) = uri.query() else { return Ok(()) };
    if q.len() > MAX_QUERY {
        return Err(codes::too_long(format!(
            "the query is longer than {MAX_QUERY} bytes"
        )));
    }
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode_query_part("name", name)?;
        text("a query parameter name", &name, MAX_KEY, false)?;
        let value = decode_query_part(&name, value)?;
        text(&name, &value, MAX_QUERY_VALUE, false)?;
    }
    Ok(())
}

/// Checks the headers used as identity: `Authorization` is visible ASCII (and spaces) of
/// at most [`MAX_AUTHORIZATION`] bytes.
pub fn identity_headers(headers: &HeaderMap) -> AppResult<()> {
    for value in headers.get_all(header::AUTHORIZATION) {
        let bytes = value.as_bytes();
        if let Some(b) = bytes.iter().find(|b| !(0x20..=0x7e).contains(*b)) {
            return Err(codes::invalid_text(format!(
                "the Authorization header must be printable ASCII (found byte 0x{b:02X})"
            )));
        }
        if bytes.len() > MAX_AUTHORIZATION {
            return Err(codes::too_long(format!(
                "the Authorization header is longer than {MAX_AUTHORIZATION} bytes"
            )));
        }
    }
    Ok(())
}

/// Checks the path parameters of the matched route.
pub fn path_params(params: Result<RawPathParams, RawPathParamsRejection>) -> AppResult<()> {
    match params {
        Ok(params) => params
            .iter()
            .try_for_each(|(name, value)| text(name, value, MAX_SEGMENT, false)),
        Err(RawPathParamsRejection::InvalidUtf8InPathParam(e)) => Err(codes::invalid_text(
            format!("a path segment is not UTF-8 once decoded: {e}"),
        )),
        // Routes without parameters.
        Err(_) => Ok(()),
    }
}

/// The route layer: path parameters, query and identity headers, before the handler.
pub async fn layer(
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    let checked = path_params(params)
        .and_then(|()| query(request.uri()))
        .and_then(|()| identity_headers(request.headers()));
    match checked {
        Ok(()) => next.run(request).await,
        Err(e) => rejected(e),
    }
}

fn rejected(e: AppError) -> Response {
    tracing::debug!(code = %e.error.code, "request rejected by validation");
    e.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(r: AppResult<()>) -> String {
        r.err()
            .map(|e| e.error.code.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn control_characters_are_refused_except_line_breaks_where_allowed() {
        assert_eq!(code(text("f", "a\0b", 10, false)), "invalid_text");
        assert_eq!(code(text("f", "a\u{7f}", 10, false)), "invalid_text");
        assert_eq!(code(text("f", "a\u{85}", 10, false)), "invalid_text");
        assert_eq!(code(text("f", "a\nb", 10, false)), "invalid_text");
        assert_eq!(code(text("f", "a\nb\tc\r\n", 10, true)), "");
        assert_eq!(code(text("f", "a\0b", 10, true)), "invalid_text");
        assert_eq!(code(text("f", "恭喜发财 🧧", 10, false)), "");
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(code(text("f", &"长".repeat(10), 10, false)), "");
        assert_eq!(code(text("f", &"长".repeat(11), 10, false)), "too_long");
    }

    #[test]
    fn json_checks_every_string_and_key_with_field_limits() {
        assert_eq!(code(json(&json!({"greeting": "a\nb"}))), "");
        assert_eq!(code(json(&json!({"chat_id": "a\nb"}))), "invalid_text");
        assert_eq!(
            code(json(&json!([{"type": "x", "deep": {"k": ["\u{0}"]}}]))),
            "invalid_text"
        );
        assert_eq!(code(json(&json!({"a\u{1}": 1}))), "invalid_text");
        assert_eq!(code(json(&json!({"username": "u".repeat(65)}))), "too_long");
        assert_eq!(code(json(&json!({"note": "u".repeat(65)}))), "");
        assert_eq!(
            code(json(&json!({"note": "u".repeat(MAX_STRING + 1)}))),
            "too_long"
        );
    }

    #[test]
    fn documents_allow_line_breaks_everywhere_but_no_other_control_character() {
        let consent = json!({"consent": {"en": "One.\n\nTwo.\tThree.\r\n"}});
        assert_eq!(code(document(&consent)), "");
        assert_eq!(code(json(&consent)), "invalid_text", "not in a request");
        assert_eq!(
            code(document(&json!({"tasks": [{"id": "a\u{0}"}]}))),
            "invalid_text"
        );
        assert_eq!(code(document(&json!({"t": "\u{1b}[31m"}))), "invalid_text");
        assert_eq!(code(document(&json!({"a\nb": 1}))), "invalid_text");
        assert_eq!(
            code(document(&json!({"user": "u".repeat(MAX_STRING + 1)}))),
            ""
        );
        assert_eq!(
            code(document(&json!({"t": "u".repeat(MAX_DOCUMENT_STRING + 1)}))),
            "too_long"
        );
    }

    #[test]
    fn queries_decode_and_are_checked() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(code(query(&uri("/x?all=true&a=%E9%95%BF"))), "");
        assert_eq!(code(query(&uri("/x?all=%00"))), "invalid_text");
        assert_eq!(code(query(&uri("/x?a%00=1"))), "invalid_text");
        assert_eq!(code(query(&uri("/x?all=%FF"))), "invalid_text");
        let long = format!("/x?a={}", "b".repeat(MAX_QUERY_VALUE + 1));
        assert_eq!(code(query(&uri(&long))), "too_long");
    }

    #[test]
    fn authorization_must_be_printable_ascii() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(code(identity_headers(&h)), "");
        h.insert(
            header::AUTHORIZATION,
            axum::http::HeaderValue::from_bytes(b"Bearer \tabc").unwrap(),
        );
        assert_eq!(code(identity_headers(&h)), "invalid_text");
        h.insert(
            header::AUTHORIZATION,
            axum::http::HeaderValue::from_bytes("Bearer 长".as_bytes()).unwrap(),
        );
        assert_eq!(code(identity_headers(&h)), "invalid_text");
    }
}
