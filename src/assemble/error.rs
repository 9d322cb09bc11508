//! The error type of assembly: model spaces and blocks that cannot become dense weights.

use thiserror::Error;

/// An error from declaring a model's token, index and output spaces or from assembling its
/// blocks into dense weights.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum AssembleError {
    /// A space of the model's interface has a direction that the residual space lacks.
    #[error("the {role} space has basis direction `{direction}`, which the residual space lacks; declare the residual as a join that includes it")]
    NotInResidual {
        /// `token`, `index`, `output` or `one`.
        role: &'static str,
        /// Text form of the missing direction.
        direction: String,
    },

    /// A block reads or writes a direction that the residual space lacks.
    #[error("block {block} has {role} direction `{direction}`, which the residual space lacks")]
    BlockOutsideResidual {
        /// Index of the block in the series.
        block: usize,
        /// The block's space: `query`, `key`, `value`, `output`, `MLP input` or `MLP output`.
        role: &'static str,
        /// Text form of the missing direction.
        direction: String,
    },

    /// A matrix of a block does not fit the spaces around it.
    #[error("block {block}: matrix `{matrix}` is {rows}x{columns} but its spaces make it {expected_rows}x{expected_columns}")]
    MatrixShape {
        /// Index of the block in the series.
        block: usize,
        /// The matrix: `w_qk`, `w_ov`, `fst` or `snd`.
        matrix: &'static str,
        /// Rows found.
        rows: usize,
        /// Columns found.
        columns: usize,
        /// Rows its spaces need.
        expected_rows: usize,
        /// Columns its spaces need.
        expected_columns: usize,
    },

    /// A weight of a block is NaN or infinite.
    #[error("block {block}: matrix `{matrix}` has a non-finite entry {value} at row {row}, column {column}")]
    NonFiniteWeight {
        /// Index of the block in the series.
        block: usize,
        /// The matrix: `w_qk`, `w_ov`, `fst` or `snd`.
        matrix: &'static str,
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        column: usize,
        /// The value found.
        value: f64,
    },

    /// The index space is not `name:0 .. name:(n-1)`, so positions cannot be embedded.
    #[error("index space direction {position} is `{direction}`, but position embedding needs the value {position}; declare the index space as `indices: 0..n`")]
    IndicesNotPositions {
        /// Position in the sorted index space.
        position: usize,
        /// Text form of the direction found there.
        direction: String,
    },

    /// The index space is empty, so the model accepts no input beyond BOS.
    #[error("the index space is empty; it needs one direction per input position")]
    NoIndices,

    /// The token space has only the BOS token.
    #[error("the token space has no token besides BOS `{bos}`")]
    NoTokens {
        /// The BOS token.
        bos: String,
    },

    /// Two token directions have the same text, so a token string could not name its id.
    #[error(
        "tokens {first} and {second} are both written `{token}`; token strings must be unique"
    )]
    DuplicateToken {
        /// The shared text.
        token: String,
        /// Id of the first token.
        first: usize,
        /// Id of the second token.
        second: usize,
    },

    /// The output space is empty.
    #[error("the output space is empty; it needs at least one direction")]
    NoOutput,

    /// A numerical output space has more or fewer than one direction.
    #[error("a numerical output space must have exactly one direction, but has {dim}")]
    NumericalOutputWidth {
        /// The space's dimension.
        dim: usize,
    },

    /// The space chosen for the constant `one` has more or fewer than one direction.
    #[error("the `one` space must have exactly one direction, but has {dim}")]
    OneNotSingleDirection {
        /// The space's dimension.
        dim: usize,
    },

    /// Heads of one model disagree on the causal mask, which a dense file applies to all heads.
    #[error("head {causal_head} of layer {causal_layer} is causal but head {head} of layer {layer} is not; a dense transformer has one causal flag for all heads, so make every head causal or none")]
    MixedCausality {
        /// Layer of a causal head.
        causal_layer: usize,
        /// Index of that head in its layer.
        causal_head: usize,
        /// Layer of a non-causal head.
        layer: usize,
        /// Index of that head in its layer.
        head: usize,
    },

    /// A token id is not in the vocabulary.
    #[error("token id {id} is out of range; the vocabulary has {vocab_size} tokens")]
    TokenId {
        /// The id found.
        id: usize,
        /// Number of tokens.
        vocab_size: usize,
    },

    /// An input has more positions than the position embedding.
    #[error("the input has {len} positions but the model accepts at most {max} (BOS plus {max_seq_len} tokens)", max = max_seq_len + 1)]
    TooLong {
        /// Positions in the input, BOS included.
        len: usize,
        /// The maximum number of tokens after BOS.
        max_seq_len: usize,
    },

    /// The typed series failed on an embedded input.
    #[error("evaluating the typed series failed: {0}")]
    Evaluate(crate::error::Error),

    /// An input has no position.
    #[error("the input is empty; it needs at least the BOS token")]
    EmptyInput,
}
