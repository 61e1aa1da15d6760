//! Small SVG charts: bars with 95% whiskers, and per-position figures with analytic markers.

use leptos::prelude::*;

/// One bar: label, value and interval, all in `[0, max]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

const W: f64 = 300.0;
const H: f64 = 140.0;
const PAD: f64 = 24.0;
/// Room for the y axis's labels.
const LEFT: f64 = 44.0;

fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

/// The y axis: its line and three ticks (0, half, top), each labelled by `label`.
fn y_axis(top: f64, label: impl Fn(f64) -> String) -> impl IntoView {
    let ticks = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|f| {
            let y = H - PAD - f * (H - 2.0 * PAD);
            view! {
                <g class="hb-lab-ytick">
                    <line class="hb-lab-axis" x1=fmt(LEFT - 3.0) x2=fmt(LEFT) y1=fmt(y) y2=fmt(y) />
                    <text class="hb-lab-tick" x=fmt(LEFT - 5.0) y=fmt(y + 3.0) text-anchor="end">{label(top * f)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <line class="hb-lab-axis" x1=fmt(LEFT) x2=fmt(LEFT) y1=fmt(PAD) y2=fmt(H - PAD) />
        {ticks}
    }
}

/// Bars of rates with CI whiskers; `max` is the top of the axis (1.0 = 100%).
#[component]
pub fn BarChart(
    bars: Vec<Bar>,
    max: f64,
    #[prop(into)] title: String,
    testid: &'static str,
) -> impl IntoView {
    let n = bars.len().max(1) as f64;
    let slot = (W - LEFT - PAD) / n;
    let y = move |v: f64| H - PAD - (v / max.max(1e-9)).clamp(0.0, 1.0) * (H - 2.0 * PAD);
    let items = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let x = LEFT + slot * i as f64 + slot * 0.2;
            let w = slot * 0.6;
            let cx = x + w / 2.0;
            let label = b.label.clone();
            view! {
                <g class="hb-lab-bar" data-label=label data-value=format!("{:.4}", b.value)>
                    <rect x=fmt(x) y=fmt(y(b.value)) width=fmt(w) height=fmt(H - PAD - y(b.value)) />
                    <line class="hb-lab-whisker" x1=fmt(cx) x2=fmt(cx) y1=fmt(y(b.lo)) y2=fmt(y(b.hi)) />
                    <line class="hb-lab-whisker" x1=fmt(cx - 5.0) x2=fmt(cx + 5.0) y1=fmt(y(b.lo)) y2=fmt(y(b.lo)) />
                    <line class="hb-lab-whisker" x1=fmt(cx - 5.0) x2=fmt(cx + 5.0) y1=fmt(y(b.hi)) y2=fmt(y(b.hi)) />
                    <text x=fmt(cx) y=fmt(H - 8.0) text-anchor="middle">{b.label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="hb-lab-chart" data-testid=testid>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone()>
                <line class="hb-lab-axis" x1=fmt(LEFT) x2=fmt(W - PAD) y1=fmt(H - PAD) y2=fmt(H - PAD) />
                {y_axis(max, |v| format!("{:.0}%", v * 100.0))}
                {items}
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// Per-position figures: bars of the mean with ±std whiskers, best-luck dots, and the
/// analytic mean ± std (hollow markers) when given; the y axis in yuan (the dots' chance is
/// on the same height, 0 to 100%), the x axis the claim's position.
#[component]
pub fn PositionChart(
    figures: Vec<(f64, f64, f64)>,
    analytic: Option<Vec<(f64, f64)>>,
    #[prop(into)] title: String,
    #[prop(into)] x_label: String,
    #[prop(into)] y_label: String,
) -> impl IntoView {
    let n = figures.len().max(1) as f64;
    let top = figures
        .iter()
        .map(|(m, s, _)| m + s)
        .chain(analytic.iter().flatten().map(|(m, s)| m + s))
        .fold(1e-9, f64::max);
    let slot = (W - LEFT - PAD) / n;
    let y = move |v: f64| H - PAD - (v / top).clamp(0.0, 1.0) * (H - 2.0 * PAD);
    let yb = move |p: f64| H - PAD - p.clamp(0.0, 1.0) * (H - 2.0 * PAD);
    let items = figures
        .iter()
        .enumerate()
        .map(|(i, &(m, s, best))| {
            let x = LEFT + slot * i as f64 + slot * 0.15;
            let w = slot * 0.45;
            let cx = x + w / 2.0;
            let ana = analytic.as_ref().and_then(|a| a.get(i).copied()).map(|(am, asd)| {
                let ax = x + w + slot * 0.15;
                view! {
                    <g class="hb-lab-analytic">
                        <line x1=fmt(ax) x2=fmt(ax) y1=fmt(y(am - asd)) y2=fmt(y(am + asd)) />
                        <circle cx=fmt(ax) cy=fmt(y(am)) r="2.5" />
                    </g>
                }
            });
            view! {
                <g class="hb-lab-bar">
                    <rect x=fmt(x) y=fmt(y(m)) width=fmt(w) height=fmt(H - PAD - y(m)) />
                    <line class="hb-lab-whisker" x1=fmt(cx) x2=fmt(cx) y1=fmt(y(m - s)) y2=fmt(y(m + s)) />
                    <circle class="hb-lab-best" cx=fmt(cx) cy=fmt(yb(best)) r="2" />
                    {ana}
                    <text x=fmt(cx) y=fmt(H - 8.0) text-anchor="middle">{(i + 1).to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {W} {}", H + 12.0) role="img" aria-label=title>
            <line class="hb-lab-axis" x1=fmt(LEFT) x2=fmt(W - PAD) y1=fmt(H - PAD) y2=fmt(H - PAD) />
            {y_axis(top, |v| format!("¥{v:.2}"))}
            <text class="hb-lab-tick" x="2" y=fmt(PAD - 10.0)>{y_label}</text>
            <text class="hb-lab-tick" x=fmt((W + LEFT - PAD) / 2.0) y=fmt(H + 8.0) text-anchor="middle">{x_label}</text>
            {items}
        </svg>
    }
}
