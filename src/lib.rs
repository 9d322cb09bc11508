//! handcraft builds transformer weights by hand, with every vector space a Rust type.
//!
//! A model is made of labelled basis directions (`tokens:a`, `indices:3`, `one`), grouped into
//! spaces that [`spaces!`] declares as types. Linear maps ([`Linear`]) and bilinear forms
//! ([`ScalarBilinear`]) carry their spaces as type parameters, so applying a map to a vector of
//! another space, or composing maps whose spaces do not meet, is a compile error that names the
//! spaces.
//!
//! ```
//! use handcraft::{Dir, Linear, Sequence, Space};
//!
//! handcraft::spaces! {
//!     space Tokens = tokens: {"a", "b", "c"};
//!     space Indices = indices: 0..4;
//!     space One = one;
//!     space Residual = Tokens | Indices | One;
//! }
//!
//! assert_eq!(Residual::DIM, 8);
//!
//! // A map that reads tokens and writes `one`: 1 for `tokens:a`, 0 otherwise.
//! let is_a = Linear::<Tokens, One>::from_fn(|token, _| {
//!     if token.value_str() == Some("a") { 1.0 } else { 0.0 }
//! });
//!
//! let tokens = Sequence::<Tokens>::one_hot(&[
//!     Dir::with_value("a")?,
//!     Dir::with_value("c")?,
//! ]);
//! let residual = tokens.embed::<Residual>();
//! let flags = is_a.apply(&residual.restrict::<Tokens>());
//! assert_eq!(flags.matrix().as_slice(), [1.0, 0.0]);
//! # Ok::<(), handcraft::Error>(())
//! ```
//!
//! # What the compiler checks, and what is checked at run time
//!
//! The compiler checks everything that depends only on declared spaces: that a vector, map or
//! block meets the space it is used with, that one space is a subspace of another, that two
//! hidden spaces are disjoint, and the static shape of every matrix. What depends on data given
//! at run time returns an [`Error`]: the length and contents of an input sequence, values
//! looked up by [`Dir::with_value`], and bases built with [`Basis::new`].

pub mod assemble;
pub mod basis;
pub mod bilinear;
pub mod block;
pub mod chamber;
pub mod dense;
pub mod direction;
pub mod error;
pub mod export;
pub mod linear;
pub mod order;
pub mod space;
pub mod vector;

pub use basis::Basis;
pub use bilinear::ScalarBilinear;
pub use block::{
    AttentionHead, Block, ErasedHidden, Evaluation, Mlp, MultiAttentionHead, PrivateHidden, Series,
};
pub use direction::{BasisDirection, Name, Value};
pub use error::Error;
/// # Example
///
/// ```
/// use handcraft::Space;
///
/// handcraft::spaces! {
///     /// The vocabulary.
///     pub space Tokens = tokens: {"a", "b", "c"};
///     pub space Indices = indices: 0..10;
///     pub space One = one;
///     pub numerical space Fraction = fraction;
///     pub space Residual = Tokens | Indices | One | Fraction;
/// }
///
/// assert_eq!(Residual::DIM, 15);
/// assert_eq!(Indices::basis().labels()[2], "indices:2");
/// ```
///
/// # Rejected declarations
///
/// Each mistake below is a compile error spanned on the token at fault. The text after
/// `error:` is the message the compiler prints.
///
/// A direction declared twice in one space (error: duplicate direction `tokens:a` in space
/// `Tokens`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a", "b", "a"};
/// }
/// ```
///
/// Two values that are equal in Python, such as `1` and `true` (error: duplicate direction
/// `flag:True` in space `Flags`, equal to `flag:1`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Flags = flag: {0, 1, true};
/// }
/// ```
///
/// A space with no directions (error: space `Tokens` has no directions):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {};
/// }
/// ```
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Indices = indices: 0..0;
/// }
/// ```
///
/// A direct sum of spaces that share a direction (error: direct sum `Input` requires disjoint
/// spaces, but `Tokens` and `Bos` share the direction `tokens:BOS`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a", "BOS"};
///     pub space Bos = tokens: {"BOS"};
///     pub space Input = Tokens + Bos;
/// }
/// ```
///
/// An operand that is not a space of the block (error: `Indices` is not a space declared in
/// this `spaces!` block):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a", "b"};
///     pub space Residual = Tokens | Indices;
/// }
/// ```
///
/// A value of an unsupported type (error: byte string literals are not supported as values):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Bytes = bytes: {b"a"};
/// }
/// ```
///
/// A space name declared twice (error: duplicate space `Tokens`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a"};
///     pub space Tokens = tokens: {"b"};
/// }
/// ```
///
/// `|` and `+` in one composite (error: space `Residual` mixes `|` and `+`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a"};
///     pub space Indices = indices: 0..4;
///     pub space One = one;
///     pub space Residual = Tokens | Indices + One;
/// }
/// ```
///
/// Composites that contain each other (error: cycle between spaces: `Input` is built from
/// `Residual`, which is built from `Input`):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a"};
///     pub space One = one;
///     pub space Residual = Input | One;
///     pub space Input = Tokens | Residual;
/// }
/// ```
///
/// A numerical space without exactly one direction (error: numerical space `Frac` must have
/// exactly one direction, but it has 2):
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub numerical space Frac = frac: {0.0, 1.0};
/// }
/// ```
///
/// A range of more than 1,000,000 directions:
///
/// ```compile_fail
/// handcraft::spaces! {
///     pub space Indices = indices: 0..2000000;
/// }
/// ```
///
/// Spaces of two different `spaces!` blocks are never related, even when one contains the
/// other's directions (error: `Tokens` is not a subspace of `Residual`):
///
/// ```compile_fail
/// mod vocabulary {
///     handcraft::spaces! {
///         pub space Tokens = tokens: {"a", "b"};
///     }
/// }
/// handcraft::spaces! {
///     pub space Residual = tokens: {"a", "b", "c"};
/// }
/// fn assert_subspace<Sub: handcraft::Subspace<Sup>, Sup: handcraft::Space>() {}
/// assert_subspace::<vocabulary::Tokens, Residual>();
/// ```
pub use handcraft_macros::spaces;
pub use linear::Linear;
pub use space::{Dir, Disjoint, Numerical, Space, Subspace, TypenumDim};
pub use vector::{Sequence, Vector};

pub use generic_array;
pub use nalgebra;
pub use typenum;

/// Paths used by code that [`spaces!`] generates; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use nalgebra;
    pub use typenum;
}
