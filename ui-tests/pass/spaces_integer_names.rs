//! Integer direction names, which the reference allows, next to string names: the integer name
//! `1` and the string name `"1"` are different directions.

use handcraft::{Disjoint, Space, Subspace};

handcraft::spaces! {
    pub space IntNames = {1, 2, -3};
    pub space StrNames = {"1", "2"};
    pub space Layers = 0: {"attn", "mlp"};
    pub space Negative = -1: 0..4;
    pub space All = IntNames + StrNames + Layers + Negative;
}

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}
fn assert_disjoint<A: Disjoint<B>, B: Space>() {}

fn main() {
    assert_eq!(IntNames::DIM, 3);
    assert_eq!(All::DIM, 3 + 2 + 2 + 4);
    assert_disjoint::<IntNames, StrNames>();
    assert_subspace::<Negative, All>();
    let _ = All::basis();
}
