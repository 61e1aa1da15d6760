//! A seeded, deterministic, serialisable random generator.
//!
//! [`Rng`] is PCG32 (PCG-XSH-RR 64/32, O'Neill 2014), the same generator and output stream as
//! `rand_pcg::Pcg32::new(seed, DEFAULT_STREAM)`: 64-bit state, 32-bit outputs, with the same results
//! on every platform (the LCG step is plain wrapping 64-bit integer arithmetic). Bounded draws
//! use Lemire's nearly-divisionless method with 32-bit outputs and a 64-bit product, so they
//! are unbiased and fast on wasm32 too.
//!
//! The state serialises as two decimal strings (`{"state":"…","inc":"…"}`) so that it
//! survives a trip through JavaScript numbers untouched.

use core::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

const MULTIPLIER: u64 = 6_364_136_223_846_793_005;
/// The stream `rand_pcg` uses by default (`0xa02bdbf7bb3c0a7`).
const DEFAULT_STREAM: u64 = 0x0a02_bdbf_7bb3_c0a7;

/// A PCG32 random generator. Create one with [`Rng::new`]; pass it as `&mut Rng` to every
/// engine operation that needs randomness.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rng {
    state: u64,
    inc: u64,
}

impl Rng {
    /// A generator seeded with `seed` on the default stream.
    pub fn new(seed: u64) -> Rng {
        Rng::with_stream(seed, DEFAULT_STREAM)
    }

    /// A generator with an explicit stream (`stream` selects one of 2^63 independent sequences).
    pub fn with_stream(seed: u64, stream: u64) -> Rng {
        let inc = (stream << 1) | 1;
        let mut rng = Rng {
            state: seed.wrapping_add(inc),
            inc,
        };
        rng.step();
        rng
    }

    /// The generator's whole state as two plain numbers, `(state, inc)`, for storing it
    /// without serde; [`Rng::from_parts`] gives back an equal generator.
    pub fn to_parts(&self) -> (u64, u64) {
        (self.state, self.inc)
    }

    /// A generator from [`Rng::to_parts`] output; `None` when `inc` is even (a PCG
    /// increment is always odd).
    pub fn from_parts(state: u64, inc: u64) -> Option<Rng> {
        (inc & 1 == 1).then_some(Rng { state, inc })
    }

    #[inline(always)]
    fn step(&mut self) {
        self.state = self.state.wrapping_mul(MULTIPLIER).wrapping_add(self.inc);
    }

    /// The next 32 uniformly distributed bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.step();
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    /// The next 64 uniformly distributed bits (two 32-bit outputs, low word first).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// A uniform integer in `0..n` (Lemire's method, unbiased). Returns 0 when `n == 0`.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let mut m = u64::from(self.next_u32()) * u64::from(n);
        let mut low = m as u32;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u64::from(self.next_u32()) * u64::from(n);
                low = m as u32;
            }
        }
        (m >> 32) as u32
    }

    /// A uniform integer in `0..n` for 64-bit bounds (Lemire's method with a 128-bit product).
    /// Returns 0 when `n == 0`. Uses [`Rng::below`] when `n` fits in 32 bits.
    pub fn below_u64(&mut self, n: u64) -> u64 {
        if let Ok(small) = u32::try_from(n) {
            return u64::from(self.below(small));
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// A uniform integer in `lo..=hi`. Returns `lo` when `hi <= lo`.
    #[inline]
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u32(),
        }
    }

    /// A uniform integer in `lo..=hi` for 64-bit bounds. Returns `lo` when `hi <= lo`.
    pub fn between_u64(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below_u64(span),
            None => self.next_u64(),
        }
    }
}

impl fmt::Debug for Rng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Rng {{ state: {:016x}, inc: {:016x} }}",
            self.state, self.inc
        )
    }
}

#[derive(Serialize, Deserialize)]
struct RngRepr {
    state: String,
    inc: String,
}

impl Serialize for Rng {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RngRepr {
            state: self.state.to_string(),
            inc: self.inc.to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Rng {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rng, D::Error> {
        let repr = RngRepr::deserialize(deserializer)?;
        let state: u64 = repr.state.parse().map_err(de::Error::custom)?;
        let inc: u64 = repr.inc.parse().map_err(de::Error::custom)?;
        if inc & 1 == 0 {
            return Err(de::Error::custom("rng increment must be odd"));
        }
        Ok(Rng { state, inc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_pcg32() {
        // The reference vector of rand_pcg and of pcg32-demo: Pcg32::new(42, 54).
        let mut rng = Rng::with_stream(42, 54);
        let expected = [
            0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e,
        ];
        for e in expected {
            assert_eq!(rng.next_u32(), e);
        }
    }

    #[test]
    fn bounded_draws_stay_in_range() {
        let mut rng = Rng::new(7);
        for n in [1u32, 2, 3, 7, 1000, u32::MAX] {
            for _ in 0..1000 {
                assert!(rng.below(n) < n);
            }
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.between(5, 5), 5);
        assert_eq!(rng.between(9, 5), 9);
        for _ in 0..1000 {
            let v = rng.between(3, 6);
            assert!((3..=6).contains(&v));
            assert!(rng.below_u64(u64::MAX / 3) < u64::MAX / 3);
        }
        let _ = rng.between(0, u32::MAX);
        let _ = rng.between_u64(0, u64::MAX);
    }

    #[test]
    fn parts_round_trip() {
        let mut rng = Rng::with_stream(99, 3);
        rng.next_u32();
        let (state, inc) = rng.to_parts();
        let mut back = Rng::from_parts(state, inc).unwrap();
        assert_eq!(back, rng);
        assert_eq!(back.next_u64(), rng.next_u64());
        assert!(Rng::from_parts(state, inc + 1).is_none());
    }

    #[test]
    fn serde_round_trip() {
        let mut rng = Rng::new(123);
        rng.next_u32();
        let json = serde_json::to_string(&rng).unwrap();
        let back: Rng = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rng);
    }
}
