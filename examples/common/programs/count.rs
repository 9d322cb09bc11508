//! `count`: the output at every position is the number of `a` tokens in the input, as a
//! category.
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
    pub space Count = count_a_1: 0..=5;
    pub space CountAttention = count_a_1_selector_width_attn_output;
    pub space Residual = Tokens | Indices | One | Count | CountAttention;
}

/// Builds the model: the width of a selector whose keys are the `a` tokens, whatever the
/// query.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let count = SelectorWidth::<Vocab, Vocab, Count, CountAttention, Bos, One>::categorical(
        |_, key| key.value_str() == Some("a"),
        MAX_SEQ_LEN,
    )
    .large_number(100.0)
    .label("count_a_1")
    .build::<Residual>()?;

    let model = Model::builder(Series::new().then(count))
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Count>()
        .build()?;
    Ok(model)
}
