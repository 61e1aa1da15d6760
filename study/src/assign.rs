//! Deterministic assignment of participants to variants (PRODUCT §6).
//!
//! The exact rule, to reimplement in any language (vectors: `lab/assignment-vectors.json`):
//! 1. `h` = FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the UTF-8
//!    bytes of `key + ":" + participant`;
//! 2. `bucket = h mod 10000`;
//! 3. with `W` = the sum of the weights, walk the variants in order; the variant is the first
//!    whose cumulative weight `c` satisfies `bucket * W < c * 10000`.
//!
//! `?variant=<name>` forces a variant; a forced participant is marked as such and left out of
//! the results by default.

use crate::experiment::Experiment;

pub const BUCKETS: u64 = 10_000;

pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The participant's bucket in `[0, 10000)` for experiment `key`.
pub fn bucket(key: &str, participant: &str) -> u32 {
    (fnv1a64(format!("{key}:{participant}").as_bytes()) % BUCKETS) as u32
}

/// The variant index for a bucket under the weights (`None` when every weight is zero).
pub fn pick(bucket: u32, weights: &[u32]) -> Option<usize> {
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut cumulative = 0u64;
    for (i, w) in weights.iter().enumerate() {
        cumulative += u64::from(*w);
        if u64::from(bucket) * total < cumulative * BUCKETS {
            return Some(i);
        }
    }
    None
}

/// Who a participant is in an experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub participant: String,
    pub variant: String,
    pub forced: bool,
}

/// Assigns `participant`; `forced` (from `?variant=`) wins when it names a variant.
pub fn assign(experiment: &Experiment, participant: &str, forced: Option<&str>) -> Assignment {
    if let Some(name) = forced.filter(|n| experiment.variant(n).is_some()) {
        return Assignment {
            participant: participant.into(),
            variant: name.into(),
            forced: true,
        };
    }
    let weights: Vec<u32> = experiment.variants.iter().map(|v| v.weight).collect();
    let i = pick(bucket(&experiment.key, participant), &weights).unwrap_or(0);
    Assignment {
        participant: participant.into(),
        variant: experiment.variants[i].name.clone(),
        forced: false,
    }
}

/// A participant id is kept when it is short and plain.
pub fn valid_participant(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::shipped;

    #[derive(serde::Deserialize)]
    struct Vector {
        participant: String,
        key: String,
        bucket: u32,
        variant: String,
    }

    #[test]
    fn published_vectors_hold() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../lab/assignment-vectors.json")).unwrap();
        assert!(vectors.len() >= 20);
        let experiments = shipped();
        for v in vectors {
            assert_eq!(
                bucket(&v.key, &v.participant),
                v.bucket,
                "{}",
                v.participant
            );
            let e = experiments.iter().find(|e| e.key == v.key).unwrap();
            let a = assign(e, &v.participant, None);
            assert_eq!(a.variant, v.variant, "{}", v.participant);
            assert!(!a.forced);
        }
    }

    #[test]
    fn fnv_matches_the_reference() {
        // Reference values of FNV-1a 64 (draft-eastlake-fnv).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn assignment_is_sticky_and_forcing_is_marked() {
        let e = &shipped()[0];
        let a = assign(e, "p1", None);
        assert_eq!(a, assign(e, "p1", None));
        let forced = assign(e, "p1", Some("B"));
        assert_eq!((forced.variant.as_str(), forced.forced), ("B", true));
        // An unknown forced name falls back to the normal assignment.
        assert_eq!(assign(e, "p1", Some("Z")), a);
    }

    #[test]
    fn weights_split_the_buckets() {
        assert_eq!(pick(0, &[1, 1]), Some(0));
        assert_eq!(pick(4999, &[1, 1]), Some(0));
        assert_eq!(pick(5000, &[1, 1]), Some(1));
        assert_eq!(pick(9999, &[0, 3]), Some(1));
        assert_eq!(pick(5, &[0, 0]), None);
        let mut counts = [0u32; 3];
        for i in 0..3000 {
            counts[pick(bucket("k", &format!("p{i}")), &[1, 1, 1]).unwrap()] += 1;
        }
        assert!(counts.iter().all(|c| (900..1100).contains(c)), "{counts:?}");
    }
}
