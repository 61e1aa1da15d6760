//! Opening a packet (PRODUCT §5): the bubble in the chat and the card with 開. (Stub.)

use hongbao_api::PacketView;
use leptos::prelude::*;

#[component]
pub fn PacketBubble(packet: PacketView) -> impl IntoView {
    view! {
        <div class="hb-bubble" data-testid="packet-bubble" data-packet-id=packet.id data-state=packet.state.as_str()>
            {packet.greeting.clone()}
        </div>
    }
}

#[component]
pub fn PacketCard(packet_id: u64) -> impl IntoView {
    view! { <div class="hb-card" data-packet-id=packet_id></div> }
}
