//! The send flow (PRODUCT §3): entry, review, authorize. (Stub; see issue 4.)

use crate::i18n::Lang;
use hongbao_api::ChatInfo;
use leptos::prelude::*;

pub fn new_packet_label(lang: Lang) -> &'static str {
    lang.pick("发红包", "Red packet")
}

#[component]
pub fn SendFlow(chat: ChatInfo, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let _ = (chat, on_close);
    view! { <div class="hb-send"></div> }
}
