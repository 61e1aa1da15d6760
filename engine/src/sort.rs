//! Sorting the engine's short lists: a packet's members, a draft's warnings.
//!
//! std's sorts are the right choice for long slices, but each type they sort adds its own
//! copy of driftsort or ipnsort (about 1 KB each) to the browser bundle. The lists sorted here
//! hold a handful of items (a chat's members, at most a few warnings), where an insertion
//! sort is as fast and a few dozen bytes. Long lists (a packet's cut points) keep std's sort.

/// Sorts `v` in place, stable, by `less`. Quadratic: for short slices only.
pub(crate) fn sort_short_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// [`sort_short_by`] in `T`'s order.
pub(crate) fn sort_short<T: Ord>(v: &mut [T]) {
    sort_short_by(v, |a, b| a < b);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_std(mut v in proptest::collection::vec(0u8..20, 0..40)) {
            let mut expected = v.clone();
            expected.sort();
            sort_short(&mut v);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn is_stable(mut v in proptest::collection::vec((0u8..5, any::<u16>()), 0..40)) {
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            sort_short_by(&mut v, |a, b| a.0 < b.0);
            prop_assert_eq!(v, expected);
        }
    }
}
