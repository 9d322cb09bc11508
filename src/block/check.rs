//! Run-time checks for blocks built from parts, whose spaces are known only from data, and the
//! errors that name what went wrong.

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::kernel::{first_non_finite, Failure};
use crate::direction::BasisDirection;
use crate::error::Error;
use crate::space::Space;
use crate::vector::Sequence;

/// Checks that every direction of `basis`, the block's `role` space, is in `R`.
pub(crate) fn in_residual<R: Space>(role: &'static str, basis: &Basis) -> Result<(), Error> {
    match basis.iter().find(|d| !R::basis().contains(d)) {
        Some(direction) => Err(Error::NotInResidual {
            role,
            direction: direction.to_string(),
            residual: R::name().to_owned(),
        }),
        None => Ok(()),
    }
}

/// Checks that `matrix` is `[rows.len(), columns.len()]` with finite entries.
pub(crate) fn weights(
    name: &'static str,
    matrix: &DMatrix<f64>,
    rows: &[BasisDirection],
    columns: &[BasisDirection],
) -> Result<(), Error> {
    if matrix.shape() != (rows.len(), columns.len()) {
        return Err(Error::MatrixShape {
            matrix: name,
            rows: matrix.nrows(),
            columns: matrix.ncols(),
            expected_rows: rows.len(),
            expected_columns: columns.len(),
        });
    }
    for (j, column) in columns.iter().enumerate() {
        if let Some(i) = matrix.column(j).iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteWeight {
                matrix: name,
                row: rows[i].to_string(),
                column: column.to_string(),
                value: matrix[(i, j)],
            });
        }
    }
    Ok(())
}

/// Checks that a block's input has a position and only finite entries.
///
/// Same contract as [`Sequence::check_finite`], scanning the column-major entries in memory
/// order.
pub(crate) fn input<X: Space>(input: &Sequence<X>) -> Result<(), Error> {
    if input.is_empty() {
        return Err(Error::EmptySequence);
    }
    let entries = input.matrix().as_slice();
    match first_non_finite(entries) {
        Some(index) => Err(Error::NonFiniteInput {
            position: index % input.len(),
            direction: X::basis().directions()[index / input.len()].to_string(),
            value: entries[index],
        }),
        None => Ok(()),
    }
}

/// Locates a failure of block `block` in residual space `R`.
pub(crate) fn located<R: Space>(block: usize, failure: Failure) -> Error {
    match failure {
        Failure::Output {
            position,
            column,
            value,
        } => Error::NonFiniteOutput {
            block,
            position,
            direction: R::basis().directions()[column].to_string(),
            value,
        },
        Failure::Overflow {
            stage,
            position,
            value,
        } => Error::Overflow {
            block,
            stage,
            position,
            value,
        },
    }
}
