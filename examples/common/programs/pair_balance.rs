//! `pair_balance`: at each position, `(opens - closes) / (i + 1)` over the positions up to
//! `i`, for the pair `(` and `)`, as a number.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalAttention, CategoricalToNumericalMlp, LinearSequenceMap};
use handcraft::{Dir, MultiAttentionHead, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 6;

handcraft::spaces! {
    pub space Vocab = tokens: {"(", ")", "a"};
    pub space Bos = tokens: {"BOS"};
    pub space Pad = tokens: {"PAD"};
    pub space Tokens = Vocab | Bos | Pad;
    pub space Indices = indices: 0..6;
    pub space One = one;
    pub numerical space IsOpen = bools_open_5;
    pub numerical space IsClose = bools_close_7;
    pub numerical space Opens = opens_2;
    pub numerical space Closes = closes_3;
    pub numerical space Balance = pair_balance_1;
    pub space Residual =
        Tokens | Indices | One | IsOpen | IsClose | Opens | Closes | Balance;
}

/// Builds the model in two layers: 0/1 flags for `(` and `)` (MLP), the fraction of each up
/// to every position (two heads), and their difference (MLP).
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let flag = |token: &'static str| {
        move |d: Dir<Vocab>| {
            if d.value_str() == Some(token) {
                1.0
            } else {
                0.0
            }
        }
    };
    let flags = CategoricalToNumericalMlp::<Vocab, IsOpen>::new(flag("("))
        .build::<Residual>()?
        .combine_in_parallel(CategoricalToNumericalMlp::<Vocab, IsClose>::new(flag(")")).build()?);

    // Position `i` attends to every position up to `i`, so it reads the mean of the flag.
    let up_to_query = |query: Dir<Indices>, key: Dir<Indices>| key.index() <= query.index();
    let opens = CategoricalAttention::<Indices, Indices, IsOpen, Opens, Bos, One>::new(up_to_query)
        .build::<Residual>()?;
    let closes =
        CategoricalAttention::<Indices, Indices, IsClose, Closes, Bos, One>::new(up_to_query)
            .build::<Residual>()?;

    let balance = LinearSequenceMap::<Opens, Closes, Balance>::new(1.0, -1.0)
        .hidden_name("_hidden_pair_balance_1_")
        .build::<Residual>()?;

    let series = Series::new()
        .then(flags)
        .then(MultiAttentionHead::new([opens, closes]))
        .then(balance);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .numerical_output::<Balance>()
        .build()?;
    Ok(model)
}
