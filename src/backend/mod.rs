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
}

/// The backend the UI holds (a cheap clone of a handle).
pub type AnyBackend = Rc<dyn Connection>;

/// The backend the settings ask for. The mock is in the main module; the HTTP backend is a
/// split point ([`crate::split::connect_http`]), fetched only by a page that asks for it.
pub async fn connect(settings: &Settings) -> Result<AnyBackend, LoadFailed> {
    match settings.backend {
        BackendKind::Http => crate::split::connect_http(settings.clone()).await,
        BackendKind::Mock => Ok(mock::connect(settings)),
    }
}

/// A fresh idempotency key for one send flow (kept for its retries).
pub fn new_idempotency_key(user: &str) -> String {
    let now = js_sys::Date::now() as u64;
    let salt = (js_sys::Math::random() * 1e12) as u64;
    format!("{user}-{now:x}-{salt:x}")
}
