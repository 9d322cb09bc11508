//! `count_less_freq`: at every position, the number of positions whose token occurs at most
//! twice in the input, as a category.

use handcraft::assemble::Model;
use handcraft::chamber::SelectorWidth;
use handcraft::{Dir, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 5;

/// A token counts when it occurs at most this many times.
pub const MAX_OCCURRENCES: i64 = 2;

handcraft::spaces! {
    pub space Vocab = tokens: {"a", "b", "c"};
    pub space Bos = tokens: {"BOS"};
    pub space Tokens = Vocab | Bos;
    pub space Indices = indices: 0..5;
    pub space One = one;
    pub space Hist = hist: 0..=5;
    pub space HistAttention = hist_selector_width_attn_output;
    pub space Rare = count_less_freq: 0..=5;
    pub space RareAttention = count_less_freq_selector_width_attn_output;
    pub space Residual = Tokens | Indices | One | Hist | HistAttention | Rare | RareAttention;
}

/// Builds the model in two layers, two selector widths: how often each position's token occurs
/// (`hist`), then how many keys have a `hist` of at most [`MAX_OCCURRENCES`], whatever the
/// query.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let hist = SelectorWidth::<Vocab, Vocab, Hist, HistAttention, Bos, One>::categorical(
        |query, key| query == key,
        MAX_SEQ_LEN,
    )
    .label("hist")
    .build::<Residual>()?;

    let rare = SelectorWidth::<Hist, Hist, Rare, RareAttention, Bos, One>::categorical(
        |_, key| {
            key.value_i64()
                .is_some_and(|count| count <= MAX_OCCURRENCES)
        },
        MAX_SEQ_LEN,
    )
    .label("count_less_freq")
    .build::<Residual>()?;

    let model = Model::builder(Series::new().then(hist).then(rare))
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Rare>()
        .build()?;
    Ok(model)
}

/// Returns the program's meaning on `tokens` (without BOS), computed directly.
pub fn reference(tokens: &[&str]) -> Vec<i64> {
    let occurrences = |token: &str| tokens.iter().filter(|&&t| t == token).count() as i64;
    let rare = tokens
        .iter()
        .filter(|&&t| occurrences(t) <= MAX_OCCURRENCES)
        .count() as i64;
    vec![rare; tokens.len()]
}
