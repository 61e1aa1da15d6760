//! The standalone app: mounts the widget on the whole page, configured by the URL query (over
//! the language, user and theme kept from the last visit), with the page's navigation (`nav`).
fn main() {
    console_error_panic_hook::set_once();
    let query = hongbao::settings::page_query(&hongbao::nav::stored_prefs());
    let (settings, errors) = hongbao::settings::Settings::from_query(&query);
    let (frame, frame_error) = hongbao::settings::Frame::from_query(&query);
    for error in errors.into_iter().chain(frame_error) {
        leptos::logging::warn!("ignored setting {error}");
    }
    // The theme before the first paint (also while an HTTP backend connects).
    hongbao::nav::show_theme(settings.theme);
    let page = hongbao::nav::Page {
        frame,
        install: hongbao::nav::install,
    };
    leptos::mount::mount_to_body(move || {
        leptos::prelude::provide_context(page);
        hongbao::App(hongbao::AppProps { settings })
    });
}
