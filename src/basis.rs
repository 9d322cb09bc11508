//! Run-time bases: sorted sets of distinct basis directions, with join, direct sum and projection.

use std::fmt;
use std::sync::Arc;

use nalgebra::DMatrix;

use crate::direction::BasisDirection;
use crate::error::Error;

/// A sorted set of distinct basis directions: the basis of a vector space.
///
/// Cloning is cheap (the directions are shared). Every declared space type exposes its basis
/// through [`crate::Space::basis`]; blocks whose hidden spaces are sized from data at build
/// time hold a `Basis` directly.
///
/// ```
/// use handcraft::{Basis, BasisDirection};
///
/// let tokens = Basis::new(["b", "a"].map(|v| BasisDirection::with_value("tokens", v)))?;
/// let one = Basis::new([BasisDirection::new("one")])?;
/// let joined = Basis::join([&tokens, &one, &tokens]);
/// let labels: Vec<String> = joined.iter().map(|d| d.to_string()).collect();
/// assert_eq!(labels, ["one", "tokens:a", "tokens:b"]);
/// # Ok::<(), handcraft::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Basis {
    directions: Arc<[BasisDirection]>,
}

impl Basis {
    /// Creates a basis from directions in any order.
    ///
    /// # Errors
    /// [`Error::DuplicateDirection`] when two directions are equal, [`Error::NanValue`] when a
    /// value is a NaN float.
    pub fn new(directions: impl IntoIterator<Item = BasisDirection>) -> Result<Self, Error> {
        let mut directions: Vec<BasisDirection> = directions.into_iter().collect();
        if let Some(bad) = directions.iter().find(|d| d.has_nan()) {
            return Err(Error::NanValue {
                direction: bad.to_string(),
            });
        }
        directions.sort();
        if let Some(pair) = directions.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::DuplicateDirection {
                direction: pair[1].to_string(),
            });
        }
        Ok(Basis {
            directions: directions.into(),
        })
    }

    /// Creates a basis from directions that `spaces!` has already checked to be distinct.
    #[doc(hidden)]
    pub fn from_declared(mut directions: Vec<BasisDirection>) -> Self {
        directions.sort();
        directions.dedup();
        Basis {
            directions: directions.into(),
        }
    }

    /// Creates the basis `name:v` for every value `v`.
    ///
    /// # Errors
    /// As [`Basis::new`].
    pub fn categorical<V: Into<crate::Value>>(
        name: impl Into<crate::Name>,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Self, Error> {
        let name = name.into();
        Basis::new(
            values
                .into_iter()
                .map(|v| BasisDirection::with_value(name.clone(), v)),
        )
    }

    /// Returns the sorted union of the bases; shared directions appear once.
    pub fn join<'a>(bases: impl IntoIterator<Item = &'a Basis>) -> Basis {
        let directions: Vec<BasisDirection> =
            bases.into_iter().flat_map(|b| b.iter().cloned()).collect();
        Basis::from_declared(directions)
    }

    /// Returns the sorted union of bases that share no direction.
    ///
    /// # Errors
    /// [`Error::Overlap`] naming the first shared direction.
    pub fn direct_sum<'a>(bases: impl IntoIterator<Item = &'a Basis>) -> Result<Basis, Error> {
        let mut directions: Vec<BasisDirection> =
            bases.into_iter().flat_map(|b| b.iter().cloned()).collect();
        directions.sort();
        if let Some(pair) = directions.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::Overlap {
                direction: pair[1].to_string(),
            });
        }
        Ok(Basis {
            directions: directions.into(),
        })
    }

    /// Returns the number of directions.
    pub fn dim(&self) -> usize {
        self.directions.len()
    }

    /// Returns whether the basis has no direction.
    pub fn is_empty(&self) -> bool {
        self.directions.is_empty()
    }

    /// Returns the directions in sorted order.
    pub fn directions(&self) -> &[BasisDirection] {
        &self.directions
    }

    /// Iterates over the directions in sorted order.
    pub fn iter(&self) -> std::slice::Iter<'_, BasisDirection> {
        self.directions.iter()
    }

    /// Returns the position of `direction`, if the basis has it.
    pub fn index_of(&self, direction: &BasisDirection) -> Option<usize> {
        self.directions.binary_search(direction).ok()
    }

    /// Returns whether the basis has `direction`.
    pub fn contains(&self, direction: &BasisDirection) -> bool {
        self.index_of(direction).is_some()
    }

    /// Returns whether every direction of `self` is in `other`.
    pub fn is_subspace_of(&self, other: &Basis) -> bool {
        self.iter().all(|d| other.contains(d))
    }

    /// Returns the text forms of the directions, in order.
    pub fn labels(&self) -> Vec<String> {
        self.iter().map(ToString::to_string).collect()
    }

    /// Returns, for each direction of `target`, its position in `self` if `self` has it.
    ///
    /// This table is projection: target entries without a source position are zero.
    pub fn positions_in(&self, target: &Basis) -> Vec<Option<usize>> {
        target.iter().map(|d| self.index_of(d)).collect()
    }

    /// Returns the projection matrix `[self.dim(), target.dim()]`: 1 where the row direction
    /// equals the column direction, else 0.
    pub fn projection_matrix(&self, target: &Basis) -> DMatrix<f64> {
        let mut matrix = DMatrix::zeros(self.dim(), target.dim());
        for (column, row) in self.positions_in(target).into_iter().enumerate() {
            if let Some(row) = row {
                matrix[(row, column)] = 1.0;
            }
        }
        matrix
    }
}

impl fmt::Debug for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(ToString::to_string))
            .finish()
    }
}

impl fmt::Display for Basis {
    /// Writes the labels as `{tokens:a, tokens:b}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, direction) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{direction}")?;
        }
        f.write_str("}")
    }
}

impl<'a> IntoIterator for &'a Basis {
    type Item = &'a BasisDirection;
    type IntoIter = std::slice::Iter<'a, BasisDirection>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
