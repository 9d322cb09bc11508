//! `frac_prevs`: at each position `i`, the fraction of positions up to `i` that hold the token
//! `x`, as a number.
//!
//! The program is written once, generic over its spaces ([`FracPrevsSpaces`]), and declared at
//! two sizes: [`small`] (the reference's vocabulary and maximum length 6) and [`large`]
//! (maximum length 128).
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalAttention, CategoricalToNumericalMlp};
use handcraft::{Dir, Disjoint, Numerical, Series, Space, Subspace};

/// The token whose fraction the program computes.
pub const COUNTED_TOKEN: &str = "x";

/// The spaces of a `frac_prevs` model and the relations between them that its blocks need.
pub trait FracPrevsSpaces {
    /// The residual stream: every space below.
    type Residual: Space;
    /// The vocabulary without BOS.
    type Vocab: Subspace<Self::Residual>;
    /// The BOS token.
    type Bos: Subspace<Self::Residual> + Disjoint<Self::One>;
    /// Every token id of the model: the vocabulary, BOS and any other token.
    type Tokens: Subspace<Self::Residual>;
    /// Positions `0..max_seq_len`.
    type Indices: Subspace<Self::Residual>;
    /// The constant direction `one`.
    type One: Subspace<Self::Residual>;
    /// 1 where the token is [`COUNTED_TOKEN`], else 0.
    type IsCounted: Subspace<Self::Residual> + Numerical;
    /// The output.
    type Fraction: Subspace<Self::Residual> + Numerical;
}

/// Builds the model in two layers: a 0/1 flag for the counted token (MLP), then a head in which
/// position `i` attends to every position up to `i` and reads the flag's mean.
///
/// `causal` masks every later key in the head. The head selects no later key anyway, so the
/// outputs are the same either way, but a causal export declares the mask.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build<S: FracPrevsSpaces>(
    causal: bool,
) -> Result<Model<S::Residual>, Box<dyn std::error::Error>> {
    let is_counted = CategoricalToNumericalMlp::<S::Vocab, S::IsCounted>::new(|token| {
        if token.value_str() == Some(COUNTED_TOKEN) {
            1.0
        } else {
            0.0
        }
    })
    .build::<S::Residual>()?;

    let mean_up_to_query = CategoricalAttention::<
        S::Indices,
        S::Indices,
        S::IsCounted,
        S::Fraction,
        S::Bos,
        S::One,
    >::new(|query, key| match (query.value_i64(), key.value_i64()) {
        (Some(query), Some(key)) => key <= query,
        _ => false,
    })
    .causal(causal)
    .build::<S::Residual>()?;

    let series = Series::new().then(is_counted).then(mean_up_to_query);
    let model = Model::builder(series)
        .tokens::<S::Tokens>(Dir::with_value("BOS")?)
        .indices::<S::Indices>()
        .numerical_output::<S::Fraction>()
        .build()?;
    Ok(model)
}

/// The reference's sizes: tokens `x`, `y`, `z` (and `PAD`), maximum length 6.
pub mod small {
    handcraft::spaces! {
        pub space Vocab = tokens: {"x", "y", "z"};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..6;
        pub space One = one;
        pub numerical space IsCounted = map_3;
        pub numerical space Fraction = frac_prevs_1;
        pub space Residual = Tokens | Indices | One | IsCounted | Fraction;
    }

    /// The spaces above.
    pub struct Spaces;

    impl super::FracPrevsSpaces for Spaces {
        type Residual = Residual;
        type Vocab = Vocab;
        type Bos = Bos;
        type Tokens = Tokens;
        type Indices = Indices;
        type One = One;
        type IsCounted = IsCounted;
        type Fraction = Fraction;
    }
}

/// Tokens `x`, `y`, `z` (and `PAD`), maximum length 128.
pub mod large {
    handcraft::spaces! {
        pub space Vocab = tokens: {"x", "y", "z"};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..128;
        pub space One = one;
        pub numerical space IsCounted = map_3;
        pub numerical space Fraction = frac_prevs_1;
        pub space Residual = Tokens | Indices | One | IsCounted | Fraction;
    }

    /// The spaces above.
    pub struct Spaces;

    impl super::FracPrevsSpaces for Spaces {
        type Residual = Residual;
        type Vocab = Vocab;
        type Bos = Bos;
        type Tokens = Tokens;
        type Indices = Indices;
        type One = One;
        type IsCounted = IsCounted;
        type Fraction = Fraction;
    }
}
