//! Matrices stored as the non-zero entries of each row, and their product with a residual.
//!
//! Handcrafted weights are mostly projections and lookup tables, so most entries are zero;
//! skipping them, and the zero entries of the residual, is exact for finite values.

/// The non-zero `(column, value)` entries of each row of a matrix, in column order.
///
/// The forward pass refills one of these for every intermediate, so its buffers are reused
/// from one input to the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RowEntries {
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
}

impl RowEntries {
    /// Replaces the contents by the non-zero entries of a row-major `[rows, columns]` matrix.
    pub fn fill(&mut self, matrix: &[f64], rows: usize, columns: usize) {
        self.starts.clear();
        self.entries.clear();
        self.starts.push(0);
        for row in matrix.chunks_exact(columns.max(1)).take(rows) {
            push_nonzero(row, &mut self.entries);
            self.starts.push(self.entries.len());
        }
        // A matrix without columns has no chunks; give each of its rows an empty entry list.
        self.starts.resize(rows + 1, self.entries.len());
    }

    /// Returns the number of rows.
    pub fn rows(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Returns the non-zero entries of row `r`.
    pub fn row(&self, r: usize) -> &[(usize, f64)] {
        &self.entries[self.starts[r]..self.starts[r + 1]]
    }
}

/// Appends the non-zero entries of `row` to `entries`.
///
/// Eight entries are tested together without branches first, so the long zero stretches of
/// one-hot rows cost one test per eight entries.
fn push_nonzero(row: &[f64], entries: &mut Vec<(usize, f64)>) {
    const BLOCK: usize = 8;
    for (block_index, block) in row.chunks(BLOCK).enumerate() {
        // Shifting out the sign bit leaves 0 exactly for +0 and -0.
        let any = block
            .iter()
            .fold(0u64, |any, value| any | (value.to_bits() << 1));
        if any == 0 {
            continue;
        }
        for (offset, &value) in block.iter().enumerate() {
            if value != 0.0 {
                entries.push((block_index * BLOCK + offset, value));
            }
        }
    }
}

/// A `[rows, columns]` weight matrix stored row by row as its non-zero `(column, value)`
/// entries, with a dense copy of the rows that are mostly non-zero.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SparseRows {
    rows: RowEntries,
    columns: usize,
    /// The rows with a non-zero entry, in order.
    used_rows: Vec<usize>,
    /// For each row, the start in `dense` of its full copy, when it has one.
    dense_starts: Vec<Option<usize>>,
    dense: Vec<f64>,
    /// The columns with a non-zero entry, in order.
    used_columns: Vec<usize>,
}

/// A row is also kept dense when at least this fraction of its entries is non-zero: adding
/// it whole is faster than adding its entries one by one.
const DENSE_ROW: f64 = 0.25;

/// The residual rows are read through their non-zero entries, rather than row by row of the
/// weight, when the weight uses more than this fraction of its rows.
const MANY_ROWS: f64 = 0.125;

impl SparseRows {
    /// Compresses a row-major `[rows, columns]` matrix.
    pub fn from_row_major(matrix: &[f64], rows: usize, columns: usize) -> SparseRows {
        let mut compressed = RowEntries::default();
        compressed.fill(matrix, rows, columns);
        let used_rows = (0..rows)
            .filter(|&r| !compressed.row(r).is_empty())
            .collect();
        let mut dense = Vec::new();
        let dense_starts = (0..rows)
            .map(|r| {
                let nonzero = compressed.row(r).len();
                let kept = nonzero > 0 && nonzero as f64 >= DENSE_ROW * columns as f64;
                kept.then(|| {
                    let start = dense.len();
                    dense.extend_from_slice(&matrix[r * columns..(r + 1) * columns]);
                    start
                })
            })
            .collect();
        let mut column_used = vec![false; columns];
        for &(c, _) in &compressed.entries {
            column_used[c] = true;
        }
        let used_columns = (0..columns).filter(|&c| column_used[c]).collect();
        SparseRows {
            rows: compressed,
            columns,
            used_rows,
            dense_starts,
            dense,
            used_columns,
        }
    }

    /// Compresses the listed columns of a row-major `[rows, width]` matrix, renumbered
    /// `0..columns.len()` in the order listed.
    pub fn from_columns(matrix: &[f64], rows: usize, width: usize, columns: &[usize]) -> Self {
        let mut picked = Vec::with_capacity(rows * columns.len());
        for row in matrix.chunks_exact(width.max(1)).take(rows) {
            picked.extend(columns.iter().map(|&c| row[c]));
        }
        SparseRows::from_row_major(&picked, rows, columns.len())
    }

    /// Compresses the listed rows of a row-major `[rows, columns]` matrix, renumbered
    /// `0..rows.len()` in the order listed.
    pub fn from_rows(matrix: &[f64], columns: usize, rows: &[usize]) -> SparseRows {
        let mut picked = Vec::with_capacity(rows.len() * columns);
        for &r in rows {
            picked.extend_from_slice(&matrix[r * columns..(r + 1) * columns]);
        }
        SparseRows::from_row_major(&picked, rows.len(), columns)
    }

    /// Returns the number of rows.
    pub fn rows(&self) -> usize {
        self.rows.rows()
    }

    /// Returns the number of columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Returns the non-zero entries of row `r`.
    pub fn row(&self, r: usize) -> &[(usize, f64)] {
        self.rows.row(r)
    }

    /// Returns the rows with a non-zero entry.
    pub fn nonzero_rows(&self) -> Vec<usize> {
        self.used_rows.clone()
    }

    /// Returns the columns with a non-zero entry, in order.
    pub fn nonzero_columns(&self) -> Vec<usize> {
        self.used_columns.clone()
    }

    /// Returns whether products should read the input through its non-zero entries, because
    /// the matrix uses many of its rows.
    pub fn reads_entries(&self) -> bool {
        self.used_rows.len() as f64 > MANY_ROWS * self.rows() as f64
    }

    /// Writes `x·self + bias` into `product`, `[t, self.columns()]` row-major, for a
    /// row-major `x: [t, self.rows()]` whose non-zero entries are `entries` when
    /// [`Self::reads_entries`] holds.
    pub fn multiply_into(&self, x: Input<'_>, bias: &[f64], product: &mut Vec<f64>) {
        product.clear();
        if bias.iter().all(|&b| b == 0.0) {
            product.resize(x.rows() * self.columns, 0.0);
        } else {
            for _ in 0..x.rows() {
                product.extend_from_slice(bias);
            }
        }
        self.add_product(x, product, self.columns);
    }

    /// Adds `x·self` to the first `self.columns()` columns of `target`, a row-major
    /// `[t, width]` matrix.
    ///
    /// Each target row adds, for every non-zero `x[p][r]` in order of `r`, `x[p][r]` times
    /// row `r`.
    pub fn add_product(&self, x: Input<'_>, target: &mut [f64], width: usize) {
        if width == 0 {
            return;
        }
        let targets = target.chunks_exact_mut(width);
        match x {
            Input::Entries(entries) => {
                for (p, out) in targets.enumerate().take(entries.rows()) {
                    for &(r, a) in entries.row(p) {
                        self.add_row(r, a, out);
                    }
                }
            }
            Input::Dense { matrix, rows } => {
                if self.rows() == 0 {
                    return;
                }
                let inputs = matrix.chunks_exact(self.rows()).take(rows);
                for (input, out) in inputs.zip(targets) {
                    for &r in &self.used_rows {
                        let a = input[r];
                        if a != 0.0 {
                            self.add_row(r, a, out);
                        }
                    }
                }
            }
        }
    }

    /// Adds `x·self` to the first `self.columns()` columns of `target` as
    /// [`Self::add_product`] does, for a row-major `x: [t, self.rows()]` with many non-zero
    /// entries.
    ///
    /// No entry of `x` is tested: a zero one adds `0 · w = 0`, which changes nothing because
    /// the weights are finite, and the sum of each entry of the product keeps its order.
    pub fn add_product_untested(&self, x: &[f64], t: usize, target: &mut [f64], width: usize) {
        let rows = self.rows();
        if rows == 0 || width == 0 {
            return;
        }
        let inputs = x.chunks_exact(rows).take(t);
        for (input, out) in inputs.zip(target.chunks_exact_mut(width)) {
            for &r in &self.used_rows {
                let a = input[r];
                for &(c, w) in self.row(r) {
                    out[c] += a * w;
                }
            }
        }
    }

    /// Adds `a` times row `r` to `out`.
    ///
    /// A dense row also adds `a · 0 = 0` for its zero entries, which changes nothing when
    /// `a` is finite; for an infinite or NaN `a` only the non-zero entries are added.
    fn add_row(&self, r: usize, a: f64, out: &mut [f64]) {
        match self.dense_starts.get(r).copied().flatten() {
            Some(start) if a.is_finite() => {
                let row = &self.dense[start..start + self.columns];
                for (out, &w) in out.iter_mut().zip(row) {
                    *out += a * w;
                }
            }
            _ => {
                for &(c, w) in self.row(r) {
                    out[c] += a * w;
                }
            }
        }
    }
}

/// The input of a product: a row-major matrix, or the non-zero entries of its rows.
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    /// `rows` rows of the matrix's row count.
    Dense {
        matrix: &'a [f64],
        rows: usize,
    },
    Entries(&'a RowEntries),
}

impl Input<'_> {
    /// Returns the number of rows.
    fn rows(&self) -> usize {
        match self {
            Input::Dense { rows, .. } => *rows,
            Input::Entries(entries) => entries.rows(),
        }
    }
}
