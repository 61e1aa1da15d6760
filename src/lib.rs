//! Hongbao, the red packet widget: a Leptos client-side app.
//!
//! Layout (see ARCHITECTURE.md): `shell` is the phone frame (header, language switch),
//! `chat` the chat list and the chat view, `i18n` every user-visible string in zh and en,
//! `settings` the one typed value of widget settings (URL query, later data attributes).
//! The packet rules are not here: they live in the `hongbao-engine` crate.

pub mod chat;
pub mod i18n;
pub mod settings;
pub mod shell;

use leptos::prelude::*;

pub use shell::App;
pub use shell::AppProps;

/// Shared UI state every screen reads: the language and the settings.
#[derive(Clone, Copy)]
pub struct Ui {
    pub lang: RwSignal<i18n::Lang>,
    pub settings: StoredValue<settings::Settings>,
}

impl Ui {
    pub fn t(&self, msg: i18n::Msg) -> &'static str {
        msg.text(self.lang.get())
    }
}

/// The `Ui` context provided by [`App`]; panics only on a programming error
/// (a component used outside the app).
pub fn use_ui() -> Ui {
    use_context::<Ui>().expect("Ui context is provided by App")
}
