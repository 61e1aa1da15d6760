//! The widget's settings: one typed value with defaults.
//!
//! Here, not in the widget crate, because studies and experiments are made of settings and the
//! server validates them too; the page's sources (its meta tag, the URL) are the widget's
//! (`src/settings.rs`).
//!
//! The same settings come from the URL query (`?stages=3&recall=window&window=30`), from the
//! settings panel, from an embed's data attributes and from a lab variant; all of them go
//! through [`Settings::apply`], so every source accepts the same keys and values.

use hongbao_engine::{Lang, RecallMode, SplitRule};
use serde::{Deserialize, Serialize};

/// How many confirmation stages run before a send (PRODUCT §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stages {
    /// Entry only.
    One,
    /// Entry and review.
    Two,
    /// Entry, review and authorize.
    Three,
    /// Entry, then review and authorize only when a warning fires.
    Adaptive,
}

/// How the last stage authorizes a send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    Pin,
    Hold,
}

/// Which backend the widget talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// The engine in the page, state in localStorage.
    Mock,
    /// The project's HTTP server.
    Http,
}

/// The colour of income in the wallet (money in, `+¥…`). Chinese money apps show income in
/// red (red is good fortune); English ones mostly in green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeColour {
    /// Red in Chinese, green in English.
    Auto,
    Red,
    Green,
}

impl IncomeColour {
    pub const ALL: [IncomeColour; 3] = [IncomeColour::Auto, IncomeColour::Red, IncomeColour::Green];

    pub fn as_str(self) -> &'static str {
        match self {
            IncomeColour::Auto => "auto",
            IncomeColour::Red => "red",
            IncomeColour::Green => "green",
        }
    }

    /// Whether income shows in red in `lang`.
    pub fn is_red(self, lang: Lang) -> bool {
        match self {
            IncomeColour::Auto => lang == Lang::Zh,
            IncomeColour::Red => true,
            IncomeColour::Green => false,
        }
    }
}

/// The colours of the standalone page: the system's (`prefers-color-scheme`), light or dark.
/// The page keeps it on its root element as `data-theme` (the widget's `nav::show_theme`); the
/// stylesheet does the rest. An embedded widget has its own `theme` attribute
/// (the widget's `embed::Theme`) and ignores this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub stages: Stages,
    pub auth: Auth,
    pub recall: RecallMode,
    /// Recall window (and the delay of the delayed policy), in seconds.
    pub window_secs: u32,
    pub split: SplitRule,
    /// Animations on; also off when the system asks for reduced motion.
    pub motion: bool,
    pub lang: Lang,
    /// Simulated latency of the mock backend: `None` draws 150–400 ms per call.
    pub latency_ms: Option<u32>,
    /// Share of mock backend calls that fail (0–100), half before and half after the
    /// change is applied, to exercise safe retries.
    pub fail_percent: u8,
    /// Simulated members who claim group packets on their own.
    pub bots: bool,
    /// Seed of the mock backend's random sources (replayable runs).
    pub seed: u64,
    pub backend: BackendKind,
    /// The server's base URL for the HTTP backend (`None`: the page's own origin).
    pub server: Option<String>,
    /// Keeps the mock state of several widgets on one page apart.
    pub storage_key: String,
    /// The user the widget starts as.
    pub user: String,
    /// The review shows the engine's warnings (a lab variant can hide them).
    pub warnings: bool,
    /// The colour of income in the wallet.
    pub income: IncomeColour,
    /// The page's colours (the standalone page only).
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            stages: Stages::Three,
            auth: Auth::Pin,
            recall: RecallMode::Window,
            window_secs: 120,
            split: SplitRule::DoubleMean,
            motion: true,
            lang: Lang::Zh,
            latency_ms: None,
            fail_percent: 0,
            bots: true,
            seed: 20_240_520,
            backend: BackendKind::Mock,
            server: None,
            storage_key: "hongbao".into(),
            user: "alice".into(),
            warnings: true,
            income: IncomeColour::Auto,
            theme: Theme::Auto,
        }
    }
}

/// How the standalone page draws the app (`?frame=auto|phone`). Not a widget setting (an
/// embedded widget has no page of its own): `main.rs` reads it with [`Frame::from_query`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frame {
    /// The whole window: the phone layout below 900 px, chat list and chat side by side above.
    #[default]
    Auto,
    /// The phone layout in a phone-sized frame, at any width (demos, screenshots).
    Phone,
}

impl Frame {
    /// The `frame` key of a query string (the last one wins); a bad value is reported and
    /// leaves [`Frame::Auto`].
    pub fn from_query(query: &str) -> (Frame, Option<SettingError>) {
        let mut frame = (Frame::Auto, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if decode(key) == "frame" {
                frame = match decode(value).trim() {
                    "auto" => (Frame::Auto, None),
                    "phone" => (Frame::Phone, None),
                    v => (
                        Frame::Auto,
                        Some(SettingError {
                            key: "frame".into(),
                            value: v.to_owned(),
                            expected: "auto|phone",
                        }),
                    ),
                };
            }
        }
        frame
    }
}

/// A setting that could not be applied; the others still apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    pub key: String,
    pub value: String,
    /// What the key accepts, e.g. `1|2|3|adaptive`.
    pub expected: &'static str,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The value in plain double quotes, not `{:?}`: `str`'s Debug (its escaping and
        // Unicode tables) would be linked into the embed's first load for this message alone.
        write!(
            f,
            "{}=\"{}\": expected {}",
            self.key, self.value, self.expected
        )
    }
}

/// The keys [`Settings::apply`] knows, with what each accepts.
pub const KEYS: [(&str, &str); 18] = [
    ("stages", "1|2|3|adaptive"),
    ("auth", "pin|hold"),
    ("recall", "none|window|remainder|delayed"),
    ("window", "seconds, 1–86400"),
    ("split", "double_mean|line_cutting"),
    ("motion", "on|off"),
    ("lang", "zh|en"),
    ("latency", "milliseconds, 0–10000"),
    ("fail", "percent, 0–100"),
    ("bots", "on|off"),
    ("seed", "a whole number"),
    ("backend", "mock|http"),
    ("server", "http(s)://host[:port]"),
    ("storage", "letters, digits, - and _"),
    ("user", "a demo user name"),
    ("warnings", "on|off"),
    ("income", "auto|red|green"),
    ("theme", "auto|light|dark"),
];

impl Settings {
    /// Applies one `key=value` pair. Unknown keys are ignored (other tools may share the
    /// query string); a known key with a bad value is an error and changes nothing.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        let Some(&(_, expected)) = KEYS.iter().find(|(k, _)| *k == key) else {
            return Ok(());
        };
        let bad = || SettingError {
            key: key.to_owned(),
            value: value.to_owned(),
            expected,
        };
        let v = value.trim();
        match key {
            "stages" => {
                self.stages = match v {
                    "1" => Stages::One,
                    "2" => Stages::Two,
                    "3" => Stages::Three,
                    "adaptive" => Stages::Adaptive,
                    _ => return Err(bad()),
                }
            }
            "auth" => {
                self.auth = match v {
                    "pin" => Auth::Pin,
                    "hold" => Auth::Hold,
                    _ => return Err(bad()),
                }
            }
            "recall" => {
                self.recall = RecallMode::ALL
                    .into_iter()
                    .find(|m| m.as_str() == v)
                    .ok_or_else(bad)?
            }
            "window" => self.window_secs = parse_in(v, 1, 86_400).ok_or_else(bad)?,
            "split" => {
                self.split = SplitRule::ALL
                    .into_iter()
                    .find(|r| r.as_str() == v || r.as_str().replace('_', "-") == v)
                    .ok_or_else(bad)?
            }
            "motion" => self.motion = on_off(v).ok_or_else(bad)?,
            "lang" => self.lang = Lang::from_tag(v).ok_or_else(bad)?,
            "latency" => self.latency_ms = Some(parse_in(v, 0, 10_000).ok_or_else(bad)?),
            "fail" => self.fail_percent = parse_in(v, 0, 100).ok_or_else(bad)? as u8,
            "bots" => self.bots = on_off(v).ok_or_else(bad)?,
            "warnings" => self.warnings = on_off(v).ok_or_else(bad)?,
            "seed" => self.seed = v.parse().map_err(|_| bad())?,
            "income" => {
                self.income = IncomeColour::ALL
                    .into_iter()
                    .find(|c| c.as_str() == v)
                    .ok_or_else(bad)?
            }
            "theme" => {
                self.theme = Theme::ALL
                    .into_iter()
                    .find(|t| t.as_str() == v)
                    .ok_or_else(bad)?
            }
            "backend" => {
                self.backend = match v {
                    "mock" => BackendKind::Mock,
                    "http" | "real" => BackendKind::Http,
                    _ => return Err(bad()),
                }
            }
            "server" => {
                let ok = (v.starts_with("http://") || v.starts_with("https://")) && v.len() <= 200;
                self.server = Some(
                    Some(v.trim_end_matches('/').to_owned())
                        .filter(|_| ok)
                        .ok_or_else(bad)?,
                )
            }
            "storage" => {
                let ok = !v.is_empty()
                    && v.len() <= 64
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                self.storage_key = Some(v.to_owned()).filter(|_| ok).ok_or_else(bad)?
            }
            "user" => {
                let ok = hongbao_api::demo::DEMO_USERS.contains(&v);
                self.user = Some(v.to_owned()).filter(|_| ok).ok_or_else(bad)?
            }
            _ => {}
        }
        Ok(())
    }

    /// Settings from a URL query string (with or without the leading `?`), and the values
    /// that were rejected (those keep their defaults).
    pub fn from_query(query: &str) -> (Settings, Vec<SettingError>) {
        let mut settings = Settings::default();
        let mut errors = Vec::new();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Err(e) = settings.apply(&decode(key), &decode(value)) {
                errors.push(e);
            }
        }
        (settings, errors)
    }

    /// The settings as a query string that [`Settings::from_query`] reads back.
    pub fn to_query(&self) -> String {
        let stages = match self.stages {
            Stages::One => "1",
            Stages::Two => "2",
            Stages::Three => "3",
            Stages::Adaptive => "adaptive",
        };
        let auth = match self.auth {
            Auth::Pin => "pin",
            Auth::Hold => "hold",
        };
        let on = |b: bool| if b { "on" } else { "off" };
        let mut q = format!(
            "stages={stages}&auth={auth}&recall={}&window={}&split={}&motion={}&lang={}&fail={}&bots={}&seed={}&backend={}&storage={}&user={}&warnings={}&income={}&theme={}",
            self.recall.as_str(),
            self.window_secs,
            self.split.as_str(),
            on(self.motion),
            self.lang.as_str(),
            self.fail_percent,
            on(self.bots),
            self.seed,
            match self.backend {
                BackendKind::Mock => "mock",
                BackendKind::Http => "http",
            },
            self.storage_key,
            self.user,
            on(self.warnings),
            self.income.as_str(),
            self.theme.as_str(),
        );
        if let Some(ms) = self.latency_ms {
            q.push_str(&format!("&latency={ms}"));
        }
        if let Some(server) = &self.server {
            q.push_str(&format!("&server={server}"));
        }
        q
    }
}

fn parse_in(v: &str, lo: u32, hi: u32) -> Option<u32> {
    v.parse::<u32>().ok().filter(|n| (lo..=hi).contains(n))
}

fn on_off(v: &str) -> Option<bool> {
    match v {
        "on" | "true" | "1" => Some(true),
        "off" | "false" | "0" => Some(false),
        _ => None,
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

/// `a` then `b` as one query string (`b`'s values win in [`Settings::from_query`]).
pub fn join_queries(a: &str, b: &str) -> String {
    let (a, b) = (a.trim_start_matches('?'), b.trim_start_matches('?'));
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}&{b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_defaults_come_first_and_the_url_wins() {
        let q = join_queries("backend=http&lang=en", "?lang=zh");
        assert_eq!(q, "backend=http&lang=en&lang=zh");
        let (s, errors) = Settings::from_query(&q);
        assert!(errors.is_empty());
        assert_eq!(s.backend, BackendKind::Http);
        assert_eq!(s.lang, Lang::Zh);
        assert_eq!(join_queries("", "?a=1"), "a=1");
        assert_eq!(join_queries("a=1", ""), "a=1");
        assert_eq!(join_queries("", ""), "");
    }

    #[test]
    fn the_frame_is_read_apart_from_the_settings() {
        assert_eq!(
            Frame::from_query("?lang=en&frame=phone"),
            (Frame::Phone, None)
        );
        assert_eq!(
            Frame::from_query("frame=phone&frame=auto"),
            (Frame::Auto, None)
        );
        assert_eq!(Frame::from_query(""), (Frame::Auto, None));
        let (frame, error) = Frame::from_query("frame=watch");
        assert_eq!(frame, Frame::Auto);
        assert_eq!(error.map(|e| e.expected), Some("auto|phone"));
        // The settings ignore it (an unknown key to them).
        assert_eq!(
            Settings::from_query("frame=phone"),
            (Settings::default(), vec![])
        );
    }

    #[test]
    fn stored_preferences_lose_to_the_url() {
        let q = join_queries(
            &join_queries("backend=http", "lang=en&user=bob"),
            "?user=carol",
        );
        let (s, errors) = Settings::from_query(&q);
        assert!(errors.is_empty());
        assert_eq!(
            (s.backend, s.lang, s.user.as_str()),
            (BackendKind::Http, Lang::En, "carol")
        );
    }

    #[test]
    fn query_overrides_defaults() {
        let (s, errors) = Settings::from_query(
            "?stages=adaptive&auth=hold&recall=remainder&window=30&split=line_cutting&motion=off&lang=en&latency=0&fail=50&bots=off&seed=42&unknown=1",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(s.stages, Stages::Adaptive);
        assert_eq!(s.auth, Auth::Hold);
        assert_eq!(s.recall, RecallMode::Remainder);
        assert_eq!(s.window_secs, 30);
        assert_eq!(s.split, SplitRule::LineCutting);
        assert!(!s.motion && !s.bots);
        assert_eq!(s.lang, Lang::En);
        assert_eq!((s.latency_ms, s.fail_percent, s.seed), (Some(0), 50, 42));
    }

    #[test]
    fn bad_values_keep_defaults_and_are_reported() {
        let (s, errors) = Settings::from_query(
            "stages=4&auth=face&recall=sometimes&window=0&split=evenly&motion=maybe&lang=fr&latency=-1&fail=101&bots=2&seed=x&backend=ftp&server=javascript:alert(1)&storage=a/b&user=mallory&warnings=maybe&income=blue&theme=purple",
        );
        assert_eq!(s, Settings::default());
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    }

    #[test]
    fn query_round_trips() {
        let (s, _) = Settings::from_query(
            "stages=2&recall=delayed&window=45&latency=10&server=http://127.0.0.1:3000/&user=bob&income=red&theme=dark",
        );
        assert_eq!(s.server.as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(s.income, IncomeColour::Red);
        assert_eq!(s.theme, Theme::Dark);
        let (back, errors) = Settings::from_query(&s.to_query());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn income_is_red_in_chinese_and_green_in_english_unless_chosen() {
        let auto = Settings::default().income;
        assert!(auto.is_red(Lang::Zh) && !auto.is_red(Lang::En));
        assert!(IncomeColour::Red.is_red(Lang::En));
        assert!(!IncomeColour::Green.is_red(Lang::Zh));
    }

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode("a+b%20c%2"), "a b c%2");
        assert_eq!(decode("%E7%BA%A2%zz"), "红%zz");
    }
}
