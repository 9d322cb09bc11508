//! Tensor names, shapes and row-major data of each layout.

use nalgebra::DMatrix;

use crate::assemble::DenseWeights;
use crate::export::config::Layout;

/// A named tensor with row-major (C order) data, as safetensors stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Name in the file.
    pub name: String,
    /// Shape, outermost dimension first.
    pub shape: Vec<usize>,
    /// Entries in row-major order.
    pub data: Vec<f64>,
}

/// The sizes that determine every tensor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Layers.
    pub num_layers: usize,
    /// Heads per layer.
    pub num_heads: usize,
    /// Head width.
    pub key_size: usize,
    /// MLP hidden width.
    pub mlp_hidden_size: usize,
    /// Residual width.
    pub d_model: usize,
    /// Tokens, BOS included.
    pub vocab_size: usize,
    /// Positions, BOS included.
    pub n_ctx: usize,
    /// Output directions.
    pub output_size: usize,
}

impl Sizes {
    /// Returns the sizes of assembled weights.
    pub fn of(weights: &DenseWeights) -> Sizes {
        let shape = weights.shape();
        Sizes {
            num_layers: shape.num_layers,
            num_heads: shape.num_heads,
            key_size: shape.key_size,
            mlp_hidden_size: shape.mlp_hidden_size,
            d_model: shape.d_model,
            vocab_size: weights.token_embedding().nrows(),
            n_ctx: weights.position_embedding().nrows(),
            output_size: weights.unembedding().ncols(),
        }
    }
}

/// Returns the name and shape of every tensor of `layout`, in a fixed order.
pub fn schema(layout: Layout, sizes: &Sizes) -> Vec<(String, Vec<usize>)> {
    let Sizes {
        num_layers,
        num_heads: h,
        key_size: k,
        mlp_hidden_size: m,
        d_model: d,
        vocab_size,
        n_ctx,
        output_size,
    } = *sizes;
    let mut entries: Vec<(String, Vec<usize>)> = Vec::new();
    match layout {
        Layout::Tracr => {
            entries.push(("token_embed/embeddings".into(), vec![vocab_size, d]));
            entries.push(("pos_embed/embeddings".into(), vec![n_ctx, d]));
            for l in 0..num_layers {
                let attn = format!("transformer/layer_{l}/attn");
                for part in ["query", "key", "value"] {
                    entries.push((format!("{attn}/{part}/w"), vec![d, h * k]));
                    entries.push((format!("{attn}/{part}/b"), vec![h * k]));
                }
                entries.push((format!("{attn}/linear/w"), vec![h * k, d]));
                entries.push((format!("{attn}/linear/b"), vec![d]));
                let mlp = format!("transformer/layer_{l}/mlp");
                entries.push((format!("{mlp}/linear_1/w"), vec![d, m]));
                entries.push((format!("{mlp}/linear_1/b"), vec![m]));
                entries.push((format!("{mlp}/linear_2/w"), vec![m, d]));
                entries.push((format!("{mlp}/linear_2/b"), vec![d]));
            }
        }
        Layout::TransformerLens => {
            entries.push(("embed.W_E".into(), vec![vocab_size, d]));
            entries.push(("pos_embed.W_pos".into(), vec![n_ctx, d]));
            for l in 0..num_layers {
                let attn = format!("blocks.{l}.attn");
                for part in ["Q", "K", "V"] {
                    entries.push((format!("{attn}.W_{part}"), vec![h, d, k]));
                    entries.push((format!("{attn}.b_{part}"), vec![h, k]));
                }
                entries.push((format!("{attn}.W_O"), vec![h, k, d]));
                entries.push((format!("{attn}.b_O"), vec![d]));
                let mlp = format!("blocks.{l}.mlp");
                entries.push((format!("{mlp}.W_in"), vec![d, m]));
                entries.push((format!("{mlp}.b_in"), vec![m]));
                entries.push((format!("{mlp}.W_out"), vec![m, d]));
                entries.push((format!("{mlp}.b_out"), vec![d]));
            }
            entries.push(("unembed.W_U".into(), vec![d, output_size]));
            entries.push(("unembed.b_U".into(), vec![output_size]));
        }
    }
    entries
}

/// Returns every tensor of `layout` for the assembled weights, in [`schema`] order; biases
/// are zero.
pub fn tensors(weights: &DenseWeights, layout: Layout) -> Vec<Tensor> {
    let sizes = Sizes::of(weights);
    let schema = schema(layout, &sizes);
    let mut data: Vec<Vec<f64>> = Vec::with_capacity(schema.len());

    data.push(row_major(weights.token_embedding()));
    data.push(row_major(weights.position_embedding()));
    for layer in weights.layers() {
        let attention = layer.attention();
        let mlp = layer.mlp();
        match layout {
            Layout::Tracr => {
                for matrix in [attention.query(), attention.key(), attention.value()] {
                    data.push(row_major(matrix));
                    data.push(vec![0.0; matrix.ncols()]);
                }
                data.push(row_major(attention.output()));
                data.push(vec![0.0; sizes.d_model]);
            }
            Layout::TransformerLens => {
                for matrix in [attention.query(), attention.key(), attention.value()] {
                    data.push(split_columns_by_head(
                        matrix,
                        sizes.num_heads,
                        sizes.key_size,
                    ));
                    data.push(vec![0.0; matrix.ncols()]);
                }
                // `[H·K, D]` row-major is already `[H, K, D]` row-major.
                data.push(row_major(attention.output()));
                data.push(vec![0.0; sizes.d_model]);
            }
        }
        data.push(row_major(mlp.first()));
        data.push(vec![0.0; sizes.mlp_hidden_size]);
        data.push(row_major(mlp.second()));
        data.push(vec![0.0; sizes.d_model]);
    }
    if layout == Layout::TransformerLens {
        data.push(row_major(weights.unembedding()));
        data.push(vec![0.0; sizes.output_size]);
    }

    schema
        .into_iter()
        .zip(data)
        .map(|((name, shape), data)| Tensor { name, shape, data })
        .collect()
}

/// Returns the entries of a matrix in row-major order (nalgebra stores column-major).
fn row_major(matrix: &DMatrix<f64>) -> Vec<f64> {
    let mut data = Vec::with_capacity(matrix.len());
    for row in matrix.row_iter() {
        data.extend(row.iter());
    }
    data
}

/// Rearranges `[D, H·K]` into `[H, D, K]`, row-major: head `h` is columns `h·K .. (h+1)·K`.
fn split_columns_by_head(matrix: &DMatrix<f64>, heads: usize, key_size: usize) -> Vec<f64> {
    let mut data = Vec::with_capacity(matrix.len());
    for h in 0..heads {
        for row in 0..matrix.nrows() {
            for k in 0..key_size {
                data.push(matrix[(row, h * key_size + k)]);
            }
        }
    }
    data
}
