//! `length`: the output at every position is the number of tokens after BOS, as a category.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::SelectorWidth;
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
    pub space Length = length_1: 0..=5;
    pub space LengthAttention = length_1_selector_width_attn_output;
    pub space Residual = Tokens | Indices | One | Length | LengthAttention;
}

/// Builds the model: the width of a selector that selects every key.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    // The reference's large number 100 decodes widths up to 5 exactly and gives its weights.
    let length = SelectorWidth::<Vocab, Vocab, Length, LengthAttention, Bos, One>::categorical(
        |_, _| true,
        MAX_SEQ_LEN,
    )
    .large_number(100.0)
    .label("length_1")
    .build::<Residual>()?;

    let model = Model::builder(Series::new().then(length))
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Length>()
        .build()?;
    Ok(model)
}
