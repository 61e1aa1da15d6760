//! The wallet: the acting user's balance and ledger (newest first). An entry about a packet
//! leads to it: its chat opens with its card.

pub mod i18n;

use crate::backend::retry;
use crate::flows::claim::i18n as claim_i18n;
use crate::flows::recall::date_hhmm;
use crate::state::{AppState, Screen, use_app};
use hongbao_api::LedgerEntry;
use hongbao_engine::{EntryKind, Lang, Money, PacketKindTag};
use i18n::Msg;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;

/// What a ledger row says of its packet: where it was sent, its greeting and kind.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketFacts {
    pub chat_id: String,
    pub greeting: String,
    pub kind: PacketKindTag,
}

impl PacketFacts {
    /// "相亲相爱一家人 · 恭喜发财 · 拼手气红包" / "Family · Best wishes · Lucky packet", the chat
    /// named as `viewer` sees it.
    pub fn describe(&self, viewer: &str, lang: Lang) -> String {
        let chat = crate::chat::chat_title(&self.chat_id, viewer, lang);
        let greeting = if self.greeting.trim().is_empty() {
            claim_i18n::Msg::DefaultGreeting.text(lang)
        } else {
            self.greeting.trim()
        };
        let kind = claim_i18n::kind(self.kind, lang);
        [chat.as_str(), greeting, kind]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The facts of every packet in the acting user's chats, filled in as each chat answers
/// (the ledger lists ids only; a packet's facts do not depend on who looks).
fn packet_facts(state: AppState) -> RwSignal<HashMap<u64, PacketFacts>> {
    let facts = RwSignal::new(HashMap::new());
    Effect::new(move |_| {
        let (user, _) = (state.user.get(), state.revision.get());
        let backend = state.backend();
        spawn_local(async move {
            let Ok(chats) = retry(5, || backend.chats(&user)).await else {
                return;
            };
            for chat in chats {
                let (backend, user) = (backend.clone(), user.clone());
                spawn_local(async move {
                    let Ok(list) = retry(5, || backend.chat_packets(&user, &chat.id)).await else {
                        return;
                    };
                    let _ = facts.try_update(|m| {
                        for p in list {
                            let f = PacketFacts {
                                chat_id: p.chat_id,
                                greeting: p.greeting,
                                kind: p.kind,
                            };
                            m.insert(p.id, f);
                        }
                    });
                });
            }
        });
    });
    facts
}

/// The signed effect of an entry in fen (negative for a debit).
pub fn signed_fen(kind: EntryKind, amount: Money) -> i64 {
    if kind.is_incoming() {
        amount.fen()
    } else {
        -amount.fen()
    }
}

/// "+¥1.23" / "−¥1.23" (a true minus sign).
pub fn signed_text(kind: EntryKind, amount: Money, lang: Lang) -> String {
    let sign = if kind.is_incoming() { '+' } else { '−' };
    format!("{sign}{}", Money::from_fen(amount.fen().abs()).format(lang))
}

#[component]
pub fn WalletScreen() -> impl IntoView {
    let state = use_app();
    let lang = move || state.lang.get();
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        let (user, _) = (state.user.get(), state.revision.get());
        let backend = state.backend();
        async move {
            let me = retry(5, || backend.me(&user)).await?;
            let ledger = retry(5, || backend.ledger(&user)).await?;
            Ok::<_, hongbao_api::ApiError>((me, ledger))
        }
    });

    let open_packet = move |id: u64| {
        let backend = state.backend();
        let user = state.user.get_untracked();
        error.set(None);
        spawn_local(async move {
            match retry(5, || backend.packet(&user, id)).await {
                Ok(p) => {
                    state.screen.set(Screen::Chat(p.chat_id));
                    state.open_packet.set(Some(id));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let facts = packet_facts(state);
    // What a row says of packet `id`: its chat, greeting and kind once known. (The acting user
    // is read untracked: a new user gets a new list. `try_with`: a row of a list being replaced
    // may run once more.)
    let about = move |id: u64| {
        let lang = lang();
        let user = state.user.get_untracked();
        facts
            .try_with(|m| m.get(&id).map(|f| f.describe(&user, lang)))
            .flatten()
            .unwrap_or_else(|| i18n::packet_ref(id, lang))
    };
    let income_red = move || state.settings.with(|s| s.income.is_red(lang()));

    let entry = move |e: LedgerEntry| {
        let lang = lang();
        let label = i18n::kind_label(e.kind).text(lang);
        let amount = signed_text(e.kind, e.amount, lang);
        let incoming = e.kind.is_incoming();
        let content = view! {
            <span class="hb-ledger-text">
                <span class="hb-ledger-kind">{label}</span>
                {e.packet_id.map(|id| view! {
                    <span class="hb-ledger-sub" data-testid="ledger-packet">{move || about(id)}</span>
                })}
                <span class="hb-ledger-sub" data-testid="ledger-time">{date_hhmm(e.at)}</span>
            </span>
            <span
                class="hb-ledger-amount"
                class:hb-ledger-amount--in=incoming
                class:hb-income-red=move || incoming && income_red()
                data-testid="ledger-amount"
            >
                {amount.clone()}
            </span>
        };
        let inner = match e.packet_id {
            Some(id) => view! {
                <button
                    class="hb-ledger-row hb-ledger-link"
                    data-testid="ledger-open"
                    on:click=move |_| open_packet(id)
                >
                    {content}
                    <span class="hb-ledger-chevron" aria-hidden="true">{"›"}</span>
                </button>
            }
            .into_any(),
            None => view! { <div class="hb-ledger-row">{content}</div> }.into_any(),
        };
        view! {
            <li
                class="hb-ledger-item"
                data-testid="ledger-entry"
                data-kind=e.kind.as_str()
                data-packet-id=e.packet_id
                data-fen=signed_fen(e.kind, e.amount)
            >
                {inner}
            </li>
        }
    };

    view! {
        <section class="hb-wallet" aria-labelledby="hb-wallet-balance-label">
            <Transition fallback=move || view! { <p class="hb-muted">{move || Msg::Loading.text(lang())}</p> }>
            {move || data.get().map(|loaded| match loaded {
                Err(e) => view! {
                    <div class="hb-wallet-error">
                        <p class="hb-error" data-testid="error-message" role="alert">{e.message}</p>
                        <button class="hb-wallet-retry" data-testid="retry-button" on:click=move |_| data.refetch()>
                            {move || Msg::Retry.text(lang())}
                        </button>
                    </div>
                }
                .into_any(),
                Ok((me, ledger)) => {
                    let empty = ledger.is_empty();
                    view! {
                        <div class="hb-balance-card">
                            <p class="hb-balance-label" id="hb-wallet-balance-label">{move || Msg::Balance.text(lang())}</p>
                            <p class="hb-balance" data-testid="wallet-balance" data-user=me.username.clone() data-fen=me.balance.fen()>
                                {move || me.balance.format(lang())}
                            </p>
                        </div>
                        <h2 class="hb-ledger-title">{move || Msg::Ledger.text(lang())}</h2>
                        <ul class="hb-ledger" data-testid="ledger">
                            {ledger.into_iter().map(entry).collect_view()}
                            {empty.then(|| view! { <li class="hb-muted">{move || Msg::NoEntries.text(lang())}</li> })}
                        </ul>
                    }
                    .into_any()
                }
            })}
            </Transition>
            {move || error.get().map(|m| view! { <p class="hb-error" data-testid="error-message" role="alert">{m}</p> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_labels_and_signs() {
        let cases = [
            (
                EntryKind::Grant,
                "初始资金",
                "Opening balance",
                "+¥1,000.00",
            ),
            (EntryKind::Debit, "发出红包", "Sent", "−¥1,000.00"),
            (EntryKind::Credit, "领取红包", "Received", "+¥1,000.00"),
            (
                EntryKind::RefundExpiry,
                "退款·过期",
                "Refund (expired)",
                "+¥1,000.00",
            ),
            (
                EntryKind::RefundRecall,
                "撤回退款",
                "Refund (recalled)",
                "+¥1,000.00",
            ),
        ];
        let amount = Money::from_fen(100_000);
        for (kind, zh, en, signed) in cases {
            assert_eq!(i18n::kind_label(kind).text(Lang::Zh), zh);
            assert_eq!(i18n::kind_label(kind).text(Lang::En), en);
            assert_eq!(signed_text(kind, amount, Lang::En), signed);
        }
        assert_eq!(signed_fen(EntryKind::Debit, Money::from_fen(188)), -188);
        assert_eq!(signed_fen(EntryKind::Credit, Money::from_fen(188)), 188);
        assert_eq!(i18n::packet_ref(12, Lang::En), "Packet #12");
    }

    #[test]
    fn a_row_names_the_chat_greeting_and_kind() {
        let facts = PacketFacts {
            chat_id: "family".into(),
            greeting: " ".into(),
            kind: PacketKindTag::Lucky,
        };
        assert_eq!(
            facts.describe("alice", Lang::Zh),
            "相亲相爱一家人 · 恭喜发财，大吉大利 · 拼手气红包"
        );
        let direct = PacketFacts {
            chat_id: "alice-bob".into(),
            greeting: "Lunch".into(),
            kind: PacketKindTag::Personal,
        };
        assert_eq!(
            direct.describe("alice", Lang::En),
            "Bob · Lunch · Red packet"
        );
        assert_eq!(
            direct.describe("bob", Lang::En),
            "Alice · Lunch · Red packet"
        );
    }
}
