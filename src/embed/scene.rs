//! An embedded widget's scene, once started: the app with the embed's hooks (the DOM events,
//! the claim and send demos). It runs inside the embed binary's split point `app_scene`
//! (src/bin/embed.rs), so none of this, nor the app it shows, is in the embed's first load.

use super::{FairnessArgs, Scene, SceneArgs, Widget};
use crate::backend::{FAMILY, new_idempotency_key, retry};
use crate::state::{AppState, Screen};
use hongbao_api::{ChatEvent, NewPacket};
use hongbao_engine::{Money, PacketKind};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// The started scene: the app, wired to the widget. `shown` is set once it has rendered.
pub fn view((settings, scene, widget, shown): SceneArgs) -> AnyView {
    let widget = widget.get_value();
    provide_context(StartHook::new(move |state: AppState| {
        widget.state.set(Some(state));
        forward_events(state, widget.clone());
        start_scene(state, scene, widget.clone());
        shown.set(true);
    }));
    view! { <crate::App settings=settings /> }.into_any()
}

/// The fairness scene: the lab's fairness view on its own.
pub fn fairness((lang, shown): FairnessArgs) -> AnyView {
    shown.set(true);
    view! {
        <div class="hb-app hb-embed-fairness" data-testid="embed-fairness">
            <crate::lab::fairness::FairnessView lang=lang />
        </div>
    }
    .into_any()
}

/// Lets the embed reach the app's state once it exists: provided as context around
/// [`crate::App`], which runs it right after building its state.
#[derive(Clone, Copy)]
pub struct StartHook(StoredValue<Option<OnStart>, LocalStorage>);

type OnStart = Box<dyn FnOnce(AppState)>;

impl StartHook {
    pub fn new(f: impl FnOnce(AppState) + 'static) -> StartHook {
        StartHook(StoredValue::new_local(Some(Box::new(f))))
    }

    /// Runs the hook (once).
    pub fn run(&self, state: AppState) {
        if let Some(f) = self.0.try_update_value(|f| f.take()).flatten() {
            f(state);
        }
    }
}

/// Re-dispatches the backend's events on the host as `hongbao:sent|claimed|recalled`.
fn forward_events(state: AppState, widget: Rc<Widget>) {
    let backend = state.backend();
    let user = state.user;
    state.backend().subscribe(Rc::new(move |event: &ChatEvent| {
        let (name, id, claimer) = match event {
            ChatEvent::PacketSent { packet_id, .. } => ("hongbao:sent", *packet_id, None),
            ChatEvent::PacketClaimed {
                packet_id,
                username,
                ..
            } => ("hongbao:claimed", *packet_id, Some(username.clone())),
            ChatEvent::PacketRecalled { packet_id, .. } => ("hongbao:recalled", *packet_id, None),
            ChatEvent::PacketExpired { .. } => return,
        };
        if !widget.alive.get() {
            return;
        }
        let Some(viewer) = user.try_get_untracked() else {
            return;
        };
        let (widget, backend) = (widget.clone(), backend.clone());
        leptos::task::spawn_local(async move {
            let Ok(packet) = backend.packet(&viewer, id).await else {
                return;
            };
            if !widget.alive.get() {
                return;
            }
            let detail = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(k), &v);
            };
            set("packetId", JsValue::from_f64(id as f64));
            set("chatId", JsValue::from_str(&packet.chat_id));
            set("sender", JsValue::from_str(&packet.sender));
            let amount = match (&claimer, name) {
                (Some(who), _) => {
                    set("user", JsValue::from_str(who));
                    packet
                        .claims
                        .iter()
                        .find(|c| &c.username == who)
                        .map(|c| c.amount)
                }
                (None, "hongbao:recalled") => packet.refund,
                _ => Some(packet.total),
            };
            if let Some(amount) = amount {
                set("amount", JsValue::from_str(&amount.to_string()));
            }
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(&detail);
            if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
                let _ = widget.host.dispatch_event(&ev);
            }
        });
    }));
}

fn start_scene(state: AppState, scene: Scene, widget: Rc<Widget>) {
    match scene {
        Scene::App | Scene::Fairness => {}
        Scene::ClaimDemo => {
            state.user.set("alice".into());
            state.screen.set(Screen::Chat(FAMILY.into()));
            leptos::task::spawn_local(async move {
                let backend = state.backend();
                // One packet from bob still open for alice is enough (state persists).
                let open = |p: &hongbao_api::PacketView| {
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
                let id = match ready {
                    Some(id) => Some(id),
                    None => {
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
                        retry(5, || backend.send("bob", &packet))
                            .await
                            .ok()
                            .map(|p| p.id)
                    }
                };
                state.changed();
                // The reader pressed the packet to start the scene: it opens.
                if id.is_some() && widget.alive.get() {
                    state.open_packet.set(id);
                }
            });
        }
        Scene::SendDemo => {
            state.screen.set(Screen::Chat(FAMILY.into()));
            // The chat's own button opens the send flow, once it has rendered.
            leptos::task::spawn_local(async move {
                for _ in 0..60 {
                    gloo_timers::future::TimeoutFuture::new(50).await;
                    if let Ok(Some(button)) =
                        widget.root.query_selector("[data-testid=\"new-packet\"]")
                    {
                        if let Some(b) = button.dyn_ref::<web_sys::HtmlElement>() {
                            b.click();
                        }
                        return;
                    }
                }
            });
        }
    }
}
