//! The backend's operations, written once: [`Backend`].
//!
//! Every backend implements this one trait: the mock (`hongbao-mock`, the engine in the
//! page) and the HTTP client ([`crate::client::Client`], over `fetch` in the widget and over
//! a native client in the server's contract suite). The widget holds an `Rc<dyn Backend>`
//! (with its own extras) and never knows which one it has; the contract suite drives the
//! same trait against the mock and against the server on each database.
//!
//! Every call acts as `user` (the mock trusts the widget's identity switcher; the HTTP
//! client logs in as that demo user). Errors carry the stable codes of the HTTP API;
//! `network` errors are safe to retry with the same arguments (see [`retry`]).

use std::future::Future;
use std::pin::Pin;

use crate::{
    ApiError, ChatInfo, ClaimResult, LabEvent, LedgerEntry, Me, NewPacket, PacketView, Preview,
    RecallResult,
};

/// What an operation returns: a future of its answer. Boxed, so that [`Backend`] is object
/// safe, and not `Send`: the widget runs on wasm's single thread (the native contract suite
/// awaits these futures on the test's own thread).
pub type Call<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + 'a>>;

/// The operations of a backend, each acting as `user` where it names one.
pub trait Backend {
    fn me<'a>(&'a self, user: &'a str) -> Call<'a, Me>;
    fn chats<'a>(&'a self, user: &'a str) -> Call<'a, Vec<ChatInfo>>;
    /// The packets of a chat, oldest first.
    fn chat_packets<'a>(&'a self, user: &'a str, chat_id: &'a str) -> Call<'a, Vec<PacketView>>;
    fn packet<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, PacketView>;
    /// Validation and warnings for a draft, without sending it.
    fn preview<'a>(&'a self, user: &'a str, draft: &'a NewPacket) -> Call<'a, Preview>;
    /// Sends; the same idempotency key again returns the same packet and never debits twice.
    fn send<'a>(&'a self, user: &'a str, packet: &'a NewPacket) -> Call<'a, PacketView>;
    /// Claims; claiming again returns the same amount with `already_claimed`.
    fn claim<'a>(&'a self, user: &'a str, id: u64) -> Call<'a, ClaimResult>;
    fn recall<'a>(&'a self, user: &'a str, id: u64, authorized: bool) -> Call<'a, RecallResult>;
    /// The user's own ledger, newest first.
    fn ledger<'a>(&'a self, user: &'a str) -> Call<'a, Vec<LedgerEntry>>;
    /// Test clock: moves the backend's time forward (expiry after 24 h, recall windows).
    fn advance_clock(&self, secs: i64) -> Call<'_, ()>;
    /// Stores lab events (PRODUCT §6), appended in order.
    fn log_events<'a>(&'a self, user: &'a str, events: &'a [LabEvent]) -> Call<'a, ()>;
    /// Every stored lab event, oldest first.
    fn lab_events(&self) -> Call<'_, Vec<LabEvent>>;
}

/// Runs `call` until it succeeds, fails with a rule error, or `attempts` network failures
/// have happened. Safe for every call of [`Backend`]: sends carry their idempotency key and
/// claims are idempotent per user, so a retry after a lost response changes nothing twice.
pub async fn retry<T, F, Fut>(attempts: u32, mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut left = attempts.max(1);
    loop {
        match call().await {
            Err(e) if e.is_network() && left > 1 => left -= 1,
            other => return other,
        }
    }
}
