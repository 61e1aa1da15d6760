//! The lab's study editor (issue 14): every study, each as JSON, saved, duplicated, closed or
//! reopened, and deleted, with no rebuild. Studies are kept where participants read them
//! ([`Keeper`]): with the mock, this browser's storage (the next participant of a link in
//! this browser gets the study as last saved); with the server, its database, once a
//! researcher has signed in ([`super::signin`]). Every save validates the whole study
//! (`Study::parse`: consent, tasks, and each variant's settings through `Settings::apply`;
//! the server validates it again); a refused one changes nothing.

use super::i18n::LabMsg;
use super::keeper::Studies;
use crate::state::AppState;
use hongbao_study::definition::{self, Origin, Study, StudyError};
use leptos::prelude::*;

/// What the last action did.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Saved(String),
    Deleted(String),
    Refused(StudyError),
    /// The keeper refused or could not be reached (its message).
    Failed(String),
}

/// A change to the kept studies.
#[derive(Clone)]
enum Change {
    /// Keep this study, and select it when `select`.
    Put {
        study: Box<Study>,
        select: bool,
    },
    Delete(String),
}

#[component]
pub fn StudyEditor(app: AppState, studies: Studies) -> impl IntoView {
    let lang = app.lang;
    let t = move |m: LabMsg| move || m.text(lang.get());
    let list = move || studies.current();
    let selected = RwSignal::new(String::new());
    // The first study once the list has come, and after the selected one is gone.
    Effect::new(move |_| {
        let l = list();
        if !l.iter().any(|(s, _)| s.key == selected.get_untracked())
            && let Some((s, _)) = l.first()
        {
            selected.set(s.key.clone());
        }
    });
    let study = move || {
        let key = selected.get();
        list().into_iter().find(|(s, _)| s.key == key)
    };
    let text = RwSignal::new(String::new());
    // The editor shows the selected study as kept (again after each change).
    Effect::new(move |_| {
        if let Some((s, _)) = study() {
            text.set(s.to_json_pretty());
        }
    });
    let outcome = RwSignal::new(None::<Outcome>);
    let change = Action::new_local(move |change: &Change| {
        let (change, keeper) = (change.clone(), studies.keeper());
        async move {
            let done = match &change {
                Change::Put { study, select } => keeper.save(study).await.map(|()| {
                    (
                        Outcome::Saved(study.key.clone()),
                        select.then(|| study.key.clone()),
                    )
                }),
                Change::Delete(key) => keeper
                    .delete(key)
                    .await
                    .map(|()| (Outcome::Deleted(key.clone()), None)),
            };
            match done {
                Ok((done, select)) => {
                    // The list, the links and the results have the change before it is reported.
                    studies.reload().await;
                    if let Some(key) = select {
                        selected.set(key);
                    }
                    outcome.set(Some(done));
                }
                Err(message) => outcome.set(Some(Outcome::Failed(message))),
            }
        }
    });
    let put = move |study: Study, select: bool| {
        change.dispatch(Change::Put {
            study: Box::new(study),
            select,
        });
    };
    let save = move |_| match Study::parse(&text.get_untracked()) {
        Err(e) => outcome.set(Some(Outcome::Refused(e))),
        Ok(s) => put(s, true),
    };
    let duplicate = move |_| {
        let Some((s, _)) = study() else { return };
        let taken: Vec<String> = list().into_iter().map(|(s, _)| s.key).collect();
        let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
        put(definition::duplicate(&s, &taken), true);
    };
    // Closing (or reopening) keeps the study as it is kept, whatever the editor holds.
    let toggle_closed = move |_| {
        let Some((mut s, _)) = study() else { return };
        s.closed = !s.closed;
        put(s, false);
    };
    let delete = move |_| {
        change.dispatch(Change::Delete(selected.get_untracked()));
    };
    let origin = move || study().map(|(_, o)| o);
    let closed = move || study().is_some_and(|(s, _)| s.closed);
    let busy = move || change.pending().get();
    let (hint, kept_mark) = if studies.on_server() {
        (LabMsg::StudiesOnServerHint, LabMsg::StudyOnServer)
    } else {
        (LabMsg::StudiesHint, LabMsg::StudyStored)
    };
    // On the server, a researcher signs in first; until then only the sign-in shows.
    let ready = move || studies.researcher.get().is_some() || !studies.on_server();
    view! {
        <section class="hb-lab-section" data-testid="lab-studies">
            <h2>{t(LabMsg::Studies)}</h2>
            <p class="hb-lab-hint">{t(hint)}</p>
            {move || studies.error().map(|e| view! {
                <p class="hb-lab-error" role="alert" data-testid="lab-studies-error">{e}</p>
            })}
            {move || studies.researcher.get().map(|r| view! {
                <p class="hb-lab-hint" data-testid="lab-researcher">{format!("{} {r}", LabMsg::SignedInAs.text(lang.get()))}</p>
            })}
            <Show when=move || !ready()>
                <super::signin::SignIn lang=lang studies=studies />
            </Show>
            <Show when=ready>
            <label class="hb-lab-field">
                {t(LabMsg::Study)}
                <select
                    data-testid="lab-study-select"
                    prop:value=move || selected.get()
                    on:change=move |ev| {
                        outcome.set(None);
                        selected.set(event_target_value(&ev));
                    }
                >
                    {move || {
                        list()
                            .into_iter()
                            .map(|(s, o)| {
                                let key = s.key.clone();
                                let name = move || {
                                    let lang = lang.get();
                                    let mark = match (o, s.closed) {
                                        (_, true) => LabMsg::StudyClosed,
                                        (Origin::Stored, false) => kept_mark,
                                        (Origin::Shipped, false) => LabMsg::StudyShipped,
                                    };
                                    format!("{} ({}) · {}", s.title.get(lang), s.key, mark.text(lang))
                                };
                                view! { <option value=key.clone() selected=move || selected.get() == key>{name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <super::form::StudyForm lang=lang text=text />
            <textarea
                class="hb-lab-editor"
                data-testid="lab-study-editor"
                aria-label=t(LabMsg::Study)
                rows="12"
                spellcheck="false"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <div class="hb-lab-row">
                <button class="hb-button" data-testid="lab-study-save" disabled=busy on:click=save>
                    {t(LabMsg::StudySave)}
                </button>
                <button class="hb-button" data-testid="lab-study-duplicate" disabled=busy on:click=duplicate>
                    {t(LabMsg::StudyDuplicate)}
                </button>
                <button class="hb-button" data-testid="lab-study-close" disabled=busy aria-pressed=move || closed().to_string() on:click=toggle_closed>
                    {move || if closed() { LabMsg::StudyReopen.text(lang.get()) } else { LabMsg::StudyClose.text(lang.get()) }}
                </button>
                // Only a kept study can be deleted (a shipped study is in the app).
                <Show when=move || origin() == Some(Origin::Stored)>
                    <button class="hb-button" data-testid="lab-study-delete" disabled=busy on:click=delete>
                        {t(LabMsg::StudyDelete)}
                    </button>
                </Show>
            </div>
            {move || outcome.get().map(|o| match o {
                Outcome::Refused(e) => view! {
                    <p class="hb-lab-error" role="alert" data-testid="lab-study-error">{e.message(lang.get())}</p>
                }.into_any(),
                Outcome::Failed(message) => view! {
                    <p class="hb-lab-error" role="alert" data-testid="lab-study-error">{message}</p>
                }.into_any(),
                Outcome::Saved(key) => view! {
                    <p role="status" data-testid="lab-study-status">{format!("{} {key}", LabMsg::StudySaved.text(lang.get()))}</p>
                }.into_any(),
                Outcome::Deleted(key) => view! {
                    <p role="status" data-testid="lab-study-status">{format!("{} {key}", LabMsg::StudyDeleted.text(lang.get()))}</p>
                }.into_any(),
            })}
            </Show>
        </section>
    }
}
