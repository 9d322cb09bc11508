//! Blocks with their spaces erased to labelled bases: the form shared by evaluation and assembly.

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::direction::BasisDirection;

/// One attention head over labelled bases, independent of any residual stream.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadParts {
    /// The query space (rows of `w_qk`).
    pub query: Basis,
    /// The key space (columns of `w_qk`).
    pub key: Basis,
    /// The bilinear form `[query.dim(), key.dim()]`.
    pub w_qk: DMatrix<f64>,
    /// The value space (rows of `w_ov`).
    pub value: Basis,
    /// The output space (columns of `w_ov`).
    pub output: Basis,
    /// The value-to-output map `[value.dim(), output.dim()]`.
    pub w_ov: DMatrix<f64>,
    /// Whether key positions after the query position are masked out.
    pub causal: bool,
}

/// One MLP over labelled bases, independent of any residual stream.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpParts {
    /// The input space (rows of `fst`).
    pub input: Basis,
    /// Labels of the hidden units (columns of `fst`, rows of `snd`), in order.
    ///
    /// Unlike a [`Basis`], labels may repeat: MLPs combined in parallel keep their hidden units
    /// apart even when two of them carry the same label, so neurons are never merged.
    pub hidden: Vec<BasisDirection>,
    /// The output space (columns of `snd`).
    pub output: Basis,
    /// The first layer `[input.dim(), hidden.len()]`.
    pub fst: DMatrix<f64>,
    /// The second layer `[hidden.len(), output.dim()]`.
    pub snd: DMatrix<f64>,
}

/// A block of a residual series, erased to labelled bases.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockParts {
    /// An attention layer of one or more heads whose outputs add.
    Attention(Vec<HeadParts>),
    /// An MLP layer.
    Mlp(MlpParts),
}
