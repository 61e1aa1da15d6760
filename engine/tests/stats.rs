//! Statistics of the double-mean split (floats are fine here: this is statistics code).
#![cfg(not(target_arch = "wasm32"))]

use hongbao_engine::split::{self, SplitRule};
use hongbao_engine::{Money, Rng};

const PACKETS: usize = 200_000;
const N: usize = 10;

/// Per-position (mean, standard deviation) in yuan.
fn stats(rule: SplitRule, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(N);
    let mut stat_sum = [0f64; N];
    let mut stat_sum_sq = [0f64; N];
    for _ in 0..PACKETS {
        split::split_all(
            rule,
            Money::from_fen(10_000),
            N as u32,
            Money::from_fen(20_000),
            &mut rng,
            &mut out,
        );
        assert_eq!(out.iter().map(|m| m.fen()).sum::<i64>(), 10_000);
        for (i, share) in out.iter().enumerate() {
            let stat_y = share.fen() as f64 / 100.0;
            stat_sum[i] += stat_y;
            stat_sum_sq[i] += stat_y * stat_y;
        }
    }
    (0..N)
        .map(|i| {
            let mean = stat_sum[i] / PACKETS as f64;
            let var = stat_sum_sq[i] / PACKETS as f64 - mean * mean;
            (mean, var.sqrt())
        })
        .collect()
}

#[test]
fn double_mean_positions_have_equal_means_and_rising_spread() {
    let s = stats(SplitRule::DoubleMean, 2025);
    for (i, (mean, sigma)) in s.iter().enumerate() {
        eprintln!("position {}: mean {mean:.4} std {sigma:.4}", i + 1);
        assert!(
            (mean - 10.0).abs() <= 0.10,
            "position {} mean {mean}",
            i + 1
        );
    }
    let within = |sigma: f64, target: f64| (sigma - target).abs() <= 0.03 * target;
    assert!(within(s[0].1, 5.77), "position 1 std {}", s[0].1);
    assert!(within(s[8].1, 7.68), "position 9 std {}", s[8].1);
    assert!(within(s[9].1, 7.68), "position 10 std {}", s[9].1);
    assert!(
        s.windows(2).all(|w| w[1].1 >= w[0].1 - 0.05),
        "the spread rises with the position"
    );
}

#[test]
fn line_cutting_positions_are_exchangeable() {
    let s = stats(SplitRule::LineCutting, 7);
    for (i, (mean, sigma)) in s.iter().enumerate() {
        eprintln!(
            "line cutting position {}: mean {mean:.4} std {sigma:.4}",
            i + 1
        );
        assert!(
            (mean - 10.0).abs() <= 0.10,
            "position {} mean {mean}",
            i + 1
        );
        // A uniform spacing of 10 pieces: std ≈ 100·sqrt(9/(10²·11)) ≈ 9.05.
        assert!(
            (sigma - 9.05).abs() <= 0.03 * 9.05,
            "position {} std {sigma}",
            i + 1
        );
    }
}
