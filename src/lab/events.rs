//! Lab events: what the flows report, stored by the backend, exported as CSV and JSON Lines.
//!
//! The flows call the small functions here ([`stage`], [`sent`], [`cancelled`], …); they do
//! nothing unless an experiment is active.

use super::Lab;
use hongbao_api::{LabEvent, NewPacket};
use hongbao_engine::Timestamp;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Milliseconds of the wall clock (for timings).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Records one event of `kind` for the active experiment, shaped by `fill`.
pub fn record(kind: &str, fill: impl FnOnce(&mut LabEvent)) {
    let Some(lab) = Lab::get() else { return };
    let Some(active) = lab.active.get_untracked() else {
        return;
    };
    let task = lab
        .task
        .get_untracked()
        .and_then(|i| active.experiment.tasks.get(i));
    let mut event = LabEvent {
        kind: kind.into(),
        experiment: active.experiment.key.clone(),
        study: active.study.then(|| active.experiment.key.clone()),
        variant: active.assignment.variant.clone(),
        participant: active.assignment.participant.clone(),
        forced: active.assignment.forced,
        task: task.map(|t| t.id.clone()),
        at: Timestamp::from_millis(now_ms() as i64),
        stage: None,
        ms: None,
        warnings: Vec::new(),
        amount_changed: None,
        intended: None,
        actual: None,
        packet: None,
        slip: None,
    };
    fill(&mut event);
    let (backend, user) = (lab.app.backend(), lab.app.user.get_untracked());
    spawn_local(async move {
        if backend.log_events(&user, &[event]).await.is_ok() {
            let _ = lab.revision.try_update(|r| *r += 1);
        }
    });
}

pub fn stage_entered(stage: &str) {
    record("stage_entered", |e| e.stage = Some(stage.into()));
}

pub fn stage_left(stage: &str, ms: f64) {
    record("stage_left", |e| {
        e.stage = Some(stage.into());
        e.ms = Some(ms.max(0.0) as u64);
    });
}

pub fn warnings_shown(codes: Vec<String>) {
    if !codes.is_empty() {
        record("warning_shown", |e| e.warnings = codes);
    }
}

/// `chat kind amount×count`: how intended and actual outcomes are compared.
pub fn outcome(chat: &str, kind: &str, amount: &str, count: u32) -> String {
    format!("{chat} {kind} {amount}×{count}")
}

/// The intended outcome of the task in progress, normalised like [`actual`].
pub fn intended() -> Option<String> {
    let lab = Lab::get()?;
    let active = lab.active.get_untracked()?;
    let t = &active
        .experiment
        .tasks
        .get(lab.task.get_untracked()?)?
        .intended;
    Some(outcome(
        &t.chat,
        t.kind_tag()?.as_str(),
        &t.money()?.to_string(),
        t.count,
    ))
}

pub fn actual(p: &NewPacket) -> String {
    outcome(
        &p.chat_id,
        p.kind.tag().as_str(),
        &p.kind.typed_amount().to_string(),
        p.kind.count(),
    )
}

pub fn sent(p: &NewPacket, packet: u64, ms: f64, warnings: Vec<String>, changed: bool) {
    let Some(lab) = Lab::get() else { return };
    if lab.active.get_untracked().is_none() {
        return;
    }
    let intended = intended();
    let actual = actual(p);
    lab.sends.update(|s| s.push((actual.clone(), packet)));
    record("send", |e| {
        e.ms = Some(ms.max(0.0) as u64);
        e.warnings = warnings;
        e.amount_changed = Some(changed);
        e.slip = intended.as_ref().map(|i| *i != actual);
        e.intended = intended;
        e.actual = Some(actual);
        e.packet = Some(packet);
    });
}

pub fn cancelled(stage: &str, ms: f64, changed: bool) {
    record("cancel", |e| {
        e.stage = Some(stage.into());
        e.ms = Some(ms.max(0.0) as u64);
        e.amount_changed = Some(changed);
    });
}

pub fn recalled(packet: u64) {
    record("recall", |e| e.packet = Some(packet));
}

pub fn claimed(packet: u64) {
    record("claim", |e| e.packet = Some(packet));
}

/// One JSON object per line.
pub fn to_jsonl(events: &[LabEvent]) -> String {
    events
        .iter()
        .filter_map(|e| serde_json::to_string(e).ok())
        .map(|l| l + "\n")
        .collect()
}

/// Reads JSON Lines; blank lines are skipped, a bad line is an error with its number (1-based).
pub fn from_jsonl(text: &str) -> Result<Vec<LabEvent>, (usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l.trim()).map_err(|e| (i + 1, e.to_string())))
        .collect()
}

/// The events of `incoming` that `existing` does not hold yet (nor an earlier event of
/// `incoming`), in their order, and how many were left out: importing the same browser's file
/// twice, or files that overlap, counts every event once.
pub fn merge_new(existing: &[LabEvent], incoming: Vec<LabEvent>) -> (Vec<LabEvent>, usize) {
    // An event's every field is its identity (its derived `Debug` writes them all, in order).
    let key = |e: &LabEvent| format!("{e:?}");
    let mut seen: std::collections::HashSet<String> = existing.iter().map(key).collect();
    let total = incoming.len();
    let new: Vec<LabEvent> = incoming
        .into_iter()
        .filter(|e| seen.insert(key(e)))
        .collect();
    let skipped = total - new.len();
    (new, skipped)
}

pub const CSV_HEADER: &str = "type,experiment,variant,participant,forced,task,at,stage,ms,warnings,amount_changed,intended,actual,packet,study,slip";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// CSV (RFC 4180), one row per event, with [`CSV_HEADER`].
pub fn to_csv(events: &[LabEvent]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    let opt = |o: Option<String>| o.unwrap_or_default();
    for e in events {
        let row = [
            e.kind.clone(),
            e.experiment.clone(),
            e.variant.clone(),
            e.participant.clone(),
            e.forced.to_string(),
            opt(e.task.clone()),
            e.at.to_string(),
            opt(e.stage.clone()),
            opt(e.ms.map(|m| m.to_string())),
            e.warnings.join(" "),
            opt(e.amount_changed.map(|b| b.to_string())),
            opt(e.intended.clone()),
            opt(e.actual.clone()),
            opt(e.packet.map(|p| p.to_string())),
            opt(e.study.clone()),
            opt(e.slip.map(|s| s.to_string())),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> LabEvent {
        LabEvent {
            kind: kind.into(),
            experiment: "prevent-vs-recover".into(),
            variant: "A".into(),
            participant: "p1".into(),
            forced: false,
            task: Some("family-188".into()),
            at: Timestamp::from_millis(1_700_000_000_000),
            stage: None,
            ms: Some(1200),
            warnings: vec!["decimal_slip".into()],
            amount_changed: Some(false),
            intended: Some(outcome("family", "normal", "1.88", 10)),
            actual: Some(outcome("family", "normal", "18.80", 10)),
            packet: Some(3),
            study: None,
            slip: Some(true),
        }
    }

    #[test]
    fn merging_counts_every_event_once() {
        let (a, b, c) = (event("send"), event("cancel"), event("recall"));
        let incoming = vec![b.clone(), a.clone(), b.clone(), c.clone()];
        let (new, skipped) = merge_new(std::slice::from_ref(&a), incoming);
        assert_eq!(new, [b, c]);
        assert_eq!(skipped, 2);
        assert_eq!(merge_new(&[], vec![]), (vec![], 0));
    }

    #[test]
    fn jsonl_round_trips_and_csv_quotes() {
        let events = vec![event("send"), event("cancel")];
        let text = to_jsonl(&events);
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("{\"type\":\"send\""));
        assert_eq!(from_jsonl(&format!("\n{text}\n")).unwrap(), events);
        assert_eq!(from_jsonl("{}\n").unwrap_err().0, 1);
        let csv = to_csv(&events);
        assert!(csv.starts_with(CSV_HEADER));
        assert_eq!(csv.lines().count(), 3);
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
