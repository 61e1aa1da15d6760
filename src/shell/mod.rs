//! The app shell: the phone-sized frame, its header and the screen it shows.

use crate::chat::{ChatList, ChatView, demo_chats};
use crate::i18n::Msg;
use crate::settings::Settings;
use crate::{Ui, use_ui};
use leptos::prelude::*;

/// The whole widget. `settings` come from the URL query (or, embedded, from data attributes).
#[component]
pub fn App(settings: Settings) -> impl IntoView {
    let ui = Ui {
        lang: RwSignal::new(settings.lang),
        settings: StoredValue::new(settings),
    };
    provide_context(ui);
    let open_chat = RwSignal::new(None::<String>);

    view! {
        <div class="hb-app" lang=move || ui.lang.get().html_tag()>
            <div class="hb-phone">
                <Header open_chat=open_chat />
                <main class="hb-screen">
                    {move || match open_chat.get() {
                        None => view! { <ChatList on_open=move |id| open_chat.set(Some(id)) /> }.into_any(),
                        Some(id) => {
                            let chat = demo_chats().into_iter().find(|c| c.id == id);
                            match chat {
                                Some(chat) => view! { <ChatView chat=chat /> }.into_any(),
                                None => view! { <ChatList on_open=move |id| open_chat.set(Some(id)) /> }.into_any(),
                            }
                        }
                    }}
                </main>
            </div>
        </div>
    }
}

#[component]
fn Header(open_chat: RwSignal<Option<String>>) -> impl IntoView {
    let ui = use_ui();
    let title = move || match open_chat.get() {
        None => ui.t(Msg::AppTitle).to_owned(),
        Some(id) => demo_chats()
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.title(ui.lang.get()))
            .unwrap_or_default(),
    };
    view! {
        <header class="hb-header">
            <Show when=move || open_chat.get().is_some()>
                <button
                    class="hb-icon-button"
                    data-testid="back-button"
                    aria-label=move || ui.t(Msg::Back)
                    on:click=move |_| open_chat.set(None)
                >
                    "‹"
                </button>
            </Show>
            <h1 class="hb-title">{title}</h1>
            <button
                class="hb-lang"
                data-testid="lang-switch"
                title=move || ui.t(Msg::SwitchLanguage)
                on:click=move |_| ui.lang.update(|l| *l = l.other())
            >
                {move || ui.t(Msg::LanguageName)}
            </button>
        </header>
    }
}
