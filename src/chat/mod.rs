//! Chats: the list of conversations and one conversation's messages (its packets).

use crate::face::{Face, GroupFace};
use crate::flows::claim::PacketBubble;
use crate::i18n::{Lang, Msg, display_name};
use crate::state::{Screen, use_app};
use hongbao_api::{ChatInfo, demo};
use leptos::prelude::*;

/// The title of chat `id` as `user` sees it.
pub fn chat_title(id: &str, user: &str, lang: Lang) -> String {
    match demo::chat_for(user, id) {
        Some(chat) if chat.is_group() => Msg::FamilyGroup.text(lang).to_owned(),
        Some(chat) => display_name(&chat.name),
        None => String::new(),
    }
}

#[component]
pub fn ChatList() -> impl IntoView {
    let state = use_app();
    let chats = LocalResource::new(move || {
        let (user, _) = (state.user.get(), state.revision.get());
        let backend = state.backend();
        async move { crate::backend::retry(10, || backend.chats(&user)).await }
    });
    // The first screen accepts input once the chats are listed: mark it for `xtask bench ui`.
    Effect::new(move |marked: Option<bool>| {
        let ready = matches!(chats.get(), Some(Ok(_)));
        if ready
            && marked != Some(true)
            && let Some(perf) = web_sys::window().and_then(|w| w.performance())
        {
            let _ = perf.mark("hongbao-interactive");
        }
        ready || marked == Some(true)
    });
    let item = move |chat: ChatInfo| {
        let id = chat.id.clone();
        // A direct chat shows the other person's face; a group its members' faces.
        let face = if chat.is_group() {
            view! { <GroupFace group=chat.id.clone() members=chat.members.clone() class="hb-avatar" /> }
                .into_any()
        } else {
            view! { <Face user=chat.name.clone() class="hb-avatar" /> }.into_any()
        };
        let members = chat.members.len();
        let group = chat.is_group();
        // The open chat's row (beside it in the wide layout).
        let current = {
            let id = chat.id.clone();
            move || (state.screen.get() == Screen::Chat(id.clone())).then_some("page")
        };
        let title = {
            let id = chat.id.clone();
            move || chat_title(&id, &state.user.get(), state.lang.get())
        };
        view! {
            <li>
                <button
                    class="hb-chat-item"
                    data-testid=format!("chat-{}", chat.id)
                    aria-current=current
                    on:click=move |_| state.screen.set(Screen::Chat(id.clone()))
                >
                    {face}
                    <span class="hb-chat-text">
                        <span class="hb-chat-name">{title}</span>
                        <span class="hb-chat-sub">
                            {move || if group { format!("{members} {}", Msg::Members.text(state.lang.get())) } else { String::new() }}
                        </span>
                    </span>
                </button>
            </li>
        }
    };
    view! {
        <nav class="hb-chat-list" aria-label=move || Msg::Chats.text(state.lang.get())>
            <ul>
                <Transition fallback=move || view! { <li class="hb-muted">{move || Msg::Loading.text(state.lang.get())}</li> }>
                    {move || chats.get().map(|chats| match chats {
                        Ok(list) => list.into_iter().map(item).collect_view().into_any(),
                        Err(e) => view! { <li class="hb-error" data-testid="error-message" role="alert">{e.message}</li> }.into_any(),
                    })}
                </Transition>
            </ul>
        </nav>
    }
}

#[component]
pub fn ChatView(chat_id: String) -> impl IntoView {
    let state = use_app();
    // The send sheet: app state, so that it has a place in the URL (src/nav).
    let composing = state.composing;
    let id = chat_id.clone();
    let packets = LocalResource::new(move || {
        let (user, _) = (state.user.get(), state.revision.get());
        let (backend, id) = (state.backend(), id.clone());
        async move { crate::backend::retry(10, || backend.chat_packets(&user, &id)).await }
    });
    let list = Memo::new(move |_| match packets.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    });
    let chat = {
        let id = chat_id.clone();
        move || demo::chat_for(&state.user.get(), &id)
    };
    view! {
        <section class="hb-chat" data-testid=format!("chat-view-{chat_id}")>
            <div class="hb-messages" role="log" aria-live="polite">
                <Transition fallback=move || view! { <p class="hb-muted">{move || Msg::Loading.text(state.lang.get())}</p> }>
                    {move || packets.get().map(|packets| match packets {
                        Ok(list) if list.is_empty() => view! { <p class="hb-empty">{move || Msg::NoMessages.text(state.lang.get())}</p> }.into_any(),
                        Ok(_) => ().into_any(),
                        Err(e) => view! { <p class="hb-error" data-testid="error-message" role="alert">{e.message}</p> }.into_any(),
                    })}
                </Transition>
                // Keyed: a bubble is rebuilt only when its packet changed, so focus and an
                // open recall confirmation survive other packets' updates (e.g. bots' claims). The
                // acting user is part of the key: a bubble shows the packet as its viewer sees it.
                <For
                    each=move || list.get()
                    key=move |p| (state.user.get_untracked(), p.id, p.state.as_str(), p.claimed_count)
                    children=move |p| view! { <PacketBubble packet=p /> }
                />
            </div>
            <div class="hb-composer">
                <button class="hb-new-packet" data-testid="new-packet" on:click=move |_| composing.set(true)>
                    <span aria-hidden="true">{"🧧 "}</span>
                    {move || Msg::NewPacket.text(state.lang.get())}
                </button>
            </div>
            {move || {
                let chat = chat()?;
                composing.get().then(|| {
                    let on_close = Callback::new(move |()| composing.set(false));
                    crate::split::show(state.lang.into(), move || {
                        crate::split::send_flow(chat.clone(), on_close)
                    })
                })
            }}
        </section>
    }
}
