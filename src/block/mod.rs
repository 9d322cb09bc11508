//! Transformer blocks in a typed residual space: attention heads, MLPs, and series of them.
//!
//! Every block carries its residual space `R` as a type parameter, and every space it reads
//! or writes must be a [`Subspace`](crate::Subspace) of `R`. So a head whose query space is
//! missing from the residual stream does not compile, and neither does an MLP whose two layers
//! meet in different hidden spaces or a multi-head that mixes residual streams. Blocks whose
//! spaces are computed from data are built from [`parts`] and checked at run time instead.
//!
//! Evaluation computes what the reference computes: attention logits `Q · W_qk · Kᵀ` without
//! `1/sqrt(d)` scaling, `-∞` above the diagonal for causal heads, a softmax with the row
//! maximum subtracted, and `relu(X|input · fst) · snd` for MLPs. Each block is compiled
//! against `R` when it is built, so evaluating it reads the residual columns it needs,
//! multiplies them by the non-zero weights only, and adds its output to the columns it
//! writes. Sums may be taken in another order than the reference's, so results agree with it
//! to a few units in the last place (the tests check 1e-12, relative above 1).
//!
//! ```
//! use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Sequence, Series};
//!
//! handcraft::spaces! {
//!     space Indices = indices: 0..4;
//!     space Value = value;
//!     space Sum = sum;
//!     space Clipped = clipped;
//!     space Hidden = {h};
//!     space Residual = Indices | Value | Sum | Clipped;
//! }
//!
//! // Attention: the mean of `value` over all positions, written to `sum`.
//! let mean = AttentionHead::<Residual>::new(
//!     ScalarBilinear::<Indices, Indices>::zeros(),
//!     Linear::<Value, Sum>::from_fn(|_, _| 1.0),
//!     false,
//! );
//! // MLP: relu(sum - value), written to `clipped`.
//! let fst = Linear::<Residual, Hidden>::from_fn(|d, _| match d.to_string().as_str() {
//!     "sum" => 1.0,
//!     "value" => -1.0,
//!     _ => 0.0,
//! });
//! let clip = Mlp::<Residual, Hidden>::new(fst, Linear::<Hidden, Clipped>::from_fn(|_, _| 1.0));
//!
//! let series = Series::new().then(mean).then(clip);
//! let value = Dir::<Residual>::find(&handcraft::BasisDirection::new("value"))?;
//! let input = Sequence::<Residual>::from_fn(4, |position, d| {
//!     if d == value { position as f64 } else { 0.0 }
//! });
//! let evaluation = series.evaluate(&input)?;
//! let clipped = evaluation.output().restrict::<Clipped>();
//! // The mean is 1.5; relu(1.5 - x) for x = 0, 1, 2, 3.
//! assert_eq!(clipped.matrix().as_slice(), [1.5, 0.5, 0.0, 0.0]);
//! # Ok::<(), handcraft::Error>(())
//! ```

mod check;
mod evaluate;
mod head;
mod kernel;
mod mlp;
mod multi;
pub mod parts;
mod series;

pub use evaluate::{BlockEvaluation, Evaluation, HeadEvaluation};
pub use head::AttentionHead;
pub use mlp::{ErasedHidden, Mlp, PrivateHidden};
pub use multi::MultiAttentionHead;
pub use parts::{BlockParts, HeadParts, MlpParts};
pub use series::{Block, IntoBlocks, Series};
