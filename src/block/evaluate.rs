//! Records of evaluating a series: the residual after each block, each block's output, and
//! each attention head's logits and weights.

use std::fmt;
use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::block::kernel::{HeadRun, Written};
use crate::space::Space;
use crate::vector::Sequence;

/// The record of evaluating a [`crate::Series`] on one input.
///
/// ```
/// use handcraft::{AttentionHead, Linear, ScalarBilinear, Sequence, Series};
///
/// handcraft::spaces! {
///     space X = x;
///     space Y = y;
///     space Residual = X | Y;
/// }
///
/// let mean = AttentionHead::<Residual>::new(
///     ScalarBilinear::<X, X>::zeros(),
///     Linear::<X, Y>::from_fn(|_, _| 1.0),
///     false,
/// );
/// let series = Series::new().then(mean.clone()).then(mean);
/// let input = Sequence::<Residual>::from_rows(&[[1.0, 0.0], [3.0, 0.0]])?;
/// let evaluation = series.evaluate(&input)?;
///
/// assert_eq!(evaluation.blocks().len(), 2);
/// assert_eq!(evaluation.blocks()[0].residual().matrix()[(0, 1)], 2.0);
/// assert_eq!(evaluation.output().matrix()[(0, 1)], 4.0);
/// assert_eq!(evaluation.blocks()[1].heads()[0].weights()[(0, 1)], 0.5);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Evaluation<R: Space> {
    input: Sequence<R>,
    blocks: Vec<BlockEvaluation<R>>,
}

/// The record of one block of a series: its output and the residual after adding it.
///
/// See [`Evaluation`] for an example.
pub struct BlockEvaluation<R: Space> {
    written: Written,
    residual: Sequence<R>,
    heads: Vec<HeadEvaluation<R>>,
}

/// The record of one attention head: its output, logits and attention weights.
///
/// Logits and weights are `[positions, positions]` with query positions on rows; a causal
/// head's masked logits are `-∞` and their weights 0.
///
/// See [`crate::AttentionHead::evaluate`] for an example.
pub struct HeadEvaluation<R: Space> {
    written: Written,
    logits: DMatrix<f64>,
    weights: DMatrix<f64>,
    residual: PhantomData<fn() -> R>,
}

impl<R: Space> Evaluation<R> {
    pub(crate) fn new(input: Sequence<R>, blocks: Vec<BlockEvaluation<R>>) -> Self {
        Evaluation { input, blocks }
    }

    /// Returns the input, projected onto the residual space.
    pub fn input(&self) -> &Sequence<R> {
        &self.input
    }

    /// Returns the residual after the last block, or the input when the series is empty.
    pub fn output(&self) -> &Sequence<R> {
        self.blocks
            .last()
            .map_or(&self.input, |block| &block.residual)
    }

    /// Returns the record of each block, in order.
    pub fn blocks(&self) -> &[BlockEvaluation<R>] {
        &self.blocks
    }

    /// Returns the output, consuming the record.
    pub fn into_output(self) -> Sequence<R> {
        match self.blocks.into_iter().last() {
            Some(block) => block.residual,
            None => self.input,
        }
    }
}

impl<R: Space> BlockEvaluation<R> {
    pub(crate) fn new(
        written: Written,
        residual: Sequence<R>,
        heads: Vec<HeadEvaluation<R>>,
    ) -> Self {
        BlockEvaluation {
            written,
            residual,
            heads,
        }
    }

    /// Returns what the block wrote (for attention, the sum of its heads' outputs), over the
    /// whole residual space.
    pub fn output(&self) -> Sequence<R> {
        to_sequence(&self.written)
    }

    /// Returns the residual after the block's output was added.
    pub fn residual(&self) -> &Sequence<R> {
        &self.residual
    }

    /// Returns the record of each head of an attention block; empty for an MLP.
    pub fn heads(&self) -> &[HeadEvaluation<R>] {
        &self.heads
    }
}

impl<R: Space> HeadEvaluation<R> {
    /// Wraps a run that recorded its logits and weights.
    pub(crate) fn from_run(run: HeadRun) -> Self {
        HeadEvaluation {
            written: run.output,
            logits: run.logits.unwrap_or_default(),
            weights: run.weights.unwrap_or_default(),
            residual: PhantomData,
        }
    }

    /// Returns the head's output over the whole residual space, non-zero only along its output
    /// space.
    pub fn output(&self) -> Sequence<R> {
        to_sequence(&self.written)
    }

    /// Returns the logits `Q · W_qk · Kᵀ` after the causal mask.
    pub fn logits(&self) -> &DMatrix<f64> {
        &self.logits
    }

    /// Returns the attention weights, the row-wise softmax of the logits.
    pub fn weights(&self) -> &DMatrix<f64> {
        &self.weights
    }
}

/// Returns written values as a sequence over `R`, zero in the columns not written.
pub(crate) fn to_sequence<R: Space>(written: &Written) -> Sequence<R> {
    let mut matrix = Sequence::<R>::zeros(written.positions()).into_matrix();
    // Every `Written` that reaches here passed `Written::check` or `Written::write_to`, so
    // copying its finite values cannot fail.
    let _ = written.write_to(matrix.as_mut_slice(), false);
    Sequence::from_matrix(matrix)
}

impl<R: Space> Clone for Evaluation<R> {
    fn clone(&self) -> Self {
        Evaluation {
            input: self.input.clone(),
            blocks: self.blocks.clone(),
        }
    }
}

impl<R: Space> Clone for BlockEvaluation<R> {
    fn clone(&self) -> Self {
        BlockEvaluation {
            written: self.written.clone(),
            residual: self.residual.clone(),
            heads: self.heads.clone(),
        }
    }
}

impl<R: Space> Clone for HeadEvaluation<R> {
    fn clone(&self) -> Self {
        HeadEvaluation {
            written: self.written.clone(),
            logits: self.logits.clone(),
            weights: self.weights.clone(),
            residual: PhantomData,
        }
    }
}

impl<R: Space> fmt::Debug for Evaluation<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Evaluation")
            .field("input", &self.input)
            .field("blocks", &self.blocks)
            .finish()
    }
}

impl<R: Space> fmt::Debug for BlockEvaluation<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockEvaluation")
            .field("output", &self.output())
            .field("residual", &self.residual)
            .field("heads", &self.heads)
            .finish()
    }
}

impl<R: Space> fmt::Debug for HeadEvaluation<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeadEvaluation")
            .field("output", &self.output())
            .field("logits", &self.logits)
            .field("weights", &self.weights)
            .finish()
    }
}
