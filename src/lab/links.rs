//! Study links (issue 14): for every study the console knows (the shipped ones and those
//! kept: in this browser's storage with the mock, in the server's database), the link a participant opens, `?study=<key>`, and one per forced variant
//! (`&variant=<name>`), each with a copy button and a QR code for in-person sessions.
//!
//! The QR code is an SVG drawn from the code's module matrix (the `qrcode` crate without its
//! image and SVG-string renderers): one `<path>` whose `d` lists the dark modules, built as
//! DOM nodes (no HTML strings, so it renders under Trusted Types too).

use super::i18n::LabMsg;
use super::keeper::Studies;
use crate::state::AppState;
use hongbao_study::definition::Study;
use leptos::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

/// The white border around the code, in modules (the QR specification asks for four).
const QUIET_MODULES: usize = 4;

/// The page's own address without query or hash: where a participant's link points.
fn base_url() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    href.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// The link of `study` (forcing `variant` when given). A page on the HTTP backend that was
/// told its server in the query passes it on, so the participant reaches the same server.
pub fn study_link(base: &str, key: &str, variant: Option<&str>, server: Option<&str>) -> String {
    let mut link = format!("{base}?study={}", encode(key));
    if let Some(v) = variant {
        link.push_str(&format!("&variant={}", encode(v)));
    }
    if let Some(s) = server {
        link.push_str(&format!("&backend=http&server={}", encode(s)));
    }
    link
}

/// Percent-encodes what a query value may not hold as it is (study keys and variant names
/// are plain words, a server URL has `:` and `/`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The studies a participant's link can open, open ones first (a closed study's link takes
/// no one): the kept ones (this browser's with the mock, the server's) and the shipped ones.
fn open_first(mut list: Vec<Study>) -> Vec<Study> {
    list.sort_by_key(|s| s.closed);
    list
}

/// The SVG path of `text`'s QR code (medium error correction) and its side in modules,
/// quiet zone included; `None` when the text is too long for a QR code.
pub fn qr_path(text: &str) -> Option<(String, usize)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let mut d = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + QUIET_MODULES, i / width + QUIET_MODULES);
            d.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some((d, width + 2 * QUIET_MODULES))
}

/// A QR code of `text` as an SVG (black on white whatever the theme: scanners expect that).
#[component]
fn QrSvg(text: String, label: String) -> impl IntoView {
    qr_path(&text).map(|(d, side)| {
        let view_box = format!("0 0 {side} {side}");
        view! {
            <svg
                class="hb-lab-qr"
                data-testid="lab-qr-svg"
                data-link=text
                viewBox=view_box
                role="img"
                aria-label=label
                shape-rendering="crispEdges"
            >
                <rect width=side height=side fill="#fff" />
                <path d=d fill="#000" />
            </svg>
        }
    })
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText`: throws where there is no clipboard (a page served
    /// over plain HTTP from another host than localhost has none).
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_text(text: &str) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// Copies `text` to the clipboard; tells whether it worked.
async fn copy(text: &str) -> bool {
    match write_text(text) {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// The lab's section of study links.
#[component]
pub fn StudyLinks(app: AppState, studies: Studies) -> impl IntoView {
    let lang = app.lang;
    let t = move |m: LabMsg| move || m.text(lang.get());
    let base = base_url();
    // The server a participant must reach: only when this page was pointed at one.
    let server = app.settings.with_untracked(|s| {
        (s.backend == crate::settings::BackendKind::Http)
            .then(|| s.server.clone())
            .flatten()
    });
    // The link whose QR code shows (one at a time), and the last copy: the link and whether
    // the clipboard took it.
    let qr = RwSignal::new(None::<String>);
    let copied = RwSignal::new(None::<(String, bool)>);
    // One row per link: `data-testid="lab-link"` with the study and the forced variant ("" for
    // the assigned link) as data attributes, its controls named within it (a key may hold
    // `-`, so no testid is built by joining names).
    let row = move |link: String, name: Signal<String>, study: String, variant: String| {
        let (l1, l2, l3) = (link.clone(), link.clone(), link.clone());
        let shows_qr = move || qr.get().as_deref() == Some(l1.as_str());
        let copy_result = move || copied.get().and_then(|(l, ok)| (l == l2).then_some(ok));
        view! {
            <li class="hb-lab-link" data-testid="lab-link" data-study=study data-variant=variant>
                <span class="hb-lab-link-name">{name}</span>
                // The whole link, wrapped where it must: a researcher reads it, opens it to try
                // the study (a new tab), or copies it.
                <a
                    class="hb-lab-link-url"
                    href=link.clone()
                    target="_blank"
                    rel="noopener"
                    data-testid="lab-link-url"
                >
                    {link.clone()}
                </a>
                <span class="hb-lab-row">
                    <button
                        class="hb-button"
                        data-testid="lab-link-copy"
                        on:click=move |_| {
                            let link = l3.clone();
                            leptos::task::spawn_local(async move {
                                let ok = copy(&link).await;
                                copied.set(Some((link, ok)));
                            });
                        }
                    >
                        // No clipboard (a page over plain HTTP from another host): the link
                        // is there to select by hand.
                        {move || match copy_result() {
                            Some(true) => LabMsg::Copied.text(lang.get()),
                            Some(false) => LabMsg::CopyByHand.text(lang.get()),
                            None => LabMsg::Copy.text(lang.get()),
                        }}
                    </button>
                    <button
                        class="hb-button"
                        data-testid="lab-link-qr"
                        aria-pressed={
                            let shows_qr = shows_qr.clone();
                            move || shows_qr().to_string()
                        }
                        on:click={
                            let link = link.clone();
                            move |_| qr.update(|q| *q = if q.as_deref() == Some(link.as_str()) { None } else { Some(link.clone()) })
                        }
                    >
                        {t(LabMsg::QrCode)}
                    </button>
                </span>
                {move || shows_qr().then(|| view! {
                    <QrSvg text=link.clone() label=format!("{} {}", LabMsg::QrCode.text(lang.get()), name.get()) />
                })}
            </li>
        }
    };
    let list = move || {
        let base = base.clone();
        let server = server.clone();
        open_first(studies.current().into_iter().map(|(s, _)| s).collect())
        .into_iter()
        .map(move |study| {
            let key = study.key.clone();
            let title = study.title.clone();
            let heading = move || match title.get(lang.get()) {
                "" => key.clone(),
                t => t.to_owned(),
            };
            let any = row(
                study_link(&base, &study.key, None, server.as_deref()),
                Signal::derive(move || LabMsg::AnyVariant.text(lang.get()).to_owned()),
                study.key.clone(),
                String::new(),
            );
            let forced = study
                .variants
                .iter()
                .map(|v| {
                    let name = v.name.clone();
                    row(
                        study_link(&base, &study.key, Some(&v.name), server.as_deref()),
                        Signal::derive(move || format!("{} {name}", LabMsg::ForcedVariant.text(lang.get()))),
                        study.key.clone(),
                        v.name.clone(),
                    )
                })
                .collect_view();
            let closed = study.closed;
            view! {
                <div class="hb-lab-study" data-testid="lab-study" data-study=study.key.clone() data-closed=closed.to_string()>
                    <h3>
                        {heading}
                        {move || closed.then(|| format!(" · {}", LabMsg::StudyClosed.text(lang.get())))}
                    </h3>
                    <ul class="hb-lab-links">{any}{forced}</ul>
                </div>
            }
        })
        .collect_view()
    };
    view! {
        <section class="hb-lab-section" data-testid="lab-links">
            <h2>{t(LabMsg::StudyLinks)}</h2>
            <p class="hb-lab-hint">{t(LabMsg::StudyLinksHint)}</p>
            {list}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_study_and_the_forced_variant_and_encode_the_server() {
        let base = "https://example.org/hongbao/";
        assert_eq!(
            study_link(base, "send-basics", None, None),
            "https://example.org/hongbao/?study=send-basics"
        );
        assert_eq!(
            study_link(base, "send-basics", Some("one-stage"), None),
            "https://example.org/hongbao/?study=send-basics&variant=one-stage"
        );
        assert_eq!(
            study_link(base, "s", None, Some("http://10.0.0.2:8080")),
            "https://example.org/hongbao/?study=s&backend=http&server=http%3A%2F%2F10.0.0.2%3A8080"
        );
    }

    #[test]
    fn the_qr_path_draws_the_dark_modules_inside_the_quiet_zone() {
        let link = "https://example.org/hongbao/?study=send-basics&variant=one-stage";
        let (d, side) = qr_path(link).unwrap();
        let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(side, code.width() + 8);
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(d.matches('M').count(), dark);
        // The three finder patterns' top-left corners are dark: the first module of the code.
        assert!(d.starts_with("M4 4h1v1h-1z"));
        // Too long for any QR code: no code, no panic.
        assert!(qr_path(&"x".repeat(5000)).is_none());
    }
}
