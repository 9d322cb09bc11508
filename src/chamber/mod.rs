//! Ready-made building blocks: categorical attention, lookup-table and discretising MLPs, and
//! selector width, built from typed spaces and typed user functions.
//!
//! Each building block is a builder named after what it builds, and its type parameters are
//! the spaces it reads and writes. `new` (or `numerical` and `categorical`) takes the user
//! function and evaluates it at once on the finite set of inputs. Options follow as methods,
//! and `build::<R>()` returns a block of [`crate::block`] in residual space `R`.
//!
//! What is checked when:
//!
//! - the compiler checks that every space the block touches is a
//!   [`Subspace`](crate::Subspace) of `R`, and that spaces that must not overlap are
//!   [`Disjoint`](crate::Disjoint);
//! - the BOS, `one` and intermediate spaces must have one direction each. A wider space fails
//!   in a constant assertion, which `cargo build` reports but `cargo check` does not;
//! - whatever depends on the function's values (a value missing from the output space, a
//!   function undefined everywhere, a large number too small for the inputs) is a construction
//!   [`Error`](crate::Error) naming the values.
//!
//! Hidden spaces are sized from the data and private to the block
//! ([`PrivateHidden`](crate::PrivateHidden)), and their labels are the reference's. `parts()`
//! returns the same weights erased to labelled bases, for code that works without types.
//!
//! | builder | computes |
//! | --- | --- |
//! | [`CategoricalAttention`] | attention with a predicate on query and key directions, BOS as the default |
//! | [`CategoricalMlp`] | a categorical function of one categorical input |
//! | [`CategoricalToNumericalMlp`] | a number for each direction of a categorical input |
//! | [`SequenceMapMlp`] | a categorical function of two categorical inputs |
//! | [`NumericalMlp`] | a numerical function of a numerical input with finitely many values |
//! | [`NumericalToCategoricalMlp`] | a categorical function of such an input |
//! | [`LinearSequenceMap`] | `a·x + b·y` of two numerical inputs |
//! | [`SelectorWidth`] | how many keys a selector picks for each query |
//!
//! Every block reproduces the reference's weights, except where the reference computes a
//! wrong result; each such difference is stated in the block's documentation:
//!
//! - discretising MLPs choose their large number from the input values by default, so no
//!   input blends two outputs; a given large number builds the reference's weights, and is
//!   rejected when too small;
//! - selector width is exact for every width up to the maximum sequence length it is built
//!   for;
//! - a categorical-to-numerical MLP returns negative values, which the reference clips to 0;
//! - categorical results computed in floating point snap to the nearest output value
//!   ([`ToDirection`]), and values outside the output space are errors, not silent zeros.
//!
//! All blocks assume, as the reference does, that position 0 is the BOS token with the vector
//! `bos + one`, and every other position has `one` and no `bos`.
//!
//! ```
//! use handcraft::{Dir, Sequence, Series};
//! use handcraft::chamber::{CategoricalAttention, NumericalMlp};
//!
//! handcraft::spaces! {
//!     space Tokens = tokens: {"a", "b"};
//!     numerical space IsA = is_a;
//!     numerical space Fraction = fraction;
//!     numerical space Percent = percent;
//!     space Bos = bos;
//!     space One = one;
//!     space Residual = Tokens | IsA | Fraction | Percent | Bos | One;
//! }
//!
//! // The fraction of positions so far with token `a`, as a percentage.
//! let mean = CategoricalAttention::<Tokens, Tokens, IsA, Fraction, Bos, One>::new(|_, _| true)
//!     .causal(true)
//!     .build::<Residual>()?;
//! let fractions = [0.0, 1.0 / 3.0, 0.5, 2.0 / 3.0, 1.0];
//! let percent = NumericalMlp::<Fraction, Percent, One>::new(|x| Some(100.0 * x), fractions)
//!     .build::<Residual>()?;
//! let model = Series::new().then(mean).then(percent);
//!
//! let tokens = ["bos", "tokens:a", "tokens:b", "tokens:a"];
//! let input = Sequence::<Residual>::from_fn(tokens.len(), |position, d| {
//!     let label = d.to_string();
//!     let is_a = label == "is_a" && tokens[position] == "tokens:a";
//!     if label == tokens[position] || label == "one" || is_a { 1.0 } else { 0.0 }
//! });
//! let output = model.apply(&input)?.restrict::<Percent>();
//! let percent = Dir::<Percent>::from_index(0).unwrap();
//! assert!((output.get(1, percent) - 100.0).abs() < 1e-9);
//! assert!((output.get(2, percent) - 50.0).abs() < 1e-9);
//! assert!((output.get(3, percent) - 100.0 * 2.0 / 3.0).abs() < 1e-9);
//! # Ok::<(), handcraft::Error>(())
//! ```

mod attention;
mod categorical;
mod discretise;
mod numerical;
mod output;
mod selector_width;

pub use attention::{CategoricalAttention, DEFAULT_SOFTMAX_COLDNESS};
pub use categorical::{CategoricalMlp, CategoricalToNumericalMlp, SequenceMapMlp};
pub use numerical::{
    DiscretisingMlp, LinearSequenceMap, NumericalMlp, NumericalToCategoricalMlp,
    DEFAULT_HIDDEN_NAME,
};
pub use output::{ToDirection, SNAP_TOLERANCE};
pub use selector_width::{SelectorWidth, SelectorWidthBlock, SelectorWidthParts};

/// The spaces a builder is generic over, held as a marker.
type Spaces<T> = std::marker::PhantomData<fn() -> T>;
