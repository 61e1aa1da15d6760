//! The send flow (PRODUCT §3): entry, review, authorize, as a sheet over the chat.
//!
//! - [`logic`]: which stages run, what the form means, the request it builds, the total line
//!   (pure, tested natively);
//! - [`entry`], [`review`], [`authorize`]: the three stages' views;
//! - this module: the flow's state ([`Flow`]: the form, and the [`Step`] it is at), its
//!   transitions, and the [`Dialog`] around them.
//!
//! The backend's answers arrive through two [`Action`]s: `check` (Next asks for the preview of
//! the draft) and `send`. One idempotency key per flow, created when the flow opens and reused
//! for every retry and re-confirm, so a double submit or a retry after a lost response never
//! sends twice.

mod authorize;
mod entry;
pub mod i18n;
pub mod logic;
mod review;

use crate::backend::{new_idempotency_key, retry};
use crate::dialog::{Dialog, DialogSurface};
use crate::i18n::{Lang, Msg};
use crate::state::{AppState, use_app};
use hongbao_api::{ApiError, ChatInfo, NewPacket, Preview};
use hongbao_engine::{PacketKind, PacketKindTag};
use i18n::SendMsg;
use leptos::prelude::*;
use leptos::task::spawn_local;
use logic::{EntryError, Field, Stage, WarningLog, stages_for};
use wasm_bindgen::JsCast;

pub fn new_packet_label(lang: Lang) -> &'static str {
    Msg::NewPacket.text(lang)
}

/// Network attempts per call (retries reuse the idempotency key).
const ATTEMPTS: u32 = 3;
/// Quiet time after typing before the backend checks the draft.
const PREVIEW_DEBOUNCE_MS: u32 = 120;

/// A request the sender went on with: the draft, the backend's preview of it, and whether the
/// authorize stage follows the review.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub draft: NewPacket,
    pub preview: Preview,
    pub authorize: bool,
}

/// Where the flow is. Each stage holds what it shows, so a review without a preview, or a
/// failure without its error, cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The form; `refused` is a rule error from the last send (nothing was sent), shown until
    /// the form is edited.
    Entry {
        refused: Option<ApiError>,
    },
    Review(Pending),
    Authorize(Pending),
    /// The request is with the backend.
    Sending(Pending),
    /// A network failure after the retries: the same request can be sent again.
    Failed {
        pending: Pending,
        error: ApiError,
    },
}

impl Step {
    /// The stage's name (`data-step`, and in lab events).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Entry { .. } => "entry",
            Step::Review(_) => "review",
            Step::Authorize(_) => "authorize",
            Step::Sending(_) => "sending",
            Step::Failed { .. } => "failed",
        }
    }

    /// The request the stage is about (all but the entry).
    pub fn pending(&self) -> Option<&Pending> {
        match self {
            Step::Entry { .. } => None,
            Step::Review(p) | Step::Authorize(p) | Step::Sending(p) => Some(p),
            Step::Failed { pending, .. } => Some(pending),
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
    pub kind: RwSignal<PacketKindTag>,
    pub amount: RwSignal<String>,
    pub count: RwSignal<String>,
    pub greeting: RwSignal<String>,
    pub recipient: RwSignal<String>,
    pub touched: RwSignal<Touched>,
    pub parsed: Memo<Result<PacketKind, EntryError>>,
    /// The request the form describes, if it parses.
    pub draft: Memo<Option<NewPacket>>,
    /// The backend's latest answer, with the draft it is for.
    pub preview: RwSignal<Option<(NewPacket, Result<Preview, ApiError>)>>,
    pub step: RwSignal<Step>,
    /// The stage's name: changes only when the stage does (the views switch on it).
    pub stage: Memo<&'static str>,
    /// Next's request for the preview of a draft (answered with the draft it is for).
    pub check: Action<NewPacket, (NewPacket, Result<Preview, ApiError>)>,
    /// The send (and its retry after a network failure: same request, same key).
    pub send: Action<NewPacket, Result<hongbao_api::PacketView, ApiError>>,
    /// Warnings shown, and whether the amount changed afterwards (for the lab).
    pub log: RwSignal<WarningLog>,
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
        let lang = app.lang;
        let draft = Memo::new(move |_| {
            let entry = parsed.get().ok()?;
            Some(logic::draft(
                &chat_id,
                entry,
                &greeting.read(),
                lang.get(),
                &key,
            ))
        });
        let step = RwSignal::new(Step::Entry { refused: None });
        let user_for = user.clone();
        let check = Action::new_local(move |draft: &NewPacket| {
            let (backend, user, draft) = (app.backend(), user_for.clone(), draft.clone());
            async move {
                let result = retry(ATTEMPTS, || backend.preview(&user, &draft)).await;
                (draft, result)
            }
        });
        let user_for = user.clone();
        let send = Action::new_local(move |packet: &NewPacket| {
            let (backend, user, packet) = (app.backend(), user_for.clone(), packet.clone());
            async move {
                let result = retry(ATTEMPTS, || backend.send(&user, &packet)).await;
                // Also when the flow is gone meanwhile: the chat shows the new packet.
                app.changed();
                result
            }
        });
        Flow {
            app,
            chat: StoredValue::new(chat),
            user: StoredValue::new(user),
            others,
            kind,
            amount,
            count,
            greeting,
            recipient,
            touched: RwSignal::new(Touched::default()),
            parsed,
            draft,
            preview: RwSignal::new(None),
            step,
            stage: Memo::new(move |_| step.with(Step::name)),
            check,
            send,
            log: RwSignal::new(WarningLog::default()),
            on_close,
            root: NodeRef::new(),
            opened: StoredValue::new(crate::lab::events::now_ms()),
        }
    }

    pub fn lang(self) -> Lang {
        self.app.lang.get()
    }

    /// Next is waiting for the backend.
    pub fn checking(self) -> bool {
        self.check.pending().get()
    }

    /// The request is with the backend.
    pub fn sending(self) -> bool {
        self.step.with(|s| matches!(s, Step::Sending(_)))
    }

    fn sending_untracked(self) -> bool {
        self.step.with_untracked(|s| matches!(s, Step::Sending(_)))
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
        if let Some(message) = self.step.with(|s| match s {
            Step::Entry { refused: Some(e) } => Some(e.message.clone()),
            _ => None,
        }) {
            return Some(message);
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
            && !self.checking()
            && !self.sending()
    }

    /// Forgets the last send's refusal (the form changed).
    pub fn forget_refusal(self) {
        self.step.update(|s| {
            if let Step::Entry { refused } = s {
                *refused = None;
            }
        });
    }

    /// An edit of the form: forget the last send's error.
    pub fn edited(self, field: Field) {
        self.forget_refusal();
        self.touched.update(|t| match field {
            Field::Amount => t.amount = true,
            Field::Count => t.count = true,
            Field::Recipient => t.recipient = true,
        });
    }

    /// Next: ask the backend about the draft (unless it already answered), then run the
    /// stages the settings ask for.
    pub fn next(self) {
        if self.check.pending().get_untracked() || self.sending_untracked() {
            return;
        }
        self.touched.update(|t| t.attempted = true);
        let Some(draft) = self.draft.get_untracked() else {
            if let Err(e) = self.parsed.get_untracked() {
                self.focus_field(e.field());
            }
            return;
        };
        self.forget_refusal();
        let cached = self.preview.with_untracked(|p| match p {
            Some((d, r)) if *d == draft => Some(r.clone()),
            _ => None,
        });
        match cached {
            Some(Ok(preview)) => self.proceed(draft, preview),
            Some(Err(e)) if !e.is_network() => self.focus_field(Field::Amount),
            _ => {
                self.check.dispatch(draft);
            }
        }
    }

    /// The answer to Next's check of `draft`.
    fn checked(self, draft: NewPacket, result: Result<Preview, ApiError>) {
        self.preview.set(Some((draft.clone(), result.clone())));
        // Edited meanwhile: the sender presses Next again for the new draft.
        let current = self.draft.get_untracked().as_ref() == Some(&draft);
        if let (Ok(preview), true) = (result, current) {
            self.proceed(draft, preview);
        }
    }

    fn proceed(self, draft: NewPacket, preview: Preview) {
        let stages = self.app.settings.with_untracked(|s| s.stages);
        let plan = stages_for(stages, &preview.warnings);
        let amount = draft.kind.typed_amount();
        let pending = Pending {
            draft,
            preview,
            authorize: plan.contains(&Stage::Authorize),
        };
        match plan.first() {
            None => {
                self.log.update(|l| l.proceeded(amount));
                self.dispatch(pending);
            }
            Some(Stage::Review) => {
                let warnings = &pending.preview.warnings;
                self.log.update(|l| l.shown(warnings, amount));
                if self.app.settings.with_untracked(|s| s.warnings) {
                    crate::lab::events::warnings_shown(
                        warnings
                            .iter()
                            .map(|w| w.code.as_str().to_owned())
                            .collect(),
                    );
                }
                self.step.set(Step::Review(pending));
            }
            Some(Stage::Authorize) => {
                self.log.update(|l| l.proceeded(amount));
                self.step.set(Step::Authorize(pending));
            }
        }
    }

    /// Back from the review to the form.
    pub fn edit(self) {
        if self.sending_untracked() {
            return;
        }
        self.step.set(Step::Entry { refused: None });
    }

    /// The review's Confirm.
    pub fn confirm(self) {
        let Step::Review(pending) = self.step.get_untracked() else {
            return;
        };
        self.log
            .update(|l| l.proceeded(pending.draft.kind.typed_amount()));
        if pending.authorize {
            self.step.set(Step::Authorize(pending));
        } else {
            self.dispatch(pending);
        }
    }

    /// The authorize stage's PIN or hold is done, or Retry after a network failure: sends.
    pub fn authorized(self) {
        let pending = self.step.with_untracked(|s| match s {
            Step::Authorize(p) | Step::Failed { pending: p, .. } => Some(p.clone()),
            _ => None,
        });
        if let Some(pending) = pending {
            self.dispatch(pending);
        }
    }

    /// Sends `pending` (also the retry after a network failure: same key).
    fn dispatch(self, pending: Pending) {
        if self.sending_untracked() {
            return;
        }
        self.send.dispatch(pending.draft.clone());
        self.step.set(Step::Sending(pending));
    }

    /// The backend's answer to the send.
    fn sent(self, result: Result<hongbao_api::PacketView, ApiError>) {
        let Step::Sending(pending) = self.step.get_untracked() else {
            return;
        };
        match result {
            Ok(view) => {
                let log = self.log.get_untracked();
                crate::lab::events::sent(
                    &pending.draft,
                    view.id,
                    crate::lab::events::now_ms() - self.opened.get_value(),
                    log.shown.iter().map(|c| c.as_str().to_owned()).collect(),
                    log.amount_changed_after_warning,
                );
                // Done: the sheet closes (not a cancel).
                self.on_close.run(());
            }
            Err(error) if error.is_network() => self.step.set(Step::Failed { pending, error }),
            Err(e) => self.step.set(Step::Entry { refused: Some(e) }),
        }
    }

    /// Closes the flow: a cancel (not while a send is in flight).
    pub fn close(self) {
        if self.sending_untracked() {
            return;
        }
        crate::lab::events::cancelled(
            self.step.with_untracked(Step::name),
            crate::lab::events::now_ms() - self.opened.get_value(),
            self.log.with_untracked(|l| l.amount_changed_after_warning),
        );
        self.on_close.run(());
    }

    /// Moves focus to a form field (after an error on it).
    fn focus_field(self, field: Field) {
        let id = match field {
            Field::Amount => "amount-input",
            Field::Count => "count-input",
            Field::Recipient => "recipient-select",
        };
        let root = self.root;
        request_animation_frame(move || {
            if let Some(el) = root
                .try_get_untracked()
                .flatten()
                .and_then(|r| {
                    r.query_selector(&format!("[data-testid=\"{id}\"]"))
                        .ok()
                        .flatten()
                })
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    }
}

#[component]
pub fn SendFlow(chat: ChatInfo, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let app = use_app();
    let flow = Flow::new(app, chat, on_close);

    // The actions' answers.
    Effect::watch(
        move || flow.check.version().get(),
        move |_, _, _| {
            if let Some((draft, result)) = flow.check.value().get_untracked() {
                flow.checked(draft, result);
            }
        },
        false,
    );
    Effect::watch(
        move || flow.send.version().get(),
        move |_, _, _| {
            if let Some(result) = flow.send.value().get_untracked() {
                flow.sent(result);
            }
        },
        false,
    );

    // Lab events: each stage entered and left, with the time spent in it.
    crate::lab::events::stage_entered(flow.stage.get_untracked());
    let since = StoredValue::new(flow.opened.get_value());
    Effect::watch(
        move || flow.stage.get(),
        move |stage, prev, _| {
            let now = crate::lab::events::now_ms();
            crate::lab::events::stage_left(
                prev.copied().unwrap_or("entry"),
                now - since.get_value(),
            );
            crate::lab::events::stage_entered(stage);
            since.set_value(now);
        },
        false,
    );

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

    let title = move || {
        let lang = flow.lang();
        match flow.stage.get() {
            "review" => SendMsg::ReviewTitle.text(lang),
            "authorize" => match app.settings.with(|s| s.auth) {
                crate::settings::Auth::Pin => SendMsg::AuthTitle.text(lang),
                crate::settings::Auth::Hold => SendMsg::HoldTitle.text(lang),
            },
            _ => new_packet_label(lang),
        }
    };
    // The focus follows the stage: each stage marks where it starts with `data-autofocus`.
    let focus_key = Signal::derive(move || flow.stage.track());

    view! {
        <Dialog
            backdrop_class="hb-send-backdrop"
            on_close=move |_| flow.close()
            // A click on the dimmed chat closes only from the form.
            backdrop_closes=Signal::derive(move || flow.stage.get() == "entry")
            focus_key=focus_key
            return_focus="[data-testid=\"new-packet\"]"
            surface=flow.root
        >
            <DialogSurface
                class="hb-send"
                attr:aria-label=title
                attr:data-testid="send-flow"
                attr:data-step=move || flow.stage.get()
                attr:data-amount-changed-after-warning=move || flow.log.with(|l| l.amount_changed_after_warning.to_string())
            >
                // A new stage gets a new view, with the data of its step.
                {move || {
                    flow.stage.track();
                    match flow.step.get_untracked() {
                        Step::Entry { .. } => view! { <entry::Entry flow=flow /> }.into_any(),
                        Step::Review(pending) => view! { <review::Review flow=flow pending=pending /> }.into_any(),
                        Step::Authorize(pending) => view! { <authorize::Authorize flow=flow pending=pending /> }.into_any(),
                        Step::Sending(_) => view! { <Sending flow=flow /> }.into_any(),
                        Step::Failed { error, .. } => view! { <Failed flow=flow error=error /> }.into_any(),
                    }
                }}
            </DialogSurface>
        </Dialog>
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
                prop:disabled=move || flow.sending()
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
fn Failed(flow: Flow, error: ApiError) -> impl IntoView {
    let title = Signal::derive(move || SendMsg::SendFailed.text(flow.lang()).to_owned());
    let error = error.message;
    view! {
        <div class="hb-send-stage" data-testid="send-failed">
        <SheetHeader flow=flow title=title />
        <div class="hb-send-scroll hb-send-center">
            <p class="hb-send-error" data-testid="error-message" role="alert">{error}</p>
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
                on:click=move |_| flow.authorized()
            >
                {move || SendMsg::Retry.text(flow.lang())}
            </button>
        </div>
        </div>
    }
}
