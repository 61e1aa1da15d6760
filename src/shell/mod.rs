//! The app shell: the frame (phone-sized, or on a wide page the chat list beside the open
//! chat), its header, the tab bar and the screen it shows.

use crate::chat::{ChatList, ChatView};
use crate::i18n::{self, Msg};
use crate::identity::IdentitySwitch;
use crate::settings::{BackendKind, Settings};
use crate::split;
use crate::state::{AppState, Screen, use_app};
use leptos::prelude::*;

/// The whole widget. `settings` come from the URL query (or, embedded, from data attributes).
#[component]
pub fn App(settings: Settings) -> impl IntoView {
    // `?experiment=<key>`: the participant's variant applies over the query's settings before
    // anything starts; `?backend=http`: the HTTP client; a mock state saved by an earlier
    // visit: the code that restores it. All are split points (src/split.rs): a first visit
    // (the mock, nothing saved, no experiment) loads none and starts at once.
    let query = crate::settings::current_query();
    let experiment = crate::lab::names_experiment(&query);
    // `?study=<key>`: a study's participant (src/study, also split).
    let study = crate::lab::query_param(&query, "study").is_some();
    if !experiment
        && !study
        && settings.backend == BackendKind::Mock
        && crate::backend::mock::saved(&settings).is_none()
    {
        let backend = crate::backend::mock::connect(&settings, None);
        return start(settings, None, None, backend).into_any();
    }
    let lang = Signal::stored(settings.lang);
    split::show(lang, move || {
        let (settings, query) = (settings.clone(), query.clone());
        async move {
            // A study's participant on a server has its backend already (the study was read
            // from there).
            let (settings, lab, participant, connected) = if study {
                match split::activate_study(settings, query).await?? {
                    Ok((settings, participant, connected)) => {
                        (settings, None, Some(participant), connected)
                    }
                    Err(refused) => return Ok(refused),
                }
            } else if experiment {
                let (settings, lab) = split::activate_lab(settings, query).await?;
                (settings, lab, None, None)
            } else {
                (settings, None, None, None)
            };
            let backend = match connected {
                Some(backend) => backend.take(),
                None => crate::backend::connect(&settings).await?,
            };
            Ok(start(settings, lab, participant, backend).into_any())
        }
    })
    .into_any()
}

/// The widget with its settings final: the backend, the shared state, the screens.
fn start(
    settings: Settings,
    lab: Option<crate::lab::Active>,
    participant: Option<crate::state::Participant>,
    backend: crate::backend::AnyBackend,
) -> impl IntoView {
    let mut state = AppState::new(settings, backend);
    state.participant = participant;
    provide_context(state);
    crate::lab::start(state, lab);
    // Embedded (src/embed): the embed wires its events and scene to the new state.
    if let Some(hook) = use_context::<crate::embed::scene::StartHook>() {
        hook.run(state);
    }
    run(state);
    frame(state)
}

/// Keeps `state` going while the current owner lives: the backend follows the language and
/// the settings, and the clock ticks.
pub fn run(state: AppState) {
    Effect::new(move |_| state.backend().set_lang(state.lang.get()));
    Effect::new(move |_| state.settings.with(|s| state.backend().configure(s)));
    // The backend's clock, for countdowns; also runs the expiry check on the mock.
    let clock = set_interval_with_handle(
        move || state.refresh_now(),
        std::time::Duration::from_millis(1000),
    );
    on_cleanup(move || {
        if let Ok(handle) = clock {
            handle.clear();
        }
    });
}

/// The app's frame and screens on a running `state` ([`run`]): the header, the screen, the
/// tab bar, the open packet. (The embed's claim and send demos start with a state of their own
/// and show this once the reader leaves their dialog.)
pub fn frame(state: AppState) -> impl IntoView {
    provide_context(state);
    // The standalone page (not an embedded widget): routes, history, stored preferences and
    // the wide layout (src/nav).
    let page = use_context::<crate::nav::Page>();
    if let Some(page) = page {
        (page.install)(state, page);
    }
    let framed = page.is_some_and(|p| p.frame == crate::settings::Frame::Phone);
    // The chat list beside the open chat: the wide layout, on the chats tab.
    let two_panes = Memo::new(move |_| {
        state.wide.get() && matches!(state.screen.get(), Screen::Chats | Screen::Chat(_))
    });

    let lang = Signal::from(state.lang);
    view! {
        <div
            class="hb-app"
            class:hb-page=page.is_some()
            class:hb-framed=framed
            class:hb-wide=move || state.wide.get()
            lang=move || i18n::html_tag(state.lang.get())
        >
            <div class="hb-phone" class:hb-two-panes=move || two_panes.get() data-testid="app-frame">
                <Header />
                <div class="hb-task-slot">
                    <crate::lab::TaskCard />
                    {state.participant.map(|_| split::show(lang, split::study_view))}
                </div>
                {move || two_panes.get().then(|| view! {
                    <div class="hb-list-pane" data-testid="list-pane"><ChatList /></div>
                })}
                <main class="hb-screen" data-testid="main-pane">
                    {move || match state.screen.get() {
                        Screen::Chats if two_panes.get() => view! {
                            <p class="hb-pick-chat" data-testid="pick-chat">
                                {move || crate::nav::i18n::NavMsg::PickChat.text(state.lang.get())}
                            </p>
                        }.into_any(),
                        Screen::Chats => view! { <ChatList /> }.into_any(),
                        Screen::Chat(id) => view! { <ChatView chat_id=id /> }.into_any(),
                        Screen::Wallet => split::show(lang, split::wallet_screen).into_any(),
                        // Not a participant's (nor reachable by them: crate::nav).
                        Screen::Settings | Screen::Lab if !state.allows(&state.screen.get()) => ().into_any(),
                        Screen::Settings => split::show(lang, split::settings_screen).into_any(),
                        Screen::Lab => split::show(lang, split::lab_screen).into_any(),
                    }}
                </main>
                <TabBar />
                {move || state.open_packet.get().map(|id| split::show(lang, move || split::packet_card(id)))}
            </div>
        </div>
    }
}

fn title(state: AppState) -> String {
    let lang = state.lang.get();
    match state.screen.get() {
        Screen::Chats => Msg::AppTitle.text(lang).to_owned(),
        Screen::Wallet => Msg::Wallet.text(lang).to_owned(),
        Screen::Settings => Msg::Settings.text(lang).to_owned(),
        Screen::Lab => crate::lab::i18n::LabMsg::Lab.text(lang).to_owned(),
        Screen::Chat(id) => crate::chat::chat_title(&id, &state.user.get(), lang),
    }
}

#[component]
fn Header() -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    // Three columns, the outer two of equal width while they fit: the title sits in the middle.
    view! {
        <header class="hb-header">
            <div class="hb-header-start">
                <Show when=move || matches!(state.screen.get(), Screen::Chat(_)) && !state.wide.get()>
                    <button
                        class="hb-icon-button"
                        data-testid="back-button"
                        aria-label=move || Msg::Back.text(lang())
                        on:click=move |_| state.screen.set(Screen::Chats)
                    >
                        "‹"
                    </button>
                </Show>
                {state.participant.is_none_or(|p| p.identity).then(|| view! { <IdentitySwitch /> })}
            </div>
            <h1 class="hb-title" data-testid="title">{move || title(state)}</h1>
            <div class="hb-header-end">
                <LangSwitch testid="lang-switch" />
            </div>
        </header>
    }
}

/// The language pill: names the other language and switches to it. `class` adds to its
/// `hb-lang` look (the study's sheets place it with their own class).
#[component]
pub fn LangSwitch(testid: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    let lang = use_app().lang;
    view! {
        <button
            class=format!("hb-lang {class}")
            data-testid=testid
            title=move || Msg::SwitchLanguage.text(lang.get())
            on:click=move |_| lang.update(|l| *l = i18n::other(*l))
        >
            {move || Msg::LanguageName.text(lang.get())}
        </button>
    }
}

#[component]
fn TabBar() -> impl IntoView {
    let state = use_app();
    let tab = move |screen: Screen, msg: Msg, testid: &'static str| {
        let target = screen.clone();
        let current = move || match (state.screen.get(), &screen) {
            (Screen::Chat(_), Screen::Chats) => true,
            (a, b) => a == *b,
        };
        view! {
            <button
                class="hb-tab"
                data-testid=testid
                aria-current=move || current().then_some("page")
                on:click=move |_| state.screen.set(target.clone())
            >
                {move || msg.text(state.lang.get())}
            </button>
        }
    };
    view! {
        <nav class="hb-tabs">
            {tab(Screen::Chats, Msg::Chats, "tab-chats")}
            {tab(Screen::Wallet, Msg::Wallet, "tab-wallet")}
            // A study's participant sees neither (state.allows).
            {state.participant.is_none().then(|| view! {
                {tab(Screen::Settings, Msg::Settings, "settings")}
                <button
                    class="hb-tab"
                    data-testid="tab-lab"
                    aria-current=move || (state.screen.get() == Screen::Lab).then_some("page")
                    on:click=move |_| state.screen.set(Screen::Lab)
                >
                    {move || crate::lab::i18n::LabMsg::Lab.text(state.lang.get())}
                </button>
            })}
        </nav>
    }
}
