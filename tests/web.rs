//! Component tests in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use hongbao::settings::Settings;
use hongbao::{App, AppProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app in a fresh element, with a mock backend of its own (no latency, no bots).
fn mount(name: &str) -> HtmlElement {
    let settings = Settings {
        latency_ms: Some(0),
        bots: false,
        storage_key: format!("web-test-{name}"),
        ..Settings::default()
    };
    let document = leptos::prelude::document();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || App(AppProps { settings }));
    handle.forget();
    host
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Waits (up to 3 s) for the element with `data-testid=id` under `root`.
async fn find(root: &HtmlElement, id: &str) -> HtmlElement {
    for _ in 0..300 {
        if let Some(el) = root
            .query_selector(&format!("[data-testid='{id}']"))
            .unwrap()
        {
            return el.unchecked_into();
        }
        sleep(10).await;
    }
    panic!("no element with data-testid={id}");
}

async fn wait_for_text(root: &HtmlElement, text: &str) {
    for _ in 0..300 {
        if root.text_content().unwrap_or_default().contains(text) {
            return;
        }
        sleep(10).await;
    }
    panic!("{text:?} never appeared in {:?}", root.text_content());
}

#[wasm_bindgen_test]
async fn chat_list_opens_the_group_and_goes_back() {
    let root = mount("chat-list");
    let family = find(&root, "chat-family").await;
    assert!(family.text_content().unwrap().contains("相亲相爱一家人"));
    family.click();
    find(&root, "chat-view-family").await;
    wait_for_text(&root, "还没有消息").await;
    find(&root, "back-button").await.click();
    find(&root, "chat-family").await;
}

#[wasm_bindgen_test]
async fn language_switch_translates_the_screen() {
    let root = mount("lang");
    find(&root, "chat-family").await;
    find(&root, "lang-switch").await.click();
    wait_for_text(&root, "Family").await;
    assert!(!root.text_content().unwrap().contains("相亲相爱一家人"));
    let app = root.query_selector(".hb-app").unwrap().unwrap();
    assert_eq!(app.get_attribute("lang").as_deref(), Some("en"));
}
