//! Studies as data: an experiment (variants, weights, settings per variant, tasks) with what a
//! participant reads (consent, a reminder beside every task, the closing text), the settings
//! every variant shares, and whether the identity switcher shows.
//!
//! The shipped studies are `lab/studies/*.json`; on the mock backend a study may also come
//! from the browser's storage (`hongbao:studies`, a JSON array of studies), so a study can be
//! made or changed without a rebuild; a stored study wins over a shipped one of the same key.
//! Every setting goes through [`Settings::apply`] (via [`apply_variant`]), as an experiment's.

use crate::experiment::{Experiment, ExperimentError, Task, Text, Variant, apply_variant};
use crate::settings::Settings;
use hongbao_api::demo;
use hongbao_engine::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The studies shipped with the app (embedded at build time; in the widget, reached only
/// from the study's split points, so in their chunk).
pub const SHIPPED: [&str; 1] = [include_str!("../../lab/studies/send-basics.json")];

/// Where a browser keeps its own studies (the mock backend only).
pub const STORAGE_KEY: &str = "hongbao:studies";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Study {
    pub key: String,
    #[serde(default)]
    pub title: Text,
    /// The intro and consent the participant agrees to before anything is recorded
    /// (paragraphs separated by a blank line).
    pub consent: Text,
    /// Shown under every task (e.g. the payment PIN the study uses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<Text>,
    /// The completion screen's text (a default thanks when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Text>,
    /// The identity switcher shows (only for tasks that need another identity).
    #[serde(default)]
    pub identity: bool,
    /// Settings every variant starts from (URL query keys), applied before the variant's.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    pub variants: Vec<Variant>,
    pub tasks: Vec<Task>,
    /// A closed study takes no one: its link shows that it is closed (the researcher's lab
    /// closes and reopens it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

/// Why a study was refused (in both languages, through [`StudyError::message`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StudyError {
    /// Not JSON of the expected shape (serde's message).
    Syntax(String),
    /// No study of this key.
    Unknown(String),
    NoConsent,
    NoTasks,
    DuplicateTask(String),
    /// A task's chat that the study's user is not in.
    NotAMember {
        task: String,
        chat: String,
    },
    /// The experiment part (key, variants, settings, tasks' outcomes).
    Experiment(ExperimentError),
    /// The study exists and is closed.
    Closed(String),
}

impl StudyError {
    pub fn message(&self, lang: Lang) -> String {
        use crate::i18n as t;
        match self {
            StudyError::Syntax(e) => t::bad_study_json(e, lang),
            StudyError::Unknown(k) => t::unknown(k, lang),
            StudyError::NoConsent => t::ErrorMsg::NoConsent.text(lang).to_owned(),
            StudyError::NoTasks => t::ErrorMsg::NoTasks.text(lang).to_owned(),
            StudyError::DuplicateTask(task) => t::duplicate_task(task, lang),
            StudyError::NotAMember { task, chat } => t::not_a_member(task, chat, lang),
            StudyError::Experiment(e) => e.message(lang),
            StudyError::Closed(k) => t::closed(k, lang),
        }
    }
}

impl Study {
    /// Parses and validates a study.
    pub fn parse(json: &str) -> Result<Study, StudyError> {
        let s: Study = serde_json::from_str(json).map_err(|e| StudyError::Syntax(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a study serializes")
    }

    /// The study's shared settings as a variant (validated and applied like one).
    fn base(&self) -> Variant {
        Variant {
            name: String::new(),
            weight: 1,
            settings: self.settings.clone(),
        }
    }

    /// The experiment this study runs: its variants each with the shared settings under
    /// their own, so that the lab's validation, assignment and results apply unchanged.
    pub fn experiment(&self) -> Experiment {
        Experiment {
            key: self.key.clone(),
            title: self.title.clone(),
            variants: self
                .variants
                .iter()
                .map(|v| {
                    let mut settings = self.settings.clone();
                    settings.extend(v.settings.clone());
                    Variant {
                        settings,
                        ..v.clone()
                    }
                })
                .collect(),
            tasks: self.tasks.clone(),
        }
    }

    pub fn validate(&self) -> Result<(), StudyError> {
        let filled = |t: &Text| !t.zh.trim().is_empty() && !t.en.trim().is_empty();
        if !filled(&self.consent) {
            return Err(StudyError::NoConsent);
        }
        if self.tasks.is_empty() {
            return Err(StudyError::NoTasks);
        }
        let mut base = Settings::default();
        apply_variant(&mut base, &self.base()).map_err(|error| {
            StudyError::Experiment(ExperimentError::Setting {
                variant: "*".into(),
                error,
            })
        })?;
        self.experiment()
            .validate()
            .map_err(StudyError::Experiment)?;
        for (i, t) in self.tasks.iter().enumerate() {
            if self.tasks[..i].iter().any(|u| u.id == t.id) {
                return Err(StudyError::DuplicateTask(t.id.clone()));
            }
            if !filled(&t.instruction) {
                return Err(StudyError::Experiment(ExperimentError::BadTask {
                    task: t.id.clone(),
                    reason: "instruction needs zh and en",
                }));
            }
            // Every variant acts as the same user unless it says otherwise.
            for v in &self.experiment().variants {
                let mut s = base.clone();
                let _ = apply_variant(&mut s, v);
                if demo::chat_for(&s.user, &t.intended.chat).is_none() {
                    return Err(StudyError::NotAMember {
                        task: t.id.clone(),
                        chat: t.intended.chat.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The shipped studies, parsed (they are tested to be valid).
pub fn shipped() -> Vec<Study> {
    SHIPPED
        .iter()
        .filter_map(|s| Study::parse(s).ok())
        .collect()
}

/// Where a study comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Kept in this browser (`STORAGE_KEY`): made or changed in the lab.
    Stored,
    /// Built into the app (`lab/studies/`).
    Shipped,
}

/// The stored list as JSON values (an absent or unreadable list is empty).
fn stored_values(stored: Option<&str>) -> Vec<serde_json::Value> {
    stored
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

/// Every study this browser knows: the stored ones that validate, then the shipped ones no
/// stored study replaces.
pub fn all(stored: Option<&str>) -> Vec<(Study, Origin)> {
    let mine: Vec<Study> = stored_values(stored)
        .iter()
        .filter_map(|v| Study::parse(&v.to_string()).ok())
        .collect();
    let shipped: Vec<Study> = shipped()
        .into_iter()
        .filter(|s| !mine.iter().any(|m| m.key == s.key))
        .collect();
    mine.into_iter()
        .map(|s| (s, Origin::Stored))
        .chain(shipped.into_iter().map(|s| (s, Origin::Shipped)))
        .collect()
}

/// The stored list with `study` in it (replacing the one of its key, else added at the end).
pub fn with_saved(stored: Option<&str>, study: &Study) -> String {
    let value = serde_json::to_value(study).expect("a study serializes");
    let mut list = stored_values(stored);
    match list
        .iter_mut()
        .find(|v| v.get("key").and_then(|k| k.as_str()) == Some(study.key.as_str()))
    {
        Some(slot) => *slot = value,
        None => list.push(value),
    }
    serde_json::Value::Array(list).to_string()
}

/// The stored list without the study `key` (a shipped study of that key shows again).
pub fn without(stored: Option<&str>, key: &str) -> String {
    let mut list = stored_values(stored);
    list.retain(|v| v.get("key").and_then(|k| k.as_str()) != Some(key));
    serde_json::Value::Array(list).to_string()
}

/// A copy of `study` under a key no study of `taken` has (`<key>-copy`, `<key>-copy-2`, …),
/// open, titled as a copy.
pub fn duplicate(study: &Study, taken: &[&str]) -> Study {
    let stem = format!("{}-copy", study.key);
    let key = std::iter::once(stem.clone())
        .chain((2..).map(|n| format!("{stem}-{n}")))
        .find(|k| !taken.contains(&k.as_str()))
        .expect("an unbounded sequence has a free key");
    let mut copy = study.clone();
    copy.key = key;
    copy.closed = false;
    copy.title.zh = format!("{}（副本）", study.title.zh);
    copy.title.en = format!("{} (copy)", study.title.en);
    copy
}

/// The study `key` among `stored` (the browser's `hongbao:studies`, a JSON array; `None`
/// when absent) and the shipped ones: a stored study wins; one that does not validate is an
/// error, never silently the shipped one.
pub fn find(key: &str, stored: Option<&str>) -> Result<Study, StudyError> {
    if let Some(text) = stored {
        let list: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|e| StudyError::Syntax(e.to_string()))?;
        if let Some(v) = list
            .iter()
            .find(|v| v.get("key").and_then(|k| k.as_str()) == Some(key))
        {
            return open(Study::parse(&v.to_string())?);
        }
    }
    open(
        shipped()
            .into_iter()
            .find(|s| s.key == key)
            .ok_or_else(|| StudyError::Unknown(key.into()))?,
    )
}

/// `study`, unless it is closed.
fn open(study: Study) -> Result<Study, StudyError> {
    if study.closed {
        return Err(StudyError::Closed(study.key));
    }
    Ok(study)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Stages;

    #[test]
    fn studies_are_saved_duplicated_closed_and_removed_in_the_stored_list() {
        let shipped = shipped()[0].clone();
        assert_eq!(all(None), vec![(shipped.clone(), Origin::Shipped)]);
        // A copy under a free key, saved: both are listed, the stored one first.
        let copy = duplicate(&shipped, &["send-basics", "send-basics-copy"]);
        assert_eq!(copy.key, "send-basics-copy-2");
        assert_eq!(copy.title.en, "Sending red packets (copy)");
        let stored = with_saved(None, &copy);
        let keys = |stored: &str| {
            all(Some(stored))
                .into_iter()
                .map(|(s, o)| (s.key, o))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&stored),
            [
                ("send-basics-copy-2".into(), Origin::Stored),
                ("send-basics".into(), Origin::Shipped)
            ]
        );
        // Saving again replaces it; a stored study of a shipped key overrides the shipped one.
        let mut closed = copy.clone();
        closed.closed = true;
        let stored = with_saved(Some(&stored), &closed);
        assert_eq!(all(Some(&stored))[0].0, closed);
        assert_eq!(
            find("send-basics-copy-2", Some(&stored)),
            Err(StudyError::Closed("send-basics-copy-2".into()))
        );
        let mut edited = shipped.clone();
        edited.variants.truncate(1);
        let stored = with_saved(Some(&stored), &edited);
        assert_eq!(keys(&stored).len(), 2);
        assert_eq!(
            find("send-basics", Some(&stored)).unwrap().variants.len(),
            1
        );
        // Removed: the shipped one shows again.
        let stored = without(Some(&stored), "send-basics");
        assert_eq!(find("send-basics", Some(&stored)), Ok(shipped));
        // An open study's JSON has no `closed` field (older readers keep reading it).
        assert!(!copy.to_json_pretty().contains("closed"));
        assert!(closed.to_json_pretty().contains("\"closed\": true"));
    }

    #[test]
    fn shipped_studies_are_valid_and_read_back() {
        for s in SHIPPED {
            let study = Study::parse(s).unwrap();
            assert_eq!(Study::parse(&study.to_json_pretty()), Ok(study));
        }
        let s = &shipped()[0];
        assert_eq!(s.key, "send-basics");
        assert!(s.tasks.len() >= 2);
        // The shared settings sit under each variant's own.
        let e = s.experiment();
        for v in &e.variants {
            assert_eq!(v.settings.get("user").map(String::as_str), Some("alice"));
        }
        let mut settings = Settings::default();
        apply_variant(&mut settings, e.variant("one-stage").unwrap()).unwrap();
        assert_eq!(settings.stages, Stages::One);
    }

    fn study(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Study, StudyError> {
        let mut v: serde_json::Value = serde_json::from_str(SHIPPED[0]).unwrap();
        edit(&mut v);
        Study::parse(&v.to_string())
    }

    #[test]
    fn invalid_studies_are_refused_with_clear_errors() {
        assert!(matches!(Study::parse("{"), Err(StudyError::Syntax(_))));
        assert_eq!(
            study(|v| v["consent"]["en"] = "".into()),
            Err(StudyError::NoConsent)
        );
        assert_eq!(
            study(|v| v["tasks"] = serde_json::json!([])),
            Err(StudyError::NoTasks)
        );
        let e = study(|v| v["settings"]["stages"] = "9".into()).unwrap_err();
        assert_eq!(
            e.message(Lang::En),
            "Variant *: setting stages=\"9\": expected 1|2|3|adaptive"
        );
        let e = study(|v| v["variants"][0]["settings"]["nonsense"] = "1".into()).unwrap_err();
        assert!(matches!(
            e,
            StudyError::Experiment(ExperimentError::Setting { .. })
        ));
        let e = study(|v| {
            let first = v["tasks"][0].clone();
            v["tasks"].as_array_mut().unwrap().push(first);
        })
        .unwrap_err();
        assert!(matches!(e, StudyError::DuplicateTask(_)), "{e:?}");
        // carol is not in alice and bob's chat.
        let e = study(|v| v["settings"]["user"] = "carol".into()).unwrap_err();
        assert!(matches!(e, StudyError::NotAMember { .. }), "{e:?}");
        assert!(e.message(Lang::Zh).contains("不在聊天"));
        let e = study(|v| v["tasks"][0]["intended"]["amount"] = "1e3".into()).unwrap_err();
        assert!(matches!(
            e,
            StudyError::Experiment(ExperimentError::BadTask { .. })
        ));
    }

    #[test]
    fn stored_studies_win_and_a_bad_one_is_an_error() {
        assert_eq!(find("send-basics", None).unwrap().key, "send-basics");
        assert_eq!(find("nope", None), Err(StudyError::Unknown("nope".into())));
        let mut mine: serde_json::Value = serde_json::from_str(SHIPPED[0]).unwrap();
        mine["key"] = "mine".into();
        mine["title"]["en"] = "Mine".into();
        let stored = serde_json::json!([mine]).to_string();
        assert_eq!(find("mine", Some(&stored)).unwrap().title.en, "Mine");
        // The shipped ones are still there.
        assert!(find("send-basics", Some(&stored)).is_ok());
        mine["key"] = "send-basics".into();
        mine["variants"] = serde_json::json!([]);
        let stored = serde_json::json!([mine]).to_string();
        assert!(matches!(
            find("send-basics", Some(&stored)),
            Err(StudyError::Experiment(ExperimentError::NoVariants))
        ));
        assert!(matches!(find("x", Some("[")), Err(StudyError::Syntax(_))));
    }
}
