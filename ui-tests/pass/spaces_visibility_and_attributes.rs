//! Spaces declared in a module with each kind of visibility, with doc comments and other
//! attributes, and used from outside the module.

mod model {
    handcraft::spaces! {
        /// The input tokens.
        #[allow(missing_docs)]
        pub space Tokens = tokens: {"a", "b"};
        pub(crate) space One = one;
        space Hidden = hidden: 0..4;
        pub space Residual = Tokens | One | Hidden;
        pub space r#Raw = r#type;
    }

    pub fn hidden_dim() -> usize {
        <Hidden as handcraft::Space>::DIM
    }
}

use handcraft::{Space, Subspace};

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}

fn main() {
    assert_subspace::<model::Tokens, model::Residual>();
    assert_subspace::<model::One, model::Residual>();
    assert_eq!(model::Residual::DIM, 2 + 1 + 4);
    assert_eq!(model::hidden_dim(), 4);
    assert_eq!(model::Raw::DIM, 1);
}
