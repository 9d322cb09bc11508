//! A typed model: a residual series with its token, index and output spaces.

use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::assemble::error::AssembleError;
use crate::assemble::spaces::{ModelSpaces, OutputKind};
use crate::assemble::weights::DenseWeights;
use crate::basis::Basis;
use crate::block::{Evaluation, Series};
use crate::direction::BasisDirection;
use crate::space::{Dir, Numerical, Space, Subspace};
use crate::vector::Sequence;

/// A residual series in space `R` with the spaces that connect it to token ids: tokens (with a
/// BOS token), positions and output, each a subspace of `R` checked at compile time.
///
/// `R` is the residual stream of the dense model, so its sorted basis names the columns of
/// every weight. Token ids are positions in the sorted token space; the index space's
/// dimension is the maximum number of tokens after BOS. Every token embedding also sets the
/// direction `one` to 1 when `R` has it, or the direction of the space given to
/// [`ModelBuilder::one`].
///
/// ```
/// use handcraft::{AttentionHead, Dir, Linear, ScalarBilinear, Series};
/// use handcraft::assemble::Model;
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"BOS", "a", "b"};
///     space Indices = indices: 0..3;
///     space Out = out: {"a", "b"};
///     space Residual = Tokens | Indices | Out;
/// }
///
/// // Copy each position's own token to `out`.
/// let copy = AttentionHead::<Residual>::new(
///     ScalarBilinear::<Indices, Indices>::from_fn(|q, k| if q == k { 100.0 } else { 0.0 }),
///     Linear::<Tokens, Out>::from_fn(|t, o| if t.value() == o.value() { 1.0 } else { 0.0 }),
///     false,
/// );
/// let model = Model::builder(Series::new().then(copy))
///     .tokens::<Tokens>(Dir::with_value("BOS")?)
///     .indices::<Indices>()
///     .categorical_output::<Out>()
///     .build()?;
/// let weights = model.assemble()?;
/// assert_eq!(weights.shape().num_layers, 1);
/// assert_eq!(weights.spaces().vocabulary(), ["BOS", "a", "b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Model<R: Space> {
    series: Series<R>,
    spaces: ModelSpaces,
}

/// The first step of [`Model::builder`]: the token space is next.
#[derive(Debug)]
pub struct NeedsTokens<R: Space> {
    series: Series<R>,
}

/// The second step of [`Model::builder`]: the index space is next.
#[derive(Debug)]
pub struct NeedsIndices<R: Space> {
    series: Series<R>,
    tokens: Basis,
    bos: BasisDirection,
}

/// The third step of [`Model::builder`]: the output space is next.
#[derive(Debug)]
pub struct NeedsOutput<R: Space> {
    series: Series<R>,
    tokens: Basis,
    bos: BasisDirection,
    indices: Basis,
}

/// The last step of [`Model::builder`]: options, then [`ModelBuilder::build`].
#[derive(Debug)]
pub struct ModelBuilder<R: Space> {
    series: Series<R>,
    tokens: Basis,
    bos: BasisDirection,
    indices: Basis,
    output: Basis,
    output_kind: OutputKind,
    one: Option<Basis>,
    residual: PhantomData<fn() -> R>,
}

impl<R: Space> Model<R> {
    /// Starts declaring a model around `series`: call `tokens`, `indices`, an output method and
    /// `build`, in that order.
    pub fn builder(series: Series<R>) -> NeedsTokens<R> {
        NeedsTokens { series }
    }

    /// Returns the series.
    pub fn series(&self) -> &Series<R> {
        &self.series
    }

    /// Returns the interface: tokens, positions, output and `one` over `R`'s basis.
    pub fn spaces(&self) -> &ModelSpaces {
        &self.spaces
    }

    /// Assembles the series into dense weights.
    ///
    /// # Errors
    /// As [`DenseWeights::assemble`]; blocks built through the typed API always fit.
    pub fn assemble(&self) -> Result<DenseWeights, AssembleError> {
        DenseWeights::assemble(&self.series.parts(), self.spaces.clone())
    }

    /// Embeds token ids (BOS first) in `R`: each token's direction, `one`, and from the second
    /// position on the index direction of value `position - 1`.
    ///
    /// # Errors
    /// As [`ModelSpaces::embed`].
    pub fn embed(&self, ids: &[usize]) -> Result<Sequence<R>, AssembleError> {
        let rows = self.spaces.embed(ids)?;
        Ok(Sequence::from_matrix(nalgebra::OMatrix::from_fn_generic(
            nalgebra::Dyn(rows.nrows()),
            <R::Dim as nalgebra::DimName>::name(),
            |row, column| rows[(row, column)],
        )))
    }

    /// Evaluates the typed series on embedded token ids, recording every block.
    ///
    /// # Errors
    /// As [`Model::embed`]; [`AssembleError::Evaluate`] when the series fails on the input.
    pub fn evaluate(&self, ids: &[usize]) -> Result<Evaluation<R>, AssembleError> {
        let input = self.embed(ids)?;
        self.series
            .evaluate(&input)
            .map_err(AssembleError::Evaluate)
    }

    /// Returns the final residual of the typed series on embedded token ids, `[ids, R::DIM]`,
    /// through [`Series::apply`], the fast path of [`Series::evaluate`].
    ///
    /// # Errors
    /// As [`Model::evaluate`].
    pub fn final_residual(&self, ids: &[usize]) -> Result<DMatrix<f64>, AssembleError> {
        let input = self.embed(ids)?;
        let output = self.series.apply(&input).map_err(AssembleError::Evaluate)?;
        let matrix = output.matrix();
        Ok(DMatrix::from_column_slice(
            matrix.nrows(),
            matrix.ncols(),
            matrix.as_slice(),
        ))
    }
}

impl<R: Space> NeedsTokens<R> {
    /// Declares the token space and its BOS token; token ids are positions in `T`'s sorted
    /// basis.
    pub fn tokens<T: Subspace<R>>(self, bos: Dir<T>) -> NeedsIndices<R> {
        NeedsIndices {
            series: self.series,
            tokens: T::basis().clone(),
            bos: bos.direction().clone(),
        }
    }
}

impl<R: Space> NeedsIndices<R> {
    /// Declares the index space, `name: 0..max_seq_len`; position `p ≥ 1` of an input
    /// embeds the index of value `p - 1`, and BOS at position 0 embeds none.
    pub fn indices<I: Subspace<R>>(self) -> NeedsOutput<R> {
        NeedsOutput {
            series: self.series,
            tokens: self.tokens,
            bos: self.bos,
            indices: I::basis().clone(),
        }
    }
}

impl<R: Space> NeedsOutput<R> {
    /// Declares a categorical output: the decoded output is the value of the output direction
    /// with the largest magnitude.
    pub fn categorical_output<O: Subspace<R>>(self) -> ModelBuilder<R> {
        self.output(O::basis().clone(), OutputKind::Categorical)
    }

    /// Declares a numerical output: the decoded output is the magnitude of its one direction.
    pub fn numerical_output<O: Subspace<R> + Numerical>(self) -> ModelBuilder<R> {
        self.output(O::basis().clone(), OutputKind::Numerical)
    }

    fn output(self, output: Basis, output_kind: OutputKind) -> ModelBuilder<R> {
        ModelBuilder {
            series: self.series,
            tokens: self.tokens,
            bos: self.bos,
            indices: self.indices,
            output,
            output_kind,
            one: None,
            residual: PhantomData,
        }
    }
}

impl<R: Space> ModelBuilder<R> {
    /// Chooses the one-direction space that every token embedding sets to 1, in place of the
    /// direction `one` of `R`.
    pub fn one<O: Subspace<R>>(mut self) -> Self {
        self.one = Some(O::basis().clone());
        self
    }

    /// Checks the declaration and returns the model.
    ///
    /// # Errors
    /// [`AssembleError::OneNotSingleDirection`] when the space given to
    /// [`ModelBuilder::one`] is not one direction; as [`ModelSpaces::new`].
    pub fn build(self) -> Result<Model<R>, AssembleError> {
        let one = match self.one {
            Some(space) if space.dim() == 1 => Some(space.directions()[0].clone()),
            Some(space) => return Err(AssembleError::OneNotSingleDirection { dim: space.dim() }),
            None => {
                let one = BasisDirection::new("one");
                R::basis().contains(&one).then_some(one)
            }
        };
        let spaces = ModelSpaces::new(
            R::basis().clone(),
            self.tokens,
            &self.bos,
            self.indices,
            self.output,
            self.output_kind,
            one,
        )?;
        Ok(Model {
            series: self.series,
            spaces,
        })
    }
}
