//! Every program's model-building module, for the tests; each example includes only its own.

// Each test binary uses a part of these modules.
#![allow(dead_code)]

pub mod count;
pub mod count_less_freq;
pub mod detect_pattern;
pub mod frac_prevs;
pub mod hist;
pub mod length;
pub mod nary_sequencemap;
pub mod pair_balance;
pub mod reverse;
pub mod shift_by;
pub mod shuffle_dyck;
pub mod sort;
pub mod sort_freq;
pub mod sort_unique;

use std::error::Error;

use handcraft::assemble::{Model, OutputKind};
use handcraft::Space;
use serde_json::Value as Json;

/// Returns the token ids of `tokens` (BOS first) in `model`'s vocabulary.
///
/// # Errors
/// When a token is not in the vocabulary.
pub fn encode<R: Space>(model: &Model<R>, tokens: &[&str]) -> Result<Vec<usize>, Box<dyn Error>> {
    let vocabulary = model.spaces().vocabulary();
    tokens
        .iter()
        .map(|token| {
            vocabulary.iter().position(|t| t == token).ok_or_else(|| {
                format!("token `{token}` is not in the vocabulary {vocabulary:?}").into()
            })
        })
        .collect()
}

/// Runs the typed model on `tokens` (BOS first) and decodes every position, BOS included: the
/// value of the largest output direction for a categorical output (the first one on ties), the
/// output magnitude for a numerical one.
///
/// # Errors
/// When a token is not in the vocabulary or the model fails on the input.
pub fn run<R: Space>(model: &Model<R>, tokens: &[&str]) -> Result<Vec<Json>, Box<dyn Error>> {
    let ids = encode(model, tokens)?;
    let residual = model.final_residual(&ids)?;
    let spaces = model.spaces();
    let columns: Vec<usize> = spaces
        .output()
        .iter()
        .map(|d| {
            spaces
                .residual()
                .index_of(d)
                .ok_or("output direction outside the residual")
        })
        .collect::<Result<_, _>>()?;

    let mut decoded = Vec::with_capacity(ids.len());
    for position in 0..ids.len() {
        let magnitudes: Vec<f64> = columns.iter().map(|&c| residual[(position, c)]).collect();
        decoded.push(match spaces.output_kind() {
            OutputKind::Numerical => Json::from(magnitudes[0]),
            OutputKind::Categorical => {
                let values = spaces
                    .output_values()
                    .ok_or("categorical output without values")?;
                values[first_max(&magnitudes)].clone()
            }
        });
    }
    Ok(decoded)
}

/// Returns the position of the first largest entry.
fn first_max(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, value) in values.iter().enumerate() {
        if *value > values[best] {
            best = i;
        }
    }
    best
}
