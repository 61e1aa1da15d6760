//! The embed build's entry (bin `embed`, built by `cargo xtask`): exports `mount` for the loader
//! `hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. See `hongbao::embed`.

use hongbao::embed::{FairnessArgs, SceneArgs, Scenes};
use hongbao::split::LoadFailed;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        hongbao::embed::report_panic(&info.to_string());
    }));
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

    /// Applies new options (language, variant, theme, settings) in place; false when they need
    /// a new mount (another scene, backend, server, storage, seed or user).
    pub fn update(&self, options: JsValue) -> bool {
        self.0.update(&options)
    }

    /// Switches the widget's language (`zh` or `en`).
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) -> bool {
        self.0.set_lang(lang)
    }
}

/// Mounts a widget into `host`; `css` is the URL of the bundle's stylesheet (content-hashed
/// in the release build, so the loader, not this module, knows it).
#[wasm_bindgen]
pub fn mount(host: web_sys::HtmlElement, options: JsValue, css: String) -> Widget {
    Widget(hongbao::embed::mount(host, options, &css, &SCENES))
}

/// The scenes, each a split point (`hongbao::split_point!`): the release build fetches a
/// scene's code when a widget starts it, so the embed's first load holds only the mounting and
/// the stand-ins. A module that cannot be fetched is an error the stand-in shows.
const SCENES: Scenes = Scenes {
    app: |args| Box::pin(embed_app_scene(args)),
    claim: |args| Box::pin(async { embed_claim_scene(args).await? }),
    send: |args| Box::pin(async { embed_send_scene(args).await? }),
    fairness: |args| Box::pin(embed_fairness_scene(args)),
};

hongbao::split_point! {
    /// The app with the embed's hooks (the app scene; the demos hand over to it).
    fn embed_app_scene(args: SceneArgs) -> AnyView {
        hongbao::embed::scene::view(args)
    }
}

hongbao::split_point! {
    /// The claim demo: the packet card over the chat, without the app's shell.
    fn embed_claim_scene(args: SceneArgs) -> Result<AnyView, LoadFailed> {
        hongbao::embed::demo::claim(args).await
    }
}

hongbao::split_point! {
    /// The send demo: the send sheet over the chat, without the app's shell.
    fn embed_send_scene(args: SceneArgs) -> Result<AnyView, LoadFailed> {
        hongbao::embed::demo::send(args).await
    }
}

hongbao::split_point! {
    /// The fairness chart on its own.
    fn embed_fairness_scene(args: FairnessArgs) -> AnyView {
        hongbao::embed::scene::fairness(args)
    }
}
