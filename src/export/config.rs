//! The `config.json` of an exported model: sizes, interface, attention contract, tensor
//! checksum and verification report.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The value of `format` in every config this crate writes.
pub const FORMAT: &str = "handcraft-dense";

/// The version of the config format; readers reject other versions.
pub const FORMAT_VERSION: u32 = 1;

/// File name of the tensors in an export directory.
pub const TENSORS_FILE: &str = "model.safetensors";

/// File name of the configuration in an export directory.
pub const CONFIG_FILE: &str = "config.json";

/// The naming and shapes of the tensors in `model.safetensors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// The reference's parameter names joined with `/` (`transformer/layer_0/attn/query/w`),
    /// heads side by side in the columns of `[d_model, num_heads·key_size]` matrices. There is
    /// no unembedding tensor: the output labels in the config select residual columns.
    Tracr,
    /// TransformerLens `HookedTransformer` state-dict names and shapes (`embed.W_E`,
    /// `blocks.0.attn.W_Q` of shape `[n_heads, d_model, d_head]`, `unembed.W_U`, …).
    TransformerLens,
}

impl Layout {
    /// Returns the name used in `config.json` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Tracr => "tracr",
            Layout::TransformerLens => "transformer-lens",
        }
    }
}

/// The element type of every tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// 32-bit floats, the reference's and TransformerLens's default.
    F32,
    /// 64-bit floats, the precision of the typed model.
    F64,
}

/// The attention convention a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttentionScaling {
    /// Logits are `q·k` unscaled, as the typed heads compute them, so the file reproduces the
    /// typed model. The weights equal the reference's; only the declared scale differs.
    Exact,
    /// Logits are `q·k / sqrt(key_size)`, the reference's dense convention; attention is softer
    /// than the typed model's wherever it is not saturated.
    Reference,
}

/// The contents of `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportConfig {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Tensor names and shapes.
    pub layout: Layout,
    /// Element type of every tensor.
    pub dtype: Dtype,
    /// Layers, each attention then MLP.
    pub num_layers: usize,
    /// Heads per layer.
    pub num_heads: usize,
    /// Width of each head's query, key and value.
    pub key_size: usize,
    /// Hidden units per MLP.
    pub mlp_hidden_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Whether every head masks key positions after the query position.
    pub causal: bool,
    /// The attention convention.
    pub attention_scaling: AttentionScaling,
    /// The factor the forward pass applies to `q·k` before the softmax: 1 for
    /// [`AttentionScaling::Exact`], `1/sqrt(key_size)` for [`AttentionScaling::Reference`].
    pub attention_logit_scale: f64,
    /// Text forms of the residual directions, in column order.
    pub residual_labels: Vec<String>,
    /// Token strings in id order, BOS included.
    pub vocab: Vec<String>,
    /// The BOS token, which every input starts with.
    pub bos: String,
    /// The maximum number of tokens after BOS.
    pub max_seq_len: usize,
    /// The decoding of the final residual.
    pub output: OutputConfig,
    /// The tensors file this config belongs to.
    pub tensors: TensorsFile,
    /// TransformerLens `HookedTransformerConfig` arguments, for the transformer-lens layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformer_lens: Option<HookedTransformerConfig>,
    /// The checks made before the export was written; absent only while they run.
    #[serde(default)]
    pub verification: Option<VerificationReport>,
}

/// The decoding of the final residual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputConfig {
    /// Residual labels of the output directions, in output id order.
    pub labels: Vec<String>,
    /// Whether the output is the argmax over `labels` (true) or the single label's magnitude.
    pub categorical: bool,
    /// The decoded value of each output id; `null` for a numerical output.
    pub values: Option<Vec<Json>>,
}

/// Identifies the tensors file, so a config never pairs with another export's tensors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorsFile {
    /// File name inside the export directory.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

/// Arguments for TransformerLens `HookedTransformerConfig(**transformer_lens)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookedTransformerConfig {
    /// Layers.
    pub n_layers: usize,
    /// Residual width.
    pub d_model: usize,
    /// Head width (the key size).
    pub d_head: usize,
    /// Heads per layer.
    pub n_heads: usize,
    /// MLP hidden width.
    pub d_mlp: usize,
    /// Positions, BOS included: `max_seq_len + 1`.
    pub n_ctx: usize,
    /// Input vocabulary size, BOS included.
    pub d_vocab: usize,
    /// Output width: output directions (categorical) or 1 (numerical).
    pub d_vocab_out: usize,
    /// Always `relu`.
    pub act_fn: String,
    /// Always `null`: no layer norm.
    pub normalization_type: Option<String>,
    /// Whether TransformerLens divides `q·k` by `attn_scale`.
    pub use_attn_scale: bool,
    /// The divisor of `q·k` when `use_attn_scale` holds.
    pub attn_scale: f64,
    /// `causal` or `bidirectional`.
    pub attention_dir: String,
    /// Always `standard`: a learned position embedding added to the token embedding.
    pub positional_embedding_type: String,
}

/// The checks made before an export was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// Input sequences on which the dense file and the typed model were compared.
    pub inputs_checked: u64,
    /// Whether those were every input of 1 to `max_seq_len` non-BOS tokens after BOS.
    pub exhaustive: bool,
    /// The number of such inputs, or `null` when it exceeds 2^64 - 1.
    pub input_space_size: Option<u64>,
    /// Largest absolute difference between the two final residual streams, over every
    /// position and direction of every input checked.
    pub max_residual_error: f64,
    /// Largest absolute difference between the two unembedded outputs, BOS positions excluded.
    pub max_output_error: f64,
    /// A numerical output agrees when `|dense - typed| <= tolerance · max(1, |typed|)`. A
    /// categorical output whose largest typed magnitudes are within `tolerance · max(1, |max|)`
    /// of each other is a tie, which any of them satisfies.
    pub output_tolerance: f64,
    /// Positions, over every input checked, where the typed model's categorical output was a
    /// tie. There any tied category agrees, and the stored expected output is `null`.
    pub tied_outputs: u64,
    /// Whether every decoded output agreed; a written export always has `true`.
    pub outputs_agree: bool,
    /// Up to 64 of the inputs checked, with the typed model's decoded output.
    pub cases: Vec<VerifiedCase>,
}

/// One checked input and the typed model's decoded output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifiedCase {
    /// Token strings, BOS first.
    pub input: Vec<String>,
    /// Decoded output per position; `null` at the BOS position, which has no output, and
    /// where the typed model's categorical output is a tie.
    pub expected: Vec<Json>,
}
