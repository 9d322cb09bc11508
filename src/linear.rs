//! Linear maps `Linear<In, Out>` between typed spaces, in the row-vector convention `y = x · M`.

use std::fmt;
use std::marker::PhantomData;

use nalgebra::{DMatrix, DMatrixView, DimName, MatrixView, RawStorage};

use crate::error::Error;
use crate::space::{positions, Dir, Space, Subspace};
use crate::vector::{Sequence, Vector};

/// A linear map from space `In` to space `Out`: a matrix `[In::DIM, Out::DIM]` whose row `i` is
/// the image of `In`'s `i`-th direction.
///
/// Its shape is static, but its entries live on the heap, so wide spaces are safe on small
/// stacks. Composition and application check the spaces at compile time.
///
/// ```
/// use handcraft::{Dir, Linear, Sequence, Vector};
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b", "c"};
///     space Shifted = shifted: {"a", "b", "c"};
/// }
///
/// // Send `tokens:a` to `shifted:b`, `tokens:b` to `shifted:c`, and `tokens:c` to zero.
/// let shift = Linear::<Tokens, Shifted>::from_action(|d| match d.value_str() {
///     Some("a") => Vector::unit(Dir::with_value("b").unwrap()),
///     Some("b") => Vector::unit(Dir::with_value("c").unwrap()),
///     _ => Vector::zeros(),
/// });
/// let input = Sequence::<Tokens>::one_hot(&[Dir::with_value("a")?, Dir::with_value("c")?]);
/// let output = shift.apply(&input);
/// assert_eq!(output.matrix().row(0).iter().copied().collect::<Vec<_>>(), [0.0, 1.0, 0.0]);
/// assert_eq!(output.matrix().row(1).iter().copied().collect::<Vec<_>>(), [0.0, 0.0, 0.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Linear<In: Space, Out: Space> {
    /// Column-major `[In::DIM, Out::DIM]`, as nalgebra stores matrices.
    entries: Vec<f64>,
    spaces: PhantomData<fn(In) -> Out>,
}

impl<In: Space, Out: Space> Linear<In, Out> {
    fn from_entries(entries: Vec<f64>) -> Self {
        debug_assert_eq!(entries.len(), In::DIM * Out::DIM);
        Linear {
            entries,
            spaces: PhantomData,
        }
    }

    /// Creates the zero map.
    pub fn zeros() -> Self {
        Self::from_entries(vec![0.0; In::DIM * Out::DIM])
    }

    /// Creates a map from a matrix of static shape `[In::DIM, Out::DIM]`; another shape does
    /// not compile.
    ///
    /// ```
    /// use handcraft::Linear;
    /// use handcraft::nalgebra::SMatrix;
    ///
    /// handcraft::spaces! {
    ///     space Tokens = tokens: {"a", "b"};
    ///     space One = one;
    /// }
    ///
    /// let sum = Linear::<Tokens, One>::from_matrix(&SMatrix::<f64, 2, 1>::new(1.0, 1.0));
    /// assert_eq!(sum.to_dmatrix()[(1, 0)], 1.0);
    /// ```
    pub fn from_matrix<S>(matrix: &nalgebra::Matrix<f64, In::Dim, Out::Dim, S>) -> Self
    where
        S: RawStorage<f64, In::Dim, Out::Dim>,
    {
        let mut entries = Vec::with_capacity(In::DIM * Out::DIM);
        for column in 0..Out::DIM {
            for row in 0..In::DIM {
                entries.push(matrix[(row, column)]);
            }
        }
        Self::from_entries(entries)
    }

    /// Creates a map whose entry for input direction `i` and output direction `o` is `f(i, o)`.
    pub fn from_fn(mut f: impl FnMut(Dir<In>, Dir<Out>) -> f64) -> Self {
        let mut entries = Vec::with_capacity(In::DIM * Out::DIM);
        for output in Dir::<Out>::all() {
            for input in Dir::<In>::all() {
                entries.push(f(input, output));
            }
        }
        Self::from_entries(entries)
    }

    /// Creates a map from the image of each input direction; an image is a vector of `Out`,
    /// so it cannot leave the output space.
    pub fn from_action(mut action: impl FnMut(Dir<In>) -> Vector<Out>) -> Self {
        let images: Vec<Vector<Out>> = Dir::<In>::all().map(&mut action).collect();
        Self::from_fn(|input, output| images[input.index()].get(output))
    }

    /// Creates a map that sends each input direction to one output direction, or to zero.
    ///
    /// # Errors
    /// Whatever error `action` returns, typically from [`Dir::with_value`] when the image of a
    /// direction is not in `Out`.
    pub fn try_from_direction_map(
        mut action: impl FnMut(Dir<In>) -> Result<Option<Dir<Out>>, Error>,
    ) -> Result<Self, Error> {
        let images = Dir::<In>::all()
            .map(&mut action)
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self::from_fn(|input, output| {
            if images[input.index()] == Some(output) {
                1.0
            } else {
                0.0
            }
        }))
    }

    /// Creates the projection from `In` to `Out`: 1 where an input direction equals an output
    /// direction, else 0. It is defined for any two spaces.
    pub fn project() -> Self {
        let table = positions::<In, Out>();
        let mut map = Self::zeros();
        for (column, row) in table.into_iter().enumerate() {
            if let Some(row) = row {
                map.entries[column * In::DIM + row] = 1.0;
            }
        }
        map
    }

    /// Returns a static-shape view of the matrix, `[In::DIM, Out::DIM]`.
    pub fn view(&self) -> MatrixView<'_, f64, In::Dim, Out::Dim> {
        MatrixView::from_slice_generic(&self.entries, In::Dim::name(), Out::Dim::name())
    }

    fn dynamic_view(&self) -> DMatrixView<'_, f64> {
        DMatrixView::from_slice(&self.entries, In::DIM, Out::DIM)
    }

    /// Returns a copy of the matrix with run-time shape.
    pub fn to_dmatrix(&self) -> DMatrix<f64> {
        DMatrix::from_column_slice(In::DIM, Out::DIM, &self.entries)
    }

    /// Returns the entry for input direction `input` and output direction `output`.
    pub fn get(&self, input: Dir<In>, output: Dir<Out>) -> f64 {
        self.entries[output.index() * In::DIM + input.index()]
    }

    /// Applies the map to every position of a sequence: `x · M`.
    pub fn apply(&self, input: &Sequence<In>) -> Sequence<Out> {
        Sequence::from_matrix(input.matrix() * self.view())
    }

    /// Applies the map to one vector.
    pub fn apply_vector(&self, input: &Vector<In>) -> Vector<Out> {
        let output = self.apply(input.as_sequence());
        Vector::from_fn(|d| output.get(0, d))
    }

    /// Returns the composition: first `self`, then `next`.
    ///
    /// ```compile_fail
    /// use handcraft::Linear;
    ///
    /// handcraft::spaces! {
    ///     space A = a: {1, 2};
    ///     space B = b: {1, 2};
    ///     space C = c: {1, 2};
    /// }
    ///
    /// // `A -> B` cannot be followed by `A -> C`.
    /// let _ = Linear::<A, B>::zeros().then(&Linear::<A, C>::zeros());
    /// ```
    pub fn then<Next: Space>(&self, next: &Linear<Out, Next>) -> Linear<In, Next> {
        // A static-shape product would live on the stack; multiply with run-time shapes instead.
        let product = self.dynamic_view() * next.dynamic_view();
        Linear::from_fn(|input, output| product[(input.index(), output.index())])
    }

    /// Combines maps in parallel into the joint spaces `In` and `Out`, with the reference's
    /// semantics: the image of each joint input direction is the sum of the parts' images of
    /// it, placed into `Out`, so parts that share an output direction add there.
    ///
    /// `In` and `Out` are named by the caller, and each part's spaces must be subspaces of them
    /// (checked at compile time). Directions of `In` that no part reads map to zero.
    ///
    /// ```
    /// use handcraft::{Dir, Linear, Vector};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    ///     space Y = y;
    ///     space Z = z;
    ///     space XY = X | Y;
    /// }
    ///
    /// let f = Linear::<X, Z>::from_fn(|_, _| 2.0);
    /// let g = Linear::<Y, Z>::from_fn(|_, _| 3.0);
    /// let joint = Linear::<XY, Z>::zeros().with_parallel(&f).with_parallel(&g);
    /// assert_eq!(joint.to_dmatrix().as_slice(), [2.0, 3.0]);
    /// ```
    pub fn with_parallel<PartIn, PartOut>(mut self, part: &Linear<PartIn, PartOut>) -> Self
    where
        PartIn: Subspace<In>,
        PartOut: Subspace<Out>,
    {
        let rows = positions::<In, PartIn>();
        let columns = positions::<Out, PartOut>();
        for (part_column, column) in columns.iter().enumerate() {
            for (part_row, row) in rows.iter().enumerate() {
                if let (Some(row), Some(column)) = (row, column) {
                    self.entries[column * In::DIM + row] +=
                        part.entries[part_column * PartIn::DIM + part_row];
                }
            }
        }
        self
    }

    /// Combines two maps in parallel; see [`Linear::with_parallel`].
    pub fn combine_in_parallel<In1, Out1, In2, Out2>(
        first: &Linear<In1, Out1>,
        second: &Linear<In2, Out2>,
    ) -> Self
    where
        In1: Subspace<In>,
        Out1: Subspace<Out>,
        In2: Subspace<In>,
        Out2: Subspace<Out>,
    {
        Self::zeros().with_parallel(first).with_parallel(second)
    }
}

impl<S: Space> Linear<S, S> {
    /// Creates the identity map of `S`.
    pub fn identity() -> Self {
        Self::project()
    }
}

impl<In: Space, Out: Space> Clone for Linear<In, Out> {
    fn clone(&self) -> Self {
        Self::from_entries(self.entries.clone())
    }
}

impl<In: Space, Out: Space> PartialEq for Linear<In, Out> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl<In: Space, Out: Space> fmt::Debug for Linear<In, Out> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Linear<{}, {}> ", In::name(), Out::name())?;
        fmt::Debug::fmt(&self.to_dmatrix(), f)
    }
}
