//! A scripted scenario whose full result is compared against `tests/golden/scenario.json`,
//! natively (tests/replay.rs) and in headless Chromium (tests/wasm.rs).
//!
//! The output only uses derived `Serialize` structs and the engine's own serialisation, so
//! its key order does not depend on serde_json features.

use hongbao_engine::{
    Blackout, ChatRef, Engine, Lang, Money, PacketId, PacketKind, Policy, RecallMode, Rng,
    SendRequest, SplitRule, Timestamp,
};
use serde::Serialize;

/// The golden file, compiled in (so the wasm test needs no file system).
pub const GOLDEN: &str = include_str!("../golden/scenario.json");

#[derive(Serialize)]
struct Outcome {
    step: u32,
    at: Timestamp,
    op: String,
    result: String,
}

#[derive(Serialize)]
struct Report<'a> {
    outcomes: Vec<Outcome>,
    balances: Vec<(String, Money)>,
    warnings: Vec<String>,
    texts: Vec<String>,
    invariants: String,
    rng_after: &'a Rng,
    engine: &'a Engine,
}

struct Script {
    engine: Engine,
    rng: Rng,
    outcomes: Vec<Outcome>,
}

fn m(s: &str) -> Money {
    Money::parse_typed(s).unwrap_or(Money::ZERO)
}

impl Script {
    fn log(&mut self, at: Timestamp, op: String, result: String) {
        let step = self.outcomes.len() as u32 + 1;
        self.outcomes.push(Outcome {
            step,
            at,
            op,
            result,
        });
    }

    fn send(
        &mut self,
        at: Timestamp,
        sender: &str,
        chat: &ChatRef,
        kind: PacketKind,
        key: &str,
    ) -> Option<PacketId> {
        let req = SendRequest {
            sender: sender.into(),
            chat: chat.clone(),
            kind,
            greeting: "恭喜发财".into(),
            idempotency_key: key.into(),
        };
        let r = self.engine.send(&req, at, &mut self.rng);
        let (text, id) = match &r {
            Ok(s) => (
                format!("ok packet={} replayed={}", s.packet_id, s.replayed),
                Some(s.packet_id),
            ),
            Err(e) => (format!("err {}", e.code()), None),
        };
        self.log(at, format!("send {sender} {key} {:?}", req.kind), text);
        id
    }

    fn claim(&mut self, at: Timestamp, id: PacketId, user: &str) {
        let r = self.engine.claim(id, user, at, &mut self.rng);
        let text = match r {
            Ok(c) => format!(
                "ok amount={} already={} full={}",
                c.amount, c.already_claimed, c.fully_claimed
            ),
            Err(e) => format!("err {}", e.code()),
        };
        self.log(at, format!("claim {id} {user}"), text);
    }

    fn recall(&mut self, at: Timestamp, id: PacketId, user: &str, authorized: bool) {
        let r = self.engine.recall(id, user, at, authorized);
        let text = match r {
            Ok(r) => format!("ok refund={}", r.refund),
            Err(e) => format!("err {}", e.code()),
        };
        self.log(
            at,
            format!("recall {id} {user} authorized={authorized}"),
            text,
        );
    }

    fn tick(&mut self, at: Timestamp) {
        let ids = self.engine.tick(at);
        self.log(at, "tick".into(), format!("expired {ids:?}"));
    }

    fn policy(&mut self, at: Timestamp, f: impl FnOnce(&mut Policy)) {
        let mut p = self.engine.policy().clone();
        f(&mut p);
        self.engine.set_policy(p);
        self.log(
            at,
            "set_policy".into(),
            format!("{:?}", self.engine.policy().recall),
        );
    }
}

/// Runs the scenario and returns its report as pretty JSON (with a final newline).
pub fn run() -> String {
    let mut s = Script {
        engine: Engine::new(Policy::default()),
        rng: Rng::new(20_250_520),
        outcomes: Vec::new(),
    };
    // 2025-05-20 09:00 in China: a special day.
    let t = Timestamp::from_local(2025, 5, 20, 9, 0, 480);
    for (user, amount) in [
        ("ana", "1000"),
        ("bo", "500"),
        ("cai", "300"),
        ("dan", "50"),
        ("eve", "0"),
    ] {
        let r = s.engine.open_wallet(user, m(amount), t);
        s.log(t, format!("open_wallet {user} {amount}"), format!("{r:?}"));
    }
    let r = s.engine.open_wallet("ana", m("1"), t);
    s.log(
        t,
        "open_wallet ana again".into(),
        format!("{:?}", r.map_err(|e| e.code())),
    );

    let family = ChatRef::group("family", false, ["ana", "bo", "cai", "dan", "eve", "fay"]);
    let work = ChatRef::group("work", true, ["ana", "bo", "cai", "dan"]);
    let ana_bo = ChatRef::direct("ana-bo", "ana", "bo");

    // A lucky packet, a replay and a conflicting reuse of the key.
    let lucky = PacketKind::Lucky {
        total: m("88.88"),
        count: 5,
        split: None,
    };
    let p1 = s.send(t, "ana", &family, lucky.clone(), "k1");
    s.send(t.plus_secs(1), "ana", &family, lucky, "k1");
    s.send(
        t.plus_secs(2),
        "ana",
        &family,
        PacketKind::Lucky {
            total: m("88.80"),
            count: 5,
            split: None,
        },
        "k1",
    );
    if let Some(p1) = p1 {
        for (i, user) in ["bo", "cai", "bo", "ana", "dan", "eve", "fay"]
            .iter()
            .enumerate()
        {
            s.claim(t.plus_secs(10 + i as i64), p1, user);
        }
    }

    // Personal 520 on 5/20, and one fen more.
    let p2 = s.send(
        t.plus_secs(60),
        "ana",
        &ana_bo,
        PacketKind::Personal {
            to: "bo".into(),
            amount: m("520"),
        },
        "k2",
    );
    s.send(
        t.plus_secs(61),
        "ana",
        &ana_bo,
        PacketKind::Personal {
            to: "bo".into(),
            amount: m("520.01"),
        },
        "k2b",
    );
    if let Some(p2) = p2 {
        s.claim(t.plus_secs(70), p2, "ana");
        s.claim(t.plus_secs(71), p2, "bo");
    }

    // Line cutting.
    let p3 = s.send(
        t.plus_secs(100),
        "bo",
        &family,
        PacketKind::Lucky {
            total: m("30"),
            count: 4,
            split: Some(SplitRule::LineCutting),
        },
        "k3",
    );
    if let Some(p3) = p3 {
        for user in ["ana", "cai", "fay"] {
            s.claim(t.plus_secs(110), p3, user);
        }
    }

    // Remainder recall.
    s.policy(t.plus_secs(200), |p| p.recall.mode = RecallMode::Remainder);
    let p4 = s.send(
        t.plus_secs(200),
        "cai",
        &work,
        PacketKind::Normal {
            per_share: m("1.88"),
            count: 5,
        },
        "k4",
    );
    if let Some(p4) = p4 {
        s.claim(t.plus_secs(210), p4, "ana");
        s.recall(t.plus_secs(220), p4, "ana", false);
        s.recall(t.plus_secs(230), p4, "cai", false);
        s.claim(t.plus_secs(240), p4, "bo");
    }

    // Delayed delivery.
    s.policy(t.plus_secs(300), |p| {
        p.recall.mode = RecallMode::Delayed;
        p.recall.delay_secs = 60;
    });
    let p5 = s.send(
        t.plus_secs(300),
        "ana",
        &family,
        PacketKind::Exclusive {
            to: "dan".into(),
            amount: m("66"),
        },
        "k5",
    );
    if let Some(p5) = p5 {
        s.claim(t.plus_secs(310), p5, "dan");
        s.recall(t.plus_secs(330), p5, "ana", false);
        s.claim(t.plus_secs(400), p5, "dan");
    }
    let p6 = s.send(
        t.plus_secs(500),
        "ana",
        &family,
        PacketKind::Exclusive {
            to: "dan".into(),
            amount: m("66"),
        },
        "k6",
    );
    if let Some(p6) = p6 {
        s.claim(t.plus_secs(505), p6, "cai");
        s.claim(t.plus_secs(561), p6, "dan");
        s.recall(t.plus_secs(562), p6, "ana", false);
    }

    // Risk rules: authorization above ¥100, two recalls a day (ana already recalled once
    // today), a blackout at 23:30–00:30.
    s.policy(t.plus_secs(600), |p| {
        p.recall.mode = RecallMode::Window;
        p.recall.max_recalls_per_day = Some(2);
        p.recall.auth_above = Some(Money::from_fen(10_000));
        p.recall.blackout = Some(Blackout {
            start_minute: 23 * 60 + 30,
            end_minute: 30,
        });
    });
    let p7 = s.send(
        t.plus_secs(600),
        "ana",
        &family,
        PacketKind::Lucky {
            total: m("150"),
            count: 3,
            split: None,
        },
        "k7",
    );
    if let Some(p7) = p7 {
        s.recall(t.plus_secs(610), p7, "ana", false);
        s.recall(t.plus_secs(611), p7, "ana", true);
    }
    let p8 = s.send(
        t.plus_secs(620),
        "ana",
        &family,
        PacketKind::Lucky {
            total: m("10"),
            count: 2,
            split: None,
        },
        "k8",
    );
    if let Some(p8) = p8 {
        s.recall(t.plus_secs(630), p8, "ana", false);
    }
    let late = Timestamp::from_local(2025, 5, 20, 23, 45, 480);
    let p9 = s.send(
        late,
        "bo",
        &family,
        PacketKind::Lucky {
            total: m("20"),
            count: 8,
            split: None,
        },
        "k9",
    );
    if let Some(p9) = p9 {
        s.recall(late.plus_secs(5), p9, "bo", false);
        s.claim(late.plus_secs(6), p9, "cai");
    }

    // Refusals.
    s.send(
        late.plus_secs(10),
        "eve",
        &family,
        PacketKind::Normal {
            per_share: m("100"),
            count: 2,
        },
        "k10",
    );
    s.send(
        late.plus_secs(11),
        "dan",
        &family,
        PacketKind::Lucky {
            total: m("0.05"),
            count: 6,
            split: None,
        },
        "k11",
    );
    s.send(
        late.plus_secs(12),
        "dan",
        &family,
        PacketKind::Normal {
            per_share: m("1"),
            count: 101,
        },
        "k12",
    );
    s.send(
        late.plus_secs(13),
        "dan",
        &ana_bo,
        PacketKind::Personal {
            to: "bo".into(),
            amount: m("1"),
        },
        "k13",
    );
    s.send(
        late.plus_secs(14),
        "bo",
        &family,
        PacketKind::Personal {
            to: "ana".into(),
            amount: m("1"),
        },
        "k14",
    );

    // Expiry.
    s.tick(late.plus_hours(24));
    s.tick(late.plus_hours(25));
    if let Some(p9) = p9 {
        s.claim(late.plus_hours(25), p9, "dan");
    }

    let warn_req = SendRequest {
        sender: "ana".into(),
        chat: work.clone(),
        kind: PacketKind::Normal {
            per_share: m("520"),
            count: 8,
        },
        greeting: String::new(),
        idempotency_key: "w".into(),
    };
    let warnings = s
        .engine
        .warnings(&warn_req, late)
        .iter()
        .map(|w| {
            format!(
                "{} {} {} | {}",
                w.code.as_str(),
                w.severity.as_str(),
                w.amount,
                w.text(Lang::En)
            )
        })
        .collect();
    let texts = ["1,888", "０.５", "1001.01", "1e3"]
        .iter()
        .map(|input| match Money::parse_typed(input) {
            Ok(v) => format!(
                "{input} → {} {} {}",
                v.format(Lang::Zh),
                v.to_capitals(),
                v.to_words_en()
            ),
            Err(e) => format!("{input} → {} {}", e.code(), e.message(Lang::Zh)),
        })
        .collect();
    let balances = s
        .engine
        .users()
        .map(|u| (u.to_string(), s.engine.balance(u).unwrap_or_default()))
        .collect();
    let invariants = format!("{:?}", s.engine.check_invariants());
    let report = Report {
        outcomes: std::mem::take(&mut s.outcomes),
        balances,
        warnings,
        texts,
        invariants,
        rng_after: &s.rng,
        engine: &s.engine,
    };
    let mut json = serde_json::to_string_pretty(&report).unwrap_or_default();
    json.push('\n');
    json
}
