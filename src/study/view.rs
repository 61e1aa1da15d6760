//! The participant's screens: consent over the app, the task card above it while the tasks
//! run, the completion code over it at the end.

use super::i18n::{StudyMsg, progress};
use super::{Progress, Session, load_progress, save_progress, session};
use crate::lab::{Lab, events};
use crate::shell::LangSwitch;
use crate::state::{Screen, use_app};
use hongbao_engine::Lang;
use leptos::prelude::*;
use std::rc::Rc;

/// A study that cannot start (unknown key, invalid stored study): the reason, and no app.
pub fn refused(message: String, lang: Lang) -> AnyView {
    view! {
        <div class="hb-study-cover" data-testid="study-error">
            <div class="hb-study-sheet" role="alert">
                <h2>{StudyMsg::CannotStart.text(lang)}</h2>
                <p>{message}</p>
            </div>
        </div>
    }
    .into_any()
}

/// The participant's view over the app (in the shell's task slot).
#[component]
pub fn StudyView() -> impl IntoView {
    let (Some(lab), Some(session)) = (Lab::get(), session()) else {
        return ().into_any();
    };
    let state = use_app();
    let lang = state.lang;
    let progress = RwSignal::new(load_progress(&session));
    let started = StoredValue::new(events::now_ms());
    // Back on a page of a study in progress: the events go on where they were.
    if let Progress::Task(i) = progress.get_untracked() {
        lab.task.set(Some(i));
        crate::lab::enter(lab, session.active.clone());
    }
    let accept = move |_| {
        let Some(s) = super::session() else { return };
        lab.task.set(Some(0));
        crate::lab::enter(lab, s.active.clone());
        events::record("consent", |_| {});
        started.set_value(events::now_ms());
        go(&s, progress, Progress::Task(0));
    };
    let finish_task = move |skipped: bool| {
        let (Progress::Task(i), Some(s)) = (progress.get_untracked(), super::session()) else {
            return;
        };
        let first = lab.sends.get_untracked().first().cloned();
        let intended = events::intended();
        let ms = events::now_ms() - started.get_value();
        events::record("task_done", |e| {
            e.ms = Some(ms.max(0.0) as u64);
            e.slip = first
                .as_ref()
                .map(|(actual, _)| Some(actual) != intended.as_ref());
            e.actual = first.as_ref().map(|(actual, _)| actual.clone());
            e.packet = first.as_ref().map(|(_, packet)| *packet);
            e.stage = skipped.then(|| "skipped".into());
            e.intended = intended;
        });
        lab.sends.set(Vec::new());
        // Each task starts from the chat list.
        state.open_packet.set(None);
        state.composing.set(false);
        state.screen.set(Screen::Chats);
        if i + 1 < s.study.tasks.len() {
            lab.task.set(Some(i + 1));
            started.set_value(events::now_ms());
            go(&s, progress, Progress::Task(i + 1));
        } else {
            events::record("complete", |_| {});
            // Nothing more is recorded on this page.
            lab.active.set(None);
            go(&s, progress, Progress::Done);
        }
    };
    (move || {
        let s = super::session()?;
        Some(match progress.get() {
            Progress::Consent => {
                consent(&s, lang, accept, move || progress.set(Progress::Declined))
            }
            Progress::Declined => cover(
                "study-declined",
                view! { <p>{move || StudyMsg::Declined.text(lang.get())}</p> }.into_any(),
            ),
            Progress::Task(i) => task_card(&s, i, lang, lab, finish_task),
            Progress::Done => done(&s, lang),
        })
    })
    .into_any()
}

fn go(session: &Rc<Session>, progress: RwSignal<Progress>, next: Progress) {
    save_progress(session, next);
    progress.set(next);
}

/// A sheet over the whole app, with its own language switch (the header's is under it).
fn cover(testid: &'static str, body: AnyView) -> AnyView {
    view! {
        <div class="hb-study-cover" data-testid=testid>
            <div class="hb-study-sheet" role="dialog" aria-modal="true">
                <LangSwitch testid="study-lang" class="hb-study-lang" />
                {body}
            </div>
        </div>
    }
    .into_any()
}

fn consent(
    session: &Rc<Session>,
    lang: RwSignal<Lang>,
    accept: impl Fn(leptos::ev::MouseEvent) + 'static,
    decline: impl Fn() + 'static,
) -> AnyView {
    let (title, text) = (session.study.title.clone(), session.study.consent.clone());
    let body = view! {
        <h2 class="hb-study-title">{move || title.get(lang.get()).to_owned()}</h2>
        <div class="hb-study-text" data-testid="study-consent-text">
            {move || {
                text.get(lang.get())
                    .split("\n\n")
                    .map(|p| view! { <p>{p.to_owned()}</p> })
                    .collect_view()
            }}
        </div>
        <div class="hb-study-actions">
            <button class="hb-study-secondary" data-testid="study-decline" on:click=move |_| decline()>
                {move || StudyMsg::Decline.text(lang.get())}
            </button>
            <button class="hb-button hb-study-primary" data-testid="study-accept" on:click=accept>
                {move || StudyMsg::Accept.text(lang.get())}
            </button>
        </div>
    };
    cover("study-consent", body.into_any())
}

fn task_card(
    session: &Rc<Session>,
    i: usize,
    lang: RwSignal<Lang>,
    lab: Lab,
    finish: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> AnyView {
    let study = &session.study;
    let Some(task) = study.tasks.get(i).cloned() else {
        return ().into_any();
    };
    let a = &session.active.assignment;
    let n = study.tasks.len();
    let last = i + 1 == n;
    let reminder = study.reminder.clone();
    let sent = move || lab.sends.with(|s| !s.is_empty());
    view! {
        <aside
            class="hb-study-task"
            data-testid="study-task"
            data-study=study.key.clone()
            data-task=task.id.clone()
            data-index=i
            data-variant=a.variant.clone()
            data-participant=a.participant.clone()
            data-forced=a.forced.to_string()
            aria-live="polite"
        >
            <p class="hb-study-progress" data-testid="study-progress">
                {move || progress(i + 1, n, lang.get())}
            </p>
            <p class="hb-study-instruction" data-testid="study-instruction">
                {move || task.instruction.get(lang.get()).to_owned()}
            </p>
            {reminder.map(|r| view! {
                <p class="hb-study-reminder">{move || r.get(lang.get()).to_owned()}</p>
            })}
            <div class="hb-study-actions">
                {move || if sent() {
                    view! {
                        <button class="hb-button hb-study-primary" data-testid="study-next" on:click=move |_| finish(false)>
                            {move || if last { StudyMsg::Finish } else { StudyMsg::Next }.text(lang.get())}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <span class="hb-study-hint">{move || StudyMsg::NextHint.text(lang.get())}</span>
                        <button class="hb-study-secondary" data-testid="study-skip" on:click=move |_| finish(true)>
                            {move || StudyMsg::Skip.text(lang.get())}
                        </button>
                    }.into_any()
                }}
            </div>
        </aside>
    }
    .into_any()
}

fn done(session: &Rc<Session>, lang: RwSignal<Lang>) -> AnyView {
    let a = &session.active.assignment;
    let code = super::code::completion_code(&session.study.key, &a.participant);
    let text = session.study.done.clone();
    let body = view! {
        <h2 class="hb-study-title">{move || StudyMsg::Thanks.text(lang.get())}</h2>
        <p>
            {move || match &text {
                Some(t) => t.get(lang.get()).to_owned(),
                None => StudyMsg::DoneText.text(lang.get()).to_owned(),
            }}
        </p>
        <p class="hb-study-code-label">{move || StudyMsg::CodeLabel.text(lang.get())}</p>
        <p class="hb-study-code" data-testid="study-code" data-participant=a.participant.clone()>
            {code}
        </p>
    };
    cover("study-done", body.into_any())
}
