//! The spaces that connect a residual stream to token ids and decoded outputs: tokens with
//! BOS, positions, output, and the constant `one`.

use nalgebra::DMatrix;
use serde_json::Value as Json;

use crate::assemble::error::AssembleError;
use crate::basis::Basis;
use crate::direction::{BasisDirection, Value};

/// Whether a model's output is a category or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// One direction per output value; the decoded output is the value whose direction has the
    /// largest magnitude (the first one on ties).
    Categorical,
    /// One direction whose magnitude is the output.
    Numerical,
}

/// A model's interface over its residual basis: which directions tokens, positions and the
/// constant `one` write, and which directions hold the output.
///
/// Token ids are positions in the sorted token space, BOS included. The position embedding has
/// `max_seq_len + 1` rows: row 0 (the BOS position) is zero and row `p` is the index direction
/// of value `p - 1`.
///
/// ```
/// use handcraft::{Basis, BasisDirection};
/// use handcraft::assemble::{ModelSpaces, OutputKind};
///
/// let tokens = Basis::categorical("tokens", ["BOS", "a", "b"])?;
/// let indices = Basis::categorical("indices", [0, 1])?;
/// let output = Basis::categorical("out", [0, 1])?;
/// let one = Basis::new([BasisDirection::new("one")])?;
/// let residual = Basis::join([&tokens, &indices, &output, &one]);
/// let bos = BasisDirection::with_value("tokens", "BOS");
///
/// let spaces = ModelSpaces::new(
///     residual, tokens, &bos, indices, output, OutputKind::Categorical,
///     Some(BasisDirection::new("one")),
/// )?;
/// assert_eq!(spaces.vocabulary(), ["BOS", "a", "b"]);
/// assert_eq!(spaces.max_seq_len(), 2);
/// // `BOS b a`: token and `one` on every row, indices from the second row on.
/// let input = spaces.embed(&[0, 2, 1])?;
/// assert_eq!(input.row(2).sum(), 3.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpaces {
    residual: Basis,
    tokens: Basis,
    bos: usize,
    indices: Basis,
    output: Basis,
    output_kind: OutputKind,
    one: Option<BasisDirection>,
    vocabulary: Vec<String>,
}

impl ModelSpaces {
    /// Checks and stores a model's interface.
    ///
    /// # Errors
    /// [`AssembleError::NotInResidual`] when a space has a direction outside `residual`;
    /// [`AssembleError::NoIndices`] or [`AssembleError::IndicesNotPositions`] unless the index
    /// space is `name:0 .. name:(n-1)`; [`AssembleError::NoTokens`] when `bos` is the only
    /// token; [`AssembleError::DuplicateToken`] when two tokens print alike;
    /// [`AssembleError::NoOutput`] for an empty output space, and
    /// [`AssembleError::NumericalOutputWidth`] for a numerical output that is not one
    /// direction.
    pub fn new(
        residual: Basis,
        tokens: Basis,
        bos: &BasisDirection,
        indices: Basis,
        output: Basis,
        output_kind: OutputKind,
        one: Option<BasisDirection>,
    ) -> Result<Self, AssembleError> {
        check_in_residual("token", &tokens, &residual)?;
        check_in_residual("index", &indices, &residual)?;
        check_in_residual("output", &output, &residual)?;
        if let Some(one) = &one {
            if !residual.contains(one) {
                return Err(AssembleError::NotInResidual {
                    role: "one",
                    direction: one.to_string(),
                });
            }
        }

        let bos = tokens
            .index_of(bos)
            .ok_or_else(|| AssembleError::NotInResidual {
                role: "token",
                direction: bos.to_string(),
            })?;
        let vocabulary: Vec<String> = tokens.iter().map(token_text).collect();
        if tokens.dim() < 2 {
            return Err(AssembleError::NoTokens {
                bos: vocabulary[bos].clone(),
            });
        }
        check_unique(&vocabulary)?;
        check_positions(&indices)?;

        if output.is_empty() {
            return Err(AssembleError::NoOutput);
        }
        if output_kind == OutputKind::Numerical && output.dim() != 1 {
            return Err(AssembleError::NumericalOutputWidth { dim: output.dim() });
        }

        Ok(ModelSpaces {
            residual,
            tokens,
            bos,
            indices,
            output,
            output_kind,
            one,
            vocabulary,
        })
    }

    /// Returns the residual basis; its labels name the columns of every dense weight.
    pub fn residual(&self) -> &Basis {
        &self.residual
    }

    /// Returns the token space, BOS included.
    pub fn tokens(&self) -> &Basis {
        &self.tokens
    }

    /// Returns the id of the BOS token.
    pub fn bos(&self) -> usize {
        self.bos
    }

    /// Returns the token strings in id order: each token direction's value, or its name when it
    /// has no value.
    pub fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }

    /// Returns the index space.
    pub fn indices(&self) -> &Basis {
        &self.indices
    }

    /// Returns the maximum number of tokens after BOS: the dimension of the index space.
    pub fn max_seq_len(&self) -> usize {
        self.indices.dim()
    }

    /// Returns the output space.
    pub fn output(&self) -> &Basis {
        &self.output
    }

    /// Returns whether the output is categorical or numerical.
    pub fn output_kind(&self) -> OutputKind {
        self.output_kind
    }

    /// Returns the direction that every token embedding sets to 1, if any.
    pub fn one(&self) -> Option<&BasisDirection> {
        self.one.as_ref()
    }

    /// Returns the decoded value of each categorical output id: the direction's value as JSON,
    /// or its name when it has no value. Numerical outputs have no ids and return `None`.
    pub fn output_values(&self) -> Option<Vec<Json>> {
        match self.output_kind {
            OutputKind::Numerical => None,
            OutputKind::Categorical => Some(self.output.iter().map(direction_json).collect()),
        }
    }

    /// Returns the token embedding `[vocabulary, residual]`: each token's direction, plus 1 on
    /// `one` when the model has it.
    pub fn token_embedding(&self) -> DMatrix<f64> {
        let one = self.one.as_ref().and_then(|d| self.residual.index_of(d));
        let mut embedding = DMatrix::zeros(self.tokens.dim(), self.residual.dim());
        for (id, token) in self.tokens.iter().enumerate() {
            if let Some(column) = self.residual.index_of(token) {
                embedding[(id, column)] = 1.0;
            }
            if let Some(column) = one {
                embedding[(id, column)] += 1.0;
            }
        }
        embedding
    }

    /// Returns the position embedding `[max_seq_len + 1, residual]`: row 0 is zero and row `p`
    /// is the index direction of value `p - 1`.
    pub fn position_embedding(&self) -> DMatrix<f64> {
        let mut embedding = DMatrix::zeros(self.max_seq_len() + 1, self.residual.dim());
        for (index, direction) in self.indices.iter().enumerate() {
            if let Some(column) = self.residual.index_of(direction) {
                embedding[(index + 1, column)] = 1.0;
            }
        }
        embedding
    }

    /// Returns the unembedding `[residual, output]`: the projection onto the output space.
    pub fn unembedding(&self) -> DMatrix<f64> {
        self.residual.projection_matrix(&self.output)
    }

    /// Embeds token ids (BOS first, by convention) as a residual sequence `[ids, residual]`:
    /// the sum of the token and position embeddings.
    ///
    /// # Errors
    /// [`AssembleError::EmptyInput`], [`AssembleError::TooLong`] past `max_seq_len + 1`
    /// positions, [`AssembleError::TokenId`] for an id outside the vocabulary.
    pub fn embed(&self, ids: &[usize]) -> Result<DMatrix<f64>, AssembleError> {
        if ids.is_empty() {
            return Err(AssembleError::EmptyInput);
        }
        if ids.len() > self.max_seq_len() + 1 {
            return Err(AssembleError::TooLong {
                len: ids.len(),
                max_seq_len: self.max_seq_len(),
            });
        }
        if let Some(&id) = ids.iter().find(|&&id| id >= self.tokens.dim()) {
            return Err(AssembleError::TokenId {
                id,
                vocab_size: self.tokens.dim(),
            });
        }

        // Row `p` is token row `ids[p]` plus position row `p` of the two embeddings, written
        // directly to avoid building both matrices for every input.
        let one = self.one.as_ref().and_then(|d| self.residual.index_of(d));
        let mut rows = DMatrix::zeros(ids.len(), self.residual.dim());
        for (position, &id) in ids.iter().enumerate() {
            if let Some(column) = self.residual.index_of(&self.tokens.directions()[id]) {
                rows[(position, column)] += 1.0;
            }
            if let Some(column) = one {
                rows[(position, column)] += 1.0;
            }
            if position > 0 {
                let index = &self.indices.directions()[position - 1];
                if let Some(column) = self.residual.index_of(index) {
                    rows[(position, column)] += 1.0;
                }
            }
        }
        Ok(rows)
    }
}

/// Returns the text of a token: its value, or its name when it has none.
fn token_text(direction: &BasisDirection) -> String {
    match &direction.value {
        Some(value) => value.to_string(),
        None => direction.name.to_string(),
    }
}

/// Converts a direction's value to JSON; a direction without a value becomes its name.
fn direction_json(direction: &BasisDirection) -> Json {
    match &direction.value {
        Some(value) => value_json(value),
        None => Json::String(direction.name.to_string()),
    }
}

/// Converts a direction value to JSON: numbers, booleans, strings, and tuples as arrays.
fn value_json(value: &Value) -> Json {
    match value {
        Value::Int(i) => Json::from(*i),
        // A NaN value cannot be in a basis; an infinite one has no JSON number, so it is
        // written in its text form.
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| Json::String(value.to_string()), Json::Number),
        Value::Bool(b) => Json::Bool(*b),
        Value::Str(s) => Json::String(s.clone()),
        Value::Tuple(items) => Json::Array(items.iter().map(value_json).collect()),
    }
}

fn check_in_residual(
    role: &'static str,
    space: &Basis,
    residual: &Basis,
) -> Result<(), AssembleError> {
    match space.iter().find(|d| !residual.contains(d)) {
        Some(direction) => Err(AssembleError::NotInResidual {
            role,
            direction: direction.to_string(),
        }),
        None => Ok(()),
    }
}

fn check_unique(vocabulary: &[String]) -> Result<(), AssembleError> {
    for (second, token) in vocabulary.iter().enumerate() {
        if let Some(first) = vocabulary[..second].iter().position(|t| t == token) {
            return Err(AssembleError::DuplicateToken {
                token: token.clone(),
                first,
                second,
            });
        }
    }
    Ok(())
}

/// Checks that the sorted index space has the values `0, 1, …, n-1` in order.
fn check_positions(indices: &Basis) -> Result<(), AssembleError> {
    if indices.is_empty() {
        return Err(AssembleError::NoIndices);
    }
    for (position, direction) in indices.iter().enumerate() {
        let value = direction.value.as_ref();
        let is_position =
            matches!(value, Some(Value::Int(v)) if usize::try_from(*v) == Ok(position));
        if !is_position {
            return Err(AssembleError::IndicesNotPositions {
                position,
                direction: direction.to_string(),
            });
        }
    }
    Ok(())
}
