//! The send flow (PRODUCT §3): entry, review, authorize, as a sheet over the chat.
//!
//! - [`logic`]: which stages run, what the form means, the total line (pure, tested natively);
//! - [`entry`], [`review`], [`authorize`]: the three stages' views;
//! - this module: the flow's state ([`Flow`]), its transitions and the dialog around them.
//!
//! One idempotency key per flow, created when the flow opens and reused for every retry and
//! re-confirm, so a double submit or a retry after a lost response never sends twice.

mod authorize;
mod entry;
pub mod i18n;
pub mod logic;
mod review;

use crate::backend::{Backend, new_idempotency_key, retry};
use crate::i18n::Lang;
use crate::state::{AppState, use_app};
use hongbao_api::{ApiError, ChatInfo, NewPacket, Preview};
use hongbao_engine::PacketKindTag;
use i18n::SendMsg;
use leptos::prelude::*;
use leptos::task::spawn_local;
use logic::{EntryError, Field, Parsed, Stage, WarningLog, stages_for};
use std::time::Duration;
use wasm_bindgen::JsCast;

pub fn new_packet_label(lang: Lang) -> &'static str {
    lang.pick("发红包", "Red packet")
}

/// How long the review's Confirm ignores presses after the review opens (a double tap on
/// Next must not confirm).
const CONFIRM_GUARD: Duration = Duration::from_millis(400);
/// Network attempts per call (retries reuse the idempotency key).
const ATTEMPTS: u32 = 3;
/// Quiet time after typing before the backend checks the draft.
const PREVIEW_DEBOUNCE_MS: u32 = 120;

/// Where the flow is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Entry,
    Review,
    Authorize,
    Sending,
    /// A network failure after the retries: the same request can be retried.
    Failed,
}

impl Step {
    /// The stage's name in lab events.
    pub fn lab_name(self) -> &'static str {
        match self {
            Step::Entry => "entry",
            Step::Review => "review",
            Step::Authorize => "authorize",
            Step::Sending => "sending",
            Step::Failed => "failed",
        }
    }
}

/// Which entry fields were edited (their errors show from then on) and whether Next was
/// pressed (all errors show).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub amount: bool,
    pub count: bool,
    pub recipient: bool,
    pub attempted: bool,
}

impl Touched {
    fn shows(self, field: Field) -> bool {
        self.attempted
            || match field {
                Field::Amount => self.amount,
                Field::Count => self.count,
                Field::Recipient => self.recipient,
            }
    }
}

/// The state of one send flow (a handle: `Copy`).
#[derive(Clone, Copy)]
pub struct Flow {
    pub app: AppState,
    pub chat: StoredValue<ChatInfo>,
    pub user: StoredValue<String>,
    /// The members other than the sender.
    pub others: StoredValue<Vec<String>>,
    /// The idempotency key of this flow.
    pub key: StoredValue<String>,
    pub kind: RwSignal<PacketKindTag>,
    pub amount: RwSignal<String>,
    pub count: RwSignal<String>,
    pub greeting: RwSignal<String>,
    pub recipient: RwSignal<String>,
    pub touched: RwSignal<Touched>,
    pub parsed: Memo<Result<Parsed, EntryError>>,
    /// The request the form describes, if it parses.
    pub draft: Memo<Option<NewPacket>>,
    /// The backend's latest answer, with the draft it is for.
    pub preview: RwSignal<Option<(NewPacket, Result<Preview, ApiError>)>>,
    /// Next is waiting for the backend.
    pub checking: RwSignal<bool>,
    pub step: RwSignal<Step>,
    /// The stages after entry, decided when Next was pressed.
    pub plan: RwSignal<Vec<Stage>>,
    /// What will be sent, and its preview.
    pub pending: RwSignal<Option<(NewPacket, Preview)>>,
    pub sending: RwSignal<bool>,
    /// A rule error from the send: shown on the entry stage (nothing was sent).
    pub send_error: RwSignal<Option<ApiError>>,
    /// A network error after the retries.
    pub failure: RwSignal<Option<ApiError>>,
    /// Warnings shown, and whether the amount changed afterwards (for the lab).
    pub log: RwSignal<WarningLog>,
    /// The review's Confirm accepts presses (after [`CONFIRM_GUARD`]).
    pub confirm_ready: RwSignal<bool>,
    pub on_close: Callback<()>,
    pub root: NodeRef<leptos::html::Div>,
    /// When the flow opened (ms, for the lab's timings).
    pub opened: StoredValue<f64>,
}

impl Flow {
    fn new(app: AppState, chat: ChatInfo, on_close: Callback<()>) -> Flow {
        let user = app.user.get_untracked();
        let others = logic::others(&chat, &user);
        let kind = logic::kinds_for(&chat)[0];
        let key = new_idempotency_key(&user);
        let chat_id = chat.id.clone();
        let kind = RwSignal::new(kind);
        let amount = RwSignal::new(String::new());
        // One share for everyone else by default.
        let count = RwSignal::new(others.len().max(1).to_string());
        let greeting = RwSignal::new(String::new());
        let recipient = RwSignal::new(String::new());
        let others = StoredValue::new(others);
        let parsed = Memo::new(move |_| {
            others.with_value(|o| {
                logic::parse_entry(
                    kind.get(),
                    &amount.read(),
                    &count.read(),
                    &recipient.read(),
                    o,
                )
            })
        });
        let key = StoredValue::new(key);
        let lang = app.lang;
        let draft = Memo::new(move |_| {
            let p = parsed.get().ok()?;
            let typed = greeting.get();
            let greeting = match typed.trim() {
                "" => SendMsg::DefaultGreeting.text(lang.get()).to_owned(),
                t => t.to_owned(),
            };
            logic::new_packet(&p, chat_id.clone(), greeting, key.get_value())
        });
        Flow {
            app,
            chat: StoredValue::new(chat),
            user: StoredValue::new(user),
            others,
            key,
            kind,
            amount,
            count,
            greeting,
            recipient,
            touched: RwSignal::new(Touched::default()),
            parsed,
            draft,
            preview: RwSignal::new(None),
            checking: RwSignal::new(false),
            step: RwSignal::new(Step::Entry),
            plan: RwSignal::new(Vec::new()),
            pending: RwSignal::new(None),
            sending: RwSignal::new(false),
            send_error: RwSignal::new(None),
            failure: RwSignal::new(None),
            log: RwSignal::new(WarningLog::default()),
            confirm_ready: RwSignal::new(false),
            on_close,
            root: NodeRef::new(),
            opened: StoredValue::new(crate::lab::events::now_ms()),
        }
    }

    pub fn lang(self) -> Lang {
        self.app.lang.get()
    }

    /// The entry error to show now, if any: the form's own, else the last send's, else the
    /// backend's verdict on this very draft.
    pub fn entry_error(self) -> Option<String> {
        let lang = self.lang();
        match self.parsed.get() {
            Err(e) if self.touched.get().shows(e.field()) => return Some(e.message(lang)),
            Err(_) => return None,
            Ok(_) => {}
        }
        if let Some(e) = self.send_error.get() {
            return Some(e.message);
        }
        let draft = self.draft.get()?;
        self.preview.with(|p| match p {
            Some((d, Err(e))) if *d == draft => Some(e.message.clone()),
            _ => None,
        })
    }

    /// Whether the backend refused this very draft (a rule, not the network).
    pub fn draft_refused(self) -> bool {
        let Some(draft) = self.draft.get() else {
            return false;
        };
        self.preview
            .with(|p| matches!(p, Some((d, Err(e))) if *d == draft && !e.is_network()))
    }

    /// Next may be pressed to some effect.
    pub fn can_go_on(self) -> bool {
        self.parsed.with(|p| p.is_ok())
            && !self.draft_refused()
            && !self.checking.get()
            && !self.sending.get()
    }

    /// An edit of the form: forget the last send's error.
    pub fn edited(self, field: Field) {
        self.send_error.set(None);
        self.touched.update(|t| match field {
            Field::Amount => t.amount = true,
            Field::Count => t.count = true,
            Field::Recipient => t.recipient = true,
        });
    }

    /// Next: ask the backend about the draft (unless it already answered), then run the
    /// stages the settings ask for.
    pub fn next(self) {
        if self.checking.get_untracked() || self.sending.get_untracked() {
            return;
        }
        self.touched.update(|t| t.attempted = true);
        let Some(draft) = self.draft.get_untracked() else {
            if let Err(e) = self.parsed.get_untracked() {
                self.focus_field(e.field());
            }
            return;
        };
        self.send_error.set(None);
        let cached = self.preview.with_untracked(|p| match p {
            Some((d, r)) if *d == draft => Some(r.clone()),
            _ => None,
        });
        match cached {
            Some(Ok(preview)) => self.proceed(draft, preview),
            Some(Err(e)) if !e.is_network() => self.focus_field(Field::Amount),
            _ => {
                self.checking.set(true);
                let (backend, user) = (self.app.backend(), self.user.get_value());
                spawn_local(async move {
                    let result = retry(ATTEMPTS, || backend.preview(&user, &draft)).await;
                    if self.checking.try_set(false).is_some() {
                        return; // the flow is gone
                    }
                    self.preview.set(Some((draft.clone(), result.clone())));
                    // Edited meanwhile: the sender presses Next again for the new draft.
                    let current = self.draft.get_untracked().as_ref() == Some(&draft);
                    if let (Ok(preview), true) = (result, current) {
                        self.proceed(draft, preview);
                    }
                });
            }
        }
    }

    fn proceed(self, draft: NewPacket, preview: Preview) {
        let stages = self.app.settings.with_untracked(|s| s.stages);
        let plan = stages_for(stages, &preview.warnings);
        let amount = draft.kind.typed_amount();
        self.plan.set(plan.clone());
        self.pending.set(Some((draft, preview.clone())));
        match plan.first() {
            None => {
                self.log.update(|l| l.proceeded(amount));
                self.send();
            }
            Some(Stage::Review) => {
                self.log.update(|l| l.shown(&preview.warnings, amount));
                if self.app.settings.with_untracked(|s| s.warnings) {
                    crate::lab::events::warnings_shown(
                        preview
                            .warnings
                            .iter()
                            .map(|w| w.code.as_str().to_owned())
                            .collect(),
                    );
                }
                self.confirm_ready.set(false);
                self.step.set(Step::Review);
                let ready = self.confirm_ready;
                set_timeout(
                    move || {
                        let _ = ready.try_set(true);
                    },
                    CONFIRM_GUARD,
                );
            }
            Some(Stage::Authorize) => {
                self.log.update(|l| l.proceeded(amount));
                self.step.set(Step::Authorize);
            }
        }
    }

    /// Back from the review to the form.
    pub fn edit(self) {
        if self.sending.get_untracked() {
            return;
        }
        self.step.set(Step::Entry);
    }

    /// The review's Confirm.
    pub fn confirm(self) {
        if !self.confirm_ready.get_untracked() || self.sending.get_untracked() {
            return;
        }
        if let Some((draft, _)) = self.pending.get_untracked() {
            self.log.update(|l| l.proceeded(draft.kind.typed_amount()));
        }
        if self.plan.with_untracked(|p| p.contains(&Stage::Authorize)) {
            self.step.set(Step::Authorize);
        } else {
            self.send();
        }
    }

    /// Sends the pending request (also the retry after a network failure: same key).
    pub fn send(self) {
        if self.sending.get_untracked() {
            return;
        }
        let Some((packet, _)) = self.pending.get_untracked() else {
            return;
        };
        self.sending.set(true);
        self.failure.set(None);
        self.step.set(Step::Sending);
        let (backend, user, app) = (self.app.backend(), self.user.get_value(), self.app);
        spawn_local(async move {
            let result = retry(ATTEMPTS, || backend.send(&user, &packet)).await;
            if self.sending.try_set(false).is_some() {
                app.changed(); // the flow is gone; the chat still refreshes
                return;
            }
            match result {
                Ok(view) => {
                    let log = self.log.get_untracked();
                    crate::lab::events::sent(
                        &packet,
                        view.id,
                        crate::lab::events::now_ms() - self.opened.get_value(),
                        log.shown.iter().map(|c| c.as_str().to_owned()).collect(),
                        log.amount_changed_after_warning,
                    );
                    app.changed();
                    self.close();
                }
                Err(e) if e.is_network() => {
                    self.failure.set(Some(e));
                    self.step.set(Step::Failed);
                }
                Err(e) => {
                    self.send_error.set(Some(e));
                    self.step.set(Step::Entry);
                }
            }
        });
    }

    /// Closes the flow (not while a send is in flight) and gives focus back to the chat's
    /// new-packet button.
    pub fn close(self) {
        if self.sending.get_untracked() {
            return;
        }
        // Closing before a send completed is a cancel (after a send the step stays Sending).
        let step = self.step.get_untracked();
        if step != Step::Sending {
            crate::lab::events::cancelled(
                step.lab_name(),
                crate::lab::events::now_ms() - self.opened.get_value(),
                self.log.with_untracked(|l| l.amount_changed_after_warning),
            );
        }
        if let Some(button) = self
            .root
            .get_untracked()
            .and_then(|root| root.closest(".hb-chat").ok().flatten())
            .and_then(|chat| {
                chat.query_selector("[data-testid=\"new-packet\"]")
                    .ok()
                    .flatten()
            })
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = button.focus();
        }
        self.on_close.run(());
    }

    /// Moves focus to a form field (after an error on it).
    fn focus_field(self, field: Field) {
        let id = match field {
            Field::Amount => "amount-input",
            Field::Count => "count-input",
            Field::Recipient => "recipient-select",
        };
        self.focus(&format!("[data-testid=\"{id}\"]"));
    }

    /// Focuses the first element matching `selector` in the sheet, after the next render.
    fn focus(self, selector: &str) {
        let root = self.root;
        let selector = selector.to_owned();
        request_animation_frame(move || {
            if let Some(el) = root
                .try_get_untracked()
                .flatten()
                .and_then(|r| r.query_selector(&selector).ok().flatten())
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    }
}

/// The elements Tab can reach in `root`, in document order.
fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";
    let all = root.get_elements_by_tag_name("*");
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter(|el| el.matches(FOCUSABLE).unwrap_or(false))
        .filter_map(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

/// Keeps Tab inside the sheet (it is modal).
fn trap_tab(root: &web_sys::Element, ev: &web_sys::KeyboardEvent) {
    let items = focusables(root);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = document().active_element();
    let inside = active.as_ref().is_some_and(|a| root.contains(Some(a)));
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let target = if !inside {
        Some(first)
    } else if ev.shift_key() && at(first) {
        Some(last)
    } else if !ev.shift_key() && at(last) {
        Some(first)
    } else {
        None
    };
    if let Some(el) = target {
        ev.prevent_default();
        let _ = el.focus();
    }
}

#[component]
pub fn SendFlow(chat: ChatInfo, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let app = use_app();
    let flow = Flow::new(app, chat, on_close);

    // Lab events: each stage entered and left, with the time spent in it.
    crate::lab::events::stage_entered(Step::Entry.lab_name());
    let last = StoredValue::new((Step::Entry, flow.opened.get_value()));
    Effect::new(move |_| {
        let step = flow.step.get();
        let (prev, since) = last.get_value();
        if step != prev {
            let now = crate::lab::events::now_ms();
            crate::lab::events::stage_left(prev.lab_name(), now - since);
            crate::lab::events::stage_entered(step.lab_name());
            last.set_value((step, now));
        }
    });

    // The backend checks the draft shortly after typing stops (and again in a new
    // language, for its messages).
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let _ = app.lang.get();
        let Some(draft) = flow.draft.get() else {
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let (backend, user) = (app.backend(), flow.user.get_value());
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(PREVIEW_DEBOUNCE_MS).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            let result = retry(ATTEMPTS, || backend.preview(&user, &draft)).await;
            if generation.try_get_value() == Some(mine) {
                let _ = flow.preview.try_set(Some((draft, result)));
            }
        });
    });

    // Focus follows the stage: each stage marks where it starts with `data-autofocus`.
    Effect::new(move |_| {
        let _ = flow.step.get();
        flow.focus("[data-autofocus]");
    });

    // Escape closes, wherever focus is in the sheet (or when it was lost to the page's body
    // while a stage re-rendered).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" || ev.default_prevented() {
            return;
        }
        let Some(root) = flow.root.try_get_untracked().flatten() else {
            return;
        };
        let ours = match document().active_element() {
            None => true,
            Some(active) => {
                root.contains(Some(&active))
                    || document()
                        .body()
                        .is_some_and(|b| active == *b.unchecked_ref::<web_sys::Element>())
            }
        };
        if ours {
            ev.prevent_default();
            flow.close();
        }
    });
    on_cleanup(move || escape.remove());
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Tab"
            && let Some(root) = flow.root.get_untracked()
        {
            trap_tab(&root, &ev);
        }
    };

    let title = move || {
        let lang = flow.lang();
        match flow.step.get() {
            Step::Entry | Step::Sending | Step::Failed => new_packet_label(lang),
            Step::Review => SendMsg::ReviewTitle.text(lang),
            Step::Authorize => match app.settings.with(|s| s.auth) {
                crate::settings::Auth::Pin => SendMsg::AuthTitle.text(lang),
                crate::settings::Auth::Hold => SendMsg::HoldTitle.text(lang),
            },
        }
    };

    view! {
        <div class="hb-send-backdrop" on:click=move |ev| {
            // A click on the dimmed chat (not on the sheet) closes, as Escape does.
            if ev.target() == ev.current_target() && flow.step.get_untracked() == Step::Entry {
                flow.close();
            }
        }>
            <div
                class="hb-send"
                role="dialog"
                aria-modal="true"
                aria-label=title
                data-testid="send-flow"
                data-step=move || format!("{:?}", flow.step.get()).to_lowercase()
                data-amount-changed-after-warning=move || flow.log.with(|l| l.amount_changed_after_warning.to_string())
                node_ref=flow.root
                on:keydown=on_keydown
            >
                {move || match flow.step.get() {
                    Step::Entry => view! { <entry::Entry flow=flow /> }.into_any(),
                    Step::Review => view! { <review::Review flow=flow /> }.into_any(),
                    Step::Authorize => view! { <authorize::Authorize flow=flow /> }.into_any(),
                    Step::Sending => view! { <Sending flow=flow /> }.into_any(),
                    Step::Failed => view! { <Failed flow=flow /> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// The sheet's header: a title, an optional button on the left, Close on the right.
#[component]
fn SheetHeader(
    flow: Flow,
    #[prop(into)] title: Signal<String>,
    /// The stage starts with focus on the title.
    #[prop(optional)]
    autofocus: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="hb-send-head">
            {children.map(|c| c())}
            <h2 class="hb-send-title" tabindex="-1" data-autofocus=autofocus.then_some("")>{title}</h2>
            <button
                type="button"
                class="hb-send-close"
                data-testid="close-button"
                aria-label=move || SendMsg::Close.text(flow.lang())
                prop:disabled=move || flow.sending.get()
                on:click=move |_| flow.close()
            >
                <span aria-hidden="true">"×"</span>
            </button>
        </header>
    }
}

#[component]
fn Sending(flow: Flow) -> impl IntoView {
    let title = Signal::derive(move || new_packet_label(flow.lang()).to_owned());
    view! {
        <div class="hb-send-stage">
        <SheetHeader flow=flow title=title />
        <div class="hb-send-scroll hb-send-center">
            <p class="hb-sending" data-testid="send-status" role="status" tabindex="-1" data-autofocus>
                <span class="hb-spinner" aria-hidden="true"></span>
                {move || SendMsg::Sending.text(flow.lang())}
            </p>
        </div>
        </div>
    }
}

#[component]
fn Failed(flow: Flow) -> impl IntoView {
    let title = Signal::derive(move || SendMsg::SendFailed.text(flow.lang()).to_owned());
    view! {
        <div class="hb-send-stage" data-testid="send-failed">
        <SheetHeader flow=flow title=title />
        <div class="hb-send-scroll hb-send-center">
            <p class="hb-send-error" data-testid="error-message" role="alert">
                {move || flow.failure.get().map(|e| e.message).unwrap_or_default()}
            </p>
            <p class="hb-send-note">{move || SendMsg::RetryNote.text(flow.lang())}</p>
        </div>
        <div class="hb-send-foot">
            <button type="button" class="hb-send-button hb-send-plain" on:click=move |_| flow.close()>
                {move || SendMsg::Cancel.text(flow.lang())}
            </button>
            <button
                type="button"
                class="hb-send-button hb-send-primary"
                data-testid="retry-button"
                data-autofocus=""
                on:click=move |_| flow.send()
            >
                {move || SendMsg::Retry.text(flow.lang())}
            </button>
        </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::logic::{Parsed, new_packet};
    use crate::backend::mock::MockCore;
    use crate::settings::Settings;
    use hongbao_api::{ErrorCode, NewPacket};
    use hongbao_engine::{Money, PacketKindTag, Timestamp, WarningCode};

    fn draft(kind: PacketKindTag, amount: &str, count: u32) -> NewPacket {
        let parsed = Parsed {
            kind,
            amount: Money::parse_typed(amount).unwrap(),
            count,
            recipient: None,
        };
        new_packet(&parsed, "family".into(), "hi".into(), "k".into()).unwrap()
    }

    /// The flow relies on the backend's preview refusing what a send would refuse, with the
    /// engine's code and translated message, and changing nothing.
    #[test]
    fn the_mock_preview_refuses_what_a_send_would_refuse() {
        let now = Timestamp::from_utc(2025, 1, 1, 12, 0, 0);
        let core = MockCore::new_demo(&Settings::default(), now);
        let before = core.clone();
        let refused = [
            (
                draft(PacketKindTag::Normal, "300", 10),
                ErrorCode::LimitExceeded,
            ),
            (draft(PacketKindTag::Lucky, "5", 0), ErrorCode::InvalidCount),
            (
                draft(PacketKindTag::Lucky, "5", 101),
                ErrorCode::InvalidCount,
            ),
            (
                draft(PacketKindTag::Lucky, "0.05", 10),
                ErrorCode::InvalidAmount,
            ),
            (
                draft(PacketKindTag::Normal, "150", 10),
                ErrorCode::InsufficientBalance,
            ),
        ];
        for (d, code) in refused {
            let e = core.preview("alice", &d, now).unwrap_err();
            assert_eq!(e.code, code, "{d:?}");
            assert!(!e.message.is_empty());
        }
        let ok = core
            .preview("alice", &draft(PacketKindTag::Lucky, "250", 10), now)
            .unwrap();
        assert_eq!(ok.total, Money::from_fen(25_000));
        assert!(ok.warnings.iter().any(|w| w.code == WarningCode::Offensive));
        assert_eq!(core, before, "a preview changes nothing");
    }
}
