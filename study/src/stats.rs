//! Statistics for the results (floats are fine here; never for money).

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `x` successes in `n` trials (`(0, 1)` when `n == 0`).
pub fn wilson(x: u32, n: u32, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (x, n) = (f64::from(x), f64::from(n));
    let p = x / n;
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The error function (Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7).
pub fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp())
}

/// The standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// The pooled two-proportion z-test: `(z, two-sided p)`; `None` when undefined (an empty
/// group, or no variation at all).
pub fn two_proportion(x1: u32, n1: u32, x2: u32, n2: u32) -> Option<(f64, f64)> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (x1, n1, x2, n2) = (f64::from(x1), f64::from(n1), f64::from(x2), f64::from(n2));
    let p = (x1 + x2) / (n1 + n2);
    let se = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (x1 / n1 - x2 / n2) / se;
    Some((z, 2.0 * (1.0 - normal_cdf(z.abs()))))
}

/// The median (mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Quartiles by linear interpolation between order statistics (Hyndman & Fan's type 7,
/// Python's `statistics.quantiles(method="inclusive")`): `(q1, median, q3)`.
pub fn quartiles(values: &mut [f64]) -> Option<(f64, f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let h = (values.len() - 1) as f64 * q;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        values[lo] + (h - h.floor()) * (values[hi] - values[lo])
    };
    Some((at(0.25), at(0.5), at(0.75)))
}

/// Holm's step-down adjustment of `p` (one p-value per test, in any order): the adjusted
/// values in the same order, each at most 1. Controls the family-wise error rate when
/// several variants are compared pairwise.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0_f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// The standard normal quantile (the inverse of [`normal_cdf`]), by bisection: as exact as
/// `normal_cdf` (about 1e-7), which is all a sample size needs.
pub fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0_f64, 10.0_f64);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Participants per variant (each of whom sends) for a two-sided two-proportion z-test at
/// level `alpha` to detect slip rates `p1` against `p2` with probability `power` (the
/// normal approximation without continuity correction, as in Fleiss). `None` for rates
/// outside (0, 1), equal rates, or `alpha`/`power` outside (0, 1).
pub fn sample_size(p1: f64, p2: f64, alpha: f64, power: f64) -> Option<u32> {
    let open = |x: f64| x > 0.0 && x < 1.0;
    if !(open(p1) && open(p2) && open(alpha) && open(power)) || p1 == p2 {
        return None;
    }
    let (za, zb) = (normal_quantile(1.0 - alpha / 2.0), normal_quantile(power));
    let mean = (p1 + p2) / 2.0;
    let n = (za * (2.0 * mean * (1.0 - mean)).sqrt()
        + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt())
    .powi(2)
        / (p1 - p2).powi(2);
    // A few ulps over an integer must not add a participant.
    let n = (n - 1e-9).ceil();
    (n <= f64::from(u32::MAX)).then_some(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_holm_and_sample_sizes_match_python() {
        // `statistics.quantiles(v, n=4, method="inclusive")`.
        let q = quartiles(&mut [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]).unwrap();
        assert_eq!(q, (3.25, 5.5, 7.75));
        assert_eq!(
            quartiles(&mut [5.5, 1.0, 3.25, 9.0, 2.0]),
            Some((2.0, 3.25, 5.5))
        );
        assert_eq!(quartiles(&mut [4.0]), Some((4.0, 4.0, 4.0)));
        assert_eq!(quartiles(&mut []), None);
        // Holm by hand: sorted 0.01·3, 0.03·2, max(0.04·1, 0.06).
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(close(&holm(&[0.01, 0.04, 0.03]), &[0.03, 0.06, 0.06]));
        assert!(close(
            &holm(&[0.5, 0.001, 0.02, 0.3]),
            &[0.6, 0.004, 0.06, 0.6]
        ));
        assert!(close(&holm(&[0.9, 0.8]), &[1.0, 1.0]));
        assert!(holm(&[]).is_empty());
        // `NormalDist().inv_cdf(p)`.
        for (p, z) in [
            (0.975, 1.959_963_984_540_054),
            (0.8, 0.841_621_233_572_914_4),
            (0.995, 2.575_829_303_548_9),
            (0.5, 0.0),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-5,
                "{p}: {}",
                normal_quantile(p)
            );
        }
        // `ceil((za*sqrt(2*m*(1-m)) + zb*sqrt(p1*(1-p1)+p2*(1-p2)))**2 / (p1-p2)**2)`, with
        // za, zb from `NormalDist().inv_cdf`.
        assert_eq!(sample_size(0.30, 0.15, 0.05, 0.8), Some(121));
        assert_eq!(sample_size(0.5, 0.4, 0.05, 0.9), Some(519));
        assert_eq!(sample_size(0.10, 0.05, 0.05, 0.8), Some(435));
        assert_eq!(sample_size(0.2, 0.25, 0.01, 0.8), Some(1628));
        assert_eq!(sample_size(0.2, 0.2, 0.05, 0.8), None);
        assert_eq!(sample_size(0.0, 0.2, 0.05, 0.8), None);
        assert_eq!(sample_size(0.1, 0.2, 0.05, 1.0), None);
    }

    /// (x1, n1, x2, n2, wilson_lo(x1,n1), wilson_hi(x1,n1), z, p), computed independently with
    /// Python's standard library only:
    /// `z=1.959963984540054; p=x/n; d=1+z*z/n; c=(p+z*z/(2*n))/d;
    ///  h=z*math.sqrt(p*(1-p)/n+z*z/(4*n*n))/d` → (c-h, c+h); pooled
    /// `p=(x1+x2)/(n1+n2); se=math.sqrt(p*(1-p)*(1/n1+1/n2)); z=(x1/n1-x2/n2)/se;
    ///  pvalue=math.erfc(abs(z)/math.sqrt(2))`.
    type Row = (u32, u32, u32, u32, f64, f64, f64, f64);
    const REFERENCE: [Row; 9] = [
        (0, 10, 3, 10, 0.000000, 0.277533, -1.878673, 0.060289),
        (1, 10, 5, 12, 0.017876, 0.404150, -1.660614, 0.096791),
        (5, 20, 12, 20, 0.111862, 0.468701, -2.238926, 0.025161),
        (3, 14, 0, 13, 0.075714, 0.475892, 1.770291, 0.076679),
        (7, 13, 2, 13, 0.291438, 0.767939, 2.061156, 0.039288),
        (50, 100, 40, 100, 0.403832, 0.596168, 1.421338, 0.155218),
        (12, 40, 30, 45, 0.180748, 0.454300, -3.374880, 0.000738),
        (1, 1, 0, 2, 0.206549, 1.000000, 1.732051, 0.083265),
        (99, 200, 120, 210, 0.426458, 0.563730, -1.550721, 0.120969),
    ];

    #[test]
    fn matches_the_reference_table() {
        for (x1, n1, x2, n2, lo, hi, z, p) in REFERENCE {
            let (l, h) = wilson(x1, n1, Z95);
            assert!(
                (l - lo).abs() < 1e-4 && (h - hi).abs() < 1e-4,
                "{x1}/{n1}: {l} {h}"
            );
            let (zz, pp) = two_proportion(x1, n1, x2, n2).unwrap();
            assert!((zz - z).abs() < 1e-4, "{x1}/{n1} vs {x2}/{n2}: z {zz}");
            assert!((pp - p).abs() < 1e-4, "{x1}/{n1} vs {x2}/{n2}: p {pp}");
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        assert_eq!(two_proportion(0, 0, 1, 2), None);
        assert_eq!(two_proportion(0, 5, 0, 5), None);
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-9);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
