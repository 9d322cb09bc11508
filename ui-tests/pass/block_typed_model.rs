//! A small model built with every typed block: heads, a multi-head, MLPs combined in parallel
//! (declared hidden spaces, nested pairs and private hidden units), and a series that appends
//! another series.

use handcraft::block::MlpParts;
use handcraft::nalgebra::DMatrix;
use handcraft::{
    AttentionHead, Basis, BasisDirection, Disjoint, Linear, Mlp, MultiAttentionHead, PrivateHidden,
    ScalarBilinear, Sequence, Series,
};

handcraft::spaces! {
    space Indices = indices: 0..4;
    space Tokens = tokens: {"a", "b"};
    space Copied = copied: {"a", "b"};
    space One = one;
    space First = first: 0..2;
    space Second = second: 0..3;
    space Third = third: 0..1;
    space Residual = Indices | Tokens | Copied | One;
}

/// Compiles only when `A` and `B` are disjoint hidden types.
fn assert_disjoint<A: Disjoint<B>, B>() {}

fn mlp<H: handcraft::Space>() -> Mlp<Residual, H> {
    Mlp::new(
        Linear::<Tokens, H>::from_fn(|_, _| 1.0),
        Linear::<H, Copied>::from_fn(|_, _| 0.5),
    )
}

fn private_mlp() -> Mlp<Residual, PrivateHidden> {
    let one = Basis::new([BasisDirection::new("one")]).expect("one direction");
    Mlp::from_parts(MlpParts {
        input: one.clone(),
        hidden: vec![BasisDirection::with_value("first", 0)],
        output: one,
        fst: DMatrix::from_element(1, 1, 1.0),
        snd: DMatrix::from_element(1, 1, 0.0),
    })
    .expect("parts fit the residual")
}

fn main() {
    assert_disjoint::<First, Second>();
    assert_disjoint::<(First, Second), Third>();
    assert_disjoint::<Third, (First, Second)>();
    assert_disjoint::<PrivateHidden, PrivateHidden>();
    assert_disjoint::<First, PrivateHidden>();
    assert_disjoint::<PrivateHidden, (First, Second)>();
    assert_disjoint::<(First, PrivateHidden), (Second, PrivateHidden)>();

    let head = || {
        AttentionHead::<Residual>::new(
            ScalarBilinear::<Indices, Indices>::zeros(),
            Linear::<Tokens, Copied>::from_fn(
                |t, c| if t.value() == c.value() { 1.0 } else { 0.0 },
            ),
            true,
        )
    };
    let layer = MultiAttentionHead::new([head()]).with(MultiAttentionHead::new([head(), head()]));
    assert_eq!(layer.head_count(), 3);

    let combined: Mlp<Residual, (((First, Second), Third), PrivateHidden)> = mlp::<First>()
        .combine_in_parallel(mlp::<Second>())
        .combine_in_parallel(mlp::<Third>())
        .combine_in_parallel(private_mlp());
    assert_eq!(combined.parts().hidden.len(), 2 + 3 + 1 + 1);

    let tail = Series::new().then(head()).then(mlp::<First>());
    let series = Series::<Residual>::new()
        .then(layer)
        .then(combined)
        .then(tail);
    assert_eq!(series.len(), 4);

    let input = Sequence::<Residual>::from_fn(3, |_, d| if d.index() == 0 { 1.0 } else { 0.0 });
    let evaluation = series.evaluate(&input).expect("finite input");
    assert_eq!(evaluation.blocks().len(), 4);
}
