//! Verification of an export: the dense file against the typed model on every input, or on a
//! deterministic sample when there are too many.

use nalgebra::DMatrix;
use serde_json::Value as Json;

use crate::assemble::{AssembleError, ModelSpaces, OutputKind};
use crate::dense::{Decoded, DenseModel};
use crate::export::config::{AttentionScaling, VerificationReport, VerifiedCase};
use crate::export::error::ExportError;
use crate::export::ExportOptions;

/// The number of checked inputs stored in `config.json` at most.
pub const STORED_CASES: usize = 64;

/// The typed model's final residual on token ids, `[ids, d_model]`.
pub(crate) type TypedResidual<'a> = dyn Fn(&[usize]) -> Result<DMatrix<f64>, AssembleError> + 'a;

/// The inputs to check: token ids after BOS.
struct VerificationSet {
    /// Whether the set is every input, enumerated by length and then in odometer order.
    exhaustive: bool,
    /// The number of inputs of 1 to `max_seq_len` non-BOS tokens, when it fits in 64 bits.
    input_space_size: Option<u64>,
    /// Sampled inputs, when not exhaustive.
    sample: Vec<Vec<usize>>,
    /// The non-BOS token ids.
    tokens: Vec<usize>,
    max_seq_len: usize,
}

impl VerificationSet {
    fn new(spaces: &ModelSpaces, options: &ExportOptions) -> VerificationSet {
        let tokens: Vec<usize> = (0..spaces.vocabulary().len())
            .filter(|&id| id != spaces.bos())
            .collect();
        let max_seq_len = spaces.max_seq_len();
        let input_space_size = count_inputs(tokens.len() as u64, max_seq_len);
        let exhaustive = input_space_size.is_some_and(|n| n <= options.exhaustive_limit);
        let sample = if exhaustive {
            Vec::new()
        } else {
            sample_inputs(&tokens, max_seq_len, options.sample_size)
        };
        VerificationSet {
            exhaustive,
            input_space_size,
            sample,
            tokens,
            max_seq_len,
        }
    }

    /// Returns the number of inputs in the set.
    fn len(&self) -> u64 {
        if self.exhaustive {
            self.input_space_size.unwrap_or(0)
        } else {
            self.sample.len() as u64
        }
    }

    /// Calls `check` on every input, stopping at the first error.
    fn try_for_each(
        &self,
        mut check: impl FnMut(&[usize]) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        if !self.exhaustive {
            return self.sample.iter().try_for_each(|input| check(input));
        }
        let n = self.tokens.len();
        for len in 1..=self.max_seq_len {
            // An odometer over `len` digits in base `n`, the last digit fastest.
            let mut digits = vec![0usize; len];
            let mut input: Vec<usize> = vec![self.tokens[0]; len];
            loop {
                check(&input)?;
                let mut position = len;
                loop {
                    if position == 0 {
                        break;
                    }
                    position -= 1;
                    digits[position] += 1;
                    if digits[position] < n {
                        input[position] = self.tokens[digits[position]];
                        break;
                    }
                    digits[position] = 0;
                    input[position] = self.tokens[0];
                }
                if digits.iter().all(|&d| d == 0) {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// Returns `n + n² + … + n^max_len`, or `None` when it exceeds `u64`.
fn count_inputs(n: u64, max_len: usize) -> Option<u64> {
    let mut total: u64 = 0;
    let mut power: u64 = 1;
    for _ in 0..max_len {
        power = power.checked_mul(n)?;
        total = total.checked_add(power)?;
    }
    Some(total)
}

/// Returns a deterministic sample: every single-token input, every input that repeats one
/// token `max_len` times, and `size` inputs of uniformly random length and tokens.
fn sample_inputs(tokens: &[usize], max_len: usize, size: usize) -> Vec<Vec<usize>> {
    let mut inputs: Vec<Vec<usize>> = tokens.iter().map(|&t| vec![t]).collect();
    inputs.extend(tokens.iter().map(|&t| vec![t; max_len]));
    let mut random = SplitMix64(0x6861_6e64_6372_6166);
    for _ in 0..size {
        let len = 1 + random.below(max_len);
        inputs.push(
            (0..len)
                .map(|_| tokens[random.below(tokens.len())])
                .collect(),
        );
    }
    inputs
}

/// The SplitMix64 generator: a fixed seed gives the same sample on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`. The modulo bias is at most `bound / 2^64`, negligible
    /// for vocabulary sizes and sequence lengths.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Compares the dense model with the typed model on the verification set.
///
/// # Errors
/// [`ExportError::Disagreement`] naming the first input whose decoded outputs differ;
/// [`ExportError::Typed`] or [`ExportError::DenseRun`] when either model fails on an input.
pub(crate) fn verify(
    dense: &DenseModel,
    spaces: &ModelSpaces,
    typed: &TypedResidual<'_>,
    options: &ExportOptions,
) -> Result<VerificationReport, ExportError> {
    let set = VerificationSet::new(spaces, options);
    let total = set.len();
    let output_columns: Vec<usize> = spaces
        .output()
        .iter()
        .filter_map(|d| spaces.residual().index_of(d))
        .collect();
    let values = spaces.output_values();
    let tolerance = options.output_tolerance;

    let mut checked: u64 = 0;
    let mut max_residual_error: f64 = 0.0;
    let mut max_output_error: f64 = 0.0;
    let mut tied_outputs: u64 = 0;
    let mut cases = Vec::new();
    let mut ids = Vec::with_capacity(spaces.max_seq_len() + 1);

    set.try_for_each(|input| {
        ids.clear();
        ids.push(spaces.bos());
        ids.extend_from_slice(input);
        let text = || input_text(spaces, &ids);

        let expected = typed(&ids).map_err(|error| ExportError::Typed {
            input: text(),
            error,
        })?;
        let found = dense.forward(&ids).map_err(|error| ExportError::DenseRun {
            input: text(),
            error,
        })?;

        let mut decoded = vec![Json::Null];
        for position in 0..ids.len() {
            let residual = found.residual(position);
            for (column, value) in residual.iter().enumerate() {
                let want = expected[(position, column)];
                let difference = (value - want).abs();
                if !difference.is_finite() {
                    // The maximum below would skip a NaN, so a non-finite residual fails here.
                    let label = &spaces.residual().directions()[column];
                    return Err(ExportError::Disagreement {
                        input: text(),
                        position,
                        expected: format!("{want} at `{label}`"),
                        found: value.to_string(),
                        hint: hint(options),
                    });
                }
                max_residual_error = max_residual_error.max(difference);
            }
            if position == 0 {
                // BOS has no output.
                continue;
            }
            let logits: Vec<f64> = output_columns
                .iter()
                .map(|&c| expected[(position, c)])
                .collect();
            for (a, b) in logits.iter().zip(found.logits(position)) {
                max_output_error = max_output_error.max((a - b).abs());
            }
            let (agree, expected_text, found_text, json) =
                match (spaces.output_kind(), found.decoded()[position]) {
                    (OutputKind::Categorical, Decoded::Category(id)) => {
                        let value = |i: usize| values.as_ref().map_or(Json::Null, |v| v[i].clone());
                        let tied = tied_categories(&logits, tolerance);
                        let json = if tied.len() == 1 {
                            value(tied[0])
                        } else {
                            tied_outputs += 1;
                            Json::Null
                        };
                        let expected_text = tied
                            .iter()
                            .map(|&i| value(i).to_string())
                            .collect::<Vec<_>>()
                            .join(" or ");
                        (
                            tied.contains(&id),
                            expected_text,
                            value(id).to_string(),
                            json,
                        )
                    }
                    (OutputKind::Numerical, Decoded::Number(x)) => {
                        let want = logits[0];
                        let agree = (x - want).abs() <= tolerance * want.abs().max(1.0);
                        (agree, want.to_string(), x.to_string(), number_json(want))
                    }
                    (_, other) => (
                        false,
                        format!("{:?}", spaces.output_kind()),
                        format!("{other:?}"),
                        Json::Null,
                    ),
                };
            if !agree {
                return Err(ExportError::Disagreement {
                    input: text(),
                    position,
                    expected: expected_text,
                    found: found_text,
                    hint: hint(options),
                });
            }
            decoded.push(json);
        }

        if is_stored(checked, total) {
            cases.push(VerifiedCase {
                input: ids
                    .iter()
                    .map(|&id| spaces.vocabulary()[id].clone())
                    .collect(),
                expected: decoded,
            });
        }
        checked += 1;
        Ok(())
    })?;

    Ok(VerificationReport {
        inputs_checked: checked,
        exhaustive: set.exhaustive,
        input_space_size: set.input_space_size,
        max_residual_error,
        max_output_error,
        output_tolerance: tolerance,
        tied_outputs,
        outputs_agree: true,
        cases,
    })
}

/// Returns whether input `index` of `total` is one of the [`STORED_CASES`] evenly spaced ones.
fn is_stored(index: u64, total: u64) -> bool {
    if total <= STORED_CASES as u64 {
        return true;
    }
    let slots = STORED_CASES as u128;
    let (index, total) = (u128::from(index), u128::from(total));
    index * slots / total != (index + 1) * slots / total
}

fn hint(options: &ExportOptions) -> String {
    match options.attention_scaling {
        AttentionScaling::Reference => {
            "; the reference convention softens attention by 1/sqrt(key_size), so use the exact convention to reproduce the typed model".into()
        }
        AttentionScaling::Exact => String::new(),
    }
}

fn input_text(spaces: &ModelSpaces, ids: &[usize]) -> String {
    let tokens: Vec<&str> = ids
        .iter()
        .map(|&id| spaces.vocabulary()[id].as_str())
        .collect();
    format!("[{}]", tokens.join(", "))
}

fn number_json(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// Returns the categories whose magnitude is within `tolerance · max(1, |max|)` of the
/// largest, in order; a single category when the output is not a tie.
fn tied_categories(logits: &[f64], tolerance: f64) -> Vec<usize> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let margin = tolerance * max.abs().max(1.0);
    (0..logits.len())
        .filter(|&i| logits[i] >= max - margin)
        .collect()
}
