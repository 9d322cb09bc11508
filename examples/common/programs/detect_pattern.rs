//! `detect_pattern`: true at position `i ≥ 2` when tokens `i-2`, `i-1`, `i` are `a`, `b`, `c`,
//! false otherwise; the first two positions are undefined.

use handcraft::assemble::Model;
use handcraft::chamber::CategoricalAttention;
use handcraft::{Dir, Linear, Mlp, MultiAttentionHead, Series};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 6;

/// The tokens to find at positions `i-2`, `i-1` and `i`.
pub const PATTERN: [&str; 3] = ["a", "b", "c"];

handcraft::spaces! {
    pub space Vocab = tokens: {"a", "b", "c"};
    pub space Bos = tokens: {"BOS"};
    pub space Tokens = Vocab | Bos;
    pub space Indices = indices: 0..6;
    pub space One = one;
    // The tokens one and two positions back.
    pub space Previous1 = previous_1: {"a", "b", "c"};
    pub space Previous2 = previous_2: {"a", "b", "c"};
    pub space PatternInput = Previous2 | Previous1 | Vocab | One;
    // `all_three` is 1 where all three tokens match; `constant` is always 1.
    pub space PatternHidden = {all_three, constant};
    pub space Detected = detect_pattern: {false, true};
    pub space Residual = Tokens | Indices | One | Previous1 | Previous2 | Detected;
}

/// Builds the model in one layer: two heads copy the tokens one and two positions back, and
/// an MLP with two hidden units decides.
///
/// The MLP computes `all_three = relu(previous_2:a + previous_1:b + tokens:c - 2)`, which is 1
/// when all three tokens are present and 0 when one or more is missing, then writes
/// `true = all_three` and `false = constant - all_three`. At positions 0 and 1 the heads read
/// BOS, whose value is zero, so the output is false.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let previous_1 =
        CategoricalAttention::<Indices, Indices, Vocab, Previous1, Bos, One>::new(|query, key| {
            match (query.value_i64(), key.value_i64()) {
                (Some(query), Some(key)) => key == query - 1,
                _ => false,
            }
        })
        .build::<Residual>()?;
    let previous_2 =
        CategoricalAttention::<Indices, Indices, Vocab, Previous2, Bos, One>::new(|query, key| {
            match (query.value_i64(), key.value_i64()) {
                (Some(query), Some(key)) => key == query - 2,
                _ => false,
            }
        })
        .build::<Residual>()?;

    let pattern_inputs = [
        format!("previous_2:{}", PATTERN[0]),
        format!("previous_1:{}", PATTERN[1]),
        format!("tokens:{}", PATTERN[2]),
    ];
    let fst = Linear::<PatternInput, PatternHidden>::from_fn(|input, hidden| {
        let input = input.to_string();
        match (hidden.to_string().as_str(), input.as_str()) {
            ("all_three", "one") => -2.0,
            ("all_three", _) if pattern_inputs.contains(&input) => 1.0,
            ("constant", "one") => 1.0,
            _ => 0.0,
        }
    });
    let snd = Linear::<PatternHidden, Detected>::from_fn(|hidden, output| {
        match (hidden.to_string().as_str(), output.value()) {
            ("all_three", Some(handcraft::Value::Bool(true))) => 1.0,
            ("all_three", Some(handcraft::Value::Bool(false))) => -1.0,
            ("constant", Some(handcraft::Value::Bool(false))) => 1.0,
            _ => 0.0,
        }
    });
    let decide = Mlp::<Residual, PatternHidden>::new(fst, snd);

    let series = Series::new()
        .then(MultiAttentionHead::new([previous_1, previous_2]))
        .then(decide);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Detected>()
        .build()?;
    Ok(model)
}

/// Returns the program's meaning on `tokens` (without BOS), computed directly: `None` at the
/// first two positions, where it is undefined.
pub fn reference(tokens: &[&str]) -> Vec<Option<bool>> {
    (0..tokens.len())
        .map(|i| (i >= 2).then(|| tokens[i - 2..=i] == PATTERN))
        .collect()
}
