//! The split points: views that the release build ships in their own wasm chunks, loaded the
//! first time they are shown, so that the first screen (the chats) downloads less.
//!
//! `cargo xtask` builds the release app and the embed bundle with `--cfg hongbao_split`, which
//! turns each function below into a split point (`wasm_split`, as Leptos's `#[lazy]` does);
//! `wasm-split` then cuts the module at these points (see `xtask/src/build.rs`). In every
//! other build (`trunk serve`, the tests) they are plain `async` functions, so the callers are
//! the same either way: `split::show(lang, split::wallet_screen)`.
//!
//! A split point's module may fail to arrive (the network). Unlike `#[lazy]`, whose failure is
//! a panic that aborts the whole wasm instance, these are `fallible`: the call returns
//! [`LoadFailed`], and [`show`] puts a message with a "try again" button in the view's place.
//!
//! What to put here: a view that is not on the first screen and is large. Everything it uses
//! that the first screen also uses stays in the main module.
//!
//! A split point may name the stylesheets only its views use (`sheets: ["lab"];`, the
//! `data-hongbao-sheet` links of `index.html`): the app's release page leaves them out of its
//! first-load CSS and declares them (`<meta name="hongbao-sheet" content="lab">`); the split
//! point's module, once loaded, fetches `sheet_lab.css` and returns once it has arrived, so a
//! view never paints unstyled (unless the sheet could not be fetched: the view then works
//! unstyled, and its next opening fetches the sheet again). Fetched from the module rather
//! than beside it: the code that waits for a sheet then stays out of the first load, at one
//! more round trip the first time. Every other page (`trunk serve`, the embed's shadow roots,
//! the tests) has all CSS at once and declares none: there it does nothing.
//!
//! The embed's own split points (its scenes) are in the embed binary, `src/bin/embed.rs`: a
//! split point compiled into a binary that never loads it stays in that binary's main module.

use crate::i18n::Msg;
use crate::settings::Settings;
use hongbao_api::ChatInfo;
use hongbao_engine::Lang;
use leptos::prelude::*;
use std::future::Future;

/// A split point's module could not be fetched. Nothing has changed; calling again retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadFailed;

/// Defines `async fn $name(args) -> Result<$out, LoadFailed>` whose body is a split point
/// named `$name` in the code-split build (and a plain async block in every other build).
#[macro_export]
macro_rules! split_point {
    ($(#[$doc:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty $body:block) => {
        $(#[$doc])*
        $vis async fn $name($($arg: $ty),*) -> Result<$out, $crate::split::LoadFailed> {
            #[cfg_attr(hongbao_split, ::wasm_split_helpers::wasm_split(
                $name,
                fallible,
                return_wrapper(let module = _; { Ok(module.await) }
                    -> Result<$out, ::wasm_split_helpers::SplitLoaderError>),
            ))]
            fn module(
                $($arg: $ty),*
            ) -> ::std::pin::Pin<Box<dyn ::std::future::Future<Output = $out> + Send + Sync>> {
                Box::pin(::send_wrapper::SendWrapper::new(async move $body))
            }
            #[cfg(hongbao_split)]
            let loaded = module($($arg),*).await.map_err(|_| $crate::split::LoadFailed);
            #[cfg(not(hongbao_split))]
            let loaded = Ok(module($($arg),*).await);
            loaded
        }
    };
    // With stylesheets: the module fetches them before it builds the view (in the module, so
    // that the first load carries none of this).
    ($(#[$doc:meta])* sheets: [$($sheet:literal),+]; $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty $body:block) => {
        $crate::split_point! {
            $(#[$doc])*
            $vis fn $name($($arg: $ty),*) -> $out {
                $crate::split::sheets(&[$($sheet),+]).await;
                $body
            }
        }
    };
}

/// The view `load` fetches, once its module is there; if it cannot be fetched, a message and
/// a button that calls `load` again (in `lang`).
pub fn show<Load, Fut>(lang: Signal<Lang>, load: Load) -> impl IntoView + use<Load, Fut>
where
    Load: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, LoadFailed>> + Send + 'static,
{
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let loading = load();
        Suspend::new(async move {
            loading.await.unwrap_or_else(|LoadFailed| {
                view! {
                    <p class="hb-error hb-split-error" data-testid="split-error" role="alert">
                        {move || Msg::LoadFailed.text(lang.get())}
                        " "
                        <button data-testid="split-retry" on:click=move |_| attempt.update(|n| *n += 1)>
                            {move || Msg::TryAgain.text(lang.get())}
                        </button>
                    </p>
                }
                .into_any()
            })
        })
    }
}

/// Fetches each stylesheet of `names` that the page declares on demand and has not added yet
/// (module docs), all at once; returns once each has loaded or failed. A failed sheet leaves
/// the view working, unstyled, and is removed, so that the view's next opening fetches it
/// again.
pub async fn sheets(names: &[&str]) {
    let pending: Vec<_> = names.iter().filter_map(|name| sheet(name)).collect();
    for (link, loaded) in pending {
        if wasm_bindgen_futures::JsFuture::from(loaded).await.is_err() {
            link.remove();
        }
    }
}

/// The `<link>` of sheet `name` and a promise of its load, if the page declares it and it has
/// not loaded yet.
fn sheet(name: &str) -> Option<(web_sys::Element, js_sys::Promise)> {
    let document = web_sys::window()?.document()?;
    document
        .query_selector(&format!(r#"meta[name="hongbao-sheet"][content="{name}"]"#))
        .ok()??;
    let link = match document
        .query_selector(&format!(r#"link[data-hongbao-sheet="{name}"]"#))
        .ok()?
    {
        Some(link) if link.has_attribute("data-loaded") => return None,
        Some(link) => link,
        None => {
            use wasm_bindgen::{JsCast, closure::Closure};
            let link = document.create_element("link").ok()?;
            link.set_attribute("rel", "stylesheet").ok()?;
            link.set_attribute("href", &format!("/sheet_{name}.css"))
                .ok()?;
            link.set_attribute("data-hongbao-sheet", name).ok()?;
            // The link's own outcome, whether or not anyone still waits for it (a view left
            // before its sheet arrived): loaded for good, or gone so that the next call retries.
            let (done, failed) = (link.clone(), link.clone());
            let on_load = Closure::once_into_js(move || {
                let _ = done.set_attribute("data-loaded", "");
            });
            let on_error = Closure::once_into_js(move || failed.remove());
            link.add_event_listener_with_callback("load", on_load.unchecked_ref())
                .ok()?;
            link.add_event_listener_with_callback("error", on_error.unchecked_ref())
                .ok()?;
            document.head()?.append_child(&link).ok()?;
            link
        }
    };
    // Listeners, not `onload`: two split points may wait for the same sheet.
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = link.add_event_listener_with_callback("load", &resolve);
        let _ = link.add_event_listener_with_callback("error", &reject);
    });
    Some((link, loaded))
}

split_point! {
    /// A participant's page (`?experiment=…`): the experiment read, the participant assigned
    /// and the variant applied to the settings, before the app starts ([`crate::lab::activate`]).
    sheets: ["lab"];
    pub fn activate_lab(settings: Settings, query: String) -> (Settings, Option<crate::lab::Active>) {
        let mut settings = settings;
        let lab = crate::lab::activate(&mut settings, &query);
        (settings, lab)
    }
}

split_point! {
    /// A study's participant (`?study=…`): the study found (on the server, for a page on
    /// one, which connects first and hands its backend on; else in this browser) and
    /// validated, the participant assigned and the variant applied to the settings, before
    /// the app starts ([`crate::study::activate`]); a study that cannot start is its reason,
    /// in place of the app. (The backend is wrapped: the future must be `Send`, and the
    /// page's one thread is the only one.)
    sheets: ["study"];
    pub fn activate_study(settings: Settings, query: String) -> Result<Result<(Settings, crate::state::Participant, Option<send_wrapper::SendWrapper<crate::backend::AnyBackend>>), AnyView>, LoadFailed> {
        let mut settings = settings;
        let lang = settings.lang;
        let key = crate::lab::query_param(&query, "study").unwrap_or_default();
        let backend = match settings.backend {
            crate::settings::BackendKind::Http => Some(crate::backend::connect(&settings).await?),
            crate::settings::BackendKind::Mock => None,
        };
        let kept = match &backend {
            Some(backend) => backend.kept_studies(&key).await,
            None => Ok(crate::local::get(hongbao_study::definition::STORAGE_KEY)),
        };
        let mut found = kept
            .map_err(|e| e.message)
            .and_then(|kept| crate::study::activate(&mut settings, &query, kept).map_err(|e| e.message(lang)));
        // On the server, the participant joins the study: its events go with a token
        // scoped to it (a study closed since it was read is refused here).
        if let (Ok(_), Some(backend), Some(session)) = (&found, &backend, crate::study::session()) {
            let a = &session.active.assignment;
            let forced = a.forced.then_some(a.variant.as_str());
            if let Err(e) = backend.join_study(&key, &a.participant, forced).await {
                found = Err(e.message);
            }
        }
        Ok(match found {
            Ok(participant) => Ok((settings, participant, backend.map(send_wrapper::SendWrapper::new))),
            Err(message) => Err(crate::study::view::refused(message, lang)),
        })
    }
}

split_point! {
    /// The mock's state saved by an earlier visit, restored (`hongbao_mock::MockCore::restore`:
    /// its log read and replayed, the engine's invariants checked); `None` when it does not
    /// restore.
    pub fn restore_mock(saved: String, config: hongbao_mock::MockConfig) -> send_wrapper::SendWrapper<Option<hongbao_mock::MockCore>> {
        send_wrapper::SendWrapper::new(hongbao_mock::MockCore::restore(&saved, &config))
    }
}

split_point! {
    /// The mock's lab events (one JSON object per line), read: only the researcher's console
    /// reads them, so the first load carries no lab event reader.
    pub fn read_lab_events(lines: String) -> Vec<hongbao_api::LabEvent> {
        lines.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

split_point! {
    /// The participant's consent, task card and completion screens.
    pub fn study_view() -> AnyView {
        view! { <crate::study::view::StudyView /> }.into_any()
    }
}

split_point! {
    /// The project's server as the backend (`?backend=http`): the HTTP client, its event
    /// streams and the API's request table, which a page on the mock never downloads.
    pub fn connect_http(settings: Settings) -> crate::backend::AnyBackend {
        crate::backend::http::connect(&settings)
    }
}

split_point! {
    /// The wallet tab.
    sheets: ["wallet"];
    pub fn wallet_screen() -> AnyView {
        view! { <crate::wallet::WalletScreen /> }.into_any()
    }
}

split_point! {
    /// The settings tab.
    pub fn settings_screen() -> AnyView {
        view! { <crate::settings_panel::SettingsPanel /> }.into_any()
    }
}

split_point! {
    /// The lab tab: experiment editor, results, fairness view.
    sheets: ["lab"];
    pub fn lab_screen() -> AnyView {
        view! { <crate::lab::LabScreen /> }.into_any()
    }
}

split_point! {
    /// The packet card (open, claim animation, details), over any screen.
    pub fn packet_card(packet_id: u64) -> AnyView {
        view! { <crate::flows::claim::PacketCard packet_id=packet_id /> }.into_any()
    }
}

split_point! {
    /// The send flow's sheet (entry, review, authorize) for `chat`.
    sheets: ["send"];
    pub fn send_flow(chat: ChatInfo, on_close: Callback<()>) -> AnyView {
        view! { <crate::flows::send::SendFlow chat=chat on_close=on_close /> }.into_any()
    }
}

split_point! {
    /// The recall's confirmation dialog for packet `id` (its parts are the recall controls').
    pub fn recall_dialog(
        id: u64,
        text: Signal<String>,
        secs: Signal<i64>,
        busy: Signal<bool>,
        on_confirm: Callback<()>,
        on_close: Callback<()>
    ) -> AnyView {
        view! {
            <crate::flows::recall::RecallDialog
                id=id
                text=text
                secs=secs
                busy=busy
                on_confirm=on_confirm
                on_close=on_close
            />
        }
        .into_any()
    }
}
