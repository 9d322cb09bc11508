//! Two MLPs combined in parallel whose hidden spaces share the direction `h1:1`, as in the
//! reference's fixture `mlp_combine_in_parallel_overlap`, where the reference merges the two
//! neurons into one and computes the wrong output.

use handcraft::{Linear, Mlp};

handcraft::spaces! {
    space In01 = in: 0..2;
    space In1 = in: {1};
    space One = one;
    space In1One = In1 | One;
    space OutPq = out: {"p", "q"};
    space OutQr = out: {"q", "r"};
    space H1 = h1: 0..2;
    space H1Shared = h1: {1};
    space H2 = h2: 0..2;
    space H1SharedH2 = H1Shared | H2;
    space Residual = In01 | One | OutPq | OutQr;
}

fn main() {
    let first = Mlp::<Residual, H1>::new(Linear::<In01, H1>::zeros(), Linear::<H1, OutPq>::zeros());
    let second = Mlp::<Residual, H1SharedH2>::new(
        Linear::<In1One, H1SharedH2>::zeros(),
        Linear::<H1SharedH2, OutQr>::zeros(),
    );
    let _both = first.combine_in_parallel(second);
}
