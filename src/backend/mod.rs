//! The one interface between the widget and whatever holds the money.
//!
//! The operations are [`hongbao_api::backend::Backend`], written once and shared with the
//! contract suite; [`Connection`] adds what only the widget needs of its backend (its clock,
//! the language of its messages, its settings, live updates, a reset). The UI holds an
//! [`AnyBackend`], `Rc<dyn Connection>`, and never knows which one it has: the mock
//! ([`mock`], `hongbao-mock` in the page, state in localStorage) or the project's server
//! ([`http`]).

pub mod http;
pub mod mock;
pub mod research;

use crate::settings::{BackendKind, Settings};
use crate::split::LoadFailed;
use hongbao_api::ChatEvent;
pub use hongbao_api::backend::{Backend, Call, retry};
pub use hongbao_api::demo::{DEMO_USERS, FAMILY};
use hongbao_engine::{Lang, Timestamp};
use std::rc::Rc;

/// A live-update listener.
pub type Listener = Rc<dyn Fn(&ChatEvent)>;

/// What the widget needs of a backend beyond its operations.
pub trait Connection: Backend {
    /// The backend's current time (the mock's clock includes the test offset).
    fn now(&self) -> Timestamp;
    /// The language of error messages.
    fn set_lang(&self, lang: Lang);
    /// Applies the settings that shape later calls (for the mock: recall policy, split rule,
    /// latency, failures and bots; the server decides its own policy).
    fn configure(&self, settings: &Settings);
    /// Starts the demo world again (the mock forgets its state).
    fn reset_demo(&self) -> Call<'_, ()>;
    /// Live updates on every chat: called after each change, also changes by others.
    fn subscribe(&self, listener: Listener);
    /// The studies this backend keeps that may be the study `key`, as the study format's
    /// JSON array (`hongbao_study::definition::find` reads it; `None`: it keeps none): the
    /// mock's are this browser's (`definition::STORAGE_KEY`, all of them), the server's are
    /// in its database (the one of this key, which anyone may read).
    fn kept_studies<'a>(&'a self, key: &'a str) -> Call<'a, Option<String>>;
    /// A study link's participant joins the study `key` (`variant`: the link's forced
    /// variant, if it forces one). The server then takes this page's lab events with a token
    /// scoped to that study and participant (it sets their study, participant and variant);
    /// the mock has no one to tell (its events stay in this browser).
    fn join_study<'a>(
        &'a self,
        key: &'a str,
        participant: &'a str,
        variant: Option<&'a str>,
    ) -> Call<'a, ()>;
    /// What a researcher does here, on a backend with accounts (the server); `None` on the
    /// mock, whose researcher is this browser (its studies and events are in its storage).
    fn research(&self) -> Option<Rc<dyn Research>>;
}

/// A researcher's calls on a backend with accounts (the server's console, `src/lab`): once
/// signed in, the studies the backend keeps and everyone's events, live.
pub trait Research {
    /// Signs in as the researcher `user` (later calls act as them); a wrong password or an
    /// account that is no researcher's is an error and changes nothing.
    fn sign_in<'a>(&'a self, user: &'a str, password: &'a str) -> Call<'a, ()>;
    /// The signed-in researcher.
    fn researcher(&self) -> Option<String>;
    /// Every study the backend keeps, as the study format's JSON array.
    fn studies(&self) -> Call<'_, String>;
    /// Keeps `study` (JSON), replacing the one of its key; the backend validates it again.
    fn save_study<'a>(&'a self, key: &'a str, study: &'a str) -> Call<'a, ()>;
    fn delete_study<'a>(&'a self, key: &'a str) -> Call<'a, ()>;
    /// Every event of one experiment or study (its key), everyone's, oldest first.
    fn events<'a>(&'a self, experiment: &'a str) -> Call<'a, Vec<hongbao_api::LabEvent>>;
    /// The results of one experiment or study per variant (`variants` first, in order),
    /// computed where the events are; forced participants only with `forced`.
    fn results<'a>(
        &'a self,
        experiment: &'a str,
        variants: &'a [String],
        forced: bool,
    ) -> Call<'a, Vec<hongbao_study::results::VariantResult>>;
    /// Calls `changed` whenever new lab events arrive (a stream the backend pushes), until
    /// the returned guard is dropped.
    fn watch(&self, changed: Rc<dyn Fn()>) -> Box<dyn std::any::Any>;
}

/// The backend the UI holds (a cheap clone of a handle).
pub type AnyBackend = Rc<dyn Connection>;

/// The backend the settings ask for. The mock is in the main module (restoring a saved state
/// is a split point, [`mock::restore`]); the HTTP backend is a split point
/// ([`crate::split::connect_http`]), fetched only by a page that asks for it.
pub async fn connect(settings: &Settings) -> Result<AnyBackend, LoadFailed> {
    match settings.backend {
        BackendKind::Http => crate::split::connect_http(settings.clone()).await,
        BackendKind::Mock => Ok(mock::connect(settings, mock::restore(settings).await?)),
    }
}

/// A fresh idempotency key for one send flow (kept for its retries).
pub fn new_idempotency_key(user: &str) -> String {
    let now = js_sys::Date::now() as u64;
    let salt = (js_sys::Math::random() * 1e12) as u64;
    format!("{user}-{now:x}-{salt:x}")
}
