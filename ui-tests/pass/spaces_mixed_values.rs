//! Values of every supported type in one space, and how numbers of different types compare:
//! `1`, `1.0` and `true` are one value, as in Python.

use handcraft::{Disjoint, Space, Subspace};

handcraft::spaces! {
    pub space Mixed = v: {
        "a", 2, -3, 0.5, -2.5, 1e-5, false, 9223372036854775807, -9223372036854775808,
        (1, "a"), (2.5, (true, "b")), (7,), (),
    };
    pub space Ints = v: {1, 2};
    pub space Floats = v: {1.0, 2.0};
    pub space Bools = v: {true};
    pub space Fractions = v: {0.5, 0.25};
    pub space Sum = Mixed + Bools;
}

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}
fn assert_disjoint<A: Disjoint<B>, B: Space>() {}

fn main() {
    assert_eq!(Mixed::DIM, 13);
    assert_eq!(Sum::DIM, 14);

    // Equal numbers of different types are one direction.
    assert_subspace::<Ints, Floats>();
    assert_subspace::<Floats, Ints>();
    assert_subspace::<Bools, Ints>();
    // Mixed has `false`, which is 0, but not `true`, so the direct sum with Bools is valid.
    assert_disjoint::<Mixed, Bools>();
    assert_subspace::<Bools, Sum>();
    assert_disjoint::<Ints, Fractions>();

    let _ = (Mixed::basis(), Sum::basis(), Floats::basis());
}
