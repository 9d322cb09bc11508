//! The forward pass of a loaded model: embeddings, attention with the config's scale and mask,
//! ReLU MLPs and the unembedding, over buffers reused from one input to the next.
//!
//! Every product reads only the non-zero entries of the weights and skips zero entries of its
//! input, and a sublayer adds to the residual only in the columns it can write. This is exact
//! for finite values: a skipped term is `a · 0`, `0 · w` or `x + 0`. Three further shortcuts give
//! the same floating-point result as the plain loop. An attention row whose logits include the
//! same value again reuses that value's exponential and quotient, and a logit more than 750 below the row's
//! maximum gets weight 0 without calling `exp`, which returns 0 for any argument below about
//! -745.13. A query of a non-causal head equal to the query of an earlier position reuses that
//! position's attention result, which is computed from the same numbers.

use crate::dense::error::DenseError;
use crate::dense::model::{Decoded, DenseModel, DenseOutput};
use crate::dense::sparse::{Input, RowEntries, SparseRows};
use crate::dense::weights::{Head, Layer, Mlp};

/// The most distinct queries per head whose attention results are kept for reuse.
const SEEN_QUERIES: usize = 16;

/// Softmax arguments below this are given the value 0 without calling `exp`.
const UNDERFLOW: f64 = -750.0;

/// The buffers of a forward pass and its result: the final residual, the logits and the
/// decoded outputs of the last input run.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    positions: usize,
    d_model: usize,
    outputs: usize,
    /// The residual stream, `[positions, d_model]` row-major.
    residual: Vec<f64>,
    /// The non-zero entries of each residual row, for weights that read many residual
    /// columns.
    residual_entries: RowEntries,
    /// What the current sublayer adds to the residual, `[positions, d_model]`; only the
    /// columns the sublayer writes are set.
    update: Vec<f64>,
    /// Queries of one head, `[positions, logit columns]`.
    queries: Vec<f64>,
    /// Keys or values of one head before they are compressed.
    projected: Vec<f64>,
    keys: RowEntries,
    values: RowEntries,
    /// The logits, then the softmax weights, of one query.
    weights: Vec<f64>,
    /// The weighted sum of values of each query, `[positions, value columns]`.
    mixed: Vec<f64>,
    /// Distinct queries of a non-causal head whose results are in `mixed`: the hash of
    /// their bits and their position.
    seen: Vec<(u64, usize)>,
    /// The MLP's used hidden units, `[positions, units]`.
    hidden: Vec<f64>,
    /// The unembedded output, `[positions, outputs]`.
    logits: Vec<f64>,
    decoded: Vec<Decoded>,
}

impl Workspace {
    /// Returns the final residual stream at `position`, one entry per residual label.
    pub fn residual(&self, position: usize) -> &[f64] {
        &self.residual[position * self.d_model..(position + 1) * self.d_model]
    }

    /// Returns the unembedded output at `position`, one entry per output label.
    pub fn logits(&self, position: usize) -> &[f64] {
        &self.logits[position * self.outputs..(position + 1) * self.outputs]
    }

    /// Returns the decoded output of every position, BOS included.
    pub fn decoded(&self) -> &[Decoded] {
        &self.decoded
    }

    /// Moves the result of the last input run out.
    pub fn into_output(self) -> DenseOutput {
        DenseOutput {
            positions: self.positions,
            d_model: self.d_model,
            outputs: self.outputs,
            residual: self.residual,
            logits: self.logits,
            decoded: self.decoded,
        }
    }
}

impl DenseModel {
    /// Runs the forward pass on token ids into `workspace`, as [`DenseModel::forward`] does.
    ///
    /// # Errors
    /// As [`DenseModel::forward`].
    pub(crate) fn forward_into(
        &self,
        ids: &[usize],
        workspace: &mut Workspace,
    ) -> Result<(), DenseError> {
        self.check_ids(ids)?;
        let config = &self.config;
        let (t, d) = (ids.len(), config.d_model);
        workspace.positions = t;
        workspace.d_model = d;
        workspace.outputs = config.output.labels.len();

        self.embed(ids, &mut workspace.residual);
        for layer in &self.layers {
            self.attention(layer, workspace);
            mlp(&layer.mlp, workspace);
        }
        let residual = Input::Dense {
            matrix: &workspace.residual,
            rows: t,
        };
        self.unembedding
            .multiply_into(residual, &self.unembedding_bias, &mut workspace.logits);
        workspace.decoded.clear();
        for row in workspace.logits.chunks_exact(workspace.outputs.max(1)) {
            workspace.decoded.push(if config.output.categorical {
                Decoded::Category(argmax(row))
            } else {
                Decoded::Number(row[0])
            });
        }
        Ok(())
    }

    fn check_ids(&self, ids: &[usize]) -> Result<(), DenseError> {
        let config = &self.config;
        let t = ids.len();
        if t == 0 {
            return Err(DenseError::EmptyInput);
        }
        if t > config.max_seq_len + 1 {
            return Err(DenseError::TooLong {
                tokens: t - 1,
                max_seq_len: config.max_seq_len,
            });
        }
        if let Some(&id) = ids.iter().find(|&&id| id >= config.vocab.len()) {
            return Err(DenseError::TokenId {
                id,
                vocab_size: config.vocab.len(),
            });
        }
        Ok(())
    }

    /// Writes `token_embed[ids] + pos_embed[0..T)` into `residual`.
    fn embed(&self, ids: &[usize], residual: &mut Vec<f64>) {
        let d = self.config.d_model;
        residual.clear();
        for (position, &id) in ids.iter().enumerate() {
            let token = &self.token_embedding[id * d..(id + 1) * d];
            let place = &self.position_embedding[position * d..(position + 1) * d];
            residual.extend(token.iter().zip(place).map(|(a, b)| a + b));
        }
    }

    /// Adds the attention sublayer's output to the residual: the output bias plus what every
    /// head writes.
    fn attention(&self, layer: &Layer, workspace: &mut Workspace) {
        let written = &layer.attention_written;
        if written.is_empty() {
            return;
        }
        start_update(workspace, written, &layer.output_bias);
        let reads_entries = layer.heads.iter().any(|head| {
            head.query.reads_entries() || head.key.reads_entries() || head.value.reads_entries()
        });
        if reads_entries {
            let (t, d) = (workspace.positions, workspace.d_model);
            workspace.residual_entries.fill(&workspace.residual, t, d);
        }
        for head in &layer.heads {
            // A head without value columns writes nothing.
            if head.value.columns() > 0 {
                self.head(head, workspace);
            }
        }
        add_update(workspace, written);
    }

    /// Adds what one head writes to `workspace.update`.
    fn head(&self, head: &Head, workspace: &mut Workspace) {
        let Workspace {
            positions: t,
            d_model: d,
            residual,
            residual_entries,
            queries,
            projected,
            keys,
            values,
            weights,
            mixed,
            seen,
            update,
            ..
        } = workspace;
        let (t, d) = (*t, *d);
        let (n, m) = (head.query.columns(), head.value.columns());
        let scale = self.config.attention_logit_scale;
        let causal = self.config.causal;

        let input = |matrix: &SparseRows| {
            if matrix.reads_entries() {
                Input::Entries(residual_entries)
            } else {
                Input::Dense {
                    matrix: residual,
                    rows: t,
                }
            }
        };
        head.query
            .multiply_into(input(&head.query), &head.query_bias, queries);
        head.key
            .multiply_into(input(&head.key), &head.key_bias, projected);
        keys.fill(projected, t, n);
        head.value
            .multiply_into(input(&head.value), &head.value_bias, projected);
        values.fill(projected, t, m);

        mixed.clear();
        mixed.resize(t * m, 0.0);
        seen.clear();
        weights.resize(t, 0.0);
        let mut reused = false;
        for i in 0..t {
            let query = &queries[i * n..(i + 1) * n];
            // Once the first queries are all distinct, the others are not looked up.
            if !causal && (reused || seen.len() < SEEN_QUERIES) {
                let hash = hash_bits(query);
                let earlier = seen.iter().find(|&&(seen_hash, earlier)| {
                    seen_hash == hash && same_bits(query, &queries[earlier * n..(earlier + 1) * n])
                });
                if let Some(&(_, earlier)) = earlier {
                    mixed.copy_within(earlier * m..(earlier + 1) * m, i * m);
                    reused = true;
                    continue;
                }
                if seen.len() < SEEN_QUERIES {
                    seen.push((hash, i));
                }
            }
            let visible = if causal { i + 1 } else { t };
            let logits = &mut weights[..visible];
            for (j, logit) in logits.iter_mut().enumerate() {
                let dot: f64 = keys.row(j).iter().map(|&(c, k)| query[c] * k).sum();
                *logit = scale * dot;
            }
            softmax(logits);
            let row = &mut mixed[i * m..(i + 1) * m];
            for (j, &weight) in logits.iter().enumerate() {
                // A zero weight adds exactly zero.
                if weight == 0.0 {
                    continue;
                }
                for &(c, value) in values.row(j) {
                    row[c] += weight * value;
                }
            }
        }

        let mixed = Input::Dense {
            matrix: mixed,
            rows: t,
        };
        head.output.add_product(mixed, update, d);
    }
}

/// Adds the MLP sublayer's output, `relu(x·W_in + b_in)·W_out + b_out`, to the residual.
fn mlp(mlp: &Mlp, workspace: &mut Workspace) {
    if mlp.written.is_empty() {
        return;
    }
    let t = workspace.positions;
    let residual = Input::Dense {
        matrix: &workspace.residual,
        rows: t,
    };
    mlp.input
        .multiply_into(residual, &mlp.input_bias, &mut workspace.hidden);
    for value in &mut workspace.hidden {
        *value = value.max(0.0);
    }
    start_update(workspace, &mlp.written, &mlp.output_bias);
    let d = workspace.d_model;
    // Most units of a used MLP are active, so testing them for zero would cost more than it
    // saves.
    mlp.output
        .add_product_untested(&workspace.hidden, t, &mut workspace.update, d);
    add_update(workspace, &mlp.written);
}

/// Sets the written columns of every row of `workspace.update` to the sublayer's bias.
fn start_update(workspace: &mut Workspace, written: &[usize], bias: &[f64]) {
    let d = workspace.d_model;
    workspace.update.resize(workspace.positions * d, 0.0);
    for row in workspace.update.chunks_exact_mut(d) {
        for &c in written {
            row[c] = bias[c];
        }
    }
}

/// Adds the written columns of `workspace.update` to the residual.
fn add_update(workspace: &mut Workspace, written: &[usize]) {
    let d = workspace.d_model;
    let rows = workspace.residual.chunks_exact_mut(d);
    for (row, update) in rows.zip(workspace.update.chunks_exact(d)) {
        for &c in written {
            row[c] += update[c];
        }
    }
}

/// Returns a hash of the bits of `values` and their positions.
///
/// The products do not depend on each other, so they overlap in the processor.
fn hash_bits(values: &[f64]) -> u64 {
    values.iter().enumerate().fold(0, |hash: u64, (i, value)| {
        let mixed = (value.to_bits() ^ i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        hash.wrapping_add(mixed)
    })
}

/// Returns whether two slices hold the same bit patterns.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Replaces logits by softmax weights, subtracting the maximum first.
fn softmax(logits: &mut [f64]) {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    // The last argument given to `exp` and its result; NaN matches no argument.
    let mut last = (f64::NAN, 0.0);
    for value in logits.iter_mut() {
        let shifted = *value - max;
        *value = if shifted < UNDERFLOW {
            0.0
        } else if shifted == last.0 {
            last.1
        } else {
            last = (shifted, shifted.exp());
            last.1
        };
        sum += *value;
    }
    // `0 / sum` is 0 when the sum is finite (it is at least 1 then), so only the other
    // weights need the division, and a run of equal weights needs it once.
    let finite = sum.is_finite();
    let mut last = (f64::NAN, 0.0);
    for value in logits.iter_mut() {
        if finite && *value == 0.0 {
            continue;
        }
        if *value != last.0 {
            last = (*value, *value / sum);
        }
        *value = last.1;
    }
}

/// Returns the index of the first maximum.
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = i;
        }
    }
    best
}
