//! The widget's settings: one typed value with defaults.
//!
//! The same settings come from the URL query (`?lang=en&recall=window`), from a settings
//! panel, and (later) from an embed's data attributes; they all go through [`Settings::apply`].

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub lang: Lang,
    /// Seed of the mock backend's random source (replayable runs).
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Zh,
            seed: 20_240_520,
        }
    }
}

/// A setting that could not be applied; the rest still apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    pub key: String,
    pub value: String,
}

impl Settings {
    /// Applies one `key=value` pair. Unknown keys are ignored (other tools may share the
    /// query string); a known key with a bad value is an error and changes nothing.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        let bad = || SettingError {
            key: key.to_owned(),
            value: value.to_owned(),
        };
        match key {
            "lang" => self.lang = Lang::parse(value).ok_or_else(bad)?,
            "seed" => self.seed = value.trim().parse().map_err(|_| bad())?,
            _ => {}
        }
        Ok(())
    }

    /// Settings from a URL query string (with or without the leading `?`); bad values
    /// keep their defaults.
    pub fn from_query(query: &str) -> Settings {
        let mut settings = Settings::default();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let _ = settings.apply(key, &decode(value));
        }
        settings
    }
}

/// Minimal `application/x-www-form-urlencoded` decoding (`+` and `%XX`); a malformed
/// escape is kept as it is.
fn decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The page's query string (empty outside a browser).
pub fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_overrides_defaults() {
        let s = Settings::from_query("?lang=en&seed=42&unknown=1");
        assert_eq!(s.lang, Lang::En);
        assert_eq!(s.seed, 42);
    }

    #[test]
    fn bad_values_keep_defaults() {
        let s = Settings::from_query("lang=klingon&seed=-1");
        assert_eq!(s, Settings::default());
        let mut s = Settings::default();
        assert_eq!(
            s.apply("seed", "x"),
            Err(SettingError {
                key: "seed".into(),
                value: "x".into()
            })
        );
    }

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode("a+b%20c%2"), "a b c%2");
        assert_eq!(decode("%E7%BA%A2%zz"), "红%zz");
    }
}
