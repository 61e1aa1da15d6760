//! Chats: the list of conversations and one conversation's view.

use crate::i18n::{Lang, Msg};
use crate::use_ui;
use leptos::prelude::*;

/// The demo users; both backends know the same ten.
pub const DEMO_USERS: [&str; 10] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
];

/// A conversation as the chat list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chat {
    /// Stable id; the list item's test id is `chat-<id>`.
    pub id: String,
    /// `None` for the group (its title is translated), the other person for a 1:1 chat.
    pub peer: Option<String>,
    pub members: Vec<String>,
}

impl Chat {
    pub fn is_group(&self) -> bool {
        self.peer.is_none()
    }
    pub fn title(&self, lang: Lang) -> String {
        match &self.peer {
            None => Msg::FamilyGroup.text(lang).to_owned(),
            Some(peer) => display_name(peer),
        }
    }
}

/// "alice" → "Alice".
pub fn display_name(user: &str) -> String {
    let mut chars = user.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The group "Family" of all ten and a few 1:1 chats of alice's.
pub fn demo_chats() -> Vec<Chat> {
    let mut chats = vec![Chat {
        id: "family".into(),
        peer: None,
        members: DEMO_USERS.iter().map(|u| u.to_string()).collect(),
    }];
    chats.extend(["bob", "carol", "dave"].into_iter().map(|peer| Chat {
        id: peer.into(),
        peer: Some(peer.into()),
        members: vec!["alice".into(), peer.into()],
    }));
    chats
}

#[component]
pub fn ChatList(#[prop(into)] on_open: Callback<String>) -> impl IntoView {
    let ui = use_ui();
    view! {
        <nav class="hb-chat-list" aria-label=move || ui.t(Msg::Chats)>
            <ul>
                {demo_chats()
                    .into_iter()
                    .map(|chat| {
                        let id = chat.id.clone();
                        let testid = format!("chat-{}", chat.id);
                        let avatar = if chat.is_group() { "👪".to_owned() } else { display_name(&chat.id).chars().take(1).collect() };
                        let subtitle = {
                            let chat = chat.clone();
                            move || {
                                if chat.is_group() {
                                    format!("{} {}", chat.members.len(), ui.t(Msg::GroupMembers))
                                } else {
                                    ui.t(Msg::NoMessages).to_owned()
                                }
                            }
                        };
                        let title = { let chat = chat.clone(); move || chat.title(ui.lang.get()) };
                        view! {
                            <li>
                                <button
                                    class="hb-chat-item"
                                    data-testid=testid
                                    on:click=move |_| on_open.run(id.clone())
                                >
                                    <span class="hb-avatar" aria-hidden="true">{avatar}</span>
                                    <span class="hb-chat-text">
                                        <span class="hb-chat-name">{title}</span>
                                        <span class="hb-chat-sub">{subtitle}</span>
                                    </span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn ChatView(chat: Chat) -> impl IntoView {
    let ui = use_ui();
    view! {
        <section class="hb-chat" data-testid=format!("chat-view-{}", chat.id)>
            <div class="hb-messages" role="log" aria-live="polite">
                <p class="hb-empty">{move || ui.t(Msg::NoMessages)}</p>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_has_all_ten_and_one_to_one_chats_have_two() {
        let chats = demo_chats();
        assert_eq!(chats[0].id, "family");
        assert_eq!(chats[0].members.len(), 10);
        assert!(
            chats[1..]
                .iter()
                .all(|c| c.members.len() == 2 && !c.is_group())
        );
        assert_eq!(display_name("bob"), "Bob");
    }
}
