//! The identity switcher: act as any demo user (a `<select>` in the header).
//!
//! Changing it closes the open card and, when the new identity is not in the open chat,
//! goes back to the chat list.

use crate::backend::DEMO_USERS;
use crate::i18n::{Msg, display_name};
use crate::state::{Screen, use_app};
use hongbao_api::demo;
use leptos::prelude::*;

/// What switching to `user` does to the screen: a chat they are not in closes.
pub fn screen_after_switch(screen: Screen, user: &str) -> Screen {
    match screen {
        Screen::Chat(id) if demo::chat_for(user, &id).is_none() => Screen::Chats,
        other => other,
    }
}

#[component]
pub fn IdentitySwitch() -> impl IntoView {
    let state = use_app();
    let label = move || Msg::ActingAs.text(state.lang.get());
    let on_change = move |ev: leptos::ev::Event| {
        let user = event_target_value(&ev);
        if !DEMO_USERS.contains(&user.as_str()) || user == state.user.get_untracked() {
            return;
        }
        state.open_packet.set(None);
        state
            .screen
            .update(|s| *s = screen_after_switch(s.clone(), &user));
        state.user.set(user);
    };
    view! {
        <label class="hb-identity" title=label>
            <span class="hb-sr-only">{label}</span>
            <select
                class="hb-identity-select"
                data-testid="identity-switch"
                prop:value=move || state.user.get()
                on:change=on_change
            >
                {DEMO_USERS
                    .iter()
                    .map(|u| {
                        view! {
                            <option value=*u selected=move || state.user.get() == *u>
                                {display_name(u)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_leaves_chats_the_new_user_is_not_in() {
        assert_eq!(
            screen_after_switch(Screen::Chat("alice-bob".into()), "carol"),
            Screen::Chats
        );
        assert_eq!(
            screen_after_switch(Screen::Chat("alice-bob".into()), "bob"),
            Screen::Chat("alice-bob".into())
        );
        assert_eq!(
            screen_after_switch(Screen::Chat("family".into()), "judy"),
            Screen::Chat("family".into())
        );
        assert_eq!(screen_after_switch(Screen::Wallet, "judy"), Screen::Wallet);
    }
}
