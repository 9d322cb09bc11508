//! `hist`: at each position, the number of positions holding the same token, as a category.
//!
//! The program is written once, generic over its spaces ([`HistSpaces`]), and declared at two
//! sizes: [`small`] (the reference's vocabulary and maximum length 5) and [`large`] (maximum
//! length 128).
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::SelectorWidth;
use handcraft::{Dir, Disjoint, Series, Space, Subspace};

/// The spaces of a `hist` model and the relations between them that its blocks need.
pub trait HistSpaces {
    /// The maximum number of tokens after BOS.
    const MAX_SEQ_LEN: usize;
    /// The selector width's large number: `Some` to build the reference's weights, `None` to
    /// let the building block choose one that is exact for every width.
    const LARGE_NUMBER: Option<f64>;

    /// The residual stream: every space below.
    type Residual: Space;
    /// The vocabulary without BOS.
    type Vocab: Subspace<Self::Residual>;
    /// The BOS token.
    type Bos: Subspace<Self::Residual> + Disjoint<Self::One>;
    /// Every token id of the model: the vocabulary, BOS and any other token.
    type Tokens: Subspace<Self::Residual>;
    /// Positions `0..MAX_SEQ_LEN`.
    type Indices: Subspace<Self::Residual>;
    /// The constant direction `one`.
    type One: Subspace<Self::Residual>;
    /// The output: counts `0..=MAX_SEQ_LEN`.
    type Hist: Subspace<Self::Residual>;
    /// The selector width's attention output.
    type HistAttention: Subspace<Self::Residual>
        + Disjoint<Self::Hist>
        + Disjoint<Self::Bos>
        + Disjoint<Self::One>;
}

/// Builds the model: the width of a selector in which each token selects the positions
/// holding the same token.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build<S: HistSpaces>() -> Result<Model<S::Residual>, Box<dyn std::error::Error>> {
    let mut hist = SelectorWidth::<
        S::Vocab,
        S::Vocab,
        S::Hist,
        S::HistAttention,
        S::Bos,
        S::One,
    >::categorical(|query, key| query == key, S::MAX_SEQ_LEN)
    .label("hist_1");
    if let Some(large_number) = S::LARGE_NUMBER {
        hist = hist.large_number(large_number);
    }

    let model = Model::builder(Series::new().then(hist.build::<S::Residual>()?))
        .tokens::<S::Tokens>(Dir::with_value("BOS")?)
        .indices::<S::Indices>()
        .categorical_output::<S::Hist>()
        .build()?;
    Ok(model)
}

/// The reference's sizes: tokens `a`, `b`, `c` (and `PAD`), maximum length 5.
pub mod small {
    handcraft::spaces! {
        pub space Vocab = tokens: {"a", "b", "c"};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..5;
        pub space One = one;
        pub space Hist = hist_1: 0..=5;
        pub space HistAttention = hist_1_selector_width_attn_output;
        pub space Residual = Tokens | Indices | One | Hist | HistAttention;
    }

    /// The spaces above.
    pub struct Spaces;

    impl super::HistSpaces for Spaces {
        const MAX_SEQ_LEN: usize = 5;
        // The reference's large number decodes widths up to 5 exactly.
        const LARGE_NUMBER: Option<f64> = Some(100.0);
        type Residual = Residual;
        type Vocab = Vocab;
        type Bos = Bos;
        type Tokens = Tokens;
        type Indices = Indices;
        type One = One;
        type Hist = Hist;
        type HistAttention = HistAttention;
    }
}

/// Tokens `a`, `b`, `c` (and `PAD`), maximum length 128.
pub mod large {
    handcraft::spaces! {
        pub space Vocab = tokens: {"a", "b", "c"};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..128;
        pub space One = one;
        pub space Hist = hist_1: 0..=128;
        pub space HistAttention = hist_1_selector_width_attn_output;
        pub space Residual = Tokens | Indices | One | Hist | HistAttention;
    }

    /// The spaces above.
    pub struct Spaces;

    impl super::HistSpaces for Spaces {
        const MAX_SEQ_LEN: usize = 128;
        // The reference's 100 cannot separate widths this large.
        const LARGE_NUMBER: Option<f64> = None;
        type Residual = Residual;
        type Vocab = Vocab;
        type Bos = Bos;
        type Tokens = Tokens;
        type Indices = Indices;
        type One = One;
        type Hist = Hist;
        type HistAttention = HistAttention;
    }
}
