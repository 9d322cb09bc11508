//! The programs without golden data, against plain-Rust functions of their meaning, on every
//! input up to their maximum length.

#[path = "../examples/common/programs/mod.rs"]
mod programs;

use handcraft::assemble::Model;
use handcraft::Space;
use serde_json::Value as Json;

use programs::{count_less_freq, detect_pattern, shuffle_dyck, sort_freq};

/// Returns every sequence of 1 to `max_len` tokens from `vocabulary`.
fn every_input<'a>(vocabulary: &[&'a str], max_len: usize) -> Vec<Vec<&'a str>> {
    let mut inputs: Vec<Vec<&str>> = Vec::new();
    let mut shorter: Vec<Vec<&str>> = vec![Vec::new()];
    for _ in 0..max_len {
        let longer: Vec<Vec<&str>> = shorter
            .iter()
            .flat_map(|prefix| {
                vocabulary.iter().map(move |&token| {
                    let mut input = prefix.clone();
                    input.push(token);
                    input
                })
            })
            .collect();
        inputs.extend(longer.iter().cloned());
        shorter = longer;
    }
    inputs
}

/// Runs `model` on every input and compares each defined position with `reference`, which
/// returns `None` where the program is undefined.
fn assert_matches_reference<R: Space>(
    model: &Model<R>,
    vocabulary: &[&str],
    max_len: usize,
    reference: impl Fn(&[&str]) -> Vec<Option<Json>>,
) {
    let inputs = every_input(vocabulary, max_len);
    let expected_count: usize = (1..=max_len).map(|n| vocabulary.len().pow(n as u32)).sum();
    assert_eq!(inputs.len(), expected_count, "number of inputs");

    for input in inputs {
        let mut tokens = vec!["BOS"];
        tokens.extend(&input);
        let decoded = programs::run(model, &tokens).expect("the model runs");
        let expected = reference(&input);
        for (position, expected) in expected.iter().enumerate() {
            if let Some(expected) = expected {
                assert_eq!(
                    &decoded[position + 1],
                    expected,
                    "input {input:?}, position {position}"
                );
            }
        }
    }
}

#[test]
fn sort_freq_matches_meaning_on_every_input() {
    let model = sort_freq::build().expect("the program builds");
    assert_matches_reference(&model, &["a", "b", "c"], sort_freq::MAX_SEQ_LEN, |input| {
        sort_freq::reference(input)
            .into_iter()
            .map(|t| Some(Json::from(t)))
            .collect()
    });
}

#[test]
fn shuffle_dyck_matches_meaning_on_every_input() {
    let model = shuffle_dyck::build().expect("the program builds");
    assert_matches_reference(
        &model,
        &["(", ")", "{", "}"],
        shuffle_dyck::MAX_SEQ_LEN,
        |input| {
            shuffle_dyck::reference(input)
                .into_iter()
                .map(|v| Some(Json::from(v)))
                .collect()
        },
    );
}

#[test]
fn count_less_freq_matches_meaning_on_every_input() {
    let model = count_less_freq::build().expect("the program builds");
    assert_matches_reference(
        &model,
        &["a", "b", "c"],
        count_less_freq::MAX_SEQ_LEN,
        |input| {
            count_less_freq::reference(input)
                .into_iter()
                .map(|v| Some(Json::from(v)))
                .collect()
        },
    );
}

#[test]
fn detect_pattern_matches_meaning_on_every_input() {
    let model = detect_pattern::build().expect("the program builds");
    assert_matches_reference(
        &model,
        &["a", "b", "c"],
        detect_pattern::MAX_SEQ_LEN,
        |input| {
            detect_pattern::reference(input)
                .into_iter()
                .map(|v| v.map(Json::from))
                .collect()
        },
    );
}
