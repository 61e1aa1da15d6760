//! Hongbao's mock backend, without a browser.
//!
//! [`MockCore`] is the engine with the demo world (ten users, their chats), two seeded
//! random sources (one for money, one for the simulation), the test clock and an operation
//! log; it answers every backend operation synchronously at a given time, and persists as
//! its log ([`MockCore::to_json`], replayed by [`MockCore::restore`]). [`Mock`] is the
//! backend over it: [`hongbao_api::backend::Backend`] with the latency, failures, expiry
//! ticks and bots of a live mock, on a [`Host`] that gives it a clock, timers and storage.
//! [`MockConfig`] configures both.
//!
//! Pure: no Leptos, no web-sys, no wasm-bindgen, no js-sys. The widget's mock backend is
//! [`Mock`] on the browser; the native tests and the server's contract suite run it on
//! [`InMemory`].

#![forbid(unsafe_code)]

pub mod backend;
pub mod config;
pub mod core;
mod log;

pub use backend::{Host, InMemory, Mock, Task};
pub use config::MockConfig;
pub use core::MockCore;
pub use log::STATE_VERSION;

#[cfg(test)]
mod tests;
