//! The standalone app: mounts the widget on the whole page, configured by the URL query.
fn main() {
    console_error_panic_hook::set_once();
    let (settings, errors) =
        hongbao::settings::Settings::from_query(&hongbao::settings::current_query());
    for error in errors {
        leptos::logging::warn!("ignored setting {error}");
    }
    leptos::mount::mount_to_body(move || hongbao::App(hongbao::AppProps { settings }));
}
