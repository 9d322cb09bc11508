//! `sort`: the tokens sorted ascending, repeated tokens included: each key is made unique as
//! `key + min_key · index / max_seq_len` before a unique-key sort.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalAttention, SelectorWidth, SequenceMapMlp};
use handcraft::{Dir, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 5;

/// The smallest key; the index term `MIN_KEY · i / MAX_SEQ_LEN` stays below it, so it only
/// breaks ties between equal keys.
pub const MIN_KEY: f64 = 1.0;

handcraft::spaces! {
    pub space Vocab = tokens: {1, 2, 3, 4};
    pub space Bos = tokens: {"BOS"};
    pub space Pad = tokens: {"PAD"};
    pub space Tokens = Vocab | Bos | Pad;
    pub space Indices = indices: 0..5;
    pub space One = one;
    // Every `token + index / 5`.
    pub space Keys = sequence_map_5: {
        1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8,
        3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2, 4.4, 4.6, 4.8,
    };
    pub space TargetPosition = target_pos_3: 0..=5;
    pub space TargetAttention = target_pos_3_selector_width_attn_output;
    pub space Sorted = sort_1: {1, 2, 3, 4};
    pub space Residual =
        Tokens | Indices | One | Keys | TargetPosition | TargetAttention | Sorted;
}

/// Builds the model in three layers: unique keys (MLP), the number of smaller keys as each
/// token's target position (selector width), and a head in which position `i` reads the
/// token whose target position is `i`.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let unique_keys = SequenceMapMlp::<Vocab, Indices, Keys, One>::new(|token, index| {
        let (token, index) = (token.value_f64()?, index.value_f64()?);
        Some(token + MIN_KEY * index / MAX_SEQ_LEN as f64)
    })
    .hidden_name("_hidden_sequence_map_5_")
    .build::<Residual>()?;

    let target_position =
        SelectorWidth::<Keys, Keys, TargetPosition, TargetAttention, Bos, One>::categorical(
            |query, key| match (query.value_f64(), key.value_f64()) {
                (Some(query), Some(key)) => key < query,
                _ => false,
            },
            MAX_SEQ_LEN,
        )
        .large_number(100.0)
        .label("target_pos_3")
        .build::<Residual>()?;

    let gather = CategoricalAttention::<Indices, TargetPosition, Vocab, Sorted, Bos, One>::new(
        |index, target| index.value_i64() == target.value_i64(),
    )
    .build::<Residual>()?;

    let series = Series::new()
        .then(unique_keys)
        .then(target_position)
        .then(gather);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Sorted>()
        .build()?;
    Ok(model)
}
