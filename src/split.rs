//! The split points: views that the release build ships in their own wasm chunks, loaded the
//! first time they are shown, so that the first screen (the chats) downloads less.
//!
//! `cargo xtask` builds the release app and the embed bundle with `--cfg hongbao_split`, which
//! turns each function below into a Leptos `#[lazy]` split point; `wasm-split` then cuts the
//! module at these points (see `xtask/src/build.rs`). In every other build (`trunk serve`,
//! the tests) they are plain `async` functions, so the callers are the same either way:
//! `Suspend::new(split::wallet_screen())`.
//!
//! What to put here: a view that is not on the first screen and is large. Everything it uses
//! that the first screen also uses stays in the main module.
//!
//! The embed's own split points (its scenes) are in the embed binary, `src/bin/embed.rs`: a
//! split point compiled into a binary that never loads it stays in that binary's main module.

use crate::settings::Settings;
use hongbao_api::ChatInfo;
use leptos::prelude::*;

/// A participant's page (`?experiment=…`): the experiment read, the participant assigned and
/// the variant applied to the settings, before the app starts ([`crate::lab::activate`]).
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn activate_lab(args: (Settings, String)) -> (Settings, Option<crate::lab::Active>) {
    let (mut settings, query) = args;
    let lab = crate::lab::activate(&mut settings, &query);
    (settings, lab)
}

/// The wallet tab.
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn wallet_screen() -> AnyView {
    view! { <crate::wallet::WalletScreen /> }.into_any()
}

/// The settings tab.
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn settings_screen() -> AnyView {
    view! { <crate::settings_panel::SettingsPanel /> }.into_any()
}

/// The lab tab: experiment editor, results, fairness view.
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn lab_screen() -> AnyView {
    view! { <crate::lab::LabScreen /> }.into_any()
}

/// The packet card (open, claim animation, details), over any screen.
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn packet_card(packet_id: u64) -> AnyView {
    view! { <crate::flows::claim::PacketCard packet_id=packet_id /> }.into_any()
}

/// The send flow's sheet (entry, review, authorize) for `chat`.
#[cfg_attr(hongbao_split, leptos::lazy)]
pub async fn send_flow(args: (ChatInfo, Callback<()>)) -> AnyView {
    let (chat, on_close) = args;
    view! { <crate::flows::send::SendFlow chat=chat on_close=on_close /> }.into_any()
}
