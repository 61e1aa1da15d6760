//! Results per variant (PRODUCT §6): participants, slip rate with a 95% Wilson interval,
//! median time to send, cancel and recall rates, and pooled two-proportion z-tests.
//!
//! Per participant: the variant of their events; *sent* when they sent at least once; a
//! *slip* when their first send's actual outcome differs from the task's intended one; a
//! *cancel* / *recall* when they cancelled / recalled at least once. Slip rate = slips ÷
//! participants who sent; cancel and recall rates are over all participants.

use super::stats::{Z95, median, two_proportion, wilson};
use hongbao_api::LabEvent;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct VariantResult {
    pub variant: String,
    pub participants: u32,
    pub sent: u32,
    pub slips: u32,
    pub slip_ci: (f64, f64),
    pub median_send_ms: Option<f64>,
    pub cancels: u32,
    pub recalls: u32,
}

impl VariantResult {
    pub fn slip_rate(&self) -> f64 {
        ratio(self.slips, self.sent)
    }
    pub fn cancel_rate(&self) -> f64 {
        ratio(self.cancels, self.participants)
    }
    pub fn recall_rate(&self) -> f64 {
        ratio(self.recalls, self.participants)
    }
}

pub fn ratio(x: u32, n: u32) -> f64 {
    if n == 0 {
        0.0
    } else {
        f64::from(x) / f64::from(n)
    }
}

#[derive(Default)]
struct Person {
    variant: String,
    first_send: Option<(bool, u64)>,
    cancelled: bool,
    recalled: bool,
}

/// The results of `experiment`, one row per variant in `variants` order (then any other
/// variant seen in the events); forced participants only with `include_forced`.
pub fn summarize(
    events: &[LabEvent],
    experiment: &str,
    variants: &[String],
    include_forced: bool,
) -> Vec<VariantResult> {
    let mut people: BTreeMap<&str, Person> = BTreeMap::new();
    for e in events {
        if e.experiment != experiment || (e.forced && !include_forced) {
            continue;
        }
        let p = people.entry(&e.participant).or_default();
        if p.variant.is_empty() {
            p.variant = e.variant.clone();
        }
        match e.kind.as_str() {
            "send" if p.first_send.is_none() => {
                let slip = e.intended.is_some() && e.intended != e.actual;
                p.first_send = Some((slip, e.ms.unwrap_or(0)));
            }
            "cancel" => p.cancelled = true,
            "recall" => p.recalled = true,
            _ => {}
        }
    }
    let mut order: Vec<String> = variants.to_vec();
    for p in people.values() {
        if !order.contains(&p.variant) {
            order.push(p.variant.clone());
        }
    }
    order
        .into_iter()
        .map(|variant| {
            let group: Vec<&Person> = people.values().filter(|p| p.variant == variant).collect();
            let count = |f: &dyn Fn(&Person) -> bool| group.iter().filter(|p| f(p)).count() as u32;
            let sent = count(&|p| p.first_send.is_some());
            let slips = count(&|p| p.first_send.is_some_and(|s| s.0));
            let mut times: Vec<f64> = group
                .iter()
                .filter_map(|p| p.first_send.map(|s| s.1 as f64))
                .collect();
            VariantResult {
                participants: group.len() as u32,
                sent,
                slips,
                slip_ci: wilson(slips, sent, Z95),
                median_send_ms: median(&mut times),
                cancels: count(&|p| p.cancelled),
                recalls: count(&|p| p.recalled),
                variant,
            }
        })
        .collect()
}

/// A pooled z-test's `(z, p)`, `None` when undefined.
pub type ZTest = Option<(f64, f64)>;

/// Slip rates compared pairwise: (a, b, test).
pub fn comparisons(results: &[VariantResult]) -> Vec<(String, String, ZTest)> {
    let mut out = Vec::new();
    for (i, a) in results.iter().enumerate() {
        for b in &results[i + 1..] {
            out.push((
                a.variant.clone(),
                b.variant.clone(),
                two_proportion(a.slips, a.sent, b.slips, b.sent),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongbao_engine::Timestamp;

    fn ev(kind: &str, participant: &str, variant: &str, forced: bool, actual: &str) -> LabEvent {
        LabEvent {
            kind: kind.into(),
            experiment: "x".into(),
            variant: variant.into(),
            participant: participant.into(),
            forced,
            task: None,
            at: Timestamp::from_millis(0),
            stage: None,
            ms: Some(1000),
            warnings: vec![],
            amount_changed: None,
            intended: (kind == "send").then(|| "ok".into()),
            actual: (kind == "send").then(|| actual.into()),
            packet: None,
            study: None,
            slip: None,
        }
    }

    #[test]
    fn counts_participants_slips_and_forced() {
        let events = vec![
            ev("exposure", "p1", "A", false, ""),
            ev("send", "p1", "A", false, "ok"),
            ev("exposure", "p2", "A", false, ""),
            ev("send", "p2", "A", false, "slip"),
            ev("send", "p2", "A", false, "ok"), // only the first send counts
            ev("exposure", "p3", "B", false, ""),
            ev("cancel", "p3", "B", false, ""),
            ev("exposure", "p4", "B", true, ""),
            ev("send", "p4", "B", true, "slip"),
        ];
        let r = summarize(&events, "x", &["A".into(), "B".into()], false);
        assert_eq!((r[0].participants, r[0].sent, r[0].slips), (2, 2, 1));
        assert_eq!((r[1].participants, r[1].sent, r[1].cancels), (1, 0, 1));
        assert_eq!(r[0].median_send_ms, Some(1000.0));
        let r = summarize(&events, "x", &["A".into(), "B".into()], true);
        assert_eq!((r[1].participants, r[1].slips), (2, 1));
        assert_eq!(comparisons(&r).len(), 1);
    }
}
