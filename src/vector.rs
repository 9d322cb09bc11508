//! Typed vectors and sequences of vectors: magnitudes along the directions of one space.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

use generic_array::GenericArray;
use nalgebra::{DimName, Dyn, OMatrix};

use crate::basis::Basis;
use crate::error::Error;
use crate::space::{positions, Dir, Space, Subspace, TypenumDim};

/// A sequence of vectors in space `S`: one row per position, one column per direction.
///
/// The sequence length is the only run-time dimension; the width is `S::Dim`. The matrix lives
/// on the heap, so wide spaces do not strain the stack.
///
/// ```
/// use handcraft::{Dir, Sequence};
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b"};
///     space One = one;
///     space Residual = Tokens | One;
/// }
///
/// let b = Dir::<Tokens>::with_value("b")?;
/// let tokens = Sequence::<Tokens>::one_hot(&[b, b]);
/// let residual = tokens.embed::<Residual>();
/// assert_eq!(residual.len(), 2);
/// assert_eq!(residual.matrix()[(1, 2)], 1.0); // column 2 is `tokens:b`
/// assert_eq!(residual.project::<Tokens>(), tokens);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Sequence<S: Space> {
    matrix: OMatrix<f64, Dyn, S::Dim>,
    space: PhantomData<fn() -> S>,
}

/// One vector in space `S`.
///
/// ```
/// use handcraft::{Dir, Vector};
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b"};
/// }
///
/// let a = Vector::<Tokens>::unit(Dir::with_value("a")?);
/// let b = Vector::<Tokens>::unit(Dir::with_value("b")?);
/// let sum = &a + &(&b * 2.0);
/// assert_eq!(sum.as_slice(), [1.0, 2.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Vector<S: Space> {
    sequence: Sequence<S>,
}

impl<S: Space> Sequence<S> {
    /// Wraps a matrix whose columns follow `S`'s sorted basis.
    pub fn from_matrix(matrix: OMatrix<f64, Dyn, S::Dim>) -> Self {
        Sequence {
            matrix,
            space: PhantomData,
        }
    }

    /// Creates `len` zero vectors.
    pub fn zeros(len: usize) -> Self {
        Self::from_matrix(OMatrix::zeros_generic(Dyn(len), S::Dim::name()))
    }

    /// Creates a sequence whose entry at `(position, direction)` is `f(position, direction)`.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize, Dir<S>) -> f64) -> Self {
        let directions: Vec<Dir<S>> = Dir::all().collect();
        Self::from_matrix(OMatrix::from_fn_generic(
            Dyn(len),
            S::Dim::name(),
            |row, column| f(row, directions[column]),
        ))
    }

    /// Creates one row per position, each with 1 on the given direction.
    pub fn one_hot(directions: &[Dir<S>]) -> Self {
        Self::from_fn(directions.len(), |row, d| {
            if directions[row] == d {
                1.0
            } else {
                0.0
            }
        })
    }

    /// Creates a sequence from rows of magnitudes in `S`'s basis order.
    ///
    /// # Errors
    /// [`Error::RowLength`] naming the first row whose length is not `S::DIM`.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self, Error> {
        for (position, row) in rows.iter().enumerate() {
            if row.as_ref().len() != S::DIM {
                return Err(Error::RowLength {
                    position,
                    found: row.as_ref().len(),
                    expected: S::DIM,
                    space: S::name().to_owned(),
                });
            }
        }
        Ok(Self::from_matrix(OMatrix::from_fn_generic(
            Dyn(rows.len()),
            S::Dim::name(),
            |row, column| rows[row].as_ref()[column],
        )))
    }

    /// Creates a sequence from rows over another basis, projecting each row onto `S`:
    /// directions `S` lacks are dropped and directions the basis lacks are zero.
    ///
    /// # Errors
    /// [`Error::RowLength`] when a row's length is not `basis.dim()`.
    pub fn from_rows_in_basis<R: AsRef<[f64]>>(basis: &Basis, rows: &[R]) -> Result<Self, Error> {
        for (position, row) in rows.iter().enumerate() {
            if row.as_ref().len() != basis.dim() {
                return Err(Error::RowLength {
                    position,
                    found: row.as_ref().len(),
                    expected: basis.dim(),
                    space: basis.to_string(),
                });
            }
        }
        let table = basis.positions_in(S::basis());
        Ok(Self::from_matrix(OMatrix::from_fn_generic(
            Dyn(rows.len()),
            S::Dim::name(),
            |row, column| table[column].map_or(0.0, |source| rows[row].as_ref()[source]),
        )))
    }

    /// Returns the number of positions.
    pub fn len(&self) -> usize {
        self.matrix.nrows()
    }

    /// Returns whether the sequence has no position.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the matrix, one row per position, columns in `S`'s basis order.
    pub fn matrix(&self) -> &OMatrix<f64, Dyn, S::Dim> {
        &self.matrix
    }

    /// Returns the matrix, consuming the sequence.
    pub fn into_matrix(self) -> OMatrix<f64, Dyn, S::Dim> {
        self.matrix
    }

    /// Returns the magnitude at `position` along `direction`.
    ///
    /// # Panics
    /// When `position` is not below [`Sequence::len`].
    pub fn get(&self, position: usize, direction: Dir<S>) -> f64 {
        self.matrix[(position, direction.index())]
    }

    /// Returns the vector at `position`, if there is one.
    pub fn row(&self, position: usize) -> Option<Vector<S>> {
        (position < self.len()).then(|| {
            Vector::from_sequence(Self::from_matrix(
                self.matrix.rows(position, 1).into_owned(),
            ))
        })
    }

    /// Projects onto any space `T`: directions of `T` that `S` lacks are zero, directions of
    /// `S` that `T` lacks are dropped. No arithmetic happens, so the result is exact.
    pub fn project<T: Space>(&self) -> Sequence<T> {
        let table = positions::<S, T>();
        Sequence::from_matrix(OMatrix::from_fn_generic(
            Dyn(self.len()),
            T::Dim::name(),
            |row, column| table[column].map_or(0.0, |source| self.matrix[(row, source)]),
        ))
    }

    /// Embeds into a space that contains `S`; checked at compile time.
    pub fn embed<T: Space>(&self) -> Sequence<T>
    where
        S: Subspace<T>,
    {
        self.project()
    }

    /// Restricts to a subspace of `S`; checked at compile time.
    pub fn restrict<T: Subspace<S>>(&self) -> Sequence<T> {
        self.project()
    }

    /// Checks that every entry is finite.
    ///
    /// # Errors
    /// [`Error::EmptySequence`] for a sequence with no position, [`Error::NonFiniteInput`]
    /// naming the first NaN or infinite entry.
    pub fn check_finite(&self) -> Result<(), Error> {
        if self.is_empty() {
            return Err(Error::EmptySequence);
        }
        for position in 0..self.len() {
            for (column, direction) in S::basis().iter().enumerate() {
                let value = self.matrix[(position, column)];
                if !value.is_finite() {
                    return Err(Error::NonFiniteInput {
                        position,
                        direction: direction.to_string(),
                        value,
                    });
                }
            }
        }
        Ok(())
    }
}

impl<S: Space> Vector<S> {
    fn from_sequence(sequence: Sequence<S>) -> Self {
        debug_assert_eq!(sequence.len(), 1);
        Vector { sequence }
    }

    /// Creates the zero vector.
    pub fn zeros() -> Self {
        Self::from_sequence(Sequence::zeros(1))
    }

    /// Creates the vector with 1 along `direction` and 0 elsewhere.
    pub fn unit(direction: Dir<S>) -> Self {
        Self::from_sequence(Sequence::one_hot(&[direction]))
    }

    /// Creates a vector whose magnitude along each direction is `f(direction)`.
    pub fn from_fn(mut f: impl FnMut(Dir<S>) -> f64) -> Self {
        Self::from_sequence(Sequence::from_fn(1, |_, d| f(d)))
    }

    /// Creates a vector from magnitudes in basis order; the length is checked at compile time.
    ///
    /// ```
    /// use handcraft::Vector;
    /// use handcraft::generic_array::GenericArray;
    ///
    /// handcraft::spaces! {
    ///     space Tokens = tokens: {"a", "b", "c"};
    /// }
    ///
    /// let v = Vector::<Tokens>::from_array(GenericArray::from_array([1.0, 2.0, 3.0]));
    /// assert_eq!(v.as_slice(), [1.0, 2.0, 3.0]);
    /// ```
    pub fn from_array(magnitudes: GenericArray<f64, S::TDim>) -> Self
    where
        S: TypenumDim,
    {
        Self::from_fn(|d| magnitudes[d.index()])
    }

    /// Creates a vector from magnitudes in basis order.
    ///
    /// # Errors
    /// [`Error::RowLength`] when the slice's length is not `S::DIM`.
    pub fn from_slice(magnitudes: &[f64]) -> Result<Self, Error> {
        Sequence::from_rows(&[magnitudes]).map(Self::from_sequence)
    }

    /// Returns the magnitudes in basis order.
    pub fn as_slice(&self) -> &[f64] {
        self.sequence.matrix.as_slice()
    }

    /// Returns the magnitude along `direction`.
    pub fn get(&self, direction: Dir<S>) -> f64 {
        self.sequence.get(0, direction)
    }

    /// Returns the vector as a one-position sequence.
    pub fn as_sequence(&self) -> &Sequence<S> {
        &self.sequence
    }

    /// Projects onto any space `T`, as [`Sequence::project`].
    pub fn project<T: Space>(&self) -> Vector<T> {
        Vector::from_sequence(self.sequence.project())
    }

    /// Embeds into a space that contains `S`; checked at compile time.
    pub fn embed<T: Space>(&self) -> Vector<T>
    where
        S: Subspace<T>,
    {
        self.project()
    }

    /// Restricts to a subspace of `S`; checked at compile time.
    pub fn restrict<T: Subspace<S>>(&self) -> Vector<T> {
        self.project()
    }
}

/// Implements the arithmetic of one space for `Sequence` and `Vector`, by value and by
/// reference, as a table of operator traits.
macro_rules! impl_arithmetic {
    ($($wrapper:ident),*) => {$(
        paste::paste! {
            impl_arithmetic!(@binary $wrapper, Add, add, +);
            impl_arithmetic!(@binary $wrapper, Sub, sub, -);
            impl_arithmetic!(@assign $wrapper, AddAssign, add_assign, +=);
            impl_arithmetic!(@assign $wrapper, SubAssign, sub_assign, -=);

            impl<S: Space> Neg for &$wrapper<S> {
                type Output = $wrapper<S>;
                fn neg(self) -> $wrapper<S> {
                    $wrapper::[<from_ $wrapper:lower _matrix>](-self.[<$wrapper:lower _matrix>]())
                }
            }

            impl<S: Space> Neg for $wrapper<S> {
                type Output = $wrapper<S>;
                fn neg(self) -> $wrapper<S> {
                    -&self
                }
            }

            impl<S: Space> Mul<f64> for &$wrapper<S> {
                type Output = $wrapper<S>;
                fn mul(self, scale: f64) -> $wrapper<S> {
                    $wrapper::[<from_ $wrapper:lower _matrix>](self.[<$wrapper:lower _matrix>]() * scale)
                }
            }

            impl<S: Space> Mul<f64> for $wrapper<S> {
                type Output = $wrapper<S>;
                fn mul(self, scale: f64) -> $wrapper<S> {
                    &self * scale
                }
            }

            impl<S: Space> Div<f64> for &$wrapper<S> {
                type Output = $wrapper<S>;
                fn div(self, scale: f64) -> $wrapper<S> {
                    $wrapper::[<from_ $wrapper:lower _matrix>](self.[<$wrapper:lower _matrix>]() / scale)
                }
            }

            impl<S: Space> Div<f64> for $wrapper<S> {
                type Output = $wrapper<S>;
                fn div(self, scale: f64) -> $wrapper<S> {
                    &self / scale
                }
            }

            impl<S: Space> Clone for $wrapper<S> {
                fn clone(&self) -> Self {
                    $wrapper::[<from_ $wrapper:lower _matrix>](self.[<$wrapper:lower _matrix>]().clone())
                }
            }

            impl<S: Space> PartialEq for $wrapper<S> {
                fn eq(&self, other: &Self) -> bool {
                    self.[<$wrapper:lower _matrix>]() == other.[<$wrapper:lower _matrix>]()
                }
            }
        }
    )*};
    (@binary $wrapper:ident, $trait:ident, $method:ident, $op:tt) => {
        paste::paste! {
            impl<S: Space> $trait<&$wrapper<S>> for &$wrapper<S> {
                type Output = $wrapper<S>;
                fn $method(self, rhs: &$wrapper<S>) -> $wrapper<S> {
                    $wrapper::[<from_ $wrapper:lower _matrix>](
                        self.[<$wrapper:lower _matrix>]() $op rhs.[<$wrapper:lower _matrix>]()
                    )
                }
            }

            impl<S: Space> $trait for $wrapper<S> {
                type Output = $wrapper<S>;
                fn $method(self, rhs: $wrapper<S>) -> $wrapper<S> {
                    &self $op &rhs
                }
            }
        }
    };
    (@assign $wrapper:ident, $trait:ident, $method:ident, $op:tt) => {
        paste::paste! {
            impl<S: Space> $trait<&$wrapper<S>> for $wrapper<S> {
                fn $method(&mut self, rhs: &$wrapper<S>) {
                    *self = $wrapper::[<from_ $wrapper:lower _matrix>](
                        self.[<$wrapper:lower _matrix>]().clone() + impl_arithmetic!(@sign $op) * rhs.[<$wrapper:lower _matrix>]()
                    );
                }
            }
        }
    };
    (@sign +=) => { 1.0 };
    (@sign -=) => { -1.0 };
}

impl<S: Space> Sequence<S> {
    fn from_sequence_matrix(matrix: OMatrix<f64, Dyn, S::Dim>) -> Self {
        Self::from_matrix(matrix)
    }

    fn sequence_matrix(&self) -> &OMatrix<f64, Dyn, S::Dim> {
        &self.matrix
    }
}

impl<S: Space> Vector<S> {
    fn from_vector_matrix(matrix: OMatrix<f64, Dyn, S::Dim>) -> Self {
        Self::from_sequence(Sequence::from_matrix(matrix))
    }

    fn vector_matrix(&self) -> &OMatrix<f64, Dyn, S::Dim> {
        &self.sequence.matrix
    }
}

impl_arithmetic!(Sequence, Vector);

impl<S: Space> fmt::Debug for Sequence<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sequence<{}> {:?} ", S::name(), S::basis())?;
        fmt::Debug::fmt(&self.matrix, f)
    }
}

impl<S: Space> fmt::Debug for Vector<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Vector<{}> {:?} {:?}",
            S::name(),
            S::basis(),
            self.as_slice()
        )
    }
}
