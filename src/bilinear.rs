//! Scalar bilinear forms `ScalarBilinear<Left, Right>`: the query-key part of attention.

use std::fmt;
use std::marker::PhantomData;

use nalgebra::{DMatrix, DimName, MatrixView, RawStorage};

use crate::space::{Dir, Space};
use crate::vector::Vector;

/// A bilinear form on spaces `Left` and `Right` with matrix `W` `[Left::DIM, Right::DIM]`; its
/// value on `(x, y)` is `x · W · yᵀ`.
///
/// ```
/// use handcraft::{Dir, ScalarBilinear, Vector};
///
/// handcraft::spaces! {
///     space Query = query: {1, 2};
///     space Key = key: {1, 2};
/// }
///
/// // Attend where the query's value equals the key's value.
/// let same = ScalarBilinear::<Query, Key>::from_fn(|q, k| {
///     if q.value_i64() == k.value_i64() { 1.0 } else { 0.0 }
/// });
/// let q = Vector::unit(Dir::<Query>::with_value(2)?);
/// let k = Vector::unit(Dir::<Key>::with_value(2)?);
/// assert_eq!(same.evaluate(&q, &k), 1.0);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct ScalarBilinear<Left: Space, Right: Space> {
    /// Column-major `[Left::DIM, Right::DIM]`.
    entries: Vec<f64>,
    spaces: PhantomData<fn(Left, Right)>,
}

impl<Left: Space, Right: Space> ScalarBilinear<Left, Right> {
    /// Creates the zero form.
    pub fn zeros() -> Self {
        ScalarBilinear {
            entries: vec![0.0; Left::DIM * Right::DIM],
            spaces: PhantomData,
        }
    }

    /// Creates a form from a matrix of static shape `[Left::DIM, Right::DIM]`; another shape
    /// does not compile.
    pub fn from_matrix<S>(matrix: &nalgebra::Matrix<f64, Left::Dim, Right::Dim, S>) -> Self
    where
        S: RawStorage<f64, Left::Dim, Right::Dim>,
    {
        Self::from_fn(|left, right| matrix[(left.index(), right.index())])
    }

    /// Creates a form whose entry for `(left, right)` is `f(left, right)`.
    pub fn from_fn(mut f: impl FnMut(Dir<Left>, Dir<Right>) -> f64) -> Self {
        let mut entries = Vec::with_capacity(Left::DIM * Right::DIM);
        for right in Dir::<Right>::all() {
            for left in Dir::<Left>::all() {
                entries.push(f(left, right));
            }
        }
        ScalarBilinear {
            entries,
            spaces: PhantomData,
        }
    }

    /// Returns a static-shape view of the matrix.
    pub fn view(&self) -> MatrixView<'_, f64, Left::Dim, Right::Dim> {
        MatrixView::from_slice_generic(&self.entries, Left::Dim::name(), Right::Dim::name())
    }

    /// Returns a copy of the matrix with run-time shape.
    pub fn to_dmatrix(&self) -> DMatrix<f64> {
        DMatrix::from_column_slice(Left::DIM, Right::DIM, &self.entries)
    }

    /// Returns the entry for `(left, right)`.
    pub fn get(&self, left: Dir<Left>, right: Dir<Right>) -> f64 {
        self.entries[right.index() * Left::DIM + left.index()]
    }

    /// Returns `x · W · yᵀ`.
    pub fn evaluate(&self, x: &Vector<Left>, y: &Vector<Right>) -> f64 {
        let xw = x.as_sequence().matrix() * self.view();
        let product = xw * y.as_sequence().matrix().transpose();
        product[(0, 0)]
    }
}

impl<Left: Space, Right: Space> Clone for ScalarBilinear<Left, Right> {
    fn clone(&self) -> Self {
        ScalarBilinear {
            entries: self.entries.clone(),
            spaces: PhantomData,
        }
    }
}

impl<Left: Space, Right: Space> PartialEq for ScalarBilinear<Left, Right> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl<Left: Space, Right: Space> fmt::Debug for ScalarBilinear<Left, Right> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScalarBilinear<{}, {}> ", Left::name(), Right::name())?;
        fmt::Debug::fmt(&self.to_dmatrix(), f)
    }
}
