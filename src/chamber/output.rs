//! Results of user functions that name a direction of a categorical output space.

use std::fmt;

use crate::direction::Value;
use crate::space::{Dir, Space};

/// Relative tolerance within which a floating-point result snaps to a numeric output value.
///
/// Arithmetic such as `1.0 / (1.0 / 49.0) - 1.0` gives `48.00000000000001`, not `48`; a
/// result this close to a direction's value names that direction.
pub const SNAP_TOLERANCE: f64 = 1e-9;

/// A user function's result that names one direction of the categorical space `S`.
///
/// Categorical building blocks accept a function returning `Option<T>` for any `T: ToDirection<S>`:
///
/// - a typed direction [`Dir<S>`] names itself, so no lookup can fail;
/// - an integer, bool or string is looked up by value, with the reference's equality (`1`,
///   `1.0` and `true` are one value);
/// - an `f64` (or a [`Value::Float`]) snaps to the direction whose numeric value is nearest,
///   when the two differ by at most [`SNAP_TOLERANCE`] times the larger of 1 and the value's
///   magnitude. Floats are never compared for equality, so a result carrying rounding error
///   still lands on the intended direction.
///
/// A result that names no direction of `S` makes the block's construction fail with
/// [`crate::Error::FunctionValueNotInSpace`]; return `None` to map an input to zero instead.
///
/// ```
/// use handcraft::Dir;
/// use handcraft::chamber::ToDirection;
///
/// handcraft::spaces! {
///     space Widths = width: 0..50;
/// }
///
/// let computed = 1.0 / (1.0 / 49.0) - 1.0;
/// assert_eq!(computed, 48.00000000000001);
/// let direction: Dir<Widths> = computed.to_direction().unwrap();
/// assert_eq!(direction.to_string(), "width:48");
/// assert_eq!(ToDirection::<Widths>::to_direction(&48), Some(direction));
/// assert_eq!(ToDirection::<Widths>::to_direction(&50), None);
/// ```
pub trait ToDirection<S: Space>: fmt::Display {
    /// Returns the direction of `S` that this result names, or `None` when `S` has none.
    fn to_direction(&self) -> Option<Dir<S>>;
}

impl<S: Space> ToDirection<S> for Dir<S> {
    fn to_direction(&self) -> Option<Dir<S>> {
        Some(*self)
    }
}

impl<S: Space> ToDirection<S> for Value {
    fn to_direction(&self) -> Option<Dir<S>> {
        match self {
            Value::Float(x) => snap(*x),
            exact => S::basis()
                .iter()
                .position(|d| d.value.as_ref() == Some(exact))
                .and_then(Dir::from_index),
        }
    }
}

impl<S: Space> ToDirection<S> for f64 {
    fn to_direction(&self) -> Option<Dir<S>> {
        snap(*self)
    }
}

/// Implements exact lookup by value for types that convert into [`Value`].
macro_rules! impl_exact_lookup {
    ($($source:ty),* $(,)?) => {$(
        impl<S: Space> ToDirection<S> for $source {
            fn to_direction(&self) -> Option<Dir<S>> {
                Value::from(self.clone()).to_direction()
            }
        }
    )*};
}

impl_exact_lookup!(i64, i32, usize, bool, &str, String);

/// Returns the direction of `S` whose numeric value is nearest to `x`, if it lies within
/// [`SNAP_TOLERANCE`].
fn snap<S: Space>(x: f64) -> Option<Dir<S>> {
    if !x.is_finite() {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (index, direction) in S::basis().iter().enumerate() {
        let Some(value) = direction.value.as_ref().and_then(Value::as_f64) else {
            continue;
        };
        let distance = (value - x).abs();
        let within = distance <= SNAP_TOLERANCE * value.abs().max(1.0);
        let nearer = best.is_none_or(|(_, best_distance)| distance < best_distance);
        if within && nearer {
            best = Some((index, distance));
        }
    }
    best.and_then(|(index, _)| Dir::from_index(index))
}
