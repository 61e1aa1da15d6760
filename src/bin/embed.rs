//! The embed build's entry (bin `embed`, built by `cargo xtask`): exports `mount` for the loader
//! `hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. See `hongbao::embed`.

use hongbao::embed::{SceneArgs, Scenes};
use hongbao_engine::Lang;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
}

/// A mounted widget, as the loader hands it to the page.
#[wasm_bindgen]
pub struct Widget(hongbao::embed::Mounted);

#[wasm_bindgen]
impl Widget {
    /// Removes the widget and everything it put in the host's shadow root.
    pub fn unmount(&mut self) {
        self.0.unmount();
    }

    /// Switches the widget's language (`zh` or `en`).
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) -> bool {
        self.0.set_lang(lang)
    }
}

/// Mounts a widget into `host`; `base` is the bundle's directory URL, ending in `/`.
#[wasm_bindgen]
pub fn mount(host: web_sys::HtmlElement, options: JsValue, base: String) -> Widget {
    Widget(hongbao::embed::mount(host, options, &base, &SCENES))
}

/// The scenes, each a split point: the release build fetches a scene's code when a widget
/// starts it (see `hongbao::split`), so the embed's first load holds only the mounting and
/// the stand-ins.
const SCENES: Scenes = Scenes {
    app: |args| Box::pin(app_scene(args)),
    fairness: |lang| Box::pin(fairness_scene(lang)),
};

/// The app with the embed's hooks (the claim, send and app scenes).
#[cfg_attr(hongbao_split, leptos::lazy)]
async fn app_scene(args: SceneArgs) -> AnyView {
    hongbao::embed::scene::view(args)
}

/// The fairness chart on its own.
#[cfg_attr(hongbao_split, leptos::lazy)]
async fn fairness_scene(lang: RwSignal<Lang>) -> AnyView {
    hongbao::embed::scene::fairness(lang)
}
