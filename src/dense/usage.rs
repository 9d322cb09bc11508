//! Usage of the residual stream: the directions each head and MLP of a loaded model reads and
//! writes.

use crate::dense::model::DenseModel;

/// The residual columns one head reads and writes: rows of its query, key and value weights
/// and columns of its output weight with a non-zero entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadUsage {
    /// Residual columns the query reads.
    pub query: Vec<usize>,
    /// Residual columns the key reads.
    pub key: Vec<usize>,
    /// Residual columns the value reads.
    pub value: Vec<usize>,
    /// Residual columns the output writes.
    pub output: Vec<usize>,
}

impl HeadUsage {
    /// Returns whether the head has any non-zero weight.
    pub fn is_used(&self) -> bool {
        !(self.query.is_empty()
            && self.key.is_empty()
            && self.value.is_empty()
            && self.output.is_empty())
    }
}

/// The residual columns and hidden units one MLP uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlpUsage {
    /// Residual columns the first weight reads.
    pub input: Vec<usize>,
    /// Hidden units with a non-zero weight in or out.
    pub hidden_used: usize,
    /// Residual columns the second weight writes.
    pub output: Vec<usize>,
}

/// The usage of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerUsage {
    /// One entry per head slot, used or not.
    pub heads: Vec<HeadUsage>,
    /// The MLP.
    pub mlp: MlpUsage,
}

impl DenseModel {
    /// Returns, per layer, the residual columns each head and the MLP read and write.
    pub fn usage(&self) -> Vec<LayerUsage> {
        self.layers
            .iter()
            .map(|layer| LayerUsage {
                heads: layer.heads.iter().map(|head| head.usage.clone()).collect(),
                mlp: layer.mlp.usage.clone(),
            })
            .collect()
    }
}
