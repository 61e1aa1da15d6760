//! Security headers, CORS and the served widget with its Content-Security-Policy.

use axum::http::{HeaderName, HeaderValue, Method, header};
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The widget's policy: only its own scripts (and the hashes of the inline boot script
/// Trunk writes into index.html), its own styles, its own server; wasm may compile.
pub const WIDGET_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'self'";

/// JSON responses need nothing at all.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Headers on every response.
pub fn common_headers() -> Vec<(HeaderName, HeaderValue)> {
    vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

/// The widget's CSP with `'sha256-…'` sources for the inline `<script>` and `<style>`
/// blocks of `index.html` (Trunk inlines its boot script), so nothing else inline runs.
pub fn widget_csp(index_html: &str) -> String {
    let scripts = inline_hashes(index_html, "script");
    let styles = inline_hashes(index_html, "style");
    let mut csp = WIDGET_CSP.to_owned();
    if !scripts.is_empty() {
        csp = csp.replacen(
            "script-src 'self' 'wasm-unsafe-eval'",
            &format!("script-src 'self' 'wasm-unsafe-eval' {}", scripts.join(" ")),
            1,
        );
    }
    if !styles.is_empty() {
        csp = csp.replacen(
            "style-src 'self'",
            &format!("style-src 'self' {}", styles.join(" ")),
            1,
        );
    }
    csp
}

/// The settings the served widget starts from: the HTTP backend, this server's origin.
pub const WIDGET_SETTINGS: &str = "backend=http";

/// The widget's `index.html` as this server serves it: with
/// `<meta name="hongbao-settings" content="backend=http">` in its head, so that the widget
/// talks to this server (a `?backend=` in the URL still wins).
pub fn widget_index(index_html: &str) -> String {
    let meta = format!(r#"<meta name="hongbao-settings" content="{WIDGET_SETTINGS}">"#);
    match index_html.find("<head>") {
        Some(at) => format!("{}{meta}{}", &index_html[..at + 6], &index_html[at + 6..]),
        None => format!("{meta}{index_html}"),
    }
}

/// `'sha256-<base64>'` of every `<tag …>content</tag>` without a `src` attribute.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let Some(gt) = after.find('>') else { break };
        let attrs = &after[open.len()..gt];
        let body_start = gt + 1;
        let Some(end) = after[body_start..].find(&close) else {
            break;
        };
        let body = &after[body_start..body_start + end];
        if !attrs.contains("src=") && !body.trim().is_empty() {
            out.push(format!(
                "'sha256-{}'",
                base64(&Sha256::digest(body.as_bytes()))
            ));
        }
        rest = &after[body_start + end + close.len()..];
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(T[(n >> 18) as usize & 63] as char);
        s.push(T[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

/// CORS for the given origins (`*` allows any); `None` when no origin is configured (the
/// default: browsers then refuse cross-origin calls).
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT_LANGUAGE,
            ])
            .expose_headers([HeaderName::from_static("idempotent-replayed")]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<script type=\"module\">boot()</script><script src=\"/a.js\"></script>";
        let hashes = inline_hashes(html, "script");
        assert_eq!(hashes.len(), 1);
        let expected = format!("'sha256-{}'", base64(&Sha256::digest(b"boot()")));
        assert_eq!(hashes[0], expected);
    }
}
