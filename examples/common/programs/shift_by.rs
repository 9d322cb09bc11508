//! `shift_by`: the tokens shifted right by 2 positions; the first two positions are undefined.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::CategoricalAttention;
use handcraft::{Dir, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 5;

/// How many positions the tokens move to the right.
pub const OFFSET: i64 = 2;

handcraft::spaces! {
    pub space Vocab = tokens: {"a", "b", "c"};
    pub space Bos = tokens: {"BOS"};
    pub space Pad = tokens: {"PAD"};
    pub space Tokens = Vocab | Bos | Pad;
    pub space Indices = indices: 0..5;
    pub space One = one;
    pub space Shifted = "shift_by(2)_1": {"a", "b", "c"};
    pub space Residual = Tokens | Indices | One | Shifted;
}

/// Builds the model: one head in which position `i` attends to position `i - 2` and copies
/// its token. Positions 0 and 1 select no key, so they read BOS and output zero.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let shift = CategoricalAttention::<Indices, Indices, Vocab, Shifted, Bos, One>::new(
        |query, key| match (query.value_i64(), key.value_i64()) {
            (Some(query), Some(key)) => key == query - OFFSET,
            _ => false,
        },
    )
    .build::<Residual>()?;

    let model = Model::builder(Series::new().then(shift))
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Shifted>()
        .build()?;
    Ok(model)
}
