//! The wallet: balance and ledger. (Stub.)

use leptos::prelude::*;

#[component]
pub fn WalletScreen() -> impl IntoView {
    view! { <section class="hb-wallet"></section> }
}
