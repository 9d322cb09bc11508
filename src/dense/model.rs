//! A loaded dense model: its public interface, token encoding and the result of a forward pass.

use std::path::Path;

use crate::dense::error::DenseError;
use crate::dense::forward::Workspace;
use crate::dense::load;
use crate::dense::sparse::SparseRows;
use crate::dense::weights::Layer;
use crate::export::ExportConfig;

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
    pub(crate) positions: usize,
    pub(crate) d_model: usize,
    pub(crate) outputs: usize,
    pub(crate) residual: Vec<f64>,
    pub(crate) logits: Vec<f64>,
    pub(crate) decoded: Vec<Decoded>,
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
        let mut workspace = Workspace::default();
        self.forward_into(ids, &mut workspace)?;
        Ok(workspace.into_output())
    }
}
