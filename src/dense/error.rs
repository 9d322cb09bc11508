//! The error type of loading and running an exported model.

use thiserror::Error;

/// An error from reading an export directory or from the input given to its forward pass.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DenseError {
    /// A file of the export is missing.
    #[error("file `{path}` not found; export the model into this directory first")]
    MissingFile {
        /// The path looked for.
        path: String,
    },

    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The path read.
        path: String,
        /// The operating system's message.
        message: String,
    },

    /// `config.json` is not valid JSON of the expected form.
    #[error("invalid config.json: {message}")]
    InvalidConfig {
        /// The parser's message, with line and column.
        message: String,
    },

    /// `config.json` was written by another program or another format version.
    #[error("config.json has format `{format}` version {version}; this reader accepts `{expected_format}` version {expected_version}")]
    UnsupportedFormat {
        /// The `format` found.
        format: String,
        /// The `format_version` found.
        version: u32,
        /// The format this reader accepts.
        expected_format: &'static str,
        /// The version this reader accepts.
        expected_version: u32,
    },

    /// A field of `config.json` contradicts another field or the tensors.
    #[error("config.json field `{field}`: {message}")]
    ConfigMismatch {
        /// The field, as a JSON path such as `output.labels`.
        field: String,
        /// The problem found.
        message: String,
    },

    /// `model.safetensors` is not a valid safetensors file.
    #[error("invalid model.safetensors: {message}")]
    InvalidTensors {
        /// The safetensors parser's message.
        message: String,
    },

    /// The file has a different number of tensors than the config's layout needs.
    #[error("model.safetensors has {found} tensors but the {layout} layout of config.json needs {expected}")]
    TensorCount {
        /// The layout's name.
        layout: &'static str,
        /// Tensors the layout needs.
        expected: u64,
        /// Tensors in the file.
        found: usize,
    },

    /// A tensor the layout needs is absent.
    #[error("model.safetensors lacks tensor `{name}` of the {layout} layout; is `layout` in config.json right?")]
    MissingTensor {
        /// The tensor's name.
        name: String,
        /// The layout's name.
        layout: &'static str,
    },

    /// A tensor has a dtype other than the config's.
    #[error("tensor `{name}` has dtype {found} but config.json says {expected}")]
    TensorDtype {
        /// The tensor's name.
        name: String,
        /// The config's dtype.
        expected: String,
        /// The tensor's dtype.
        found: String,
    },

    /// A tensor has a shape other than the config implies.
    #[error("tensor `{name}` has shape {found:?} but config.json implies {expected:?}")]
    TensorShape {
        /// The tensor's name.
        name: String,
        /// The shape the config implies.
        expected: Vec<usize>,
        /// The shape found.
        found: Vec<usize>,
    },

    /// A tensor contains a NaN or infinite number.
    #[error("tensor `{name}` has a non-finite entry {value} at flat index {index}")]
    NonFiniteTensor {
        /// The tensor's name.
        name: String,
        /// Row-major index of the entry.
        index: usize,
        /// The value found.
        value: f64,
    },

    /// The safetensors metadata contradicts `config.json`.
    #[error("model.safetensors metadata `{key}` does not match config.json: {message}")]
    MetadataMismatch {
        /// The metadata key.
        key: String,
        /// What differs.
        message: String,
    },

    /// `model.safetensors` is not the file that `config.json` was written with.
    #[error("model.safetensors ({found_bytes} bytes, SHA-256 {found}) is not the file config.json was written with ({expected_bytes} bytes, SHA-256 {expected}); it was changed or belongs to another export, so export the model again")]
    Checksum {
        /// The checksum in the config.
        expected: String,
        /// The checksum of the file.
        found: String,
        /// The size in the config.
        expected_bytes: u64,
        /// The size of the file.
        found_bytes: u64,
    },

    /// An input token is not in the vocabulary.
    #[error("unknown token `{token}` at position {position}; the vocabulary is {vocabulary}")]
    UnknownToken {
        /// The token given.
        token: String,
        /// Its position in the input, BOS being 0.
        position: usize,
        /// The vocabulary, as `[BOS, a, b]`.
        vocabulary: String,
    },

    /// The input does not start with BOS.
    #[error("the input must start with the BOS token `{bos}`, but starts with `{found}`")]
    MissingBos {
        /// The BOS token.
        bos: String,
        /// The first token given.
        found: String,
    },

    /// BOS appears after the first position.
    #[error(
        "the BOS token `{bos}` may only appear at position 0, but appears at position {position}"
    )]
    BosNotFirst {
        /// The BOS token.
        bos: String,
        /// Its position in the input.
        position: usize,
    },

    /// The input has more tokens after BOS than the model has positions for.
    #[error("the input has {tokens} tokens after BOS but the model accepts at most {max_seq_len}")]
    TooLong {
        /// Tokens after BOS.
        tokens: usize,
        /// The model's maximum.
        max_seq_len: usize,
    },

    /// The input is empty.
    #[error("the input is empty; it needs at least the BOS token")]
    EmptyInput,

    /// A token id is not in the vocabulary.
    #[error("token id {id} is out of range; the vocabulary has {vocab_size} tokens")]
    TokenId {
        /// The id given.
        id: usize,
        /// Tokens in the vocabulary.
        vocab_size: usize,
    },
}
