//! The error type for everything the compiler cannot check: data given at run time.

use thiserror::Error;

/// An error from building or evaluating a model with data known only at run time.
///
/// Space mismatches that the types can express are compile errors instead; see the crate
/// documentation for the split.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// Two directions of one basis are equal.
    #[error("duplicate basis direction `{direction}`")]
    DuplicateDirection {
        /// Text form of the repeated direction.
        direction: String,
    },

    /// A direction's value is a NaN float, which is equal to nothing and cannot be sorted.
    #[error("basis direction `{direction}` has a NaN value")]
    NanValue {
        /// Text form of the direction.
        direction: String,
    },

    /// Spaces of a direct sum share a direction.
    #[error("spaces of a direct sum share basis direction `{direction}`; use a join instead")]
    Overlap {
        /// Text form of the shared direction.
        direction: String,
    },

    /// A direction is not in the space where it was looked up.
    #[error("basis direction `{direction}` is not in space `{space}` {basis}")]
    DirectionNotInSpace {
        /// Text form of the missing direction.
        direction: String,
        /// Name of the space.
        space: String,
        /// The space's basis, as `{a, b}`.
        basis: String,
    },

    /// No direction of a space carries the requested value.
    #[error("no basis direction of space `{space}` {basis} has value `{value}`")]
    ValueNotInSpace {
        /// Text form of the value.
        value: String,
        /// Name of the space.
        space: String,
        /// The space's basis, as `{a, b}`.
        basis: String,
    },

    /// A sequence has no position.
    #[error("the input sequence is empty; it needs at least one position")]
    EmptySequence,

    /// An input contains a NaN or infinite number.
    #[error("input value at position {position}, direction `{direction}` is not finite: {value}")]
    NonFiniteInput {
        /// Row (sequence position) of the value.
        position: usize,
        /// Text form of the column's direction.
        direction: String,
        /// The value found.
        value: f64,
    },

    /// Rows given for a sequence have the wrong length.
    #[error("row {position} has {found} entries but space `{space}` has dimension {expected}")]
    RowLength {
        /// Row (sequence position) with the wrong length.
        position: usize,
        /// Entries found.
        found: usize,
        /// The space's dimension.
        expected: usize,
        /// Name of the space.
        space: String,
    },

    /// A block built from parts reads or writes a direction that its residual space lacks.
    #[error("the {role} space of a block has basis direction `{direction}`, which residual space `{residual}` lacks; add it to the residual space")]
    NotInResidual {
        /// The space of the block: `query`, `key`, `value`, `output`, `MLP input`, `MLP output`.
        role: &'static str,
        /// Text form of the missing direction.
        direction: String,
        /// Name of the residual space.
        residual: String,
    },

    /// A matrix of a block built from parts does not fit the spaces around it.
    #[error("matrix `{matrix}` is {rows}x{columns} but its spaces make it {expected_rows}x{expected_columns}")]
    MatrixShape {
        /// Name of the matrix: `w_qk`, `w_ov`, `fst` or `snd`.
        matrix: &'static str,
        /// Rows found.
        rows: usize,
        /// Columns found.
        columns: usize,
        /// Rows its spaces need.
        expected_rows: usize,
        /// Columns its spaces need.
        expected_columns: usize,
    },

    /// A weight of a block built from parts is NaN or infinite.
    #[error("matrix `{matrix}` has a non-finite entry {value} at row `{row}`, column `{column}`")]
    NonFiniteWeight {
        /// Name of the matrix: `w_qk`, `w_ov`, `fst` or `snd`.
        matrix: &'static str,
        /// Text form of the row's direction.
        row: String,
        /// Text form of the column's direction.
        column: String,
        /// The value found.
        value: f64,
    },

    /// A value inside a block (attention logits, values, MLP hidden units) overflowed to a NaN
    /// or infinite number, from finite input.
    #[error("block {block} overflowed in its {stage} at position {position}: {value}; its weights are too large or not finite")]
    Overflow {
        /// Index of the block in its series (0 for a block applied alone).
        block: usize,
        /// Where: `query-key product`, `attention logits`, `values` or `MLP hidden layer`.
        stage: &'static str,
        /// Row (sequence position; the query position for logits) of the value.
        position: usize,
        /// The value found.
        value: f64,
    },

    /// Evaluating a block produced a NaN or infinite number, from finite input.
    #[error("block {block} produced a non-finite value {value} at position {position}, direction `{direction}`; its weights are too large or not finite")]
    NonFiniteOutput {
        /// Index of the block in its series (0 for a block applied alone).
        block: usize,
        /// Row (sequence position) of the value.
        position: usize,
        /// Text form of the column's direction.
        direction: String,
        /// The value found.
        value: f64,
    },

    /// A parameter of a building block is outside its valid range.
    #[error("invalid {parameter} {value}: {expected}")]
    InvalidParameter {
        /// Name of the parameter, such as `softmax coldness`.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// The valid range, such as `a positive finite number`.
        expected: &'static str,
    },

    /// A discretising MLP was given no input value.
    #[error("the input value set of space `{space}` is empty; give at least one value")]
    EmptyValueSet {
        /// Name of the input space.
        space: String,
    },

    /// A user function returned `None` on every input value, so there is nothing to map.
    #[error("the function is undefined (returned None) on every input value {values}; it must be defined on at least one")]
    FunctionUndefined {
        /// The input values, as `{0, 1}`.
        values: String,
    },

    /// A user function returned NaN or an infinity.
    #[error("the function maps `{input}` to {output}, which is not a finite number")]
    NonFiniteFunctionValue {
        /// Text form of the input direction or value.
        input: String,
        /// The value returned.
        output: f64,
    },

    /// A categorical function returned a value that no direction of the output space carries.
    #[error("the function maps `{input}` to `{output}`, which is not a value of output space `{space}` {basis}; return None to map it to zero")]
    FunctionValueNotInSpace {
        /// Text form of the input direction or value.
        input: String,
        /// Text form of the value returned.
        output: String,
        /// Name of the output space.
        space: String,
        /// The output space's basis, as `{a, b}`.
        basis: String,
    },

    /// The large number of a discretising MLP is too small to separate two neighbouring inputs.
    #[error("large number {large_number} is too small to separate inputs {lower} and {upper}: use at least {minimum}, or leave it unset to have it chosen")]
    LargeNumberTooSmall {
        /// The large number given.
        large_number: f64,
        /// The smaller input.
        lower: String,
        /// The larger input.
        upper: String,
        /// The smallest large number that separates them.
        minimum: f64,
    },

    /// Two inputs of a discretising MLP are too close, for their magnitude, to be separated.
    #[error("inputs {lower} and {upper} are too close, for their magnitude, to be separated exactly in floating point")]
    ValuesTooClose {
        /// The smaller input.
        lower: String,
        /// The larger input.
        upper: String,
    },

    /// The value directions of a categorical attention head cannot be paired with the output
    /// directions, because their counts differ.
    #[error("categorical attention pairs value directions {values} with output directions of `{space}` {outputs} in sorted order, but their counts differ ({value_count} and {output_count})")]
    ValueOutputMismatch {
        /// The value directions to be paired, as `{a, b}`.
        values: String,
        /// Their count.
        value_count: usize,
        /// Name of the output space.
        space: String,
        /// The output space's basis, as `{a, b}`.
        outputs: String,
        /// Its dimension.
        output_count: usize,
    },

    /// A categorical attention head has no output for its BOS direction.
    #[error("BOS direction `{bos}` has no output direction: set always_attend_to_bos to pair it with an output direction, or use_bos_for_default_output to map it to the default output")]
    BosWithoutOutput {
        /// Text form of the BOS direction.
        bos: String,
    },

    /// Two input spaces of a building block share a direction, such as the two inputs of a
    /// sequence map, or a numerical input and `one`.
    #[error("input spaces `{first}` and `{second}` share basis direction `{direction}`; they must be disjoint")]
    OverlappingInputs {
        /// Name of the first input space.
        first: String,
        /// Name of the second input space.
        second: String,
        /// Text form of a shared direction.
        direction: String,
    },

    /// A categorical selector width output space lacks the direction of a width.
    #[error("output space `{space}` {basis} has no direction with value {width}; selector width up to max_seq_len {max_seq_len} needs every value from 0 to {max_seq_len}")]
    MissingWidth {
        /// The width with no direction.
        width: usize,
        /// The maximum sequence length the block is built for.
        max_seq_len: usize,
        /// Name of the output space.
        space: String,
        /// The output space's basis, as `{a, b}`.
        basis: String,
    },

    /// The softmax coldness of a selector width is too low for its widths to decode exactly.
    #[error("softmax coldness {coldness} is too low for exact selector widths up to {max_seq_len}: unselected keys would move the attention output into a threshold's ramp; use at least {minimum}")]
    ColdnessTooLow {
        /// The coldness given.
        coldness: f64,
        /// The maximum sequence length the block is built for.
        max_seq_len: usize,
        /// The smallest coldness that keeps every width exact.
        minimum: f64,
    },
}
