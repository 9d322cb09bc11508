//! The discretising hidden layer shared by the numerical MLPs and selector width: steps at
//! thresholds between neighbouring input values.
//!
//! For inputs `v0 < v1 < …` and a large number `L`, threshold `k` (between `v(k-1)` and `vk`)
//! gets two hidden units, `relu(L·x - b + 1)` and `relu(L·x - b)`, where `b` is `L` times the
//! threshold. Their difference is a step: 0 for `L·x ≤ b - 1`, 1 for `L·x ≥ b`, and a linear
//! ramp in between. An input blends two outputs only if it lies on a ramp, so every input in
//! the set must lie outside every ramp: `L · (vk - v(k-1)) ≥ 2` for every pair of neighbours.

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::direction::{BasisDirection, Value};
use crate::error::Error;

/// The largest `|L·x|` for which `L·x - b` is computed without rounding (integers up to it are
/// exact, and so is every multiple of the unit in the last place of `L·x`).
const EXACT_LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52

/// The minimum gap, in units of `1/L`, that a chosen large number leaves between neighbouring
/// inputs: 4 leaves room for a ramp of width 1 with at least 1 on either side.
const CHOSEN_GAP: f64 = 4.0;

/// Thresholds and large number for a sorted set of distinct finite inputs.
#[derive(Debug, Clone)]
pub(crate) struct Discretisation {
    /// The inputs, ascending.
    pub inputs: Vec<f64>,
    /// The large number `L`.
    pub large_number: f64,
    /// For threshold `k` (at index `k - 1`): the weights from `one` of its two hidden units,
    /// `1 - b` and `-b`.
    pub offsets: Vec<(f64, f64)>,
    /// For threshold `k` (at index `k - 1`): the input from which its step is 1, `b / L`.
    pub ramp_tops: Vec<f64>,
}

/// The choice of large number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LargeNumber {
    /// Chosen from the inputs: a power of two, with thresholds on multiples of `1/L`.
    Chosen,
    /// Given by the user: thresholds at midpoints, as in the reference.
    Given(f64),
}

/// Sorts values ascending and removes duplicates (`-0.0` and `0.0` are one value).
pub(crate) fn sorted_value_set(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    values.dedup_by(|a, b| a == b);
    values
}

/// Checks that a value set is non-empty and finite.
pub(crate) fn check_value_set(values: &[f64], space: &str) -> Result<(), Error> {
    if values.is_empty() {
        return Err(Error::EmptyValueSet {
            space: space.to_owned(),
        });
    }
    if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            parameter: "input value",
            value: bad.to_string(),
            expected: "a finite number",
        });
    }
    Ok(())
}

/// Places thresholds between neighbouring inputs (sorted, distinct, finite, non-empty).
///
/// `describe(i)` names input `i` in error messages.
pub(crate) fn discretise(
    inputs: &[f64],
    large_number: LargeNumber,
    describe: impl Fn(usize) -> String,
) -> Result<Discretisation, Error> {
    match large_number {
        LargeNumber::Given(large_number) => at_midpoints(inputs, large_number, describe),
        LargeNumber::Chosen => on_grid(inputs, describe),
    }
}

/// Places thresholds at the midpoints `t` of neighbours, as the reference does: `b = L·t`.
fn at_midpoints(
    inputs: &[f64],
    large_number: f64,
    describe: impl Fn(usize) -> String,
) -> Result<Discretisation, Error> {
    if !(large_number.is_finite() && large_number > 0.0) {
        return Err(Error::InvalidParameter {
            parameter: "large number",
            value: large_number.to_string(),
            expected: "a positive finite number",
        });
    }
    // The closest neighbours need the largest L; naming them makes the minimum sufficient for
    // every pair.
    if let Some((closest, gap)) = closest_neighbours(inputs) {
        if large_number * gap < 2.0 {
            return Err(Error::LargeNumberTooSmall {
                large_number,
                lower: describe(closest - 1),
                upper: describe(closest),
                minimum: 2.0 / gap,
            });
        }
    }
    let mut offsets = Vec::with_capacity(inputs.len().saturating_sub(1));
    let mut ramp_tops = Vec::with_capacity(offsets.capacity());
    for k in 1..inputs.len() {
        let (lower, upper) = (inputs[k - 1], inputs[k]);
        let threshold = (lower + upper) / 2.0;
        let scaled = large_number * threshold;
        offsets.push((1.0 - scaled, -scaled));
        ramp_tops.push(threshold);
    }
    Ok(Discretisation {
        inputs: inputs.to_vec(),
        large_number,
        offsets,
        ramp_tops,
    })
}

/// Places thresholds on a grid: `L` is the smallest power of two with `L · gap ≥ 4` for every
/// pair of neighbours, and each `b` is an integer near the scaled midpoint.
///
/// `L·x` is then exact, `b` and `1 - b` are exact integers, and every input lies at least one
/// ramp width (`1/L`) from the nearest ramp.
fn on_grid(inputs: &[f64], describe: impl Fn(usize) -> String) -> Result<Discretisation, Error> {
    if inputs.len() < 2 {
        // No threshold reads the large number.
        return Ok(Discretisation {
            inputs: inputs.to_vec(),
            large_number: 1.0,
            offsets: Vec::new(),
            ramp_tops: Vec::new(),
        });
    }

    let (closest, gap) = closest_neighbours(inputs).unwrap_or((1, 1.0));
    let too_close = || Error::ValuesTooClose {
        lower: describe(closest - 1),
        upper: describe(closest),
    };
    let magnitude = inputs.iter().fold(0.0_f64, |m, v| m.max(v.abs()));

    let exponent = (CHOSEN_GAP / gap).log2().ceil();
    if !(-1000.0..=1000.0).contains(&exponent) {
        return Err(too_close());
    }
    let mut large_number = power_of_two(exponent as i32);
    // `gap` was rounded, so the grid may need one more doubling to fit every pair.
    for _ in 0..4 {
        if large_number * magnitude > EXACT_LIMIT {
            return Err(too_close());
        }
        if let Some(scaled) = grid_thresholds(inputs, large_number) {
            let offsets = scaled.iter().map(|&b| (1.0 - b, -b)).collect();
            let ramp_tops = scaled.iter().map(|&b| b / large_number).collect();
            return Ok(Discretisation {
                inputs: inputs.to_vec(),
                large_number,
                offsets,
                ramp_tops,
            });
        }
        large_number *= 2.0;
    }
    Err(too_close())
}

/// Returns the index `k` of the upper input of the closest pair of neighbours, and their gap.
fn closest_neighbours(inputs: &[f64]) -> Option<(usize, f64)> {
    (1..inputs.len())
        .map(|k| (k, inputs[k] - inputs[k - 1]))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Returns an integer `b` for each pair of neighbours with `L·lower + 2 ≤ b ≤ L·upper - 1`, so
/// both inputs lie at least one ramp width from the ramp `[b - 1, b]`. Each `b` is the integer
/// nearest the scaled midpoint plus one half, which centres the ramp on the midpoint, where
/// that is in range. Returns `None` when some pair has no such integer, which `L · gap ≥ 4`
/// rules out up to the rounding of `gap`.
fn grid_thresholds(inputs: &[f64], large_number: f64) -> Option<Vec<f64>> {
    let mut scaled = Vec::with_capacity(inputs.len() - 1);
    for pair in inputs.windows(2) {
        let (lower, upper) = (large_number * pair[0], large_number * pair[1]);
        let first = lower.ceil() + 2.0;
        let last = upper.floor() - 1.0;
        if first > last {
            return None;
        }
        let centred = ((lower + upper) / 2.0).floor() + 1.0;
        scaled.push(centred.clamp(first, last));
    }
    Some(scaled)
}

/// Returns `2^exponent` for an exponent of a normal float.
fn power_of_two(exponent: i32) -> f64 {
    let biased = (exponent.clamp(-1022, 1023) + 1023) as u64;
    f64::from_bits(biased << 52)
}

/// The role of a hidden unit of the discretising layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// The unit that copies `one`, weighted by the output at the smallest input.
    Start,
    /// Unit `(threshold, 0)` (`upper == false`, `relu(L·x - b + 1)`) or `(threshold, 1)`
    /// (`relu(L·x - b)`) of threshold `threshold ≥ 1`.
    Step { threshold: usize, upper: bool },
}

/// The first layer of a discretising MLP.
#[derive(Debug, Clone)]
pub(crate) struct HiddenLayer {
    /// The input space: the numerical input direction joined with `one`.
    pub input: Basis,
    /// Hidden labels, sorted as the reference sorts its hidden space.
    pub hidden: Vec<BasisDirection>,
    /// The role of each hidden unit, in the order of `hidden`.
    pub units: Vec<Unit>,
    /// `[input, hidden]`.
    pub fst: DMatrix<f64>,
}

/// Builds the first layer: hidden labels `{hidden_name}start` and `hidden_name:(k, i)`.
pub(crate) fn hidden_layer(
    discretisation: &Discretisation,
    input: &Basis,
    one: &BasisDirection,
    hidden_name: &str,
) -> HiddenLayer {
    let mut labelled = vec![(
        BasisDirection::new(format!("{hidden_name}start")),
        Unit::Start,
    )];
    for threshold in 1..discretisation.inputs.len() {
        for (index, upper) in [(0, false), (1, true)] {
            let value = Value::Tuple(vec![Value::Int(threshold as i64), Value::Int(index)]);
            labelled.push((
                BasisDirection::with_value(hidden_name, value),
                Unit::Step { threshold, upper },
            ));
        }
    }
    labelled.sort_by(|a, b| a.0.cmp(&b.0));

    let mut fst = DMatrix::zeros(input.dim(), labelled.len());
    for (row, direction) in input.iter().enumerate() {
        let is_one = direction == one;
        for (column, (_, unit)) in labelled.iter().enumerate() {
            fst[(row, column)] = match (*unit, is_one) {
                (Unit::Start, true) => 1.0,
                (Unit::Start, false) => 0.0,
                (Unit::Step { threshold, upper }, true) => {
                    let (lower_unit, upper_unit) = discretisation.offsets[threshold - 1];
                    if upper {
                        upper_unit
                    } else {
                        lower_unit
                    }
                }
                (Unit::Step { .. }, false) => discretisation.large_number,
            };
        }
    }

    let (hidden, units) = labelled.into_iter().unzip();
    HiddenLayer {
        input: input.clone(),
        hidden,
        units,
        fst,
    }
}

/// Builds the second layer `[hidden, 1]` for a numerical output: `outputs[0]` on the start
/// unit and `±(outputs[k] - outputs[k - 1])` on the two units of threshold `k`.
pub(crate) fn numerical_second_layer(units: &[Unit], outputs: &[f64]) -> DMatrix<f64> {
    DMatrix::from_fn(units.len(), 1, |row, _| match units[row] {
        Unit::Start => outputs[0],
        Unit::Step { threshold, upper } => {
            let sign = if upper { -1.0 } else { 1.0 };
            sign * (outputs[threshold] - outputs[threshold - 1])
        }
    })
}

/// Builds the second layer `[hidden, dim]` for a categorical output, where `outputs[i]` is the
/// index of the output direction of input `i`: differences of one-hot vectors take the place
/// of differences of numbers.
pub(crate) fn categorical_second_layer(
    units: &[Unit],
    outputs: &[usize],
    dim: usize,
) -> DMatrix<f64> {
    let one_hot = |index: usize, column: usize| if index == column { 1.0 } else { 0.0 };
    DMatrix::from_fn(units.len(), dim, |row, column| match units[row] {
        Unit::Start => one_hot(outputs[0], column),
        Unit::Step { threshold, upper } => {
            let sign = if upper { -1.0 } else { 1.0 };
            sign * (one_hot(outputs[threshold], column) - one_hot(outputs[threshold - 1], column))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_large_number_is_power_of_two() {
        let d = discretise(&[0.0, 0.01], LargeNumber::Chosen, |i| i.to_string()).unwrap();
        // 4 / 0.01 = 400, so L = 512.
        assert_eq!(d.large_number, 512.0);
    }

    #[test]
    fn grid_thresholds_keep_inputs_off_ramps() {
        let inputs = [-3.0, -0.5, 0.0, 0.001, 1.0, 7.25];
        let d = discretise(&inputs, LargeNumber::Chosen, |i| i.to_string()).unwrap();
        for (k, &(_, upper_offset)) in d.offsets.iter().enumerate() {
            let b = -upper_offset;
            assert_eq!(b.fract(), 0.0, "threshold {k} is an integer");
            // The ramp is [b - 1, b] in units of 1/L; both inputs stay one ramp width away.
            assert!(
                d.large_number * inputs[k] <= b - 2.0,
                "input {k} below ramp {k}"
            );
            assert!(
                d.large_number * inputs[k + 1] >= b + 1.0,
                "input {} above ramp {k}",
                k + 1
            );
        }
    }

    #[test]
    fn single_input_has_no_threshold() {
        let d = discretise(&[4.0], LargeNumber::Chosen, |i| i.to_string()).unwrap();
        assert!(d.offsets.is_empty());
    }

    #[test]
    fn inputs_too_close_for_their_magnitude_are_rejected() {
        let inputs = [1e12, 1e12 + 0.0001220703125];
        let error = discretise(&inputs, LargeNumber::Chosen, |i| inputs[i].to_string());
        assert!(matches!(error, Err(Error::ValuesTooClose { .. })));
    }

    #[test]
    fn power_of_two_is_exact() {
        assert_eq!(power_of_two(0), 1.0);
        assert_eq!(power_of_two(9), 512.0);
        assert_eq!(power_of_two(-3), 0.125);
    }
}
