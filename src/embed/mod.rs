//! Embedding (PRODUCT §7): mounts the widget into a host element, inside an open shadow root.
//!
//! The embed build (bin `embed`, built by `cargo xtask`) exports [`mount`] through a small
//! loader, `embed/hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. Options come from the element's `data-*`
//! attributes, overridden by the `options` object; every key of [`Settings::apply`] is
//! accepted (`data-lang`, `data-seed`, `data-recall`, …), plus `data-settings` (a query
//! string of more keys), `data-variant`, `data-scene` and `data-storage`.
//!
//! The styles load as `<link rel="stylesheet" href="…/hongbao.<hash>.css">` inside the shadow
//! root: no inline `<style>`, so a page with `style-src 'self'` works.
//!
//! What a page downloads: this module is the embed's first load, and it is small. The
//! widgets themselves (engine, backend, screens) are split points (`crate::split`), fetched
//! when a reader first starts one: every scene shows a light stand-in (a packet to open, a
//! send button, a button that opens the fairness simulation) until it is pressed, the way
//! video embeds show a poster until played. [`scene`] is the part that runs inside the split
//! point.

pub mod demo;
pub mod scene;

use crate::settings::{KEYS, Settings};
use crate::split::LoadFailed;
use crate::state::AppState;
use hongbao_engine::Lang;
use leptos::prelude::*;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
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
    pub fn as_str(self) -> &'static str {
        match self {
            Scene::App => "app",
            Scene::ClaimDemo => "claim-demo",
            Scene::SendDemo => "send-demo",
            Scene::Fairness => "fairness",
        }
    }

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

/// The widget's colour scheme (`theme`): light (the default), dark, or the reader's system
/// preference (`prefers-color-scheme`). Kept on the root as `data-theme`; `embed/embed.css`
/// does the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    pub fn parse(value: &str) -> Option<Theme> {
        Some(match value.trim() {
            "" | "light" => Theme::Light,
            "dark" => Theme::Dark,
            "auto" => Theme::Auto,
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
    pub theme: Theme,
    /// Test only (`test-panic="on"`): pressing the stand-in panics, as a bug would.
    pub test_panic: bool,
}

impl EmbedOptions {
    /// Whether `next` can be applied to a widget mounted with these options without mounting
    /// it afresh: the same scene, backend, server, storage, seed and starting user. Language,
    /// variant, theme and the other settings change live.
    pub fn applies_live(&self, next: &EmbedOptions) -> bool {
        let (a, b) = (&self.settings, &next.settings);
        self.scene == next.scene
            && a.backend == b.backend
            && a.server == b.server
            && a.storage_key == b.storage_key
            && a.seed == b.seed
            && a.user == b.user
            && self.test_panic == next.test_panic
    }
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
    // `theme` is the widget's own option (below), not the page's setting of that name.
    for (key, _) in KEYS.iter().filter(|(key, _)| *key != "theme") {
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
                "scene=\"{s}\": expected claim-demo|send-demo|fairness"
            ));
            Scene::App
        }),
    };
    let variant = get("variant").filter(|v| !v.trim().is_empty());
    let theme = match get("theme") {
        None => Theme::Light,
        Some(t) => Theme::parse(&t).unwrap_or_else(|| {
            errors.push(format!("theme=\"{t}\": expected light|dark|auto"));
            Theme::Light
        }),
    };
    (
        EmbedOptions {
            settings,
            scene,
            variant,
            theme,
            test_panic: get("test-panic").is_some_and(|v| v == "on"),
        },
        errors,
    )
}

/// One mounted widget, as its first load and its scene (a split point) share it.
pub struct Widget {
    /// The page's element (the shadow host); the DOM events are dispatched on it.
    pub host: web_sys::HtmlElement,
    /// The root inside the shadow root that the view is mounted into.
    pub root: web_sys::HtmlElement,
    /// False once unmounted: late callbacks then do nothing.
    pub alive: Cell<bool>,
    /// The app's state, once the scene has started.
    pub state: Cell<Option<AppState>>,
}

/// What a scene's split point takes (the fairness scene's aside).
#[derive(Clone)]
pub struct SceneArgs {
    /// The settings it starts with.
    pub settings: Settings,
    pub widget: StoredValue<Rc<Widget>, LocalStorage>,
    /// Set once it has rendered (the stand-in goes then).
    pub shown: RwSignal<bool>,
    /// For the app scene: the running state of the demo it takes over from.
    pub running: Option<AppState>,
    /// The split points, for a demo to fetch the app scene.
    pub scenes: &'static Scenes,
}

/// What the fairness scene's split point takes: the language, and the signal it sets once
/// it has rendered.
pub type FairnessArgs = (RwSignal<Lang>, RwSignal<bool>);

/// A scene's view, once its code is loaded.
pub type SceneLoad = Pin<Box<dyn Future<Output = Result<AnyView, LoadFailed>> + Send>>;

/// The embed binary's split points (src/bin/embed.rs): a split point must live in the binary
/// that loads it, or the other binary would keep its code in its main module.
pub struct Scenes {
    /// The app with the embed's hooks (the app scene, and the demos once left).
    pub app: fn(SceneArgs) -> SceneLoad,
    /// The claim demo: the packet card over the chat ([`demo::claim`]).
    pub claim: fn(SceneArgs) -> SceneLoad,
    /// The send demo: the send sheet over the chat ([`demo::send`]).
    pub send: fn(SceneArgs) -> SceneLoad,
    /// The fairness chart.
    pub fairness: fn(FairnessArgs) -> SceneLoad,
}

/// A mounted widget.
pub struct Mounted {
    widget: Rc<Widget>,
    handle: Option<Box<dyn std::any::Any>>,
    lang: ArcRwSignal<Lang>,
    /// The settings a scene starts with (the latest the page gave).
    settings: ArcRwSignal<Settings>,
    /// The options in force.
    options: std::cell::RefCell<EmbedOptions>,
}

impl Mounted {
    /// Removes the widget: unmounts the view and empties the shadow root. (Emptied node by
    /// node, never through `innerHTML`, a sink that Trusted Types refuse.)
    pub fn unmount(&mut self) {
        self.widget.alive.set(false);
        self.widget.state.set(None);
        self.handle.take();
        if let Some(root) = self.widget.host.shadow_root() {
            root.set_text_content(None);
        }
        let _ = self.widget.host.remove_attribute("data-hongbao-mounted");
    }

    /// Applies new options (an options object over the host's `data-*` attributes, as
    /// [`mount`] reads them) to the widget as it is: language, variant, theme and settings
    /// change in place, a started scene keeps its state. Returns false, changing nothing, when
    /// they need a new mount (another scene, backend, server, storage, seed or user) or once
    /// unmounted.
    pub fn update(&self, js_options: &JsValue) -> bool {
        if !self.widget.alive.get() {
            return false;
        }
        let (next, errors) = options(|k| lookup(&self.widget.host, js_options, k));
        for e in errors {
            leptos::logging::warn!("hongbao embed: ignored option {e}");
        }
        if !self.options.borrow().applies_live(&next) {
            return false;
        }
        let root = &self.widget.root;
        match &next.variant {
            Some(v) => _ = root.set_attribute("data-variant", v),
            None => _ = root.remove_attribute("data-variant"),
        }
        let _ = root.set_attribute("data-theme", next.theme.as_str());
        let lang = next.settings.lang;
        if self.lang.get_untracked() != lang {
            self.lang.set(lang);
        }
        self.settings.set(next.settings.clone());
        if let Some(state) = self.widget.state.get() {
            if state.lang.get_untracked() != lang {
                state.lang.set(lang);
            }
            let mut settings = next.settings.clone();
            settings.lang = lang;
            if state.settings.get_untracked() != settings {
                state.settings.set(settings);
            }
        }
        *self.options.borrow_mut() = next;
        true
    }

    /// Switches the language (`zh` or `en`); false for an unknown value or once unmounted.
    pub fn set_lang(&self, lang: &str) -> bool {
        let mut probe = Settings::default();
        if !self.widget.alive.get() || probe.apply("lang", lang).is_err() {
            return false;
        }
        self.lang.set(probe.lang);
        if let Some(state) = self.widget.state.get() {
            state.lang.set(probe.lang);
        }
        true
    }
}

/// Tells the loader that the wasm instance is about to abort (a panic): `hongbao:panic` on
/// `window`, with the message as its detail. The loader then shows every widget of this
/// instance an error with a Reload button (which starts them on a new instance) and calls
/// into this one no more. Called by the embed binary's panic hook.
pub fn report_panic(message: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(message));
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict("hongbao:panic", &init),
    ) {
        let _ = window.dispatch_event(&event);
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
            // A number as JS writes it (no float formatting in this module).
            .or_else(|| {
                v.as_f64()?;
                js_sys::Number::unchecked_from_js_ref(&v)
                    .to_string_with_radix(10)
                    .ok()
                    .map(String::from)
            })
            .or_else(|| v.as_bool().map(|b| if b { "on" } else { "off" }.to_owned()));
    }
    host.get_attribute(&format!("data-{key}"))
}

/// Mounts a widget into `host` (see the module docs); `css` is the URL of the embed bundle's
/// stylesheet.
pub fn mount(
    host: web_sys::HtmlElement,
    js_options: JsValue,
    css: &str,
    scenes: &'static Scenes,
) -> Mounted {
    let (opts, errors) = options(|k| lookup(&host, &js_options, k));
    for e in errors {
        leptos::logging::warn!("hongbao embed: ignored option {e}");
    }
    let doc = document();
    let shadow = host.shadow_root().unwrap_or_else(|| {
        let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
        host.attach_shadow(&init).expect("attachShadow")
    });
    // Emptied without `innerHTML` (a Trusted Types sink).
    shadow.set_text_content(None);
    let link = doc.create_element("link").expect("link");
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", css);
    let root: web_sys::HtmlElement = doc.create_element("div").expect("div").unchecked_into();
    root.set_class_name("hb-embed-root");
    // Hidden until hongbao.css arrives (its `.hb-embed-root { display: block }` wins over
    // the `hidden` attribute): no flash of unstyled widget, and no inline style needed.
    root.set_hidden(true);
    let _ = root.set_attribute("data-testid", "embed-root");
    let _ = root.set_attribute("tabindex", "-1");
    if let Some(v) = &opts.variant {
        let _ = root.set_attribute("data-variant", v);
    }
    let _ = root.set_attribute("data-theme", opts.theme.as_str());
    let _ = shadow.append_child(&link);
    let _ = shadow.append_child(&root);
    let _ = host.set_attribute("data-hongbao-mounted", "");

    let widget = Rc::new(Widget {
        host,
        root: root.clone(),
        alive: Cell::new(true),
        state: Cell::new(None),
    });
    let lang = ArcRwSignal::new(opts.settings.lang);
    let settings = ArcRwSignal::new(opts.settings.clone());
    let handle = {
        let (widget, lang, settings, scene) =
            (widget.clone(), lang.clone(), settings.clone(), opts.scene);
        let test_panic = opts.test_panic;
        leptos::mount::mount_to(root, move || {
            view_scene(scene, settings, scenes, widget, lang, test_panic)
        })
    };
    Mounted {
        widget,
        handle: Some(Box::new(handle)),
        lang,
        settings,
        options: std::cell::RefCell::new(opts),
    }
}

/// The scene, behind its stand-in until the reader starts it. The stand-in stays up, saying it is loading, until the scene has rendered; if the
/// scene's code cannot be fetched, it says so and a press tries again.
fn view_scene(
    scene: Scene,
    settings: ArcRwSignal<Settings>,
    scenes: &'static Scenes,
    widget: Rc<Widget>,
    lang: ArcRwSignal<Lang>,
    test_panic: bool,
) -> AnyView {
    let started = RwSignal::new(false);
    let shown = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let widget = StoredValue::new_local(widget);
    // The stand-in had the focus when pressed: once it is gone, the widget's root holds it (the
    // packet card and the send flow then take it, as they do in the app), not the page's body.
    let had_focus = StoredValue::new(false);
    Effect::new(move |_| {
        let (started, shown) = (started.get(), shown.get());
        widget.with_value(|w| {
            let doc = document();
            let active = doc.active_element();
            if started && !shown {
                let host: &web_sys::Node = w.host.as_ref();
                had_focus.set_value(active.is_some_and(|a| a.is_same_node(Some(host))));
            } else if shown && had_focus.get_value() {
                had_focus.set_value(false);
                // Only if the focus went nowhere: the reader may have moved on meanwhile.
                let body = doc.body().map(web_sys::Node::from);
                if active.is_none_or(|a| a.is_same_node(body.as_ref())) {
                    let _ = w.root.focus();
                }
            }
        });
    });
    let scene_view = {
        let lang = lang.clone();
        move || {
            started.get().then(|| {
                let args = || {
                    let mut settings = settings.get_untracked();
                    settings.lang = lang.get_untracked();
                    SceneArgs {
                        settings,
                        widget,
                        shown,
                        running: None,
                        scenes,
                    }
                };
                let load = match scene {
                    Scene::Fairness => (scenes.fairness)((RwSignal::from(lang.clone()), shown)),
                    Scene::ClaimDemo => (scenes.claim)(args()),
                    Scene::SendDemo => (scenes.send)(args()),
                    Scene::App => (scenes.app)(args()),
                };
                Suspend::new(async move {
                    load.await.unwrap_or_else(|LoadFailed| {
                        failed.set(true);
                        started.set(false);
                        ().into_any()
                    })
                })
            })
        }
    };
    view! {
        <Show when=move || !shown.get()>
            <StandIn scene=scene lang=lang.clone() started=started failed=failed test_panic=test_panic />
        </Show>
        {scene_view}
    }
    .into_any()
}

/// What a scene shows before it is started: one button that starts it.
#[component]
fn StandIn(
    scene: Scene,
    lang: ArcRwSignal<Lang>,
    started: RwSignal<bool>,
    failed: RwSignal<bool>,
    test_panic: bool,
) -> impl IntoView {
    let tag = {
        let lang = lang.clone();
        move || crate::i18n::html_tag(lang.get())
    };
    let kind = {
        let lang = lang.clone();
        move || lang.get().pick("拼手气红包", "Lucky packet")
    };
    // The call to action, until pressed; then "Loading…"; after a failed fetch, "try again".
    let text = move |zh: &'static str, en: &'static str| {
        let lang = lang.clone();
        move || {
            let lang = lang.get();
            if started.get() {
                // Not `Msg::Loading`: that would link the shell's whole table of messages
                // into the embed's first load.
                lang.pick("加载中…", "Loading…")
            } else if failed.get() {
                lang.pick("加载失败，点此重试", "Could not load. Try again")
            } else {
                lang.pick(zh, en)
            }
        }
    };
    let body = match scene {
        Scene::ClaimDemo => view! {
            <div class="hb-msg">
                // Bob's face as `crate::face::Face` draws it, without its initial's Unicode
                // upper-casing (its tables would be in the first load).
                <span
                    class=crate::face::classes("hb-msg-avatar", "bob")
                    data-face={"bob"}
                    aria-hidden={"true"}
                >
                    {"B"}
                </span>
                <div class="hb-msg-main">
                    <span class="hb-msg-sender">{"Bob"}</span>
                    <StartButton class="hb-bubble" started=started failed=failed test_panic=test_panic>
                        <span class="hb-bubble-top">
                            <span class="hb-bubble-icon" aria-hidden={"true"}></span>
                            <span class="hb-bubble-text">
                                <span class="hb-bubble-greeting">{"恭喜发财"}</span>
                                <span class="hb-bubble-status">{text("领取红包", "Open the packet")}</span>
                            </span>
                        </span>
                        <span class="hb-bubble-kind">{kind}</span>
                    </StartButton>
                </div>
            </div>
        }
        .into_any(),
        Scene::SendDemo | Scene::App | Scene::Fairness => {
            let (zh, en) = match scene {
                Scene::SendDemo => ("🧧 发红包", "🧧 Send a red packet"),
                Scene::Fairness => ("📊 红包公平吗？模拟一下", "📊 Is the split fair? Simulate it"),
                _ => ("🧧 打开红包演示", "🧧 Open the red packet demo"),
            };
            view! {
                <StartButton class="hb-new-packet" started=started failed=failed test_panic=test_panic>
                    {text(zh, en)}
                </StartButton>
            }
            .into_any()
        }
    };
    view! {
        <div class="hb-app hb-embed-stand-in" lang=tag data-scene=scene.as_str()>
            <div class="hb-embed-strip">{body}</div>
        </div>
    }
}

/// The button that starts a scene (again, after a failed fetch).
#[component]
fn StartButton(
    class: &'static str,
    started: RwSignal<bool>,
    failed: RwSignal<bool>,
    test_panic: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            class=class
            data-testid="embed-start"
            data-failed=move || failed.get().then_some("")
            aria-busy=move || started.get().then_some("true")
            on:click=move |_| {
                // Test only (`test-panic="on"`): a bug in a handler.
                assert!(!test_panic, "hongbao: test-panic=on, the stand-in panics when pressed");
                failed.set(false);
                started.set(true);
            }
        >
            {children()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No view may have a fully static subtree (an element whose attributes and contents are
    /// all literals): Leptos's `view!` builds those from an HTML string through `innerHTML`,
    /// which pages enforcing Trusted Types refuse, and the embed runs there with no policy.
    /// Make one part dynamic: `{"text"}` for a literal text, `aria-hidden={"true"}` for an
    /// attribute. (A scan of the sources, as `view!` sees them.)
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn no_view_has_a_static_subtree() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut all = vec![];
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut all,
        );
        let mut found = vec![];
        for path in all {
            let text = std::fs::read_to_string(&path).unwrap();
            // The views, not the tests (whose strings hold examples).
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (at, _) in text.match_indices('<') {
                if let Some(len) = static_element(&text[at..]) {
                    let line = text[..at].matches('\n').count() + 1;
                    let snippet: String = text[at..at + len].chars().take(80).collect();
                    found.push(format!("{}:{line}: {snippet}", path.display()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "static subtrees (Leptos renders them with innerHTML):\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_static_subtree_scan_finds_what_leptos_would_render_from_html() {
        for found in [
            r#"<span class="a" aria-hidden="true">"B"</span>"#,
            r#"<span class="a"></span>"#,
            r#"<p><b>"x"</b>" y"</p>"#,
            r#"<circle cx="1" r="2" />"#,
        ] {
            assert_eq!(static_element(found), Some(found.len()), "{found}");
        }
        for not in [
            r#"<span class="a">{"B"}</span>"#,
            r#"<span aria-hidden={"true"}></span>"#,
            r#"<button on:click=move |_| ()>"x"</button>"#,
            r#"<p><Child /></p>"#,
            r#"<p>{move || x.get()}</p>"#,
            "Vec<u8>",
        ] {
            assert_eq!(static_element(not), None, "{not}");
        }
    }

    /// The start tag at the start of `s`: its name, its length, whether it closes itself; None
    /// unless every attribute is `name` or `name="literal"`.
    fn literal_tag(s: &str) -> Option<(&str, usize, bool)> {
        let rest = s.strip_prefix('<')?;
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        let mut i = 1 + name_len;
        loop {
            let after = &s[i..];
            let trimmed = after.trim_start();
            let spaced = trimmed.len() < after.len();
            i += after.len() - trimmed.len();
            if trimmed.starts_with("/>") {
                return Some((name, i + 2, true));
            }
            if trimmed.starts_with('>') {
                return Some((name, i + 1, false));
            }
            if !spaced {
                return None; // not a tag (`Vec<u8,`), or `on:click=…`, `attr={…}`
            }
            let attr_len = trimmed
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(0);
            if attr_len == 0 {
                return None;
            }
            i += attr_len;
            if let Some(value) = s[i..].strip_prefix("=\"") {
                let end = value.find('"')?;
                if value[..end].contains(['{', '}']) {
                    return None;
                }
                i += 2 + end + 1;
            } else if !s[i..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
                return None;
            }
        }
    }

    /// The length of the static element at the start of `s`, if it is one.
    fn static_element(s: &str) -> Option<usize> {
        let (name, mut i, closes) = literal_tag(s)?;
        if closes {
            return Some(i);
        }
        let close = format!("</{name}>");
        let mut depth = 1;
        while depth > 0 {
            let next = s[i..].find(['<', '{'])? + i;
            if s[next..].starts_with('{') || s[i..next].contains("move") {
                return None;
            }
            if s[next..].starts_with(&close) {
                depth -= 1;
                i = next + close.len();
            } else if s[next..].starts_with("</") {
                i = next + s[next..].find('>')? + 1;
            } else {
                let (inner, len, inner_closes) = literal_tag(&s[next..])?;
                if inner == name && !inner_closes {
                    depth += 1;
                }
                i = next + len;
            }
        }
        Some(i)
    }

    #[test]
    fn options_map_onto_settings() {
        let attrs = [
            ("lang", "en"),
            ("seed", "7"),
            ("storage", "w1"),
            ("scene", "claim-demo"),
            ("variant", "B"),
            ("settings", "recall=none&stages=1"),
            ("theme", "dark"),
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
        assert_eq!(o.theme, Theme::Dark);
        let (_, errors) = options(|k| (k == "scene").then(|| "nope".into()));
        assert_eq!(errors.len(), 1);
        let (_, errors) = options(|k| (k == "theme").then(|| "purple".into()));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn language_theme_and_settings_apply_live_the_backend_does_not() {
        let base = options(|k| (k == "scene").then(|| "claim-demo".into())).0;
        let with = |key: &'static str, value: &'static str| {
            options(move |k| match k {
                k if k == key => Some(value.into()),
                "scene" => Some("claim-demo".into()),
                _ => None,
            })
            .0
        };
        for (k, v) in [
            ("lang", "en"),
            ("theme", "dark"),
            ("variant", "B"),
            ("recall", "none"),
            ("settings", "stages=1"),
        ] {
            assert!(base.applies_live(&with(k, v)), "{k}={v}");
        }
        for (k, v) in [
            ("scene", "send-demo"),
            ("backend", "http"),
            ("storage", "other"),
            ("seed", "9"),
            ("user", "bob"),
        ] {
            assert!(!base.applies_live(&with(k, v)), "{k}={v}");
        }
    }
}
