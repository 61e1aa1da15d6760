//! Stage 2: one sheet with recipient(s), kind, per-share amount, count, total, greeting and
//! every warning. Confirm sits in the footer's left half, where stage 1 had nothing that
//! moves on (Next is in the right half), and ignores presses for a moment after opening.

use super::i18n::{SendMsg, count_value, exclusive_to, kind_name, severity_name};
use super::logic::han_runs;
use super::{Flow, Pending, SheetHeader};
use crate::i18n::{Lang, display_name};
use hongbao_api::NewPacket;
use hongbao_engine::{PacketKind, PacketKindTag, Severity};
use leptos::prelude::*;
use std::time::Duration;

/// How long Confirm ignores presses after the review opens (a double tap on Next must not
/// confirm).
const CONFIRM_GUARD: Duration = Duration::from_millis(400);

/// Who receives the packet, as the review (and the authorize stage) names it.
pub(super) fn recipients(flow: Flow, packet: &NewPacket) -> String {
    let lang = flow.lang();
    let chat = flow.chat.with_value(|c| c.id.clone());
    let group = crate::chat::chat_title(&chat, &flow.user.get_value(), lang);
    match &packet.kind {
        PacketKind::Exclusive { to, .. } => exclusive_to(&display_name(to), &group, lang),
        PacketKind::Personal { to, .. } => display_name(to),
        PacketKind::Lucky { .. } | PacketKind::Normal { .. } => group,
    }
}

/// A warning's text; Chinese words quoted in the English text are marked as Chinese.
fn warning_text(text: &str, lang: Lang) -> AnyView {
    if lang == Lang::Zh {
        return text.to_owned().into_any();
    }
    han_runs(text)
        .into_iter()
        .map(|(han, run)| {
            if han {
                view! { <span lang="zh-CN">{run}</span> }.into_any()
            } else {
                run.into_any()
            }
        })
        .collect_view()
        .into_any()
}

fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Danger => "⛔",
        Severity::Caution => "⚠️",
        Severity::Info => "ℹ️",
    }
}

#[component]
pub fn Review(flow: Flow, pending: Pending) -> impl IntoView {
    let lang = move || flow.lang();
    let title = Signal::derive(move || SendMsg::ReviewTitle.text(flow.lang()).to_owned());
    let app_warnings = move || flow.app.settings.with(|s| s.warnings);
    let total = pending.preview.total;
    let total = move || total;
    // Confirm accepts presses after the guard.
    let ready = RwSignal::new(false);
    set_timeout(
        move || {
            let _ = ready.try_set(true);
        },
        CONFIRM_GUARD,
    );
    let draft = StoredValue::new(pending.draft);
    let warnings_list = StoredValue::new(pending.preview.warnings);

    let row = move |label: SendMsg,
                    value: Box<dyn Fn() -> String + Send + Sync>,
                    testid: &'static str| {
        view! {
            <div class="hb-review-row">
                <dt>{move || label.text(lang())}</dt>
                <dd data-testid=testid>{value}</dd>
            </div>
        }
    };

    let warnings = move || {
        let warnings = warnings_list.get_value();
        // A lab variant can hide the warnings (`warnings=off`).
        if warnings.is_empty() || !app_warnings() {
            return view! {
                <p class="hb-no-warnings">{move || SendMsg::NoWarnings.text(lang())}</p>
            }
            .into_any();
        }
        view! {
            <section class="hb-warnings" aria-label=move || SendMsg::Warnings.text(lang())>
                <ul>
                    {warnings
                        .into_iter()
                        .map(|w| {
                            let sev = w.severity;
                            view! {
                                <li
                                    class=format!("hb-warning hb-warning-{}", sev.as_str())
                                    data-testid="warning"
                                    data-code=w.code.as_str()
                                    data-severity=sev.as_str()
                                >
                                    <span class="hb-warning-icon" aria-hidden="true">{severity_icon(sev)}</span>
                                    <span class="hb-warning-text">
                                        <strong class="hb-warning-level">{move || severity_name(sev, lang())}</strong>
                                        " "
                                        <span data-testid="warning-text">{move || warning_text(&w.text(lang()), lang())}</span>
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
        .into_any()
    };

    let field = move |f: fn(Flow, &NewPacket) -> String| -> Box<dyn Fn() -> String + Send + Sync> {
        Box::new(move || draft.with_value(|d| f(flow, d)))
    };

    view! {
        <div class="hb-send-stage" data-testid="review-sheet">
        <SheetHeader flow=flow title=title autofocus=true>
            <button
                type="button"
                class="hb-send-back"
                data-testid="edit-button"
                on:click=move |_| flow.edit()
            >
                <span aria-hidden="true">{"‹ "}</span>
                {move || SendMsg::Edit.text(lang())}
            </button>
        </SheetHeader>
        <div class="hb-send-scroll">
            {warnings}
            <p class="hb-review-total" data-testid="review-total">
                <span class="hb-review-total-label">{move || SendMsg::Total.text(lang())}</span>
                " "
                <span class="hb-review-total-value">{move || total().format(lang())}</span>
            </p>
            <p class="hb-capitals">
                <span lang="zh-CN">{move || total().to_capitals()}</span>
                " · "
                <span lang="en">{move || total().to_words_en()}</span>
            </p>
            <dl class="hb-review-list">
                {row(SendMsg::To, field(recipients), "review-to")}
                {row(SendMsg::Kind, field(|f, d| kind_name(d.kind.tag(), f.lang()).to_owned()), "review-kind")}
                {row(
                    SendMsg::PerShare,
                    field(|f, d| match d.kind.tag() {
                        PacketKindTag::Lucky => SendMsg::PerShareRandom.text(f.lang()).to_owned(),
                        _ => d.kind.typed_amount().format(f.lang()),
                    }),
                    "review-per-share",
                )}
                {row(SendMsg::Count, field(|f, d| count_value(d.kind.count(), f.lang())), "review-count")}
                {row(SendMsg::Greeting, field(|_, d| d.greeting.clone()), "review-greeting")}
            </dl>
        </div>
        <div class="hb-send-foot">
            <button
                type="button"
                class="hb-send-button hb-send-primary"
                data-testid="confirm-button"
                aria-disabled=move || (!ready.get()).then_some("true")
                on:click=move |_| {
                    if ready.get_untracked() {
                        flow.confirm();
                    }
                }
            >
                {move || SendMsg::Confirm.text(lang())}
            </button>
            <p class="hb-foot-total" aria-hidden="true">
                <span>{move || SendMsg::Total.text(lang())}</span>
                <strong>{move || total().format(lang())}</strong>
            </p>
        </div>
        </div>
    }
}
