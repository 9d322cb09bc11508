//! A series over a 600-direction residual on 256 positions, evaluated in a debug build on a
//! test thread's default stack: every matrix over the residual must live on the heap.

use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Sequence, Series, Space};

handcraft::spaces! {
    space Indices = indices: 0..256;
    space Tokens = tokens: 0..100;
    space Previous = previous: 0..100;
    space Matches = matches: 0..100;
    space One = one;
    space Padding = padding: 0..43;
    space Hidden = hidden: 0..100;
    space Read = Tokens | Previous | One;
    space Residual = Indices | Tokens | Previous | Matches | One | Padding;
}

const POSITIONS: usize = 256;

/// Returns the token at `position`; each token appears at two consecutive positions.
fn token(position: usize) -> i64 {
    (position / 2 % 100) as i64
}

/// Returns a head that copies the previous position's token into `previous`, followed by an
/// MLP that writes `matches:i` where the token and the previous token are both `i`.
fn series() -> Series<Residual> {
    let to_previous = ScalarBilinear::<Indices, Indices>::from_fn(|query, key| {
        // exp(-1000) underflows to 0, so the weights are exactly one-hot.
        if key.value_i64() == query.value_i64().map(|q| q - 1) {
            1000.0
        } else {
            0.0
        }
    });
    let copy = Linear::<Tokens, Previous>::from_fn(|t, p| {
        if t.value_i64() == p.value_i64() {
            1.0
        } else {
            0.0
        }
    });
    let head = AttentionHead::<Residual>::new(to_previous, copy, false);

    let fst = Linear::<Read, Hidden>::from_fn(|input, hidden| {
        let name = input.direction().name.to_string();
        match name.as_str() {
            "one" => -1.0,
            _ if input.value_i64() == hidden.value_i64() => 1.0,
            _ => 0.0,
        }
    });
    let snd = Linear::<Hidden, Matches>::from_fn(|h, m| {
        if h.value_i64() == m.value_i64() {
            1.0
        } else {
            0.0
        }
    });
    let mlp = Mlp::<Residual, Hidden>::new(fst, snd);

    Series::new().then(head).then(mlp)
}

fn input() -> Sequence<Residual> {
    let one = Dir::<Residual>::find(&handcraft::BasisDirection::new("one")).expect("declared");
    Sequence::from_fn(POSITIONS, |position, d| {
        let name = d.direction().name.to_string();
        let hot = match name.as_str() {
            "indices" => d.value_i64() == Some(position as i64),
            "tokens" => d.value_i64() == Some(token(position)),
            _ => d == one,
        };
        if hot {
            1.0
        } else {
            0.0
        }
    })
}

#[test]
fn large_residual_evaluates_in_debug_build() {
    assert_eq!(Residual::DIM, 600);
    let series = series();
    let input = input();

    let evaluation = series.evaluate(&input).expect("finite input");
    let matches = evaluation.output().restrict::<Matches>();
    for position in 1..POSITIONS {
        let expected = if position % 2 == 1 {
            Some(token(position))
        } else {
            None
        };
        for m in Dir::<Matches>::all() {
            let want = if m.value_i64() == expected { 1.0 } else { 0.0 };
            assert_eq!(
                matches.get(position, m),
                want,
                "position {position}, direction {m}"
            );
        }
    }
    assert_eq!(
        evaluation.blocks()[0].heads()[0].logits().shape(),
        (256, 256)
    );
}

#[test]
fn large_residual_apply_equals_evaluate() {
    let series = series();
    let input = input();

    let applied = series.apply(&input).expect("finite input");
    let evaluated = series.evaluate(&input).expect("finite input").into_output();
    assert_eq!(applied, evaluated);
}
