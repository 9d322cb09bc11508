//! The weights of one layer as the forward pass reads them: sparse, and cut down to the
//! columns, rows and hidden units that can change the residual.
//!
//! Each cut leaves out terms that are exactly zero for finite values, so the forward pass gives
//! the same numbers as it would over the full matrices. The usage of the full matrices is
//! recorded before the cut, for [`DenseModel::usage`](crate::dense::DenseModel::usage).

use crate::dense::sparse::SparseRows;
use crate::dense::usage::{HeadUsage, MlpUsage};

/// One head's weights, kept only where they can contribute.
///
/// A head column where the query or the key is zero in every row and in the bias adds exactly
/// zero to every logit, and a column where the value or the output weight is zero adds exactly
/// zero to the output. `query` and `key` keep the logit columns and `value` the value columns,
/// renumbered from 0, and `output` keeps the rows of the value columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Head {
    /// `[d_model, logit columns]`.
    pub query: SparseRows,
    /// `[d_model, logit columns]`.
    pub key: SparseRows,
    /// `[d_model, value columns]`.
    pub value: SparseRows,
    pub query_bias: Vec<f64>,
    pub key_bias: Vec<f64>,
    pub value_bias: Vec<f64>,
    /// `[value columns, d_model]`.
    pub output: SparseRows,
    /// The residual columns that the full weights read and write.
    pub usage: HeadUsage,
}

impl Head {
    /// Creates a head from its row-major weights: `query`, `key`, `value` are
    /// `[d_model, key_size]`, `output` is `[key_size, d_model]`.
    pub fn new(
        [query, key, value, output]: [Vec<f64>; 4],
        [query_bias, key_bias, value_bias]: [Vec<f64>; 3],
        key_size: usize,
        d_model: usize,
    ) -> Head {
        let active = |weight: &[f64], bias: &[f64], column: usize| {
            bias[column] != 0.0 || column_is_used(weight, key_size, column)
        };
        let logit_columns: Vec<usize> = (0..key_size)
            .filter(|&c| active(&query, &query_bias, c) && active(&key, &key_bias, c))
            .collect();
        let value_columns: Vec<usize> = (0..key_size)
            .filter(|&c| row_is_used(&output, d_model, c) && active(&value, &value_bias, c))
            .collect();

        let usage = HeadUsage {
            query: used_rows(&query, d_model, key_size),
            key: used_rows(&key, d_model, key_size),
            value: used_rows(&value, d_model, key_size),
            output: SparseRows::from_row_major(&output, key_size, d_model).nonzero_columns(),
        };
        Head {
            query: SparseRows::from_columns(&query, d_model, key_size, &logit_columns),
            key: SparseRows::from_columns(&key, d_model, key_size, &logit_columns),
            value: SparseRows::from_columns(&value, d_model, key_size, &value_columns),
            query_bias: pick(&query_bias, &logit_columns),
            key_bias: pick(&key_bias, &logit_columns),
            value_bias: pick(&value_bias, &value_columns),
            output: SparseRows::from_rows(&output, d_model, &value_columns),
            usage,
        }
    }
}

/// An MLP's weights over its used hidden units: those whose input column or bias is non-zero
/// and whose output row is non-zero. Any other unit is `relu(0) = 0` or is multiplied by an
/// output row of zeros, so it adds exactly zero.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mlp {
    /// `[d_model, used units]`.
    pub input: SparseRows,
    /// `[used units]`.
    pub input_bias: Vec<f64>,
    /// `[used units, d_model]`.
    pub output: SparseRows,
    /// `[d_model]`.
    pub output_bias: Vec<f64>,
    /// The residual columns the MLP can change: those of its output rows and non-zero bias.
    pub written: Vec<usize>,
    /// The residual columns and hidden units that the full weights use.
    pub usage: MlpUsage,
}

impl Mlp {
    /// Creates an MLP from its row-major weights: `input` is `[d_model, hidden]`, `output` is
    /// `[hidden, d_model]`.
    pub fn new(
        [input, output]: [Vec<f64>; 2],
        [input_bias, output_bias]: [Vec<f64>; 2],
        hidden: usize,
        d_model: usize,
    ) -> Mlp {
        let full_input = SparseRows::from_row_major(&input, d_model, hidden);
        let full_output = SparseRows::from_row_major(&output, hidden, d_model);
        let mut hidden_used = full_input.nonzero_columns();
        hidden_used.extend(full_output.nonzero_rows());
        hidden_used.sort_unstable();
        hidden_used.dedup();
        let usage = MlpUsage {
            input: full_input.nonzero_rows(),
            hidden_used: hidden_used.len(),
            output: full_output.nonzero_columns(),
        };

        let units: Vec<usize> = (0..hidden)
            .filter(|&u| {
                let fed = input_bias[u] != 0.0 || column_is_used(&input, hidden, u);
                fed && row_is_used(&output, d_model, u)
            })
            .collect();
        let output = SparseRows::from_rows(&output, d_model, &units);
        Mlp {
            input: SparseRows::from_columns(&input, d_model, hidden, &units),
            input_bias: pick(&input_bias, &units),
            written: written_columns(&[&output], &output_bias),
            output,
            output_bias,
            usage,
        }
    }
}

/// One layer's weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub heads: Vec<Head>,
    /// `[d_model]`.
    pub output_bias: Vec<f64>,
    /// The residual columns the attention sublayer can change: those of the heads' output rows
    /// and of the non-zero output bias.
    pub attention_written: Vec<usize>,
    pub mlp: Mlp,
}

impl Layer {
    /// Creates a layer from its heads, the attention output bias and the MLP.
    pub fn new(heads: Vec<Head>, output_bias: Vec<f64>, mlp: Mlp) -> Layer {
        let outputs: Vec<&SparseRows> = heads.iter().map(|head| &head.output).collect();
        Layer {
            attention_written: written_columns(&outputs, &output_bias),
            heads,
            output_bias,
            mlp,
        }
    }
}

/// Returns the columns with a non-zero entry in any of the matrices or in the bias, in order.
fn written_columns(matrices: &[&SparseRows], bias: &[f64]) -> Vec<usize> {
    let mut columns: Vec<usize> = (0..bias.len()).filter(|&c| bias[c] != 0.0).collect();
    for matrix in matrices {
        columns.extend(matrix.nonzero_columns());
    }
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// Returns whether column `column` of a row-major matrix `width` wide has a non-zero entry.
fn column_is_used(matrix: &[f64], width: usize, column: usize) -> bool {
    matrix
        .iter()
        .skip(column)
        .step_by(width.max(1))
        .any(|&w| w != 0.0)
}

/// Returns whether row `row` of a row-major matrix `width` wide has a non-zero entry.
fn row_is_used(matrix: &[f64], width: usize, row: usize) -> bool {
    matrix[row * width..(row + 1) * width]
        .iter()
        .any(|&w| w != 0.0)
}

/// Returns the rows of a row-major `[rows, columns]` matrix with a non-zero entry.
fn used_rows(matrix: &[f64], rows: usize, columns: usize) -> Vec<usize> {
    (0..rows)
        .filter(|&r| row_is_used(matrix, columns, r))
        .collect()
}

fn pick(values: &[f64], indices: &[usize]) -> Vec<f64> {
    indices.iter().map(|&i| values[i]).collect()
}
