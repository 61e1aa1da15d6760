//! The one interface between the widget and whatever holds the money.
//!
//! [`Backend`] has two implementations: [`mock::MockBackend`] runs the engine in the page
//! (state in localStorage) and the HTTP backend talks to the project's server. The UI holds
//! an [`AnyBackend`] and never knows which one it has.

pub mod http;
pub mod mock;

use crate::settings::Settings;
pub use hongbao_api::demo::{DEMO_USERS, FAMILY};
use hongbao_api::{
    ApiError, ChatEvent, ChatInfo, ClaimResult, LabEvent, LedgerEntry, Me, NewPacket, PacketView,
    Preview, RecallResult,
};
use hongbao_engine::{Lang, Timestamp};
use std::rc::Rc;

/// Every call acts as `user` (the mock trusts the identity switcher; the HTTP backend logs
/// in as that demo user). Errors carry the stable codes of the HTTP API; `network` errors are
/// safe to retry with the same arguments (see [`retry`]).
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait Backend {
    async fn me(&self, user: &str) -> Result<Me, ApiError>;
    async fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError>;
    /// The packets of a chat, oldest first.
    async fn chat_packets(&self, user: &str, chat_id: &str) -> Result<Vec<PacketView>, ApiError>;
    async fn packet(&self, user: &str, id: u64) -> Result<PacketView, ApiError>;
    /// Validation and warnings for a draft, without sending it.
    async fn preview(&self, user: &str, draft: &NewPacket) -> Result<Preview, ApiError>;
    /// Sends; the same idempotency key again returns the same packet and never debits twice.
    async fn send(&self, user: &str, packet: &NewPacket) -> Result<PacketView, ApiError>;
    /// Claims; claiming again returns the same amount with `already_claimed`.
    async fn claim(&self, user: &str, id: u64) -> Result<ClaimResult, ApiError>;
    async fn recall(&self, user: &str, id: u64, authorized: bool)
    -> Result<RecallResult, ApiError>;
    /// The user's own ledger, newest first.
    async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, ApiError>;
    /// Test clock: moves the backend's time forward (expiry after 24 h, recall windows).
    async fn advance_clock(&self, secs: i64) -> Result<(), ApiError>;
    /// The backend's current time (the mock's clock includes the test offset).
    fn now(&self) -> Timestamp;
    /// The language of error messages.
    fn set_lang(&self, lang: Lang);
    /// Applies the settings that shape later calls (recall policy, split rule; for the
    /// mock also latency, failures and bots).
    fn configure(&self, settings: &Settings);
    /// Starts the demo world again (the mock forgets its state).
    async fn reset_demo(&self) -> Result<(), ApiError>;
    /// Live updates on every chat: called after each change, also changes by others.
    fn subscribe(&self, listener: Rc<dyn Fn(&ChatEvent)>);
    /// Stores lab events (PRODUCT §6), appended in order.
    async fn log_events(&self, user: &str, events: &[LabEvent]) -> Result<(), ApiError>;
    /// Every stored lab event, oldest first.
    async fn lab_events(&self) -> Result<Vec<LabEvent>, ApiError>;
}

/// The backend the UI holds. An enum rather than `dyn Backend` because async trait methods
/// are not object safe; adding a backend is one variant and one arm per method.
#[derive(Clone)]
pub enum AnyBackend {
    Mock(Rc<mock::MockBackend>),
    Http(Rc<http::HttpBackend>),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            AnyBackend::Mock($b) => $call,
            AnyBackend::Http($b) => $call,
        }
    };
}

impl Backend for AnyBackend {
    async fn me(&self, user: &str) -> Result<Me, ApiError> {
        dispatch!(self, b => b.me(user).await)
    }
    async fn chats(&self, user: &str) -> Result<Vec<ChatInfo>, ApiError> {
        dispatch!(self, b => b.chats(user).await)
    }
    async fn chat_packets(&self, user: &str, chat_id: &str) -> Result<Vec<PacketView>, ApiError> {
        dispatch!(self, b => b.chat_packets(user, chat_id).await)
    }
    async fn packet(&self, user: &str, id: u64) -> Result<PacketView, ApiError> {
        dispatch!(self, b => b.packet(user, id).await)
    }
    async fn preview(&self, user: &str, draft: &NewPacket) -> Result<Preview, ApiError> {
        dispatch!(self, b => b.preview(user, draft).await)
    }
    async fn send(&self, user: &str, packet: &NewPacket) -> Result<PacketView, ApiError> {
        dispatch!(self, b => b.send(user, packet).await)
    }
    async fn claim(&self, user: &str, id: u64) -> Result<ClaimResult, ApiError> {
        dispatch!(self, b => b.claim(user, id).await)
    }
    async fn recall(
        &self,
        user: &str,
        id: u64,
        authorized: bool,
    ) -> Result<RecallResult, ApiError> {
        dispatch!(self, b => b.recall(user, id, authorized).await)
    }
    async fn ledger(&self, user: &str) -> Result<Vec<LedgerEntry>, ApiError> {
        dispatch!(self, b => b.ledger(user).await)
    }
    async fn advance_clock(&self, secs: i64) -> Result<(), ApiError> {
        dispatch!(self, b => b.advance_clock(secs).await)
    }
    fn now(&self) -> Timestamp {
        dispatch!(self, b => b.now())
    }
    fn set_lang(&self, lang: Lang) {
        dispatch!(self, b => b.set_lang(lang))
    }
    fn configure(&self, settings: &Settings) {
        dispatch!(self, b => b.configure(settings))
    }
    async fn reset_demo(&self) -> Result<(), ApiError> {
        dispatch!(self, b => b.reset_demo().await)
    }
    fn subscribe(&self, listener: Rc<dyn Fn(&ChatEvent)>) {
        dispatch!(self, b => b.subscribe(listener))
    }
    async fn log_events(&self, user: &str, events: &[LabEvent]) -> Result<(), ApiError> {
        dispatch!(self, b => b.log_events(user, events).await)
    }
    async fn lab_events(&self) -> Result<Vec<LabEvent>, ApiError> {
        dispatch!(self, b => b.lab_events().await)
    }
}

/// Runs `call` until it succeeds, fails with a rule error, or `attempts` network failures
/// have happened. Safe for every call of [`Backend`]: sends carry their idempotency key and
/// claims are idempotent per user, so a retry after a lost response changes nothing twice.
pub async fn retry<T, F, Fut>(attempts: u32, mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut left = attempts.max(1);
    loop {
        match call().await {
            Err(e) if e.is_network() && left > 1 => left -= 1,
            other => return other,
        }
    }
}

/// A fresh idempotency key for one send flow (kept for its retries).
pub fn new_idempotency_key(user: &str) -> String {
    let now = js_sys::Date::now() as u64;
    let salt = (js_sys::Math::random() * 1e12) as u64;
    format!("{user}-{now:x}-{salt:x}")
}
