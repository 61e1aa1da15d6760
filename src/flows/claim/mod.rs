//! Opening a packet (PRODUCT §5): the bubble in the chat and the card with 開.
//!
//! The bubble shows the packet as the viewer sees it at the backend's clock; clicking it
//! opens [`PacketCard`] (the shell renders it over everything while `state.open_packet` is
//! set). The card decides its screen from the packet ([`logic::screen_for`]): the 開 button,
//! or one of the state screens (too late, expired, recalled, not for you, already claimed,
//! arriving, details). A claim spins the button while the request is in flight, then
//! counts the amount up in whole fen and shows who got what.

pub mod i18n;
pub mod logic;

use crate::backend::retry;
use crate::dialog::{Dialog, DialogSurface};
use crate::face::Face;
use crate::flows::recall::{RecallControls, RecallTrace, countdown_text, hhmm, state_at};
use crate::i18n::display_name;
use crate::state::{AppState, use_app};
use hongbao_api::{ApiError, PacketView};
use hongbao_engine::{Lang, Money};
use i18n::Msg;
use leptos::prelude::*;
use logic::{BubbleStatus, CardScreen, SPIN_MS, bubble_status, count_up_duration, count_up_value};

fn greeting_or_default(greeting: &str, lang: Lang) -> String {
    if greeting.trim().is_empty() {
        Msg::DefaultGreeting.text(lang).to_owned()
    } else {
        greeting.to_owned()
    }
}

fn status_text(status: &BubbleStatus, now: hongbao_engine::Timestamp, lang: Lang) -> String {
    match status {
        BubbleStatus::Open => Msg::StatusOpen.text(lang).to_owned(),
        BubbleStatus::Claimed => Msg::StatusClaimed.text(lang).to_owned(),
        BubbleStatus::AllClaimed => Msg::StatusAllClaimed.text(lang).to_owned(),
        BubbleStatus::Opened => Msg::StatusOpened.text(lang).to_owned(),
        BubbleStatus::Expired => Msg::StatusExpired.text(lang).to_owned(),
        BubbleStatus::Recalled => Msg::StatusRecalled.text(lang).to_owned(),
        // The clock may lag the backend by a second: never more than the whole delay.
        BubbleStatus::Pending(at, delay) => {
            i18n::arriving(&countdown_text(now.secs_left_until(*at).min(*delay)), lang)
        }
        BubbleStatus::WaitingFor(user) => i18n::waiting_for(user, lang),
        BubbleStatus::OnlyFor(user) => i18n::only_for(user, lang),
    }
}

/// A packet in the chat: the sender's on the right, others' on the left with their name.
#[component]
pub fn PacketBubble(packet: PacketView) -> impl IntoView {
    let state = use_app();
    let id = packet.id;
    let sender = packet.sender.clone();
    let kind = packet.kind;
    let greeting = packet.greeting.clone();
    let p = StoredValue::new(packet.clone());
    let status = Memo::new(move |_| {
        let (user, now) = (state.user.get(), state.now.get());
        p.with_value(|p| bubble_status(p, &user, now))
    });
    let packet_state = Memo::new(move |_| p.with_value(|p| state_at(p, state.now.get())));
    let mine = {
        let sender = sender.clone();
        Memo::new(move |_| state.user.get() == sender)
    };
    let lang = move || state.lang.get();
    let status_line = move || status_text(&status.get(), state.now.get(), lang());
    let greeting_text = {
        let greeting = greeting.clone();
        move || greeting_or_default(&greeting, lang())
    };
    // The button's name is its visible text (greeting, status, kind: WCAG 2.5.3, label in
    // name), after whose packet it is, which sighted people read above the bubble.
    let said_sender = {
        let sender = sender.clone();
        move || i18n::bubble_sender(&sender, lang())
    };

    view! {
        <div class="hb-msg" class:hb-msg--mine=move || mine.get() data-packet-id=id>
            <Face user=sender.clone() class="hb-msg-avatar" />
            <div class="hb-msg-main">
                <span class="hb-msg-sender">{display_name(&sender)}</span>
                <button
                    class="hb-bubble"
                    class:hb-bubble--done=move || status.get().is_done()
                    data-testid="packet-bubble"
                    data-packet-id=id
                    data-state=move || packet_state.get().as_str()
                    data-kind=kind.as_str()
                    on:click=move |_| state.open_packet.set(Some(id))
                >
                    <span class="hb-sr-only">{said_sender}</span>
                    <span class="hb-bubble-top">
                        <span class="hb-bubble-icon" aria-hidden={"true"}></span>
                        <span class="hb-bubble-text">
                            <span class="hb-bubble-greeting">{greeting_text}</span>
                            <span class="hb-bubble-status">{status_line}</span>
                        </span>
                    </span>
                    <span class="hb-bubble-kind">{move || i18n::kind(kind, lang())}</span>
                </button>
                <RecallControls packet=packet.clone() />
                <RecallTrace packet=packet />
            </div>
        </div>
    }
}

/// Where a claim made in this card stands (derived from the claim [`Action`]).
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    /// The request is in flight (the button spins).
    Opening,
    Claimed(Money),
    Failed(ApiError),
}

/// What the card renders; changes only when the screen changes (not on every refetch or
/// clock tick), so focus stays where it is.
#[derive(Clone, Debug, PartialEq)]
enum Branch {
    LoadError(String),
    Open,
    Screen(CardScreen),
    Claimed,
    Failed(ApiError),
}

/// The card of packet `packet_id`, over everything (a modal [`Dialog`]).
#[component]
pub fn PacketCard(packet_id: u64) -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let packet = LocalResource::new(move || {
        let (user, _) = (state.user.get(), state.revision.get());
        let backend = state.backend();
        async move { retry(4, || backend.packet(&user, packet_id)).await }
    });
    let shown = RwSignal::new(0i64);

    // The claim: the button spins while it is in flight, at least SPIN_MS with motion on.
    let claim = Action::new_local(move |_: &()| {
        let (backend, user) = (state.backend(), state.user.get_untracked());
        let motion = state.motion.get_untracked();
        let started = js_sys::Date::now();
        async move {
            let result = retry(3, || backend.claim(&user, packet_id)).await;
            let elapsed = (js_sys::Date::now() - started) as i64;
            if motion && elapsed < SPIN_MS {
                gloo_timers::future::TimeoutFuture::new((SPIN_MS - elapsed) as u32).await;
            }
            if let Ok(r) = &result {
                crate::lab::events::claimed(packet_id);
                // Before the action's value is set, so the claimed screen never renders a
                // stale amount: 0 to count up from, or (without motion) the amount at once.
                // `try_set`: the card may have closed meanwhile.
                let start = if state.motion.get_untracked() {
                    0
                } else {
                    r.amount.fen()
                };
                let _ = shown.try_set(start);
            }
            state.changed();
            result.map(|r| r.amount)
        }
    });
    let phase = Memo::new(move |_| {
        if claim.pending().get() {
            return Phase::Opening;
        }
        match claim.value().get() {
            None => Phase::Idle,
            Some(Ok(amount)) => Phase::Claimed(amount),
            Some(Err(e)) => Phase::Failed(e),
        }
    });
    // The amount counts up once claimed (in whole fen); without motion the claim set it.
    Effect::watch(
        move || claim.version().get(),
        move |_, _, _| {
            if let Some(Ok(amount)) = claim.value().get_untracked()
                && state.motion.get_untracked()
            {
                count_up(amount.fen(), shown, js_sys::Date::now());
            }
        },
        false,
    );
    let announce = move || match phase.get() {
        Phase::Idle => String::new(),
        Phase::Opening => Msg::Opening.text(lang()).to_owned(),
        Phase::Claimed(amount) => i18n::you_received(&amount.format(lang()), lang()),
        Phase::Failed(e) => e.message,
    };

    // The packet's fixed facts, for the header (a Memo: unchanged by refetches).
    let header = Memo::new(move |_| {
        packet
            .get()
            .and_then(Result::ok)
            .map(|v| (v.sender, v.greeting, v.kind))
    });
    // The screen, once the packet is loaded (the Transition shows "loading" until then).
    let branch = move |v: Result<PacketView, ApiError>| match phase.get() {
        Phase::Opening => Branch::Open,
        Phase::Claimed(_) => Branch::Claimed,
        Phase::Failed(e) => match CardScreen::for_error(e.code) {
            Some(screen) => Branch::Screen(screen),
            None => Branch::Failed(e),
        },
        Phase::Idle => match v {
            Err(e) => Branch::LoadError(e.message),
            Ok(v) => match logic::screen_for(&v, &state.user.get(), state.now.get()) {
                CardScreen::Claimable => Branch::Open,
                screen => Branch::Screen(screen),
            },
        },
    };
    let branch = Memo::new(move |_| packet.get().map(branch));

    let close = move || state.open_packet.set(None);

    let title_id = format!("hb-card-title-{packet_id}");
    let title_id2 = title_id.clone();
    let title = move || {
        header
            .get()
            .map(|(sender, _, _)| i18n::packet_of(&sender, lang()))
            .unwrap_or_else(|| Msg::CardLabel.text(lang()).to_owned())
    };
    let greeting = move || {
        header
            .get()
            .map(|(_, g, _)| greeting_or_default(&g, lang()))
            .unwrap_or_default()
    };
    let sender_face = move || {
        header
            .get()
            .map(|(s, _, _)| view! { <Face user=s class="hb-card-avatar" /> })
    };
    let kind_text = move || {
        header
            .get()
            .map(|(_, _, k)| i18n::kind(k, lang()))
            .unwrap_or_default()
    };

    let screen = move |branch: Branch| {
        match branch {
        Branch::LoadError(message) => view! {
            <div class="hb-card-screen" data-state-screen="error">
                <p class="hb-card-error" data-testid="error-message" role="alert">{message}</p>
                <button class="hb-card-action" data-testid="retry-button" data-autofocus="" on:click=move |_| packet.refetch()>
                    {move || Msg::Retry.text(lang())}
                </button>
            </div>
        }
        .into_any(),
        Branch::Open => {
            let spinning = move || phase.get() == Phase::Opening && state.motion.get();
            let show_details = RwSignal::new(false);
            view! {
                <div class="hb-card-screen hb-card-screen--open" data-state-screen="claimable">
                    <p class="hb-card-kind">{kind_text}</p>
                    <p class="hb-card-greeting">{greeting}</p>
                    <button
                        class="hb-open-button"
                        class:hb-open-button--spinning=spinning
                        data-testid="open-button"
                        data-autofocus=""
                        aria-label=move || Msg::OpenLabel.text(lang())
                        aria-busy=move || (phase.get() == Phase::Opening).to_string()
                        aria-disabled=move || (phase.get() == Phase::Opening).to_string()
                        on:click=move |_| {
                            if !claim.pending().get_untracked() {
                                claim.dispatch(());
                            }
                        }
                    >
                        // 開 in every language; the accessible name says "Open".
                        <span class="hb-open-face" aria-hidden="true" lang="zh-Hant">{"開"}</span>
                    </button>
                    <button
                        class="hb-card-link"
                        data-testid="details-toggle"
                        aria-expanded=move || show_details.get().to_string()
                        on:click=move |_| show_details.update(|s| *s = !*s)
                    >
                        {move || Msg::SeeDetails.text(lang())}
                    </button>
                    <Show when=move || show_details.get()>
                        <div class="hb-card-screen--result">
                            <Details packet=packet />
                        </div>
                    </Show>
                </div>
            }
            .into_any()
        }
        Branch::Claimed => view! {
            <div class="hb-card-screen hb-card-screen--result" data-state-screen="claimed">
                <p class="hb-card-greeting">{greeting}</p>
                <p class="hb-amount" data-testid="claimed-amount">
                    {move || Money::from_fen(shown.get()).format(lang())}
                </p>
                <p class="hb-card-note">{move || Msg::SavedToWallet.text(lang())}</p>
                <Details packet=packet />
            </div>
        }
        .into_any(),
        Branch::Failed(e) => {
            let network = e.is_network();
            view! {
                <div class="hb-card-screen" data-state-screen=if network { "network" } else { "error" }>
                    <p class="hb-card-error" data-testid="error-message" role="alert">{e.message}</p>
                    <button class="hb-card-action" data-testid="retry-button" data-autofocus="" on:click=move |_| {
                        claim.dispatch(());
                    }>
                        {move || Msg::Retry.text(lang())}
                    </button>
                </div>
            }
            .into_any()
        }
        Branch::Screen(screen) => screen_view(state, screen, packet).into_any(),
    }
    };
    let loading = move || {
        view! {
            <div class="hb-card-screen" data-state-screen="loading">
                <p class="hb-card-note">{move || Msg::Loading.text(lang())}</p>
            </div>
        }
    };

    view! {
        <Dialog
            backdrop_class="hb-card-backdrop"
            on_close=move |_| close()
            focus_key=Signal::derive(move || branch.track())
            return_focus=format!("[data-testid=packet-bubble][data-packet-id=\"{packet_id}\"]")
        >
            <DialogSurface
                class="hb-card"
                attr:aria-labelledby=title_id.clone()
                attr:data-testid="packet-card"
                attr:data-packet-id=packet_id
            >
                <button
                    class="hb-card-close"
                    data-testid="close-card"
                    aria-label=move || Msg::Close.text(lang())
                    on:click=move |_| close()
                >
                    <span aria-hidden="true">{"×"}</span>
                </button>
                <div class="hb-card-head">
                    {sender_face}
                    <h2 class="hb-card-title" id=title_id2>{title}</h2>
                </div>
                <Transition fallback=loading>
                    {
                        // Read under the Transition: the loading screen shows until the
                        // packet's first answer; refetches keep the screen (and the focus).
                        let loaded = Memo::new(move |_| packet.with(Option::is_some));
                        move || loaded.get().then(|| branch.get().map(screen))
                    }
                </Transition>
                <p class="hb-sr-only" role="status" aria-live="polite">{announce}</p>
            </DialogSurface>
        </Dialog>
    }
}

/// A state screen of the card.
fn screen_view(
    state: AppState,
    screen: CardScreen,
    packet: LocalResource<Result<PacketView, ApiError>>,
) -> impl IntoView {
    let lang = move || state.lang.get();
    let view_of = move || packet.get().and_then(Result::ok);
    let message = move || -> String {
        let lang = lang();
        let v = view_of();
        match screen {
            CardScreen::ClaimedOut => Msg::TooLate.text(lang).to_owned(),
            CardScreen::Expired => Msg::Expired.text(lang).to_owned(),
            CardScreen::Recalled => match v.and_then(|v| v.recalled_at) {
                Some(at) => i18n::recalled_at(&hhmm(at), lang),
                None => Msg::Recalled.text(lang).to_owned(),
            },
            CardScreen::NotForYou => {
                i18n::not_for_you(&v.and_then(|v| v.recipient).unwrap_or_default(), lang)
            }
            CardScreen::Pending => {
                let secs = v
                    .and_then(|v| Some((v.deliver_at?, v.created_at)))
                    .map(|(at, sent)| {
                        state
                            .now
                            .get()
                            .secs_left_until(at)
                            .min(sent.secs_left_until(at))
                    })
                    .unwrap_or(0);
                i18n::pending(&countdown_text(secs), lang)
            }
            CardScreen::AlreadyClaimed => Msg::AlreadyClaimed.text(lang).to_owned(),
            CardScreen::Details => match v.and_then(|v| v.recipient) {
                Some(r) => i18n::sent_to(&r, lang),
                None => Msg::Details.text(lang).to_owned(),
            },
            CardScreen::Claimable => String::new(),
        }
    };
    let my_share = move || {
        let user = state.user.get();
        view_of().and_then(|v| v.claim_of(&user).map(|c| c.amount))
    };
    view! {
        <div class="hb-card-screen hb-card-screen--result" data-state-screen=screen.as_str()>
            {(screen == CardScreen::AlreadyClaimed).then(|| view! {
                <p class="hb-amount" data-testid="claimed-amount">
                    {move || my_share().map(|m| m.format(lang())).unwrap_or_default()}
                </p>
            })}
            {if screen.is_refusal() {
                view! { <p class="hb-card-error" data-testid="error-message" role="alert">{message}</p> }.into_any()
            } else {
                view! { <p class="hb-card-note">{message}</p> }.into_any()
            }}
            {screen.shows_details().then(|| view! { <Details packet=packet /> })}
        </div>
    }
}

/// Who got what: the summary, the claims with times, the best-luck badge, refunds.
#[component]
fn Details(packet: LocalResource<Result<PacketView, ApiError>>) -> impl IntoView {
    let state = use_app();
    move || {
        let lang = state.lang.get();
        let v = packet.get().and_then(Result::ok)?;
        let claimed: i64 = v.claims.iter().map(|c| c.amount.fen()).sum();
        let summary = i18n::summary(
            v.claimed_count,
            v.count,
            &Money::from_fen(claimed).format(lang),
            &v.total.format(lang),
            lang,
        );
        let refund = v.refund.filter(|r| r.is_positive()).map(
            |r| view! { <p class="hb-details-refund">{i18n::refunded(&r.format(lang), lang)}</p> },
        );
        let me = state.user.get();
        let items = v
            .claims
            .iter()
            .map(|c| {
                let best = c.best_luck.then(|| {
                    view! {
                        <span class="hb-best-luck" data-testid="best-luck">
                            <span aria-hidden="true">{"👑 "}</span>
                            {Msg::BestLuck.text(lang)}
                        </span>
                    }
                });
                view! {
                    <li
                        class="hb-claim"
                        class:hb-claim--me=c.username == me
                        data-testid="claim-item"
                        data-user=c.username.clone()
                        data-fen=c.amount.fen()
                    >
                        <Face user=c.username.clone() class="hb-claim-avatar" />
                        <span class="hb-claim-who">
                            <span class="hb-claim-name">{display_name(&c.username)}</span>
                            <span class="hb-claim-time">{hhmm(c.claimed_at)}</span>
                        </span>
                        <span class="hb-claim-right">
                            <span class="hb-claim-amount">{c.amount.format(lang)}</span>
                            {best}
                        </span>
                    </li>
                }
            })
            .collect_view();
        let empty = v.claims.is_empty().then(
            || view! { <li class="hb-claim hb-claim--empty">{Msg::NoClaimsYet.text(lang)}</li> },
        );
        Some(view! {
            <section class="hb-details" aria-label=Msg::Details.text(lang)>
                <p class="hb-details-summary">{summary}</p>
                {refund}
                <ol class="hb-claim-list" data-testid="claim-list">
                    {items}
                    {empty}
                </ol>
            </section>
        })
    }
}

/// Animates `shown` from 0 to `target` fen (see [`count_up_duration`]), one frame at a time;
/// stops when the card is gone.
fn count_up(target: i64, shown: RwSignal<i64>, started: f64) {
    request_animation_frame(move || {
        let elapsed = (js_sys::Date::now() - started) as i64;
        let value = count_up_value(target, elapsed, count_up_duration(target));
        if shown.try_set(value).is_some() {
            return;
        }
        if value != target {
            count_up(target, shown, started);
        }
    });
}
