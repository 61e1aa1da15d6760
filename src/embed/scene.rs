//! An embedded widget's app scene, once started: the app with the embed's hooks (the DOM
//! events). It runs inside the embed binary's split point `embed_app_scene` (src/bin/embed.rs),
//! so none of this, nor the app it shows, is in the embed's first load. The demos
//! ([`super::demo`]) have split points of their own and hand over to this one.

use super::{FairnessArgs, SceneArgs, Widget};
use crate::state::AppState;
use hongbao_api::ChatEvent;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// The started app scene: the app, wired to the widget; or, after a demo ([`super::demo`]),
/// the app's frame on the demo's running state.
pub fn view(args: SceneArgs) -> AnyView {
    if let Some(state) = args.running {
        return crate::shell::frame(state).into_any();
    }
    let widget = args.widget.get_value();
    let (settings, shown) = (args.settings, args.shown);
    provide_context(StartHook::new(move |state: AppState| {
        widget.state.set(Some(state));
        forward_events(state, widget.clone());
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
pub fn forward_events(state: AppState, widget: Rc<Widget>) {
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
