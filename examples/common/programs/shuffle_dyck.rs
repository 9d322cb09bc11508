//! `shuffle_dyck`: 1 at every position when the input is balanced for `(` `)` and for `{` `}`,
//! each pair taken separately (no running balance ever negative, both zero at the end), else 0.
//!
//! The heads are written by hand. A head whose value map gives `(` the weight +1 and `)` the
//! weight -1 reads a pair's running balance divided by `i + 1` in one step. The final balance
//! is the same mean taken over all positions, so the program needs no length.

use handcraft::assemble::Model;
use handcraft::chamber::{NumericalMlp, NumericalToCategoricalMlp};
use handcraft::{AttentionHead, Dir, Linear, MultiAttentionHead, ScalarBilinear, Series, Space};

/// The maximum number of tokens after BOS.
pub const MAX_SEQ_LEN: usize = 6;

/// The inverse temperature of every head: selected keys get this logit.
pub const SOFTMAX_COLDNESS: f64 = 100.0;

/// The pairs of brackets, opening first.
pub const PAIRS: [(&str, &str); 2] = [("(", ")"), ("{", "}")];

handcraft::spaces! {
    pub space Vocab = tokens: {"(", ")", "{", "}"};
    pub space Bos = tokens: {"BOS"};
    pub space Tokens = Vocab | Bos;
    pub space Indices = indices: 0..6;
    pub space One = one;
    // What the heads read: positions, and BOS as the default key.
    pub space ScanQuery = Indices | One;
    pub space ScanKey = Indices | Bos;
    // Running balance of each pair divided by `i + 1`.
    pub numerical space ParenBalance = paren_balance;
    pub numerical space BraceBalance = brace_balance;
    pub space Balances = ParenBalance | BraceBalance;
    // Final balance of each pair divided by the length.
    pub numerical space ParenTotal = paren_total;
    pub numerical space BraceTotal = brace_total;
    pub space Totals = ParenTotal | BraceTotal;
    // How many running balances are negative here, and how many final balances are not zero.
    pub numerical space Negative = negative;
    pub numerical space Unbalanced = unbalanced;
    pub space Flags = Negative | Unbalanced;
    // The mean of `negative` over all positions plus `unbalanced`: 0 exactly when balanced.
    pub numerical space Violations = violations;
    pub space Balanced = shuffle_dyck: {0, 1};
    pub space Residual = Tokens | Indices | One | Balances | Totals | Flags | Violations
        | Balanced;
}

/// Returns a query-key form in which each position selects the keys `selects(query, key)`
/// holds for; the BOS position selects BOS alone.
fn scan(selects: fn(i64, i64) -> bool) -> ScalarBilinear<ScanQuery, ScanKey> {
    ScalarBilinear::from_fn(|query, key| match (query.value_i64(), key.value_i64()) {
        (Some(query), Some(key)) if selects(query, key) => SOFTMAX_COLDNESS,
        // `one` against BOS: half the logit of a selected key, so BOS wins only where no key
        // is selected, at the BOS position.
        (None, None) => SOFTMAX_COLDNESS / 2.0,
        _ => 0.0,
    })
}

/// Returns the map that weighs the bracket `open` +1 and `close` -1 into the one direction of
/// `Out`, so a head's mean of it is the running balance divided by the positions read.
fn bracket_count<Out: Space>((open, close): (&str, &str)) -> Linear<Vocab, Out> {
    Linear::from_fn(|token, _| match token.value_str() {
        Some(t) if t == open => 1.0,
        Some(t) if t == close => -1.0,
        _ => 0.0,
    })
}

/// Builds the model in two layers.
///
/// 1. Two heads: the running balance of each pair over positions up to `i`, and the final
///    balance over all positions, both divided by the number of positions read. An MLP flags a
///    negative running balance and a final balance that is not zero.
/// 2. A head averages the flags over all positions into `violations`, and an MLP writes 1
///    where it is 0.
///
/// The discretising MLPs get only the inputs next to their step. A balance divided by at most
/// `MAX_SEQ_LEN` positions is either 0 or at least `1 / MAX_SEQ_LEN` away from it, and the MLP
/// is constant below its first input and above its last, so those inputs suffice.
///
/// # Errors
/// Any construction error of the building blocks or the model.
pub fn build() -> Result<Model<Residual>, Box<dyn std::error::Error>> {
    // The smallest magnitude of a mean of integers over at most `MAX_SEQ_LEN` positions.
    let smallest = 1.0 / MAX_SEQ_LEN as f64;

    let running = AttentionHead::<Residual>::new(
        scan(|query, key| key <= query),
        Linear::<Vocab, Balances>::zeros()
            .with_parallel(&bracket_count::<ParenBalance>(PAIRS[0]))
            .with_parallel(&bracket_count::<BraceBalance>(PAIRS[1])),
        false,
    );
    let total = AttentionHead::<Residual>::new(
        scan(|_, _| true),
        Linear::<Vocab, Totals>::zeros()
            .with_parallel(&bracket_count::<ParenTotal>(PAIRS[0]))
            .with_parallel(&bracket_count::<BraceTotal>(PAIRS[1])),
        false,
    );

    let is_negative = |x: f64| Some(if x < 0.0 { 1.0 } else { 0.0 });
    let is_not_zero = |x: f64| Some(if x == 0.0 { 0.0 } else { 1.0 });
    let flags = NumericalMlp::<ParenBalance, Negative, One>::new(is_negative, [-smallest, 0.0])
        .hidden_name("_hidden_paren_negative_")
        .build::<Residual>()?
        .into_mlp()
        .combine_in_parallel(
            NumericalMlp::<BraceBalance, Negative, One>::new(is_negative, [-smallest, 0.0])
                .hidden_name("_hidden_brace_negative_")
                .build::<Residual>()?
                .into_mlp(),
        )
        .combine_in_parallel(
            NumericalMlp::<ParenTotal, Unbalanced, One>::new(
                is_not_zero,
                [-smallest, 0.0, smallest],
            )
            .hidden_name("_hidden_paren_unbalanced_")
            .build::<Residual>()?
            .into_mlp(),
        )
        .combine_in_parallel(
            NumericalMlp::<BraceTotal, Unbalanced, One>::new(
                is_not_zero,
                [-smallest, 0.0, smallest],
            )
            .hidden_name("_hidden_brace_unbalanced_")
            .build::<Residual>()?
            .into_mlp(),
        );

    let violations = AttentionHead::<Residual>::new(
        scan(|_, _| true),
        Linear::<Flags, Violations>::from_fn(|_, _| 1.0),
        false,
    );
    let balanced = NumericalToCategoricalMlp::<Violations, Balanced, One>::new(
        |x| Some(if x > 0.0 { 0 } else { 1 }),
        [0.0, smallest],
    )
    .hidden_name("_hidden_balanced_")
    .build::<Residual>()?;

    let series = Series::new()
        .then(MultiAttentionHead::new([running, total]))
        .then(flags)
        .then(violations)
        .then(balanced);
    let model = Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS")?)
        .indices::<Indices>()
        .categorical_output::<Balanced>()
        .build()?;
    Ok(model)
}

/// Returns the program's meaning on `tokens` (without BOS), computed directly.
pub fn reference(tokens: &[&str]) -> Vec<i64> {
    let balanced = PAIRS.iter().all(|&(open, close)| {
        let mut balance = 0_i64;
        for &token in tokens {
            if token == open {
                balance += 1;
            } else if token == close {
                balance -= 1;
            }
            if balance < 0 {
                return false;
            }
        }
        balance == 0
    });
    vec![i64::from(balanced); tokens.len()]
}
