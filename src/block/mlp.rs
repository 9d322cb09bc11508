//! Two-layer ReLU MLPs in a residual space `R`, with a hidden space `H` that the compiler
//! keeps apart from every other MLP's hidden space.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::check;
use crate::block::evaluate::to_sequence;
use crate::block::kernel::MlpKernel;
use crate::block::parts::MlpParts;
use crate::direction::BasisDirection;
use crate::error::Error;
use crate::linear::Linear;
use crate::space::{Disjoint, Space, Subspace};
use crate::vector::Sequence;

/// An MLP `relu(X|input · fst) · snd` in residual space `R`, with hidden units of type `H`.
///
/// `H` is a declared space for MLPs built with [`Mlp::new`], [`PrivateHidden`] for MLPs built
/// from parts sized at run time, a pair `(H1, H2)` for MLPs combined in parallel, and
/// [`ErasedHidden`] once the MLP is a [`crate::Block`].
///
/// ```
/// use handcraft::{Dir, Linear, Mlp, Sequence, Vector};
///
/// handcraft::spaces! {
///     space X = x;
///     space Y = y;
///     space Hidden = {positive, negative};
///     space Residual = X | Y;
/// }
///
/// // y = |x|, as relu(x) + relu(-x).
/// let fst = Linear::<X, Hidden>::from_fn(|_, h| {
///     if h.to_string() == "positive" { 1.0 } else { -1.0 }
/// });
/// let snd = Linear::<Hidden, Y>::from_fn(|_, _| 1.0);
/// let absolute = Mlp::<Residual, Hidden>::new(fst, snd);
///
/// let input = Sequence::<Residual>::from_rows(&[[-3.0, 0.0], [2.0, 0.0]])?;
/// let output = absolute.apply(&input)?.restrict::<Y>();
/// assert_eq!(output.matrix().as_slice(), [3.0, 2.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
///
/// # Disjoint hidden types
///
/// [`Mlp::combine_in_parallel`] requires the two hidden types to be [`Disjoint`]:
/// - two declared spaces are disjoint when [`crate::spaces!`] declared them in one block and
///   they share no direction;
/// - a pair `(A, B)`, the hidden type of a combination, is disjoint from `Y` when both `A` and
///   `B` are, and `Y` is disjoint from the pair when it is disjoint from both members;
/// - [`PrivateHidden`] is disjoint from every hidden type, itself included.
///
/// Spaces declared in different `spaces!` blocks are never disjoint, because the macro relates
/// only the spaces of one block; declare hidden spaces that are combined in one block.
///
/// A second layer that does not read the first layer's hidden space does not compile:
///
/// ```compile_fail,E0308
/// use handcraft::{Linear, Mlp};
///
/// handcraft::spaces! {
///     space X = x;
///     space Hidden = {h1, h2};
///     space Other = {g1, g2};
/// }
/// type Residual = X;
///
/// let mlp = Mlp::<Residual, _>::new(Linear::<X, Hidden>::zeros(), Linear::<Other, X>::zeros());
/// ```
pub struct Mlp<R: Space, H> {
    /// Shared, so cloning a series does not copy weights.
    compiled: Arc<(MlpParts, MlpKernel)>,
    spaces: PhantomData<fn() -> (R, H)>,
}

/// Hidden marker for MLPs whose hidden space is sized from data, such as the lookup-table
/// MLPs built from a user function: their hidden units are private to the MLP.
///
/// [`Disjoint`] is implemented between `PrivateHidden` and every hidden type, itself included, because
/// combining MLPs in parallel concatenates hidden units and never merges two of them, even
/// when they carry the same label.
///
/// ```
/// use handcraft::{Basis, BasisDirection, Mlp, PrivateHidden, Sequence};
/// use handcraft::block::MlpParts;
/// use handcraft::nalgebra::DMatrix;
///
/// handcraft::spaces! {
///     space Residual = {x, y};
/// }
///
/// let x = Basis::new([BasisDirection::new("x")])?;
/// let y = Basis::new([BasisDirection::new("y")])?;
/// let doubling = || Mlp::<Residual, PrivateHidden>::from_parts(MlpParts {
///     input: x.clone(),
///     hidden: vec![BasisDirection::with_value("hidden", 0)],
///     output: y.clone(),
///     fst: DMatrix::from_element(1, 1, 1.0),
///     snd: DMatrix::from_element(1, 1, 2.0),
/// });
/// // Both MLPs label their hidden unit `hidden:0`; the combination keeps both units.
/// let both = doubling()?.combine_in_parallel(doubling()?);
/// assert_eq!(both.parts().hidden.len(), 2);
///
/// let input = Sequence::<Residual>::from_rows(&[[1.5, 0.0]])?;
/// assert_eq!(both.apply(&input)?.matrix().as_slice(), [0.0, 6.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrivateHidden;

/// Hidden marker for an MLP whose hidden space type has been forgotten, as in a
/// [`crate::Block`]: its hidden units are kept, but it can no longer be combined in parallel.
///
/// ```
/// use handcraft::{Block, ErasedHidden, Linear, Mlp};
///
/// handcraft::spaces! {
///     space X = x;
///     space Hidden = h;
/// }
/// type Residual = X;
///
/// let mlp = Mlp::<Residual, Hidden>::new(Linear::<X, Hidden>::zeros(), Linear::<Hidden, X>::zeros());
/// let erased: Mlp<Residual, ErasedHidden> = mlp.erase_hidden();
/// assert!(matches!(Block::from(erased), Block::Mlp(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErasedHidden;

impl<R: Space, H> Mlp<R, H> {
    /// Creates an MLP from its two layers; they meet in the hidden space `H`, so layers with
    /// different hidden spaces do not compile.
    ///
    /// See [`Mlp`] for an example.
    pub fn new<I, O>(fst: Linear<I, H>, snd: Linear<H, O>) -> Self
    where
        I: Subspace<R>,
        O: Subspace<R>,
        H: Space,
    {
        Self::from_checked_parts(MlpParts {
            input: I::basis().clone(),
            hidden: H::basis().directions().to_vec(),
            output: O::basis().clone(),
            fst: fst.to_dmatrix(),
            snd: snd.to_dmatrix(),
        })
    }

    fn from_checked_parts(parts: MlpParts) -> Self {
        let kernel = MlpKernel::new(&parts, R::basis());
        Mlp {
            compiled: Arc::new((parts, kernel)),
            spaces: PhantomData,
        }
    }

    /// Combines two MLPs in parallel: one MLP whose output is the sum of both outputs.
    ///
    /// Hidden units are concatenated, never merged, and then ordered by label (a stable sort),
    /// so where all labels are distinct the hidden order and the matrices equal the
    /// reference's combination over the sorted union. The hidden spaces must be
    /// [`Disjoint`]: declared spaces that share a direction do not compile.
    ///
    /// ```
    /// use handcraft::{Linear, Mlp, Sequence};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    ///     space Y = y;
    ///     space First = {h1};
    ///     space Second = {h2};
    ///     space Residual = X | Y;
    /// }
    ///
    /// let first = Mlp::<Residual, First>::new(
    ///     Linear::<X, First>::from_fn(|_, _| 1.0),
    ///     Linear::<First, Y>::from_fn(|_, _| 1.0),
    /// );
    /// let second = Mlp::<Residual, Second>::new(
    ///     Linear::<X, Second>::from_fn(|_, _| 1.0),
    ///     Linear::<Second, Y>::from_fn(|_, _| 10.0),
    /// );
    /// let both: Mlp<Residual, (First, Second)> = first.combine_in_parallel(second);
    /// let input = Sequence::<Residual>::from_rows(&[[2.0, 0.0]])?;
    /// assert_eq!(both.apply(&input)?.matrix().as_slice(), [0.0, 22.0]);
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// Hidden spaces that share a direction do not compile:
    ///
    /// ```compile_fail,E0277
    /// use handcraft::{Linear, Mlp};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    ///     space Hidden = {h1, h2};
    /// }
    /// type Residual = X;
    ///
    /// let mlp = || Mlp::<Residual, Hidden>::new(Linear::<X, Hidden>::zeros(), Linear::<Hidden, X>::zeros());
    /// let _ = mlp().combine_in_parallel(mlp());
    /// ```
    pub fn combine_in_parallel<H2>(self, other: Mlp<R, H2>) -> Mlp<R, (H, H2)>
    where
        H: Disjoint<H2>,
    {
        Mlp::from_checked_parts(combine_parts(self.parts(), other.parts()))
    }

    /// Returns the MLP with its spaces erased to labelled bases.
    pub fn parts(&self) -> &MlpParts {
        &self.compiled.0
    }

    /// Forgets the hidden space type, keeping the hidden units.
    pub fn erase_hidden(self) -> Mlp<R, ErasedHidden> {
        Mlp {
            compiled: self.compiled,
            spaces: PhantomData,
        }
    }

    /// Returns the MLP's output on `input`, over the whole residual space and non-zero only
    /// along the output space; the input is not added.
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input;
    /// [`Error::Overflow`], [`Error::NonFiniteOutput`] when the weights make a value overflow.
    pub fn apply(&self, input: &Sequence<R>) -> Result<Sequence<R>, Error> {
        check::input(input)?;
        let written = self
            .kernel()
            .run(input.matrix().as_slice(), input.len())
            .and_then(|written| written.check().map(|()| written))
            .map_err(|failure| check::located::<R>(0, failure))?;
        Ok(to_sequence(&written))
    }

    /// Returns the hidden units before the ReLU, `X|input · fst`: `[positions, hidden]`, with
    /// columns in the order of [`MlpParts::hidden`].
    ///
    /// ```
    /// use handcraft::{Linear, Mlp, Sequence};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    ///     space Hidden = {h1, h2};
    /// }
    /// type Residual = X;
    ///
    /// let fst = Linear::<X, Hidden>::from_fn(|_, h| if h.index() == 0 { 1.0 } else { -1.0 });
    /// let mlp = Mlp::<Residual, Hidden>::new(fst, Linear::<Hidden, X>::zeros());
    /// let input = Sequence::<Residual>::from_rows(&[[3.0]])?;
    /// assert_eq!(mlp.preactivation(&input)?.as_slice(), [3.0, -3.0]);
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input.
    pub fn preactivation(&self, input: &Sequence<R>) -> Result<DMatrix<f64>, Error> {
        check::input(input)?;
        Ok(self
            .kernel()
            .preactivation(input.matrix().as_slice(), input.len()))
    }

    pub(crate) fn kernel(&self) -> &MlpKernel {
        &self.compiled.1
    }
}

impl<R: Space> Mlp<R, PrivateHidden> {
    /// Creates an MLP from parts whose hidden units are sized from data; see
    /// [`PrivateHidden`] for an example.
    ///
    /// # Errors
    /// [`Error::NotInResidual`] naming the first direction of the input or output space that
    /// `R` lacks; [`Error::MatrixShape`] when `fst` is not `[input, hidden]` or `snd` is not
    /// `[hidden, output]`; [`Error::NonFiniteWeight`] for a NaN or infinite weight.
    pub fn from_parts(parts: MlpParts) -> Result<Self, Error> {
        check::in_residual::<R>("MLP input", &parts.input)?;
        check::in_residual::<R>("MLP output", &parts.output)?;
        check::weights("fst", &parts.fst, parts.input.directions(), &parts.hidden)?;
        check::weights("snd", &parts.snd, &parts.hidden, parts.output.directions())?;
        Ok(Self::from_checked_parts(parts))
    }
}

/// Combines MLP parts in parallel: inputs and outputs join, hidden units concatenate and are
/// then stably sorted by label.
fn combine_parts(first: &MlpParts, second: &MlpParts) -> MlpParts {
    let input = Basis::join([&first.input, &second.input]);
    let output = Basis::join([&first.output, &second.output]);

    // (label, part, column of the part)
    let mut units: Vec<(&BasisDirection, &MlpParts, usize)> = Vec::new();
    for part in [first, second] {
        units.extend(
            part.hidden
                .iter()
                .enumerate()
                .map(|(i, label)| (label, part, i)),
        );
    }
    units.sort_by(|a, b| a.0.cmp(b.0));

    let mut fst = DMatrix::zeros(input.dim(), units.len());
    let mut snd = DMatrix::zeros(units.len(), output.dim());
    for (unit, &(_, part, column)) in units.iter().enumerate() {
        let rows = part.input.positions_in(&input);
        for (row, source) in rows.iter().enumerate() {
            if let Some(source) = source {
                fst[(row, unit)] = part.fst[(*source, column)];
            }
        }
        let columns = part.output.positions_in(&output);
        for (target, source) in columns.iter().enumerate() {
            if let Some(source) = source {
                snd[(unit, target)] = part.snd[(column, *source)];
            }
        }
    }

    MlpParts {
        input,
        hidden: units.iter().map(|unit| unit.0.clone()).collect(),
        output,
        fst,
        snd,
    }
}

// Disjointness of hidden types, as documented on `Mlp`. These impls dispatch on the left side
// first, and pairs and `PrivateHidden` are not `Space`s, so the impls for a declared space on
// the left cannot overlap the impls for a pair or `PrivateHidden` on the left.

impl<A, B, Y> Disjoint<Y> for (A, B)
where
    A: Disjoint<Y>,
    B: Disjoint<Y>,
{
}

impl<Y> Disjoint<Y> for PrivateHidden {}

impl<X, A, B> Disjoint<(A, B)> for X where X: Space + Disjoint<A> + Disjoint<B> {}

impl<X: Space> Disjoint<PrivateHidden> for X {}

impl<R: Space, H> Clone for Mlp<R, H> {
    fn clone(&self) -> Self {
        Mlp {
            compiled: Arc::clone(&self.compiled),
            spaces: PhantomData,
        }
    }
}

impl<R: Space, H> PartialEq for Mlp<R, H> {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl<R: Space, H> fmt::Debug for Mlp<R, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mlp<{}, {}> ", R::name(), std::any::type_name::<H>())?;
        fmt::Debug::fmt(self.parts(), f)
    }
}
