//! Participant mode (issue 14): a study link (`?study=<key>`, optionally `&participant=<id>`
//! and `&variant=<name>`) opens the app as a study's participant: consent first, then the
//! study's tasks one after another with a task card that stays visible, then a completion
//! screen with a completion code. A participant sees only what the study allows: no Lab or
//! Settings tab (nor their routes), no identity switcher unless the study asks for one, no
//! demo hints.
//!
//! - [`definition`]: the study format (data: `lab/studies/*.json`, or on the mock backend the
//!   browser's `hongbao:studies`), validated through `Settings::apply`;
//! - [`code`]: the completion code;
//! - [`view`]: the consent, task card and completion screens.
//!
//! Assignment is the lab's (`hongbao_study::assign`: FNV-1a-64, `?variant=` forcing marked
//! `forced`); events are the lab's too (`crate::lab::events`), each carrying the study, the
//! variant, the participant, the task and the time, plus `consent`, `task_done` (intended and
//! actual outcome, `slip`) and `complete`. Nothing is recorded before the participant agrees.
//!
//! All of it is reached only through split points (`crate::split::activate_study`,
//! `crate::split::study_view`): a page without `?study=` never downloads it.

pub mod code;

pub mod i18n;
pub mod view;

use crate::lab::Active;
use crate::settings::Settings;
use crate::state::Participant;
use hongbao_study::assign::assign;
use hongbao_study::definition::{self, Study, StudyError};
use hongbao_study::experiment::apply_variant;
use std::cell::RefCell;
use std::rc::Rc;

/// The study this page runs and the participant's place in it.
pub struct Session {
    pub study: Study,
    pub active: Active,
}

thread_local! {
    static SESSION: RefCell<Option<Rc<Session>>> = const { RefCell::new(None) };
}

/// The running study (`None` outside participant mode).
pub fn session() -> Option<Rc<Session>> {
    SESSION.with(|s| s.borrow().clone())
}

/// The study named by `?study=`, among the `kept` studies (the backend's, see
/// `Connection::kept_studies`) and the shipped ones, its participant assigned and the variant
/// applied to `settings` (over the study's shared settings).
pub fn activate(
    settings: &mut Settings,
    query: &str,
    kept: Option<String>,
) -> Result<Participant, StudyError> {
    let key = crate::lab::query_param(query, "study").unwrap_or_default();
    let study = definition::find(&key, kept.as_deref())?;
    let experiment = study.experiment();
    let participant = crate::lab::participant_id(query);
    let forced = crate::lab::query_param(query, "variant");
    let assignment = assign(&experiment, &participant, forced.as_deref());
    if let Some(v) = experiment.variant(&assignment.variant) {
        // Validated with the study: a refusal here would be a bug, reported as such.
        apply_variant(settings, v).map_err(|error| {
            StudyError::Experiment(hongbao_study::experiment::ExperimentError::Setting {
                variant: v.name.clone(),
                error,
            })
        })?;
    }
    let participant = Participant {
        identity: study.identity,
    };
    let session = Session {
        study,
        active: Active {
            experiment,
            assignment,
            study: true,
        },
    };
    SESSION.with(|s| *s.borrow_mut() = Some(Rc::new(session)));
    Ok(participant)
}

/// Where a participant is in the study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Consent,
    Declined,
    Task(usize),
    Done,
}

impl Progress {
    /// As kept in the browser (`task:1`, `done`); `None` for what is not kept.
    pub fn to_stored(self) -> Option<String> {
        match self {
            Progress::Task(i) => Some(format!("task:{i}")),
            Progress::Done => Some("done".into()),
            Progress::Consent | Progress::Declined => None,
        }
    }

    /// The kept progress of a study of `tasks` tasks (consent for anything else).
    pub fn from_stored(stored: Option<&str>, tasks: usize) -> Progress {
        match stored {
            Some("done") => Progress::Done,
            Some(s) => s
                .strip_prefix("task:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n < tasks)
                .map_or(Progress::Consent, Progress::Task),
            None => Progress::Consent,
        }
    }
}

fn progress_key(session: &Session) -> String {
    format!(
        "hongbao:study:{}:{}",
        session.study.key, session.active.assignment.participant
    )
}

/// The participant's progress kept from an earlier visit (a reload continues the study).
pub fn load_progress(session: &Session) -> Progress {
    let stored = crate::local::get(&progress_key(session));
    Progress::from_stored(stored.as_deref(), session.study.tasks.len())
}

pub fn save_progress(session: &Session, progress: Progress) {
    if let Some(value) = progress.to_stored() {
        crate::local::set(&progress_key(session), &value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_stale_progress_starts_over() {
        for p in [Progress::Task(0), Progress::Task(2), Progress::Done] {
            assert_eq!(Progress::from_stored(p.to_stored().as_deref(), 3), p);
        }
        assert_eq!(Progress::Consent.to_stored(), None);
        assert_eq!(Progress::Declined.to_stored(), None);
        assert_eq!(Progress::from_stored(None, 3), Progress::Consent);
        // A study changed to fewer tasks, or a value not ours: from the start.
        assert_eq!(Progress::from_stored(Some("task:5"), 3), Progress::Consent);
        assert_eq!(
            Progress::from_stored(Some("nonsense"), 3),
            Progress::Consent
        );
    }
}
