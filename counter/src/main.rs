//! A bare Leptos counter: a button and its count, nothing else. `cargo xtask bench ui` builds
//! it as the app is built (release, wasm-split, wasm-bindgen, wasm-opt; xtask/src/build.rs) and
//! loads it alternately with the app, so the app's time to interactive is also read as a ratio
//! to this page's, which drifts with the machine's load the same way.
use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0u32);
        // Interactive once mounted: the same performance mark the app sets when its chat list
        // accepts input (src/chat/mod.rs).
        Effect::new(move |_| {
            if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
                let _ = perf.mark("hongbao-interactive");
            }
        });
        view! {
            <button data-testid="counter" on:click=move |_| count.update(|n| *n += 1)>
                {move || count.get()}
            </button>
        }
    });
}
