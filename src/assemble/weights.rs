//! Dense transformer weights assembled from blocks: layer slots, head padding and sizes.

use nalgebra::DMatrix;

use crate::assemble::error::AssembleError;
use crate::assemble::spaces::ModelSpaces;
use crate::basis::Basis;
use crate::block::parts::{BlockParts, HeadParts, MlpParts};

/// The sizes of a dense model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DenseShape {
    /// Layers, each an attention sublayer followed by an MLP sublayer.
    pub num_layers: usize,
    /// Heads per attention sublayer: the most heads in any attention block (1 without any).
    pub num_heads: usize,
    /// Width of every head's query, key and value: the largest of any head's query, key and
    /// output dimensions (1 without any head).
    pub key_size: usize,
    /// Hidden units per MLP sublayer: the most in any MLP block (1 without any).
    pub mlp_hidden_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
}

/// The attention sublayer of one layer. Head `h` occupies columns `h·K .. (h+1)·K` of the
/// query, key and value weights and the same rows of the output weight, `K` being the key
/// size; unused heads and columns are zero.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionWeights {
    query: DMatrix<f64>,
    key: DMatrix<f64>,
    value: DMatrix<f64>,
    output: DMatrix<f64>,
    causal: Vec<bool>,
}

impl AttentionWeights {
    /// Returns the query weight `[d_model, num_heads·key_size]`: the residual's projection onto
    /// each head's query space times its `w_qk`.
    pub fn query(&self) -> &DMatrix<f64> {
        &self.query
    }

    /// Returns the key weight `[d_model, num_heads·key_size]`: the projection onto each head's
    /// key space.
    pub fn key(&self) -> &DMatrix<f64> {
        &self.key
    }

    /// Returns the value weight `[d_model, num_heads·key_size]`: the projection onto each
    /// head's value space times its `w_ov`.
    pub fn value(&self) -> &DMatrix<f64> {
        &self.value
    }

    /// Returns the output weight `[num_heads·key_size, d_model]`: each head's output space
    /// embedded in the residual.
    pub fn output(&self) -> &DMatrix<f64> {
        &self.output
    }

    /// Returns the causal flag of each head placed here, in head order; padding heads have
    /// none.
    pub fn causal(&self) -> &[bool] {
        &self.causal
    }
}

/// The MLP sublayer of one layer; unused hidden units are zero.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpWeights {
    first: DMatrix<f64>,
    second: DMatrix<f64>,
}

impl MlpWeights {
    /// Returns the first weight `[d_model, mlp_hidden_size]`: the projection onto the input
    /// space times `fst`.
    pub fn first(&self) -> &DMatrix<f64> {
        &self.first
    }

    /// Returns the second weight `[mlp_hidden_size, d_model]`: `snd` embedded in the residual.
    pub fn second(&self) -> &DMatrix<f64> {
        &self.second
    }
}

/// One layer: attention, then MLP, each added to the residual stream.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLayer {
    attention: AttentionWeights,
    mlp: MlpWeights,
    attention_block: Option<usize>,
    mlp_block: Option<usize>,
}

impl DenseLayer {
    /// Returns the attention sublayer.
    pub fn attention(&self) -> &AttentionWeights {
        &self.attention
    }

    /// Returns the MLP sublayer.
    pub fn mlp(&self) -> &MlpWeights {
        &self.mlp
    }

    /// Returns the index in the series of the block in the attention slot, if any.
    pub fn attention_block(&self) -> Option<usize> {
        self.attention_block
    }

    /// Returns the index in the series of the block in the MLP slot, if any.
    pub fn mlp_block(&self) -> Option<usize> {
        self.mlp_block
    }
}

/// The weights of an ordinary transformer (no layer norm, relu MLPs, zero biases) that
/// computes what a series of blocks computes, over the residual basis of [`ModelSpaces`].
///
/// Blocks are placed in order, each in the next free slot of its kind in the sequence
/// `attention 0, MLP 0, attention 1, MLP 1, …`; skipped slots stay zero. A head's query,
/// value and output widths all fit in the key size, which is the largest of any head's query,
/// key and output dimensions.
///
/// NOTE: the reference sizes heads by the query and key dimensions only and fails on a head
/// whose output is wider. The query dimension is kept in the maximum, although no column
/// holds it, so that the key size equals the reference's wherever the reference succeeds.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseWeights {
    spaces: ModelSpaces,
    shape: DenseShape,
    token_embedding: DMatrix<f64>,
    position_embedding: DMatrix<f64>,
    layers: Vec<DenseLayer>,
    unembedding: DMatrix<f64>,
}

impl DenseWeights {
    /// Assembles blocks over the residual basis of `spaces`.
    ///
    /// # Errors
    /// [`AssembleError::BlockOutsideResidual`] naming the first block that reads or writes a
    /// direction the residual lacks.
    pub fn assemble(blocks: &[BlockParts], spaces: ModelSpaces) -> Result<Self, AssembleError> {
        for (index, block) in blocks.iter().enumerate() {
            check_block(index, block, spaces.residual())?;
        }

        let slots = place(blocks);
        let shape = measure(blocks, &slots, spaces.residual().dim());
        let mut layers: Vec<DenseLayer> =
            (0..shape.num_layers).map(|_| empty_layer(&shape)).collect();

        for ((index, block), slot) in blocks.iter().enumerate().zip(slots) {
            let layer = &mut layers[slot / 2];
            match block {
                BlockParts::Attention(heads) => {
                    layer.attention_block = Some(index);
                    for (h, head) in heads.iter().enumerate() {
                        place_head(&mut layer.attention, h, head, &shape, spaces.residual());
                    }
                }
                BlockParts::Mlp(mlp) => {
                    layer.mlp_block = Some(index);
                    place_mlp(&mut layer.mlp, mlp, spaces.residual());
                }
            }
        }

        Ok(DenseWeights {
            token_embedding: spaces.token_embedding(),
            position_embedding: spaces.position_embedding(),
            unembedding: spaces.unembedding(),
            spaces,
            shape,
            layers,
        })
    }

    /// Returns the model's interface.
    pub fn spaces(&self) -> &ModelSpaces {
        &self.spaces
    }

    /// Returns the sizes.
    pub fn shape(&self) -> DenseShape {
        self.shape
    }

    /// Returns the token embedding `[vocabulary, d_model]`.
    pub fn token_embedding(&self) -> &DMatrix<f64> {
        &self.token_embedding
    }

    /// Returns the position embedding `[max_seq_len + 1, d_model]`.
    pub fn position_embedding(&self) -> &DMatrix<f64> {
        &self.position_embedding
    }

    /// Returns the layers.
    pub fn layers(&self) -> &[DenseLayer] {
        &self.layers
    }

    /// Returns the unembedding `[d_model, output]`.
    pub fn unembedding(&self) -> &DMatrix<f64> {
        &self.unembedding
    }

    /// Returns whether every head is causal. A model without heads is not causal.
    ///
    /// # Errors
    /// [`AssembleError::MixedCausality`] naming a causal and a non-causal head, because a
    /// dense transformer applies one mask to all heads.
    pub fn causal(&self) -> Result<bool, AssembleError> {
        let heads: Vec<(usize, usize, bool)> = self
            .layers
            .iter()
            .enumerate()
            .flat_map(|(l, layer)| {
                let flags = layer.attention.causal.iter().copied().enumerate();
                flags.map(move |(h, causal)| (l, h, causal))
            })
            .collect();
        let causal = heads.iter().find(|head| head.2);
        let non_causal = heads.iter().find(|head| !head.2);
        match (causal, non_causal) {
            (Some(&(causal_layer, causal_head, _)), Some(&(layer, head, _))) => {
                Err(AssembleError::MixedCausality {
                    causal_layer,
                    causal_head,
                    layer,
                    head,
                })
            }
            (Some(_), None) => Ok(true),
            (None, _) => Ok(false),
        }
    }

    /// Returns the reference's module name of each block, in series order:
    /// `transformer/layer_<l>/attn` or `transformer/layer_<l>/mlp`.
    pub fn module_names(&self) -> Vec<String> {
        let mut modules: Vec<(usize, String)> = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            if let Some(block) = layer.attention_block {
                modules.push((block, format!("transformer/layer_{l}/attn")));
            }
            if let Some(block) = layer.mlp_block {
                modules.push((block, format!("transformer/layer_{l}/mlp")));
            }
        }
        modules.sort();
        modules.into_iter().map(|(_, name)| name).collect()
    }
}

/// Returns each block's slot, `2·layer` for attention and `2·layer + 1` for an MLP: the next
/// free slot of its kind after the previous block's.
fn place(blocks: &[BlockParts]) -> Vec<usize> {
    let mut next = 0;
    blocks
        .iter()
        .map(|block| {
            let parity = match block {
                BlockParts::Attention(_) => 0,
                BlockParts::Mlp(_) => 1,
            };
            let slot = if next % 2 == parity { next } else { next + 1 };
            next = slot + 1;
            slot
        })
        .collect()
}

fn measure(blocks: &[BlockParts], slots: &[usize], d_model: usize) -> DenseShape {
    let heads = || {
        blocks.iter().flat_map(|block| match block {
            BlockParts::Attention(heads) => heads.as_slice(),
            BlockParts::Mlp(_) => &[],
        })
    };
    let attention_widths = blocks.iter().filter_map(|block| match block {
        BlockParts::Attention(heads) => Some(heads.len()),
        BlockParts::Mlp(_) => None,
    });
    let hidden_widths = blocks.iter().filter_map(|block| match block {
        BlockParts::Mlp(mlp) => Some(mlp.hidden.len()),
        BlockParts::Attention(_) => None,
    });
    let key_sizes = heads().map(|head| head.query.dim().max(head.key.dim()).max(head.output.dim()));

    DenseShape {
        num_layers: slots.last().map_or(0, |slot| slot / 2 + 1),
        num_heads: attention_widths.max().unwrap_or(1).max(1),
        key_size: key_sizes.max().unwrap_or(1).max(1),
        mlp_hidden_size: hidden_widths.max().unwrap_or(1).max(1),
        d_model,
    }
}

fn empty_layer(shape: &DenseShape) -> DenseLayer {
    let width = shape.num_heads * shape.key_size;
    let d = shape.d_model;
    DenseLayer {
        attention: AttentionWeights {
            query: DMatrix::zeros(d, width),
            key: DMatrix::zeros(d, width),
            value: DMatrix::zeros(d, width),
            output: DMatrix::zeros(width, d),
            causal: Vec::new(),
        },
        mlp: MlpWeights {
            first: DMatrix::zeros(d, shape.mlp_hidden_size),
            second: DMatrix::zeros(shape.mlp_hidden_size, d),
        },
        attention_block: None,
        mlp_block: None,
    }
}

/// Writes head `h` into its columns: query `= P(query)·w_qk`, key `= P(key)`, value
/// `= P(value)·w_ov`, output rows `= P(output)ᵀ`, where `P(S)` projects the residual onto `S`.
fn place_head(
    weights: &mut AttentionWeights,
    h: usize,
    head: &HeadParts,
    shape: &DenseShape,
    residual: &Basis,
) {
    let offset = h * shape.key_size;
    for (row, column) in rows_in(&head.query, residual) {
        for j in 0..head.key.dim() {
            weights.query[(column, offset + j)] = head.w_qk[(row, j)];
        }
    }
    for (j, column) in rows_in(&head.key, residual) {
        weights.key[(column, offset + j)] = 1.0;
    }
    for (row, column) in rows_in(&head.value, residual) {
        for j in 0..head.output.dim() {
            weights.value[(column, offset + j)] = head.w_ov[(row, j)];
        }
    }
    for (j, column) in rows_in(&head.output, residual) {
        weights.output[(offset + j, column)] = 1.0;
    }
    weights.causal.push(head.causal);
}

/// Writes an MLP: first `= P(input)·fst`, second `= snd·P(output)ᵀ`.
fn place_mlp(weights: &mut MlpWeights, mlp: &MlpParts, residual: &Basis) {
    for (row, column) in rows_in(&mlp.input, residual) {
        for j in 0..mlp.hidden.len() {
            weights.first[(column, j)] = mlp.fst[(row, j)];
        }
    }
    for (j, column) in rows_in(&mlp.output, residual) {
        for i in 0..mlp.hidden.len() {
            weights.second[(i, column)] = mlp.snd[(i, j)];
        }
    }
}

/// Pairs each direction of `space` with its residual column; directions the residual lacks
/// were rejected by [`check_block`].
fn rows_in<'a>(space: &'a Basis, residual: &'a Basis) -> impl Iterator<Item = (usize, usize)> + 'a {
    space
        .iter()
        .enumerate()
        .filter_map(|(i, direction)| residual.index_of(direction).map(|column| (i, column)))
}

fn check_block(index: usize, block: &BlockParts, residual: &Basis) -> Result<(), AssembleError> {
    let spaces: Vec<(&'static str, &Basis)> = match block {
        BlockParts::Attention(heads) => heads
            .iter()
            .flat_map(|head| {
                [
                    ("query", &head.query),
                    ("key", &head.key),
                    ("value", &head.value),
                    ("output", &head.output),
                ]
            })
            .collect(),
        BlockParts::Mlp(mlp) => vec![("MLP input", &mlp.input), ("MLP output", &mlp.output)],
    };
    for (role, space) in spaces {
        if let Some(direction) = space.iter().find(|d| !residual.contains(d)) {
            return Err(AssembleError::BlockOutsideResidual {
                block: index,
                role,
                direction: direction.to_string(),
            });
        }
    }

    let matrices: Vec<(&'static str, &DMatrix<f64>, usize, usize)> = match block {
        BlockParts::Attention(heads) => heads
            .iter()
            .flat_map(|head| {
                [
                    ("w_qk", &head.w_qk, head.query.dim(), head.key.dim()),
                    ("w_ov", &head.w_ov, head.value.dim(), head.output.dim()),
                ]
            })
            .collect(),
        BlockParts::Mlp(mlp) => vec![
            ("fst", &mlp.fst, mlp.input.dim(), mlp.hidden.len()),
            ("snd", &mlp.snd, mlp.hidden.len(), mlp.output.dim()),
        ],
    };
    for (name, matrix, expected_rows, expected_columns) in matrices {
        check_matrix(index, name, matrix, expected_rows, expected_columns)?;
    }
    Ok(())
}

fn check_matrix(
    block: usize,
    matrix_name: &'static str,
    matrix: &DMatrix<f64>,
    expected_rows: usize,
    expected_columns: usize,
) -> Result<(), AssembleError> {
    if matrix.shape() != (expected_rows, expected_columns) {
        return Err(AssembleError::MatrixShape {
            block,
            matrix: matrix_name,
            rows: matrix.nrows(),
            columns: matrix.ncols(),
            expected_rows,
            expected_columns,
        });
    }
    for row in 0..matrix.nrows() {
        for column in 0..matrix.ncols() {
            let value = matrix[(row, column)];
            if !value.is_finite() {
                return Err(AssembleError::NonFiniteWeight {
                    block,
                    matrix: matrix_name,
                    row,
                    column,
                    value,
                });
            }
        }
    }
    Ok(())
}
