//! Experiments as data (PRODUCT §6): a key, variants with weights and settings, and tasks.
//!
//! Written by researchers as JSON (see `lab/experiments/*.json`); every variant's settings go
//! through [`Settings::apply`], so a variant accepts exactly the keys of the URL query.

use crate::settings::{KEYS, SettingError, Settings};
use hongbao_engine::{Lang, Money, PacketKindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The experiments shipped with the app (embedded at build time).
pub const SHIPPED: [&str; 2] = [
    include_str!("../../lab/experiments/prevent-vs-recover.json"),
    include_str!("../../lab/experiments/warnings.json"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub weight: u32,
    /// Settings keys → values, as in the URL query.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// What a task asks for: the outcome the participant intends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intended {
    pub chat: String,
    pub kind: String,
    /// Per share for normal packets, the total for lucky ones (as typed: "1.88").
    pub amount: String,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub instruction: Text,
    pub intended: Intended,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experiment {
    pub key: String,
    #[serde(default)]
    pub title: Text,
    pub variants: Vec<Variant>,
    #[serde(default)]
    pub tasks: Vec<Task>,
}

/// Why an experiment was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExperimentError {
    /// Not JSON of the expected shape (serde's message).
    Syntax(String),
    BadKey(String),
    NoVariants,
    DuplicateVariant(String),
    ZeroWeights,
    /// A variant's setting that [`Settings::apply`] refuses.
    Setting {
        variant: String,
        error: SettingError,
    },
    /// A task's intended outcome that cannot be a packet.
    BadTask {
        task: String,
        reason: &'static str,
    },
}

impl ExperimentError {
    pub fn message(&self, lang: Lang) -> String {
        use crate::i18n as t;
        match self {
            ExperimentError::Syntax(e) => t::bad_experiment_json(e, lang),
            ExperimentError::BadKey(k) => t::bad_key(k, lang),
            ExperimentError::NoVariants => t::ErrorMsg::NoVariants.text(lang).to_owned(),
            ExperimentError::DuplicateVariant(v) => t::duplicate_variant(v, lang),
            ExperimentError::ZeroWeights => t::ErrorMsg::ZeroWeights.text(lang).to_owned(),
            ExperimentError::Setting { variant, error } => t::bad_setting(variant, error, lang),
            ExperimentError::BadTask { task, reason } => t::bad_task(task, reason, lang),
        }
    }
}

impl Intended {
    pub fn money(&self) -> Option<Money> {
        Money::parse_typed(&self.amount).ok()
    }
    pub fn kind_tag(&self) -> Option<PacketKindTag> {
        PacketKindTag::parse(&self.kind)
    }
}

impl Experiment {
    /// Parses and validates an experiment.
    pub fn parse(json: &str) -> Result<Experiment, ExperimentError> {
        let e: Experiment =
            serde_json::from_str(json).map_err(|e| ExperimentError::Syntax(e.to_string()))?;
        e.validate()?;
        Ok(e)
    }

    /// The experiment as the editor shows it (pretty JSON), which [`Experiment::parse`]
    /// reads back. Strings, numbers, lists and string-keyed maps always serialize, so a
    /// failure would be a bug to see, not an empty editor.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("an experiment serializes")
    }

    pub fn validate(&self) -> Result<(), ExperimentError> {
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 64
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !key_ok {
            return Err(ExperimentError::BadKey(self.key.clone()));
        }
        if self.variants.is_empty() {
            return Err(ExperimentError::NoVariants);
        }
        for (i, v) in self.variants.iter().enumerate() {
            if self.variants[..i].iter().any(|w| w.name == v.name) {
                return Err(ExperimentError::DuplicateVariant(v.name.clone()));
            }
            self.settings_for(v)
                .map_err(|error| ExperimentError::Setting {
                    variant: v.name.clone(),
                    error,
                })?;
        }
        if self
            .variants
            .iter()
            .map(|v| u64::from(v.weight))
            .sum::<u64>()
            == 0
        {
            return Err(ExperimentError::ZeroWeights);
        }
        for t in &self.tasks {
            let bad = |reason| ExperimentError::BadTask {
                task: t.id.clone(),
                reason,
            };
            if t.intended.money().is_none() {
                return Err(bad("amount is not a valid amount"));
            }
            if t.intended.kind_tag().is_none() {
                return Err(bad("kind must be lucky|normal|personal|exclusive"));
            }
            if t.intended.count == 0 {
                return Err(bad("count must be at least 1"));
            }
        }
        Ok(())
    }

    /// Applies `variant`'s settings over a copy of the defaults, reporting the first refusal.
    fn settings_for(&self, variant: &Variant) -> Result<Settings, SettingError> {
        let mut s = Settings::default();
        apply_variant(&mut s, variant)?;
        Ok(s)
    }

    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
}

/// Applies a variant's settings to `settings` (all or, on the first refusal, an error).
pub fn apply_variant(settings: &mut Settings, variant: &Variant) -> Result<(), SettingError> {
    let mut next = settings.clone();
    for (k, v) in &variant.settings {
        // `apply` ignores unknown keys (the URL is shared); a variant must not.
        if !KEYS.iter().any(|(key, _)| key == k) {
            return Err(SettingError {
                key: k.clone(),
                value: v.clone(),
                expected: "a known setting key",
            });
        }
        next.apply(k, v)?;
    }
    *settings = next;
    Ok(())
}

/// The shipped experiments, parsed (they are tested to be valid).
pub fn shipped() -> Vec<Experiment> {
    SHIPPED
        .iter()
        .filter_map(|s| Experiment::parse(s).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Stages;
    use hongbao_engine::RecallMode;

    #[test]
    fn shipped_experiments_are_valid() {
        for s in SHIPPED {
            let e = Experiment::parse(s).unwrap();
            // What the editor shows reads back as the same experiment.
            assert_eq!(Experiment::parse(&e.to_json_pretty()), Ok(e));
        }
        let e = &shipped()[0];
        assert_eq!(e.key, "prevent-vs-recover");
        let mut s = Settings::default();
        apply_variant(&mut s, e.variant("C").unwrap()).unwrap();
        assert_eq!(
            (s.stages, s.recall, s.window_secs),
            (Stages::Adaptive, RecallMode::Window, 30)
        );
        let t = &e.tasks[0].intended;
        assert_eq!(t.money(), Some(Money::from_fen(188)));
        assert_eq!(t.kind_tag(), Some(PacketKindTag::Normal));
        let mut s = Settings::default();
        apply_variant(&mut s, shipped()[1].variant("off").unwrap()).unwrap();
        assert!(!s.warnings);
    }

    #[test]
    fn invalid_experiments_are_refused_with_clear_errors() {
        let v = |settings: &str| {
            format!(r#"{{"key":"k","variants":[{{"name":"A","weight":1,"settings":{settings}}}]}}"#)
        };
        assert!(matches!(
            Experiment::parse("{"),
            Err(ExperimentError::Syntax(_))
        ));
        let err = Experiment::parse(&v(r#"{"stages":"4"}"#)).unwrap_err();
        assert_eq!(
            err.message(Lang::En),
            "Variant A: setting stages=\"4\": expected 1|2|3|adaptive"
        );
        assert!(err.message(Lang::Zh).contains("变体 A"));
        assert!(matches!(
            Experiment::parse(&v(r#"{"nonsense":"1"}"#)),
            Err(ExperimentError::Setting { .. })
        ));
        assert_eq!(
            Experiment::parse(r#"{"key":"a b","variants":[]}"#),
            Err(ExperimentError::BadKey("a b".into()))
        );
        assert_eq!(
            Experiment::parse(r#"{"key":"k","variants":[]}"#),
            Err(ExperimentError::NoVariants)
        );
        assert_eq!(
            Experiment::parse(
                r#"{"key":"k","variants":[{"name":"A","weight":0},{"name":"A","weight":1}]}"#
            ),
            Err(ExperimentError::DuplicateVariant("A".into()))
        );
        assert_eq!(
            Experiment::parse(r#"{"key":"k","variants":[{"name":"A","weight":0}]}"#),
            Err(ExperimentError::ZeroWeights)
        );
        let task = r#"{"key":"k","variants":[{"name":"A","weight":1}],"tasks":[{"id":"t","instruction":{"zh":"","en":""},"intended":{"chat":"family","kind":"normal","amount":"1e3","count":1}}]}"#;
        assert!(matches!(
            Experiment::parse(task),
            Err(ExperimentError::BadTask { .. })
        ));
    }
}
