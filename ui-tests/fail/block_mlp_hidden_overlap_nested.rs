//! A third MLP combined in parallel with a pair whose second member's hidden space it repeats:
//! disjointness is checked against every member of the pair.

use handcraft::{Linear, Mlp};

handcraft::spaces! {
    space X = x;
    space First = first: 0..2;
    space Second = second: 0..2;
}

type Residual = X;

fn mlp<H: handcraft::Space>() -> Mlp<Residual, H> {
    Mlp::new(Linear::<X, H>::zeros(), Linear::<H, X>::zeros())
}

fn main() {
    let pair = mlp::<First>().combine_in_parallel(mlp::<Second>());
    let _triple = pair.combine_in_parallel(mlp::<Second>());
}
