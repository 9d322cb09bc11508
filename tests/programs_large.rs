//! The programs declared at large sizes (maximum length 100 or 128), against plain-Rust
//! functions of their meaning on long inputs.

#[path = "../examples/common/programs/mod.rs"]
mod programs;

use programs::{frac_prevs, hist, reverse, sort_unique};
use serde_json::Value as Json;

/// Returns `len` tokens from `vocabulary`, chosen by a fixed linear congruential sequence
/// started at `seed`, so every run checks the same inputs.
fn tokens<'a>(vocabulary: &[&'a str], len: usize, seed: u64) -> Vec<&'a str> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            vocabulary[(state >> 33) as usize % vocabulary.len()]
        })
        .collect()
}

/// Returns the decoded outputs after BOS.
fn outputs<R: handcraft::Space>(
    model: &handcraft::assemble::Model<R>,
    input: &[&str],
) -> Vec<Json> {
    let mut with_bos = vec!["BOS"];
    with_bos.extend(input);
    let mut decoded = programs::run(model, &with_bos).expect("the model runs");
    decoded.remove(0);
    decoded
}

#[test]
fn hist_128_counts_tokens() {
    let model = hist::build::<hist::large::Spaces>().expect("the program builds");
    for (len, seed) in [(1, 1), (37, 2), (128, 3)] {
        let input = tokens(&["a", "b", "c"], len, seed);
        let expected: Vec<Json> = input
            .iter()
            .map(|t| Json::from(input.iter().filter(|u| *u == t).count()))
            .collect();
        assert_eq!(outputs(&model, &input), expected, "input of {len} tokens");
    }
}

#[test]
fn frac_prevs_128_gives_prefix_fraction() {
    let model = frac_prevs::build::<frac_prevs::large::Spaces>(false).expect("the program builds");
    let input = tokens(&["x", "y", "z"], 128, 4);
    let decoded = outputs(&model, &input);
    let mut seen = 0;
    for (i, token) in input.iter().enumerate() {
        seen += usize::from(*token == "x");
        let expected = seen as f64 / (i + 1) as f64;
        let found = decoded[i].as_f64().expect("a number");
        assert!(
            (found - expected).abs() < 1e-9,
            "position {i}: {found}, expected {expected}"
        );
    }
}

#[test]
fn reverse_128_reverses_tokens() {
    let model = reverse::build::<reverse::large::Spaces>().expect("the program builds");
    for (len, seed) in [(1, 5), (64, 6), (127, 7), (128, 8)] {
        let input = tokens(&["a", "b", "c"], len, seed);
        let expected: Vec<Json> = input.iter().rev().map(|t| Json::from(*t)).collect();
        assert_eq!(outputs(&model, &input), expected, "input of {len} tokens");
    }
}

#[test]
fn sort_unique_128_sorts_distinct_tokens() {
    let model = sort_unique::build::<sort_unique::large::Spaces>().expect("the program builds");
    for input in [vec!["3"], vec!["4", "1"], vec!["2", "4", "1", "3"]] {
        let mut expected: Vec<i64> = input
            .iter()
            .map(|t| t.parse().expect("an integer"))
            .collect();
        expected.sort();
        let expected: Vec<Json> = expected.into_iter().map(Json::from).collect();
        assert_eq!(outputs(&model, &input), expected, "input {input:?}");
    }
}

#[test]
fn sort_unique_100_sorts_a_permutation() {
    let model = sort_unique::build::<sort_unique::hundred::Spaces>().expect("the program builds");
    // 37 is coprime with 100, so `37·i mod 100` visits every token once.
    let permutation: Vec<String> = (0..100).map(|i| (37 * i % 100).to_string()).collect();
    let input: Vec<&str> = permutation.iter().map(String::as_str).collect();
    let expected: Vec<Json> = (0..100).map(Json::from).collect();
    assert_eq!(outputs(&model, &input), expected, "all 100 tokens");

    let first_ten = &input[..10];
    let mut sorted: Vec<i64> = first_ten
        .iter()
        .map(|t| t.parse().expect("an integer"))
        .collect();
    sorted.sort();
    let expected: Vec<Json> = sorted.into_iter().map(Json::from).collect();
    assert_eq!(outputs(&model, first_ten), expected, "the first 10 tokens");
}
