//! Blocks in series with residual connections: `X += block(X)` for each block in turn.

use std::fmt;

use crate::block::check;
use crate::block::evaluate::{BlockEvaluation, Evaluation, HeadEvaluation};
use crate::block::head::AttentionHead;
use crate::block::kernel::{Failure, HeadRun, Written};
use crate::block::mlp::{ErasedHidden, Mlp, PrivateHidden};
use crate::block::multi::MultiAttentionHead;
use crate::block::parts::BlockParts;
use crate::error::Error;
use crate::space::Space;
use crate::vector::Sequence;

/// One block of a residual series: an attention layer or an MLP, in residual space `R`.
///
/// ```
/// use handcraft::{Block, Linear, Mlp};
/// use handcraft::block::BlockParts;
///
/// handcraft::spaces! {
///     space X = x;
///     space Hidden = h;
/// }
/// type Residual = X;
///
/// let mlp = Mlp::<Residual, Hidden>::new(Linear::<X, Hidden>::zeros(), Linear::<Hidden, X>::zeros());
/// let block = Block::from(mlp);
/// assert!(matches!(block.parts(), BlockParts::Mlp(_)));
/// ```
pub enum Block<R: Space> {
    /// An attention layer of one or more heads whose outputs add.
    Attention(MultiAttentionHead<R>),
    /// An MLP layer.
    Mlp(Mlp<R, ErasedHidden>),
}

impl<R: Space> Block<R> {
    /// Returns the block with its spaces erased to labelled bases.
    pub fn parts(&self) -> BlockParts {
        match self {
            Block::Attention(layer) => {
                BlockParts::Attention(layer.heads().iter().map(|h| h.parts().clone()).collect())
            }
            Block::Mlp(mlp) => BlockParts::Mlp(mlp.parts().clone()),
        }
    }

    /// Creates a block from parts whose spaces are known only at run time.
    ///
    /// ```
    /// use handcraft::{Basis, BasisDirection, Block};
    /// use handcraft::block::{BlockParts, MlpParts};
    /// use handcraft::nalgebra::DMatrix;
    ///
    /// handcraft::spaces! {
    ///     space Residual = {x, y};
    /// }
    ///
    /// let parts = BlockParts::Mlp(MlpParts {
    ///     input: Basis::new([BasisDirection::new("x")])?,
    ///     hidden: vec![BasisDirection::new("h")],
    ///     output: Basis::new([BasisDirection::new("y")])?,
    ///     fst: DMatrix::from_element(1, 1, 1.0),
    ///     snd: DMatrix::from_element(1, 1, 1.0),
    /// });
    /// let block = Block::<Residual>::from_parts(parts.clone())?;
    /// assert_eq!(block.parts(), parts);
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`AttentionHead::from_parts`] and [`Mlp::from_parts`].
    pub fn from_parts(parts: BlockParts) -> Result<Self, Error> {
        match parts {
            BlockParts::Attention(heads) => Ok(Block::Attention(
                heads
                    .into_iter()
                    .map(AttentionHead::from_parts)
                    .collect::<Result<_, _>>()?,
            )),
            BlockParts::Mlp(parts) => Ok(Block::Mlp(
                Mlp::<R, PrivateHidden>::from_parts(parts)?.erase_hidden(),
            )),
        }
    }

    /// Returns the block's output on `input`; the input is not added.
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input;
    /// [`Error::Overflow`], [`Error::NonFiniteOutput`] when the weights make a value overflow.
    pub fn apply(&self, input: &Sequence<R>) -> Result<Sequence<R>, Error> {
        match self {
            Block::Attention(layer) => layer.apply(input),
            Block::Mlp(mlp) => mlp.apply(input),
        }
    }
}

impl<R: Space> From<AttentionHead<R>> for Block<R> {
    fn from(head: AttentionHead<R>) -> Self {
        Block::Attention(head.into())
    }
}

impl<R: Space> From<MultiAttentionHead<R>> for Block<R> {
    fn from(layer: MultiAttentionHead<R>) -> Self {
        Block::Attention(layer)
    }
}

impl<R: Space, H> From<Mlp<R, H>> for Block<R> {
    fn from(mlp: Mlp<R, H>) -> Self {
        Block::Mlp(mlp.erase_hidden())
    }
}

/// Anything that [`Series::then`] appends: a block, a head, a multi-head, an MLP, or a whole
/// series, all in residual space `R`.
///
/// ```
/// use handcraft::block::IntoBlocks;
/// use handcraft::{AttentionHead, Linear, ScalarBilinear, Series};
///
/// handcraft::spaces! {
///     space X = x;
/// }
/// type Residual = X;
///
/// let head = AttentionHead::<Residual>::new(
///     ScalarBilinear::<X, X>::zeros(),
///     Linear::<X, X>::zeros(),
///     false,
/// );
/// let two_layers = Series::new().then(head.clone()).then(head.clone());
/// assert_eq!(head.into_blocks().len(), 1);
/// assert_eq!(two_layers.into_blocks().len(), 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be appended to a `Series<{R}>`",
    label = "not a block in residual space `{R}`",
    note = "a series appends heads, multi-heads, MLPs, blocks and series built over its own residual space `{R}`"
)]
pub trait IntoBlocks<R: Space> {
    /// Returns the blocks, in order.
    fn into_blocks(self) -> Vec<Block<R>>;
}

impl<R: Space> IntoBlocks<R> for Block<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        vec![self]
    }
}

impl<R: Space> IntoBlocks<R> for AttentionHead<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        vec![self.into()]
    }
}

impl<R: Space> IntoBlocks<R> for MultiAttentionHead<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        vec![self.into()]
    }
}

impl<R: Space, H> IntoBlocks<R> for Mlp<R, H> {
    fn into_blocks(self) -> Vec<Block<R>> {
        vec![self.into()]
    }
}

impl<R: Space> IntoBlocks<R> for Series<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        self.blocks
    }
}

/// Blocks applied in turn with residual connections, all in residual space `R`.
///
/// Evaluation follows the reference: `X += block(X)` for each block, where every block reads
/// the residual as it is before the block.
///
/// ```
/// use handcraft::{Linear, Mlp, Sequence, Series};
///
/// handcraft::spaces! {
///     space X = x;
///     space Hidden = h;
/// }
/// type Residual = X;
///
/// // Each block adds relu(x) to x, so positive inputs double.
/// let double = || Mlp::<Residual, Hidden>::new(
///     Linear::<X, Hidden>::from_fn(|_, _| 1.0),
///     Linear::<Hidden, X>::from_fn(|_, _| 1.0),
/// );
/// let series = Series::new().then(double()).then(Series::new().then(double()));
/// assert_eq!(series.blocks().len(), 2);
///
/// let input = Sequence::<Residual>::from_rows(&[[1.5], [-1.0]])?;
/// let output = series.apply(&input)?;
/// assert_eq!(output.matrix().as_slice(), [6.0, -1.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Series<R: Space> {
    blocks: Vec<Block<R>>,
}

impl<R: Space> Series<R> {
    /// Creates an empty series, whose output is its input.
    pub fn new() -> Self {
        Series { blocks: Vec::new() }
    }

    /// Appends a block, or every block of another series.
    ///
    /// See [`Series`] for an example.
    pub fn then(mut self, blocks: impl IntoBlocks<R>) -> Self {
        self.blocks.extend(blocks.into_blocks());
        self
    }

    /// Returns the blocks in order.
    pub fn blocks(&self) -> &[Block<R>] {
        &self.blocks
    }

    /// Returns the number of blocks.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Returns whether the series has no block.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Returns the blocks with their spaces erased to labelled bases, the form that assembly
    /// reads.
    ///
    /// ```
    /// use handcraft::block::BlockParts;
    /// use handcraft::{Linear, Mlp, Series};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    ///     space Hidden = {h1, h2};
    /// }
    /// type Residual = X;
    ///
    /// let mlp = Mlp::<Residual, Hidden>::new(Linear::<X, Hidden>::zeros(), Linear::<Hidden, X>::zeros());
    /// let parts = Series::new().then(mlp).parts();
    /// let BlockParts::Mlp(mlp) = &parts[0] else { unreachable!() };
    /// assert_eq!(mlp.hidden.len(), 2);
    /// assert_eq!(mlp.input.labels(), ["x"]);
    /// ```
    pub fn parts(&self) -> Vec<BlockParts> {
        self.blocks.iter().map(Block::parts).collect()
    }

    /// Returns the residual after the last block, recording nothing on the way; the fast
    /// path of [`Series::evaluate`], with the same result.
    ///
    /// See [`Series`] for an example.
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input;
    /// [`Error::Overflow`], [`Error::NonFiniteOutput`] naming the block in which a value
    /// overflowed.
    pub fn apply(&self, input: &Sequence<R>) -> Result<Sequence<R>, Error> {
        check::input(input)?;
        let positions = input.len();
        let mut residual = input.matrix().clone();
        for (index, block) in self.blocks.iter().enumerate() {
            let (written, _) = run(block, residual.as_slice(), positions, false)
                .map_err(|failure| check::located::<R>(index, failure))?;
            written
                .write_to(residual.as_mut_slice(), true)
                .map_err(|failure| check::located::<R>(index, failure))?;
        }
        Ok(Sequence::from_matrix(residual))
    }

    /// Evaluates the series on `input`, recording the residual after each block, each
    /// block's output, and each head's logits and attention weights.
    ///
    /// See [`Evaluation`] for an example.
    ///
    /// # Errors
    /// As [`Series::apply`].
    pub fn evaluate(&self, input: &Sequence<R>) -> Result<Evaluation<R>, Error> {
        check::input(input)?;
        let positions = input.len();
        let mut blocks: Vec<BlockEvaluation<R>> = Vec::with_capacity(self.blocks.len());

        for (index, block) in self.blocks.iter().enumerate() {
            let located = |failure| check::located::<R>(index, failure);
            let current = blocks.last().map_or(input, BlockEvaluation::residual);
            let (written, runs) =
                run(block, current.matrix().as_slice(), positions, true).map_err(located)?;
            let mut residual = current.matrix().clone();
            written
                .write_to(residual.as_mut_slice(), true)
                .map_err(located)?;

            let heads = runs.into_iter().map(HeadEvaluation::from_run).collect();
            blocks.push(BlockEvaluation::new(
                written,
                Sequence::from_matrix(residual),
                heads,
            ));
        }
        Ok(Evaluation::new(input.clone(), blocks))
    }

    /// Evaluates the series on a sequence of any space, projected onto `R` first as the
    /// reference does: directions `R` lacks are dropped, directions the input lacks are 0.
    ///
    /// ```
    /// use handcraft::{Sequence, Series};
    ///
    /// handcraft::spaces! {
    ///     space Wide = {x, y, z};
    ///     space Residual = {x, w};
    /// }
    ///
    /// let input = Sequence::<Wide>::from_rows(&[[1.0, 2.0, 3.0]])?;
    /// let evaluation = Series::<Residual>::new().evaluate_projected(&input)?;
    /// // `Residual` is sorted as `w, x`: `w` is padded with 0, `y` and `z` are dropped.
    /// assert_eq!(evaluation.output().matrix().as_slice(), [0.0, 1.0]);
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Series::apply`]; a non-finite entry is reported in the input's own space, even in
    /// a direction that projection would drop.
    pub fn evaluate_projected<X: Space>(
        &self,
        input: &Sequence<X>,
    ) -> Result<Evaluation<R>, Error> {
        check::input(input)?;
        self.evaluate(&input.project())
    }
}

/// Evaluates one block on a residual of `positions` rows: what it writes, and for attention
/// each head's run.
fn run<R: Space>(
    block: &Block<R>,
    residual: &[f64],
    positions: usize,
    record: bool,
) -> Result<(Written, Vec<HeadRun>), Failure> {
    match block {
        Block::Attention(layer) => layer.run(residual, positions, record),
        Block::Mlp(mlp) => Ok((mlp.kernel().run(residual, positions)?, Vec::new())),
    }
}

impl<R: Space> Default for Series<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Space> FromIterator<Block<R>> for Series<R> {
    fn from_iter<I: IntoIterator<Item = Block<R>>>(blocks: I) -> Self {
        Series {
            blocks: blocks.into_iter().collect(),
        }
    }
}

impl<R: Space> Clone for Block<R> {
    fn clone(&self) -> Self {
        match self {
            Block::Attention(layer) => Block::Attention(layer.clone()),
            Block::Mlp(mlp) => Block::Mlp(mlp.clone()),
        }
    }
}

impl<R: Space> PartialEq for Block<R> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Block::Attention(a), Block::Attention(b)) => a == b,
            (Block::Mlp(a), Block::Mlp(b)) => a == b,
            _ => false,
        }
    }
}

impl<R: Space> fmt::Debug for Block<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::Attention(layer) => fmt::Debug::fmt(layer, f),
            Block::Mlp(mlp) => fmt::Debug::fmt(mlp, f),
        }
    }
}

impl<R: Space> Clone for Series<R> {
    fn clone(&self) -> Self {
        Series {
            blocks: self.blocks.clone(),
        }
    }
}

impl<R: Space> PartialEq for Series<R> {
    fn eq(&self, other: &Self) -> bool {
        self.blocks == other.blocks
    }
}

impl<R: Space> fmt::Debug for Series<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Series<{}> ", R::name())?;
        f.debug_list().entries(&self.blocks).finish()
    }
}
