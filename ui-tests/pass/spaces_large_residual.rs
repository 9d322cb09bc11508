//! A residual of more than 1,024 directions: indices over a long context joined with tokens and
//! `one`. Only spaces of at most 1,024 directions get a `TypenumDim` impl.

use handcraft::__private::{nalgebra, typenum};
use handcraft::{Disjoint, Space, Subspace, TypenumDim};

handcraft::spaces! {
    pub space Tokens = tokens: {"a", "b", "c", "BOS"};
    pub space Indices = indices: 0..1024;
    pub space Negative = indices: -8..=-1;
    pub space One = one;
    pub space Residual = Tokens | Indices | Negative | One;
    pub space Wide = wide: 0..100000;
}

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}
fn assert_disjoint<A: Disjoint<B>, B: Space>() {}

fn main() {
    assert_eq!(Indices::DIM, 1024);
    assert_eq!(Residual::DIM, 4 + 1024 + 8 + 1);
    assert_eq!(Wide::DIM, 100_000);
    let _: <Residual as Space>::Dim = nalgebra::Const::<1037>;
    assert_eq!(
        <<Indices as TypenumDim>::TDim as typenum::Unsigned>::USIZE,
        1024
    );

    assert_subspace::<Indices, Residual>();
    assert_subspace::<Negative, Residual>();
    assert_disjoint::<Indices, Negative>();
    assert_disjoint::<Wide, Residual>();

    let _ = (Residual::basis(), Wide::basis());
}
