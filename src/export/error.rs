//! The error type of exporting: assembly, writing, reading back and verification.

use thiserror::Error;

use crate::assemble::AssembleError;
use crate::dense::DenseError;

/// An error from [`Model::export`](crate::assemble::Model::export). When it is returned, the
/// export directory contains no new, partial or stale file.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The model could not be assembled.
    #[error(transparent)]
    Assemble(#[from] AssembleError),

    /// An export option is out of range.
    #[error("invalid export option `{option}`: {message}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// The problem found.
        message: String,
    },

    /// A file or directory could not be written.
    #[error("cannot write `{path}`: {message}")]
    Io {
        /// The path written.
        path: String,
        /// The operating system's message.
        message: String,
    },

    /// A weight is too large for 32-bit floats.
    #[error("tensor `{tensor}` has entry {value}, which f32 cannot hold; export with dtype f64")]
    F32Overflow {
        /// The tensor's name.
        tensor: String,
        /// The entry.
        value: f64,
    },

    /// The safetensors writer rejected the tensors.
    #[error("cannot serialize the tensors: {message}")]
    Serialize {
        /// The writer's message.
        message: String,
    },

    /// The written files failed to load back.
    #[error("the written files do not read back: {0}")]
    ReadBack(DenseError),

    /// The dense forward pass failed on a verification input.
    #[error("the dense forward pass failed on input {input}: {error}")]
    DenseRun {
        /// The input, as `[BOS, a, b]`.
        input: String,
        /// What failed.
        error: DenseError,
    },

    /// The typed model failed on a verification input.
    #[error("the typed model failed on input {input}: {error}")]
    Typed {
        /// The input, as `[BOS, a, b]`.
        input: String,
        /// What failed.
        error: AssembleError,
    },

    /// The dense file and the typed model decode an input differently.
    #[error("verification failed on input {input}: at position {position} the dense file decodes {found} but the typed model decodes {expected}{hint}")]
    Disagreement {
        /// The first failing input, as `[BOS, a, b]`.
        input: String,
        /// The first failing position.
        position: usize,
        /// The typed model's decoded output.
        expected: String,
        /// The dense file's decoded output.
        found: String,
        /// A suggestion, such as trying another attention convention; may be empty.
        hint: String,
    },
}
