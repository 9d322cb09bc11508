//! An independent dense forward pass over exported files, used to verify exports and to run
//! them from the command line.
//!
//! [`DenseModel::load`] reads an export directory, checks the config against itself, the
//! safetensors metadata and every tensor's name, dtype, shape and checksum, and rearranges the
//! tensors of either layout into per-head matrices. [`DenseModel::forward`] then runs an
//! ordinary transformer over them, with its own arithmetic on row-major buffers: nothing is
//! shared with the typed evaluator it is compared against.

mod cases;
mod error;
mod forward;
mod load;
mod model;
mod sparse;
mod usage;
mod weights;

pub use cases::CaseOutcome;
pub use error::DenseError;
pub(crate) use forward::Workspace;
pub(crate) use load::{expected_scale, sha256_hex};
pub use model::{Decoded, DenseModel, DenseOutput};
pub use usage::{HeadUsage, LayerUsage, MlpUsage};
