//! The embed build's entry (`embed/index.html`): exports `mount` for the loader
//! `hongbao-embed.js`, which mounts every `[data-hongbao]` element and defines
//! `window.Hongbao.mount(element, options)`. See `hongbao::embed`.

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
    Widget(hongbao::embed::mount(host, options, &base))
}
