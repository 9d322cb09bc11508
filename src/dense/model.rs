//! A loaded dense model and its forward pass: embeddings, attention with the config's scale and
//! mask, relu MLPs, unembedding.

use std::path::Path;

use crate::dense::error::DenseError;
use crate::dense::load;
use crate::dense::sparse::SparseRows;
use crate::export::ExportConfig;

/// One head's weights, row-major: `query`, `key`, `value` are `[d_model, key_size]`,
/// `output` is `[key_size, d_model]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Head {
    pub query: Vec<f64>,
    pub key: Vec<f64>,
    pub value: Vec<f64>,
    pub query_bias: Vec<f64>,
    pub key_bias: Vec<f64>,
    pub value_bias: Vec<f64>,
    pub output: SparseRows,
    /// Head columns where both the query and the key can be non-zero; the others add exactly
    /// zero to every logit.
    pub logit_columns: Vec<usize>,
    /// Head columns where the value can be non-zero and the output weight has a non-zero row;
    /// the others add exactly zero to the output.
    pub value_columns: Vec<usize>,
}

impl Head {
    /// Creates a head from its weights, finding the columns that can contribute.
    pub fn new(
        [query, key, value, output]: [Vec<f64>; 4],
        [query_bias, key_bias, value_bias]: [Vec<f64>; 3],
        key_size: usize,
        d_model: usize,
    ) -> Head {
        let active = |weight: &[f64], bias: &[f64], column: usize| {
            bias[column] != 0.0
                || weight
                    .iter()
                    .skip(column)
                    .step_by(key_size)
                    .any(|&w| w != 0.0)
        };
        let logit_columns = (0..key_size)
            .filter(|&c| active(&query, &query_bias, c) && active(&key, &key_bias, c))
            .collect();
        let output = SparseRows::from_row_major(&output, key_size, d_model);
        let value_columns = (0..key_size)
            .filter(|&c| !output.row(c).is_empty() && active(&value, &value_bias, c))
            .collect();
        Head {
            query,
            key,
            value,
            query_bias,
            key_bias,
            value_bias,
            output,
            logit_columns,
            value_columns,
        }
    }
}

/// One layer's weights: `mlp_in` is `[d_model, mlp_hidden_size]`, `mlp_out` is
/// `[mlp_hidden_size, d_model]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub heads: Vec<Head>,
    pub output_bias: Vec<f64>,
    pub mlp_in: SparseRows,
    pub mlp_in_bias: Vec<f64>,
    pub mlp_out: SparseRows,
    pub mlp_out_bias: Vec<f64>,
}

/// An exported model read back from its files, with a forward pass of its own.
///
/// The forward pass shares no arithmetic with the typed evaluator: it works on the loaded
/// row-major tensors, so it checks the files as any other reader of them would.
///
/// ```no_run
/// use handcraft::dense::DenseModel;
///
/// let model = DenseModel::load("out/frac_prevs".as_ref())?;
/// let ids = model.encode(&["BOS", "x", "y"])?;
/// let output = model.forward(&ids)?;
/// println!("{:?}", output.decoded());
/// # Ok::<(), handcraft::dense::DenseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DenseModel {
    pub(crate) config: ExportConfig,
    /// `[vocab, d_model]`.
    pub(crate) token_embedding: Vec<f64>,
    /// `[max_seq_len + 1, d_model]`.
    pub(crate) position_embedding: Vec<f64>,
    pub(crate) layers: Vec<Layer>,
    /// `[d_model, outputs]`.
    pub(crate) unembedding: SparseRows,
    pub(crate) unembedding_bias: Vec<f64>,
}

/// A decoded output at one position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decoded {
    /// The output id with the largest logit (the first one on ties).
    Category(usize),
    /// The single output magnitude.
    Number(f64),
}

/// The result of a forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseOutput {
    positions: usize,
    d_model: usize,
    outputs: usize,
    residual: Vec<f64>,
    logits: Vec<f64>,
    decoded: Vec<Decoded>,
}

impl DenseOutput {
    /// Returns the number of positions.
    pub fn len(&self) -> usize {
        self.positions
    }

    /// Returns whether there is no position.
    pub fn is_empty(&self) -> bool {
        self.positions == 0
    }

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
}

impl DenseModel {
    /// Reads `config.json` and `model.safetensors` from an export directory and checks them
    /// against each other.
    ///
    /// # Errors
    /// Any [`DenseError`] about files, config or tensors, naming what is wrong.
    pub fn load(dir: &Path) -> Result<DenseModel, DenseError> {
        load::load_dir(dir)
    }

    /// Reads a config and a tensors file from explicit paths.
    ///
    /// # Errors
    /// As [`DenseModel::load`].
    pub fn load_files(config: &Path, tensors: &Path) -> Result<DenseModel, DenseError> {
        load::load_files(config, tensors)
    }

    /// Parses a config and a tensors file given as bytes.
    ///
    /// # Errors
    /// As [`DenseModel::load`], without the file errors.
    pub fn from_bytes(config: &[u8], tensors: &[u8]) -> Result<DenseModel, DenseError> {
        load::load_bytes(config, tensors)
    }

    /// Returns the configuration.
    pub fn config(&self) -> &ExportConfig {
        &self.config
    }

    /// Returns the id of the BOS token.
    pub fn bos_id(&self) -> usize {
        // The loader checked that `bos` is in `vocab`.
        self.config
            .vocab
            .iter()
            .position(|t| *t == self.config.bos)
            .unwrap_or(0)
    }

    /// Converts token strings, BOS first, to ids.
    ///
    /// # Errors
    /// [`DenseError::EmptyInput`], [`DenseError::MissingBos`], [`DenseError::BosNotFirst`],
    /// [`DenseError::UnknownToken`] naming the token and listing the vocabulary, and
    /// [`DenseError::TooLong`].
    pub fn encode<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<usize>, DenseError> {
        let config = &self.config;
        let Some(first) = tokens.first() else {
            return Err(DenseError::EmptyInput);
        };
        if first.as_ref() != config.bos {
            return Err(DenseError::MissingBos {
                bos: config.bos.clone(),
                found: first.as_ref().to_owned(),
            });
        }
        let mut ids = Vec::with_capacity(tokens.len());
        for (position, token) in tokens.iter().enumerate() {
            let token = token.as_ref();
            if position > 0 && token == config.bos {
                return Err(DenseError::BosNotFirst {
                    bos: config.bos.clone(),
                    position,
                });
            }
            let id = config
                .vocab
                .iter()
                .position(|t| t == token)
                .ok_or_else(|| DenseError::UnknownToken {
                    token: token.to_owned(),
                    position,
                    vocabulary: format!("[{}]", config.vocab.join(", ")),
                })?;
            ids.push(id);
        }
        if ids.len() - 1 > config.max_seq_len {
            return Err(DenseError::TooLong {
                tokens: ids.len() - 1,
                max_seq_len: config.max_seq_len,
            });
        }
        Ok(ids)
    }

    /// Runs the forward pass on token ids: `x = token_embed[ids] + pos_embed[0..T)`, then per
    /// layer `x += attention(x)` and `x += mlp(x)`, then the unembedding.
    ///
    /// # Errors
    /// [`DenseError::EmptyInput`], [`DenseError::TooLong`] past `max_seq_len + 1` positions,
    /// [`DenseError::TokenId`] for an id outside the vocabulary.
    pub fn forward(&self, ids: &[usize]) -> Result<DenseOutput, DenseError> {
        let config = &self.config;
        let t = ids.len();
        let d = config.d_model;
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

        let mut x = vec![0.0; t * d];
        for (position, &id) in ids.iter().enumerate() {
            let row = &mut x[position * d..(position + 1) * d];
            let token = &self.token_embedding[id * d..(id + 1) * d];
            let place = &self.position_embedding[position * d..(position + 1) * d];
            for ((entry, a), b) in row.iter_mut().zip(token).zip(place) {
                *entry = a + b;
            }
        }

        for layer in &self.layers {
            let attention = self.attention(layer, &x, t);
            add_assign(&mut x, &attention);
            let mlp = mlp(layer, &x, t);
            add_assign(&mut x, &mlp);
        }

        let outputs = config.output.labels.len();
        let logits = self
            .unembedding
            .left_multiply(&x, t, Some(&self.unembedding_bias));
        let decoded = (0..t)
            .map(|position| {
                let row = &logits[position * outputs..(position + 1) * outputs];
                if config.output.categorical {
                    Decoded::Category(argmax(row))
                } else {
                    Decoded::Number(row[0])
                }
            })
            .collect();

        Ok(DenseOutput {
            positions: t,
            d_model: d,
            outputs,
            residual: x,
            logits,
            decoded,
        })
    }

    /// Returns the attention sublayer's output `[t, d_model]`.
    fn attention(&self, layer: &Layer, x: &[f64], t: usize) -> Vec<f64> {
        let d = self.config.d_model;
        let k = self.config.key_size;
        let scale = self.config.attention_logit_scale;
        let mut out = vec![0.0; t * d];
        for position in 0..t {
            out[position * d..(position + 1) * d].copy_from_slice(&layer.output_bias);
        }

        let mut weights = vec![0.0; t];
        for head in &layer.heads {
            let logit_columns = &head.logit_columns;
            let value_columns = &head.value_columns;
            let (n, m) = (logit_columns.len(), value_columns.len());
            let q = gather_product(x, t, d, &head.query, k, &head.query_bias, logit_columns);
            let keys = gather_product(x, t, d, &head.key, k, &head.key_bias, logit_columns);
            let v = gather_product(x, t, d, &head.value, k, &head.value_bias, value_columns);

            // Keys and values of handcrafted heads are projections of a mostly-zero residual,
            // so each row is kept as its non-zero entries.
            let keys = nonzero_entries(&keys, t, n);
            let v = nonzero_entries(&v, t, m);

            let mut z = vec![0.0; t * m];
            for i in 0..t {
                let visible = if self.config.causal { i + 1 } else { t };
                let query = &q[i * n..(i + 1) * n];
                for (weight, key) in weights.iter_mut().zip(&keys).take(visible) {
                    let dot: f64 = key.iter().map(|&(c, value)| query[c] * value).sum();
                    *weight = scale * dot;
                }
                softmax(&mut weights[..visible]);
                let row = &mut z[i * m..(i + 1) * m];
                for (&weight, value) in weights[..visible].iter().zip(&v) {
                    for &(c, entry) in value {
                        row[c] += weight * entry;
                    }
                }
            }

            for i in 0..t {
                let target = &mut out[i * d..(i + 1) * d];
                for (&column, &amount) in value_columns.iter().zip(&z[i * m..(i + 1) * m]) {
                    if amount == 0.0 {
                        continue;
                    }
                    for &(c, w) in head.output.row(column) {
                        target[c] += amount * w;
                    }
                }
            }
        }
        out
    }
}

/// Returns the non-zero entries `(column, value)` of each row of a row-major `[rows, columns]`
/// matrix.
fn nonzero_entries(matrix: &[f64], rows: usize, columns: usize) -> Vec<Vec<(usize, f64)>> {
    (0..rows)
        .map(|r| {
            let row = &matrix[r * columns..(r + 1) * columns];
            row.iter()
                .enumerate()
                .filter(|(_, &value)| value != 0.0)
                .map(|(c, &value)| (c, value))
                .collect()
        })
        .collect()
}

/// Returns `x·w + bias` restricted to the given columns of `w`, `[t, columns.len()]`, for
/// row-major `x: [t, rows]` and `w: [rows, width]`. Zero entries of `x` are skipped.
fn gather_product(
    x: &[f64],
    t: usize,
    rows: usize,
    w: &[f64],
    width: usize,
    bias: &[f64],
    columns: &[usize],
) -> Vec<f64> {
    let n = columns.len();
    let mut y = vec![0.0; t * n];
    for position in 0..t {
        let out = &mut y[position * n..(position + 1) * n];
        for (entry, &column) in out.iter_mut().zip(columns) {
            *entry = bias[column];
        }
        for (r, &a) in x[position * rows..(position + 1) * rows].iter().enumerate() {
            if a == 0.0 {
                continue;
            }
            let weights = &w[r * width..(r + 1) * width];
            for (entry, &column) in out.iter_mut().zip(columns) {
                *entry += a * weights[column];
            }
        }
    }
    y
}

/// Returns the MLP sublayer's output `[t, d_model]`: `relu(x·W_in + b_in)·W_out + b_out`.
fn mlp(layer: &Layer, x: &[f64], t: usize) -> Vec<f64> {
    let mut h = layer.mlp_in.left_multiply(x, t, Some(&layer.mlp_in_bias));
    for value in &mut h {
        *value = value.max(0.0);
    }
    layer
        .mlp_out
        .left_multiply(&h, t, Some(&layer.mlp_out_bias))
}

fn add_assign(target: &mut [f64], addend: &[f64]) {
    for (a, b) in target.iter_mut().zip(addend) {
        *a += b;
    }
}

/// Replaces logits by softmax weights, subtracting the maximum first.
fn softmax(logits: &mut [f64]) {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for value in logits.iter_mut() {
        *value = (*value - max).exp();
        sum += *value;
    }
    for value in logits.iter_mut() {
        *value /= sum;
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
