//! Spaces as types: the `Space` trait, the subspace and disjointness relations, typed directions.

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use nalgebra::DimName;

use crate::basis::Basis;
use crate::direction::{BasisDirection, Value};
use crate::error::Error;

/// A vector space declared as a type, normally by [`crate::spaces!`].
///
/// The dimension is a type (`Dim`, an nalgebra `Const<N>`) so that matrices over the space
/// have static shapes; the basis is sorted in the order described in [`crate::order`].
///
/// ```
/// use handcraft::Space;
///
/// handcraft::spaces! {
///     space Indices = indices: 0..12;
/// }
///
/// assert_eq!(Indices::DIM, 12);
/// let labels = Indices::basis().labels();
/// assert_eq!(labels[..3], ["indices:0", "indices:1", "indices:2"]);
/// assert_eq!(labels[11], "indices:11");
/// ```
pub trait Space: 'static + Copy + Default + Send + Sync + fmt::Debug {
    /// The number of basis directions.
    const DIM: usize;
    /// The dimension as an nalgebra type, `Const<DIM>`.
    type Dim: DimName;
    /// Returns the sorted basis.
    fn basis() -> &'static Basis;

    /// Returns the type's short name, for messages.
    fn name() -> &'static str {
        let full = type_name::<Self>();
        full.rsplit("::").next().unwrap_or(full)
    }
}

/// The dimension of a space as a `typenum` unsigned integer, for spaces of at most 1,024
/// directions; it sizes [`generic_array::GenericArray`]s over the space.
pub trait TypenumDim: Space {
    /// `typenum::U<DIM>`.
    type TDim: generic_array::ArrayLength;
}

/// `Self` is a subspace of `Sup`: every basis direction of `Self` is a direction of `Sup`.
///
/// [`crate::spaces!`] implements it for every such pair of spaces declared in one block, the
/// reflexive case included. Blocks require it of every space they read or write, so a block
/// that touches a space outside its residual stream does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a subspace of `{Sup}`",
    label = "`{Self}` has basis directions that `{Sup}` lacks",
    note = "declare `{Self}` and `{Sup}` in one `spaces!` block, with every direction of `{Self}` in `{Sup}`"
)]
pub trait Subspace<Sup: Space>: Space {}

/// `Self` and `Other` share no basis direction.
///
/// [`crate::spaces!`] implements it for every such pair of distinct spaces declared in one
/// block. Combining MLPs in parallel requires it of their hidden spaces, so hidden neurons of
/// two MLPs can never be merged by accident; building blocks require it of inputs that must
/// not overlap.
#[diagnostic::on_unimplemented(
    message = "`{Self}` and `{Other}` share a basis direction",
    label = "`{Self}` and `{Other}` must be disjoint here",
    note = "declare `{Self}` and `{Other}` in one `spaces!` block, with no direction in common"
)]
pub trait Disjoint<Other> {}

/// A numerical space: one direction whose magnitude is a number, not a one-hot category.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a numerical space",
    label = "a numerical space is needed here",
    note = "declare it with `numerical space {Self} = name;` in a `spaces!` block"
)]
pub trait Numerical: Space {}

/// A typed basis direction of space `S`: an index into `S`'s sorted basis.
///
/// User functions given to map constructors receive these, so a closure over the input space
/// cannot be handed a direction of another space.
///
/// ```
/// use handcraft::Dir;
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b"};
/// }
///
/// let b = Dir::<Tokens>::with_value("b")?;
/// assert_eq!(b.index(), 1);
/// assert_eq!(b.value_str(), Some("b"));
/// assert_eq!(b.to_string(), "tokens:b");
/// assert!(Dir::<Tokens>::with_value("z").is_err());
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct Dir<S> {
    index: usize,
    space: PhantomData<fn() -> S>,
}

impl<S: Space> Dir<S> {
    /// Returns the direction at `index` of `S`'s sorted basis, if there is one.
    pub fn from_index(index: usize) -> Option<Self> {
        (index < S::DIM).then_some(Dir {
            index,
            space: PhantomData,
        })
    }

    /// Returns every direction of `S`, in sorted order.
    pub fn all() -> impl Iterator<Item = Self> + Clone {
        (0..S::DIM).map(|index| Dir {
            index,
            space: PhantomData,
        })
    }

    /// Looks up a direction of `S`.
    ///
    /// # Errors
    /// [`Error::DirectionNotInSpace`] when `S` lacks it.
    pub fn find(direction: &BasisDirection) -> Result<Self, Error> {
        S::basis()
            .index_of(direction)
            .map(|index| Dir {
                index,
                space: PhantomData,
            })
            .ok_or_else(|| Error::DirectionNotInSpace {
                direction: direction.to_string(),
                space: S::name().to_owned(),
                basis: S::basis().to_string(),
            })
    }

    /// Looks up the direction of `S` whose value equals `value` (by the reference's equality,
    /// so `1`, `1.0` and `true` match alike).
    ///
    /// # Errors
    /// [`Error::ValueNotInSpace`] when no direction carries the value.
    pub fn with_value(value: impl Into<Value>) -> Result<Self, Error> {
        let value = value.into();
        S::basis()
            .iter()
            .position(|d| d.value.as_ref() == Some(&value))
            .map(|index| Dir {
                index,
                space: PhantomData,
            })
            .ok_or_else(|| Error::ValueNotInSpace {
                value: value.to_string(),
                space: S::name().to_owned(),
                basis: S::basis().to_string(),
            })
    }

    /// Returns the position in `S`'s sorted basis.
    pub fn index(self) -> usize {
        self.index
    }

    /// Returns the labelled direction.
    pub fn direction(self) -> &'static BasisDirection {
        &S::basis().directions()[self.index]
    }

    /// Returns the direction's value, if it has one.
    pub fn value(self) -> Option<&'static Value> {
        self.direction().value.as_ref()
    }

    /// Returns the value as an integer, for integer (or bool, or integral float) values.
    pub fn value_i64(self) -> Option<i64> {
        self.value().and_then(Value::as_i64)
    }

    /// Returns the value as a number, for integer, float or bool values.
    pub fn value_f64(self) -> Option<f64> {
        self.value().and_then(Value::as_f64)
    }

    /// Returns the value as a string slice, for string values.
    pub fn value_str(self) -> Option<&'static str> {
        self.value().and_then(Value::as_str)
    }
}

impl<S> Clone for Dir<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Dir<S> {}

impl<S> PartialEq for Dir<S> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl<S> Eq for Dir<S> {}

impl<S> PartialOrd for Dir<S> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<S> Ord for Dir<S> {
    /// Directions of one space compare in the space's sorted order.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}

impl<S> Hash for Dir<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

impl<S: Space> fmt::Debug for Dir<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dir<{}>({})", S::name(), self.direction())
    }
}

impl<S: Space> fmt::Display for Dir<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.direction())
    }
}

/// Returns, for each direction of `To`, its position in `From` if `From` has it.
pub(crate) fn positions<From: Space, To: Space>() -> Vec<Option<usize>> {
    From::basis().positions_in(To::basis())
}
