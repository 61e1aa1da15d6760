//! The identity switcher: act as any demo user. (Stub.)

use leptos::prelude::*;

#[component]
pub fn IdentitySwitch() -> impl IntoView {
    view! { <span class="hb-identity"></span> }
}
