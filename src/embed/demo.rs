//! The claim and send demos, once started: the dialog the reader pressed for (the packet card,
//! the send sheet) over the Family chat, on the app's state, without the app's shell. Each runs
//! in a split point of its own (`embed_claim_scene`, `embed_send_scene`, src/bin/embed.rs), so
//! pressing a demo fetches the dialog, the chat and the backend, not the shell (header, chat
//! list, identity, tabs) nor the other demo's dialog. When the reader leaves the dialog, the app
//! scene takes over the same state ([`super::scene::view`] with `running`): the chat in the
//! whole app, its shell fetched then.

use super::scene::forward_events;
use super::{SceneArgs, Widget};
use crate::backend::{FAMILY, new_idempotency_key, retry};
use crate::split::LoadFailed;
use crate::state::{AppState, Screen};
use hongbao_api::{NewPacket, PacketView};
use hongbao_engine::{Money, PacketKind};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The claim demo: a lucky packet from bob, open for alice, its card open.
pub async fn claim(args: SceneArgs) -> Result<AnyView, LoadFailed> {
    let state = start(&args).await?;
    state.user.set("alice".into());
    let id = ready_packet(state).await;
    // The reader pressed the packet to start the scene: it opens (nothing to open if the
    // backend refused both the reading and the sending: the app shows the chat).
    state.open_packet.set(id);
    let open = Signal::derive(move || state.open_packet.get().is_some());
    let card = move || {
        state
            .open_packet
            .get()
            .map(|id| view! { <crate::flows::claim::PacketCard packet_id=id /> })
    };
    // The card is modal and closing it ends the demo: the packet that was open is `id`; its
    // bubble has the focus back once the app has taken over.
    let opener = move || match id {
        Some(id) => format!(r#"[data-testid="packet-bubble"][data-packet-id="{id}"]"#),
        None => r#"[data-testid="new-packet"]"#.to_owned(),
    };
    Ok(until_left(args, state, open, card, opener))
}

/// The send demo: the send sheet open in the Family chat. (The sheet is this scene's own, not
/// the chat's split point: pressing the demo fetches it with the scene, in one go.)
pub async fn send(args: SceneArgs) -> Result<AnyView, LoadFailed> {
    let state = start(&args).await?;
    let chat = hongbao_api::demo::chat_for(&state.user.get_untracked(), FAMILY);
    let open = RwSignal::new(chat.is_some());
    let sheet = move || {
        let chat = chat.clone().filter(|_| open.get())?;
        let on_close = Callback::new(move |()| open.set(false));
        Some(view! { <crate::flows::send::SendFlow chat=chat on_close=on_close /> })
    };
    let opener = || r#"[data-testid="new-packet"]"#.to_owned();
    Ok(until_left(args, state, open.into(), sheet, opener))
}

/// The app's state on the widget's backend, kept running, wired to the widget (its events, its
/// live options), in the Family chat.
async fn start(args: &SceneArgs) -> Result<AppState, LoadFailed> {
    let backend = crate::backend::connect(&args.settings).await?;
    let state = AppState::new(args.settings.clone(), backend);
    provide_context(state);
    crate::lab::start(state, None);
    crate::shell::run(state);
    let widget = args.widget.get_value();
    widget.state.set(Some(state));
    forward_events(state, widget);
    state.screen.set(Screen::Chat(FAMILY.into()));
    Ok(state)
}

/// The chat with `dialog` over it while `open` holds; then the app scene on the same state.
/// The dialog's opener goes with the demo's view: the focus, if it went nowhere, goes to the
/// same control in the app (`opener`, a selector) once it is there.
fn until_left<V: IntoView + 'static>(
    args: SceneArgs,
    state: AppState,
    open: Signal<bool>,
    dialog: impl Fn() -> V + Send + Sync + 'static,
    opener: impl Fn() -> String + Send + Sync + 'static,
) -> AnyView {
    let left = RwSignal::new(false);
    let widget = args.widget;
    Effect::new(move |_| {
        if !open.get() && !left.get_untracked() {
            left.set(true);
            refocus(widget.get_value(), opener());
        }
    });
    args.shown.set(true);
    let lang = Signal::from(state.lang);
    let args = StoredValue::new(args);
    (move || {
        if left.get() {
            // The app scene's module, fetched now (a failed fetch offers to try again).
            crate::split::show(lang, move || {
                let mut args = args.get_value();
                args.running = Some(state);
                (args.scenes.app)(args)
            })
            .into_any()
        } else {
            view! {
                <div class="hb-app" lang=move || crate::i18n::html_tag(state.lang.get())>
                    <div class="hb-phone hb-embed-demo" data-testid="app-frame">
                        // The app's header, its title only (the identity and language
                        // switches come with the app).
                        <header class="hb-header">
                            <span aria-hidden={"true"}></span>
                            <h1 class="hb-title" data-testid="title">
                                {move || crate::chat::chat_title(FAMILY, &state.user.get(), state.lang.get())}
                            </h1>
                            <span aria-hidden={"true"}></span>
                        </header>
                        <main class="hb-screen">
                            <crate::chat::ChatView chat_id=FAMILY.to_owned() />
                        </main>
                        {dialog()}
                    </div>
                </div>
            }
            .into_any()
        }
    })
    .into_any()
}

/// One of bob's packets in the Family chat still open for alice: the latest (the demo's state
/// persists), or a new one.
async fn ready_packet(state: AppState) -> Option<u64> {
    let backend = state.backend();
    let open = |p: &PacketView| {
        p.sender == "bob"
            && p.claimed_count < p.count
            && p.recalled_at.is_none()
            && !p.claims.iter().any(|c| c.username == "alice")
    };
    let ready = backend
        .chat_packets("alice", FAMILY)
        .await
        .ok()
        .and_then(|ps| ps.iter().rev().find(|p| open(p)).map(|p| p.id));
    if ready.is_some() {
        return ready;
    }
    let packet = NewPacket {
        chat_id: FAMILY.into(),
        kind: PacketKind::Lucky {
            total: Money::from_fen(888),
            count: 3,
            split: None,
        },
        greeting: "恭喜发财".into(),
        idempotency_key: new_idempotency_key("bob"),
    };
    let sent = retry(5, || backend.send("bob", &packet)).await.ok();
    state.changed();
    sent.map(|p| p.id)
}

/// Moves the focus to `selector` in the widget once the app has rendered it, if the focus went
/// nowhere meanwhile (the page's body, or the widget's root: not a press elsewhere). Gives up
/// after ten seconds (a network that did not deliver the app).
fn refocus(widget: Rc<Widget>, selector: String) {
    leptos::task::spawn_local(async move {
        for _ in 0..500 {
            gloo_timers::future::TimeoutFuture::new(20).await;
            if !widget.alive.get() || !focus_lost(&widget) {
                return;
            }
            if let Ok(Some(el)) = widget.root.query_selector(&selector) {
                if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
                return;
            }
        }
    });
}

/// Whether the focus is nowhere: on the page's body, or on the widget's host or root with
/// nothing inside focused.
fn focus_lost(widget: &Widget) -> bool {
    let doc = document();
    let Some(active) = doc.active_element() else {
        return true;
    };
    let host: &web_sys::Element = widget.host.as_ref();
    if doc
        .body()
        .is_some_and(|b| active == *b.unchecked_ref::<web_sys::Element>())
    {
        return true;
    }
    if active != *host {
        return false;
    }
    let root: &web_sys::Element = widget.root.as_ref();
    widget
        .host
        .shadow_root()
        .and_then(|s| s.active_element())
        .is_none_or(|inner| inner == *root)
}
