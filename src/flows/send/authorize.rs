//! Stage 3: a 6-digit PIN pad (mouse, touch or typed digits), or hold-to-confirm (pointer,
//! or holding Space / Enter), depending on the `auth` setting, under a summary of what it
//! authorizes (recipients, kind, amount); the pad sits on the sheet's bottom edge.

use super::i18n::{SendMsg, digit_label, kind_name, pin_progress};
use super::review::recipients;
use super::{Flow, Pending, SheetHeader};
use crate::settings::Auth;
use leptos::prelude::*;
use std::time::Duration;

/// The demo PIN (the hint shows it; there is no real secret in the demo).
pub const DEMO_PIN: &str = "123456";
/// How long hold-to-confirm must be held.
pub const HOLD_MS: f64 = 1000.0;

/// A PIN being typed: at most six digits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PinEntry(String);

/// What a key press did to the PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinOutcome {
    Typing,
    Correct,
    Wrong,
}

impl PinEntry {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds a digit; at six digits the PIN is checked (and cleared when wrong).
    pub fn push(&mut self, digit: u8) -> PinOutcome {
        if digit > 9 || self.0.len() >= 6 {
            return PinOutcome::Typing;
        }
        self.0.push(char::from(b'0' + digit));
        if self.0.len() < 6 {
            PinOutcome::Typing
        } else if self.0 == DEMO_PIN {
            PinOutcome::Correct
        } else {
            self.0.clear();
            PinOutcome::Wrong
        }
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }
}

#[component]
pub fn Authorize(flow: Flow, pending: Pending) -> impl IntoView {
    let title = Signal::derive(move || {
        match flow.app.settings.with(|s| s.auth) {
            Auth::Pin => SendMsg::AuthTitle,
            Auth::Hold => SendMsg::HoldTitle,
        }
        .text(flow.lang())
        .to_owned()
    });
    let total = pending.preview.total;
    let total = move || total.format(flow.lang());
    // What is being authorized, repeated: to whom, which kind, how much.
    let draft = StoredValue::new(pending.draft);
    let to = move || {
        let lang = flow.lang();
        let to = draft.with_value(|d| recipients(flow, d));
        format!("{} {to}", SendMsg::To.text(lang))
    };
    let kind = move || draft.with_value(|d| kind_name(d.kind.tag(), flow.lang()));
    view! {
        <div class="hb-send-stage" data-testid="authorize-sheet">
            <SheetHeader flow=flow title=title />
            // The pad sits on the sheet's bottom edge (the summary above it).
            <div class="hb-auth-body">
                <div class="hb-auth-summary">
                    <p class="hb-auth-for">
                        <span data-testid="auth-to">{to}</span>
                        " · "
                        <span data-testid="auth-kind">{kind}</span>
                    </p>
                    <p class="hb-auth-total" data-testid="auth-amount">{total}</p>
                </div>
                {move || match flow.app.settings.with(|s| s.auth) {
                    Auth::Pin => view! { <PinPad flow=flow /> }.into_any(),
                    Auth::Hold => view! { <HoldConfirm flow=flow /> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn PinPad(flow: Flow) -> impl IntoView {
    let lang = move || flow.lang();
    // The demo's PIN hint; a study's participant reads the PIN from the study instead.
    let demo = use_context::<crate::state::AppState>().is_none_or(|s| s.participant.is_none());
    let pin = RwSignal::new(PinEntry::default());
    let wrong = RwSignal::new(false);
    let press = move |digit: u8| {
        wrong.set(false);
        let mut outcome = PinOutcome::Typing;
        pin.update(|p| outcome = p.push(digit));
        match outcome {
            PinOutcome::Correct => flow.authorized(),
            PinOutcome::Wrong => wrong.set(true),
            PinOutcome::Typing => {}
        }
    };
    let delete = move || {
        wrong.set(false);
        pin.update(PinEntry::pop);
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        if let Some(d) = key.chars().next().and_then(|c| c.to_digit(10))
            && key.chars().count() == 1
        {
            ev.prevent_default();
            press(d as u8);
        } else if key == "Backspace" || key == "Delete" {
            ev.prevent_default();
            delete();
        }
    };
    let digit = move |d: u8| {
        view! {
            <button
                type="button"
                class="hb-pin-key"
                data-testid=format!("pin-digit-{d}")
                aria-label=move || digit_label(d, lang())
                on:click=move |_| press(d)
            >
                {d.to_string()}
            </button>
        }
    };
    view! {
        <div
            class="hb-pin"
            data-testid="pin-pad"
            role="group"
            tabindex="0"
            data-autofocus=""
            aria-label=move || SendMsg::PinLabel.text(lang())
            on:keydown=on_keydown
        >
            <div class="hb-pin-dots" aria-hidden="true">
                {(0..6)
                    .map(|i| view! { <span class="hb-pin-dot" class:hb-pin-dot-on=move || pin.with(|p| p.len() > i)></span> })
                    .collect_view()}
            </div>
            <p class="hb-send-sr" aria-live="polite">{move || pin_progress(pin.with(PinEntry::len), lang())}</p>
            <p class="hb-pin-hint">{move || demo.then(|| SendMsg::PinHint.text(lang()))}</p>
            // A fixed slot, so that the keys do not move when the message shows.
            <div class="hb-pin-message">
                {move || wrong.get().then(|| view! {
                    <p class="hb-send-error" data-testid="error-message" role="alert">{move || SendMsg::PinWrong.text(lang())}</p>
                })}
            </div>
            <div class="hb-pin-keys">
                {[1, 2, 3, 4, 5, 6, 7, 8, 9].map(digit).collect_view()}
                <span class="hb-pin-blank" aria-hidden={"true"}></span>
                {digit(0)}
                <button
                    type="button"
                    class="hb-pin-key hb-pin-delete"
                    data-testid="pin-delete"
                    aria-label=move || SendMsg::Delete.text(lang())
                    on:click=move |_| delete()
                >
                    <span aria-hidden="true">{"⌫"}</span>
                </button>
            </div>
        </div>
    }
}

#[component]
fn HoldConfirm(flow: Flow) -> impl IntoView {
    let lang = move || flow.lang();
    // Progress in percent; the hold started at `since` (ms, page clock).
    let progress = RwSignal::new(0u32);
    let since = StoredValue::new(None::<f64>);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let stop = move || {
        if let Some(Some(handle)) = ticker.try_update_value(Option::take) {
            handle.clear();
        }
        since.try_set_value(None);
    };
    let cancel = move || {
        stop();
        let _ = progress.try_set(0);
    };
    let start = move || {
        if since.get_value().is_some() {
            return;
        }
        since.set_value(Some(js_sys::Date::now()));
        progress.set(0);
        let handle = set_interval_with_handle(
            move || {
                let Some(Some(t0)) = since.try_get_value() else {
                    return;
                };
                let held = js_sys::Date::now() - t0;
                let pct = ((held / HOLD_MS) * 100.0).clamp(0.0, 100.0) as u32;
                let _ = progress.try_set(pct);
                if held >= HOLD_MS {
                    stop();
                    flow.authorized();
                }
            },
            Duration::from_millis(30),
        );
        ticker.set_value(handle.ok());
    };
    on_cleanup(stop);
    let is_key =
        |ev: &web_sys::KeyboardEvent| matches!(ev.key().as_str(), " " | "Enter" | "Spacebar");
    view! {
        <div class="hb-hold">
            <button
                type="button"
                class="hb-hold-button"
                class:hb-holding=move || { progress.get() > 0 }
                data-testid="hold-confirm"
                data-autofocus=""
                on:pointerdown=move |ev| {
                    ev.prevent_default();
                    start();
                }
                on:pointerup=move |_| cancel()
                on:pointerleave=move |_| cancel()
                on:pointercancel=move |_| cancel()
                on:contextmenu=move |ev| ev.prevent_default()
                on:keydown=move |ev| {
                    if is_key(&ev) {
                        ev.prevent_default();
                        if !ev.repeat() {
                            start();
                        }
                    }
                }
                on:keyup=move |ev| {
                    if is_key(&ev) {
                        ev.prevent_default();
                        cancel();
                    }
                }
                on:blur=move |_| cancel()
            >
                <span class="hb-hold-fill" style:width=move || format!("{}%", progress.get())></span>
                <span class="hb-hold-label">{move || SendMsg::HoldButton.text(lang())}</span>
            </button>
            <div
                class="hb-send-sr"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || progress.get().to_string()
                aria-label=move || SendMsg::HoldButton.text(lang())
            ></div>
            <p class="hb-pin-hint">{move || SendMsg::HoldHint.text(lang())}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_checked_at_six_digits_and_cleared_when_wrong() {
        let mut pin = PinEntry::default();
        for d in [1, 2, 3, 4, 5] {
            assert_eq!(pin.push(d), PinOutcome::Typing);
        }
        pin.pop();
        assert_eq!(pin.len(), 4);
        assert_eq!(pin.push(5), PinOutcome::Typing);
        assert_eq!(pin.push(6), PinOutcome::Correct);

        let mut pin = PinEntry::default();
        for d in [9, 9, 9, 9, 9] {
            pin.push(d);
        }
        assert_eq!(pin.push(9), PinOutcome::Wrong);
        assert_eq!(pin.len(), 0);
        assert_eq!(pin.push(10), PinOutcome::Typing);
        assert_eq!(pin.len(), 0);
    }
}
