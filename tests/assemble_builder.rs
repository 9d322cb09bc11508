//! Declaring a model's interface and placing blocks in layer slots: the checks on token,
//! index, output and `one` spaces, slot placement, and errors for blocks built from parts.

use handcraft::assemble::{AssembleError, DenseWeights, Model, ModelSpaces, OutputKind};
use handcraft::block::{BlockParts, HeadParts, MlpParts};
use handcraft::nalgebra::DMatrix;
use handcraft::{AttentionHead, Basis, BasisDirection, Dir, Linear, Mlp, ScalarBilinear, Series};

handcraft::spaces! {
    space Tokens = tokens: {"BOS", "a", "b"};
    space OnlyBos = tokens: {"BOS"};
    space Clashing = tokens: {"BOS", 1, "1"};
    space Indices = indices: 0..3;
    space Shifted = indices: 1..4;
    space One = one;
    space Unit = unit;
    space Pair = {unit, one};
    space Out = out: {"a", "b"};
    space Hidden = h;
    space Residual = Tokens | Indices | One | Unit | Out;
    space NoOne = Tokens | Indices | Out;
    space ShiftedResidual = Tokens | Shifted | Out;
    space BosResidual = OnlyBos | Indices | Out;
    space ClashingResidual = Clashing | Indices | Out;
}

fn bos<T: handcraft::Space>() -> Dir<T> {
    Dir::with_value("BOS").unwrap()
}

fn mlp() -> Mlp<Residual, Hidden> {
    Mlp::new(
        Linear::<One, Hidden>::from_fn(|_, _| 1.0),
        Linear::<Hidden, Out>::from_fn(|_, o| if o.value_str() == Some("a") { 1.0 } else { 0.0 }),
    )
}

fn head() -> AttentionHead<Residual> {
    AttentionHead::new(
        ScalarBilinear::<Indices, Indices>::zeros(),
        Linear::<Tokens, Out>::zeros(),
        false,
    )
}

fn column(spaces: &ModelSpaces, label: &str) -> usize {
    spaces
        .residual()
        .labels()
        .iter()
        .position(|l| l == label)
        .unwrap()
}

#[test]
fn embedding_sets_one_tokens_and_indices() {
    let model = Model::builder(Series::<Residual>::new())
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    let spaces = model.spaces();
    assert_eq!(spaces.one(), Some(&BasisDirection::new("one")));

    let input = spaces.embed(&[0, 2, 1]).unwrap();
    assert_eq!(input[(0, column(spaces, "tokens:BOS"))], 1.0);
    assert_eq!(input[(0, column(spaces, "one"))], 1.0);
    assert_eq!(input.row(0).sum(), 2.0, "BOS embeds no index");
    assert_eq!(input[(1, column(spaces, "tokens:b"))], 1.0);
    assert_eq!(input[(1, column(spaces, "indices:0"))], 1.0);
    assert_eq!(input[(2, column(spaces, "indices:1"))], 1.0);
    assert_eq!(input[(2, column(spaces, "unit"))], 0.0);
    assert_eq!(input.row(2).sum(), 3.0);
}

#[test]
fn chosen_one_space_replaces_direction_one() {
    let model = Model::builder(Series::<Residual>::new())
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .one::<Unit>()
        .build()
        .unwrap();
    let spaces = model.spaces();
    let input = spaces.embed(&[0, 1]).unwrap();
    assert_eq!(input[(1, column(spaces, "unit"))], 1.0);
    assert_eq!(input[(1, column(spaces, "one"))], 0.0);
}

#[test]
fn residual_without_one_embeds_no_constant() {
    let model = Model::builder(Series::<NoOne>::new())
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    assert_eq!(model.spaces().one(), None);
    assert_eq!(model.spaces().embed(&[0, 1]).unwrap().sum(), 3.0);
}

#[test]
fn one_space_of_two_directions_fails() {
    let error = Model::builder(Series::<Residual>::new())
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .one::<Pair>()
        .build()
        .unwrap_err();
    assert_eq!(error, AssembleError::OneNotSingleDirection { dim: 2 });
}

#[test]
fn indices_not_from_zero_fail() {
    let error = Model::builder(Series::<ShiftedResidual>::new())
        .tokens::<Tokens>(bos())
        .indices::<Shifted>()
        .categorical_output::<Out>()
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        AssembleError::IndicesNotPositions {
            position: 0,
            direction: "indices:1".into(),
        }
    );
}

#[test]
fn bos_only_vocabulary_fails() {
    let error = Model::builder(Series::<BosResidual>::new())
        .tokens::<OnlyBos>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap_err();
    assert_eq!(error, AssembleError::NoTokens { bos: "BOS".into() });
}

#[test]
fn tokens_printing_alike_fail() {
    let error = Model::builder(Series::<ClashingResidual>::new())
        .tokens::<Clashing>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap_err();
    assert!(
        matches!(error, AssembleError::DuplicateToken { ref token, .. } if token == "1"),
        "{error}"
    );
}

#[test]
fn embed_rejects_bad_ids() {
    let model = Model::builder(Series::<Residual>::new())
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    assert_eq!(model.embed(&[]).unwrap_err(), AssembleError::EmptyInput);
    assert_eq!(
        model.embed(&[0, 3]).unwrap_err(),
        AssembleError::TokenId {
            id: 3,
            vocab_size: 3
        }
    );
    assert_eq!(
        model.embed(&[0, 1, 1, 1, 1]).unwrap_err(),
        AssembleError::TooLong {
            len: 5,
            max_seq_len: 3
        }
    );
}

#[test]
fn blocks_take_next_free_slot_of_their_kind() {
    let series = Series::new()
        .then(mlp())
        .then(mlp())
        .then(head())
        .then(head());
    let model = Model::builder(series)
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    let weights = model.assemble().unwrap();
    assert_eq!(weights.shape().num_layers, 4);
    assert_eq!(
        weights.module_names(),
        [
            "transformer/layer_0/mlp",
            "transformer/layer_1/mlp",
            "transformer/layer_2/attn",
            "transformer/layer_3/attn",
        ]
    );
    // Skipped slots stay zero.
    assert_eq!(weights.layers()[0].attention().query().abs().max(), 0.0);
    assert_eq!(weights.layers()[2].mlp().first().abs().max(), 0.0);
    assert_eq!(weights.layers()[0].mlp().first().abs().max(), 1.0);
}

#[test]
fn sizes_without_attention_or_mlp_are_one() {
    let only_mlp = Model::builder(Series::new().then(mlp()))
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap()
        .assemble()
        .unwrap();
    assert_eq!(
        (only_mlp.shape().num_heads, only_mlp.shape().key_size),
        (1, 1)
    );

    let only_head = Model::builder(Series::new().then(head()))
        .tokens::<Tokens>(bos())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap()
        .assemble()
        .unwrap();
    assert_eq!(only_head.shape().mlp_hidden_size, 1);
    assert_eq!(only_head.shape().key_size, 3);
}

fn raw_spaces() -> ModelSpaces {
    ModelSpaces::new(
        <Residual as handcraft::Space>::basis().clone(),
        <Tokens as handcraft::Space>::basis().clone(),
        &BasisDirection::with_value("tokens", "BOS"),
        <Indices as handcraft::Space>::basis().clone(),
        <Out as handcraft::Space>::basis().clone(),
        OutputKind::Categorical,
        None,
    )
    .unwrap()
}

fn basis(names: &[&str]) -> Basis {
    Basis::new(names.iter().map(|&n| BasisDirection::new(n))).unwrap()
}

#[test]
fn raw_spaces_outside_residual_fail() {
    let error = ModelSpaces::new(
        <Residual as handcraft::Space>::basis().clone(),
        <Tokens as handcraft::Space>::basis().clone(),
        &BasisDirection::with_value("tokens", "BOS"),
        <Indices as handcraft::Space>::basis().clone(),
        basis(&["elsewhere"]),
        OutputKind::Categorical,
        None,
    )
    .unwrap_err();
    assert_eq!(
        error,
        AssembleError::NotInResidual {
            role: "output",
            direction: "elsewhere".into(),
        }
    );
}

#[test]
fn raw_numerical_output_of_two_directions_fails() {
    let error = ModelSpaces::new(
        <Residual as handcraft::Space>::basis().clone(),
        <Tokens as handcraft::Space>::basis().clone(),
        &BasisDirection::with_value("tokens", "BOS"),
        <Indices as handcraft::Space>::basis().clone(),
        <Out as handcraft::Space>::basis().clone(),
        OutputKind::Numerical,
        None,
    )
    .unwrap_err();
    assert_eq!(error, AssembleError::NumericalOutputWidth { dim: 2 });
}

#[test]
fn raw_block_outside_residual_fails() {
    let block = BlockParts::Mlp(MlpParts {
        input: basis(&["one"]),
        hidden: vec![BasisDirection::new("h")],
        output: basis(&["elsewhere"]),
        fst: DMatrix::from_element(1, 1, 1.0),
        snd: DMatrix::from_element(1, 1, 1.0),
    });
    let error = DenseWeights::assemble(&[block], raw_spaces()).unwrap_err();
    assert_eq!(
        error,
        AssembleError::BlockOutsideResidual {
            block: 0,
            role: "MLP output",
            direction: "elsewhere".into(),
        }
    );
}

#[test]
fn raw_head_with_wrong_matrix_shape_fails() {
    let head = HeadParts {
        query: basis(&["one"]),
        key: basis(&["one", "unit"]),
        w_qk: DMatrix::zeros(1, 1),
        value: basis(&["one"]),
        output: basis(&["unit"]),
        w_ov: DMatrix::zeros(1, 1),
        causal: false,
    };
    let error =
        DenseWeights::assemble(&[BlockParts::Attention(vec![head])], raw_spaces()).unwrap_err();
    assert_eq!(
        error,
        AssembleError::MatrixShape {
            block: 0,
            matrix: "w_qk",
            rows: 1,
            columns: 1,
            expected_rows: 1,
            expected_columns: 2,
        }
    );
}

#[test]
fn raw_non_finite_weight_fails() {
    let block = BlockParts::Mlp(MlpParts {
        input: basis(&["one"]),
        hidden: vec![BasisDirection::new("h")],
        output: basis(&["unit"]),
        fst: DMatrix::from_element(1, 1, 1.0),
        snd: DMatrix::from_element(1, 1, f64::NAN),
    });
    let error = DenseWeights::assemble(&[block], raw_spaces()).unwrap_err();
    assert!(
        matches!(
            error,
            AssembleError::NonFiniteWeight {
                block: 0,
                matrix: "snd",
                row: 0,
                column: 0,
                ..
            }
        ),
        "{error}"
    );
}
