//! Assembly: a typed model becomes the weights of an ordinary dense transformer.
//!
//! A [`Model`] is a residual series plus the spaces that connect it to token ids: tokens with
//! a BOS token, positions, and the output. [`Model::assemble`] places its blocks in layer
//! slots and returns [`DenseWeights`], whose matrices are all over the residual basis;
//! [`Model::export`](crate::export) writes and verifies them.
//!
//! The non-generic half, [`ModelSpaces`] and [`DenseWeights::assemble`], works on blocks
//! erased to [`BlockParts`](crate::block::parts::BlockParts).

mod error;
mod model;
mod spaces;
mod weights;

pub use error::AssembleError;
pub use model::{Model, ModelBuilder, NeedsIndices, NeedsOutput, NeedsTokens};
pub use spaces::{ModelSpaces, OutputKind};
pub use weights::{AttentionWeights, DenseLayer, DenseShape, DenseWeights, MlpWeights};
