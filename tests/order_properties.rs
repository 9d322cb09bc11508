//! Property tests: the direction order is total and consistent with equality, and projection
//! round-trips through a larger space.

use std::cmp::Ordering;

use handcraft::{BasisDirection, Name, Sequence, Value};
use proptest::prelude::*;

fn value_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (-20i64..20).prop_map(Value::Int),
        (-20.0f64..20.0).prop_map(Value::Float),
        prop_oneof![Just(0.5), Just(1.0), Just(10.0), Just(-0.0)].prop_map(Value::Float),
        any::<bool>().prop_map(Value::Bool),
        "[a-c0-9\\-9~(]{0,3}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop::collection::vec(inner, 0..3).prop_map(Value::Tuple)
    })
}

fn direction_strategy() -> impl Strategy<Value = BasisDirection> {
    let name = prop_oneof![
        "[a-c1]{1,2}".prop_map(Name::Str),
        (-3i64..12).prop_map(Name::Int),
    ];
    (name, prop::option::of(value_strategy()))
        .prop_map(|(name, value)| BasisDirection { name, value })
}

proptest! {
    #[test]
    fn order_is_antisymmetric_and_consistent_with_equality(
        a in direction_strategy(),
        b in direction_strategy(),
    ) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
    }

    #[test]
    fn order_is_transitive(
        a in direction_strategy(),
        b in direction_strategy(),
        c in direction_strategy(),
    ) {
        let mut sorted = [a, b, c];
        sorted.sort();
        prop_assert!(sorted[0] <= sorted[1]);
        prop_assert!(sorted[1] <= sorted[2]);
        prop_assert!(sorted[0] <= sorted[2]);
    }

    #[test]
    fn sorting_ignores_input_order(
        mut directions in prop::collection::vec(direction_strategy(), 0..8),
        seed in any::<u64>(),
    ) {
        let mut first = directions.clone();
        first.sort();
        // A deterministic shuffle driven by the seed.
        let len = directions.len();
        for i in (1..len).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            directions.swap(i, j);
        }
        directions.sort();
        prop_assert_eq!(first, directions);
    }

    #[test]
    fn restrict_after_embed_is_identity(
        entries in prop::collection::vec(-1e6f64..1e6, 3 * 4),
    ) {
        let rows: Vec<&[f64]> = entries.chunks(3).collect();
        let tokens = Sequence::<Tokens>::from_rows(&rows).unwrap();
        let round_trip = tokens.embed::<Residual>().restrict::<Tokens>();
        prop_assert_eq!(round_trip, tokens);
    }
}

handcraft::spaces! {
    space Tokens = tokens: {"a", "b", "c"};
    space Indices = indices: 0..4;
    space One = one;
    space Residual = Tokens | Indices | One;
}
