//! The fairness view's numbers: many packets split in the page, per claim position the mean,
//! the standard deviation and the chance of best luck; and the analytic double-mean values.
//!
//! Analytic values (continuous double mean, total `T`, `n` shares): the k-th claimer (of
//! `m = n − k + 1` left, remaining `R`) draws uniformly from `(0, 2R/m)`, so
//! `E[X_k] = T/n` for every k, `E[X_k² | R] = 4R²/(3m²)` and
//! `E[R'² | R] = R²(1 − 2/m + 4/(3m²))`; starting from `E[R₁²] = T²` this recursion gives
//! `Var X_k = 4E[R_k²]/(3m²) − (T/n)²`, and the last share is the remainder
//! (`E[X_n²] = E[R_n²]`). For T = 100, n = 10: std 5.77 at position 1, 7.68 at 9 and 10.
//! The engine draws whole fen in `[0.01, 2R/m]`, which moves these by far less than 1%.

use super::charts::PositionChart;
use super::i18n::LabMsg;
use hongbao_engine::{Lang, Money, Rng, SplitRule, split::split_all};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Running sums over simulated packets (positions in claim order).
pub struct Accum {
    pub rule: SplitRule,
    pub total: Money,
    pub count: u32,
    pub packets: u64,
    sum: Vec<u64>,
    sumsq: Vec<u128>,
    best: Vec<u64>,
    buf: Vec<Money>,
    rng: Rng,
}

impl Accum {
    pub fn new(rule: SplitRule, total: Money, count: u32, seed: u64) -> Accum {
        let n = count as usize;
        Accum {
            rule,
            total,
            count,
            packets: 0,
            sum: vec![0; n],
            sumsq: vec![0; n],
            best: vec![0; n],
            buf: Vec::with_capacity(n),
            rng: Rng::new(seed),
        }
    }

    /// Splits `packets` more packets. Best luck goes to the first of equal largest shares.
    pub fn run(&mut self, packets: u64) {
        for _ in 0..packets {
            split_all(
                self.rule,
                self.total,
                self.count,
                self.total,
                &mut self.rng,
                &mut self.buf,
            );
            let mut best = 0;
            let mut best_fen = i64::MIN;
            for (i, m) in self.buf.iter().enumerate() {
                let f = m.fen();
                self.sum[i] += f as u64;
                self.sumsq[i] += (f as u128) * (f as u128);
                if f > best_fen {
                    best_fen = f;
                    best = i;
                }
            }
            if !self.buf.is_empty() {
                self.best[best] += 1;
            }
        }
        self.packets += packets;
    }

    /// Per position: (mean, std, chance of best luck), in yuan and as a share.
    pub fn figures(&self) -> Vec<(f64, f64, f64)> {
        let n = self.packets.max(1) as f64;
        (0..self.count as usize)
            .map(|i| {
                let mean = self.sum[i] as f64 / n;
                let var = (self.sumsq[i] as f64 / n - mean * mean).max(0.0);
                (mean / 100.0, var.sqrt() / 100.0, self.best[i] as f64 / n)
            })
            .collect()
    }
}

/// The analytic per-position (mean, std) of the continuous double mean (see the module doc).
pub fn double_mean_analytic(total: f64, n: u32) -> Vec<(f64, f64)> {
    let mean = total / f64::from(n);
    let mut r2 = total * total;
    (1..=n)
        .map(|k| {
            let m = f64::from(n - k + 1);
            let x2 = if k == n { r2 } else { 4.0 * r2 / (3.0 * m * m) };
            r2 *= 1.0 - 2.0 / m + 4.0 / (3.0 * m * m);
            (mean, (x2 - mean * mean).max(0.0).sqrt())
        })
        .collect()
}

/// Packets split per slice before the clock is checked.
const BATCH: u64 = 2_000;
/// Work per slice before yielding to the page (well under the 100 ms of a long task).
const SLICE_MS: f64 = 40.0;
pub const MAX_PACKETS: u64 = 1_000_000;

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The form's values, or the message for the first bad one.
fn read_form(total: &str, count: &str, packets: &str) -> Result<(Money, u32, u64), LabMsg> {
    let count: u32 = count
        .trim()
        .parse()
        .ok()
        .filter(|c| (1..=100).contains(c))
        .ok_or(LabMsg::BadCount)?;
    let total = Money::parse_typed(total)
        .ok()
        .filter(|t| t.fen() >= i64::from(count) && t.fen() <= 100_000_000)
        .ok_or(LabMsg::BadTotal)?;
    let packets: u64 = packets
        .trim()
        .replace([',', '_'], "")
        .parse()
        .ok()
        .filter(|p| (1..=MAX_PACKETS).contains(p))
        .ok_or(LabMsg::BadPackets)?;
    Ok((total, count, packets))
}

/// The fairness view: simulate, in slices that keep the page responsive, and plot.
#[component]
pub fn FairnessView(lang: RwSignal<Lang>) -> impl IntoView {
    let t = move |m: LabMsg| move || m.text(lang.get());
    let rule = RwSignal::new(SplitRule::DoubleMean);
    let total = RwSignal::new("100".to_owned());
    let count = RwSignal::new("10".to_owned());
    let packets = RwSignal::new("200000".to_owned());
    let error = RwSignal::new(None::<LabMsg>);
    let target = RwSignal::new(0u64);
    let done = RwSignal::new(0u64);
    let figures = RwSignal::new(None::<(SplitRule, Money, Vec<(f64, f64, f64)>)>);
    let elapsed = RwSignal::new(None::<f64>);
    let running = RwSignal::new(false);
    let generation = StoredValue::new(0u64);
    let run = move |_| {
        if running.get_untracked() {
            return;
        }
        let (t_total, t_count, t_packets) = match read_form(
            &total.get_untracked(),
            &count.get_untracked(),
            &packets.get_untracked(),
        ) {
            Ok(v) => v,
            Err(m) => {
                error.set(Some(m));
                return;
            }
        };
        error.set(None);
        running.set(true);
        elapsed.set(None);
        done.set(0);
        target.set(t_packets);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let rule = rule.get_untracked();
        let seed = (js_sys::Math::random() * 4e15) as u64;
        spawn_local(async move {
            let start = perf_now();
            let mut acc = Accum::new(rule, t_total, t_count, seed);
            while acc.packets < t_packets {
                let slice = perf_now();
                while acc.packets < t_packets && perf_now() - slice < SLICE_MS {
                    acc.run((t_packets - acc.packets).min(BATCH));
                }
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                done.set(acc.packets);
                if acc.packets < t_packets {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                }
            }
            figures.set(Some((rule, t_total, acc.figures())));
            elapsed.set(Some(perf_now() - start));
            running.set(false);
        });
    };
    // The analytic double-mean values, computed once per result for the chart and the table.
    let analytic = Memo::new(move |_| {
        figures.with(|f| {
            f.as_ref().and_then(|(rule, total, figs)| {
                (*rule == SplitRule::DoubleMean)
                    .then(|| double_mean_analytic(total.fen() as f64 / 100.0, figs.len() as u32))
            })
        })
    });
    let chart = move || {
        let (_, _, figs) = figures.get()?;
        Some(view! {
            <PositionChart
                figures=figs
                analytic=analytic.get()
                title=LabMsg::FairnessChart.text(lang.get())
                x_label=LabMsg::Position.text(lang.get())
                y_label=LabMsg::Amount.text(lang.get())
            />
        })
    };
    let rows = move || {
        let (_, _, figs) = figures.get()?;
        let analytic = analytic.get();
        Some(
            figs.into_iter()
                .enumerate()
                .map(|(i, (m, s, b))| {
                    let a = analytic
                        .as_ref()
                        .map(|a| format!("{:.2} ± {:.2}", a[i].0, a[i].1));
                    view! {
                        <tr
                            data-testid="fairness-row"
                            data-position=i + 1
                            data-mean=format!("{m:.4}")
                            data-std=format!("{s:.4}")
                            data-best=format!("{b:.4}")
                        >
                            <th scope="row">{i + 1}</th>
                            <td>{format!("{m:.2}")}</td>
                            <td>{format!("{s:.2}")}</td>
                            <td>{format!("{:.1}%", b * 100.0)}</td>
                            <td>{a.unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }
                })
                .collect_view(),
        )
    };
    view! {
        <section class="hb-lab-section" data-testid="fairness">
            <h2>{t(LabMsg::Fairness)}</h2>
            <div class="hb-lab-form">
                <label>
                    {t(LabMsg::Rule)}
                    <select
                        data-testid="fairness-rule"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(r) = SplitRule::ALL.into_iter().find(|r| r.as_str() == v) {
                                rule.set(r);
                            }
                        }
                    >
                        {SplitRule::ALL
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str()>{move || rule_name(r).text(lang.get())}</option> })
                            .collect_view()}
                    </select>
                </label>
                <FormField label=LabMsg::Total lang=lang testid="fairness-total" inputmode="decimal" value=total />
                <FormField label=LabMsg::Count lang=lang testid="fairness-count" inputmode="numeric" value=count />
                <FormField label=LabMsg::Packets lang=lang testid="fairness-packets" inputmode="numeric" value=packets />
                <button
                    class="hb-button"
                    data-testid="fairness-run"
                    disabled=move || running.get()
                    on:click=run
                >
                    {t(LabMsg::Run)}
                </button>
            </div>
            {move || {
                error
                    .get()
                    .map(|m| {
                        view! {
                            <p class="hb-lab-error" role="alert" data-testid="fairness-error">
                                {m.text(lang.get())}
                            </p>
                        }
                    })
            }}
            <progress
                data-testid="fairness-progress"
                aria-label=t(LabMsg::Progress)
                max=move || target.get().max(1).to_string()
                value=move || done.get().to_string()
            ></progress>
            {move || {
                elapsed
                    .get()
                    .map(|ms| {
                        view! {
                            <p data-testid="fairness-done" data-ms=format!("{ms:.0}") role="status">
                                {move || {
                                    format!(
                                        "{} {} · {ms:.0} ms",
                                        LabMsg::Simulated.text(lang.get()),
                                        done.get(),
                                    )
                                }}
                            </p>
                        }
                    })
            }}
            <figure class="hb-lab-chart" data-testid="fairness-chart">
                {chart}
                <figcaption>{t(LabMsg::FairnessLegend)}</figcaption>
            </figure>
            <table class="hb-lab-table">
                <thead>
                    <tr>
                        <th>{t(LabMsg::Position)}</th>
                        <th>{t(LabMsg::Mean)}</th>
                        <th>{t(LabMsg::Std)}</th>
                        <th>{t(LabMsg::BestLuck)}</th>
                        <th>{t(LabMsg::Analytic)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_values_are_the_known_ones() {
        let a = double_mean_analytic(100.0, 10);
        assert!(a.iter().all(|(m, _)| (m - 10.0).abs() < 1e-9));
        assert!((a[0].1 - 5.7735).abs() < 1e-3, "{}", a[0].1);
        assert!((a[8].1 - 7.68).abs() < 5e-3, "{}", a[8].1);
        assert!((a[9].1 - 7.68).abs() < 5e-3, "{}", a[9].1);
        // Two shares: the first is uniform on (0, T), the second the rest.
        let two = double_mean_analytic(1.0, 2);
        assert!((two[0].1 - (1.0f64 / 12.0).sqrt()).abs() < 1e-9);
        assert!((two[1].1 - two[0].1).abs() < 1e-9);
    }

    #[test]
    fn the_simulation_agrees_with_the_analysis() {
        let mut acc = Accum::new(SplitRule::DoubleMean, Money::from_fen(10_000), 10, 7);
        acc.run(100_000);
        let a = double_mean_analytic(100.0, 10);
        let f = acc.figures();
        for (i, ((m, s, _), (am, as_))) in f.iter().zip(&a).enumerate() {
            assert!((m - am).abs() / am < 0.01, "pos {i}: mean {m}");
            assert!((s - as_).abs() / as_ < 0.03, "pos {i}: std {s} vs {as_}");
        }
        let best: f64 = f.iter().map(|x| x.2).sum();
        assert!((best - 1.0).abs() < 1e-9);
    }
}

/// A labelled text input bound to `value` (the fairness form's numbers).
#[component]
fn FormField(
    label: LabMsg,
    lang: RwSignal<Lang>,
    testid: &'static str,
    inputmode: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            {move || label.text(lang.get())}
            <input
                data-testid=testid
                inputmode=inputmode
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// The rule's name for people (its stable key, `double_mean`, is for URLs and files).
fn rule_name(rule: SplitRule) -> LabMsg {
    match rule {
        SplitRule::DoubleMean => LabMsg::RuleDoubleMean,
        SplitRule::LineCutting => LabMsg::RuleLineCutting,
    }
}
