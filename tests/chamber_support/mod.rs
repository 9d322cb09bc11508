//! Comparisons between building blocks and the chamber fixtures: labelled matrices compared
//! exactly, sequences within a tolerance.

#![allow(dead_code)]

use handcraft::block::{HeadParts, MlpParts};
use handcraft::nalgebra::DMatrix;
use handcraft::{Basis, BasisDirection, Sequence, Space};
use serde_json::Value as Json;

use crate::common::{basis, directions, matrix, rows};

/// Tolerance for evaluations: outputs agree with the reference within 1e-12.
pub const OUTPUT_TOLERANCE: f64 = 1e-12;

/// Asserts that a labelled matrix equals a fixture matrix: row labels, column labels (both in
/// order) and every entry exactly.
pub fn assert_matrix_eq(
    rows_labels: &[BasisDirection],
    columns_labels: &[BasisDirection],
    data: &DMatrix<f64>,
    expected: &Json,
    context: &str,
) {
    let (expected_rows, expected_columns, expected_data) = matrix(expected);
    assert_eq!(
        rows_labels,
        expected_rows.directions(),
        "{context}: row labels"
    );
    assert_eq!(
        columns_labels,
        expected_columns.directions(),
        "{context}: column labels"
    );
    assert_eq!(data.shape(), expected_data.shape(), "{context}: shape");
    for i in 0..expected_data.nrows() {
        for j in 0..expected_data.ncols() {
            assert_eq!(
                data[(i, j)],
                expected_data[(i, j)],
                "{context}: entry ({}, {})",
                rows_labels[i],
                columns_labels[j]
            );
        }
    }
}

/// Asserts that head parts equal a fixture's `attention_head` block.
pub fn assert_head_eq(parts: &HeadParts, block: &Json) {
    assert_eq!(parts.causal, block["causal"].as_bool().unwrap(), "causal");
    assert_matrix_eq(
        parts.query.directions(),
        parts.key.directions(),
        &parts.w_qk,
        &block["w_qk"]["matrix"],
        "w_qk",
    );
    assert_matrix_eq(
        parts.value.directions(),
        parts.output.directions(),
        &parts.w_ov,
        &block["w_ov"]["matrix"],
        "w_ov",
    );
}

/// Asserts that MLP parts equal a fixture's `mlp` block: spaces, hidden labels in order, and
/// both layers.
pub fn assert_mlp_eq(parts: &MlpParts, block: &Json) {
    assert_eq!(parts.input, basis(&block["input_space"]), "input space");
    assert_eq!(
        parts.hidden,
        directions(&block["hidden_space"]),
        "hidden labels"
    );
    assert_eq!(parts.output, basis(&block["output_space"]), "output space");
    assert_matrix_eq(
        parts.input.directions(),
        &parts.hidden,
        &parts.fst,
        &block["fst"],
        "fst",
    );
    assert_matrix_eq(
        &parts.hidden,
        parts.output.directions(),
        &parts.snd,
        &block["snd"],
        "snd",
    );
}

/// Parses a fixture sequence `{"basis", "data"}` whose basis is exactly `R`'s.
pub fn sequence<R: Space>(json: &Json) -> Sequence<R> {
    let fixture_basis: Basis = basis(&json["basis"]);
    assert_eq!(&fixture_basis, R::basis(), "fixture basis is the residual");
    Sequence::from_rows_in_basis(&fixture_basis, &row_vectors(&json["data"])).unwrap()
}

/// Asserts that a sequence agrees with a fixture sequence within [`OUTPUT_TOLERANCE`].
pub fn assert_sequence_close<R: Space>(actual: &Sequence<R>, expected: &Json, context: &str) {
    let expected = sequence::<R>(expected);
    assert_matrix_close(
        &DMatrix::from_column_slice(actual.len(), R::DIM, actual.matrix().as_slice()),
        &DMatrix::from_column_slice(expected.len(), R::DIM, expected.matrix().as_slice()),
        context,
    );
}

/// Asserts that two matrices agree entry by entry within [`OUTPUT_TOLERANCE`] (absolute).
pub fn assert_matrix_close(actual: &DMatrix<f64>, expected: &DMatrix<f64>, context: &str) {
    assert_eq!(actual.shape(), expected.shape(), "{context}: shape");
    for i in 0..expected.nrows() {
        for j in 0..expected.ncols() {
            let (a, e) = (actual[(i, j)], expected[(i, j)]);
            assert!(
                (a - e).abs() <= OUTPUT_TOLERANCE,
                "{context}: entry ({i}, {j}) is {a}, expected {e}"
            );
        }
    }
}

/// Parses rows of numbers as vectors.
pub fn row_vectors(json: &Json) -> Vec<Vec<f64>> {
    let matrix = rows(json);
    (0..matrix.nrows())
        .map(|i| matrix.row(i).iter().copied().collect())
        .collect()
}
