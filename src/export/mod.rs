//! Export: dense weights written as `model.safetensors` plus `config.json`, verified against
//! the typed model before they are moved into place.
//!
//! [`Model::export`] assembles the model and writes both files under temporary names in the
//! target directory. It reads them back with the safetensors and JSON parsers, runs the
//! independent forward pass of [`crate::dense`] on the verification set, and compares every
//! decoded output with the typed series. Only then are the files renamed into place. On any
//! error, no new, partial or stale file is left: an earlier export in the directory stays as
//! it was, unless renaming fails halfway, in which case both of its files are removed.
//!
//! # Attention scaling
//!
//! The typed heads compute logits `q·k` with no `1/sqrt(d)` factor. By default
//! ([`AttentionScaling::Exact`]) the file keeps the reference's weights unchanged and declares
//! the logit scale 1: `attention_logit_scale: 1.0` in `config.json`, and for TransformerLens
//! `use_attn_scale: false`. [`AttentionScaling::Reference`] declares the reference's dense
//! convention instead, `q·k / sqrt(key_size)` (`use_attn_scale: true`,
//! `attn_scale: sqrt(d_head)`), which is softer wherever attention is not saturated; such an
//! export is still verified against the typed model and fails if a decoded output changes.
//!
//! ```
//! use handcraft::{AttentionHead, Dir, Linear, ScalarBilinear, Series};
//! use handcraft::assemble::Model;
//! use handcraft::export::{ExportOptions, Layout};
//!
//! handcraft::spaces! {
//!     space Tokens = tokens: {"BOS", "a", "b"};
//!     space Indices = indices: 0..3;
//!     space Out = out: {"a", "b"};
//!     space Residual = Tokens | Indices | Out;
//! }
//!
//! // Copy each position's own token to `out`.
//! let copy = AttentionHead::<Residual>::new(
//!     ScalarBilinear::<Indices, Indices>::from_fn(|q, k| if q == k { 100.0 } else { 0.0 }),
//!     Linear::<Tokens, Out>::from_fn(|t, o| if t.value() == o.value() { 1.0 } else { 0.0 }),
//!     false,
//! );
//! let model = Model::builder(Series::new().then(copy))
//!     .tokens::<Tokens>(Dir::with_value("BOS")?)
//!     .indices::<Indices>()
//!     .categorical_output::<Out>()
//!     .build()?;
//!
//! let dir = tempfile::tempdir()?;
//! let options = ExportOptions::default().layout(Layout::TransformerLens);
//! let report = model.export(dir.path(), &options)?;
//! // 2 + 4 + 8 inputs of 1 to 3 tokens after BOS.
//! assert_eq!(report.verification().inputs_checked, 14);
//! assert!(report.verification().exhaustive);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod error;
mod files;
mod tensors;
mod verify;

use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;

pub use config::{
    AttentionScaling, Dtype, ExportConfig, HookedTransformerConfig, Layout, OutputConfig,
    TensorsFile, VerificationReport, VerifiedCase, CONFIG_FILE, FORMAT, FORMAT_VERSION,
    TENSORS_FILE,
};
pub use error::ExportError;
pub use tensors::{schema, tensors, Sizes, Tensor};
pub use verify::STORED_CASES;

use crate::assemble::{DenseWeights, Model, OutputKind};
use crate::dense::{expected_scale, sha256_hex, DenseModel};
use crate::space::Space;
use files::{commit, create_dir, StagedFile};
use verify::{verify, TypedResidual};

/// How to write and verify an export.
///
/// ```
/// use handcraft::export::{AttentionScaling, Dtype, ExportOptions, Layout};
///
/// let options = ExportOptions::default()
///     .layout(Layout::TransformerLens)
///     .dtype(Dtype::F64);
/// assert_eq!(options.attention_scaling, AttentionScaling::Exact);
/// assert_eq!(options.exhaustive_limit, 200_000);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Tensor names and shapes; [`Layout::Tracr`] by default.
    pub layout: Layout,
    /// Element type; [`Dtype::F32`] by default.
    pub dtype: Dtype,
    /// Attention convention; [`AttentionScaling::Exact`] by default.
    pub attention_scaling: AttentionScaling,
    /// A numerical output agrees when `|dense - typed| <= tolerance · max(1, |typed|)`. A
    /// categorical output is a tie between every category whose typed magnitude is within
    /// `tolerance · max(1, |max|)` of the largest, and then any of them agrees. `1e-4` by
    /// default.
    pub output_tolerance: f64,
    /// Every input is checked when there are at most this many; 200,000 by default.
    pub exhaustive_limit: u64,
    /// Random inputs checked when there are more, besides every single-token input and every
    /// input that repeats one token to the maximum length; 10,000 by default.
    pub sample_size: usize,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            layout: Layout::Tracr,
            dtype: Dtype::F32,
            attention_scaling: AttentionScaling::Exact,
            output_tolerance: 1e-4,
            exhaustive_limit: 200_000,
            sample_size: 10_000,
        }
    }
}

impl ExportOptions {
    /// Sets the layout.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets the element type.
    pub fn dtype(mut self, dtype: Dtype) -> Self {
        self.dtype = dtype;
        self
    }

    /// Sets the attention convention.
    pub fn attention_scaling(mut self, scaling: AttentionScaling) -> Self {
        self.attention_scaling = scaling;
        self
    }

    /// Sets the tolerance for numerical outputs and categorical ties.
    pub fn output_tolerance(mut self, tolerance: f64) -> Self {
        self.output_tolerance = tolerance;
        self
    }

    /// Sets the largest number of inputs that is checked exhaustively.
    pub fn exhaustive_limit(mut self, limit: u64) -> Self {
        self.exhaustive_limit = limit;
        self
    }

    /// Sets the number of random inputs checked beyond the exhaustive limit.
    pub fn sample_size(mut self, size: usize) -> Self {
        self.sample_size = size;
        self
    }
}

/// The result of an export: the paths written and the configuration with its report.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    config_path: PathBuf,
    tensors_path: PathBuf,
    config: ExportConfig,
}

impl ExportReport {
    /// Returns the path of `config.json`.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Returns the path of `model.safetensors`.
    pub fn tensors_path(&self) -> &Path {
        &self.tensors_path
    }

    /// Returns the configuration written.
    pub fn config(&self) -> &ExportConfig {
        &self.config
    }

    /// Returns the verification report.
    pub fn verification(&self) -> &VerificationReport {
        // `export_weights` always stores the report before it returns.
        self.config
            .verification
            .as_ref()
            .expect("an export report contains its verification")
    }
}

impl<R: Space> Model<R> {
    /// Assembles, writes and verifies the model in `dir` (created if missing): see
    /// [`crate::export`].
    ///
    /// # Errors
    /// [`ExportError::InvalidOption`] for a negative or non-finite tolerance;
    /// [`ExportError::Assemble`], including a mix of causal and non-causal heads;
    /// [`ExportError::Disagreement`] naming the first input on which the dense file decodes
    /// differently from the typed model; I/O and read-back errors naming the file.
    pub fn export(
        &self,
        dir: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<ExportReport, ExportError> {
        let weights = self.assemble()?;
        export_weights(
            &weights,
            &|ids| self.final_residual(ids),
            dir.as_ref(),
            options,
        )
    }
}

/// Writes and verifies assembled weights against a typed final residual.
pub(crate) fn export_weights(
    weights: &DenseWeights,
    typed: &TypedResidual<'_>,
    dir: &Path,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let tolerance = options.output_tolerance;
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(ExportError::InvalidOption {
            option: "output_tolerance",
            message: format!("{tolerance} is not a finite number of at least 0"),
        });
    }
    let causal = weights.causal()?;
    let tensors = tensors(weights, options.layout);
    let bytes = serialize(&tensors, weights, options)?;
    let mut config = build_config(weights, options, causal, &bytes);

    create_dir(dir)?;
    let staged_tensors = StagedFile::write(dir, TENSORS_FILE, &bytes)?;
    let mut staged_config = StagedFile::write(dir, CONFIG_FILE, &to_json(&config)?)?;
    let dense = DenseModel::load_files(staged_config.path(), staged_tensors.path())
        .map_err(ExportError::ReadBack)?;

    let report = verify(&dense, weights.spaces(), typed, options)?;
    config.verification = Some(report);
    staged_config.rewrite(&to_json(&config)?)?;
    DenseModel::load_files(staged_config.path(), staged_tensors.path())
        .map_err(ExportError::ReadBack)?;

    commit(vec![staged_tensors, staged_config])?;
    Ok(ExportReport {
        config_path: dir.join(CONFIG_FILE),
        tensors_path: dir.join(TENSORS_FILE),
        config,
    })
}

/// Encodes tensors little-endian in the chosen dtype, with the layout and residual labels in
/// the safetensors metadata.
fn serialize(
    tensors: &[Tensor],
    weights: &DenseWeights,
    options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let mut encoded: Vec<Vec<u8>> = Vec::with_capacity(tensors.len());
    for tensor in tensors {
        let bytes = match options.dtype {
            Dtype::F64 => tensor.data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Dtype::F32 => {
                let mut bytes = Vec::with_capacity(tensor.data.len() * 4);
                for &value in &tensor.data {
                    let narrow = value as f32;
                    if !narrow.is_finite() {
                        return Err(ExportError::F32Overflow {
                            tensor: tensor.name.clone(),
                            value,
                        });
                    }
                    bytes.extend_from_slice(&narrow.to_le_bytes());
                }
                bytes
            }
        };
        encoded.push(bytes);
    }

    let dtype = match options.dtype {
        Dtype::F32 => safetensors::Dtype::F32,
        Dtype::F64 => safetensors::Dtype::F64,
    };
    let views = tensors
        .iter()
        .zip(&encoded)
        .map(|(tensor, bytes)| {
            TensorView::new(dtype, tensor.shape.clone(), bytes)
                .map(|view| (tensor.name.clone(), view))
                .map_err(|e| ExportError::Serialize {
                    message: e.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let labels = serde_json::to_string(&weights.spaces().residual().labels()).map_err(|e| {
        ExportError::Serialize {
            message: e.to_string(),
        }
    })?;
    let metadata = [
        ("format".to_owned(), FORMAT.to_owned()),
        ("layout".to_owned(), options.layout.name().to_owned()),
        ("residual_labels".to_owned(), labels),
    ]
    .into_iter()
    .collect();
    safetensors::serialize(views, Some(metadata)).map_err(|e| ExportError::Serialize {
        message: e.to_string(),
    })
}

fn build_config(
    weights: &DenseWeights,
    options: &ExportOptions,
    causal: bool,
    tensor_bytes: &[u8],
) -> ExportConfig {
    let shape = weights.shape();
    let spaces = weights.spaces();
    let scale = expected_scale(options.attention_scaling, shape.key_size);
    let vocab = spaces.vocabulary().to_vec();
    let output_labels = spaces.output().labels();

    let transformer_lens =
        (options.layout == Layout::TransformerLens).then(|| HookedTransformerConfig {
            n_layers: shape.num_layers,
            d_model: shape.d_model,
            d_head: shape.key_size,
            n_heads: shape.num_heads,
            d_mlp: shape.mlp_hidden_size,
            n_ctx: spaces.max_seq_len() + 1,
            d_vocab: vocab.len(),
            d_vocab_out: output_labels.len(),
            act_fn: "relu".into(),
            normalization_type: None,
            use_attn_scale: options.attention_scaling == AttentionScaling::Reference,
            attn_scale: match options.attention_scaling {
                AttentionScaling::Exact => 1.0,
                AttentionScaling::Reference => (shape.key_size as f64).sqrt(),
            },
            attention_dir: if causal { "causal" } else { "bidirectional" }.into(),
            positional_embedding_type: "standard".into(),
        });

    ExportConfig {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        layout: options.layout,
        dtype: options.dtype,
        num_layers: shape.num_layers,
        num_heads: shape.num_heads,
        key_size: shape.key_size,
        mlp_hidden_size: shape.mlp_hidden_size,
        d_model: shape.d_model,
        causal,
        attention_scaling: options.attention_scaling,
        attention_logit_scale: scale,
        residual_labels: spaces.residual().labels(),
        bos: vocab[spaces.bos()].clone(),
        vocab,
        max_seq_len: spaces.max_seq_len(),
        output: OutputConfig {
            labels: output_labels,
            categorical: spaces.output_kind() == OutputKind::Categorical,
            values: spaces.output_values(),
        },
        tensors: TensorsFile {
            file: TENSORS_FILE.into(),
            bytes: tensor_bytes.len() as u64,
            sha256: sha256_hex(tensor_bytes),
        },
        transformer_lens,
        verification: None,
    }
}

fn to_json(config: &ExportConfig) -> Result<Vec<u8>, ExportError> {
    let mut text = serde_json::to_vec_pretty(config).map_err(|e| ExportError::Serialize {
        message: e.to_string(),
    })?;
    text.push(b'\n');
    Ok(text)
}
