//! `POST /api/v1/packets` (and `/packets/preview`): what a sender asks for.

use hongbao_engine::{Money, PacketKind, PacketKindTag, SendRequest, SplitRule};
use serde::{Deserialize, Serialize};

use crate::ChatInfo;

/// A packet to send: the fields every packet has, and its kind with that kind's own fields
/// (the engine's [`PacketKind`]: lucky `{total, count, split}`, normal `{per_share, count}`,
/// personal `{to, amount}`, exclusive `{to, amount}`), so that no field's meaning depends on
/// another field.
///
/// On the wire one flat object with `kind` as its tag:
///
/// ```json
/// {"kind":"lucky","chat_id":"family","total":"18.80","count":3,"greeting":"恭喜发财","idempotency_key":"k1"}
/// {"kind":"normal","chat_id":"family","per_share":"1.88","count":10,"greeting":"","idempotency_key":"k2"}
/// {"kind":"personal","chat_id":"alice-bob","to":"bob","amount":"5.20","greeting":"","idempotency_key":"k3"}
/// {"kind":"exclusive","chat_id":"family","to":"bob","amount":"5.20","greeting":"","idempotency_key":"k4"}
/// ```
///
/// A lucky packet may name its `split` (`double_mean`, `line_cutting`; the policy's default
/// otherwise); `greeting` may be left out (empty). A field of another kind is refused, as
/// is a missing one. Money is a decimal string (`"18.80"`), never a JSON number.
///
/// The object is read through a flat struct of optional fields rather than by serde's
/// derive for an internally tagged enum, which would buffer it first and cost the browser
/// bundle serde's generic buffering code (as `PacketKind` in the engine).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NewPacketWire", into = "NewPacketWire")]
pub struct NewPacket {
    pub chat_id: String,
    /// The kind, with its amounts, count, split rule or recipient.
    pub kind: PacketKind,
    pub greeting: String,
    /// Scoped per sender: the same key with the same request returns the first packet.
    pub idempotency_key: String,
}

impl NewPacket {
    /// The engine's request for `sender` in `chat` (the chat as the server or the mock knows
    /// it, with its members).
    pub fn to_request(&self, sender: &str, chat: &ChatInfo) -> SendRequest {
        SendRequest {
            sender: sender.to_owned(),
            chat: chat.to_ref(),
            kind: self.kind.clone(),
            greeting: self.greeting.clone(),
            idempotency_key: self.idempotency_key.clone(),
        }
    }
}

/// The JSON of [`NewPacket`], field by field.
#[derive(Serialize, Deserialize)]
struct NewPacketWire {
    kind: PacketKindTag,
    chat_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    per_share: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    split: Option<SplitRule>,
    #[serde(default)]
    greeting: String,
    idempotency_key: String,
}

impl From<NewPacket> for NewPacketWire {
    fn from(p: NewPacket) -> NewPacketWire {
        let mut w = NewPacketWire {
            kind: p.kind.tag(),
            chat_id: p.chat_id,
            to: None,
            amount: None,
            total: None,
            per_share: None,
            count: None,
            split: None,
            greeting: p.greeting,
            idempotency_key: p.idempotency_key,
        };
        match p.kind {
            PacketKind::Lucky {
                total,
                count,
                split,
            } => {
                w.total = Some(total);
                w.count = Some(count);
                w.split = split;
            }
            PacketKind::Normal { per_share, count } => {
                w.per_share = Some(per_share);
                w.count = Some(count);
            }
            PacketKind::Personal { to, amount } | PacketKind::Exclusive { to, amount } => {
                w.to = Some(to);
                w.amount = Some(amount);
            }
        }
        w
    }
}

impl TryFrom<NewPacketWire> for NewPacket {
    type Error = String;

    fn try_from(w: NewPacketWire) -> Result<NewPacket, String> {
        fn required<T>(value: Option<T>, name: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{name}`"))
        }
        let tag = w.kind;
        let foreign = |present: bool, name: &str| {
            if present {
                Err(format!(
                    "`{name}` is not a field of {} packets",
                    tag.as_str()
                ))
            } else {
                Ok(())
            }
        };
        let kind = match tag {
            PacketKindTag::Lucky => {
                foreign(w.to.is_some(), "to")?;
                foreign(w.amount.is_some(), "amount")?;
                foreign(w.per_share.is_some(), "per_share")?;
                PacketKind::Lucky {
                    total: required(w.total, "total")?,
                    count: required(w.count, "count")?,
                    split: w.split,
                }
            }
            PacketKindTag::Normal => {
                foreign(w.to.is_some(), "to")?;
                foreign(w.amount.is_some(), "amount")?;
                foreign(w.total.is_some(), "total")?;
                foreign(w.split.is_some(), "split")?;
                PacketKind::Normal {
                    per_share: required(w.per_share, "per_share")?,
                    count: required(w.count, "count")?,
                }
            }
            PacketKindTag::Personal | PacketKindTag::Exclusive => {
                foreign(w.total.is_some(), "total")?;
                foreign(w.per_share.is_some(), "per_share")?;
                foreign(w.count.is_some(), "count")?;
                foreign(w.split.is_some(), "split")?;
                let to = required(w.to, "to")?;
                let amount = required(w.amount, "amount")?;
                if tag == PacketKindTag::Personal {
                    PacketKind::Personal { to, amount }
                } else {
                    PacketKind::Exclusive { to, amount }
                }
            }
        };
        Ok(NewPacket {
            chat_id: w.chat_id,
            kind,
            greeting: w.greeting,
            idempotency_key: w.idempotency_key,
        })
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use std::borrow::Cow;

    use utoipa::openapi::{RefOr, Schema};

    /// The OpenAPI schema of [`NewPacket`](super::NewPacket): one object per kind
    /// (`crate::openapi::NewPacketDoc`).
    impl utoipa::PartialSchema for super::NewPacket {
        fn schema() -> RefOr<Schema> {
            <crate::openapi::NewPacketDoc as utoipa::PartialSchema>::schema()
        }
    }

    impl utoipa::ToSchema for super::NewPacket {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("NewPacket")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::ChatKind;

    fn lucky() -> NewPacket {
        NewPacket {
            chat_id: "family".into(),
            kind: PacketKind::Lucky {
                total: Money::from_fen(1_880),
                count: 3,
                split: None,
            },
            greeting: "恭喜发财".into(),
            idempotency_key: "k1".into(),
        }
    }

    #[test]
    fn each_kind_has_its_own_fields_on_the_wire() {
        let cases = [
            (
                lucky(),
                r#"{"kind":"lucky","chat_id":"family","total":"18.80","count":3,"greeting":"恭喜发财","idempotency_key":"k1"}"#,
            ),
            (
                NewPacket {
                    kind: PacketKind::Lucky {
                        total: Money::from_fen(1_880),
                        count: 3,
                        split: Some(SplitRule::LineCutting),
                    },
                    ..lucky()
                },
                r#"{"kind":"lucky","chat_id":"family","total":"18.80","count":3,"split":"line_cutting","greeting":"恭喜发财","idempotency_key":"k1"}"#,
            ),
            (
                NewPacket {
                    kind: PacketKind::Normal {
                        per_share: Money::from_fen(188),
                        count: 10,
                    },
                    ..lucky()
                },
                r#"{"kind":"normal","chat_id":"family","per_share":"1.88","count":10,"greeting":"恭喜发财","idempotency_key":"k1"}"#,
            ),
            (
                NewPacket {
                    chat_id: "alice-bob".into(),
                    kind: PacketKind::Personal {
                        to: "bob".into(),
                        amount: Money::from_fen(520),
                    },
                    ..lucky()
                },
                r#"{"kind":"personal","chat_id":"alice-bob","to":"bob","amount":"5.20","greeting":"恭喜发财","idempotency_key":"k1"}"#,
            ),
            (
                NewPacket {
                    kind: PacketKind::Exclusive {
                        to: "bob".into(),
                        amount: Money::from_fen(520),
                    },
                    ..lucky()
                },
                r#"{"kind":"exclusive","chat_id":"family","to":"bob","amount":"5.20","greeting":"恭喜发财","idempotency_key":"k1"}"#,
            ),
        ];
        for (packet, json) in cases {
            assert_eq!(serde_json::to_string(&packet).unwrap(), json);
            assert_eq!(serde_json::from_str::<NewPacket>(json).unwrap(), packet);
        }
        // The greeting may be left out.
        let p: NewPacket = serde_json::from_str(
            r#"{"kind":"lucky","chat_id":"family","total":"18.80","count":3,"idempotency_key":"k1"}"#,
        )
        .unwrap();
        assert_eq!(p.greeting, "");
    }

    #[test]
    fn missing_and_foreign_fields_are_named() {
        let err = |json: &str| {
            serde_json::from_str::<NewPacket>(json)
                .unwrap_err()
                .to_string()
        };
        let base = r#""chat_id":"family","idempotency_key":"k""#;
        for (fields, expected) in [
            (r#""kind":"lucky","count":3"#, "missing field `total`"),
            (r#""kind":"lucky","total":"1.00""#, "missing field `count`"),
            (
                r#""kind":"lucky","total":"1.00","count":3,"to":"bob""#,
                "`to` is not a field of lucky packets",
            ),
            (
                r#""kind":"lucky","amount":"1.00","count":3"#,
                "`amount` is not a field of lucky packets",
            ),
            (
                r#""kind":"lucky","total":"1.00","count":3,"per_share":"1.00""#,
                "`per_share` is not a field of lucky packets",
            ),
            (r#""kind":"normal","count":3"#, "missing field `per_share`"),
            (
                r#""kind":"normal","per_share":"1.00","count":3,"split":"double_mean""#,
                "`split` is not a field of normal packets",
            ),
            (
                r#""kind":"normal","per_share":"1.00","count":3,"total":"3.00""#,
                "`total` is not a field of normal packets",
            ),
            (r#""kind":"personal","amount":"1.00""#, "missing field `to`"),
            (r#""kind":"exclusive","to":"bob""#, "missing field `amount`"),
            (
                r#""kind":"personal","to":"bob","amount":"1.00","count":1"#,
                "`count` is not a field of personal packets",
            ),
            (
                r#""kind":"exclusive","to":"bob","amount":"1.00","total":"1.00""#,
                "`total` is not a field of exclusive packets",
            ),
            (
                r#""kind":"exclusive","to":"bob","amount":"1.00","split":"line_cutting""#,
                "`split` is not a field of exclusive packets",
            ),
        ] {
            let e = err(&format!("{{{fields},{base}}}"));
            assert!(e.contains(expected), "{fields}: {e}");
        }
        // Money is a decimal string, never a JSON number.
        assert!(
            err(r#"{"kind":"lucky","chat_id":"f","total":18.8,"count":1,"idempotency_key":"k"}"#)
                .contains("decimal string")
        );
        assert!(err(r#"{"kind":"mega","chat_id":"f","idempotency_key":"k"}"#).contains("mega"));
    }

    #[test]
    fn the_request_carries_the_kind_as_sent() {
        let chat = ChatInfo {
            id: "family".into(),
            name: "Family".into(),
            members: vec!["a".into(), "b".into()],
            kind: ChatKind::Group { work: false },
        };
        let req = lucky().to_request("a", &chat);
        assert_eq!(req.sender, "a");
        assert_eq!(req.chat.members, ["a", "b"]);
        assert_eq!(req.kind, lucky().kind);
        assert_eq!(req.greeting, "恭喜发财");
        assert_eq!(req.idempotency_key, "k1");
    }
}
