//! The standalone app: mounts the widget on the whole page.
fn main() {
    console_error_panic_hook::set_once();
    let settings = hongbao::settings::Settings::from_query(&hongbao::settings::current_query());
    leptos::mount::mount_to_body(move || hongbao::App(hongbao::AppProps { settings }));
}
