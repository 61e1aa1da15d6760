//! Where the researcher's console keeps studies and reads events, and the list of studies
//! the editor, the links and the results share.
//!
//! With the mock backend the researcher is this browser: studies in its storage
//! (`definition::STORAGE_KEY`, which a participant's page of this browser reads) and the
//! events the mock stored. With the server, a researcher signs in with their own account
//! ([`Research`]): studies in the server's database (its participants' pages read them from
//! there), everyone's events, and a stream that tells when new ones arrive.

use crate::backend::{AnyBackend, Research};
use crate::state::AppState;
use hongbao_api::LabEvent;
use hongbao_study::definition::{self, Origin, Study};
use hongbao_study::experiment::Experiment;
use hongbao_study::results::{VariantResult, summarize};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;

/// Where studies are kept.
#[derive(Clone)]
pub enum Keeper {
    /// This browser (the mock backend).
    Browser,
    /// The server, once a researcher has signed in.
    Server(Rc<dyn Research>),
}

impl Keeper {
    pub fn of(backend: &AnyBackend) -> Keeper {
        match backend.research() {
            Some(research) => Keeper::Server(research),
            None => Keeper::Browser,
        }
    }

    /// Every study: the kept ones that validate, then the shipped ones no kept study
    /// replaces (only the shipped ones before a researcher signs in to the server).
    pub async fn list(&self) -> Result<Vec<(Study, Origin)>, String> {
        let kept = match self {
            Keeper::Browser => crate::local::get(definition::STORAGE_KEY),
            Keeper::Server(r) if r.researcher().is_some() => {
                Some(r.studies().await.map_err(|e| e.message)?)
            }
            Keeper::Server(_) => None,
        };
        Ok(definition::all(kept.as_deref()))
    }

    /// Keeps `study` (validated already; the server validates it again).
    pub async fn save(&self, study: &Study) -> Result<(), String> {
        match self {
            Keeper::Browser => {
                let stored = crate::local::get(definition::STORAGE_KEY);
                let list = definition::with_saved(stored.as_deref(), study);
                crate::local::set(definition::STORAGE_KEY, &list);
                Ok(())
            }
            Keeper::Server(r) => {
                let json = serde_json::to_string(study).map_err(|e| e.to_string())?;
                r.save_study(&study.key, &json).await.map_err(|e| e.message)
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), String> {
        match self {
            Keeper::Browser => {
                let stored = crate::local::get(definition::STORAGE_KEY);
                crate::local::set(
                    definition::STORAGE_KEY,
                    &definition::without(stored.as_deref(), key),
                );
                Ok(())
            }
            Keeper::Server(r) => r.delete_study(key).await.map_err(|e| e.message),
        }
    }

    /// Events to export: with the mock, every event it stored; on the server, every event of
    /// `experiment` (its researcher's; before one signs in, none).
    pub async fn events(
        &self,
        backend: &AnyBackend,
        experiment: &str,
    ) -> Result<Vec<LabEvent>, String> {
        match self {
            Keeper::Browser => backend.lab_events().await.map_err(|e| e.message),
            Keeper::Server(r) if r.researcher().is_some() => {
                r.events(experiment).await.map_err(|e| e.message)
            }
            Keeper::Server(_) => Ok(Vec::new()),
        }
    }

    /// The results of `experiment` per variant: computed here from the mock's events, by the
    /// server from its own (however many; before a researcher signs in, none).
    pub async fn results(
        &self,
        backend: &AnyBackend,
        experiment: &Experiment,
        forced: bool,
    ) -> Result<Vec<VariantResult>, String> {
        let names: Vec<String> = experiment.variants.iter().map(|v| v.name.clone()).collect();
        match self {
            Keeper::Browser => {
                let events = backend.lab_events().await.map_err(|e| e.message)?;
                Ok(summarize(&events, &experiment.key, &names, forced))
            }
            Keeper::Server(r) if r.researcher().is_some() => r
                .results(&experiment.key, &names, forced)
                .await
                .map_err(|e| e.message),
            // The variants, no one in them yet.
            Keeper::Server(_) => Ok(summarize(&[], &experiment.key, &names, forced)),
        }
    }
}

/// The studies as read: each with where it comes from, or why they could not be read.
type Listed = Result<Vec<(Study, Origin)>, String>;

/// The console's shared view of the studies (a handle: `Copy`).
#[derive(Clone, Copy)]
pub struct Studies {
    keeper: StoredValue<Keeper, LocalStorage>,
    /// The researcher signed in to the server (`None` on the mock, and before signing in).
    pub researcher: RwSignal<Option<String>>,
    /// Every study (kept, then shipped) as last read, or why it could not be read; `None`
    /// until the first reading.
    list: RwSignal<Option<Listed>>,
}

impl Studies {
    /// The studies of `app`'s backend, read at once.
    pub fn new(app: AppState) -> Studies {
        let keeper = StoredValue::new_local(Keeper::of(&app.backend()));
        let researcher = RwSignal::new(match keeper.get_value() {
            Keeper::Server(r) => r.researcher(),
            Keeper::Browser => None,
        });
        let studies = Studies {
            keeper,
            researcher,
            list: RwSignal::new(None),
        };
        spawn_local(studies.reload());
        studies
    }

    pub fn keeper(&self) -> Keeper {
        self.keeper.get_value()
    }

    /// The studies as last read (none while loading or after a failure).
    pub fn current(&self) -> Vec<(Study, Origin)> {
        self.list
            .with(|l| l.clone().and_then(Result::ok))
            .unwrap_or_default()
    }

    /// Why the studies could not be read, if they could not.
    pub fn error(&self) -> Option<String> {
        self.list.with(|l| l.clone().and_then(Result::err))
    }

    /// Whether the console keeps studies on the server.
    pub fn on_server(&self) -> bool {
        matches!(self.keeper.get_value(), Keeper::Server(_))
    }

    /// Reads the list again (after a change, or once a researcher has signed in); returns
    /// once every view of it has the new one.
    pub fn reload(self) -> impl std::future::Future<Output = ()> {
        let keeper = self.keeper();
        async move {
            let fresh = keeper.list().await;
            self.list.set(Some(fresh));
        }
    }
}
