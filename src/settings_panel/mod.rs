//! The settings panel. (Stub.)

use leptos::prelude::*;

#[component]
pub fn SettingsPanel() -> impl IntoView {
    view! { <section class="hb-settings"></section> }
}
