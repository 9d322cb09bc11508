//! Builds typed blocks and sequences from the block fixtures in `tests/fixtures/craft/`, checking
//! that every space a fixture names has the basis of the declared space it is read into.

#![allow(dead_code)]

use handcraft::nalgebra::DMatrix;
use handcraft::{Basis, Linear, ScalarBilinear, Sequence, Space};
use serde_json::Value as Json;

use crate::common;

/// Asserts that a fixture space (a list of directions) is the basis of `S`, in order.
pub fn assert_basis<S: Space>(json: &Json, what: &str) {
    let basis: Basis = common::basis(json);
    assert_eq!(
        basis.labels(),
        S::basis().labels(),
        "{what}: fixture space differs from `{}`",
        S::name()
    );
}

/// Reads a matrix `{rows, cols, data}` into a typed map, after checking its labels.
pub fn linear<I: Space, O: Space>(json: &Json) -> Linear<I, O> {
    assert_basis::<I>(&json["rows"], "matrix rows");
    assert_basis::<O>(&json["cols"], "matrix columns");
    let data = common::rows(&json["data"]);
    Linear::from_fn(|i, o| data[(i.index(), o.index())])
}

/// Reads a matrix `{rows, cols, data}` into a typed bilinear form, after checking its labels.
pub fn bilinear<L: Space, R: Space>(json: &Json) -> ScalarBilinear<L, R> {
    assert_basis::<L>(&json["rows"], "matrix rows");
    assert_basis::<R>(&json["cols"], "matrix columns");
    let data = common::rows(&json["data"]);
    ScalarBilinear::from_fn(|l, r| data[(l.index(), r.index())])
}

/// Reads a sequence `{basis, data}` over exactly `S`.
pub fn sequence<S: Space>(json: &Json) -> Sequence<S> {
    assert_basis::<S>(&json["basis"], "sequence basis");
    let data = common::rows(&json["data"]);
    Sequence::from_fn(data.nrows(), |position, d| data[(position, d.index())])
}

/// Returns a sequence's matrix with run-time shape.
pub fn dmatrix<S: Space>(sequence: &Sequence<S>) -> DMatrix<f64> {
    DMatrix::from_column_slice(sequence.len(), S::DIM, sequence.matrix().as_slice())
}

/// Asserts that `actual` matches the fixture sequence `expected` within 1e-12 (relative for
/// magnitudes above 1).
pub fn assert_sequence<S: Space>(actual: &Sequence<S>, expected: &Json, what: &str) {
    assert_basis::<S>(&expected["basis"], what);
    let expected = common::rows(&expected["data"]);
    common::assert_close(&dmatrix(actual), &expected, 1e-12, what);
}
