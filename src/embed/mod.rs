//! Embedding (PRODUCT §7): mounts the widget into a host element, inside an open shadow root.
//!
//! The embed build (`embed/index.html`, bin `embed`) exports [`mount`] through a small
//! loader, `hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. Options come from the element's `data-*`
//! attributes, overridden by the `options` object; every key of [`Settings::apply`] is
//! accepted (`data-lang`, `data-seed`, `data-recall`, …), plus `data-settings` (a query
//! string of more keys), `data-variant`, `data-scene` and `data-storage`.
//!
//! The styles load as `<link rel="stylesheet" href="<base>/hongbao.css">` inside the shadow
//! root: no inline `<style>`, so a page with `style-src 'self'` works.

use crate::backend::{Backend, FAMILY, new_idempotency_key, retry};
use crate::settings::{KEYS, Settings};
use crate::state::{AppState, Screen};
use hongbao_api::{ChatEvent, NewPacket};
use hongbao_engine::PacketKindTag;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// What an embedded widget shows first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scene {
    /// The chat list (the whole app).
    App,
    /// A lucky packet from bob in the Family chat, ready to open as alice.
    ClaimDemo,
    /// The Family chat with the send flow open.
    SendDemo,
    /// The fairness chart (the lab's fairness view).
    Fairness,
}

impl Scene {
    pub fn parse(value: &str) -> Option<Scene> {
        Some(match value.trim() {
            "" | "app" => Scene::App,
            "claim-demo" => Scene::ClaimDemo,
            "send-demo" => Scene::SendDemo,
            "fairness" => Scene::Fairness,
            _ => return None,
        })
    }
}

/// The options of one widget.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedOptions {
    pub settings: Settings,
    pub scene: Scene,
    /// The lab variant the widget stands for (kept on the root as `data-variant`).
    pub variant: Option<String>,
}

/// Builds the options from a lookup of option names (`lang`, `scene`, …). Bad values are
/// reported and ignored. Embedded widgets default to no bots (a demo stays as shown).
pub fn options(get: impl Fn(&str) -> Option<String>) -> (EmbedOptions, Vec<String>) {
    let mut settings = Settings {
        bots: false,
        storage_key: "embed".into(),
        ..Settings::default()
    };
    let mut errors = Vec::new();
    if let Some(query) = get("settings") {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if let Err(e) = settings.apply(k.trim(), v) {
                errors.push(e.to_string());
            }
        }
    }
    for (key, _) in KEYS {
        if let Some(value) = get(key)
            && let Err(e) = settings.apply(key, &value)
        {
            errors.push(e.to_string());
        }
    }
    let scene = match get("scene") {
        None => Scene::App,
        Some(s) => Scene::parse(&s).unwrap_or_else(|| {
            errors.push(format!(
                "scene={s:?}: expected claim-demo|send-demo|fairness"
            ));
            Scene::App
        }),
    };
    let variant = get("variant").filter(|v| !v.trim().is_empty());
    (
        EmbedOptions {
            settings,
            scene,
            variant,
        },
        errors,
    )
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

/// A mounted widget.
pub struct Mounted {
    host: web_sys::HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
    alive: Rc<Cell<bool>>,
    state: Rc<Cell<Option<AppState>>>,
}

impl Mounted {
    /// Removes the widget: unmounts the view and empties the shadow root.
    pub fn unmount(&mut self) {
        self.alive.set(false);
        self.state.set(None);
        self.handle.take();
        if let Some(root) = self.host.shadow_root() {
            root.set_inner_html("");
        }
        let _ = self.host.remove_attribute("data-hongbao-mounted");
    }

    /// Switches the language (`zh` or `en`); false for an unknown value.
    pub fn set_lang(&self, lang: &str) -> bool {
        let mut probe = Settings::default();
        match (self.state.get(), probe.apply("lang", lang)) {
            (Some(state), Ok(())) => {
                state.lang.set(probe.lang);
                true
            }
            _ => false,
        }
    }
}

/// The value of option `key`: from `options` (a JS object) first, then the host's `data-key`.
fn lookup(host: &web_sys::HtmlElement, options: &JsValue, key: &str) -> Option<String> {
    if options.is_object()
        && let Ok(v) = js_sys::Reflect::get(options, &JsValue::from_str(key))
        && !v.is_undefined()
        && !v.is_null()
    {
        return v
            .as_string()
            .or_else(|| v.as_f64().map(|n| format!("{n}")))
            .or_else(|| v.as_bool().map(|b| if b { "on" } else { "off" }.to_owned()));
    }
    host.get_attribute(&format!("data-{key}"))
}

/// Mounts a widget into `host` (see the module docs); `base` is the URL of the embed
/// bundle's directory, ending in `/`.
pub fn mount(host: web_sys::HtmlElement, js_options: JsValue, base: &str) -> Mounted {
    let (opts, errors) = options(|k| lookup(&host, &js_options, k));
    for e in errors {
        leptos::logging::warn!("hongbao embed: ignored option {e}");
    }
    let doc = document();
    let shadow = host.shadow_root().unwrap_or_else(|| {
        let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
        host.attach_shadow(&init).expect("attachShadow")
    });
    shadow.set_inner_html("");
    let link = doc.create_element("link").expect("link");
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", &format!("{base}hongbao.css"));
    let root: web_sys::HtmlElement = doc.create_element("div").expect("div").unchecked_into();
    root.set_class_name("hb-embed-root");
    // Hidden until hongbao.css arrives (its `.hb-embed-root { display: block }` wins over
    // the `hidden` attribute): no flash of unstyled widget, and no inline style needed.
    root.set_hidden(true);
    let _ = root.set_attribute("data-testid", "embed-root");
    if let Some(v) = &opts.variant {
        let _ = root.set_attribute("data-variant", v);
    }
    let _ = shadow.append_child(&link);
    let _ = shadow.append_child(&root);
    let _ = host.set_attribute("data-hongbao-mounted", "");

    let alive = Rc::new(Cell::new(true));
    let state_cell: Rc<Cell<Option<AppState>>> = Rc::new(Cell::new(None));
    let scene = opts.scene;
    let hook = {
        let (host, alive, state_cell, root) = (
            host.clone(),
            alive.clone(),
            state_cell.clone(),
            root.clone(),
        );
        move |state: AppState| {
            state_cell.set(Some(state));
            forward_events(state, host, alive);
            start_scene(state, scene, root);
        }
    };
    let settings = opts.settings;
    let handle = leptos::mount::mount_to(root, move || {
        if scene == Scene::Fairness {
            let lang = RwSignal::new(settings.lang);
            return view! {
                <div class="hb-app hb-embed-fairness" data-testid="embed-fairness">
                    <crate::lab::fairness::FairnessView lang=lang />
                </div>
            }
            .into_any();
        }
        provide_context(StartHook::new(hook));
        view! { <crate::App settings=settings /> }.into_any()
    });
    Mounted {
        host,
        handle: Some(Box::new(handle)),
        alive,
        state: state_cell,
    }
}

/// Re-dispatches the backend's events on the host as `hongbao:sent|claimed|recalled`.
fn forward_events(state: AppState, host: web_sys::HtmlElement, alive: Rc<Cell<bool>>) {
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
        if !alive.get() {
            return;
        }
        let Some(viewer) = user.try_get_untracked() else {
            return;
        };
        let (host, alive, backend) = (host.clone(), alive.clone(), backend.clone());
        leptos::task::spawn_local(async move {
            let Ok(packet) = backend.packet(&viewer, id).await else {
                return;
            };
            if !alive.get() {
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
                let _ = host.dispatch_event(&ev);
            }
        });
    }));
}

fn start_scene(state: AppState, scene: Scene, root: web_sys::HtmlElement) {
    match scene {
        Scene::App | Scene::Fairness => {}
        Scene::ClaimDemo => {
            state.user.set("alice".into());
            state.screen.set(Screen::Chat(FAMILY.into()));
            leptos::task::spawn_local(async move {
                let backend = state.backend();
                // One packet from bob still open for alice is enough (state persists).
                let ready = backend.chat_packets("alice", FAMILY).await.is_ok_and(|ps| {
                    ps.iter().any(|p| {
                        p.sender == "bob"
                            && p.claimed_count < p.count
                            && p.recalled_at.is_none()
                            && !p.claims.iter().any(|c| c.username == "alice")
                    })
                });
                if !ready {
                    let packet = NewPacket {
                        chat_id: FAMILY.into(),
                        kind: PacketKindTag::Lucky,
                        amount: "8.88".parse().expect("amount"),
                        count: 3,
                        greeting: "恭喜发财".into(),
                        recipient: None,
                        split: None,
                        idempotency_key: new_idempotency_key("bob"),
                    };
                    let _ = retry(5, || backend.send("bob", &packet)).await;
                }
                state.changed();
            });
        }
        Scene::SendDemo => {
            state.screen.set(Screen::Chat(FAMILY.into()));
            // The chat's own button opens the send flow, once it has rendered.
            leptos::task::spawn_local(async move {
                for _ in 0..60 {
                    gloo_timers::future::TimeoutFuture::new(50).await;
                    if let Ok(Some(button)) = root.query_selector("[data-testid=\"new-packet\"]") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_onto_settings() {
        let attrs = [
            ("lang", "en"),
            ("seed", "7"),
            ("storage", "w1"),
            ("scene", "claim-demo"),
            ("variant", "B"),
            ("settings", "recall=none&stages=1"),
        ];
        let (o, errors) = options(|k| {
            attrs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        });
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(o.settings.lang, hongbao_engine::Lang::En);
        assert_eq!(o.settings.seed, 7);
        assert_eq!(o.settings.storage_key, "w1");
        assert_eq!(o.settings.recall, hongbao_engine::RecallMode::None);
        assert_eq!(o.scene, Scene::ClaimDemo);
        assert_eq!(o.variant.as_deref(), Some("B"));
        let (_, errors) = options(|k| (k == "scene").then(|| "nope".into()));
        assert_eq!(errors.len(), 1);
    }
}
