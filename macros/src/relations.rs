//! Subspace and disjointness between the spaces of one block, computed from their directions.
//!
//! Every distinct direction of the block gets a small integer id through one hash map, and
//! every space becomes a bit set over those ids. A pair of spaces is then checked in time
//! linear in the smaller space, so a block of 50 spaces with residuals of thousands of
//! directions stays fast.

use std::collections::HashMap;

use crate::direction::Direction;

/// The relations between the spaces of a block, as pairs of indices into its spaces.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Relations {
    /// `(x, y)` for every ordered pair where every direction of `x` is in `y`, `x == y`
    /// included.
    pub subspaces: Vec<(usize, usize)>,
    /// `(x, y)` for every ordered pair `x != y` with no direction in common.
    pub disjoint: Vec<(usize, usize)>,
}

/// The directions of one space as ids, both as a list and as a bit set.
struct IdSet {
    ids: Vec<usize>,
    bits: Vec<u64>,
}

impl IdSet {
    fn contains(&self, id: usize) -> bool {
        self.bits[id / 64] & (1 << (id % 64)) != 0
    }

    fn is_subset_of(&self, other: &IdSet) -> bool {
        self.ids.len() <= other.ids.len() && self.ids.iter().all(|&id| other.contains(id))
    }

    fn is_disjoint_from(&self, other: &IdSet) -> bool {
        let (small, large) = if self.ids.len() <= other.ids.len() {
            (self, other)
        } else {
            (other, self)
        };
        !small.ids.iter().any(|&id| large.contains(id))
    }
}

/// Computes which spaces are subspaces of which, and which are disjoint. Each space's
/// directions must be distinct under Python equality.
pub(crate) fn relations(spaces: &[&[Direction]]) -> Relations {
    let mut id_by_key = HashMap::new();
    let id_lists: Vec<Vec<usize>> = spaces
        .iter()
        .map(|directions| {
            directions
                .iter()
                .map(|direction| {
                    let next_id = id_by_key.len();
                    *id_by_key.entry(direction.key()).or_insert(next_id)
                })
                .collect()
        })
        .collect();

    let words = id_by_key.len().div_ceil(64);
    let sets: Vec<IdSet> = id_lists
        .into_iter()
        .map(|ids| {
            let mut bits = vec![0u64; words];
            for &id in &ids {
                bits[id / 64] |= 1 << (id % 64);
            }
            IdSet { ids, bits }
        })
        .collect();

    let mut relations = Relations::default();
    for (x, x_set) in sets.iter().enumerate() {
        for (y, y_set) in sets.iter().enumerate() {
            if x_set.is_subset_of(y_set) {
                relations.subspaces.push((x, y));
            }
            if x != y && x_set.is_disjoint_from(y_set) {
                relations.disjoint.push((x, y));
            }
        }
    }
    relations
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direction::{Name, Value};

    fn values(name: &str, values: impl IntoIterator<Item = Value>) -> Vec<Direction> {
        values
            .into_iter()
            .map(|value| Direction::with_value(Name::Str(name.into()), value))
            .collect()
    }

    fn strings(name: &str, items: &[&str]) -> Vec<Direction> {
        values(name, items.iter().map(|s| Value::Str((*s).to_owned())))
    }

    #[test]
    fn join_contains_its_operands() {
        let tokens = strings("tokens", &["a", "b"]);
        let one = vec![Direction::named(Name::Str("one".into()))];
        let residual: Vec<Direction> = tokens.iter().chain(&one).cloned().collect();
        let relations = relations(&[&tokens, &one, &residual]);

        assert_eq!(
            relations.subspaces,
            vec![(0, 0), (0, 2), (1, 1), (1, 2), (2, 2)]
        );
        assert_eq!(relations.disjoint, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn equal_numbers_count_as_shared() {
        let ints = values("v", [Value::Int(1), Value::Int(2)]);
        let floats = values("v", [Value::Float(1.0), Value::Float(2.0)]);
        let bools = values("v", [Value::Bool(true)]);
        let relations = relations(&[&ints, &floats, &bools]);

        assert!(relations.subspaces.contains(&(0, 1)));
        assert!(relations.subspaces.contains(&(1, 0)));
        assert!(relations.subspaces.contains(&(2, 0)));
        assert!(relations.disjoint.is_empty());
    }

    #[test]
    fn partial_overlap_is_neither() {
        let ab = strings("t", &["a", "b"]);
        let bc = strings("t", &["b", "c"]);
        let relations = relations(&[&ab, &bc]);

        assert_eq!(relations.subspaces, vec![(0, 0), (1, 1)]);
        assert!(relations.disjoint.is_empty());
    }

    #[test]
    fn empty_space_is_subspace_of_all() {
        let empty = Vec::new();
        let tokens = strings("tokens", &["a"]);
        let relations = relations(&[&empty, &tokens]);

        assert_eq!(relations.subspaces, vec![(0, 0), (0, 1), (1, 1)]);
        assert_eq!(relations.disjoint, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn large_residual_is_fast() {
        // 50 spaces over a 20,000-direction residual: 2,500 pairs.
        let indices = values("indices", (0..20_000).map(Value::Int));
        let mut spaces: Vec<Vec<Direction>> = (0..48)
            .map(|i| values("indices", (i * 100..i * 100 + 100).map(Value::Int)))
            .collect();
        spaces.push(strings("tokens", &["a"]));
        spaces.push(indices);
        let slices: Vec<&[Direction]> = spaces.iter().map(Vec::as_slice).collect();

        let start = std::time::Instant::now();
        let relations = relations(&slices);
        let elapsed = start.elapsed();

        assert!(relations.subspaces.contains(&(47, 49)));
        assert!(!relations.subspaces.contains(&(48, 49)));
        assert!(relations.disjoint.contains(&(0, 1)));
        assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    }
}
