//! Assembly of the hand-made craft models of `tests/fixtures/craft/assemble_*.json`, rebuilt
//! through the typed API.

mod common;

use handcraft::assemble::{AssembleError, Model};
use handcraft::export::{tensors, ExportError, ExportOptions, Layout};
use handcraft::nalgebra::DMatrix;
use handcraft::{
    AttentionHead, Dir, Linear, Mlp, MultiAttentionHead, ScalarBilinear, Series, Space,
};
use serde_json::Value as Json;

mod mixed {
    handcraft::spaces! {
        pub space Tokens = tokens: {"BOS", "a", "b"};
        pub space Indices = indices: 0..3;
        pub space Out = out: 0..2;
        pub space One = one;
        pub space M = m;
        pub space N = n: 0..2;
        pub space H = h: 0..3;
        pub space G = g: 0..2;
        pub space OneTokens = One | Tokens;
        pub space IndicesTokens = Indices | Tokens;
        pub space Residual = Tokens | Indices | Out | One | M | N;
    }
}

mod wide_value {
    handcraft::spaces! {
        pub space Tokens = tokens: {"BOS", "a"};
        pub space Indices = indices: 0..2;
        pub space Q = q: {0};
        pub space K = k: {0};
        pub space V = v: 0..3;
        pub space O = o: 0..3;
        pub space Residual = Tokens | Indices | Q | K | V | O;
    }
}

/// Builds a typed linear map from a fixture matrix whose labels are the bases of `In`, `Out`.
fn linear<In: Space, Out: Space>(matrix: &Json) -> Linear<In, Out> {
    let (rows, columns, data) = common::matrix(matrix);
    assert_eq!(rows.labels(), In::basis().labels());
    assert_eq!(columns.labels(), Out::basis().labels());
    Linear::from_fn(|i, o| data[(i.index(), o.index())])
}

fn bilinear<Q: Space, K: Space>(matrix: &Json) -> ScalarBilinear<Q, K> {
    let (rows, columns, data) = common::matrix(matrix);
    assert_eq!(rows.labels(), Q::basis().labels());
    assert_eq!(columns.labels(), K::basis().labels());
    ScalarBilinear::from_fn(|q, k| data[(q.index(), k.index())])
}

/// Builds the model of `assemble_mixed_blocks.json`: MLP, two heads, MLP, causal head.
fn mixed_model(fixture: &Json) -> Model<mixed::Residual> {
    use mixed::*;
    let blocks = &fixture["craft_model"]["blocks"];
    let heads = &blocks[1]["heads"];
    let head = |h: usize| &heads[h];

    let first = Mlp::<Residual, H>::new(
        linear::<OneTokens, H>(&blocks[0]["fst"]),
        linear::<H, M>(&blocks[0]["snd"]),
    );
    let pair = MultiAttentionHead::new([
        AttentionHead::<Residual>::new(
            bilinear::<Indices, Indices>(&head(0)["w_qk"]["matrix"]),
            linear::<M, N>(&head(0)["w_ov"]["matrix"]),
            false,
        ),
        AttentionHead::<Residual>::new(
            bilinear::<Tokens, IndicesTokens>(&head(1)["w_qk"]["matrix"]),
            linear::<Tokens, N>(&head(1)["w_ov"]["matrix"]),
            false,
        ),
    ]);
    let second = Mlp::<Residual, G>::new(
        linear::<N, G>(&blocks[2]["fst"]),
        linear::<G, M>(&blocks[2]["snd"]),
    );
    let last = AttentionHead::<Residual>::new(
        bilinear::<M, N>(&blocks[3]["w_qk"]["matrix"]),
        linear::<N, Out>(&blocks[3]["w_ov"]["matrix"]),
        true,
    );

    let series = Series::new().then(first).then(pair).then(second).then(last);
    Model::builder(series)
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap()
}

fn flatten(json: &Json) -> Vec<f64> {
    match json {
        Json::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![common::number(other)],
    }
}

fn strings(json: &Json) -> Vec<String> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn mixed_blocks_params_match_reference() {
    let fixture = common::load("craft/assemble_mixed_blocks.json");
    let weights = mixed_model(&fixture).assemble().unwrap();

    let params = fixture["params"].as_object().unwrap();
    let expected_count: usize = params.values().map(|p| p.as_object().unwrap().len()).sum();
    let tensors = tensors(&weights, Layout::Tracr);
    assert_eq!(tensors.len(), expected_count);
    for tensor in &tensors {
        let (module, param) = tensor.name.rsplit_once('/').unwrap();
        let expected = &params[module][param];
        let shape: Vec<usize> = expected["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(tensor.shape, shape, "shape of {}", tensor.name);
        let values = flatten(&expected["data"]);
        for (i, (a, e)) in tensor.data.iter().zip(&values).enumerate() {
            assert!(
                (a - e).abs() <= 1e-6,
                "{} entry {i} is {a}, expected {e}",
                tensor.name
            );
        }
    }
}

#[test]
fn mixed_blocks_layout_matches_reference() {
    let fixture = common::load("craft/assemble_mixed_blocks.json");
    let weights = mixed_model(&fixture).assemble().unwrap();
    let config = &fixture["model_config"];
    let shape = weights.shape();

    assert_eq!(
        weights.spaces().residual().labels(),
        strings(&fixture["residual_labels"])
    );
    assert_eq!(weights.module_names(), strings(&fixture["module_names"]));
    assert_eq!(
        shape.num_layers as u64,
        config["num_layers"].as_u64().unwrap()
    );
    assert_eq!(
        shape.num_heads as u64,
        config["num_heads"].as_u64().unwrap()
    );
    assert_eq!(shape.key_size as u64, config["key_size"].as_u64().unwrap());
    assert_eq!(
        shape.mlp_hidden_size as u64,
        config["mlp_hidden_size"].as_u64().unwrap()
    );
    // The first block is an MLP, so layer 0's attention slot is empty.
    assert_eq!(weights.layers()[0].attention_block(), None);
    assert_eq!(weights.layers()[0].mlp_block(), Some(0));
}

#[test]
fn mixed_blocks_embedding_matches_reference() {
    let fixture = common::load("craft/assemble_mixed_blocks.json");
    let model = mixed_model(&fixture);
    for evaluation in fixture["evaluations"].as_array().unwrap() {
        let ids: Vec<usize> = evaluation["input_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap() as usize)
            .collect();
        let embedded = model.spaces().embed(&ids).unwrap();
        let expected = common::rows(&evaluation["input_embeddings"]);
        common::assert_close(&embedded, &expected, 0.0, "input embeddings");
    }
}

#[test]
fn mixed_blocks_typed_residuals_match_reference() {
    let fixture = common::load("craft/assemble_mixed_blocks.json");
    let model = mixed_model(&fixture);
    for evaluation in fixture["evaluations"].as_array().unwrap() {
        let ids: Vec<usize> = evaluation["input_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap() as usize)
            .collect();
        let typed = model.evaluate(&ids).unwrap();
        let expected = evaluation["craft_residuals_after_each_block"]
            .as_array()
            .unwrap();
        assert_eq!(typed.blocks().len(), expected.len());
        for (block, rows) in typed.blocks().iter().zip(expected) {
            let matrix = block.residual().matrix();
            let actual =
                DMatrix::from_column_slice(matrix.nrows(), matrix.ncols(), matrix.as_slice());
            common::assert_close(&actual, &common::rows(rows), 1e-9, "craft residual");
        }
    }
}

/// The reference drops the causal flag of the last head and assembles a non-causal model. A
/// dense transformer has one mask for all heads, so this crate rejects the mix instead.
#[test]
fn mixed_causality_fails_export() {
    let fixture = common::load("craft/assemble_mixed_blocks.json");
    let model = mixed_model(&fixture);
    let expected = AssembleError::MixedCausality {
        causal_layer: 2,
        causal_head: 0,
        layer: 1,
        head: 0,
    };
    assert_eq!(model.assemble().unwrap().causal(), Err(expected.clone()));

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("model");
    let error = model
        .export(&target, &ExportOptions::default())
        .unwrap_err();
    assert_eq!(error, ExportError::Assemble(expected));
    assert!(!target.exists() || std::fs::read_dir(&target).unwrap().next().is_none());
}

fn wide_value_model(fixture: &Json) -> Model<wide_value::Residual> {
    use wide_value::*;
    let block = &fixture["craft_model"]["blocks"][0];
    let head = AttentionHead::<Residual>::new(
        bilinear::<Q, K>(&block["w_qk"]["matrix"]),
        linear::<V, O>(&block["w_ov"]["matrix"]),
        false,
    );
    Model::builder(Series::new().then(head))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<O>()
        .build()
        .unwrap()
}

/// The reference sizes heads by `w_qk` alone (key size 1) and fails to write the 3-wide
/// `w_ov`. Here the key size covers the output width, so assembly succeeds.
#[test]
fn value_wider_than_key_assembles_where_reference_fails() {
    let fixture = common::load("craft/assemble_value_size_exceeds_key_size.json");
    assert_eq!(fixture["expect_error"], "ValueError");
    let weights = wide_value_model(&fixture).assemble().unwrap();
    assert_eq!(weights.shape().key_size, 3);

    let labels = weights.spaces().residual().labels();
    let column = |label: &str| labels.iter().position(|l| l == label).unwrap();
    let attention = weights.layers()[0].attention();
    for j in 0..3 {
        // The value weight is `w_ov` (the identity) and the output weight writes `o:j`.
        assert_eq!(attention.value()[(column(&format!("v:{j}")), j)], 1.0);
        assert_eq!(attention.output()[(j, column(&format!("o:{j}")))], 1.0);
    }
    assert_eq!(attention.query()[(column("q:0"), 0)], 1.0);
    assert_eq!(attention.key()[(column("k:0"), 0)], 1.0);
}

#[test]
fn value_wider_than_key_exports_verified() {
    let fixture = common::load("craft/assemble_value_size_exceeds_key_size.json");
    let dir = tempfile::tempdir().unwrap();
    let report = wide_value_model(&fixture)
        .export(dir.path(), &ExportOptions::default())
        .unwrap();
    let verification = report.verification();
    // One non-BOS token and at most two positions: `a` and `a a`.
    assert_eq!(verification.inputs_checked, 2);
    assert!(verification.exhaustive);
    assert_eq!(verification.max_residual_error, 0.0);
}
