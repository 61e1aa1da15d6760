//! What configures the mock: [`MockConfig`].

use hongbao_engine::{Lang, Policy, RecallMode, RecallPolicy, SplitRule};

/// Everything the mock reads of its configuration. The widget builds one from its
/// settings; tests build their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockConfig {
    /// The recall policy of later sends.
    pub recall: RecallMode,
    /// The recall window (and the delay of the delayed policy), in seconds.
    pub window_secs: u32,
    /// The split rule of later lucky packets.
    pub split: SplitRule,
    /// The language of error messages.
    pub lang: Lang,
    /// The seed of the random sources (money and simulation), fixed when the demo starts.
    pub seed: u64,
    /// Simulated latency of each call: `None` draws 150–400 ms per call.
    pub latency_ms: Option<u32>,
    /// Share of calls that fail (0–100): half lose the request, half lose the response
    /// after the change was applied, so that retries must be safe.
    pub fail_percent: u8,
    /// Simulated members who claim packets on their own, 8–40 s after a send.
    pub bots: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            recall: RecallMode::Window,
            window_secs: 120,
            split: SplitRule::DoubleMean,
            lang: Lang::Zh,
            seed: 20_240_520,
            latency_ms: None,
            fail_percent: 0,
            bots: true,
        }
    }
}

impl MockConfig {
    /// The engine policy of later sends.
    pub fn policy(&self) -> Policy {
        let defaults = Policy::default();
        Policy {
            recall: RecallPolicy {
                mode: self.recall,
                window_secs: self.window_secs,
                delay_secs: if self.recall == RecallMode::Delayed {
                    self.window_secs
                } else {
                    defaults.recall.delay_secs
                },
                ..defaults.recall.clone()
            },
            split: self.split,
            ..defaults
        }
    }

    /// What [`MockConfig::policy`] reads, as the operation log records it:
    /// `recall=window&window=120&split=double_mean` (the widget's settings keys, so that a
    /// log persisted when the widget's settings wrote it reads alike).
    pub fn policy_query(&self) -> String {
        format!(
            "recall={}&window={}&split={}",
            self.recall.as_str(),
            self.window_secs,
            self.split.as_str()
        )
    }

    /// The default configuration with the policy of a [`MockConfig::policy_query`]
    /// applied: `None` when a key has a value it does not accept (keys it does not know are
    /// ignored, missing ones keep their defaults).
    pub fn from_policy_query(query: &str) -> Option<MockConfig> {
        let mut config = MockConfig::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let v = value.trim();
            match key {
                "recall" => {
                    config.recall = RecallMode::ALL.into_iter().find(|m| m.as_str() == v)?
                }
                "window" => {
                    config.window_secs = v.parse().ok().filter(|s| (1..=86_400).contains(s))?
                }
                "split" => {
                    config.split = SplitRule::ALL
                        .into_iter()
                        .find(|r| r.as_str() == v || r.as_str().replace('_', "-") == v)?
                }
                _ => {}
            }
        }
        Some(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_follows_the_config() {
        let c = MockConfig {
            recall: RecallMode::Delayed,
            window_secs: 45,
            ..MockConfig::default()
        };
        let p = c.policy();
        assert_eq!(
            (p.recall.mode, p.recall.window_secs, p.recall.delay_secs),
            (RecallMode::Delayed, 45, 45)
        );
        let w = MockConfig::default().policy();
        assert_eq!(w.recall.delay_secs, Policy::default().recall.delay_secs);
    }

    #[test]
    fn policy_queries_read_back() {
        for recall in RecallMode::ALL {
            for split in SplitRule::ALL {
                let c = MockConfig {
                    recall,
                    split,
                    window_secs: 7,
                    ..MockConfig::default()
                };
                let back = MockConfig::from_policy_query(&c.policy_query()).unwrap();
                assert_eq!(back.policy(), c.policy());
            }
        }
        let d = MockConfig::from_policy_query("split=line-cutting&other=1").unwrap();
        assert_eq!(d.split, SplitRule::LineCutting);
        assert_eq!(d.recall, MockConfig::default().recall);
        for bad in [
            "recall=sometimes",
            "window=0",
            "window=86401",
            "window=x",
            "split=even",
        ] {
            assert!(MockConfig::from_policy_query(bad).is_none(), "{bad}");
        }
    }
}
