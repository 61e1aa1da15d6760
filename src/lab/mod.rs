//! The lab (PRODUCT §6): experiments as data, deterministic assignment, events, results and
//! the fairness view.
//!
//! - [`experiment`]: the experiment format and its validation (shipped: `lab/experiments/`);
//! - [`assign`]: the stable hash from (participant, key) to a variant;
//! - [`events`]: what the flows report, export and import;
//! - [`charts`]: the results per variant drawn (computed by `hongbao_study::results`);
//! - [`fairness`]: lucky packets simulated in the page;
//! - [`keeper`]: where the console keeps studies and reads events (this browser with the
//!   mock, the server for a signed-in researcher: [`signin`]), and the list they share;
//! - [`studies`]: the studies, edited in a form ([`form`]) or as JSON, duplicated, closed,
//!   deleted;
//! - [`links`]: each study's participant links, with copy buttons and QR codes;
//! - this module: the active experiment ([`Lab`]), its activation from the URL
//!   (`?experiment=<key>&participant=<id>&variant=<name>`) and the lab screen.

pub mod charts;
pub mod events;
pub mod fairness;
pub mod form;
pub mod i18n;
pub mod keeper;
pub mod links;
pub mod signin;
pub mod studies;

use crate::settings::Settings;
use crate::state::AppState;
use charts::{Bar, BarChart};
use hongbao_study::assign::{Assignment, assign, valid_participant};
use hongbao_study::experiment::{self, Experiment, apply_variant, shipped};
use hongbao_study::{results, stats};
use i18n::LabMsg;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;

/// The experiment in force for this participant.
#[derive(Clone, Debug, PartialEq)]
pub struct Active {
    pub experiment: Experiment,
    pub assignment: Assignment,
    /// A study's participant (`?study=`, `crate::study`): events carry the study's key.
    pub study: bool,
}

/// The lab's shared state (a handle: `Copy`).
#[derive(Clone, Copy)]
pub struct Lab {
    pub app: AppState,
    pub active: RwSignal<Option<Active>>,
    /// Bumped after every stored event (the results refetch).
    pub revision: RwSignal<u64>,
    /// The index of the task in progress (events carry its id): the first for an
    /// experiment; a study's participant moves through them (`crate::study`).
    pub task: RwSignal<Option<usize>>,
    /// What was sent during the task in progress: (`chat kind amount×count`, packet id).
    pub sends: RwSignal<Vec<(String, u64)>>,
}

thread_local! {
    static LAB: Cell<Option<Lab>> = const { Cell::new(None) };
}

impl Lab {
    /// The lab of the running app (`None` before [`start`]).
    pub fn get() -> Option<Lab> {
        LAB.with(|l| l.get())
    }
}

const PARTICIPANT_KEY: &str = "hongbao:lab:participant";

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The participant id: `?participant=` (then remembered), else the remembered one, else a
/// new random one (remembered).
pub fn participant_id(query: &str) -> String {
    let stored = crate::local::get(PARTICIPANT_KEY).filter(|p| valid_participant(p));
    let id = query_param(query, "participant")
        .filter(|p| valid_participant(p))
        .or(stored)
        .unwrap_or_else(|| format!("p-{:012x}", (js_sys::Math::random() * 2f64.powi(48)) as u64));
    crate::local::set(PARTICIPANT_KEY, &id);
    id
}

/// `true` when the query names an experiment (`?experiment=`).
pub fn names_experiment(query: &str) -> bool {
    query_param(query, "experiment").is_some()
}

/// The experiment named by `?experiment=`, assigned and applied to `settings`.
pub fn activate(settings: &mut Settings, query: &str) -> Option<Active> {
    let key = query_param(query, "experiment")?;
    let experiment = shipped().into_iter().find(|e| e.key == key)?;
    let participant = participant_id(query);
    let forced = query_param(query, "variant");
    let assignment = assign(&experiment, &participant, forced.as_deref());
    if let Some(v) = experiment.variant(&assignment.variant) {
        let _ = apply_variant(settings, v);
    }
    Some(Active {
        experiment,
        assignment,
        study: false,
    })
}

/// Makes the lab available to the flows; records the exposure of an active experiment.
pub fn start(app: AppState, active: Option<Active>) {
    let lab = Lab {
        app,
        active: RwSignal::new(None),
        revision: RwSignal::new(0),
        task: RwSignal::new(Some(0)),
        sends: RwSignal::new(Vec::new()),
    };
    LAB.with(|l| l.set(Some(lab)));
    if let Some(active) = active {
        enter(lab, active);
    }
}

/// Puts `active` in force and records its exposure.
pub fn enter(lab: Lab, active: Active) {
    lab.active.set(Some(active));
    events::record("exposure", |_| {});
}

/// The task card over the screens, while an experiment with a task is active.
#[component]
pub fn TaskCard() -> impl IntoView {
    let Some(lab) = Lab::get() else {
        return ().into_any();
    };
    let lang = lab.app.lang;
    (move || {
        let active = lab.active.get()?;
        if active.study {
            // A study's participant has the study's own card (crate::study).
            return None;
        }
        let task = active.experiment.tasks.first()?.clone();
        Some(view! {
            <aside
                class="hb-lab-task"
                data-testid="lab-task"
                data-variant=active.assignment.variant.clone()
                data-participant=active.assignment.participant.clone()
            >
                <strong>{move || LabMsg::Task.text(lang.get())}</strong>
                " "
                <span>{move || task.instruction.get(lang.get()).to_owned()}</span>
            </aside>
        })
    })
    .into_any()
}

/// The lab tab: the experiment, the results and the fairness view.
#[component]
pub fn LabScreen() -> impl IntoView {
    let Some(lab) = Lab::get() else {
        return ().into_any();
    };
    let lang = lab.app.lang;
    let studies = keeper::Studies::new(lab.app);
    view! {
        <div class="hb-lab" data-testid="lab-screen">
            <div class="hb-lab-col">
                <ExperimentEditor lab=lab />
                <studies::StudyEditor app=lab.app studies=studies />
                <links::StudyLinks app=lab.app studies=studies />
            </div>
            <div class="hb-lab-col">
                <Results lab=lab studies=studies />
                <SampleSize lang=lang />
                <fairness::FairnessView lang=lang />
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn ExperimentEditor(lab: Lab) -> impl IntoView {
    let lang = lab.app.lang;
    let t = move |m: LabMsg| move || m.text(lang.get());
    let initial = lab
        .active
        .get_untracked()
        .map(|a| a.experiment)
        .unwrap_or_else(|| shipped()[0].clone());
    let text = RwSignal::new(initial.to_json_pretty());
    let error = RwSignal::new(None::<experiment::ExperimentError>);
    let apply = move |_| match Experiment::parse(&text.get_untracked()) {
        Err(e) => error.set(Some(e)),
        Ok(experiment) => {
            error.set(None);
            let participant = participant_id(&crate::settings::current_query());
            let assignment = assign(&experiment, &participant, None);
            if let Some(v) = experiment.variant(&assignment.variant) {
                let mut s = lab.app.settings.get_untracked();
                if apply_variant(&mut s, v).is_ok() {
                    lab.app.settings.set(s);
                }
            }
            enter(
                lab,
                Active {
                    experiment,
                    assignment,
                    study: false,
                },
            );
        }
    };
    let choose = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        if let Some(e) = shipped().into_iter().find(|e| e.key == key) {
            text.set(e.to_json_pretty());
            error.set(None);
        }
    };
    view! {
        <section class="hb-lab-section">
            <h2>{t(LabMsg::Experiment)}</h2>
            <label>
                {t(LabMsg::Shipped)}
                " "
                <select data-testid="lab-experiment-select" on:change=choose>
                    {shipped()
                        .into_iter()
                        .map(|e| {
                            // The experiment's title in the reader's language (its key if it has none).
                            let key = e.key.clone();
                            let name = move || match e.title.get(lang.get()) {
                                "" => e.key.clone(),
                                title => title.to_owned(),
                            };
                            view! { <option value=key>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <textarea
                class="hb-lab-editor"
                data-testid="lab-editor"
                aria-label=t(LabMsg::Experiment)
                rows="8"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <button class="hb-button" data-testid="lab-apply" on:click=apply>
                {t(LabMsg::Apply)}
            </button>
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="hb-lab-error" role="alert" data-testid="lab-error">
                                {e.message(lang.get())}
                            </p>
                        }
                    })
            }}
            {move || {
                lab.active
                    .get()
                    .map(|a| {
                        let forced = a.assignment.forced;
                        view! {
                            <p
                                data-testid="lab-assignment"
                                data-experiment=a.experiment.key.clone()
                                data-variant=a.assignment.variant.clone()
                                data-forced=forced.to_string()
                            >
                                {move || LabMsg::Participant.text(lang.get())}
                                {format!(" {} · {} · ", a.assignment.participant, a.experiment.key)}
                                {move || LabMsg::Variant.text(lang.get())}
                                {format!(" {}", a.assignment.variant)}
                                {move || forced.then(|| format!(" ({})", LabMsg::Forced.text(lang.get())))}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// How many participants a study needs: per variant, for the slip rates the researcher
/// expects, at a chosen power and level (`stats::sample_size`).
#[component]
fn SampleSize(lang: RwSignal<hongbao_engine::Lang>) -> impl IntoView {
    let t = move |m: LabMsg| move || m.text(lang.get());
    // Percentages as typed: a baseline slip rate, the rate hoped for, power and level.
    let (p1, p2, power, alpha) = (
        RwSignal::new("30".to_owned()),
        RwSignal::new("15".to_owned()),
        RwSignal::new("80".to_owned()),
        RwSignal::new("5".to_owned()),
    );
    let read = |s: RwSignal<String>| s.get().trim().parse::<f64>().ok().map(|x| x / 100.0);
    let n = move || {
        let (p1, p2, power, alpha) = (read(p1)?, read(p2)?, read(power)?, read(alpha)?);
        stats::sample_size(p1, p2, alpha, power)
    };
    let field = move |label: LabMsg, value: RwSignal<String>, testid: &'static str| {
        view! {
            <label>
                {t(label)}
                <input
                    inputmode="decimal"
                    data-testid=testid
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        <section class="hb-lab-section" data-testid="lab-sample-size">
            <h2>{t(LabMsg::SampleSize)}</h2>
            <div class="hb-lab-form">
                {field(LabMsg::BaselineRate, p1, "lab-ss-p1")}
                {field(LabMsg::ExpectedRate, p2, "lab-ss-p2")}
                {field(LabMsg::Power, power, "lab-ss-power")}
                {field(LabMsg::Alpha, alpha, "lab-ss-alpha")}
            </div>
            <p data-testid="lab-ss-result" data-n=move || n().map(|n| n.to_string()) role="status">
                {move || match n() {
                    Some(n) => i18n::sample_size_text(n, lang.get()),
                    None => LabMsg::SampleSizeBad.text(lang.get()).to_owned(),
                }}
            </p>
        </section>
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Starts a download of `text` as `name` (a Blob URL and an `<a download>`).
fn download(name: &str, mime: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
fn Results(lab: Lab, studies: keeper::Studies) -> impl IntoView {
    let lang = lab.app.lang;
    let t = move |m: LabMsg| move || m.text(lang.get());
    let include_forced = RwSignal::new(false);
    // Live on the mock: a participant in another tab of this browser stores events, the
    // browser tells this tab (`storage` events fire in the other tabs), the results refetch.
    // (On any key: a refetch costs little, and reading the key would add a binding to the
    // first load, where every wasm-bindgen import lives.)
    let live = window_event_listener(leptos::ev::storage, move |_| {
        lab.revision.update(|r| *r += 1);
    });
    on_cleanup(move || live.remove());
    // Live on the server: its stream of everyone's events, once a researcher has signed in;
    // a burst of events refetches once (at most every 300 ms).
    let stream = StoredValue::new_local(None::<Box<dyn std::any::Any>>);
    Effect::new(move |_| {
        studies.researcher.track();
        if let keeper::Keeper::Server(research) = studies.keeper() {
            let waiting = std::rc::Rc::new(Cell::new(false));
            let changed = std::rc::Rc::new(move || {
                if waiting.replace(true) {
                    return;
                }
                let waiting = waiting.clone();
                spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(300).await;
                    waiting.set(false);
                    lab.revision.update(|r| *r += 1);
                });
            });
            stream.set_value(research.researcher().map(|_| research.watch(changed)));
        }
    });
    on_cleanup(move || stream.set_value(None));
    // What the results can be of: the shipped experiments and the studies.
    let choices = Memo::new(move |_| {
        let mut list: Vec<Experiment> = shipped();
        list.extend(studies.current().into_iter().map(|(s, _)| s.experiment()));
        list
    });
    // The one chosen (`None`: the active experiment, else the first shipped).
    let chosen = RwSignal::new(None::<String>);
    let experiment = Memo::new(move |_| {
        let active = lab.active.get().map(|a| a.experiment);
        match chosen.get() {
            Some(key) => choices
                .with(|c| c.iter().find(|e| e.key == key).cloned())
                .or(active)
                .unwrap_or_else(|| shipped()[0].clone()),
            None => active.unwrap_or_else(|| shipped()[0].clone()),
        }
    });
    // Computed where the events are: here from the mock's, by the server from its own.
    let fetched = LocalResource::new(move || {
        lab.revision.track();
        // A researcher who signs in to the server reads everyone's results.
        studies.researcher.track();
        let (e, forced) = (experiment.get(), include_forced.get());
        let (keeper, backend) = (studies.keeper(), lab.app.backend());
        async move { keeper.results(&backend, &e, forced).await }
    });
    let results = Memo::new(move |_| fetched.get().and_then(Result::ok).unwrap_or_default());
    let results_error = move || fetched.get().and_then(Result::err);
    let export_text = RwSignal::new(String::new());
    let export = move |csv: bool| {
        let (keeper, backend) = (studies.keeper(), lab.app.backend());
        let key = experiment.get_untracked().key;
        spawn_local(async move {
            let evs = keeper.events(&backend, &key).await.unwrap_or_default();
            let (text, name, mime) = if csv {
                (events::to_csv(&evs), "lab-events.csv", "text/csv")
            } else {
                (
                    events::to_jsonl(&evs),
                    "lab-events.jsonl",
                    "application/x-ndjson",
                )
            };
            export_text.set(text.clone());
            download(name, mime, &text);
        });
    };
    let import_text = RwSignal::new(String::new());
    let import_status = RwSignal::new(String::new());
    // Several browsers' files at once (a pilot on the mock backend: one file per participant's
    // browser): all are read before anything is stored; a file that does not read stores
    // nothing; events already here are not stored twice.
    let import_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // The same files may be chosen again.
        input.set_value("");
        if files.is_empty() {
            return;
        }
        let (backend, user) = (lab.app.backend(), lab.app.user.get_untracked());
        spawn_local(async move {
            let lang = lang.get_untracked();
            let mut incoming = Vec::new();
            let refused = |file: &web_sys::File, why: String| {
                let name = file.name();
                import_status.set(format!(
                    "{} {name}: {why}",
                    LabMsg::ImportFileError.text(lang)
                ));
            };
            for file in &files {
                let Some(text) = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                else {
                    return refused(file, LabMsg::Unreadable.text(lang).to_owned());
                };
                match events::from_jsonl(&text) {
                    Ok(evs) => incoming.extend(evs),
                    Err((line, e)) => {
                        let at = LabMsg::ImportErrorLine.text(lang);
                        return refused(file, format!("{at} {line}: {e}"));
                    }
                }
            }
            // What is stored already, so that nothing is stored twice: without it, nothing.
            let stored = match backend.lab_events().await {
                Ok(stored) => stored,
                Err(e) => return import_status.set(e.message),
            };
            let (new, skipped) = events::merge_new(&stored, incoming);
            match backend.log_events(&user, &new).await {
                Ok(()) => {
                    import_status.set(i18n::imported_files(new.len(), files.len(), skipped, lang));
                    lab.revision.update(|r| *r += 1);
                }
                Err(e) => import_status.set(e.message),
            }
        });
    };
    let import = move |_| match events::from_jsonl(&import_text.get_untracked()) {
        Err((line, e)) => import_status.set(format!(
            "{} {line}: {e}",
            LabMsg::ImportErrorLine.text(lang.get_untracked())
        )),
        Ok(evs) => {
            let (backend, user) = (lab.app.backend(), lab.app.user.get_untracked());
            spawn_local(async move {
                let n = evs.len();
                if backend.log_events(&user, &evs).await.is_ok() {
                    import_status.set(format!(
                        "{} {n}",
                        LabMsg::Imported.text(lang.get_untracked())
                    ));
                    lab.revision.update(|r| *r += 1);
                }
            });
        }
    };
    // A rate over no one is not 0%: it is not known yet.
    let no_data = move || view! { <span class="hb-muted" data-testid="lab-no-data">{t(LabMsg::NoData)}</span> };
    let rate = move |x: f64, n: u32| {
        if n == 0 {
            no_data().into_any()
        } else {
            pct(x).into_any()
        }
    };
    let table = move || {
        results
            .get()
            .into_iter()
            .map(|r| {
                // The median with the interquartile range.
                let median = r
                    .send_quartiles_ms
                    .map(|(q1, m, q3)| {
                        let s = |ms: f64| format!("{:.1}", ms / 1000.0);
                        format!("{} s ({}–{})", s(m), s(q1), s(q3))
                    })
                    .unwrap_or_else(|| "–".into());
                view! {
                    <tr
                        data-testid="lab-result-row"
                        data-variant=r.variant.clone()
                        data-participants=r.participants
                        data-sent=r.sent
                        data-slips=r.slips
                        data-slip-rate=format!("{:.4}", r.slip_rate())
                        data-cancels=r.cancels
                        data-recalls=r.recalls
                    >
                        <th scope="row">{r.variant.clone()}</th>
                        <td>{r.participants}</td>
                        <td>
                            {if r.sent == 0 {
                                no_data().into_any()
                            } else {
                                view! {
                                    {format!(
                                        "{} ({}–{})",
                                        pct(r.slip_rate()),
                                        pct(r.slip_ci.0),
                                        pct(r.slip_ci.1),
                                    )}
                                    <small>{format!(" {}/{}", r.slips, r.sent)}</small>
                                }
                                .into_any()
                            }}
                        </td>
                        <td>{median}</td>
                        <td>{rate(r.cancel_rate(), r.participants)}</td>
                        <td>{rate(r.recall_rate(), r.participants)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let tests = move || {
        let lang = lang.get();
        results::comparisons(&results.get())
            .into_iter()
            .map(|c| {
                let (a, b) = (&c.a, &c.b);
                let mut text = match c.test {
                    Some((z, p)) => format!("{a} vs {b}: z = {z:.2}, p = {p:.4}"),
                    None => format!("{a} vs {b}: {}", LabMsg::NotEnoughData.text(lang)),
                };
                if let Some(p) = c.p_holm {
                    text.push_str(&format!(", {} = {p:.4}", LabMsg::HolmP.text(lang)));
                }
                view! {
                    <li
                        data-testid="lab-ztest"
                        data-a=c.a.clone()
                        data-b=c.b.clone()
                        data-p=c.test.map(|t| format!("{:.6}", t.1))
                        data-p-holm=c.p_holm.map(|p| format!("{p:.6}"))
                    >
                        {text}
                    </li>
                }
            })
            .collect_view()
    };
    let charts = move || {
        let lang = lang.get();
        let rs = results.get();
        let slips = rs
            .iter()
            .map(|r| Bar {
                label: r.variant.clone(),
                value: r.slip_rate(),
                // No whisker without data.
                lo: if r.sent == 0 { 0.0 } else { r.slip_ci.0 },
                hi: if r.sent == 0 { 0.0 } else { r.slip_ci.1 },
            })
            .collect();
        let cancels = rs
            .iter()
            .map(|r| {
                let ci = if r.participants == 0 {
                    (0.0, 0.0)
                } else {
                    stats::wilson(r.cancels, r.participants, stats::Z95)
                };
                Bar {
                    label: r.variant.clone(),
                    value: r.cancel_rate(),
                    lo: ci.0,
                    hi: ci.1,
                }
            })
            .collect();
        view! {
            <div class="hb-lab-charts">
                <BarChart bars=slips max=1.0 title=LabMsg::SlipRate.text(lang) testid="lab-chart-slip" />
                <BarChart bars=cancels max=1.0 title=LabMsg::CancelRate.text(lang) testid="lab-chart-cancel" />
            </div>
        }
    };
    view! {
        <section class="hb-lab-section" data-testid="lab-results">
            <h2>{t(LabMsg::Results)}</h2>
            <label class="hb-lab-field">
                {t(LabMsg::ResultsOf)}
                <select
                    data-testid="lab-results-for"
                    prop:value=move || experiment.with(|e| e.key.clone())
                    on:change=move |ev| chosen.set(Some(event_target_value(&ev)))
                >
                    {move || {
                        let current = experiment.with(|e| e.key.clone());
                        choices
                            .get()
                            .into_iter()
                            .map(|e| {
                                let key = e.key.clone();
                                let selected = key == current;
                                let name = move || match e.title.get(lang.get()) {
                                    "" => e.key.clone(),
                                    title => format!("{title} ({})", e.key),
                                };
                                view! { <option value=key selected=selected>{name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="hb-lab-check">
                <input
                    type="checkbox"
                    data-testid="lab-include-forced"
                    prop:checked=move || include_forced.get()
                    on:change=move |ev| include_forced.set(event_target_checked(&ev))
                />
                {t(LabMsg::IncludeForced)}
            </label>
            {move || results_error().map(|e| view! {
                <p class="hb-lab-error" role="alert" data-testid="lab-results-error">{e}</p>
            })}
            <div class="hb-lab-results">
                <table class="hb-lab-table">
                    <thead>
                        <tr>
                            <th>{t(LabMsg::Variant)}</th>
                            <th>{t(LabMsg::Participants)}</th>
                            <th>{t(LabMsg::SlipRate)}</th>
                            <th>{t(LabMsg::MedianTime)}</th>
                            <th>{t(LabMsg::CancelRate)}</th>
                            <th>{t(LabMsg::RecallRate)}</th>
                        </tr>
                    </thead>
                    <tbody>{table}</tbody>
                </table>
                {charts}
            </div>
            <ul class="hb-lab-tests" aria-label=t(LabMsg::Tests)>{tests}</ul>
            <div class="hb-lab-row">
                <button class="hb-button" data-testid="lab-export-csv" on:click=move |_| export(true)>
                    {t(LabMsg::ExportCsv)}
                </button>
                <button class="hb-button" data-testid="lab-export-jsonl" on:click=move |_| export(false)>
                    {t(LabMsg::ExportJsonl)}
                </button>
            </div>
            <textarea
                data-testid="lab-export-text"
                aria-label=t(LabMsg::Exported)
                readonly
                rows="4"
                prop:value=move || export_text.get()
            ></textarea>
            <textarea
                data-testid="lab-import-text"
                aria-label=t(LabMsg::ImportHint)
                placeholder=t(LabMsg::ImportHint)
                rows="4"
                prop:value=move || import_text.get()
                on:input=move |ev| import_text.set(event_target_value(&ev))
            ></textarea>
            <div class="hb-lab-row">
                <button class="hb-button" data-testid="lab-import" on:click=import>
                    {t(LabMsg::Import)}
                </button>
                <label class="hb-button hb-lab-file">
                    {t(LabMsg::ImportFiles)}
                    <input
                        type="file"
                        multiple
                        accept=".jsonl,.ndjson,.txt,application/x-ndjson"
                        data-testid="lab-import-files"
                        on:change=import_files
                    />
                </label>
            </div>
            <p data-testid="lab-import-status" role="status">{move || import_status.get()}</p>
        </section>
    }
}
