//! Component tests in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use hongbao::settings::Settings;
use hongbao::{App, AppProps};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn mount(
    settings: Settings,
) -> (
    web_sys::HtmlElement,
    leptos::mount::UnmountHandle<impl Mountable>,
) {
    let document = document();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || App(AppProps { settings }));
    (host, handle)
}

fn by_testid(root: &HtmlElement, id: &str) -> HtmlElement {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
        .unchecked_into()
}

async fn tick() {
    // Let the reactive system flush its effects.
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn chat_list_opens_the_group_and_goes_back() {
    let (root, _handle) = mount(Settings::default());
    let family = by_testid(&root, "chat-family");
    assert!(family.text_content().unwrap().contains("相亲相爱一家人"));
    family.click();
    tick().await;
    assert!(
        root.query_selector("[data-testid='chat-view-family']")
            .unwrap()
            .is_some()
    );
    assert!(root.text_content().unwrap().contains("还没有消息"));
    by_testid(&root, "back-button").click();
    tick().await;
    assert!(
        root.query_selector("[data-testid='chat-family']")
            .unwrap()
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn language_switch_translates_the_screen() {
    let (root, _handle) = mount(Settings::default());
    assert!(root.text_content().unwrap().contains("红包"));
    by_testid(&root, "lang-switch").click();
    tick().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("Family"), "{text}");
    assert!(!text.contains("相亲相爱一家人"), "{text}");
    let app = root.query_selector(".hb-app").unwrap().unwrap();
    assert_eq!(app.get_attribute("lang").as_deref(), Some("en"));
}
