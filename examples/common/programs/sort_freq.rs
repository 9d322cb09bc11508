//! `sort_freq`: the tokens sorted by how often they occur, most frequent first; tokens that
//! occur equally often keep their input order.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalAttention, SelectorWidth, SequenceMapMlp};
use handcraft::{Dir, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 5;

handcraft::spaces! {
    pub space Vocab = tokens: {"a", "b", "c"};
    pub space Bos = tokens: {"BOS"};
    pub space Tokens = Vocab | Bos;
    pub space Indices = indices: 0..5;
    pub space One = one;
    pub space Hist = hist: 0..=5;
    pub space HistAttention = hist_selector_width_attn_output;
    // `index - 5 · count`: every pair (count 0..=5, index 0..5) gives a different key.
    pub space SortKey = sort_key: -25..=4;
    pub space TargetPosition = target_position: 0..=5;
    pub space TargetAttention = target_position_selector_width_attn_output;
    pub space Sorted = sort_freq: {"a", "b", "c"};
    pub space Residual = Tokens | Indices | One | Hist | HistAttention | SortKey
        | TargetPosition | TargetAttention | Sorted;
}

/// Builds the model in four layers:
///
/// 1. each token's count (selector width);
/// 2. a unique integer key `index - MAX_SEQ_LEN · count`, which orders by descending count and
///    then by position (MLP);
/// 3. the number of smaller keys, which is each token's target position (selector width);
/// 4. a head in which position `i` reads the token whose target position is `i`.
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

    let key = SequenceMapMlp::<Hist, Indices, SortKey, One>::new(|count, index| {
        Some(index.value_i64()? - MAX_SEQ_LEN as i64 * count.value_i64()?)
    })
    .hidden_name("_hidden_sort_key_")
    .build::<Residual>()?;

    let target_position =
        SelectorWidth::<SortKey, SortKey, TargetPosition, TargetAttention, Bos, One>::categorical(
            |query, key| match (query.value_i64(), key.value_i64()) {
                (Some(query), Some(key)) => key < query,
                _ => false,
            },
            MAX_SEQ_LEN,
        )
        .label("target_position")
        .build::<Residual>()?;

    let gather = CategoricalAttention::<Indices, TargetPosition, Vocab, Sorted, Bos, One>::new(
        |index, target| index.value_i64() == target.value_i64(),
    )
    .build::<Residual>()?;

    let series = Series::new()
        .then(hist)
        .then(key)
        .then(target_position)
        .then(gather);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Sorted>()
        .build()?;
    Ok(model)
}

/// Returns the program's meaning on `tokens` (without BOS), computed directly.
pub fn reference<'a>(tokens: &[&'a str]) -> Vec<&'a str> {
    let occurrences = |token: &str| tokens.iter().filter(|&&t| t == token).count();
    let mut sorted = tokens.to_vec();
    // A stable sort keeps equally frequent tokens in input order.
    sorted.sort_by_key(|&token| std::cmp::Reverse(occurrences(token)));
    sorted
}
