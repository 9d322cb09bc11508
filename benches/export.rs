//! Export speed: assembling, writing, reading back and verifying a model, and one forward pass
//! of the independent dense implementation on a long input.
//!
//! - `export/fraction_8`: a two-block model over 3 tokens and 8 positions, verified on every
//!   input (510 of them), in the tracr layout.
//! - `forward/fraction_128`: the same model at 128 positions, one forward pass over BOS and
//!   128 tokens.
//!
//! Run with `cargo bench --bench export`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use handcraft::assemble::Model;
use handcraft::dense::DenseModel;
use handcraft::export::ExportOptions;
use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Series, Space};

handcraft::spaces! {
    space Tokens = tokens: {"BOS", "a", "b"};
    space TokenA = tokens: {"a"};
    space One = one;
    space Count = count;
    space Hidden = h;
    space Double = double;
    numerical space Out = double;
    space ShortIndices = indices: 0..8;
    space LongIndices = indices: 0..128;
    space Short = Tokens | ShortIndices | One | Count | Double;
    space Long = Tokens | LongIndices | One | Count | Double;
}

/// Builds a causal model whose output is twice the fraction of `a` tokens up to each
/// position.
fn fraction<R, I>() -> Model<R>
where
    R: Space,
    I: handcraft::Subspace<R>,
    Tokens: handcraft::Subspace<R>,
    TokenA: handcraft::Subspace<R>,
    One: handcraft::Subspace<R>,
    Count: handcraft::Subspace<R>,
    Double: handcraft::Subspace<R>,
    Out: handcraft::Subspace<R>,
{
    let mean = AttentionHead::<R>::new(
        ScalarBilinear::<One, I>::zeros(),
        Linear::<TokenA, Count>::from_fn(|_, _| 1.0),
        true,
    );
    let double = Mlp::<R, Hidden>::new(
        Linear::<Count, Hidden>::from_fn(|_, _| 1.0),
        Linear::<Hidden, Double>::from_fn(|_, _| 2.0),
    );
    Model::builder(Series::new().then(mean).then(double))
        .tokens::<Tokens>(Dir::with_value("BOS").expect("BOS is a token"))
        .indices::<I>()
        .numerical_output::<Out>()
        .build()
        .expect("the spaces form a valid model")
}

fn export(c: &mut Criterion) {
    let model = fraction::<Short, ShortIndices>();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = ExportOptions::default();
    c.bench_function("export/fraction_8", |b| {
        b.iter(|| black_box(model.export(dir.path(), &options).expect("export succeeds")))
    });
}

fn forward(c: &mut Criterion) {
    let model = fraction::<Long, LongIndices>();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = ExportOptions::default().sample_size(10);
    model.export(dir.path(), &options).expect("export succeeds");
    let dense = DenseModel::load(dir.path()).expect("the export loads");
    let ids: Vec<usize> = (0..129)
        .map(|p| if p == 0 { 0 } else { 1 + p % 2 })
        .collect();
    c.bench_function("forward/fraction_128", |b| {
        b.iter(|| black_box(dense.forward(black_box(&ids)).expect("forward succeeds")))
    });
}

criterion_group!(benches, export, forward);
criterion_main!(benches);
