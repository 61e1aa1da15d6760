//! The widget's settings. Their format (keys, values, [`Settings::apply`]) is
//! `hongbao_study::settings`, shared with the server, which validates the studies made of
//! them; here is what only a page has: the settings its meta tag and URL give, and what the
//! mock backend reads of them.

pub use hongbao_study::settings::*;

/// The page's settings as one query string: the page's defaults first (the `content` of
/// `<meta name="hongbao-settings">`, which `hongbao-server` adds to the page it serves so
/// that its widget uses the HTTP backend), then the URL's query, which wins. Empty outside
/// a browser.
pub fn current_query() -> String {
    page_query("")
}

/// [`current_query`] with `stored` (the preferences kept from the last visit,
/// `crate::nav::stored_prefs`) between the page's defaults and the URL's query: the URL wins.
pub fn page_query(stored: &str) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let defaults = window
        .document()
        .and_then(|d| {
            d.query_selector(r#"meta[name="hongbao-settings"]"#)
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default();
    let search = window.location().search().unwrap_or_default();
    join_queries(&join_queries(&defaults, stored), &search)
}

/// What the mock backend reads of the settings (`hongbao-mock` knows nothing of them).
pub fn mock_config(s: &Settings) -> hongbao_mock::MockConfig {
    hongbao_mock::MockConfig {
        recall: s.recall,
        window_secs: s.window_secs,
        split: s.split,
        lang: s.lang,
        seed: s.seed,
        latency_ms: s.latency_ms,
        fail_percent: s.fail_percent,
        bots: s.bots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::{Lang, RecallMode, SplitRule};

    /// The mock's defaults are the settings' (a log's policy query leaves out nothing, but
    /// the demo a fresh widget starts must be the one the mock's tests describe).
    #[test]
    fn the_mock_reads_what_the_settings_say() {
        assert_eq!(
            mock_config(&Settings::default()),
            hongbao_mock::MockConfig::default()
        );
        let (s, errors) = Settings::from_query(
            "recall=delayed&window=45&split=line_cutting&lang=en&latency=0&fail=30&bots=off&seed=7",
        );
        assert!(errors.is_empty());
        let c = mock_config(&s);
        assert_eq!(
            (
                c.recall,
                c.window_secs,
                c.split,
                c.lang,
                c.latency_ms,
                c.fail_percent,
                c.bots,
                c.seed
            ),
            (
                RecallMode::Delayed,
                45,
                SplitRule::LineCutting,
                Lang::En,
                Some(0),
                30,
                false,
                7
            )
        );
    }
}
