//! The lab's study editor (issue 14): the studies of this browser, each as JSON, saved,
//! duplicated, closed or reopened, and deleted, with no rebuild. Studies are kept where the
//! participant mode reads them (`crate::study::definition::STORAGE_KEY`), so the next
//! participant of a link in this browser gets the study as last saved. Every save validates
//! the whole study (`Study::parse`: consent, tasks, and each variant's settings through
//! `Settings::apply`); a refused one changes nothing.

use super::i18n::LabMsg;
use crate::settings::BackendKind;
use crate::state::AppState;
use crate::study::definition::{self, Origin, Study, StudyError};
use leptos::prelude::*;

/// What the last action did.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Saved(String),
    Deleted(String),
    Refused(StudyError),
}

fn stored() -> Option<String> {
    crate::local::get(definition::STORAGE_KEY)
}

#[component]
pub fn StudyEditor(
    app: AppState,
    /// Bumped after every stored change (the links list reads the studies again).
    revision: RwSignal<u64>,
) -> impl IntoView {
    let lang = app.lang;
    let t = move |m: LabMsg| move || m.text(lang.get());
    // Studies kept in the browser are the mock's: a server's participants never read them.
    if app.settings.with_untracked(|s| s.backend) != BackendKind::Mock {
        return view! {
            <section class="hb-lab-section" data-testid="lab-studies">
                <h2>{t(LabMsg::Studies)}</h2>
                <p class="hb-lab-hint">{t(LabMsg::StudiesShippedOnly)}</p>
            </section>
        }
        .into_any();
    }
    let list = Memo::new(move |_| {
        revision.track();
        definition::all(stored().as_deref())
    });
    let first = list.with_untracked(|l| l.first().map(|(s, _)| s.key.clone()));
    let selected = RwSignal::new(first.unwrap_or_default());
    let study = move || {
        let key = selected.get();
        list.with(|l| l.iter().find(|(s, _)| s.key == key).cloned())
    };
    let text = RwSignal::new(String::new());
    // The editor shows the selected study as stored (again after each change).
    Effect::new(move |_| {
        if let Some((s, _)) = study() {
            text.set(s.to_json_pretty());
        }
    });
    let outcome = RwSignal::new(None::<Outcome>);
    let store = move |new_list: String, done: Outcome, select: Option<String>| {
        crate::local::set(definition::STORAGE_KEY, &new_list);
        revision.update(|r| *r += 1);
        if let Some(key) = select {
            selected.set(key);
        }
        outcome.set(Some(done));
    };
    // Keeps `study` in the browser's list, and selects it when `select`.
    let put = move |study: &Study, select: bool| {
        let key = study.key.clone();
        store(
            definition::with_saved(stored().as_deref(), study),
            Outcome::Saved(key.clone()),
            select.then_some(key),
        );
    };
    let save = move |_| match Study::parse(&text.get_untracked()) {
        Err(e) => outcome.set(Some(Outcome::Refused(e))),
        Ok(s) => put(&s, true),
    };
    let duplicate = move |_| {
        let Some((s, _)) = study() else { return };
        let copy = list.with_untracked(|l| {
            let taken: Vec<&str> = l.iter().map(|(s, _)| s.key.as_str()).collect();
            definition::duplicate(&s, &taken)
        });
        put(&copy, true);
    };
    // Closing (or reopening) saves the study as it is stored, whatever the editor holds.
    let toggle_closed = move |_| {
        let Some((mut s, _)) = study() else { return };
        s.closed = !s.closed;
        put(&s, false);
    };
    let delete = move |_| {
        let key = selected.get_untracked();
        let after = definition::without(stored().as_deref(), &key);
        // A shipped study of the same key shows again; otherwise the first study.
        let next = definition::all(Some(&after))
            .into_iter()
            .find(|(s, _)| s.key == key)
            .map(|(s, _)| s.key)
            .or_else(|| {
                definition::all(Some(&after))
                    .first()
                    .map(|(s, _)| s.key.clone())
            });
        store(after, Outcome::Deleted(key), next);
    };
    let origin = move || study().map(|(_, o)| o);
    let closed = move || study().is_some_and(|(s, _)| s.closed);
    view! {
        <section class="hb-lab-section" data-testid="lab-studies">
            <h2>{t(LabMsg::Studies)}</h2>
            <p class="hb-lab-hint">{t(LabMsg::StudiesHint)}</p>
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
                        list.get()
                            .into_iter()
                            .map(|(s, o)| {
                                let key = s.key.clone();
                                let name = move || {
                                    let lang = lang.get();
                                    let mark = match (o, s.closed) {
                                        (_, true) => LabMsg::StudyClosed,
                                        (Origin::Stored, false) => LabMsg::StudyStored,
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
                <button class="hb-button" data-testid="lab-study-save" on:click=save>
                    {t(LabMsg::StudySave)}
                </button>
                <button class="hb-button" data-testid="lab-study-duplicate" on:click=duplicate>
                    {t(LabMsg::StudyDuplicate)}
                </button>
                <button class="hb-button" data-testid="lab-study-close" aria-pressed=move || closed().to_string() on:click=toggle_closed>
                    {move || if closed() { LabMsg::StudyReopen.text(lang.get()) } else { LabMsg::StudyClose.text(lang.get()) }}
                </button>
                // Only what this browser keeps can be deleted (a shipped study is in the app).
                <Show when=move || origin() == Some(Origin::Stored)>
                    <button class="hb-button" data-testid="lab-study-delete" on:click=delete>
                        {t(LabMsg::StudyDelete)}
                    </button>
                </Show>
            </div>
            {move || outcome.get().map(|o| match o {
                Outcome::Refused(e) => view! {
                    <p class="hb-lab-error" role="alert" data-testid="lab-study-error">{e.message(lang.get())}</p>
                }.into_any(),
                Outcome::Saved(key) => view! {
                    <p role="status" data-testid="lab-study-status">{format!("{} {key}", LabMsg::StudySaved.text(lang.get()))}</p>
                }.into_any(),
                Outcome::Deleted(key) => view! {
                    <p role="status" data-testid="lab-study-status">{format!("{} {key}", LabMsg::StudyDeleted.text(lang.get()))}</p>
                }.into_any(),
            })}
        </section>
    }
    .into_any()
}
