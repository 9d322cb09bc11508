//! MLPs on numerical inputs: discretising maps to numerical or categorical outputs, and the
//! linear sequence map `a·x + b·y`.

use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::{Block, IntoBlocks, Mlp, MlpParts, PrivateHidden};
use crate::chamber::discretise::{
    categorical_second_layer, check_value_set, discretise, hidden_layer, numerical_second_layer,
    sorted_value_set, LargeNumber,
};
use crate::chamber::output::ToDirection;
use crate::chamber::Spaces;
use crate::direction::BasisDirection;
use crate::error::Error;
use crate::space::{Dir, Disjoint, Numerical, Space, Subspace};

/// The reference's default prefix of hidden labels.
pub const DEFAULT_HIDDEN_NAME: &str = "__hidden__";

/// An MLP built by discretising its input, with the large number `L` it was built with.
///
/// It converts into an [`Mlp`], and [`crate::Series::then`] takes it directly.
#[derive(Debug, Clone)]
pub struct DiscretisingMlp<R: Space> {
    mlp: Mlp<R, PrivateHidden>,
    large_number: f64,
}

impl<R: Space> DiscretisingMlp<R> {
    /// Returns the MLP.
    pub fn mlp(&self) -> &Mlp<R, PrivateHidden> {
        &self.mlp
    }

    /// Returns the MLP, consuming the wrapper.
    pub fn into_mlp(self) -> Mlp<R, PrivateHidden> {
        self.mlp
    }

    /// Returns the large number `L`: the slope of each hidden unit, chosen from the input
    /// values unless it was given.
    pub fn large_number(&self) -> f64 {
        self.large_number
    }
}

impl<R: Space> From<DiscretisingMlp<R>> for Mlp<R, PrivateHidden> {
    fn from(discretising: DiscretisingMlp<R>) -> Self {
        discretising.mlp
    }
}

impl<R: Space> IntoBlocks<R> for DiscretisingMlp<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        self.mlp.into_blocks()
    }
}

/// Builds an MLP computing `f(x)` for a numerical input `x` that takes values in a finite set,
/// written to a numerical output.
///
/// The MLP is piecewise linear: with inputs `v0 < v1 < …` it returns `f(v0)` up to the first
/// threshold between neighbours and adds the step `f(vk) - f(v(k-1))` at each later one. Each
/// step rises over a ramp of width `1/L` just below its threshold, so only inputs on a ramp
/// blend two outputs. Inputs where `f` returns `None` (undefined, like the reference's
/// arithmetic errors) are dropped from the set; the rest must be finite.
///
/// Precision, where it differs from the reference: the reference uses `L = 100` and
/// midpoint thresholds whatever the inputs, so inputs closer than `2/L` blend (`{0, 0.01}`
/// with the identity gives 0.005 at 0). Here:
///
/// - by default `L` is chosen from the set: the smallest power of two with
///   `L·(vk - v(k-1)) ≥ 4` for all neighbours, with every threshold a multiple of `1/L`. Each
///   input in the set then lies at least `1/L` away from every ramp, so no input blends two
///   outputs and the MLP returns `f(v)` at every `v` of the set. The only error left is the
///   floating-point rounding of the second layer's sum, whose terms reach `|δ|·L·|v|` for the
///   steps `δ = f(vk) - f(v(k-1))`: at most about `2^-52 · L · |v| · Σ|δ|`.
///   [`DiscretisingMlp::large_number`] reports the chosen `L`.
/// - a given `L` ([`NumericalMlp::large_number`]) builds the reference's weights exactly, and
///   is rejected when it is too small for two neighbours (`L·(vk - v(k-1)) < 2`).
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::NumericalMlp;
///
/// handcraft::spaces! {
///     numerical space X = x;
///     numerical space Y = y;
///     space One = one;
///     space Residual = X | Y | One;
/// }
///
/// let identity = NumericalMlp::<X, Y, One>::new(|x| Some(x), [0.0, 0.01]).build::<Residual>()?;
/// assert_eq!(identity.large_number(), 512.0);
///
/// let input = Sequence::<Residual>::from_fn(2, |position, d| match d.to_string().as_str() {
///     "one" => 1.0,
///     "x" => [0.0, 0.01][position],
///     _ => 0.0,
/// });
/// let output = Series::new().then(identity).apply(&input)?.restrict::<Y>();
/// let y = Dir::<Y>::from_index(0).unwrap();
/// assert_eq!(output.get(0, y), 0.0);
/// assert!((output.get(1, y) - 0.01).abs() < 1e-12);
///
/// // The reference's L = 100 is too small for inputs 0.01 apart.
/// let error = NumericalMlp::<X, Y, One>::new(|x| Some(x), [0.0, 0.01])
///     .large_number(100.0)
///     .build::<Residual>()
///     .unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "large number 100 is too small to separate inputs 0 and 0.01: use at least 200, \
///      or leave it unset to have it chosen",
/// );
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct NumericalMlp<In, Out, One> {
    inputs: Vec<f64>,
    outputs: Vec<Option<f64>>,
    large_number: LargeNumber,
    hidden_name: String,
    spaces: Spaces<(In, Out, One)>,
}

impl<In, Out, One> NumericalMlp<In, Out, One>
where
    In: Numerical,
    Out: Numerical,
    One: Space,
{
    /// Starts an MLP computing `f` on `input_values`; `f` is evaluated here, once per distinct
    /// value, and returns `None` where it is undefined.
    pub fn new(
        mut f: impl FnMut(f64) -> Option<f64>,
        input_values: impl IntoIterator<Item = f64>,
    ) -> Self {
        let inputs = sorted_value_set(input_values);
        let outputs = inputs.iter().map(|&x| f(x)).collect();
        NumericalMlp {
            inputs,
            outputs,
            large_number: LargeNumber::Chosen,
            hidden_name: DEFAULT_HIDDEN_NAME.to_owned(),
            spaces: PhantomData,
        }
    }

    /// Sets the large number `L` instead of choosing it, which builds the reference's
    /// weights.
    pub fn large_number(mut self, large_number: f64) -> Self {
        self.large_number = LargeNumber::Given(large_number);
        self
    }

    /// Sets the prefix of the hidden labels (`__hidden__` by default).
    pub fn hidden_name(mut self, name: &str) -> Self {
        self.hidden_name = name.to_owned();
        self
    }

    /// Returns the MLP's spaces and matrices and its large number, independent of any residual
    /// space.
    ///
    /// # Errors
    /// - [`Error::EmptyValueSet`] for no input value.
    /// - [`Error::InvalidParameter`] for a non-finite input value or large number.
    /// - [`Error::NonFiniteFunctionValue`] where `f` returns NaN or an infinity.
    /// - [`Error::FunctionUndefined`] when `f` returns `None` everywhere.
    /// - [`Error::LargeNumberTooSmall`] for a given `L` below `2 / gap` of two neighbours.
    /// - [`Error::ValuesTooClose`] when no `L` separates two inputs in floating point.
    /// - [`Error::OverlappingInputs`] when `In` and `One` are one direction.
    pub fn parts(&self) -> Result<(MlpParts, f64), Error> {
        const {
            assert!(
                One::DIM == 1,
                "the `one` space must have exactly one direction"
            )
        };
        check_value_set(&self.inputs, In::name())?;
        let mut kept = Vec::new();
        for (&x, output) in self.inputs.iter().zip(&self.outputs) {
            match output {
                Some(y) if !y.is_finite() => {
                    return Err(Error::NonFiniteFunctionValue {
                        input: x.to_string(),
                        output: *y,
                    })
                }
                Some(y) => kept.push((x, *y)),
                None => {}
            }
        }
        if kept.is_empty() {
            return Err(Error::FunctionUndefined {
                values: format_values(&self.inputs),
            });
        }
        let (inputs, outputs): (Vec<f64>, Vec<f64>) = kept.into_iter().unzip();

        let discretisation = discretise(&inputs, self.large_number, |i| inputs[i].to_string())?;
        let layer = hidden_layer(
            &discretisation,
            &numerical_input::<In, One>()?,
            &One::basis().directions()[0],
            &self.hidden_name,
        );
        let snd = numerical_second_layer(&layer.units, &outputs);
        let parts = MlpParts {
            input: layer.input,
            hidden: layer.hidden,
            output: Out::basis().clone(),
            fst: layer.fst,
            snd,
        };
        Ok((parts, discretisation.large_number))
    }

    /// Builds the MLP in residual space `R`.
    ///
    /// # Errors
    /// As [`NumericalMlp::parts`].
    pub fn build<R: Space>(&self) -> Result<DiscretisingMlp<R>, Error>
    where
        In: Subspace<R> + Disjoint<One>,
        Out: Subspace<R>,
        One: Subspace<R>,
    {
        let (parts, large_number) = self.parts()?;
        Ok(DiscretisingMlp {
            mlp: Mlp::from_parts(parts)?,
            large_number,
        })
    }
}

/// Builds an MLP computing a categorical `f(x)` for a numerical input `x` that takes values in
/// a finite set: it writes the one-hot direction of `f(x)`.
///
/// `f` returns anything that names an output direction ([`ToDirection`]): a typed direction,
/// a value looked up in `Out`, or an `f64` that snaps to the nearest numeric value, so
/// `1.0 / (1.0 / 49.0) - 1.0 = 48.00000000000001` lands on the direction of 48.
///
/// The discretisation, its precision guarantee and the choice of `L` are those of
/// [`NumericalMlp`]. By default no input in the set blends two outputs, so each maps to the
/// one-hot of `f(v)` up to rounding. A given `L` builds the reference's weights.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::NumericalToCategoricalMlp;
///
/// handcraft::spaces! {
///     numerical space X = x;
///     space Large = large: {false, true};
///     space One = one;
///     space Residual = X | Large | One;
/// }
///
/// let is_large = NumericalToCategoricalMlp::<X, Large, One>::new(|x| Some(x > 2.0), [0.0, 1.0, 2.0, 3.0])
///     .build::<Residual>()?;
/// let input = Sequence::<Residual>::from_fn(1, |_, d| match d.to_string().as_str() {
///     "one" => 1.0,
///     "x" => 3.0,
///     _ => 0.0,
/// });
/// let output = Series::new().then(is_large).apply(&input)?.restrict::<Large>();
/// assert!((output.get(0, Dir::with_value(true)?) - 1.0).abs() < 1e-12);
/// assert!(output.get(0, Dir::with_value(false)?).abs() < 1e-12);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct NumericalToCategoricalMlp<In, Out, One> {
    inputs: Vec<f64>,
    /// The output direction's index, or the text of a value `Out` lacks.
    outputs: Vec<Option<Result<usize, String>>>,
    large_number: LargeNumber,
    hidden_name: String,
    spaces: Spaces<(In, Out, One)>,
}

impl<In, Out, One> NumericalToCategoricalMlp<In, Out, One>
where
    In: Numerical,
    Out: Space,
    One: Space,
{
    /// Starts an MLP computing `f` on `input_values`; `f` is evaluated here, once per distinct
    /// value, and returns `None` where it is undefined.
    pub fn new<T: ToDirection<Out>>(
        mut f: impl FnMut(f64) -> Option<T>,
        input_values: impl IntoIterator<Item = f64>,
    ) -> Self {
        let inputs = sorted_value_set(input_values);
        let outputs = inputs
            .iter()
            .map(|&x| {
                f(x).map(|result| {
                    result
                        .to_direction()
                        .map(Dir::index)
                        .ok_or_else(|| result.to_string())
                })
            })
            .collect();
        NumericalToCategoricalMlp {
            inputs,
            outputs,
            large_number: LargeNumber::Chosen,
            hidden_name: DEFAULT_HIDDEN_NAME.to_owned(),
            spaces: PhantomData,
        }
    }

    /// Sets the large number `L` instead of choosing it, which builds the reference's
    /// weights.
    pub fn large_number(mut self, large_number: f64) -> Self {
        self.large_number = LargeNumber::Given(large_number);
        self
    }

    /// Sets the prefix of the hidden labels (`__hidden__` by default).
    pub fn hidden_name(mut self, name: &str) -> Self {
        self.hidden_name = name.to_owned();
        self
    }

    /// Returns the MLP's spaces and matrices and its large number, independent of any residual
    /// space.
    ///
    /// # Errors
    /// As [`NumericalMlp::parts`], and [`Error::FunctionValueNotInSpace`] where `f` returns a
    /// value that no output direction carries.
    pub fn parts(&self) -> Result<(MlpParts, f64), Error> {
        const {
            assert!(
                One::DIM == 1,
                "the `one` space must have exactly one direction"
            )
        };
        check_value_set(&self.inputs, In::name())?;
        let mut kept = Vec::new();
        for (&x, output) in self.inputs.iter().zip(&self.outputs) {
            match output {
                Some(Ok(index)) => kept.push((x, *index)),
                Some(Err(value)) => {
                    return Err(Error::FunctionValueNotInSpace {
                        input: x.to_string(),
                        output: value.clone(),
                        space: Out::name().to_owned(),
                        basis: Out::basis().to_string(),
                    })
                }
                None => {}
            }
        }
        if kept.is_empty() {
            return Err(Error::FunctionUndefined {
                values: format_values(&self.inputs),
            });
        }
        let (inputs, outputs): (Vec<f64>, Vec<usize>) = kept.into_iter().unzip();

        let discretisation = discretise(&inputs, self.large_number, |i| inputs[i].to_string())?;
        let layer = hidden_layer(
            &discretisation,
            &numerical_input::<In, One>()?,
            &One::basis().directions()[0],
            &self.hidden_name,
        );
        let snd = categorical_second_layer(&layer.units, &outputs, Out::DIM);
        let parts = MlpParts {
            input: layer.input,
            hidden: layer.hidden,
            output: Out::basis().clone(),
            fst: layer.fst,
            snd,
        };
        Ok((parts, discretisation.large_number))
    }

    /// Builds the MLP in residual space `R`.
    ///
    /// # Errors
    /// As [`NumericalToCategoricalMlp::parts`].
    pub fn build<R: Space>(&self) -> Result<DiscretisingMlp<R>, Error>
    where
        In: Subspace<R> + Disjoint<One>,
        Out: Subspace<R>,
        One: Subspace<R>,
    {
        let (parts, large_number) = self.parts()?;
        Ok(DiscretisingMlp {
            mlp: Mlp::from_parts(parts)?,
            large_number,
        })
    }
}

/// Builds an MLP computing `a·x + b·y` for two numerical inputs `x` and `y`.
///
/// Four hidden units carry `relu(x)`, `relu(-x)`, `relu(y)` and `relu(-y)` (labels
/// `{hidden_name}x:1`, `…x:-1`, `…y:1`, `…y:-1`), and the output is
/// `a·(relu(x) - relu(-x)) + b·(relu(y) - relu(-y))`.
///
/// Precision: the weights are `±1`, `±a` and `±b`, as in the reference. The output equals
/// `a·x + b·y` up to the rounding of the two products and their sum.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::LinearSequenceMap;
///
/// handcraft::spaces! {
///     numerical space X = x;
///     numerical space Y = y;
///     numerical space Out = out;
///     space Residual = X | Y | Out;
/// }
///
/// let mlp = LinearSequenceMap::<X, Y, Out>::new(2.0, -3.0).build::<Residual>()?;
/// let input = Sequence::<Residual>::from_fn(1, |_, d| match d.to_string().as_str() {
///     "x" => 1.5,
///     "y" => -1.0,
///     _ => 0.0,
/// });
/// let output = Series::new().then(mlp).apply(&input)?.restrict::<Out>();
/// assert_eq!(output.get(0, Dir::from_index(0).unwrap()), 6.0);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct LinearSequenceMap<In1, In2, Out> {
    first_factor: f64,
    second_factor: f64,
    hidden_name: String,
    spaces: Spaces<(In1, In2, Out)>,
}

impl<In1, In2, Out> LinearSequenceMap<In1, In2, Out>
where
    In1: Numerical,
    In2: Numerical,
    Out: Numerical,
{
    /// Starts an MLP computing `first_factor · x + second_factor · y`.
    pub fn new(first_factor: f64, second_factor: f64) -> Self {
        LinearSequenceMap {
            first_factor,
            second_factor,
            hidden_name: DEFAULT_HIDDEN_NAME.to_owned(),
            spaces: PhantomData,
        }
    }

    /// Sets the prefix of the hidden labels (`__hidden__` by default).
    pub fn hidden_name(mut self, name: &str) -> Self {
        self.hidden_name = name.to_owned();
        self
    }

    /// Returns the MLP's spaces and matrices, independent of any residual space.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a factor that is not finite;
    /// [`Error::OverlappingInputs`] when `In1` and `In2` are one direction.
    pub fn parts(&self) -> Result<MlpParts, Error> {
        for factor in [self.first_factor, self.second_factor] {
            if !factor.is_finite() {
                return Err(Error::InvalidParameter {
                    parameter: "linear sequence map factor",
                    value: factor.to_string(),
                    expected: "a finite number",
                });
            }
        }
        let x = &In1::basis().directions()[0];
        let y = &In2::basis().directions()[0];
        if x == y {
            return Err(Error::OverlappingInputs {
                first: In1::name().to_owned(),
                second: In2::name().to_owned(),
                direction: x.to_string(),
            });
        }
        let input = Basis::join([In1::basis(), In2::basis()]);

        // (label, input it reads, sign, factor), sorted by label as the reference sorts.
        let mut units: Vec<(BasisDirection, &BasisDirection, f64, f64)> = Vec::with_capacity(4);
        for (suffix, direction, factor) in
            [("x", x, self.first_factor), ("y", y, self.second_factor)]
        {
            for sign in [1_i64, -1] {
                let label =
                    BasisDirection::with_value(format!("{}{suffix}", self.hidden_name), sign);
                units.push((label, direction, sign as f64, factor));
            }
        }
        units.sort_by(|a, b| a.0.cmp(&b.0));

        let fst = DMatrix::from_fn(input.dim(), units.len(), |row, column| {
            let (_, reads, sign, _) = &units[column];
            if &input.directions()[row] == *reads {
                *sign
            } else {
                0.0
            }
        });
        let snd = DMatrix::from_fn(units.len(), 1, |row, _| {
            let (_, _, sign, factor) = &units[row];
            factor * sign
        });
        Ok(MlpParts {
            input,
            hidden: units.into_iter().map(|unit| unit.0).collect(),
            output: Out::basis().clone(),
            fst,
            snd,
        })
    }

    /// Builds the MLP in residual space `R`.
    ///
    /// # Errors
    /// As [`LinearSequenceMap::parts`].
    pub fn build<R: Space>(&self) -> Result<Mlp<R, PrivateHidden>, Error>
    where
        In1: Subspace<R> + Disjoint<In2>,
        In2: Subspace<R>,
        Out: Subspace<R>,
    {
        Mlp::from_parts(self.parts()?)
    }
}

/// Returns the input space of a discretising MLP: the numerical input joined with `one`.
pub(crate) fn numerical_input<In: Space, One: Space>() -> Result<Basis, Error> {
    let (x, one) = (&In::basis().directions()[0], &One::basis().directions()[0]);
    if x == one {
        return Err(Error::OverlappingInputs {
            first: In::name().to_owned(),
            second: One::name().to_owned(),
            direction: x.to_string(),
        });
    }
    Ok(Basis::join([In::basis(), One::basis()]))
}

/// Writes values as `{0, 0.5}`.
pub(crate) fn format_values(values: &[f64]) -> String {
    let texts: Vec<String> = values.iter().map(ToString::to_string).collect();
    format!("{{{}}}", texts.join(", "))
}
