//! After sending (PRODUCT §4): the countdown ring, the Recall button, the recall trace.
//!
//! The sender sees, under their own bubble, a ring with the seconds left and a Recall button
//! for as long as the packet can be recalled at the backend's clock (`state.now`). Recall asks
//! first, in a [`Dialog`] that names the amount and the chat while the countdown goes on
//! (in the ring and in the dialog); everyone sees the trace "recalled by the sender at 14:03"
//! once it is recalled. Times are in the viewer's zone.

pub mod i18n;

use crate::backend::retry;
use crate::dialog::{Dialog, DialogSurface};
use crate::state::use_app;
use hongbao_api::{ErrorCode, PacketView};
use hongbao_engine::{Lang, Money, PacketState, RecallMode, Timestamp};
use i18n::Msg;
use leptos::prelude::*;

/// The viewer's offset from UTC at `t`, in minutes east: times are shown in the viewer's own
/// zone (the browser's, daylight saving included). Outside a browser (native tests) UTC.
/// (The engine's special days and blackout windows keep the policy's zone, UTC+8.)
pub fn viewer_offset_minutes(t: Timestamp) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.millis() as f64));
        -(date.get_timezone_offset() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = t;
        0
    }
}

/// "14:03" at `offset` minutes east of UTC.
pub fn hhmm_at(t: Timestamp, offset: i32) -> String {
    let (h, m) = t.local_hour_minute(offset);
    format!("{h:02}:{m:02}")
}

/// "05-20 14:03" at `offset` minutes east of UTC.
pub fn date_hhmm_at(t: Timestamp, offset: i32) -> String {
    let d = t.local_date(offset);
    format!("{:02}-{:02} {}", d.month, d.day, hhmm_at(t, offset))
}

/// "14:03" in the viewer's zone.
pub fn hhmm(t: Timestamp) -> String {
    hhmm_at(t, viewer_offset_minutes(t))
}

/// "05-20 14:03" in the viewer's zone.
pub fn date_hhmm(t: Timestamp) -> String {
    date_hhmm_at(t, viewer_offset_minutes(t))
}

/// A countdown as the ring shows it: `m:ss`, or `h:mm:ss` from one hour on.
pub fn countdown_text(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Whether the live region speaks at `secs` left: every ten seconds, and each of the last five.
pub fn should_announce(secs: i64) -> bool {
    secs <= 5 || secs % 10 == 0
}

/// The state of `p` at `now` (the view's state is as of its fetch): a pending packet opens
/// at `deliver_at`, an unfinished one expires at `expires_at`.
pub fn state_at(p: &PacketView, now: Timestamp) -> PacketState {
    if p.state.is_finished() {
        return p.state;
    }
    if now >= p.expires_at {
        return PacketState::Expired;
    }
    match p.deliver_at {
        Some(at) if now < at => PacketState::Pending,
        _ => PacketState::Open,
    }
}

/// Seconds left for `user` to recall `p` at `now`, or `None` when the Recall button must not
/// show: not the sender, policy `none`, the deadline passed, finished, or (window mode) a
/// share already claimed. Remainder mode keeps it until the deadline even with claims;
/// delayed mode until delivery.
pub fn recall_secs_left(p: &PacketView, user: &str, now: Timestamp) -> Option<i64> {
    if p.sender != user || p.recall_mode == RecallMode::None {
        return None;
    }
    let deadline = p.recall_deadline?;
    if now >= deadline || state_at(p, now).is_finished() {
        return None;
    }
    if p.recall_mode == RecallMode::Window && p.claimed_count > 0 {
        return None;
    }
    // `now` may lag the backend by up to a second: never more than the whole window.
    Some(now.secs_left_until(deadline).min(window_secs(p)))
}

/// The length of the whole recall window, in seconds (the ring's full circle).
pub fn window_secs(p: &PacketView) -> i64 {
    p.recall_deadline
        .map(|d| p.created_at.secs_left_until(d))
        .unwrap_or(0)
        .max(1)
}

/// The fraction of the ring still lit, in per mille (integer; drawing only).
pub fn ring_permille(left: i64, total: i64) -> i64 {
    (left.clamp(0, total.max(1)) * 1000) / total.max(1)
}

/// Under the sender's bubble: the countdown ring and the Recall button, while recallable.
#[component]
pub fn RecallControls(packet: PacketView) -> impl IntoView {
    let state = use_app();
    let id = packet.id;
    let total = window_secs(&packet);
    let sender = StoredValue::new(packet.sender.clone());
    let chat_id = StoredValue::new(packet.chat_id.clone());
    let remaining = packet.remaining;
    let p = StoredValue::new(packet);
    let left = Memo::new(move |_| {
        let (user, now) = (state.user.get(), state.now.get());
        p.with_value(|p| recall_secs_left(p, &user, now))
    });
    // What the live region says: changes only at the announcement points.
    let announced = Memo::new(move |prev: Option<&Option<i64>>| match left.get() {
        Some(s) if should_announce(s) => Some(s),
        Some(_) => prev.copied().flatten(),
        None => None,
    });
    // The confirmation dialog is open; `confirming`: the policy asked for the extra
    // authorization (`recall_needs_authorization`), which the dialog's second Confirm gives.
    let asking = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let lang = move || state.lang.get();

    // The recall (`authorized`: the sender confirmed a recall that needs it).
    let recall = Action::new_local(move |&authorized: &bool| {
        let (backend, user) = (state.backend(), state.user.get_untracked());
        async move {
            let result = retry(3, || backend.recall(&user, id, authorized)).await;
            if result.is_ok() {
                crate::lab::events::recalled(id);
            }
            let asks = matches!(&result, Err(e) if e.code == ErrorCode::RecallNeedsAuthorization);
            if !asks || authorized {
                state.changed();
            }
            (authorized, result)
        }
    });
    let busy = recall.pending();
    Effect::watch(
        move || recall.version().get(),
        move |_, _, _| {
            let Some((authorized, result)) = recall.value().get_untracked() else {
                return;
            };
            let done = |message: Option<String>| {
                let _ = asking.try_set(false);
                let _ = confirming.try_set(false);
                let _ = error.try_set(message);
            };
            match result {
                // `recalled`: an earlier attempt went through and its response was lost.
                Ok(_) => done(None),
                Err(e) => match e.code {
                    ErrorCode::Recalled => done(None),
                    ErrorCode::RecallNeedsAuthorization if !authorized => confirming.set(true),
                    _ => done(Some(e.message)),
                },
            }
        },
        false,
    );
    let recall = move |authorized: bool| {
        if !busy.get_untracked() {
            error.set(None);
            recall.dispatch(authorized);
        }
    };
    let close = move || {
        asking.set(false);
        confirming.set(false);
    };
    // The dialog names the amount (what is still in the packet) and the chat.
    let confirm_text = move || {
        let lang = lang();
        let chat = chat_id.with_value(|c| crate::chat::chat_title(c, &state.user.get(), lang));
        i18n::confirm_text(&remaining.format(lang), &chat, lang)
    };

    // The ring's path length is 1000 (`pathLength`), so the unlit part is 1000 − per mille.
    let ring = move || 1000 - ring_permille(left.get().unwrap_or(0), total);
    let recall_label = move || sender.with_value(|s| i18n::recall_packet(s, lang()));

    view! {
        <Show when=move || left.get().is_some()>
            <div class="hb-recall" data-packet-id=id>
                <div
                    class="hb-recall-ring"
                    data-testid="recall-countdown"
                    role="timer"
                    aria-live="polite"
                    aria-atomic="true"
                    aria-label=move || i18n::secs_left(left.get().unwrap_or(0), lang())
                    data-secs-left=move || left.get().unwrap_or(0)
                >
                    <svg viewBox="0 0 44 44" width="44" height="44" aria-hidden="true" focusable="false">
                        <circle class="hb-ring-track" cx="22" cy="22" r="18" fill={"none"} stroke-width="4" />
                        <circle
                            class="hb-ring-progress"
                            cx="22"
                            cy="22"
                            r="18"
                            fill="none"
                            stroke-width="4"
                            stroke-linecap="round"
                            transform="rotate(-90 22 22)"
                            pathLength="1000"
                            stroke-dasharray="1000"
                            stroke-dashoffset=ring
                        />
                    </svg>
                    <span class="hb-recall-secs" aria-hidden="true">
                        {move || countdown_text(left.get().unwrap_or(0))}
                    </span>
                    <span class="hb-sr-only">
                        {move || announced.get().map(|s| i18n::secs_left(s, lang())).unwrap_or_default()}
                    </span>
                </div>
                <button
                    class="hb-recall-button"
                    data-testid="recall-button"
                    aria-label=recall_label
                    aria-haspopup="dialog"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().to_string()
                    on:click=move |_| {
                        error.set(None);
                        asking.set(true);
                    }
                >
                    {move || if busy.get() { Msg::Recalling.text(lang()) } else { Msg::Recall.text(lang()) }}
                </button>
                // The confirmation: the countdown goes on under it and in it; the window
                // closing takes it away with the button.
                <Show when=move || asking.get()>
                    {move || {
                        // A split point (src/split.rs): the dialog's code loads when first asked for.
                        let text = Signal::derive(move || {
                            if confirming.get() {
                                Msg::NeedsConfirmation.text(lang()).to_owned()
                            } else {
                                confirm_text()
                            }
                        });
                        let secs = Signal::derive(move || left.get().unwrap_or(0));
                        let busy = Signal::derive(move || busy.get());
                        let on_confirm = Callback::new(move |()| recall(confirming.get_untracked()));
                        let on_close = Callback::new(move |()| close());
                        crate::split::show(state.lang.into(), move || {
                            crate::split::recall_dialog(id, text, secs, busy, on_confirm, on_close)
                        })
                    }}
                </Show>
            </div>
        </Show>
        {move || {
            error
                .get()
                .map(|message| {
                    view! {
                        <p class="hb-recall-error" data-testid="error-message" role="alert">
                            {message}
                        </p>
                    }
                })
        }}
    }
}

/// The recall's confirmation (loaded as a split point when first asked for): names the amount
/// and the chat (`text`), shows the seconds left (`secs`, still running), Cancel (with the
/// focus: the safe choice) and Confirm.
#[component]
pub fn RecallDialog(
    id: u64,
    text: Signal<String>,
    secs: Signal<i64>,
    busy: Signal<bool>,
    on_confirm: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    view! {
        <Dialog backdrop_class="hb-confirm-backdrop" on_close=move |_| on_close.run(())>
            <DialogSurface
                class="hb-confirm"
                attr:data-testid="recall-dialog"
                attr:data-packet-id=id
                attr:aria-labelledby=format!("hb-recall-title-{id}")
                attr:aria-describedby=format!("hb-recall-text-{id}")
            >
                <h2 class="hb-confirm-title" id=format!("hb-recall-title-{id}")>{move || Msg::RecallTitle.text(lang())}</h2>
                <p class="hb-confirm-text" id=format!("hb-recall-text-{id}") data-testid="recall-dialog-text">
                    {text}
                </p>
                <p class="hb-confirm-secs" data-testid="recall-dialog-countdown" data-secs-left=secs>
                    {move || i18n::secs_left(secs.get(), lang())}
                </p>
                <div class="hb-confirm-actions">
                    <button
                        class="hb-recall-cancel"
                        data-testid="recall-cancel"
                        data-autofocus=""
                        on:click=move |_| on_close.run(())
                    >
                        {move || Msg::Cancel.text(lang())}
                    </button>
                    <button
                        class="hb-recall-button hb-recall-confirm"
                        data-testid="recall-confirm"
                        disabled=busy
                        aria-busy=move || busy.get().to_string()
                        on:click=move |_| on_confirm.run(())
                    >
                        {move || if busy.get() { Msg::Recalling.text(lang()) } else { Msg::ConfirmRecall.text(lang()) }}
                    </button>
                </div>
            </DialogSurface>
        </Dialog>
    }
}

/// The trace of a recalled packet: "红包已被发送者于 14:03 撤回" for everyone, with the refund
/// for the sender.
#[component]
pub fn RecallTrace(packet: PacketView) -> impl IntoView {
    let state = use_app();
    let at = packet
        .recalled_at
        .filter(|_| packet.state == PacketState::Recalled);
    let sender = packet.sender.clone();
    let refund = packet.refund.unwrap_or(Money::ZERO);
    at.map(|at| {
        let text = move || {
            let lang: Lang = state.lang.get();
            if state.user.get() == sender {
                i18n::trace_mine(&hhmm(at), &refund.format(lang), lang)
            } else {
                i18n::trace(&hhmm(at), lang)
            }
        };
        view! {
            <p class="hb-system-line hb-recall-trace" data-testid="recall-trace" data-packet-id=packet.id>
                {text}
            </p>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_api::ClaimView;
    use hongbao_engine::PacketKindTag;

    fn t0() -> Timestamp {
        Timestamp::from_utc(2026, 5, 20, 6, 3, 0)
    }

    fn view(mode: RecallMode, claims: u32) -> PacketView {
        let created = t0();
        PacketView {
            id: 7,
            chat_id: "family".into(),
            sender: "alice".into(),
            kind: PacketKindTag::Lucky,
            recipient: None,
            greeting: "hi".into(),
            total: Money::from_fen(1000),
            per_share: None,
            count: 3,
            claimed_count: claims,
            remaining: Money::from_fen(1000 - 100 * i64::from(claims)),
            state: PacketState::Open,
            created_at: created,
            deliver_at: (mode == RecallMode::Delayed).then(|| created.plus_secs(60)),
            expires_at: created.plus_hours(24),
            recall_mode: mode,
            recall_deadline: match mode {
                RecallMode::None => None,
                RecallMode::Delayed => Some(created.plus_secs(60)),
                _ => Some(created.plus_secs(120)),
            },
            can_recall: true,
            recalled_at: None,
            refund: None,
            claims: (0..claims)
                .map(|i| ClaimView {
                    username: format!("u{i}"),
                    amount: Money::from_fen(100),
                    claimed_at: created,
                    best_luck: false,
                })
                .collect(),
        }
    }

    #[test]
    fn recall_shows_only_for_the_sender_inside_the_window() {
        let p = view(RecallMode::Window, 0);
        assert_eq!(recall_secs_left(&p, "alice", t0()), Some(120));
        assert_eq!(
            recall_secs_left(&p, "alice", t0().plus_millis(500)),
            Some(120)
        );
        assert_eq!(recall_secs_left(&p, "alice", t0().plus_secs(119)), Some(1));
        assert_eq!(recall_secs_left(&p, "alice", t0().plus_secs(120)), None);
        assert_eq!(recall_secs_left(&p, "bob", t0()), None);
        assert_eq!(
            recall_secs_left(&p, "alice", t0().plus_millis(-900)),
            Some(120)
        );
        assert_eq!(window_secs(&p), 120);
    }

    #[test]
    fn window_mode_closes_on_the_first_claim_remainder_does_not() {
        assert_eq!(
            recall_secs_left(&view(RecallMode::Window, 1), "alice", t0()),
            None
        );
        assert_eq!(
            recall_secs_left(&view(RecallMode::Remainder, 2), "alice", t0().plus_secs(20)),
            Some(100)
        );
        let mut out = view(RecallMode::Remainder, 3);
        out.state = PacketState::ClaimedOut;
        assert_eq!(recall_secs_left(&out, "alice", t0()), None);
    }

    #[test]
    fn delayed_until_delivery_and_none_never() {
        let p = view(RecallMode::Delayed, 0);
        assert_eq!(state_at(&p, t0()), PacketState::Pending);
        assert_eq!(recall_secs_left(&p, "alice", t0().plus_secs(59)), Some(1));
        assert_eq!(recall_secs_left(&p, "alice", t0().plus_secs(60)), None);
        assert_eq!(state_at(&p, t0().plus_secs(60)), PacketState::Open);
        assert_eq!(
            recall_secs_left(&view(RecallMode::None, 0), "alice", t0()),
            None
        );
        let mut recalled = view(RecallMode::Window, 0);
        recalled.state = PacketState::Recalled;
        assert_eq!(recall_secs_left(&recalled, "alice", t0()), None);
        // Expired by the clock even before the backend noticed.
        let p = view(RecallMode::Window, 0);
        assert_eq!(state_at(&p, t0().plus_hours(24)), PacketState::Expired);
    }

    #[test]
    fn countdown_text_and_announcements() {
        assert_eq!(countdown_text(120), "2:00");
        assert_eq!(countdown_text(59), "0:59");
        assert_eq!(countdown_text(3), "0:03");
        assert_eq!(countdown_text(3725), "1:02:05");
        assert_eq!(countdown_text(-4), "0:00");
        let spoken: Vec<i64> = (0..=30).rev().filter(|&s| should_announce(s)).collect();
        assert_eq!(spoken, vec![30, 20, 10, 5, 4, 3, 2, 1, 0]);
        assert_eq!(ring_permille(60, 120), 500);
        assert_eq!(ring_permille(200, 120), 1000);
    }

    #[test]
    fn times_are_in_the_viewers_zone() {
        // t0 is 06:03 UTC.
        assert_eq!(hhmm_at(t0(), 480), "14:03");
        assert_eq!(date_hhmm_at(t0(), 480), "05-20 14:03");
        assert_eq!(date_hhmm_at(t0(), -480), "05-19 22:03");
        assert_eq!(date_hhmm_at(t0(), 0), "05-20 06:03");
        assert_eq!(date_hhmm(t0()), "05-20 06:03", "UTC outside a browser");
    }
}
