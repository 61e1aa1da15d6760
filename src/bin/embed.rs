//! The embed build's entry (bin `embed`, built by `cargo xtask`): exports `mount` for the loader
//! `hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. See `hongbao::embed`.

use hongbao::embed::{FairnessArgs, LoadFailed, SceneArgs, Scenes};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
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
/// the stand-ins. Unlike Leptos's `#[lazy]`, these are `fallible`: a module that cannot be
/// fetched is an error the stand-in shows, not a panic that would stop every widget.
#[cfg(hongbao_split)]
const SCENES: Scenes = Scenes {
    app: |args| Box::pin(async move { app_scene(args).await.map_err(|_| LoadFailed) }),
    fairness: |args| Box::pin(async move { fairness_scene(args).await.map_err(|_| LoadFailed) }),
};
#[cfg(not(hongbao_split))]
const SCENES: Scenes = Scenes {
    app: |args| Box::pin(async move { Ok::<_, LoadFailed>(app_scene(args).await) }),
    fairness: |args| Box::pin(async move { Ok::<_, LoadFailed>(fairness_scene(args).await) }),
};

/// A scene's view, built once its module is there.
type Scene = Pin<Box<dyn Future<Output = AnyView> + Send + Sync>>;

/// The app with the embed's hooks (the claim, send and app scenes).
#[cfg_attr(hongbao_split, wasm_split_helpers::wasm_split(
    embed_app_scene,
    fallible,
    return_wrapper(let scene = _; { Ok(scene.await) } -> Result<AnyView, wasm_split_helpers::SplitLoaderError>),
))]
fn app_scene(args: SceneArgs) -> Scene {
    Box::pin(async move { hongbao::embed::scene::view(args) })
}

/// The fairness chart on its own.
#[cfg_attr(hongbao_split, wasm_split_helpers::wasm_split(
    embed_fairness_scene,
    fallible,
    return_wrapper(let scene = _; { Ok(scene.await) } -> Result<AnyView, wasm_split_helpers::SplitLoaderError>),
))]
fn fairness_scene(args: FairnessArgs) -> Scene {
    Box::pin(async move { hongbao::embed::scene::fairness(args) })
}
