//! `reverse`: the tokens in reverse order.
//!
//! The program is written once, generic over its spaces ([`ReverseSpaces`]), and declared at
//! two sizes: [`small`] (the reference's vocabulary and maximum length 5) and [`large`]
//! (maximum length 128). [`as_compiled`] is the reference compiler's construction at the small
//! size, which the tests compare parameter by parameter with the golden data.
//!
//! The reference computes `length - index - 1` with a lookup-table MLP over every pair
//! (length, index), and then a head reads that position. At maximum length 128 its dense model
//! has 4 layers, a residual of 779 directions and 16,512 hidden units per MLP, over 100 million
//! parameters. Here one head finds the position directly, with logits that are a quadratic in
//! the key's index: 2 layers, 267 directions and 258 hidden units at length 128.

use handcraft::assemble::Model;
use handcraft::chamber::SelectorWidth;
use handcraft::{AttentionHead, Dir, Disjoint, Linear, ScalarBilinear, Series, Space, Subspace};

/// The logit gap between the key a query reads and the next best key.
pub const SOFTMAX_COLDNESS: f64 = 100.0;

/// The spaces of a `reverse` model and the relations between them that its blocks need.
pub trait ReverseSpaces {
    /// The maximum number of tokens after BOS.
    const MAX_SEQ_LEN: usize;

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
    /// The number of tokens, `0..=MAX_SEQ_LEN`.
    type Length: Subspace<Self::Residual>;
    /// The selector width's attention output.
    type LengthAttention: Subspace<Self::Residual>
        + Disjoint<Self::Length>
        + Disjoint<Self::Bos>
        + Disjoint<Self::One>;
    /// The query space of the reversing head: `Length | Indices | One`.
    type ReverseQuery: Subspace<Self::Residual>;
    /// The key space of the reversing head: `Indices | Bos`.
    type ReverseKey: Subspace<Self::Residual>;
    /// The output: the vocabulary's values.
    type Reversed: Subspace<Self::Residual>;
}

/// Builds the model in two layers: the length (selector width), then a head in which position
/// `i` reads position `t = length - 1 - i`.
///
/// The head's logit for key position `k` is `c·(1 + t² - (k - t)²)`, with `c` the softmax
/// coldness. It peaks at `k = t`, every other key is at least `c` lower, and the BOS key,
/// at `c/2`, is lower too. Expanded, `c·(1 - k²) + 2c·k·(length - 1) - 2c·k·i` is a sum of one
/// term per query direction (`one`, `length`, `indices`), which is what a bilinear form can
/// compute. The weights are integers below 2^24 for lengths up to 128, so they are exact in
/// float32.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build<S: ReverseSpaces>() -> Result<Model<S::Residual>, Box<dyn std::error::Error>> {
    let length = SelectorWidth::<
        S::Vocab,
        S::Vocab,
        S::Length,
        S::LengthAttention,
        S::Bos,
        S::One,
    >::categorical(|_, _| true, S::MAX_SEQ_LEN)
    .label("length")
    .build::<S::Residual>()?;

    let c = SOFTMAX_COLDNESS;
    let logits = ScalarBilinear::<S::ReverseQuery, S::ReverseKey>::from_fn(|query, key| {
        let query_direction = query.direction();
        let key_index = key
            .value_i64()
            .filter(|_| S::Indices::basis().contains(key.direction()));
        match (key_index, query.value_i64()) {
            // The BOS key: `one` gives it half the logit of the worst key a query can pick.
            (None, None) => c / 2.0,
            (None, Some(_)) => 0.0,
            (Some(k), Some(length)) if S::Length::basis().contains(query_direction) => {
                2.0 * c * (k * (length - 1)) as f64
            }
            (Some(k), Some(i)) => -2.0 * c * (k * i) as f64,
            // The query direction `one`.
            (Some(k), None) => c * (1 - k * k) as f64,
        }
    });
    let copy = Linear::<S::Vocab, S::Reversed>::from_fn(|token, output| {
        if token.value() == output.value() {
            1.0
        } else {
            0.0
        }
    });
    let reverse = AttentionHead::<S::Residual>::new(logits, copy, false);

    let model = Model::builder(Series::new().then(length).then(reverse))
        .tokens::<S::Tokens>(Dir::with_value("BOS")?)
        .indices::<S::Indices>()
        .categorical_output::<S::Reversed>()
        .build()?;
    Ok(model)
}

/// Implements [`ReverseSpaces`] for `Spaces` with the spaces of the enclosing module.
macro_rules! reverse_spaces {
    (max_seq_len: $max_seq_len:expr) => {
        /// The spaces above.
        pub struct Spaces;

        impl super::ReverseSpaces for Spaces {
            const MAX_SEQ_LEN: usize = $max_seq_len;
            type Residual = Residual;
            type Vocab = Vocab;
            type Bos = Bos;
            type Tokens = Tokens;
            type Indices = Indices;
            type One = One;
            type Length = Length;
            type LengthAttention = LengthAttention;
            type ReverseQuery = ReverseQuery;
            type ReverseKey = ReverseKey;
            type Reversed = Reversed;
        }
    };
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
        pub space Length = length: 0..=5;
        pub space LengthAttention = length_selector_width_attn_output;
        pub space ReverseQuery = Length | Indices | One;
        pub space ReverseKey = Indices | Bos;
        pub space Reversed = reverse: {"a", "b", "c"};
        pub space Residual = Tokens | Indices | One | Length | LengthAttention | Reversed;
    }

    reverse_spaces!(max_seq_len: 5);
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
        pub space Length = length: 0..=128;
        pub space LengthAttention = length_selector_width_attn_output;
        pub space ReverseQuery = Length | Indices | One;
        pub space ReverseKey = Indices | Bos;
        pub space Reversed = reverse: {"a", "b", "c"};
        pub space Residual = Tokens | Indices | One | Length | LengthAttention | Reversed;
    }

    reverse_spaces!(max_seq_len: 128);
}

/// `reverse` as the reference's compiler builds it, at the small size: the length, then
/// `length - index` and `length - index - 1` by lookup tables, then a head that reads the
/// position equal to the latter. The labels are the compiler's, so the dense parameters can be
/// compared with the golden data.
pub mod as_compiled {
    use handcraft::assemble::Model;
    use handcraft::chamber::{CategoricalAttention, CategoricalMlp, SelectorWidth, SequenceMapMlp};
    use handcraft::{Dir, Series};

    /// The maximum number of tokens after BOS.
    pub const MAX_SEQ_LEN: usize = 5;

    handcraft::spaces! {
        pub space Vocab = tokens: {"a", "b", "c"};
        pub space Bos = tokens: {"BOS"};
        pub space Pad = tokens: {"PAD"};
        pub space Tokens = Vocab | Bos | Pad;
        pub space Indices = indices: 0..5;
        pub space One = one;
        pub space Length = length_5: 0..=5;
        pub space LengthAttention = length_5_selector_width_attn_output;
        pub space OppositeIndex = opp_idx_4: -4..=5;
        pub space SourceIndex = "opp_idx-1_3": -5..=4;
        pub space Reversed = reverse_1: {"a", "b", "c"};
        pub space Residual = Tokens | Indices | One | Length | LengthAttention
            | OppositeIndex | SourceIndex | Reversed;
    }

    /// Builds the model in four layers, with the reference's weights.
    ///
    /// # Errors
    /// Any construction error of the building blocks or the model.
    pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
        // The reference's large number 100 decodes widths up to 5 exactly.
        let length = SelectorWidth::<Vocab, Vocab, Length, LengthAttention, Bos, One>::categorical(
            |_, _| true,
            MAX_SEQ_LEN,
        )
        .large_number(100.0)
        .label("length_5")
        .build::<Residual>()?;

        let opposite =
            SequenceMapMlp::<Length, Indices, OppositeIndex, One>::new(|length, index| {
                Some(length.value_i64()? - index.value_i64()?)
            })
            .hidden_name("_hidden_opp_idx_4_")
            .build::<Residual>()?;

        let source = CategoricalMlp::<OppositeIndex, SourceIndex>::new(|opposite| {
            opposite.value_i64().map(|value| value - 1)
        })
        .build::<Residual>()?;

        let gather = CategoricalAttention::<SourceIndex, Indices, Vocab, Reversed, Bos, One>::new(
            |source, index| source.value_i64() == index.value_i64(),
        )
        .build::<Residual>()?;

        let series = Series::new()
            .then(length)
            .then(opposite)
            .then(source)
            .then(gather);
        let model = Model::builder(series)
            .tokens::<Tokens>(Dir::with_value("BOS")?)
            .indices::<Indices>()
            .categorical_output::<Reversed>()
            .build()?;
        Ok(model)
    }
}
