//! Split rules: how a lucky packet's total becomes shares.
//!
//! Both rules keep every share within `[0.01, cap]` whenever the input is feasible
//! ([`feasible`]: `count ≥ 1` and `count × 0.01 ≤ total ≤ count × cap`), and the shares
//! always sum to the total.
//!
//! - [`SplitRule::DoubleMean`] (二倍均值法, the default) draws each share *at claim time*,
//!   uniformly in whole fen from `[0.01, 2 × remaining ÷ shares left]`; the last claimer takes
//!   the remainder. To keep the cap (and one fen for everyone after) the interval is clamped to
//!   `[max(0.01, remaining − cap × (left − 1)), min(cap, 2 × remaining ÷ left, remaining − 0.01 × (left − 1))]`,
//!   which only binds near the limits. Every position has the same mean; later positions have
//!   more variance.
//! - [`SplitRule::LineCutting`] (线段切割法) cuts the segment `[0, total]` at `count − 1`
//!   distinct random fen positions at send time; the shares are the pieces. Each position has
//!   the same distribution. When a piece would exceed the cap the cut is redrawn (up to 8
//!   times); if that keeps failing (only when the total is close to `count × cap`) the excess
//!   of over-cap pieces is moved, in a circular sweep from a random piece, into pieces with
//!   room, which keeps the sum and the bounds exact.

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::rng::Rng;

/// How a lucky packet is split. Serialised as `"double_mean"` / `"line_cutting"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// 二倍均值法: drawn at claim time (the default, as in the apps people know).
    #[default]
    DoubleMean,
    /// 线段切割法: all shares cut at send time.
    LineCutting,
}

impl SplitRule {
    /// Both rules.
    pub const ALL: [SplitRule; 2] = [SplitRule::DoubleMean, SplitRule::LineCutting];

    /// The stable name: `double_mean` or `line_cutting`.
    pub fn as_str(self) -> &'static str {
        match self {
            SplitRule::DoubleMean => "double_mean",
            SplitRule::LineCutting => "line_cutting",
        }
    }

    /// The rule named by its stable name ([`SplitRule::as_str`]).
    pub fn parse(name: &str) -> Option<SplitRule> {
        SplitRule::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// `true` when `total` can be split into `count` shares each within `[0.01, cap]`.
pub fn feasible(total: Money, count: u32, cap: Money) -> bool {
    count >= 1
        && total.fen() >= i64::from(count)
        && cap.is_positive()
        && cap.checked_mul(count).is_none_or(|max| total <= max)
}

/// Draws the next double-mean share from `remaining` with `left` shares left (this one
/// included) and a per-share `cap`. With `left ≤ 1` it returns the whole remainder.
///
/// If the state is infeasible (fewer fen than shares left, or more than `cap × left`) the
/// result is still between zero and `remaining`, but the bounds cannot all hold.
#[inline]
pub fn draw_double_mean(remaining: Money, left: u32, cap: Money, rng: &mut Rng) -> Money {
    let r = remaining.fen();
    if r <= 0 {
        return Money::ZERO;
    }
    let cap = cap.fen().max(1) as u64;
    Money::from_fen(draw_fen(r as u64, left, cap, rng) as i64)
}

#[inline(always)]
fn draw_fen(remaining: u64, left: u32, cap: u64, rng: &mut Rng) -> u64 {
    if left <= 1 {
        return remaining;
    }
    let others = u64::from(left - 1);
    let lo = remaining.saturating_sub(cap.saturating_mul(others)).max(1);
    // 2 × remaining ÷ left, in 32-bit arithmetic whenever it fits (the common case).
    let double_mean = if remaining <= u64::from(u32::MAX / 2) {
        u64::from((remaining as u32 * 2) / left)
    } else {
        remaining.saturating_mul(2) / u64::from(left)
    };
    let hi = cap.min(double_mean).min(remaining.saturating_sub(others));
    if hi <= lo {
        return lo.min(remaining);
    }
    let span = hi - lo + 1;
    let share = match u32::try_from(span) {
        Ok(span) => lo + u64::from(rng.below(span)),
        Err(_) => lo + rng.below_u64(span),
    };
    // A share leaves at least one fen for each share after it (so never a negative
    // remainder), and no more than the cap can hold.
    debug_assert!(
        (1..=remaining - others).contains(&share),
        "double mean drew {share} of {remaining} with {left} left"
    );
    debug_assert!(
        remaining - share <= cap.saturating_mul(others),
        "double mean left more than the cap can hold: {share} of {remaining}, {left} left, cap {cap}"
    );
    share
}

/// Splits `total` into `count` shares under `rule`, writing them to `out` in claim order
/// (`out` is cleared first; it does not allocate once it has room for `count` shares, so a
/// loop over many packets reuses one buffer).
///
/// For [`SplitRule::DoubleMean`] this is the sequence of draws the claimers would get.
/// If the input is not [`feasible`] the shares still sum to `total` but may fall outside
/// `[0.01, cap]`; with `count == 0` nothing is written.
pub fn split_all(
    rule: SplitRule,
    total: Money,
    count: u32,
    cap: Money,
    rng: &mut Rng,
    out: &mut Vec<Money>,
) {
    out.clear();
    if count == 0 {
        return;
    }
    out.reserve(count as usize);
    match rule {
        SplitRule::DoubleMean => {
            let cap = cap.fen().max(1) as u64;
            let mut remaining = total.fen().max(0) as u64;
            for left in (1..=count).rev() {
                let x = if remaining == 0 {
                    0
                } else {
                    draw_fen(remaining, left, cap, rng)
                };
                remaining -= x;
                out.push(Money::from_fen(x as i64));
            }
            // A negative total cannot be split; keep the sum exact anyway.
            if total.fen() < 0
                && let Some(first) = out.first_mut()
            {
                *first = total;
            }
        }
        SplitRule::LineCutting => line_cut(total, count, cap, rng, out),
    }
    debug_assert_eq!(out.len(), count as usize, "one share per count");
    debug_assert_eq!(
        out.iter().map(|s| i128::from(s.fen())).sum::<i128>(),
        i128::from(total.fen()),
        "the shares add up to the total: {rule:?} {total} × {count} (cap {cap})"
    );
    debug_assert!(
        !feasible(total, count, cap) || out.iter().all(|s| *s >= Money::FEN && *s <= cap),
        "a feasible split keeps every share within [0.01, cap]: {rule:?} {total} × {count} (cap {cap})"
    );
}

const LINE_CUT_ATTEMPTS: u32 = 8;

fn line_cut(total: Money, count: u32, cap: Money, rng: &mut Rng, out: &mut Vec<Money>) {
    let t = total.fen();
    if count == 1 || t < i64::from(count) {
        // One share, or infeasible: everything in the first share, ones while they last.
        out.clear();
        if count == 1 || t <= 0 {
            out.push(total);
            out.resize(count as usize, Money::ZERO);
            return;
        }
        for i in 0..count {
            out.push(Money::from_fen(i64::from(i64::from(i) < t)));
        }
        return;
    }
    let cap_fen = cap.fen().max(1);
    for _ in 0..LINE_CUT_ATTEMPTS {
        cut_once(t as u64, count, rng, out);
        if out.iter().all(|s| s.fen() <= cap_fen) {
            return;
        }
    }
    // Repair: clamp over-cap pieces and pour the excess into pieces with room.
    let mut excess: i64 = 0;
    for s in out.iter_mut() {
        if s.fen() > cap_fen {
            excess += s.fen() - cap_fen;
            *s = Money::from_fen(cap_fen);
        }
    }
    let n = out.len();
    let start = rng.below(count) as usize;
    for k in 0..n {
        if excess == 0 {
            break;
        }
        let s = &mut out[(start + k) % n];
        let add = (cap_fen - s.fen()).min(excess);
        if add > 0 {
            *s = Money::from_fen(s.fen() + add);
            excess -= add;
        }
    }
    if excess > 0 {
        // Infeasible (total above count × cap): keep the sum exact.
        if let Some(first) = out.first_mut() {
            *first = Money::from_fen(first.fen() + excess);
        }
    }
}

/// `count − 1` distinct cut points in `1..total` (Floyd's sampling), sorted, turned into pieces.
fn cut_once(total: u64, count: u32, rng: &mut Rng, out: &mut Vec<Money>) {
    out.clear();
    let m = u64::from(count - 1);
    let n = total - 1; // cut positions are 1..=n
    for j in (n - m + 1)..=n {
        let t = rng.between_u64(1, j) as i64;
        if out.iter().any(|c| c.fen() == t) {
            out.push(Money::from_fen(j as i64));
        } else {
            out.push(Money::from_fen(t));
        }
    }
    out.sort_unstable();
    let mut prev = 0i64;
    for c in out.iter_mut() {
        let pos = c.fen();
        *c = Money::from_fen(pos - prev);
        prev = pos;
    }
    out.push(Money::from_fen(total as i64 - prev));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: SplitRule, total: i64, count: u32, cap: i64, seed: u64) {
        let mut rng = Rng::new(seed);
        let mut out = Vec::new();
        split_all(
            rule,
            Money::from_fen(total),
            count,
            Money::from_fen(cap),
            &mut rng,
            &mut out,
        );
        assert_eq!(out.len(), count as usize);
        assert_eq!(out.iter().map(|m| m.fen()).sum::<i64>(), total);
        for s in &out {
            assert!(
                s.fen() >= 1 && s.fen() <= cap,
                "{rule:?} {total} {count} {cap}: {out:?}"
            );
        }
    }

    #[test]
    fn bounds_hold_at_the_edges() {
        for rule in SplitRule::ALL {
            for seed in 0..50 {
                check(rule, 10_000, 10, 20_000, seed);
                check(rule, 10, 10, 20_000, seed);
                check(rule, 11, 10, 2, seed);
                check(rule, 200_000, 10, 20_000, seed);
                check(rule, 199_999, 10, 20_000, seed);
                check(rule, 150_000, 10, 20_000, seed);
                check(rule, 2_000_000, 100, 20_000, seed);
                check(rule, 1, 1, 1, seed);
                check(rule, 5_000, 1, 20_000, seed);
            }
        }
    }

    #[test]
    fn infeasible_input_does_not_panic() {
        let mut rng = Rng::new(1);
        let mut out = Vec::new();
        for rule in SplitRule::ALL {
            for (t, n, c) in [
                (5, 10, 1),
                (-5, 3, 1),
                (0, 3, 5),
                (100, 2, 1),
                (i64::MAX, 3, 0),
                (7, 0, 1),
            ] {
                split_all(
                    rule,
                    Money::from_fen(t),
                    n,
                    Money::from_fen(c),
                    &mut rng,
                    &mut out,
                );
                assert_eq!(out.len(), n as usize);
                if n > 0 {
                    assert_eq!(
                        out.iter().map(|m| i128::from(m.fen())).sum::<i128>(),
                        i128::from(t)
                    );
                }
            }
        }
        assert_eq!(
            draw_double_mean(Money::ZERO, 3, Money::FEN, &mut rng),
            Money::ZERO
        );
        assert_eq!(
            draw_double_mean(Money::from_fen(-3), 0, Money::FEN, &mut rng),
            Money::ZERO
        );
    }
}
