//! Lookup-table MLPs on categorical inputs: maps of one input to a categorical or numerical
//! output, and sequence maps of two inputs.

use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::{Mlp, MlpParts, PrivateHidden};
use crate::chamber::numerical::DEFAULT_HIDDEN_NAME;
use crate::chamber::output::ToDirection;
use crate::chamber::Spaces;
use crate::direction::{BasisDirection, Name, Value};
use crate::error::Error;
use crate::space::{Dir, Disjoint, Numerical, Space, Subspace};

/// An image that a user function gave an input: an output direction's index, nothing (zero),
/// or the text of a value the output space lacks.
type Image = Option<Result<usize, String>>;

/// Converts a user function's result to an [`Image`].
fn image<S: Space, T: ToDirection<S>>(result: Option<T>) -> Image {
    result.map(|value| {
        value
            .to_direction()
            .map(Dir::index)
            .ok_or_else(|| value.to_string())
    })
}

/// Returns the output index of an image, or the error naming the input and the value.
fn resolve<Out: Space>(
    image: &Image,
    input: &dyn std::fmt::Display,
) -> Result<Option<usize>, Error> {
    match image {
        None => Ok(None),
        Some(Ok(index)) => Ok(Some(*index)),
        Some(Err(value)) => Err(Error::FunctionValueNotInSpace {
            input: input.to_string(),
            output: value.clone(),
            space: Out::name().to_owned(),
            basis: Out::basis().to_string(),
        }),
    }
}

/// Builds an MLP that maps each direction of a categorical input to one direction of a
/// categorical output, or to zero: a lookup table.
///
/// The hidden layer is a copy of the output space (labelled like it, as in the reference): the
/// first layer sends input direction `d` to hidden `f(d)`, the second is the identity. On a
/// one-hot input the output is exactly the one-hot of `f(d)`, or zero where `f` returns
/// `None`.
///
/// `f` returns anything that names an output direction ([`ToDirection`]): a typed direction, or
/// a value looked up in `Out`. A value that `Out` lacks is a construction error naming it,
/// where the reference silently writes zero; return `None` for zero.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::CategoricalMlp;
///
/// handcraft::spaces! {
///     space X = x: 0..5;
///     space Doubled = doubled: 0..5;
///     space Residual = X | Doubled;
/// }
///
/// // doubled = 2·x mod 5, looked up by value.
/// let double = CategoricalMlp::<X, Doubled>::new(|x| x.value_i64().map(|v| 2 * v % 5))
///     .build::<Residual>()?;
/// let input = Sequence::<X>::one_hot(&[Dir::with_value(3)?]).embed::<Residual>();
/// let output = Series::new().then(double).apply(&input)?.restrict::<Doubled>();
/// assert_eq!(output.get(0, Dir::with_value(1)?), 1.0);
///
/// // Values outside the output space are errors, not silent zeros.
/// let error = CategoricalMlp::<X, Doubled>::new(|x| x.value_i64().map(|v| 10 * v))
///     .build::<Residual>()
///     .unwrap_err();
/// assert!(error.to_string().starts_with("the function maps `x:1` to `10`"));
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct CategoricalMlp<In, Out> {
    images: Vec<Image>,
    spaces: Spaces<(In, Out)>,
}

impl<In: Space, Out: Space> CategoricalMlp<In, Out> {
    /// Starts an MLP computing `f`, which is evaluated here, once per input direction.
    pub fn new<T: ToDirection<Out>>(mut f: impl FnMut(Dir<In>) -> Option<T>) -> Self {
        CategoricalMlp {
            images: Dir::<In>::all().map(|d| image(f(d))).collect(),
            spaces: PhantomData,
        }
    }

    /// Returns the MLP's spaces and matrices, independent of any residual space.
    ///
    /// # Errors
    /// [`Error::FunctionValueNotInSpace`] for the first input whose value `Out` lacks.
    pub fn parts(&self) -> Result<MlpParts, Error> {
        let mut fst = DMatrix::zeros(In::DIM, Out::DIM);
        for (input, image) in Dir::<In>::all().zip(&self.images) {
            if let Some(column) = resolve::<Out>(image, &input)? {
                fst[(input.index(), column)] = 1.0;
            }
        }
        Ok(MlpParts {
            input: In::basis().clone(),
            hidden: Out::basis().directions().to_vec(),
            output: Out::basis().clone(),
            fst,
            snd: DMatrix::identity(Out::DIM, Out::DIM),
        })
    }

    /// Builds the MLP in residual space `R`.
    ///
    /// # Errors
    /// As [`CategoricalMlp::parts`].
    pub fn build<R: Space>(&self) -> Result<Mlp<R, PrivateHidden>, Error>
    where
        In: Subspace<R>,
        Out: Subspace<R>,
    {
        Mlp::from_parts(self.parts()?)
    }
}

/// Builds an MLP that maps each direction of a categorical input to a number, written to a
/// numerical output: a lookup table of numbers.
///
/// On a one-hot input `d` the output is exactly `f(d)`, negative values included. The
/// reference puts its table before the ReLU (one hidden unit, `fst[d] = f(d)`), so it outputs
/// 0 wherever `f(d) < 0`. Here:
///
/// - when every value is non-negative, the weights are the reference's: one hidden unit,
///   labelled like the output direction;
/// - when some value is negative, a second hidden unit labelled `{output}_negative` carries
///   the negative part. The first unit reads `max(f(d), 0)`, the second `max(-f(d), 0)`, and
///   the output is their difference.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::CategoricalToNumericalMlp;
///
/// handcraft::spaces! {
///     space Letters = letters: {"a", "b"};
///     numerical space Score = score;
///     space Residual = Letters | Score;
/// }
///
/// let score = CategoricalToNumericalMlp::<Letters, Score>::new(|d| match d.value_str() {
///     Some("a") => 1.5,
///     _ => -1.0,
/// })
/// .build::<Residual>()?;
/// assert_eq!(score.parts().hidden.len(), 2);
///
/// let input = Sequence::<Letters>::one_hot(&[Dir::with_value("a")?, Dir::with_value("b")?]);
/// let output = Series::new().then(score).apply(&input.embed::<Residual>())?.restrict::<Score>();
/// assert_eq!(output.matrix().as_slice(), [1.5, -1.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct CategoricalToNumericalMlp<In, Out> {
    values: Vec<f64>,
    spaces: Spaces<(In, Out)>,
}

impl<In: Space, Out: Numerical> CategoricalToNumericalMlp<In, Out> {
    /// Starts an MLP computing `f`, which is evaluated here, once per input direction.
    pub fn new(mut f: impl FnMut(Dir<In>) -> f64) -> Self {
        CategoricalToNumericalMlp {
            values: Dir::<In>::all().map(&mut f).collect(),
            spaces: PhantomData,
        }
    }

    /// Returns the MLP's spaces and matrices, independent of any residual space.
    ///
    /// # Errors
    /// [`Error::NonFiniteFunctionValue`] for the first input where `f` is NaN or infinite.
    pub fn parts(&self) -> Result<MlpParts, Error> {
        for (input, value) in Dir::<In>::all().zip(&self.values) {
            if !value.is_finite() {
                return Err(Error::NonFiniteFunctionValue {
                    input: input.to_string(),
                    output: *value,
                });
            }
        }
        let output = &Out::basis().directions()[0];
        let has_negative = self.values.iter().any(|v| *v < 0.0);

        let (hidden, fst, snd) = if has_negative {
            let negative = BasisDirection::new(format!("{output}_negative"));
            let fst = DMatrix::from_fn(In::DIM, 2, |row, column| {
                let value = self.values[row];
                if column == 0 {
                    value.max(0.0)
                } else {
                    (-value).max(0.0)
                }
            });
            let snd = DMatrix::from_column_slice(2, 1, &[1.0, -1.0]);
            (vec![output.clone(), negative], fst, snd)
        } else {
            let fst = DMatrix::from_column_slice(In::DIM, 1, &self.values);
            (vec![output.clone()], fst, DMatrix::identity(1, 1))
        };
        Ok(MlpParts {
            input: In::basis().clone(),
            hidden,
            output: Out::basis().clone(),
            fst,
            snd,
        })
    }

    /// Builds the MLP in residual space `R`.
    ///
    /// # Errors
    /// As [`CategoricalToNumericalMlp::parts`].
    pub fn build<R: Space>(&self) -> Result<Mlp<R, PrivateHidden>, Error>
    where
        In: Subspace<R>,
        Out: Subspace<R>,
    {
        Mlp::from_parts(self.parts()?)
    }
}

/// Builds an MLP computing a categorical `f(x, y)` of two categorical inputs, at each
/// position: a lookup table on pairs.
///
/// One hidden unit per pair `(x, y)` computes `relu(x + y - one)`, which on one-hot inputs is
/// 1 exactly when both directions are present. The second layer sends it to the output
/// direction `f(x, y)`, or to zero where `f` returns `None`. Hidden labels are the
/// reference's: `hidden_name` with the value `(x.name, x.value, y.name, y.value)`.
///
/// The two inputs and `one` must be disjoint. [`SequenceMapMlp::build`] checks it at compile
/// time with [`Disjoint`]; [`SequenceMapMlp::build_checked`] checks it at run time, for generic
/// code that cannot name the bound.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::SequenceMapMlp;
///
/// handcraft::spaces! {
///     space X = x: 0..3;
///     space Y = y: 0..3;
///     space Sum = sum: 0..5;
///     space One = one;
///     space Residual = X | Y | Sum | One;
/// }
///
/// let add = SequenceMapMlp::<X, Y, Sum, One>::new(|x, y| {
///     Some(x.value_i64()? + y.value_i64()?)
/// })
/// .build::<Residual>()?;
///
/// let input = Sequence::<Residual>::from_fn(1, |_, d| match d.to_string().as_str() {
///     "one" | "x:2" | "y:1" => 1.0,
///     _ => 0.0,
/// });
/// let output = Series::new().then(add).apply(&input)?.restrict::<Sum>();
/// assert_eq!(output.get(0, Dir::with_value(3)?), 1.0);
/// # Ok::<(), handcraft::Error>(())
/// ```
///
/// Inputs that share a direction do not compile:
///
/// ```compile_fail
/// use handcraft::chamber::SequenceMapMlp;
///
/// handcraft::spaces! {
///     space X = x: 0..3;
///     space Sum = sum: 0..5;
///     space One = one;
///     space Residual = X | Sum | One;
/// }
///
/// let add = SequenceMapMlp::<X, X, Sum, One>::new(|x, y| {
///     Some(x.value_i64()? + y.value_i64()?)
/// })
/// .build::<Residual>();
/// ```
pub struct SequenceMapMlp<In1, In2, Out, One> {
    /// `images[x * In2::DIM + y]`.
    images: Vec<Image>,
    hidden_name: String,
    spaces: Spaces<(In1, In2, Out, One)>,
}

impl<In1, In2, Out, One> SequenceMapMlp<In1, In2, Out, One>
where
    In1: Space,
    In2: Space,
    Out: Space,
    One: Space,
{
    /// Starts an MLP computing `f`, which is evaluated here, once per pair of directions.
    pub fn new<T: ToDirection<Out>>(mut f: impl FnMut(Dir<In1>, Dir<In2>) -> Option<T>) -> Self {
        let mut images = Vec::with_capacity(In1::DIM * In2::DIM);
        for x in Dir::<In1>::all() {
            for y in Dir::<In2>::all() {
                images.push(image(f(x, y)));
            }
        }
        SequenceMapMlp {
            images,
            hidden_name: DEFAULT_HIDDEN_NAME.to_owned(),
            spaces: PhantomData,
        }
    }

    /// Sets the name of the hidden labels (`__hidden__` by default).
    pub fn hidden_name(mut self, name: &str) -> Self {
        self.hidden_name = name.to_owned();
        self
    }

    /// Returns the MLP's spaces and matrices, independent of any residual space.
    ///
    /// # Errors
    /// [`Error::OverlappingInputs`] when two of `In1`, `In2` and `One` share a direction;
    /// [`Error::FunctionValueNotInSpace`] for the first pair whose value `Out` lacks.
    pub fn parts(&self) -> Result<MlpParts, Error> {
        const {
            assert!(
                One::DIM == 1,
                "the `one` space must have exactly one direction"
            )
        };
        check_disjoint::<In1, In2>()?;
        check_disjoint::<In1, One>()?;
        check_disjoint::<In2, One>()?;
        let input = Basis::join([In1::basis(), In2::basis(), One::basis()]);

        // (label, x, y), sorted by label as the reference sorts its hidden space.
        let mut units: Vec<(BasisDirection, Dir<In1>, Dir<In2>)> = Vec::new();
        for x in Dir::<In1>::all() {
            for y in Dir::<In2>::all() {
                units.push((self.hidden_label(x.direction(), y.direction()), x, y));
            }
        }
        units.sort_by(|a, b| a.0.cmp(&b.0));

        let one = &One::basis().directions()[0];
        let fst = DMatrix::from_fn(input.dim(), units.len(), |row, column| {
            let direction = &input.directions()[row];
            let (_, x, y) = &units[column];
            if direction == one {
                -1.0
            } else if direction == x.direction() || direction == y.direction() {
                1.0
            } else {
                0.0
            }
        });

        let mut snd = DMatrix::zeros(units.len(), Out::DIM);
        for (row, (_, x, y)) in units.iter().enumerate() {
            let image = &self.images[x.index() * In2::DIM + y.index()];
            let pair = format!("({x}, {y})");
            if let Some(column) = resolve::<Out>(image, &pair)? {
                snd[(row, column)] = 1.0;
            }
        }

        Ok(MlpParts {
            input,
            hidden: units.into_iter().map(|unit| unit.0).collect(),
            output: Out::basis().clone(),
            fst,
            snd,
        })
    }

    /// Builds the MLP in residual space `R`; inputs that share a direction do not compile.
    ///
    /// # Errors
    /// As [`SequenceMapMlp::parts`].
    pub fn build<R: Space>(&self) -> Result<Mlp<R, PrivateHidden>, Error>
    where
        In1: Subspace<R> + Disjoint<In2> + Disjoint<One>,
        In2: Subspace<R> + Disjoint<One>,
        Out: Subspace<R>,
        One: Subspace<R>,
    {
        Mlp::from_parts(self.parts()?)
    }

    /// Builds the MLP in residual space `R`, checking at run time that the inputs and `one`
    /// are disjoint.
    ///
    /// # Errors
    /// As [`SequenceMapMlp::parts`].
    pub fn build_checked<R: Space>(&self) -> Result<Mlp<R, PrivateHidden>, Error>
    where
        In1: Subspace<R>,
        In2: Subspace<R>,
        Out: Subspace<R>,
        One: Subspace<R>,
    {
        Mlp::from_parts(self.parts()?)
    }

    /// Returns the hidden label of the pair `(x, y)`: `hidden_name:(x.name, x.value, y.name,
    /// y.value)`.
    ///
    /// NOTE: [`Value`] has no `None`, so a direction without a value contributes only its name
    /// to the tuple, where the reference writes `None` after it.
    fn hidden_label(&self, x: &BasisDirection, y: &BasisDirection) -> BasisDirection {
        let mut items = Vec::with_capacity(4);
        for direction in [x, y] {
            items.push(name_value(&direction.name));
            items.extend(direction.value.clone());
        }
        BasisDirection::with_value(self.hidden_name.as_str(), Value::Tuple(items))
    }
}

/// Returns an error naming a direction that `A` and `B` share, if any.
fn check_disjoint<A: Space, B: Space>() -> Result<(), Error> {
    match A::basis().iter().find(|d| B::basis().contains(d)) {
        Some(shared) => Err(Error::OverlappingInputs {
            first: A::name().to_owned(),
            second: B::name().to_owned(),
            direction: shared.to_string(),
        }),
        None => Ok(()),
    }
}

/// Returns a direction name as a tuple element.
fn name_value(name: &Name) -> Value {
    match name {
        Name::Str(s) => Value::Str(s.clone()),
        Name::Int(i) => Value::Int(*i),
    }
}
