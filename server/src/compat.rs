//! Requests in the shapes earlier widgets send, rewritten into today's at the edge.
//!
//! An embedded widget may be a cached copy of an earlier release talking to a newer server,
//! so the server keeps reading what the previous release's widget sent, and only that (the
//! shapes are recognised exactly; nothing else is guessed).

use hongbao_engine::PacketKindTag;
use serde_json::{Map, Value};

use crate::error::AppError;

/// Rewrites a new packet in the first release's shape into today's (see
/// [`hongbao_api::NewPacket`]); today's requests are left alone.
///
/// The first release sent `{"chat_id", "kind", "amount", "count", "greeting", "recipient"?,
/// "split"?, "idempotency_key"}`, where `amount` was the total of a lucky packet and the
/// per-share amount of the others, `recipient` named the recipient of a personal or
/// exclusive packet, and `count` (1 when left out) was read only for lucky and normal
/// packets. It is recognised by `recipient`, or by `amount` on a lucky or normal packet
/// (today `amount` belongs to personal and exclusive packets only); mixed with today's
/// `total`, `per_share` or `to` it is refused as ambiguous.
pub fn upgrade_new_packet(map: &mut Map<String, Value>) -> Result<(), AppError> {
    let Some(kind) = map
        .get("kind")
        .and_then(Value::as_str)
        .and_then(PacketKindTag::parse)
    else {
        // Not a kind of packet: today's parser says so.
        return Ok(());
    };
    let shares = matches!(kind, PacketKindTag::Lucky | PacketKindTag::Normal);
    let first_release = map.contains_key("recipient") || (shares && map.contains_key("amount"));
    if !first_release {
        return Ok(());
    }
    if ["total", "per_share", "to"]
        .iter()
        .any(|today| map.contains_key(*today))
    {
        return Err(AppError::invalid(
            "a packet is either {total | per_share, count} or {to, amount}, not the first \
             release's {amount, count, recipient} mixed with them",
        ));
    }
    if shares {
        if let Some(amount) = map.remove("amount") {
            let field = if kind == PacketKindTag::Lucky {
                "total"
            } else {
                "per_share"
            };
            map.insert(field.to_owned(), amount);
        }
        map.entry("count").or_insert(Value::from(1));
    } else {
        // One share: the count was never read.
        map.remove("count");
        if let Some(recipient) = map.remove("recipient") {
            map.insert("to".to_owned(), recipient);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_api::NewPacket;
    use hongbao_engine::{Money, PacketKind, SplitRule};

    fn upgrade(json: &str) -> Result<NewPacket, String> {
        let Value::Object(mut map) = serde_json::from_str(json).unwrap() else {
            panic!("an object");
        };
        upgrade_new_packet(&mut map).map_err(|e| e.error.message)?;
        serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
    }

    /// Exactly what the first release's widget sent (`serde_json` of its `NewPacket`).
    #[test]
    fn the_first_releases_requests_read_as_todays() {
        let cases = [
            (
                r#"{"chat_id":"family","kind":"lucky","amount":"18.80","count":3,"greeting":"恭喜发财","idempotency_key":"k1"}"#,
                PacketKind::Lucky {
                    total: Money::from_fen(1_880),
                    count: 3,
                    split: None,
                },
            ),
            (
                r#"{"chat_id":"family","kind":"lucky","amount":"18.80","count":3,"greeting":"恭喜发财","split":"line_cutting","idempotency_key":"k1"}"#,
                PacketKind::Lucky {
                    total: Money::from_fen(1_880),
                    count: 3,
                    split: Some(SplitRule::LineCutting),
                },
            ),
            (
                r#"{"chat_id":"family","kind":"normal","amount":"1.88","count":10,"greeting":"恭喜发财","idempotency_key":"k1"}"#,
                PacketKind::Normal {
                    per_share: Money::from_fen(188),
                    count: 10,
                },
            ),
            (
                r#"{"chat_id":"family","kind":"personal","amount":"5.20","count":1,"greeting":"恭喜发财","recipient":"bob","idempotency_key":"k1"}"#,
                PacketKind::Personal {
                    to: "bob".into(),
                    amount: Money::from_fen(520),
                },
            ),
            (
                r#"{"chat_id":"family","kind":"exclusive","amount":"5.20","count":1,"greeting":"恭喜发财","recipient":"bob","idempotency_key":"k1"}"#,
                PacketKind::Exclusive {
                    to: "bob".into(),
                    amount: Money::from_fen(520),
                },
            ),
            // `count` was optional (1).
            (
                r#"{"chat_id":"family","kind":"lucky","amount":"18.80","greeting":"恭喜发财","idempotency_key":"k1"}"#,
                PacketKind::Lucky {
                    total: Money::from_fen(1_880),
                    count: 1,
                    split: None,
                },
            ),
        ];
        for (json, kind) in cases {
            let p = upgrade(json).unwrap();
            assert_eq!(p.kind, kind, "{json}");
            assert_eq!(p.chat_id, "family");
            assert_eq!(p.greeting, "恭喜发财");
            assert_eq!(p.idempotency_key, "k1");
        }
    }

    #[test]
    fn todays_requests_are_left_alone_and_mixtures_refused() {
        let today = r#"{"kind":"personal","chat_id":"ab","to":"bob","amount":"5.20","idempotency_key":"k"}"#;
        assert_eq!(
            upgrade(today).unwrap().kind,
            PacketKind::Personal {
                to: "bob".into(),
                amount: Money::from_fen(520)
            }
        );
        for mixed in [
            r#"{"kind":"lucky","chat_id":"f","amount":"1.00","total":"1.00","count":1,"idempotency_key":"k"}"#,
            r#"{"kind":"personal","chat_id":"f","to":"bob","recipient":"carol","amount":"1.00","idempotency_key":"k"}"#,
        ] {
            assert!(upgrade(mixed).unwrap_err().contains("mixed"), "{mixed}");
        }
    }
}
