//! A residual stream built from tokens, indices, the `one` direction and a numerical space, and
//! a copy of it, with the subspace, disjointness and dimension facts that code built on them
//! relies on.

use handcraft::__private::{nalgebra, typenum};
use handcraft::{Disjoint, Numerical, Space, Subspace, TypenumDim};

handcraft::spaces! {
    /// The input tokens.
    pub space Tokens = tokens: {"a", "b", "c"};
    pub space Bos = tokens: {"BOS"};
    pub space Indices = indices: 0..8;
    pub space One = one;
    pub numerical space Frac = frac_prevs;
    /// Everything the model reads and writes, declared before some of its parts.
    pub space Residual = Tokens | Bos | Indices | One | Frac | Input;
    pub space Input = Tokens + Bos;
    pub space Names = {a, b, "c d", 3};
    /// A copy: a distinct type with the directions of Residual.
    pub space OtherResidual = Residual;
}

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}
fn assert_disjoint<A: Disjoint<B>, B: Space>() {}
fn assert_numerical<S: Numerical>() {}

fn main() {
    assert_eq!(Tokens::DIM, 3);
    assert_eq!(Indices::DIM, 8);
    assert_eq!(Input::DIM, 4);
    assert_eq!(Names::DIM, 4);
    // Input's directions are already in Tokens and Bos, so the join counts them once.
    assert_eq!(Residual::DIM, 3 + 1 + 8 + 1 + 1);

    let _: <Residual as Space>::Dim = nalgebra::Const::<14>;
    assert_eq!(
        <<Residual as TypenumDim>::TDim as typenum::Unsigned>::USIZE,
        14
    );

    assert_subspace::<Tokens, Residual>();
    assert_subspace::<Input, Residual>();
    assert_subspace::<Tokens, Input>();
    assert_subspace::<Residual, Residual>();
    assert_subspace::<Frac, Residual>();
    assert_disjoint::<Tokens, Bos>();
    assert_disjoint::<Indices, One>();
    assert_disjoint::<Names, Residual>();
    assert_numerical::<Frac>();
    assert_eq!(OtherResidual::DIM, Residual::DIM);
    assert_subspace::<Residual, OtherResidual>();
    assert_subspace::<OtherResidual, Residual>();

    // The bases are built on first use, and building them must not panic.
    assert!(std::ptr::eq(Residual::basis(), Residual::basis()));
    let _ = (
        Tokens::basis(),
        Input::basis(),
        Names::basis(),
        Frac::basis(),
    );

    // The structs are plain unit types.
    assert_eq!(Tokens, Tokens::default());
    assert_eq!(format!("{Tokens:?}"), "Tokens");
}
