//! The settings panel: every setting a user may change at runtime, and the demo tools
//! (reset the demo, fast-forward the backend's clock).
//!
//! Every change goes through [`Settings::apply`] (the same validation as the URL query), is
//! written to `state.settings` (and the language to `state.lang`), and is passed on to the
//! mock backend so that later sends use the new policy and calls the new latency/failures.

pub mod i18n;

use crate::flows::recall::date_hhmm;
use crate::settings::{Auth, SettingError, Settings, Stages};
use crate::state::{AppState, use_app};
use i18n::Msg;
use leptos::prelude::*;

/// The value of setting `key` as the panel's controls (and [`Settings::apply`]) spell it.
pub fn value_of(s: &Settings, key: &str) -> String {
    let on = |b: bool| if b { "on" } else { "off" }.to_owned();
    match key {
        "stages" => match s.stages {
            Stages::One => "1",
            Stages::Two => "2",
            Stages::Three => "3",
            Stages::Adaptive => "adaptive",
        }
        .to_owned(),
        "auth" => match s.auth {
            Auth::Pin => "pin",
            Auth::Hold => "hold",
        }
        .to_owned(),
        "recall" => s.recall.as_str().to_owned(),
        "window" => s.window_secs.to_string(),
        "split" => s.split.as_str().to_owned(),
        "motion" => on(s.motion),
        "lang" => s.lang.as_str().to_owned(),
        "latency" => s.latency_ms.map(|ms| ms.to_string()).unwrap_or_default(),
        "fail" => s.fail_percent.to_string(),
        "bots" => on(s.bots),
        "income" => s.income.as_str().to_owned(),
        "theme" => s.theme.as_str().to_owned(),
        _ => String::new(),
    }
}

/// `settings` with `key` set to `value`; an empty latency means "random".
pub fn changed(settings: &Settings, key: &str, value: &str) -> Result<Settings, SettingError> {
    let mut next = settings.clone();
    if key == "latency" && value.trim().is_empty() {
        next.latency_ms = None;
    } else {
        next.apply(key, value)?;
    }
    Ok(next)
}

/// Writes the settings and hands them to the backend.
fn store(state: AppState, mut next: Settings) {
    if next.lang != state.settings.with_untracked(|s| s.lang) {
        state.lang.set(next.lang);
    }
    // The header's language switch changes `state.lang` only: keep them in step.
    next.lang = state.lang.get_untracked();
    // The shell hands every settings change to the backend.
    state.settings.set(next);
}

type Options = &'static [(&'static str, Msg)];

const STAGES: Options = &[
    ("1", Msg::Stage1),
    ("2", Msg::Stage2),
    ("3", Msg::Stage3),
    ("adaptive", Msg::Adaptive),
];
const AUTH: Options = &[("pin", Msg::AuthPin), ("hold", Msg::AuthHold)];
const RECALL: Options = &[
    ("none", Msg::RecallNone),
    ("window", Msg::RecallWindow),
    ("remainder", Msg::RecallRemainder),
    ("delayed", Msg::RecallDelayed),
];
const SPLIT: Options = &[
    ("double_mean", Msg::SplitDoubleMean),
    ("line_cutting", Msg::SplitLineCutting),
];
const LANGS: Options = &[("zh", Msg::LangZh), ("en", Msg::LangEn)];
const INCOME: Options = &[
    ("auto", Msg::IncomeAuto),
    ("red", Msg::IncomeRed),
    ("green", Msg::IncomeGreen),
];
const THEME: Options = &[
    ("auto", Msg::ThemeAuto),
    ("light", Msg::ThemeLight),
    ("dark", Msg::ThemeDark),
];

/// The current value of `key`, reactively (the language follows `state.lang`).
fn current(state: AppState, key: &'static str) -> impl Fn() -> String + Copy {
    move || {
        if key == "lang" {
            state.lang.get().as_str().to_owned()
        } else {
            state.settings.with(|s| value_of(s, key))
        }
    }
}

#[component]
fn Choice(key: &'static str, label: Msg, options: Options) -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let value = current(state, key);
    let id = format!("hb-setting-{key}");
    view! {
        <div class="hb-field">
            <label class="hb-field-label" for=id.clone()>{move || label.text(lang())}</label>
            <select
                id=id
                class="hb-field-control"
                data-testid=format!("setting-{key}")
                prop:value=value
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Ok(next) = state.settings.with_untracked(|s| changed(s, key, &v)) {
                        store(state, next);
                    }
                }
            >
                {options
                    .iter()
                    .map(|&(v, msg)| {
                        view! {
                            <option value=v selected=move || value() == v>
                                {move || msg.text(lang())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Toggle(key: &'static str, label: Msg) -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let value = current(state, key);
    let id = format!("hb-setting-{key}");
    view! {
        <div class="hb-field hb-field--toggle">
            <input
                id=id.clone()
                type="checkbox"
                class="hb-toggle"
                data-testid=format!("setting-{key}")
                prop:checked=move || value() == "on"
                on:change=move |ev| {
                    let v = if event_target_checked(&ev) { "on" } else { "off" };
                    if let Ok(next) = state.settings.with_untracked(|s| changed(s, key, v)) {
                        store(state, next);
                    }
                }
            />
            <label class="hb-field-label" for=id>{move || label.text(lang())}</label>
        </div>
    }
}

#[component]
fn Number(
    key: &'static str,
    label: Msg,
    #[prop(optional)] hint: Option<Msg>,
    lo: u32,
    hi: u32,
) -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let value = current(state, key);
    let invalid = RwSignal::new(false);
    let id = format!("hb-setting-{key}");
    let hint_id = format!("hb-setting-{key}-hint");
    view! {
        <div class="hb-field">
            <label class="hb-field-label" for=id.clone()>{move || label.text(lang())}</label>
            <input
                id=id
                type="number"
                inputmode="numeric"
                class="hb-field-control"
                min=lo
                max=hi
                data-testid=format!("setting-{key}")
                aria-describedby=hint_id.clone()
                aria-invalid=move || invalid.get().to_string()
                prop:value=value
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    match state.settings.with_untracked(|s| changed(s, key, &v)) {
                        Ok(next) => {
                            invalid.set(false);
                            store(state, next);
                        }
                        Err(_) => invalid.set(true),
                    }
                }
            />
            <p class="hb-field-hint" id=hint_id>
                {move || {
                    if invalid.get() {
                        i18n::out_of_range(lo, hi, lang())
                    } else {
                        hint.map(|h| h.text(lang()).to_owned()).unwrap_or_default()
                    }
                }}
            </p>
        </div>
    }
}

#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let status = RwSignal::new(String::new());
    let forward_secs = RwSignal::new(String::from("60"));
    let forward_invalid = RwSignal::new(false);
    // The theme is the standalone page's (src/nav); an embedded widget has its own attribute.
    let page = use_context::<crate::nav::Page>().is_some();

    // The demo tools change the backend: each is an action, whose outcome the status line says.
    let forward = Action::new_local(move |&secs: &i64| {
        let backend = state.backend();
        async move {
            let text = match backend.advance_clock(secs).await {
                Ok(()) => i18n::forwarded(secs, state.lang.get_untracked()),
                Err(e) => e.message,
            };
            state.refresh_now();
            state.changed();
            let _ = status.try_set(text);
        }
    });
    let forward = move |secs: i64| {
        forward.dispatch(secs);
    };
    let forward_custom = move || match forward_secs
        .get_untracked()
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=365 * 86_400).contains(s))
    {
        Some(secs) => {
            forward_invalid.set(false);
            forward(secs);
        }
        None => forward_invalid.set(true),
    };
    let reset = Action::new_local(move |_: &()| {
        let backend = state.backend();
        async move {
            let text = match backend.reset_demo().await {
                Ok(()) => Msg::ResetDone.text(state.lang.get_untracked()).to_owned(),
                Err(e) => e.message,
            };
            state.open_packet.set(None);
            state.refresh_now();
            state.changed();
            let _ = status.try_set(text);
        }
    });
    let reset = move || {
        reset.dispatch(());
    };

    view! {
        <section class="hb-settings" data-testid="settings-panel">
            <fieldset class="hb-settings-group">
                <legend>{move || Msg::Experiment.text(lang())}</legend>
                <p class="hb-field-hint">{move || Msg::AppliesToNewPackets.text(lang())}</p>
                <Choice key="stages" label=Msg::Stages options=STAGES />
                <Choice key="auth" label=Msg::Auth options=AUTH />
                <Choice key="recall" label=Msg::Recall options=RECALL />
                <Number key="window" label=Msg::Window hint=Msg::WindowHint lo=1 hi=86_400 />
                <Choice key="split" label=Msg::Split options=SPLIT />
                <Toggle key="motion" label=Msg::Motion />
                <Choice key="lang" label=Msg::Language options=LANGS />
                <Choice key="income" label=Msg::Income options=INCOME />
                {page.then(|| view! { <Choice key="theme" label=Msg::Theme options=THEME /> })}
            </fieldset>
            <fieldset class="hb-settings-group">
                <legend>{move || Msg::Simulation.text(lang())}</legend>
                <Number key="latency" label=Msg::Latency hint=Msg::LatencyHint lo=0 hi=10_000 />
                <Number key="fail" label=Msg::Fail lo=0 hi=100 />
                <Toggle key="bots" label=Msg::Bots />
            </fieldset>
            <fieldset class="hb-settings-group">
                <legend>{move || Msg::DemoTools.text(lang())}</legend>
                <p class="hb-clock">
                    {move || Msg::Clock.text(lang())}
                    ": "
                    <time data-testid="backend-clock">{move || date_hhmm(state.now.get())}</time>
                </p>
                <div class="hb-tool-row">
                    <button class="hb-tool-button" data-testid="clock-forward" on:click=move |_| forward(86_400)>
                        {move || Msg::Forward24h.text(lang())}
                    </button>
                </div>
                <div class="hb-tool-row">
                    <label class="hb-field-label" for="hb-forward-secs">{move || Msg::ForwardSecs.text(lang())}</label>
                    <input
                        id="hb-forward-secs"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        class="hb-field-control hb-forward-input"
                        data-testid="clock-forward-input"
                        aria-invalid=move || forward_invalid.get().to_string()
                        prop:value=move || forward_secs.get()
                        on:input=move |ev| forward_secs.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                forward_custom();
                            }
                        }
                    />
                    <button class="hb-tool-button" data-testid="clock-forward-go" on:click=move |_| forward_custom()>
                        {move || Msg::ForwardGo.text(lang())}
                    </button>
                </div>
                {move || forward_invalid.get().then(|| view! {
                    <p class="hb-error" data-testid="error-message" role="alert">
                        {i18n::out_of_range(1, 365 * 86_400, lang())}
                    </p>
                })}
                <div class="hb-tool-row">
                    <button class="hb-tool-button hb-tool-button--danger" data-testid="reset-demo" on:click=move |_| reset()>
                        {move || Msg::Reset.text(lang())}
                    </button>
                </div>
                <p class="hb-settings-status" role="status" aria-live="polite" data-testid="settings-status">
                    {move || status.get()}
                </p>
            </fieldset>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::KEYS;

    #[test]
    fn every_runtime_key_round_trips_through_the_controls() {
        let s = Settings::default();
        for key in [
            "stages", "auth", "recall", "window", "split", "motion", "lang", "latency", "fail",
            "bots", "income", "theme",
        ] {
            assert!(KEYS.iter().any(|(k, _)| *k == key), "{key}");
            let v = value_of(&s, key);
            assert_eq!(changed(&s, key, &v).as_ref(), Ok(&s), "{key}={v}");
        }
        let next = changed(&s, "recall", "none").unwrap();
        assert_eq!(value_of(&next, "recall"), "none");
        assert_eq!(changed(&s, "window", "0").unwrap_err().key, "window");
        let fixed = changed(&s, "latency", "25").unwrap();
        assert_eq!(fixed.latency_ms, Some(25));
        assert_eq!(changed(&fixed, "latency", " ").unwrap().latency_ms, None);
        for (v, _) in STAGES
            .iter()
            .chain(AUTH)
            .chain(RECALL)
            .chain(SPLIT)
            .chain(LANGS)
            .chain(INCOME)
            .chain(THEME)
        {
            assert!(
                [
                    "stages", "auth", "recall", "split", "lang", "income", "theme"
                ]
                .iter()
                .any(|k| changed(&s, k, v).is_ok()),
                "{v}"
            );
        }
    }
}
