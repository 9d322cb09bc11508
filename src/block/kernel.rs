//! Blocks compiled against one residual basis: column tables and trimmed weight matrices that
//! make evaluation a few products skipping zero entries, and an add into the written columns.
//!
//! Matrices are column-major with one row per position, as nalgebra stores the residual
//! `OMatrix<f64, Dyn, R::Dim>`: column `c` of a residual is the contiguous slice
//! `c * positions .. (c + 1) * positions`. Most products are sums of such columns scaled by
//! single entries (`y += a · x`), which skips zero entries and runs over contiguous memory.
//! Two intermediates of attention are transposed instead, one column per query position: the
//! query projection `(Q · W_qk)ᵀ`, built from the non-zero entries of `Q`, and the logits
//! `Lᵀ`, so that each query's softmax reads contiguous memory.
//!
//! Skipping a term `a · 0` is exact only when `a` is finite (`∞ · 0` is NaN), so weights with
//! a non-finite entry are multiplied densely, and every intermediate is checked to be finite
//! before it is multiplied. Sums may round differently from the reference's dense products
//! (another order of the same terms, and `n · e` for `n` equal softmax terms `e`), by a few
//! units in the last place.

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::parts::{HeadParts, MlpParts};

/// A product skips zero entries when at most this fraction of a factor is non-zero; denser
/// products go to the dense matrix multiply.
const SPARSE_DENSITY: f64 = 0.25;

/// A failure while evaluating a block, before it is located in a series.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// A value written to residual column `column` is NaN or infinite.
    Output {
        position: usize,
        column: usize,
        value: f64,
    },
    /// A value inside the block is NaN or infinite.
    Overflow {
        stage: &'static str,
        position: usize,
        value: f64,
    },
}

/// Returns the index of the first entry of `entries` that is not finite.
///
/// The common all-finite case is a branch-free pass that the compiler vectorises.
pub(crate) fn first_non_finite(entries: &[f64]) -> Option<usize> {
    let finite = entries
        .iter()
        .fold(true, |finite, v| finite & v.is_finite());
    if finite {
        None
    } else {
        entries.iter().position(|v| !v.is_finite())
    }
}

/// Checks that every entry of `matrix`, one row per position, is finite.
fn check_finite(matrix: &DMatrix<f64>, stage: &'static str) -> Result<(), Failure> {
    match first_non_finite(matrix.as_slice()) {
        Some(index) => Err(Failure::Overflow {
            stage,
            position: index % matrix.nrows().max(1),
            value: matrix.as_slice()[index],
        }),
        None => Ok(()),
    }
}

/// Checks that every entry of `transposed`, one column per position, is finite.
fn check_transposed_finite(transposed: &DMatrix<f64>, stage: &'static str) -> Result<(), Failure> {
    match first_non_finite(transposed.as_slice()) {
        Some(index) => Err(Failure::Overflow {
            stage,
            position: index / transposed.nrows().max(1),
            value: transposed.as_slice()[index],
        }),
        None => Ok(()),
    }
}

fn is_sparse(nonzero: usize, len: usize) -> bool {
    (nonzero as f64) <= SPARSE_DENSITY * len as f64
}

fn count_nonzero(entries: &[f64]) -> usize {
    entries.iter().filter(|&&v| v != 0.0).count()
}

/// `y += a · x` over slices of one length.
fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Returns the transpose of `matrix`, copying tiles of 8 × 8 entries so that reads and writes
/// both stay within a few cache lines.
fn transpose(matrix: &DMatrix<f64>) -> DMatrix<f64> {
    const TILE: usize = 8;
    let (rows, columns) = matrix.shape();
    let source = matrix.as_slice();
    let mut transposed = DMatrix::zeros(columns, rows);
    let target = transposed.as_mut_slice();
    for column_start in (0..columns).step_by(TILE) {
        let column_end = (column_start + TILE).min(columns);
        for row_start in (0..rows).step_by(TILE) {
            let row_end = (row_start + TILE).min(rows);
            for column in column_start..column_end {
                for row in row_start..row_end {
                    target[row * columns + column] = source[column * rows + row];
                }
            }
        }
    }
    transposed
}

/// Returns the index after the run of entries equal to `entries[start]` that begins at
/// `start`.
///
/// Blocks of eight entries are compared together without branches first.
fn run_end(entries: &[f64], start: usize) -> usize {
    const BLOCK: usize = 8;
    let value = entries[start];
    let mut end = start + 1;
    while end + BLOCK <= entries.len() {
        let block = &entries[end..end + BLOCK];
        if block.iter().fold(true, |equal, &v| equal & (v == value)) {
            end += BLOCK;
        } else {
            break;
        }
    }
    while end < entries.len() && entries[end] == value {
        end += 1;
    }
    end
}

/// Calls `f(index, value)` for each non-zero entry of `entries`, in order.
///
/// Blocks of eight entries are tested together without branches first, so the mostly-zero
/// columns of one-hot encodings are skipped quickly.
fn for_each_nonzero(entries: &[f64], mut f: impl FnMut(usize, f64)) {
    const BLOCK: usize = 8;
    let mut blocks = entries.chunks_exact(BLOCK);
    for (block_index, block) in blocks.by_ref().enumerate() {
        let any = block.iter().fold(false, |any, &v| any | (v != 0.0));
        if any {
            for (offset, &value) in block.iter().enumerate() {
                if value != 0.0 {
                    f(block_index * BLOCK + offset, value);
                }
            }
        }
    }
    let start = entries.len() - blocks.remainder().len();
    for (offset, &value) in blocks.remainder().iter().enumerate() {
        if value != 0.0 {
            f(start + offset, value);
        }
    }
}

/// The columns of a matrix with one row per position: a residual's columns picked through a
/// table, or every column of an intermediate.
#[derive(Clone, Copy)]
pub(crate) struct Columns<'a> {
    entries: &'a [f64],
    positions: usize,
    table: Option<&'a [usize]>,
}

impl<'a> Columns<'a> {
    pub fn picked(residual: &'a [f64], positions: usize, table: &'a [usize]) -> Self {
        Columns {
            entries: residual,
            positions,
            table: Some(table),
        }
    }

    fn all(matrix: &'a DMatrix<f64>) -> Self {
        Columns {
            entries: matrix.as_slice(),
            positions: matrix.nrows(),
            table: None,
        }
    }

    fn count(&self) -> usize {
        match self.table {
            Some(table) => table.len(),
            None => self.entries.len() / self.positions.max(1),
        }
    }

    fn column(&self, index: usize) -> &'a [f64] {
        let column = self.table.map_or(index, |table| table[index]);
        &self.entries[column * self.positions..(column + 1) * self.positions]
    }

    fn gather(&self) -> DMatrix<f64> {
        let mut entries = Vec::with_capacity(self.positions * self.count());
        for index in 0..self.count() {
            entries.extend_from_slice(self.column(index));
        }
        DMatrix::from_vec(self.positions, self.count(), entries)
    }
}

/// A weight matrix `W` `[rows, columns]` of products `X · W`: its non-zero entries by column
/// and by row when it is sparse and finite, the matrix itself otherwise.
#[derive(Debug, Clone)]
enum Weights {
    Sparse { by_column: Entries, by_row: Entries },
    Dense(DMatrix<f64>),
}

/// The non-zero entries of a matrix grouped by column (or by row). Group `g` is
/// `entries[starts[g]..starts[g + 1]]`, as (index within the group, value) pairs.
#[derive(Debug, Clone)]
struct Entries {
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
}

impl Entries {
    /// Groups the non-zero entries of a column-major matrix by column.
    fn by_column(matrix: &DMatrix<f64>) -> Self {
        let mut starts = Vec::with_capacity(matrix.ncols() + 1);
        let mut entries = Vec::new();
        for column in matrix.as_slice().chunks_exact(matrix.nrows().max(1)) {
            starts.push(entries.len());
            for_each_nonzero(column, |row, value| entries.push((row, value)));
        }
        // A matrix without rows has no chunks; give each of its columns an empty group.
        starts.resize(matrix.ncols() + 1, entries.len());
        Entries { starts, entries }
    }

    fn groups(&self) -> usize {
        self.starts.len() - 1
    }

    fn group(&self, index: usize) -> &[(usize, f64)] {
        &self.entries[self.starts[index]..self.starts[index + 1]]
    }
}

impl Weights {
    fn new(matrix: DMatrix<f64>) -> Self {
        let finite = first_non_finite(matrix.as_slice()).is_none();
        if !finite || !is_sparse(count_nonzero(matrix.as_slice()), matrix.len()) {
            return Weights::Dense(matrix);
        }
        Weights::Sparse {
            by_column: Entries::by_column(&matrix),
            by_row: Entries::by_column(&matrix.transpose()),
        }
    }

    /// Returns `X · W`, `[positions, W columns]`: each column sums the columns of `X` scaled
    /// by that column's weights.
    ///
    /// `X` must be finite.
    fn multiply(&self, x: Columns<'_>) -> DMatrix<f64> {
        match self {
            Weights::Dense(matrix) => x.gather() * matrix,
            Weights::Sparse { by_column, .. } => {
                let mut product = DMatrix::zeros(x.positions, by_column.groups());
                if x.positions == 0 {
                    return product;
                }
                let targets = product.as_mut_slice().chunks_exact_mut(x.positions);
                for (column, target) in targets.enumerate() {
                    for &(row, weight) in by_column.group(column) {
                        axpy(target, weight, x.column(row));
                    }
                }
                product
            }
        }
    }

    /// Returns `(X · W)ᵀ`, `[W columns, positions]`: each non-zero entry of `X` adds its
    /// scaled row of `W` to its position's column, so one-hot inputs cost one row each.
    ///
    /// `X` must be finite.
    fn multiply_transposed(&self, x: Columns<'_>) -> DMatrix<f64> {
        match self {
            Weights::Dense(matrix) => (x.gather() * matrix).transpose(),
            Weights::Sparse { by_column, by_row } => {
                let width = by_column.groups();
                let mut product = DMatrix::zeros(width, x.positions);
                let entries = product.as_mut_slice();
                for row in 0..by_row.groups() {
                    let weights = by_row.group(row);
                    if weights.is_empty() {
                        continue;
                    }
                    for_each_nonzero(x.column(row), |position, value| {
                        let target = &mut entries[position * width..(position + 1) * width];
                        for &(column, weight) in weights {
                            target[column] += value * weight;
                        }
                    });
                }
                product
            }
        }
    }
}

/// The values a block writes into some residual columns, `[positions, columns.len()]`.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub columns: Vec<usize>,
    pub values: DMatrix<f64>,
}

impl Written {
    /// Returns the number of positions.
    pub fn positions(&self) -> usize {
        self.values.nrows()
    }

    /// Checks that every written value is finite.
    pub fn check(&self) -> Result<(), Failure> {
        match first_non_finite(self.values.as_slice()) {
            Some(index) => {
                let positions = self.positions();
                Err(Failure::Output {
                    position: index % positions,
                    column: self.columns[index / positions],
                    value: self.values.as_slice()[index],
                })
            }
            None => Ok(()),
        }
    }

    /// Copies (when `add` is false) or adds the values into their columns of `residual`, and
    /// checks what it wrote.
    pub fn write_to(&self, residual: &mut [f64], add: bool) -> Result<(), Failure> {
        let positions = self.positions();
        if positions == 0 {
            return Ok(());
        }
        let sources = self.values.as_slice().chunks_exact(positions);
        for (&column, source) in self.columns.iter().zip(sources) {
            let target = &mut residual[column * positions..(column + 1) * positions];
            if add {
                for (target, value) in target.iter_mut().zip(source) {
                    *target += value;
                }
            } else {
                target.copy_from_slice(source);
            }
            if let Some(position) = first_non_finite(target) {
                let value = source[position];
                return Err(Failure::Output {
                    position,
                    column,
                    value: if value.is_finite() {
                        target[position]
                    } else {
                        value
                    },
                });
            }
        }
        Ok(())
    }
}

/// Returns the positions of the directions of `basis` that `residual` has, and their residual
/// columns.
///
/// Projection pads missing directions with zeros, so a direction the residual lacks
/// contributes nothing when read and is dropped when written. Leaving it out is exact.
fn columns_in(basis: &Basis, residual: &Basis) -> (Vec<usize>, Vec<usize>) {
    let mut kept = Vec::with_capacity(basis.dim());
    let mut columns = Vec::with_capacity(basis.dim());
    for (index, direction) in basis.iter().enumerate() {
        if let Some(column) = residual.index_of(direction) {
            kept.push(index);
            columns.push(column);
        }
    }
    (kept, columns)
}

/// Returns the submatrix of `matrix` with the given rows and columns, in that order.
fn select(matrix: &DMatrix<f64>, rows: &[usize], columns: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(rows.len(), columns.len(), |i, j| {
        matrix[(rows[i], columns[j])]
    })
}

/// One evaluation of an attention head.
pub(crate) struct HeadRun {
    /// `[positions, positions]`, query positions on rows, masked entries -∞; recorded only
    /// when requested.
    pub logits: Option<DMatrix<f64>>,
    /// The row-wise softmax of the logits; recorded only when requested.
    pub weights: Option<DMatrix<f64>>,
    /// `weights · (X|value · w_ov)`, over the output columns.
    pub output: Written,
}

/// An attention head compiled against a residual basis.
#[derive(Debug, Clone)]
pub(crate) struct HeadKernel {
    query_columns: Vec<usize>,
    key_columns: Vec<usize>,
    /// `w_qk` restricted to the query rows and key columns the residual has.
    w_qk: Weights,
    value_columns: Vec<usize>,
    output_columns: Vec<usize>,
    /// `w_ov` restricted to the value rows and output columns the residual has.
    w_ov: Weights,
    causal: bool,
}

impl HeadKernel {
    pub fn new(parts: &HeadParts, residual: &Basis) -> Self {
        let (query_rows, query_columns) = columns_in(&parts.query, residual);
        let (key_rows, key_columns) = columns_in(&parts.key, residual);
        let (value_rows, value_columns) = columns_in(&parts.value, residual);
        let (output_rows, output_columns) = columns_in(&parts.output, residual);
        HeadKernel {
            w_qk: Weights::new(select(&parts.w_qk, &query_rows, &key_rows)),
            w_ov: Weights::new(select(&parts.w_ov, &value_rows, &output_rows)),
            query_columns,
            key_columns,
            value_columns,
            output_columns,
            causal: parts.causal,
        }
    }

    /// Returns the number of keys visible to query `query`.
    fn visible(&self, query: usize, positions: usize) -> usize {
        if self.causal {
            query + 1
        } else {
            positions
        }
    }

    /// Evaluates the head on a residual of `positions` rows; `record` keeps the logits and
    /// weights.
    pub fn run(
        &self,
        residual: &[f64],
        positions: usize,
        record: bool,
    ) -> Result<HeadRun, Failure> {
        let mut scores = self.logits_transposed(residual, positions)?;
        let logits = record.then(|| {
            // `[queries, keys]`: the keys after a causal query are the rows above the diagonal.
            let mut logits = transpose(&scores);
            if self.causal {
                let columns = logits.as_mut_slice().chunks_exact_mut(positions);
                for (key, column) in columns.enumerate() {
                    column[..key].fill(f64::NEG_INFINITY);
                }
            }
            logits
        });
        self.softmax_columns(&mut scores)?;
        let weights = transpose(&scores);
        let output = self.output(residual, positions, &weights)?;
        Ok(HeadRun {
            logits,
            weights: record.then_some(weights),
            output,
        })
    }

    /// Returns the logits `Q · W · Kᵀ` transposed, `[keys, queries]`, so that the logits of
    /// each query are contiguous. For a causal head, the entries where the key comes after the
    /// query are 0.
    fn logits_transposed(
        &self,
        residual: &[f64],
        positions: usize,
    ) -> Result<DMatrix<f64>, Failure> {
        // (Q · W)ᵀ, one column per query position.
        let projected = self.w_qk.multiply_transposed(Columns::picked(
            residual,
            positions,
            &self.query_columns,
        ));
        check_transposed_finite(&projected, "query-key product")?;

        // Lᵀ = K · (Q · W)ᵀ: column `query` sums the key columns weighted by its projection.
        let keys = Columns::picked(residual, positions, &self.key_columns);
        if !is_sparse(count_nonzero(projected.as_slice()), projected.len()) {
            let mut scores = keys.gather() * projected;
            // Masked entries must read 0 after the softmax, as in the sparse path below.
            if self.causal {
                for (query, column) in scores
                    .as_mut_slice()
                    .chunks_exact_mut(positions)
                    .enumerate()
                {
                    column[query + 1..].fill(0.0);
                }
            }
            return Ok(scores);
        }
        let mut scores = DMatrix::zeros(positions, positions);
        let width = projected.nrows().max(1);
        let sources = projected.as_slice().chunks_exact(width);
        let targets = scores.as_mut_slice().chunks_exact_mut(positions.max(1));
        for (query, (source, target)) in sources.zip(targets).enumerate() {
            let target = &mut target[..self.visible(query, positions)];
            for_each_nonzero(source, |key_column, weight| {
                axpy(target, weight, &keys.column(key_column)[..target.len()]);
            });
        }
        Ok(scores)
    }

    /// Replaces the visible entries of each column of `scores` (the logits of one query) by
    /// their softmax, `exp(L - max) / sum(exp(L - max))`. Masked entries, already 0, stay 0.
    ///
    /// Logits of a query often repeat a few values, so a run of equal logits shares one
    /// exponential and one quotient, and adds `count · exponential` to the sum. This is exact
    /// up to the rounding of that sum. The runs are found before `exp` and the division
    /// happen, which keeps those behind a branch that the optimiser cannot turn into an
    /// unconditional computation for every entry.
    fn softmax_columns(&self, scores: &mut DMatrix<f64>) -> Result<(), Failure> {
        let positions = scores.nrows();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (query, column) in scores
            .as_mut_slice()
            .chunks_exact_mut(positions.max(1))
            .enumerate()
        {
            let logits = &mut column[..self.visible(query, positions)];

            let max = max_of_finite(logits).map_err(|value| Failure::Overflow {
                stage: "attention logits",
                position: query,
                value,
            })?;

            runs.clear();
            let mut start = 0;
            while start < logits.len() {
                let end = run_end(logits, start);
                runs.push((start, end));
                start = end;
            }

            let mut sum = 0.0;
            for &(start, end) in &runs {
                let exponential = (logits[start] - max).exp();
                logits[start] = exponential;
                sum += exponential * (end - start) as f64;
            }
            for &(start, end) in &runs {
                let weight = logits[start] / sum;
                logits[start..end].fill(weight);
            }
        }
        Ok(())
    }

    /// Returns `weights · (X|value · w_ov)` over the output columns, for `weights`
    /// `[queries, keys]`.
    fn output(
        &self,
        residual: &[f64],
        positions: usize,
        weights: &DMatrix<f64>,
    ) -> Result<Written, Failure> {
        let values = self
            .w_ov
            .multiply(Columns::picked(residual, positions, &self.value_columns));
        check_finite(&values, "values")?;
        if !is_sparse(count_nonzero(values.as_slice()), values.len()) {
            return Ok(Written {
                columns: self.output_columns.clone(),
                values: weights * values,
            });
        }

        // Column `j` of the output sums the weight columns of the keys where value column `j`
        // is non-zero, scaled by those values. Queries before a causal key do not see it.
        let mut output = DMatrix::zeros(positions, values.ncols());
        if positions > 0 {
            let weight_columns = weights.as_slice();
            let sources = values.as_slice().chunks_exact(positions);
            let targets = output.as_mut_slice().chunks_exact_mut(positions);
            for (source, target) in sources.zip(targets) {
                for_each_nonzero(source, |key, value| {
                    let first = if self.causal { key } else { 0 };
                    let weights = &weight_columns[key * positions..(key + 1) * positions];
                    axpy(&mut target[first..], value, &weights[first..]);
                });
            }
        }
        Ok(Written {
            columns: self.output_columns.clone(),
            values: output,
        })
    }
}

/// Returns the maximum of `values`, or the first value that is not finite.
///
/// Four running maxima keep the comparisons independent of each other.
fn max_of_finite(values: &[f64]) -> Result<f64, f64> {
    let mut lanes = [f64::NEG_INFINITY; 4];
    let mut finite = true;
    let mut chunks = values.chunks_exact(4);
    for chunk in chunks.by_ref() {
        for (lane, &value) in lanes.iter_mut().zip(chunk) {
            finite &= value.is_finite();
            if value > *lane {
                *lane = value;
            }
        }
    }
    for &value in chunks.remainder() {
        finite &= value.is_finite();
        if value > lanes[0] {
            lanes[0] = value;
        }
    }
    if !finite {
        let value = values.iter().copied().find(|v| !v.is_finite());
        return Err(value.unwrap_or(f64::NAN));
    }
    Ok(lanes.into_iter().fold(f64::NEG_INFINITY, f64::max))
}

/// An MLP compiled against a residual basis.
#[derive(Debug, Clone)]
pub(crate) struct MlpKernel {
    input_columns: Vec<usize>,
    /// `fst` restricted to the input rows the residual has.
    fst: Weights,
    output_columns: Vec<usize>,
    /// `snd` restricted to the output columns the residual has.
    snd: Weights,
}

impl MlpKernel {
    pub fn new(parts: &MlpParts, residual: &Basis) -> Self {
        let hidden: Vec<usize> = (0..parts.hidden.len()).collect();
        let (input_rows, input_columns) = columns_in(&parts.input, residual);
        let (output_rows, output_columns) = columns_in(&parts.output, residual);
        MlpKernel {
            fst: Weights::new(select(&parts.fst, &input_rows, &hidden)),
            snd: Weights::new(select(&parts.snd, &hidden, &output_rows)),
            input_columns,
            output_columns,
        }
    }

    /// Returns `X|input · fst`, the hidden units before the ReLU, `[positions, hidden]`.
    pub fn preactivation(&self, residual: &[f64], positions: usize) -> DMatrix<f64> {
        self.fst
            .multiply(Columns::picked(residual, positions, &self.input_columns))
    }

    /// Returns `relu(X|input · fst) · snd` over the output columns.
    pub fn run(&self, residual: &[f64], positions: usize) -> Result<Written, Failure> {
        let mut hidden = self.preactivation(residual, positions);
        check_finite(&hidden, "MLP hidden layer")?;
        // The reference's `relu(v) = v if v > 0 else 0`.
        hidden.apply(|v| *v = if *v > 0.0 { *v } else { 0.0 });
        Ok(Written {
            columns: self.output_columns.clone(),
            values: self.snd.multiply(Columns::all(&hidden)),
        })
    }
}

/// Returns the sum of what several heads write, over the union of their columns.
pub(crate) fn sum_outputs(outputs: &[&Written], positions: usize) -> Written {
    if let [only] = outputs {
        return (*only).clone();
    }
    let mut columns: Vec<usize> = outputs
        .iter()
        .flat_map(|output| output.columns.iter().copied())
        .collect();
    columns.sort_unstable();
    columns.dedup();

    let mut sum = DMatrix::zeros(positions, columns.len());
    if positions > 0 {
        for output in outputs {
            let sources = output.values.as_slice().chunks_exact(positions);
            for (column, source) in output.columns.iter().zip(sources) {
                // Every column of an output is in the union built above.
                let slot = columns.binary_search(column).unwrap_or_default();
                let target = &mut sum.as_mut_slice()[slot * positions..(slot + 1) * positions];
                for (target, value) in target.iter_mut().zip(source) {
                    *target += value;
                }
            }
        }
    }
    Written {
        columns,
        values: sum,
    }
}
