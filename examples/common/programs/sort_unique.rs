//! `sort_unique`: the tokens sorted ascending, for inputs whose tokens are all different.
//!
//! The program is written once, generic over its spaces ([`SortUniqueSpaces`]), and declared
//! at three sizes:
//!
//! - [`small`]: the reference's tokens 1 to 4, maximum length 5;
//! - [`large`]: the same tokens, maximum length 128;
//! - [`hundred`]: tokens 0 to 99, maximum length 100.
//!
//! Where two tokens are equal, both get the same target position and the output is undefined.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalAttention, SelectorWidth};
use handcraft::{Dir, Disjoint, Series, Space, Subspace};

/// The spaces of a `sort_unique` model and the relations between them that its blocks need.
pub trait SortUniqueSpaces {
    /// The maximum number of tokens after BOS.
    const MAX_SEQ_LEN: usize;
    /// The selector width's large number: `Some` to build the reference's weights, `None` to
    /// let the building block choose one that is exact for every width.
    const LARGE_NUMBER: Option<f64>;

    /// The residual stream: every space below.
    type Residual: Space;
    /// The vocabulary without BOS: numbers, which are the sort keys.
    type Vocab: Subspace<Self::Residual>;
    /// The BOS token.
    type Bos: Subspace<Self::Residual> + Disjoint<Self::One>;
    /// Every token id of the model: the vocabulary, BOS and any other token.
    type Tokens: Subspace<Self::Residual>;
    /// Positions `0..MAX_SEQ_LEN`.
    type Indices: Subspace<Self::Residual>;
    /// The constant direction `one`.
    type One: Subspace<Self::Residual>;
    /// The number of smaller tokens, `0..=MAX_SEQ_LEN`: where each token goes.
    type TargetPosition: Subspace<Self::Residual>;
    /// The selector width's attention output.
    type TargetAttention: Subspace<Self::Residual>
        + Disjoint<Self::TargetPosition>
        + Disjoint<Self::Bos>
        + Disjoint<Self::One>;
    /// The output: the vocabulary's values.
    type Sorted: Subspace<Self::Residual>;
}

/// Builds the model in two layers: each token's target position, the number of smaller
/// tokens (selector width), then a head in which position `i` reads the token whose target
/// position is `i`.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build<S: SortUniqueSpaces>() -> Result<Model<S::Residual>, Box<dyn std::error::Error>> {
    let mut target_position = SelectorWidth::<
        S::Vocab,
        S::Vocab,
        S::TargetPosition,
        S::TargetAttention,
        S::Bos,
        S::One,
    >::categorical(
        |query, key| match (query.value_f64(), key.value_f64()) {
            (Some(query), Some(key)) => key < query,
            _ => false,
        },
        S::MAX_SEQ_LEN,
    )
    .label("target_pos_3");
    if let Some(large_number) = S::LARGE_NUMBER {
        target_position = target_position.large_number(large_number);
    }

    let gather = CategoricalAttention::<
        S::Indices,
        S::TargetPosition,
        S::Vocab,
        S::Sorted,
        S::Bos,
        S::One,
    >::new(|index, target| index.value_i64() == target.value_i64())
    .build::<S::Residual>()?;

    let series = Series::new()
        .then(target_position.build::<S::Residual>()?)
        .then(gather);
    let model = Model::builder(series)
        .tokens::<S::Tokens>(Dir::with_value("BOS")?)
        .indices::<S::Indices>()
        .categorical_output::<S::Sorted>()
        .build()?;
    Ok(model)
}

/// Implements [`SortUniqueSpaces`] for `Spaces` with the spaces of the enclosing module.
macro_rules! sort_unique_spaces {
    (max_seq_len: $max_seq_len:expr, large_number: $large_number:expr) => {
        /// The spaces above.
        pub struct Spaces;

        impl super::SortUniqueSpaces for Spaces {
            const MAX_SEQ_LEN: usize = $max_seq_len;
            const LARGE_NUMBER: Option<f64> = $large_number;
            type Residual = Residual;
            type Vocab = Vocab;
            type Bos = Bos;
            type Tokens = Tokens;
            type Indices = Indices;
            type One = One;
            type TargetPosition = TargetPosition;
            type TargetAttention = TargetAttention;
            type Sorted = Sorted;
        }
    };
}

/// The reference's sizes: tokens 1 to 4 (and `PAD`), maximum length 5.
pub mod small {
    handcraft::spaces! {
        pub space Vocab = tokens: {1, 2, 3, 4};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..5;
        pub space One = one;
        pub space TargetPosition = target_pos_3: 0..=5;
        pub space TargetAttention = target_pos_3_selector_width_attn_output;
        pub space Sorted = sort_1: {1, 2, 3, 4};
        pub space Residual =
            Tokens | Indices | One | TargetPosition | TargetAttention | Sorted;
    }

    // The reference's large number decodes widths up to 5 exactly.
    sort_unique_spaces!(max_seq_len: 5, large_number: Some(100.0));
}

/// Tokens 1 to 4 (and `PAD`), maximum length 128: only inputs of at most 4 tokens can be
/// all different.
pub mod large {
    handcraft::spaces! {
        pub space Vocab = tokens: {1, 2, 3, 4};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..128;
        pub space One = one;
        pub space TargetPosition = target_pos_3: 0..=128;
        pub space TargetAttention = target_pos_3_selector_width_attn_output;
        pub space Sorted = sort_1: {1, 2, 3, 4};
        pub space Residual =
            Tokens | Indices | One | TargetPosition | TargetAttention | Sorted;
    }

    // The reference's 100 cannot separate widths this large.
    sort_unique_spaces!(max_seq_len: 128, large_number: None);
}

/// Tokens 0 to 99 (and `PAD`), maximum length 100.
pub mod hundred {
    handcraft::spaces! {
        pub space Vocab = tokens: 0..100;
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..100;
        pub space One = one;
        pub space TargetPosition = target_pos_3: 0..=100;
        pub space TargetAttention = target_pos_3_selector_width_attn_output;
        pub space Sorted = sort_1: 0..100;
        pub space Residual =
            Tokens | Indices | One | TargetPosition | TargetAttention | Sorted;
    }

    sort_unique_spaces!(max_seq_len: 100, large_number: None);
}
