//! The JSON of the tagged enums: written by serde's derive, read through flat wire structs
//! (src/packet.rs). Both directions must keep the documented shape.

use hongbao_engine::{ChatKind, Money, PacketKind, SplitRule};

fn money(s: &str) -> Money {
    Money::parse_typed(s).unwrap()
}

fn every_kind() -> Vec<PacketKind> {
    vec![
        PacketKind::Personal {
            to: "bo".into(),
            amount: money("5.20"),
        },
        PacketKind::Lucky {
            total: money("100"),
            count: 10,
            split: None,
        },
        PacketKind::Lucky {
            total: money("8.88"),
            count: 3,
            split: Some(SplitRule::LineCutting),
        },
        PacketKind::Normal {
            per_share: money("1.88"),
            count: 10,
        },
        PacketKind::Exclusive {
            to: "cai".into(),
            amount: money("66"),
        },
    ]
}

#[test]
fn every_packet_kind_round_trips() {
    for kind in every_kind() {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(
            serde_json::from_str::<PacketKind>(&json).unwrap(),
            kind,
            "{json}"
        );
    }
}

#[test]
fn the_documented_packet_kinds_read_in_any_field_order() {
    let lucky: PacketKind =
        serde_json::from_str(r#"{"count":10,"total":"100.00","kind":"lucky"}"#).unwrap();
    assert_eq!(
        lucky,
        PacketKind::Lucky {
            total: money("100"),
            count: 10,
            split: None
        }
    );
    let personal: PacketKind =
        serde_json::from_str(r#"{"kind":"personal","to":"bo","amount":"5.20"}"#).unwrap();
    assert_eq!(
        personal,
        PacketKind::Personal {
            to: "bo".into(),
            amount: money("5.20")
        }
    );
    assert_eq!(
        serde_json::to_string(&personal).unwrap(),
        r#"{"kind":"personal","to":"bo","amount":"5.20"}"#
    );
}

#[test]
fn a_packet_kind_without_its_fields_is_refused_by_name() {
    for (json, missing) in [
        (
            r#"{"kind":"personal","amount":"5.20"}"#,
            "missing field `to`",
        ),
        (
            r#"{"kind":"lucky","total":"1.00"}"#,
            "missing field `count`",
        ),
        (
            r#"{"kind":"normal","count":2}"#,
            "missing field `per_share`",
        ),
        (
            r#"{"kind":"exclusive","to":"bo"}"#,
            "missing field `amount`",
        ),
        (r#"{"to":"bo","amount":"1.00"}"#, "missing field `kind`"),
    ] {
        let err = serde_json::from_str::<PacketKind>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(missing), "{json}: {err}");
    }
    let err = serde_json::from_str::<PacketKind>(r#"{"kind":"mystery"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `mystery`"), "{err}");
    let err = serde_json::from_str::<PacketKind>(r#"{"kind":"lucky","total":"1.234","count":2}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("1.234"), "{err}");
    assert!(serde_json::from_str::<PacketKind>(r#"["lucky"]"#).is_err());
}

#[test]
fn chat_kinds_keep_their_shape() {
    for (kind, json) in [
        (ChatKind::Direct, r#"{"type":"direct"}"#),
        (
            ChatKind::Group { work: true },
            r#"{"type":"group","work":true}"#,
        ),
        (
            ChatKind::Group { work: false },
            r#"{"type":"group","work":false}"#,
        ),
    ] {
        assert_eq!(serde_json::to_string(&kind).unwrap(), json);
        assert_eq!(serde_json::from_str::<ChatKind>(json).unwrap(), kind);
    }
    let err = serde_json::from_str::<ChatKind>(r#"{"type":"group"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `work`"), "{err}");
    assert!(serde_json::from_str::<ChatKind>(r#"{"type":"channel"}"#).is_err());
}
