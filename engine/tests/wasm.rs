//! The same scenario as the native golden test, in headless Chromium:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p hongbao-engine --target wasm32-unknown-unknown --test wasm`
#![cfg(target_arch = "wasm32")]

mod common;

use hongbao_engine::split::{self, SplitRule};
use hongbao_engine::{Money, Rng};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_scenario_matches_native() {
    let out = common::scenario::run();
    assert!(
        out == common::scenario::GOLDEN,
        "wasm32 scenario differs from the golden file:\n{out}"
    );
}

#[wasm_bindgen_test]
fn rng_matches_the_reference_vector() {
    let mut rng = Rng::with_stream(42, 54);
    let expected = [
        0xa15c02b7u32,
        0x7b47f409,
        0xba1d3330,
        0x83d2f293,
        0xbfa4784b,
        0xcbed606e,
    ];
    for e in expected {
        assert_eq!(rng.next_u32(), e);
    }
}

#[wasm_bindgen_test]
fn splits_match_native_checksum() {
    // The same computation as `split_checksum` in tests/replay.rs.
    let mut rng = Rng::new(5);
    let mut out = Vec::new();
    let mut checksum: u64 = 0;
    for rule in SplitRule::ALL {
        for k in 0..2_000u32 {
            split::split_all(
                rule,
                Money::from_fen(10_000 + i64::from(k)),
                1 + k % 20,
                Money::from_fen(20_000),
                &mut rng,
                &mut out,
            );
            for s in &out {
                checksum = checksum.wrapping_mul(31).wrapping_add(s.fen() as u64);
            }
        }
    }
    assert_eq!(checksum, common::SPLIT_CHECKSUM);
}
