//! Several attention heads in one residual space, whose outputs add.

use std::fmt;

use crate::block::check;
use crate::block::evaluate::{to_sequence, HeadEvaluation};
use crate::block::head::AttentionHead;
use crate::block::kernel::{sum_outputs, Failure, HeadRun, Written};
use crate::error::Error;
use crate::space::Space;
use crate::vector::Sequence;

/// Attention heads that read the same residual and whose outputs add: one attention layer.
///
/// Every head has the residual space `R`, so heads of different residual streams cannot be
/// mixed. Adding a multi-head to another flattens it, so [`MultiAttentionHead::head_count`]
/// counts nested heads.
///
/// ```
/// use handcraft::{AttentionHead, Linear, MultiAttentionHead, ScalarBilinear, Sequence};
///
/// handcraft::spaces! {
///     space X = x;
///     space Y = y;
///     space Residual = X | Y;
/// }
///
/// let copy = || AttentionHead::<Residual>::new(
///     ScalarBilinear::<X, X>::zeros(),
///     Linear::<X, Y>::from_fn(|_, _| 1.0),
///     false,
/// );
/// let layer = MultiAttentionHead::new([copy(), copy()]).with(MultiAttentionHead::new([copy()]));
/// assert_eq!(layer.head_count(), 3);
///
/// let input = Sequence::<Residual>::from_rows(&[[2.0, 0.0], [4.0, 0.0]])?;
/// let output = layer.apply(&input)?;
/// // Each head writes the mean of `x`, 3, to `y`; three heads write 9.
/// assert_eq!(output.matrix()[(0, 1)], 9.0);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct MultiAttentionHead<R: Space> {
    heads: Vec<AttentionHead<R>>,
}

impl<R: Space> MultiAttentionHead<R> {
    /// Creates a layer from heads of one residual space.
    ///
    /// See [`MultiAttentionHead`] for an example.
    pub fn new(heads: impl IntoIterator<Item = AttentionHead<R>>) -> Self {
        MultiAttentionHead {
            heads: heads.into_iter().collect(),
        }
    }

    /// Adds a head, or every head of another multi-head, after the heads already here.
    ///
    /// See [`MultiAttentionHead`] for an example.
    pub fn with(mut self, heads: impl Into<MultiAttentionHead<R>>) -> Self {
        self.heads.extend(heads.into().heads);
        self
    }

    /// Returns the number of heads, nested heads included.
    pub fn head_count(&self) -> usize {
        self.heads.len()
    }

    /// Returns the heads in order, nested multi-heads flattened.
    pub fn heads(&self) -> &[AttentionHead<R>] {
        &self.heads
    }

    /// Returns the sum of the heads' outputs on `input`; the input is not added.
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input;
    /// [`Error::Overflow`], [`Error::NonFiniteOutput`] when the weights make a value overflow.
    pub fn apply(&self, input: &Sequence<R>) -> Result<Sequence<R>, Error> {
        check::input(input)?;
        let (written, _) = self
            .run(input.matrix().as_slice(), input.len(), false)
            .map_err(|failure| check::located::<R>(0, failure))?;
        written
            .check()
            .map_err(|failure| check::located::<R>(0, failure))?;
        Ok(to_sequence(&written))
    }

    /// Returns each head's output, logits and attention weights on `input`.
    ///
    /// # Errors
    /// As [`MultiAttentionHead::apply`].
    pub fn evaluate(&self, input: &Sequence<R>) -> Result<Vec<HeadEvaluation<R>>, Error> {
        self.heads.iter().map(|head| head.evaluate(input)).collect()
    }

    /// Evaluates every head on a residual of `positions` rows. Returns the sum of their
    /// outputs over the union of their output columns, and each head's run, with logits and
    /// weights when `record` is set.
    pub(crate) fn run(
        &self,
        residual: &[f64],
        positions: usize,
        record: bool,
    ) -> Result<(Written, Vec<HeadRun>), Failure> {
        let runs = self
            .heads
            .iter()
            .map(|head| head.kernel().run(residual, positions, record))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs: Vec<&Written> = runs.iter().map(|run| &run.output).collect();
        let sum = sum_outputs(&outputs, positions);
        Ok((sum, runs))
    }
}

impl<R: Space> From<AttentionHead<R>> for MultiAttentionHead<R> {
    fn from(head: AttentionHead<R>) -> Self {
        MultiAttentionHead { heads: vec![head] }
    }
}

impl<R: Space> FromIterator<AttentionHead<R>> for MultiAttentionHead<R> {
    fn from_iter<I: IntoIterator<Item = AttentionHead<R>>>(heads: I) -> Self {
        Self::new(heads)
    }
}

impl<R: Space> Extend<AttentionHead<R>> for MultiAttentionHead<R> {
    fn extend<I: IntoIterator<Item = AttentionHead<R>>>(&mut self, heads: I) {
        self.heads.extend(heads);
    }
}

impl<R: Space> IntoIterator for MultiAttentionHead<R> {
    type Item = AttentionHead<R>;
    type IntoIter = std::vec::IntoIter<AttentionHead<R>>;

    fn into_iter(self) -> Self::IntoIter {
        self.heads.into_iter()
    }
}

impl<R: Space> Clone for MultiAttentionHead<R> {
    fn clone(&self) -> Self {
        MultiAttentionHead {
            heads: self.heads.clone(),
        }
    }
}

impl<R: Space> PartialEq for MultiAttentionHead<R> {
    fn eq(&self, other: &Self) -> bool {
        self.heads == other.heads
    }
}

impl<R: Space> fmt::Debug for MultiAttentionHead<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MultiAttentionHead<{}> ", R::name())?;
        f.debug_list()
            .entries(self.heads.iter().map(|h| h.parts()))
            .finish()
    }
}
