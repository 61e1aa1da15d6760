//! Stage 1: the entry form, with the live total (unmissable for normal packets), the amount
//! in Chinese capitals and English words, and the validation message.

use super::i18n::{SendMsg, amount_label, kind_hint, kind_name};
use super::logic::{self, Field};
use super::{Flow, SheetHeader, new_packet_label};
use crate::i18n::display_name;
use hongbao_engine::PacketKindTag;
use leptos::prelude::*;

#[component]
pub fn Entry(flow: Flow) -> impl IntoView {
    let lang = move || flow.lang();
    let kinds = flow.chat.with_value(logic::kinds_for);
    let title = Signal::derive(move || {
        let chat = flow.chat.with_value(|c| c.id.clone());
        let name = crate::chat::chat_title(&chat, &flow.user.get_value(), flow.lang());
        format!("{} · {name}", new_packet_label(flow.lang()))
    });

    let kind_button = move |kind: PacketKindTag| {
        let pressed = move || flow.kind.get() == kind;
        view! {
            <button
                type="button"
                class="hb-kind"
                data-testid=format!("kind-{}", kind.as_str())
                aria-pressed=move || pressed().to_string()
                on:click=move |_| {
                    flow.forget_refusal();
                    flow.kind.set(kind);
                }
            >
                {move || kind_name(kind, lang())}
            </button>
        }
    };

    // The live total: only for an amount that parses and that the backend did not refuse.
    let shown = Memo::new(move |_| {
        let parsed = flow.parsed.get().ok()?;
        if flow.draft_refused() {
            return None;
        }
        let total = parsed.total()?;
        Some((parsed, total))
    });
    let total_line = move || {
        let (kind, _) = shown.get()?;
        logic::total_line(&kind, lang())
    };
    let is_normal = move || flow.kind.get() == PacketKindTag::Normal;

    let recipient_select = move || {
        let options = flow.others.get_value();
        view! {
            <label class="hb-field">
                <span class="hb-field-label">{move || SendMsg::Recipient.text(lang())}</span>
                <select
                    class="hb-input"
                    data-testid="recipient-select"
                    on:change=move |ev| {
                        flow.recipient.set(event_target_value(&ev));
                        flow.edited(Field::Recipient);
                    }
                >
                    <option value="" selected=move || flow.recipient.with(String::is_empty)>
                        {move || SendMsg::RecipientChoose.text(lang())}
                    </option>
                    {options
                        .into_iter()
                        .map(|o| {
                            let value = o.clone();
                            let selected = move || flow.recipient.with(|r| *r == value);
                            view! { <option value=o.clone() selected=selected>{display_name(&o)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };

    view! {
        <div class="hb-send-stage" data-testid="entry-sheet">
        <SheetHeader flow=flow title=title />
        <form
            class="hb-send-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                flow.next();
            }
        >
            <div class="hb-send-scroll">
                <div class="hb-kinds" role="group" aria-label=move || SendMsg::KindGroup.text(lang())>
                    {kinds.iter().copied().map(kind_button).collect_view()}
                </div>
                <p class="hb-kind-hint">{move || kind_hint(flow.kind.get(), lang())}</p>

                <Show when=move || flow.kind.get() == PacketKindTag::Exclusive>
                    {recipient_select}
                </Show>

                <Show when=move || logic::has_count(flow.kind.get())>
                    <label class="hb-field">
                        <span class="hb-field-label">{move || SendMsg::Count.text(lang())}</span>
                        <input
                            class="hb-input hb-count"
                            data-testid="count-input"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            placeholder=move || SendMsg::CountPlaceholder.text(lang())
                            aria-invalid=move || flow.parsed.with(|p| matches!(p, Err(e) if e.field() == Field::Count)).to_string()
                            prop:value=move || flow.count.get()
                            on:input=move |ev| {
                                flow.count.set(event_target_value(&ev));
                                flow.edited(Field::Count);
                            }
                        />
                    </label>
                </Show>

                <label class="hb-field">
                    <span class="hb-field-label" data-testid="amount-label">
                        {move || amount_label(flow.kind.get(), lang())}
                    </span>
                    <span class="hb-amount-box">
                        <span class="hb-yuan" aria-hidden="true">"¥"</span>
                        <input
                            class="hb-input hb-amount"
                            data-testid="amount-input"
                            data-autofocus=""
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            placeholder="0.00"
                            aria-invalid=move || flow.parsed.with(|p| matches!(p, Err(e) if e.field() == Field::Amount)).to_string()
                            prop:value=move || flow.amount.get()
                            on:input=move |ev| {
                                flow.amount.set(event_target_value(&ev));
                                flow.edited(Field::Amount);
                            }
                        />
                    </span>
                </label>

                <div class="hb-total" class:hb-total-normal=move || is_normal() && shown.with(Option::is_some) role="status" aria-live="polite" aria-atomic="true">
                    {move || match total_line() {
                        Some(line) => view! {
                            <p class="hb-total-line" data-testid="total-preview">{line}</p>
                        }.into_any(),
                        None => view! {
                            <p class="hb-total-line hb-total-empty">{move || format!("{} —", SendMsg::Total.text(lang()))}</p>
                        }.into_any(),
                    }}
                    {move || shown.get().map(|(_, total)| view! {
                        <p class="hb-capitals">
                            <span class="hb-capitals-label">{move || SendMsg::InCapitals.text(lang())}</span>
                            " "
                            <span data-testid="amount-capitals" lang="zh-CN">{total.to_capitals()}</span>
                        </p>
                        <p class="hb-capitals">
                            <span class="hb-capitals-label">{move || SendMsg::InWords.text(lang())}</span>
                            " "
                            <span data-testid="amount-words" lang="en">{total.to_words_en()}</span>
                        </p>
                    })}
                </div>

                {move || flow.entry_error().map(|message| view! {
                    <p class="hb-send-error" data-testid="error-message" role="alert">{message}</p>
                })}

                <label class="hb-field">
                    <span class="hb-field-label">{move || SendMsg::Greeting.text(lang())}</span>
                    <input
                        class="hb-input"
                        data-testid="greeting-input"
                        type="text"
                        maxlength="50"
                        autocomplete="off"
                        placeholder=move || SendMsg::DefaultGreeting.text(lang())
                        prop:value=move || flow.greeting.get()
                        on:input=move |ev| {
                            flow.greeting.set(event_target_value(&ev));
                            flow.forget_refusal();
                        }
                    />
                </label>
            </div>
            <div class="hb-send-foot">
                <button type="button" class="hb-send-button hb-send-plain" data-testid="cancel-button" on:click=move |_| flow.close()>
                    {move || SendMsg::Cancel.text(lang())}
                </button>
                <button
                    type="submit"
                    class="hb-send-button hb-send-primary"
                    data-testid="next-button"
                    aria-disabled=move || (!flow.can_go_on()).then_some("true")
                    aria-busy=move || flow.checking().then_some("true")
                >
                    {move || if flow.checking() { SendMsg::Checking.text(lang()) } else { SendMsg::Next.text(lang()) }}
                </button>
            </div>
        </form>
        </div>
    }
}
