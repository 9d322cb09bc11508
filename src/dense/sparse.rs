//! Matrices stored as the non-zero entries of each row, and their product with a residual.
//!
//! Handcrafted weights are mostly projections and lookup tables, so most entries are zero;
//! skipping them, and the zero entries of the residual, is exact for finite values.

/// A `[rows, columns]` matrix stored row by row as its non-zero `(column, value)` entries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SparseRows {
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
    columns: usize,
}

impl SparseRows {
    /// Compresses a row-major `[rows, columns]` matrix.
    pub fn from_row_major(matrix: &[f64], rows: usize, columns: usize) -> SparseRows {
        let mut starts = Vec::with_capacity(rows + 1);
        let mut entries = Vec::new();
        starts.push(0);
        for r in 0..rows {
            let row = &matrix[r * columns..(r + 1) * columns];
            entries.extend(
                row.iter()
                    .enumerate()
                    .filter(|(_, &value)| value != 0.0)
                    .map(|(c, &value)| (c, value)),
            );
            starts.push(entries.len());
        }
        SparseRows {
            starts,
            entries,
            columns,
        }
    }

    /// Returns the number of rows.
    pub fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// Returns the non-zero entries of row `r`.
    pub fn row(&self, r: usize) -> &[(usize, f64)] {
        &self.entries[self.starts[r]..self.starts[r + 1]]
    }

    /// Returns the rows with a non-zero entry.
    pub fn nonzero_rows(&self) -> Vec<usize> {
        (0..self.rows())
            .filter(|&r| !self.row(r).is_empty())
            .collect()
    }

    /// Returns the columns with a non-zero entry, in order.
    pub fn nonzero_columns(&self) -> Vec<usize> {
        let mut used = vec![false; self.columns];
        for &(c, _) in &self.entries {
            used[c] = true;
        }
        (0..self.columns).filter(|&c| used[c]).collect()
    }

    /// Returns `x·self + bias` for a row-major `x: [t, self.rows()]`, as `[t, columns]`.
    pub fn left_multiply(&self, x: &[f64], t: usize, bias: Option<&[f64]>) -> Vec<f64> {
        let (rows, columns) = (self.rows(), self.columns);
        let mut y = vec![0.0; t * columns];
        for position in 0..t {
            let out = &mut y[position * columns..(position + 1) * columns];
            if let Some(bias) = bias {
                out.copy_from_slice(bias);
            }
            for (r, &a) in x[position * rows..(position + 1) * rows].iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for &(c, w) in self.row(r) {
                    out[c] += a * w;
                }
            }
        }
        y
    }
}
