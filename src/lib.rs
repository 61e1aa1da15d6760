//! Hongbao, the red packet widget: a Leptos client-side app.
//!
//! Layout (see ARCHITECTURE.md): `shell` is the phone frame and navigation; `chat` the chat
//! list and a chat's messages; `flows/` the user journeys (send with its staged
//! confirmations, claim, recall); `wallet` the balance and ledger; `identity` the identity
//! switcher; `face` a person's avatar (one colour per user id); `dialog` the one modal dialog; `settings_panel` the settings; `backend/` the one interface to the money (mock:
//! the engine in the page); `state` what every screen shares; `settings` the typed settings;
//! `i18n` the shell's strings; `embed` mounts the widget into a page's elements; `nav` the standalone page's
//! routes (in the hash), history, stored preferences and wide layout; `split` the views the release build loads
//! lazily; `study` a study's participant mode (consent, tasks, completion code). The packet rules are not here: they live in `hongbao-engine`.

pub mod backend;
pub mod chat;
pub mod dialog;
pub mod embed;
pub mod face;
pub mod flows;
pub mod i18n;
pub mod identity;
pub mod lab;
pub mod local;
pub mod nav;
pub mod settings;
pub mod settings_panel;
pub mod shell;
pub mod split;
pub mod state;
pub mod study;
pub mod wallet;

pub use shell::{App, AppProps};
