//! Evaluation speed of block series, against a plain dense matrix-multiply loop of the same
//! shapes. Results and the machine they were measured on are in `docs/BENCHMARKS.md`.
//!
//! - `reverse`: the reference's compiled `reverse` program (4 layers: attention, three MLPs,
//!   attention; 41 residual directions), read from `tests/fixtures/programs/reverse.json`, on 5,
//!   8 and 32 positions.
//! - `wide`: a hand-made 2-layer model over 270 residual directions on 128 positions.
//!
//! `apply` returns the output only; `evaluate` also records residuals, logits and weights.
//! Each `dense` case runs what an assembled model of the same shapes runs. Per layer, it
//! projects the whole residual to queries, keys and values of the key size, computes logits,
//! softmax and the output projection back to the residual, then runs a ReLU MLP of the hidden
//! size.
//!
//! Run with `cargo bench --bench evaluate`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use handcraft::block::BlockParts;
use handcraft::nalgebra::DMatrix;
use handcraft::{
    AttentionHead, Basis, BasisDirection, Block, Dir, Linear, Mlp, MultiAttentionHead,
    ScalarBilinear, Sequence, Series, Space, Value,
};
use serde_json::Value as Json;

handcraft::spaces! {
    space ReverseIndices = indices: 0..5;
    space Length = length_5: 0..6;
    space LengthAttention = length_5_selector_width_attn_output;
    space One = one;
    space Opposite = "opp_idx-1_3": -5..5;
    space OppositeIndex = opp_idx_4: -4..6;
    space Reversed = reverse_1: {"a", "b", "c"};
    space ReverseTokens = tokens: {"BOS", "PAD", "a", "b", "c"};
    space ReverseResidual = ReverseIndices | Length | LengthAttention | One | Opposite
        | OppositeIndex | Reversed | ReverseTokens;
}

handcraft::spaces! {
    space Indices = indices: 0..128;
    space Tokens = tokens: 0..32;
    space Previous = previous: 0..32;
    space Pairs = pairs: 0..64;
    space Counts = counts: 0..13;
    space Unit = one;
    space PairHidden = pair_hidden: 0..64;
    space CountHidden = count_hidden: 0..64;
    space PairInput = Tokens | Previous | Unit;
    space CountInput = Pairs | Unit;
    space WideResidual = Indices | Tokens | Previous | Pairs | Counts | Unit;
}

// ---- the `reverse` program, read from its fixture ----

fn value(json: &Json) -> Value {
    match json {
        Json::String(s) => Value::Str(s.clone()),
        Json::Number(n) => Value::Int(n.as_i64().expect("integer value")),
        Json::Bool(b) => Value::Bool(*b),
        Json::Array(items) => Value::Tuple(items.iter().map(value).collect()),
        other => panic!("unexpected direction value {other}"),
    }
}

fn direction(json: &Json) -> BasisDirection {
    let name = json["name"].as_str().expect("string name");
    BasisDirection {
        name: name.into(),
        value: (!json["value"].is_null()).then(|| value(&json["value"])),
    }
}

fn directions(json: &Json) -> Vec<BasisDirection> {
    json.as_array()
        .expect("list of directions")
        .iter()
        .map(direction)
        .collect()
}

fn basis(json: &Json) -> Basis {
    Basis::new(directions(json)).expect("distinct directions")
}

fn matrix(json: &Json) -> DMatrix<f64> {
    let rows = json["data"].as_array().expect("rows");
    let columns = rows.first().map_or(0, |r| r.as_array().expect("row").len());
    DMatrix::from_fn(rows.len(), columns, |i, j| {
        rows[i][j].as_f64().expect("number")
    })
}

fn reverse_series() -> Series<ReverseResidual> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/programs/reverse.json"
    );
    let text = std::fs::read_to_string(path).expect("reverse fixture");
    let program: Json = serde_json::from_str(&text).expect("valid JSON");

    let mut series = Series::new();
    for block in program["craft_blocks"].as_array().expect("blocks") {
        let parts = if block["type"] == "attn" {
            let heads = block["heads"].as_array().expect("heads");
            BlockParts::Attention(
                heads
                    .iter()
                    .map(|head| handcraft::block::HeadParts {
                        query: basis(&head["w_qk"]["left_space"]),
                        key: basis(&head["w_qk"]["right_space"]),
                        w_qk: matrix(&head["w_qk"]["matrix"]),
                        value: basis(&head["w_ov"]["input_space"]),
                        output: basis(&head["w_ov"]["output_space"]),
                        w_ov: matrix(&head["w_ov"]["matrix"]),
                        causal: head["causal"].as_bool().expect("causal flag"),
                    })
                    .collect(),
            )
        } else {
            let mlp = &block["mlp"];
            BlockParts::Mlp(handcraft::block::MlpParts {
                input: basis(&mlp["input_space"]),
                hidden: directions(&mlp["hidden_space"]),
                output: basis(&mlp["output_space"]),
                fst: matrix(&mlp["fst"]),
                snd: matrix(&mlp["snd"]),
            })
        };
        series = series.then(Block::from_parts(parts).expect("block fits the residual"));
    }
    series
}

/// BOS then tokens `a, b, c, a, ...`, with `one` everywhere and an index where there is one.
fn reverse_input(positions: usize) -> Sequence<ReverseResidual> {
    let tokens = ["a", "b", "c"];
    Sequence::from_fn(positions, |position, d| {
        let label = d.to_string();
        let token = if position == 0 {
            "tokens:BOS".to_owned()
        } else {
            format!("tokens:{}", tokens[position % 3])
        };
        let index = format!("indices:{}", position.saturating_sub(1));
        let hot = label == "one" || label == token || (position > 0 && label == index);
        if hot {
            1.0
        } else {
            0.0
        }
    })
}

// ---- a wide hand-made model ----

fn same_value<A: Space, B: Space>(a: Dir<A>, b: Dir<B>) -> f64 {
    if a.value_i64() == b.value_i64() {
        1.0
    } else {
        0.0
    }
}

fn wide_series() -> Series<WideResidual> {
    // Layer 0: copy the previous position's token; map (token, previous) to a pair category.
    let to_previous = ScalarBilinear::<Indices, Indices>::from_fn(|q, k| {
        if k.value_i64() == q.value_i64().map(|q| q - 1) {
            100.0
        } else {
            0.0
        }
    });
    let copy = AttentionHead::<WideResidual>::new(
        to_previous,
        Linear::<Tokens, Previous>::from_fn(same_value),
        false,
    );
    let pair_fst = Linear::<PairInput, PairHidden>::from_fn(|input, hidden| {
        let h = hidden.value_i64().unwrap_or(0);
        match (input.to_string().starts_with("tokens"), input.value_i64()) {
            (true, Some(t)) if t == h % 32 => 1.0,
            (false, Some(p)) if p == h / 2 => 1.0,
            (_, None) => -1.0,
            _ => 0.0,
        }
    });
    let pairs = Mlp::<WideResidual, PairHidden>::new(
        pair_fst,
        Linear::<PairHidden, Pairs>::from_fn(same_value),
    );

    // Layer 1: two heads attending to equal tokens; count pairs with an MLP.
    let same_token = || {
        AttentionHead::<WideResidual>::new(
            ScalarBilinear::<Tokens, Tokens>::from_fn(same_value),
            Linear::<Pairs, Pairs>::from_fn(|a, b| 0.5 * same_value(a, b)),
            true,
        )
    };
    let layer = MultiAttentionHead::new([same_token(), same_token()]);
    let counts = Mlp::<WideResidual, CountHidden>::new(
        Linear::<CountInput, CountHidden>::from_fn(|i, h| {
            let scale = h.value_f64().unwrap_or(0.0) / 64.0;
            if i.value_i64().is_some() {
                scale
            } else {
                -0.5
            }
        }),
        Linear::<CountHidden, Counts>::from_fn(|h, c| {
            if h.value_i64().map(|h| h % 13) == c.value_i64() {
                1.0
            } else {
                0.0
            }
        }),
    );

    Series::new()
        .then(copy)
        .then(pairs)
        .then(layer)
        .then(counts)
}

fn wide_input(positions: usize) -> Sequence<WideResidual> {
    Sequence::from_fn(positions, |position, d| {
        let label = d.to_string();
        let hot = label == "one"
            || label == format!("indices:{position}")
            || label == format!("tokens:{}", position * 7 % 32);
        if hot {
            1.0
        } else {
            0.0
        }
    })
}

// ---- the dense loop ----

/// One layer of an assembled model: attention with `heads` heads of width `key_size`, then
/// an MLP with `hidden` units, over a residual of `width` directions.
struct DenseLayer {
    heads: Vec<[DMatrix<f64>; 4]>,
    fst: DMatrix<f64>,
    snd: DMatrix<f64>,
}

fn dense_model(
    width: usize,
    layers: usize,
    heads: usize,
    key_size: usize,
    hidden: usize,
) -> Vec<DenseLayer> {
    let fill =
        |rows, columns| DMatrix::from_fn(rows, columns, |i, j| ((i * 7 + j * 3) % 5) as f64 * 0.01);
    (0..layers)
        .map(|_| DenseLayer {
            heads: (0..heads)
                .map(|_| {
                    [
                        fill(width, key_size),
                        fill(width, key_size),
                        fill(width, key_size),
                        fill(key_size, width),
                    ]
                })
                .collect(),
            fst: fill(width, hidden),
            snd: fill(hidden, width),
        })
        .collect()
}

fn dense_forward(layers: &[DenseLayer], input: &DMatrix<f64>) -> DMatrix<f64> {
    let mut x = input.clone();
    for layer in layers {
        let mut attention = DMatrix::zeros(x.nrows(), x.ncols());
        for [wq, wk, wv, wo] in &layer.heads {
            let mut logits = (&x * wq) * (&x * wk).transpose();
            for mut row in logits.row_iter_mut() {
                let max = row.max();
                row.apply(|v| *v = (*v - max).exp());
                let sum = row.sum();
                row /= sum;
            }
            attention += logits * (&x * wv) * wo;
        }
        x += attention;
        let mut hidden = &x * &layer.fst;
        hidden.apply(|v| *v = v.max(0.0));
        x += hidden * &layer.snd;
    }
    x
}

fn dense_input(positions: usize, width: usize) -> DMatrix<f64> {
    DMatrix::from_fn(
        positions,
        width,
        |i, j| if (i + j) % 9 == 0 { 1.0 } else { 0.0 },
    )
}

// ---- benchmarks ----

fn reverse(c: &mut Criterion) {
    let series = reverse_series();
    // The reference's assembled model: key size 12, 30 hidden units, one head, 4 layers.
    let dense = dense_model(ReverseResidual::DIM, 4, 1, 12, 30);
    let mut group = c.benchmark_group("reverse");
    for positions in [5, 8, 32] {
        let input = reverse_input(positions);
        group.bench_with_input(
            BenchmarkId::new("evaluate", positions),
            &input,
            |b, input| b.iter(|| series.evaluate(black_box(input)).expect("finite input")),
        );
        group.bench_with_input(BenchmarkId::new("apply", positions), &input, |b, input| {
            b.iter(|| series.apply(black_box(input)).expect("finite input"))
        });
        let dense_input = dense_input(positions, ReverseResidual::DIM);
        group.bench_with_input(
            BenchmarkId::new("dense", positions),
            &dense_input,
            |b, input| b.iter(|| dense_forward(&dense, black_box(input))),
        );
    }
    group.finish();
}

fn wide(c: &mut Criterion) {
    let series = wide_series();
    // Key size 128 (the widest query or key space), 64 hidden units, two heads, 2 layers.
    let dense = dense_model(WideResidual::DIM, 2, 2, 128, 64);
    let positions = 128;
    let input = wide_input(positions);
    let dense_input = dense_input(positions, WideResidual::DIM);

    let mut group = c.benchmark_group("wide");
    group.bench_function(BenchmarkId::new("evaluate", positions), |b| {
        b.iter(|| series.evaluate(black_box(&input)).expect("finite input"))
    });
    group.bench_function(BenchmarkId::new("apply", positions), |b| {
        b.iter(|| series.apply(black_box(&input)).expect("finite input"))
    });
    group.bench_function(BenchmarkId::new("dense", positions), |b| {
        b.iter(|| dense_forward(&dense, black_box(&dense_input)))
    });
    group.finish();
}

criterion_group!(benches, reverse, wide);
criterion_main!(benches);
