//! `nary_sequencemap`: `x·y + z` at each position, with `x` the token, `y` the index and
//! `z = 2 - token`, built from sequence maps of two inputs at a time.
//!
//! The labels (with their numeric suffixes) and the token `PAD`, which no block reads, are
//! those of the reference's compiler, so the tests can compare the dense parameters with the
//! golden data.

use handcraft::assemble::Model;
use handcraft::chamber::{CategoricalMlp, SequenceMapMlp};
use handcraft::{Dir, Series, Value};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 4;

handcraft::spaces! {
    pub space Vocab = tokens: {0, 1, 2};
    pub space Bos = tokens: {"BOS"};
    pub space Pad = tokens: {"PAD"};
    pub space Tokens = Vocab | Bos | Pad;
    pub space Indices = indices: 0..4;
    pub space One = one;
    pub space TwoMinusToken = two_minus_tok_4: {0, 1, 2};
    // Every pair (token, index).
    pub space TokenIndex = sequence_map_3: {
        (0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3),
        (2, 0), (2, 1), (2, 2), (2, 3),
    };
    // Every triple (token, index, 2 - token), the last one for any token.
    pub space TokenIndexZ = sequence_map_2: {
        (0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0), (0, 1, 1), (0, 1, 2),
        (0, 2, 0), (0, 2, 1), (0, 2, 2), (0, 3, 0), (0, 3, 1), (0, 3, 2),
        (1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 1, 0), (1, 1, 1), (1, 1, 2),
        (1, 2, 0), (1, 2, 1), (1, 2, 2), (1, 3, 0), (1, 3, 1), (1, 3, 2),
        (2, 0, 0), (2, 0, 1), (2, 0, 2), (2, 1, 0), (2, 1, 1), (2, 1, 2),
        (2, 2, 0), (2, 2, 1), (2, 2, 2), (2, 3, 0), (2, 3, 1), (2, 3, 2),
    };
    pub space Nary = nary_1: 0..=8;
    pub space Residual =
        Tokens | Indices | One | TwoMinusToken | TokenIndex | TokenIndexZ | Nary;
}

/// Returns the integers of a tuple value, or `None` for any other value.
fn integers(value: Option<&Value>) -> Option<Vec<i64>> {
    match value? {
        Value::Tuple(items) => items.iter().map(Value::as_i64).collect(),
        _ => None,
    }
}

/// Builds the model in three MLP layers: the pair (token, index) beside `2 - token`, then the
/// triple, then `x·y + z` on the triple.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    let pair = SequenceMapMlp::<Vocab, Indices, TokenIndex, One>::new(|token, index| {
        Some(Value::Tuple(vec![
            Value::Int(token.value_i64()?),
            Value::Int(index.value_i64()?),
        ]))
    })
    .hidden_name("_hidden_sequence_map_3_")
    .build::<Residual>()?;
    let two_minus_token =
        CategoricalMlp::<Vocab, TwoMinusToken>::new(|token| token.value_i64().map(|t| 2 - t))
            .build::<Residual>()?;

    let triple = SequenceMapMlp::<TokenIndex, TwoMinusToken, TokenIndexZ, One>::new(|pair, z| {
        let mut items = integers(pair.value())?;
        items.push(z.value_i64()?);
        Some(Value::Tuple(items.into_iter().map(Value::Int).collect()))
    })
    .hidden_name("_hidden_sequence_map_2_")
    .build::<Residual>()?;

    let nary =
        CategoricalMlp::<TokenIndexZ, Nary>::new(|triple| match integers(triple.value())?[..] {
            [x, y, z] => Some(x * y + z),
            _ => None,
        })
        .build::<Residual>()?;

    let series = Series::new()
        .then(pair.combine_in_parallel(two_minus_token))
        .then(triple)
        .then(nary);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Nary>()
        .build()?;
    Ok(model)
}
