//! Verification of an export: the dense file against the typed model on every input, or on a
//! deterministic sample when there are too many, spread over the available cores.
//!
//! The verification set is numbered, and every input is checked independently of the others:
//! the typed model and the dense forward pass run on it and their final residuals and decoded
//! outputs are compared. Worker threads claim consecutive inputs in small chunks. The report
//! does not depend on how many threads ran or in which order they finished: the maxima and
//! counts are the same for any order, stored cases are picked by number, and an error names
//! the failing input with the smallest number, which is the one a single thread meets first.
//!
//! # The sample
//!
//! When there are more inputs than [`ExportOptions::exhaustive_limit`], the set is every
//! single-token input, then every input that repeats one token to the maximum length, then
//! [`ExportOptions::sample_size`] random inputs. A random input's length is uniform over
//! `1..=max_seq_len` and its tokens are uniform over the non-BOS tokens, independently. A
//! fixed seed of the SplitMix64 generator makes the sample the same on every machine.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use nalgebra::DMatrix;
use serde_json::Value as Json;

use crate::assemble::{AssembleError, ModelSpaces, OutputKind};
use crate::dense::{Decoded, DenseModel, Workspace};
use crate::export::config::{AttentionScaling, VerificationReport, VerifiedCase};
use crate::export::error::ExportError;
use crate::export::ExportOptions;

/// The number of checked inputs stored in `config.json` at most.
pub const STORED_CASES: usize = 64;

/// Inputs a worker claims at a time: few enough to share long and short inputs evenly, enough
/// that claiming them costs nothing next to checking them.
const CHUNK: u64 = 16;

/// The typed model's final residual on token ids, `[ids, d_model]`. Workers call it from
/// several threads at once.
pub(crate) type TypedResidual<'a> =
    dyn Fn(&[usize]) -> Result<DMatrix<f64>, AssembleError> + Sync + 'a;

/// The inputs to check, numbered from 0: token ids after BOS.
struct VerificationSet {
    /// Whether the set is every input, numbered by length and then in odometer order, the
    /// last token fastest.
    exhaustive: bool,
    /// The number of inputs of 1 to `max_seq_len` non-BOS tokens, when it fits in 64 bits.
    input_space_size: Option<u64>,
    /// The sampled inputs back to back, when not exhaustive: input `i` is
    /// `sample[starts[i]..starts[i + 1]]`.
    sample: Vec<usize>,
    starts: Vec<usize>,
    /// The non-BOS token ids.
    tokens: Vec<usize>,
    bos: usize,
}

impl VerificationSet {
    fn new(spaces: &ModelSpaces, options: &ExportOptions) -> VerificationSet {
        let tokens: Vec<usize> = (0..spaces.vocabulary().len())
            .filter(|&id| id != spaces.bos())
            .collect();
        let max_seq_len = spaces.max_seq_len();
        let input_space_size = count_inputs(tokens.len() as u64, max_seq_len);
        let exhaustive = input_space_size.is_some_and(|n| n <= options.exhaustive_limit);
        let (sample, starts) = if exhaustive {
            (Vec::new(), vec![0])
        } else {
            sample_inputs(&tokens, max_seq_len, options.sample_size)
        };
        VerificationSet {
            exhaustive,
            input_space_size,
            sample,
            starts,
            tokens,
            bos: spaces.bos(),
        }
    }

    /// Returns the number of inputs in the set.
    fn len(&self) -> u64 {
        if self.exhaustive {
            self.input_space_size.unwrap_or(0)
        } else {
            (self.starts.len() - 1) as u64
        }
    }

    /// Writes BOS and input `index` into `ids`; `index` is less than [`Self::len`].
    fn write_ids(&self, index: u64, ids: &mut Vec<usize>) {
        ids.clear();
        ids.push(self.bos);
        if !self.exhaustive {
            let index = index as usize;
            ids.extend_from_slice(&self.sample[self.starts[index]..self.starts[index + 1]]);
            return;
        }

        // Skip the inputs of each shorter length, then write the rest of the number in base
        // `n`, most significant digit first. `n^len` fits in 64 bits because the number of
        // inputs up to the maximum length does.
        let n = self.tokens.len() as u64;
        let (mut offset, mut len, mut count) = (index, 1, n);
        while offset >= count {
            offset -= count;
            len += 1;
            count *= n;
        }
        ids.resize(1 + len, self.bos);
        for position in (1..=len).rev() {
            ids[position] = self.tokens[(offset % n) as usize];
            offset /= n;
        }
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

/// Returns the sample described in the module documentation, as the inputs back to back and
/// the start of each, with one more start at the end.
fn sample_inputs(tokens: &[usize], max_len: usize, size: usize) -> (Vec<usize>, Vec<usize>) {
    let mut inputs = Vec::new();
    let mut starts = vec![0];
    for &token in tokens {
        inputs.push(token);
        starts.push(inputs.len());
    }
    for &token in tokens {
        inputs.extend(std::iter::repeat_n(token, max_len));
        starts.push(inputs.len());
    }
    let mut random = SplitMix64(0x6861_6e64_6372_6166);
    for _ in 0..size {
        let len = 1 + random.below(max_len);
        for _ in 0..len {
            inputs.push(tokens[random.below(tokens.len())]);
        }
        starts.push(inputs.len());
    }
    (inputs, starts)
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

/// What the checked inputs of one worker add to the report.
#[derive(Default)]
struct Tally {
    max_residual_error: f64,
    max_output_error: f64,
    tied_outputs: u64,
    /// Stored cases with their input numbers.
    cases: Vec<(u64, VerifiedCase)>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.max_residual_error = self.max_residual_error.max(other.max_residual_error);
        self.max_output_error = self.max_output_error.max(other.max_output_error);
        self.tied_outputs += other.tied_outputs;
        self.cases.extend(other.cases);
    }
}

/// Compares the dense model with the typed model on the verification set.
///
/// # Errors
/// [`ExportError::Disagreement`] naming the first input whose decoded outputs differ;
/// [`ExportError::Typed`] or [`ExportError::DenseRun`] when either model fails on an input.
/// The first input is the one with the smallest number in the set.
pub(crate) fn verify(
    dense: &DenseModel,
    spaces: &ModelSpaces,
    typed: &TypedResidual<'_>,
    options: &ExportOptions,
) -> Result<VerificationReport, ExportError> {
    let set = VerificationSet::new(spaces, options);
    let total = set.len();
    let checker = Checker {
        dense,
        spaces,
        typed,
        options,
        output_columns: spaces
            .output()
            .iter()
            .filter_map(|d| spaces.residual().index_of(d))
            .collect(),
        values: spaces.output_values(),
        total,
    };

    let mut tally = check_all(total, worker_count(total), |index, buffers, tally| {
        set.write_ids(index, &mut buffers.ids);
        checker.check(index, buffers, tally)
    })?;
    tally.cases.sort_by_key(|&(index, _)| index);
    Ok(VerificationReport {
        inputs_checked: total,
        exhaustive: set.exhaustive,
        input_space_size: set.input_space_size,
        max_residual_error: tally.max_residual_error,
        max_output_error: tally.max_output_error,
        output_tolerance: options.output_tolerance,
        tied_outputs: tally.tied_outputs,
        outputs_agree: true,
        cases: tally.cases.into_iter().map(|(_, case)| case).collect(),
    })
}

/// Returns the number of worker threads for `total` inputs: one per available core, and no
/// more than there are chunks of inputs.
fn worker_count(total: u64) -> usize {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let chunks = usize::try_from(total.div_ceil(CHUNK)).unwrap_or(usize::MAX);
    cores.min(chunks).max(1)
}

/// Calls `check` on every input number below `total` on `workers` threads, and returns the
/// merged tallies or the error of the failing input with the smallest number.
///
/// Each worker claims chunks of consecutive numbers in increasing order and stops at its
/// first failure, or at a number that another worker has already seen fail.
fn check_all<E: Send>(
    total: u64,
    workers: usize,
    check: impl Fn(u64, &mut Buffers, &mut Tally) -> Result<(), E> + Sync,
) -> Result<Tally, E> {
    let next = AtomicU64::new(0);
    // The smallest input number known to fail. Inputs below it are always checked, so the
    // final value is the smallest failing number of the whole set.
    let failed_at = AtomicU64::new(u64::MAX);

    let work = || {
        let mut tally = Tally::default();
        let mut buffers = Buffers::default();
        loop {
            let start = next.fetch_add(CHUNK, Ordering::Relaxed);
            let end = start.saturating_add(CHUNK).min(total);
            for index in start..end {
                if index >= failed_at.load(Ordering::Relaxed) {
                    return (tally, None);
                }
                if let Err(error) = check(index, &mut buffers, &mut tally) {
                    // A worker claims increasing numbers, so this is its smallest failure.
                    failed_at.fetch_min(index, Ordering::Relaxed);
                    return (tally, Some((index, error)));
                }
            }
            if end >= total {
                return (tally, None);
            }
        }
    };

    let results = if workers <= 1 {
        vec![work()]
    } else {
        thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Vec<_>>()
        })
    };

    let mut merged = Tally::default();
    let mut first_failure: Option<(u64, E)> = None;
    for (tally, failure) in results {
        merged.merge(tally);
        if let Some((index, error)) = failure {
            if first_failure
                .as_ref()
                .is_none_or(|(first, _)| index < *first)
            {
                first_failure = Some((index, error));
            }
        }
    }
    match first_failure {
        Some((_, error)) => Err(error),
        None => Ok(merged),
    }
}

/// What one worker reuses from one input to the next.
#[derive(Default)]
struct Buffers {
    /// The token ids of the input, BOS first.
    ids: Vec<usize>,
    workspace: Workspace,
    /// The typed model's final residual, row-major like the dense model's.
    typed_rows: Vec<f64>,
    /// The typed model's output logits at one position.
    typed_logits: Vec<f64>,
}

/// Checks single inputs: everything that is the same for every input of the set.
struct Checker<'a> {
    dense: &'a DenseModel,
    spaces: &'a ModelSpaces,
    typed: &'a TypedResidual<'a>,
    options: &'a ExportOptions,
    /// The residual column of each output direction.
    output_columns: Vec<usize>,
    /// The output value of each category, for a categorical output.
    values: Option<Vec<Json>>,
    /// The number of inputs in the set.
    total: u64,
}

impl Checker<'_> {
    /// Runs both models on `buffers.ids` (BOS first), input number `index` of the set,
    /// compares them and adds the result to `tally`.
    ///
    /// At each position in turn, every residual entry must be finite in both models, and
    /// after BOS the decoded outputs must agree.
    fn check(
        &self,
        index: u64,
        buffers: &mut Buffers,
        tally: &mut Tally,
    ) -> Result<(), ExportError> {
        let Buffers {
            ids,
            workspace,
            typed_rows,
            typed_logits,
        } = buffers;
        let text = || input_text(self.spaces, ids);
        let expected = (self.typed)(ids).map_err(|error| ExportError::Typed {
            input: text(),
            error,
        })?;
        self.dense
            .forward_into(ids, workspace)
            .map_err(|error| ExportError::DenseRun {
                input: text(),
                error,
            })?;

        let positions = ids.len();
        let d = workspace.residual(0).len();
        transpose(expected.as_slice(), positions, d, typed_rows);
        let tolerance = self.options.output_tolerance;

        for position in 0..positions {
            let typed = &typed_rows[position * d..(position + 1) * d];
            let (finite, max_difference) = largest_difference(workspace.residual(position), typed);
            if !finite {
                return Err(self.non_finite(ids, &expected, workspace, position));
            }
            tally.max_residual_error = tally.max_residual_error.max(max_difference);
            if position == 0 {
                // BOS has no output.
                continue;
            }

            typed_logits.clear();
            typed_logits.extend(self.output_columns.iter().map(|&column| typed[column]));
            let logits = &typed_logits[..];
            let output_error = logits
                .iter()
                .zip(workspace.logits(position))
                .fold(0.0, |max, (want, found)| larger(max, (want - found).abs()));
            tally.max_output_error = tally.max_output_error.max(output_error);
            let agree = match (self.spaces.output_kind(), workspace.decoded()[position]) {
                (OutputKind::Categorical, Decoded::Category(id)) => {
                    let threshold = tie_threshold(logits.iter().copied(), tolerance);
                    let tied = logits.iter().filter(|&&l| l >= threshold).count();
                    if tied != 1 {
                        tally.tied_outputs += 1;
                    }
                    logits.get(id).is_some_and(|&l| l >= threshold)
                }
                (OutputKind::Numerical, Decoded::Number(x)) => match logits.first() {
                    Some(&want) => (x - want).abs() <= tolerance * want.abs().max(1.0),
                    None => false,
                },
                _ => false,
            };
            if !agree {
                return Err(self.disagreement(ids, &expected, workspace, position));
            }
        }

        if is_stored(index, self.total) {
            tally.cases.push((index, self.stored_case(ids, &expected)));
        }
        Ok(())
    }

    /// Returns the error for a non-finite residual entry at `position`, naming its first
    /// column.
    fn non_finite(
        &self,
        ids: &[usize],
        expected: &DMatrix<f64>,
        workspace: &Workspace,
        position: usize,
    ) -> ExportError {
        let residual = workspace.residual(position);
        let column = (0..residual.len())
            .find(|&c| !(residual[c] - expected[(position, c)]).abs().is_finite())
            .unwrap_or(0);
        let want = expected[(position, column)];
        let label = &self.spaces.residual().directions()[column];
        ExportError::Disagreement {
            input: input_text(self.spaces, ids),
            position,
            expected: format!("{want} at `{label}`"),
            found: residual[column].to_string(),
            hint: hint(self.options),
        }
    }

    /// Returns the error for decoded outputs that differ at `position`.
    fn disagreement(
        &self,
        ids: &[usize],
        expected: &DMatrix<f64>,
        workspace: &Workspace,
        position: usize,
    ) -> ExportError {
        let logits = self.typed_logits(expected, position);
        let (expected_text, found_text) =
            match (self.spaces.output_kind(), workspace.decoded()[position]) {
                (OutputKind::Categorical, Decoded::Category(id)) => {
                    let tied = tied_categories(&logits, self.options.output_tolerance);
                    let text = tied
                        .iter()
                        .map(|&i| self.value(i).to_string())
                        .collect::<Vec<_>>()
                        .join(" or ");
                    (text, self.value(id).to_string())
                }
                (OutputKind::Numerical, Decoded::Number(x)) => {
                    let want = logits.first().copied().unwrap_or(f64::NAN);
                    (want.to_string(), x.to_string())
                }
                (kind, other) => (format!("{kind:?}"), format!("{other:?}")),
            };
        ExportError::Disagreement {
            input: input_text(self.spaces, ids),
            position,
            expected: expected_text,
            found: found_text,
            hint: hint(self.options),
        }
    }

    /// Returns a checked input with the typed model's decoded outputs: `null` for BOS and for
    /// a tie between categories.
    fn stored_case(&self, ids: &[usize], expected: &DMatrix<f64>) -> VerifiedCase {
        let mut decoded = vec![Json::Null];
        for position in 1..ids.len() {
            let logits = self.typed_logits(expected, position);
            let json = match self.spaces.output_kind() {
                OutputKind::Categorical => {
                    match tied_categories(&logits, self.options.output_tolerance)[..] {
                        [only] => self.value(only),
                        _ => Json::Null,
                    }
                }
                OutputKind::Numerical => logits.first().map_or(Json::Null, |&x| number_json(x)),
            };
            decoded.push(json);
        }
        VerifiedCase {
            input: ids
                .iter()
                .map(|&id| self.spaces.vocabulary()[id].clone())
                .collect(),
            expected: decoded,
        }
    }

    /// Returns the typed model's output logits at `position`.
    fn typed_logits(&self, expected: &DMatrix<f64>, position: usize) -> Vec<f64> {
        self.output_columns
            .iter()
            .map(|&column| expected[(position, column)])
            .collect()
    }

    /// Returns the output value of category `id`, or `null` without values.
    fn value(&self, id: usize) -> Json {
        self.values
            .as_ref()
            .and_then(|values| values.get(id).cloned())
            .unwrap_or(Json::Null)
    }
}

/// Writes the transpose of a column-major `[positions, d]` matrix into `rows`, row-major.
///
/// Tiles of 8 × 8 entries keep both the reads and the writes within a few cache lines.
fn transpose(matrix: &[f64], positions: usize, d: usize, rows: &mut Vec<f64>) {
    const TILE: usize = 8;
    rows.clear();
    rows.resize(positions * d, 0.0);
    for column_start in (0..d).step_by(TILE) {
        let columns = column_start..(column_start + TILE).min(d);
        for position_start in (0..positions).step_by(TILE) {
            let end = (position_start + TILE).min(positions);
            for column in columns.clone() {
                let source = &matrix[column * positions..(column + 1) * positions];
                for position in position_start..end {
                    rows[position * d + column] = source[position];
                }
            }
        }
    }
}

/// Returns whether every difference between two rows is finite, and the largest one.
///
/// Four lanes keep the comparisons independent, so the loop runs on vector instructions.
fn largest_difference(a: &[f64], b: &[f64]) -> (bool, f64) {
    const LANES: usize = 4;
    let mut finite = [true; LANES];
    let mut max = [0.0_f64; LANES];
    let mut update = |lane: usize, x: f64, y: f64| {
        // Both comparisons are false for NaN, which leaves the maximum unchanged and marks
        // the row as not finite.
        let difference = (x - y).abs();
        finite[lane] &= difference < f64::INFINITY;
        max[lane] = larger(max[lane], difference);
    };
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_rest, b_rest) = (a_chunks.remainder(), b_chunks.remainder());
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            update(lane, x[lane], y[lane]);
        }
    }
    for (lane, (&x, &y)) in a_rest.iter().zip(b_rest).enumerate() {
        update(lane, x, y);
    }
    let max = max.into_iter().fold(0.0, f64::max);
    (finite.iter().all(|&f| f), max)
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

/// Returns the larger of `max` and `value`, or `max` when `value` is NaN.
///
/// This is `f64::max` for a `max` that is not NaN, in one comparison.
fn larger(max: f64, value: f64) -> f64 {
    if value > max {
        value
    } else {
        max
    }
}

/// Returns the smallest logit that ties with the largest: `max - tolerance · max(1, |max|)`.
fn tie_threshold(logits: impl Iterator<Item = f64>, tolerance: f64) -> f64 {
    let max = logits.fold(f64::NEG_INFINITY, larger);
    max - tolerance * max.abs().max(1.0)
}

/// Returns the categories whose magnitude is within `tolerance · max(1, |max|)` of the
/// largest, in order; a single category when the output is not a tie.
fn tied_categories(logits: &[f64], tolerance: f64) -> Vec<usize> {
    let threshold = tie_threshold(logits.iter().copied(), tolerance);
    (0..logits.len())
        .filter(|&i| logits[i] >= threshold)
        .collect()
}
