//! Results per variant (PRODUCT §6): participants, slip rate with a 95% Wilson interval,
//! median time to send, cancel and recall rates, and pooled two-proportion z-tests.
//!
//! Per participant: the variant of their events; *sent* when they sent at least once; a
//! *slip* when their first send's actual outcome differs from the task's intended one; a
//! *cancel* / *recall* when they cancelled / recalled at least once. Slip rate = slips ÷
//! participants who sent; cancel and recall rates are over all participants.

use crate::stats::{Z95, holm, quartiles, two_proportion, wilson};
use hongbao_api::LabEvent;
use std::collections::BTreeMap;

/// One variant's results; also on the wire (the server computes a study's results where its
/// events are, `GET /api/v1/lab/results`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VariantResult {
    pub variant: String,
    pub participants: u32,
    pub sent: u32,
    pub slips: u32,
    pub slip_ci: (f64, f64),
    pub median_send_ms: Option<f64>,
    /// The quartiles of the time to send, `(q1, median, q3)`.
    pub send_quartiles_ms: Option<(f64, f64, f64)>,
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
            let send_quartiles_ms = quartiles(&mut times);
            VariantResult {
                participants: group.len() as u32,
                sent,
                slips,
                slip_ci: wilson(slips, sent, Z95),
                median_send_ms: send_quartiles_ms.map(|q| q.1),
                send_quartiles_ms,
                cancels: count(&|p| p.cancelled),
                recalls: count(&|p| p.recalled),
                variant,
            }
        })
        .collect()
}

/// A pooled z-test's `(z, p)`, `None` when undefined.
pub type ZTest = Option<(f64, f64)>;

/// Two variants' slip rates compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub test: ZTest,
    /// The p-value adjusted by Holm's method over all the defined tests, when there are more
    /// than two variants (several comparisons); `None` otherwise or when the test is undefined.
    pub p_holm: Option<f64>,
}

/// Slip rates compared pairwise, in variant order.
pub fn comparisons(results: &[VariantResult]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for (i, a) in results.iter().enumerate() {
        for b in &results[i + 1..] {
            out.push(Comparison {
                a: a.variant.clone(),
                b: b.variant.clone(),
                test: two_proportion(a.slips, a.sent, b.slips, b.sent),
                p_holm: None,
            });
        }
    }
    if results.len() > 2 {
        let defined: Vec<usize> = (0..out.len()).filter(|&i| out[i].test.is_some()).collect();
        let p: Vec<f64> = defined
            .iter()
            .filter_map(|&i| out[i].test.map(|t| t.1))
            .collect();
        for (&i, adjusted) in defined.iter().zip(holm(&p)) {
            out[i].p_holm = Some(adjusted);
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
        let c = comparisons(&r);
        assert_eq!(c.len(), 1);
        // Two variants: one test, nothing to adjust.
        assert_eq!(c[0].p_holm, None);
    }

    #[test]
    fn three_variants_are_compared_pairwise_with_holm_adjusted_p_values() {
        let row = |variant: &str, slips: u32, sent: u32| VariantResult {
            variant: variant.into(),
            participants: sent,
            sent,
            slips,
            slip_ci: wilson(slips, sent, Z95),
            median_send_ms: None,
            send_quartiles_ms: None,
            cancels: 0,
            recalls: 0,
        };
        let r = [row("A", 5, 20), row("B", 12, 20), row("C", 0, 0)];
        let c = comparisons(&r);
        assert_eq!(
            c.iter()
                .map(|c| (c.a.as_str(), c.b.as_str()))
                .collect::<Vec<_>>(),
            [("A", "B"), ("A", "C"), ("B", "C")]
        );
        // Only A–B is defined (C has no sends): Holm over that one test leaves it as it is.
        assert_eq!(c[0].p_holm, c[0].test.map(|t| t.1));
        assert_eq!((c[1].p_holm, c[2].p_holm), (None, None));
        let r = [row("A", 5, 20), row("B", 12, 20), row("C", 7, 13)];
        let c = comparisons(&r);
        let p: Vec<f64> = c.iter().map(|c| c.test.unwrap().1).collect();
        assert_eq!(
            c.iter().map(|c| c.p_holm.unwrap()).collect::<Vec<_>>(),
            holm(&p)
        );
        // The smallest p is multiplied by the number of tests.
        let (min, i) = p
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, i))
            .fold((1.0, 0), |a, b| if b.0 < a.0 { b } else { a });
        assert!((c[i].p_holm.unwrap() - (3.0 * min).min(1.0)).abs() < 1e-12);
    }

    #[test]
    fn the_time_to_send_has_quartiles() {
        let mut events = vec![];
        for (i, ms) in [4000, 1000, 3000, 2000].into_iter().enumerate() {
            let mut e = ev("send", &format!("p{i}"), "A", false, "ok");
            e.ms = Some(ms);
            events.push(e);
        }
        let r = summarize(&events, "x", &["A".into()], false);
        assert_eq!(r[0].send_quartiles_ms, Some((1750.0, 2500.0, 3250.0)));
        assert_eq!(r[0].median_send_ms, Some(2500.0));
    }
}
