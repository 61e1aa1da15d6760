//! The study editor's form: a study's texts, shared settings, variants (name, weight,
//! settings) and tasks as fields, over the JSON the editor shows beside it. A change in the
//! form rewrites the JSON (pretty); a change to the JSON shows in the form. While the JSON
//! does not have a study's shape, the form says so and waits. Saving validates either way
//! (`Study::parse`: consent, tasks, every setting through `Settings::apply`).
//!
//! Settings are edited as `key=value` lines (the URL query's keys), applied when the field
//! is left, so that a key being typed does not jump to its sorted place.

use super::i18n::LabMsg;
use hongbao_engine::{Lang, PacketKindTag};
use hongbao_study::definition::Study;
use hongbao_study::experiment::{Intended, Task, Text, Variant};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Settings as the form shows them: one `key=value` per line.
pub fn settings_lines(settings: &BTreeMap<String, String>) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key=value` lines read back (blank lines skipped; a line without `=` is a key with an
/// empty value, which validation then refuses with the key's name).
pub fn parse_settings_lines(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

/// Puts `value` back into the input an event came from (what it held was refused).
fn restore(ev: &leptos::ev::Event, value: String) {
    event_target::<web_sys::HtmlInputElement>(ev).set_value(&value);
}

/// A labelled text field (a `<textarea>` when `paragraph`) showing `value` and handing
/// every keystroke's text to `set`.
fn text_field(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    testid: &'static str,
    paragraph: bool,
    value: impl Fn() -> String + Copy + Send + Sync + 'static,
    set: impl Fn(String) + Copy + Send + Sync + 'static,
) -> AnyView {
    let input = move |ev: leptos::ev::Event| set(event_target_value(&ev));
    let field = if paragraph {
        view! { <textarea data-testid=testid rows="3" prop:value=value on:input=input></textarea> }
            .into_any()
    } else {
        view! { <input data-testid=testid prop:value=value on:input=input /> }.into_any()
    };
    view! { <label class="hb-lab-field">{label}{field}</label> }.into_any()
}

/// The packet kinds a task may intend (a study names each by its stable name, `as_str`).
const KINDS: [PacketKindTag; 4] = [
    PacketKindTag::Lucky,
    PacketKindTag::Normal,
    PacketKindTag::Personal,
    PacketKindTag::Exclusive,
];

/// A new variant or task, numbered after the ones there are.
fn new_variant(n: usize) -> Variant {
    Variant {
        name: format!("variant-{}", n + 1),
        weight: 1,
        settings: BTreeMap::new(),
    }
}

fn new_task(n: usize, chat: &str) -> Task {
    Task {
        id: format!("task-{}", n + 1),
        instruction: Text::default(),
        intended: Intended {
            chat: chat.to_owned(),
            kind: "lucky".into(),
            amount: "1.00".into(),
            count: 1,
        },
    }
}

#[component]
pub fn StudyForm(lang: RwSignal<Lang>, text: RwSignal<String>) -> impl IntoView {
    let t = move |m: LabMsg| move || m.text(lang.get());
    // The study the JSON holds, unvalidated (`None` while it is not a study's shape).
    let draft = Memo::new(move |_| serde_json::from_str::<Study>(&text.get()).ok());
    // Changes the study and writes it back as the JSON.
    let edit = move |change: &dyn Fn(&mut Study)| {
        if let Some(mut study) = draft.get_untracked() {
            change(&mut study);
            text.set(study.to_json_pretty());
        }
    };
    let read = move |get: &dyn Fn(&Study) -> String| {
        draft.with(|d| d.as_ref().map(get).unwrap_or_default())
    };
    let variants = move || draft.with(|d| d.as_ref().map_or(0, |d| d.variants.len()));
    let tasks = move || draft.with(|d| d.as_ref().map_or(0, |d| d.tasks.len()));

    // A text field of the study (a paragraph in a `<textarea>`).
    let field = move |label: LabMsg,
                      testid: &'static str,
                      paragraph: bool,
                      get: fn(&Study) -> &str,
                      set: fn(&mut Study, String)| {
        text_field(
            t(label),
            testid,
            paragraph,
            move || read(&|s| get(s).to_owned()),
            move |v| edit(&|s| set(s, v.clone())),
        )
    };

    let variant_row = move |i: usize| {
        let get = move |f: &dyn Fn(&Variant) -> String| {
            read(&|s| s.variants.get(i).map(f).unwrap_or_default())
        };
        let set = move |f: &dyn Fn(&mut Variant)| {
            edit(&|s| {
                if let Some(v) = s.variants.get_mut(i) {
                    f(v);
                }
            })
        };
        view! {
            <li class="hb-lab-form-row" data-testid="lab-form-variant" data-index=i>
                {text_field(
                    t(LabMsg::VariantName),
                    "lab-form-variant-name",
                    false,
                    move || get(&|v| v.name.clone()),
                    move |name| set(&|v| v.name = name.clone()),
                )}
                <label class="hb-lab-field">
                    {t(LabMsg::Weight)}
                    <input
                        data-testid="lab-form-variant-weight"
                        inputmode="numeric"
                        prop:value=move || get(&|v| v.weight.to_string())
                        on:change=move |ev| {
                            // Not a whole number: the weight stays, and the field shows it again.
                            match event_target_value(&ev).trim().parse::<u32>() {
                                Ok(w) => set(&|v| v.weight = w),
                                Err(_) => restore(&ev, get(&|v| v.weight.to_string())),
                            }
                        }
                    />
                </label>
                <label class="hb-lab-field hb-lab-form-wide">
                    {t(LabMsg::VariantSettings)}
                    <textarea
                        data-testid="lab-form-variant-settings"
                        rows="2"
                        prop:value=move || get(&|v| settings_lines(&v.settings))
                        on:change=move |ev| {
                            let lines = parse_settings_lines(&event_target_value(&ev));
                            set(&|v| v.settings = lines.clone());
                        }
                    ></textarea>
                </label>
                <button
                    class="hb-button"
                    data-testid="lab-form-remove-variant"
                    on:click=move |_| edit(&|s| { if i < s.variants.len() { s.variants.remove(i); } })
                >
                    {t(LabMsg::Remove)}
                </button>
            </li>
        }
    };

    let task_row = move |i: usize| {
        let get =
            move |f: &dyn Fn(&Task) -> String| read(&|s| s.tasks.get(i).map(f).unwrap_or_default());
        let set = move |f: &dyn Fn(&mut Task)| {
            edit(&|s| {
                if let Some(task) = s.tasks.get_mut(i) {
                    f(task);
                }
            })
        };
        let line = move |label: LabMsg,
                         testid: &'static str,
                         get_f: fn(&Task) -> &str,
                         set_f: fn(&mut Task, String)| {
            text_field(
                t(label),
                testid,
                false,
                move || get(&|task| get_f(task).to_owned()),
                move |v| set(&|task| set_f(task, v.clone())),
            )
        };
        view! {
            <li class="hb-lab-form-row" data-testid="lab-form-task" data-index=i>
                {line(LabMsg::TaskId, "lab-form-task-id", |t| &t.id, |t, v| t.id = v)}
                {line(LabMsg::InstructionZh, "lab-form-task-zh", |t| &t.instruction.zh, |t, v| t.instruction.zh = v)}
                {line(LabMsg::InstructionEn, "lab-form-task-en", |t| &t.instruction.en, |t, v| t.instruction.en = v)}
                {line(LabMsg::Chat, "lab-form-task-chat", |t| &t.intended.chat, |t, v| t.intended.chat = v)}
                <label class="hb-lab-field">
                    {t(LabMsg::Kind)}
                    <select
                        data-testid="lab-form-task-kind"
                        prop:value=move || get(&|task| task.intended.kind.clone())
                        on:change=move |ev| {
                            let kind = event_target_value(&ev);
                            set(&|task| task.intended.kind = kind.clone());
                        }
                    >
                        {KINDS.map(|kind| view! {
                            <option value=kind.as_str()>{move || crate::flows::claim::i18n::kind(kind, lang.get())}</option>
                        })}
                    </select>
                </label>
                {line(LabMsg::Amount, "lab-form-task-amount", |t| &t.intended.amount, |t, v| t.intended.amount = v)}
                <label class="hb-lab-field">
                    {t(LabMsg::Count)}
                    <input
                        data-testid="lab-form-task-count"
                        inputmode="numeric"
                        prop:value=move || get(&|task| task.intended.count.to_string())
                        on:change=move |ev| {
                            match event_target_value(&ev).trim().parse::<u32>() {
                                Ok(n) => set(&|task| task.intended.count = n),
                                Err(_) => restore(&ev, get(&|task| task.intended.count.to_string())),
                            }
                        }
                    />
                </label>
                <button
                    class="hb-button"
                    data-testid="lab-form-remove-task"
                    on:click=move |_| edit(&|s| { if i < s.tasks.len() { s.tasks.remove(i); } })
                >
                    {t(LabMsg::Remove)}
                </button>
            </li>
        }
    };

    view! {
        <fieldset class="hb-lab-form-study" data-testid="lab-study-form">
            <legend>{t(LabMsg::Form)}</legend>
            <Show
                when=move || draft.with(Option::is_some)
                fallback=move || view! {
                    <p class="hb-lab-hint" data-testid="lab-form-unreadable">{t(LabMsg::FormUnreadable)}</p>
                }
            >
                <div class="hb-lab-form-grid">
                    {field(LabMsg::StudyKey, "lab-form-key", false, |s| &s.key, |s, v| s.key = v)}
                    {field(LabMsg::TitleZh, "lab-form-title-zh", false, |s| &s.title.zh, |s, v| s.title.zh = v)}
                    {field(LabMsg::TitleEn, "lab-form-title-en", false, |s| &s.title.en, |s, v| s.title.en = v)}
                    {field(LabMsg::ConsentZh, "lab-form-consent-zh", true, |s| &s.consent.zh, |s, v| s.consent.zh = v)}
                    {field(LabMsg::ConsentEn, "lab-form-consent-en", true, |s| &s.consent.en, |s, v| s.consent.en = v)}
                    <label class="hb-lab-field">
                        {t(LabMsg::SharedSettings)}
                        <textarea
                            data-testid="lab-form-settings"
                            rows="2"
                            prop:value=move || read(&|s| settings_lines(&s.settings))
                            on:change=move |ev| {
                                let lines = parse_settings_lines(&event_target_value(&ev));
                                edit(&|s| s.settings = lines.clone());
                            }
                        ></textarea>
                    </label>
                    <label class="hb-lab-check">
                        <input
                            type="checkbox"
                            data-testid="lab-form-identity"
                            prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|s| s.identity))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                edit(&|s| s.identity = on);
                            }
                        />
                        {t(LabMsg::IdentityShown)}
                    </label>
                </div>
                <h3>{t(LabMsg::Variants)}</h3>
                <ul class="hb-lab-form-rows">
                    <For each=move || 0..variants() key=|i| *i children=variant_row />
                </ul>
                <button
                    class="hb-button"
                    data-testid="lab-form-add-variant"
                    on:click=move |_| edit(&|s| { let n = s.variants.len(); s.variants.push(new_variant(n)); })
                >
                    {t(LabMsg::AddVariant)}
                </button>
                <h3>{t(LabMsg::Tasks)}</h3>
                <ul class="hb-lab-form-rows">
                    <For each=move || 0..tasks() key=|i| *i children=task_row />
                </ul>
                <button
                    class="hb-button"
                    data-testid="lab-form-add-task"
                    on:click=move |_| edit(&|s| {
                        let chat = s.tasks.last().map_or_else(|| hongbao_api::demo::FAMILY.to_owned(), |t| t.intended.chat.clone());
                        let n = s.tasks.len();
                        s.tasks.push(new_task(n, &chat));
                    })
                >
                    {t(LabMsg::AddTask)}
                </button>
            </Show>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_lines_read_back_and_bad_lines_stay_visible() {
        let mut s = BTreeMap::new();
        s.insert("stages".to_owned(), "1".to_owned());
        s.insert("recall".to_owned(), "window".to_owned());
        let lines = settings_lines(&s);
        assert_eq!(lines, "recall=window\nstages=1");
        assert_eq!(parse_settings_lines(&lines), s);
        // Spaces and blank lines do not matter; a line without `=` is kept as a key, so that
        // validation names it instead of dropping it silently.
        let read = parse_settings_lines(" stages = 3 \n\nnonsense\n");
        assert_eq!(read.get("stages").map(String::as_str), Some("3"));
        assert_eq!(read.get("nonsense").map(String::as_str), Some(""));
    }
}
