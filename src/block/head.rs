//! One attention head, living in a residual space `R` that contains every space it touches.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::bilinear::ScalarBilinear;
use crate::block::check;
use crate::block::evaluate::HeadEvaluation;
use crate::block::kernel::HeadKernel;
use crate::block::parts::HeadParts;
use crate::error::Error;
use crate::linear::Linear;
use crate::space::{Space, Subspace};
use crate::vector::Sequence;

/// An attention head in residual space `R`: logits `Q · W_qk · Kᵀ` (no `1/sqrt(d)` scaling),
/// a row-wise softmax, and values `X|value · W_ov` written to the output space.
///
/// The query, key, value and output spaces must be subspaces of `R`; the compiler checks it
/// for [`AttentionHead::new`], and [`AttentionHead::from_parts`] checks it at run time.
///
/// ```
/// use handcraft::{AttentionHead, Dir, Linear, ScalarBilinear, Sequence, Space};
///
/// handcraft::spaces! {
///     space Indices = indices: 0..3;
///     space Tokens = tokens: {"a", "b"};
///     space Copied = copied: {"a", "b"};
///     space Residual = Indices | Tokens | Copied;
/// }
///
/// // Every position attends, sharply, to position 0 and copies its token.
/// let to_first = ScalarBilinear::<Indices, Indices>::from_fn(|_, key| {
///     if key.value_i64() == Some(0) { 100.0 } else { 0.0 }
/// });
/// let copy = Linear::<Tokens, Copied>::from_fn(|token, copied| {
///     if token.value() == copied.value() { 1.0 } else { 0.0 }
/// });
/// let head = AttentionHead::<Residual>::new(to_first, copy, false);
///
/// let tokens = [Dir::<Tokens>::with_value("b")?, Dir::with_value("a")?];
/// let input = Sequence::<Residual>::from_fn(2, |position, d| {
///     let is_index = d.value_i64() == Some(position as i64) && d.to_string().starts_with("indices");
///     let is_token = d.direction() == tokens[position].direction();
///     if is_index || is_token { 1.0 } else { 0.0 }
/// });
/// let output = head.apply(&input)?.restrict::<Copied>();
/// let copied_b = Dir::<Copied>::with_value("b")?;
/// assert!((output.get(1, copied_b) - 1.0).abs() < 1e-12);
/// # Ok::<(), handcraft::Error>(())
/// ```
///
/// A head whose output space is not in the residual does not compile:
///
/// ```compile_fail,E0277
/// use handcraft::{AttentionHead, Linear, ScalarBilinear};
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b"};
///     space Copied = copied: {"a", "b"};
/// }
/// type Residual = Tokens;
///
/// let head = AttentionHead::<Residual>::new(
///     ScalarBilinear::<Tokens, Tokens>::zeros(),
///     Linear::<Tokens, Copied>::zeros(),
///     false,
/// );
/// ```
pub struct AttentionHead<R: Space> {
    /// Shared, so cloning a series does not copy weights.
    compiled: Arc<(HeadParts, HeadKernel)>,
    residual: PhantomData<fn() -> R>,
}

impl<R: Space> AttentionHead<R> {
    /// Creates a head from its query-key form and value-output map; `causal` masks every key
    /// position after the query position.
    ///
    /// See [`AttentionHead`] for an example.
    pub fn new<Q, K, V, O>(w_qk: ScalarBilinear<Q, K>, w_ov: Linear<V, O>, causal: bool) -> Self
    where
        Q: Subspace<R>,
        K: Subspace<R>,
        V: Subspace<R>,
        O: Subspace<R>,
    {
        Self::from_checked_parts(HeadParts {
            query: Q::basis().clone(),
            key: K::basis().clone(),
            w_qk: w_qk.to_dmatrix(),
            value: V::basis().clone(),
            output: O::basis().clone(),
            w_ov: w_ov.to_dmatrix(),
            causal,
        })
    }

    /// Creates a head from parts whose spaces are known only at run time, such as a
    /// categorical attention whose query space is joined with `bos` and `one`.
    ///
    /// ```
    /// use handcraft::{AttentionHead, Basis, BasisDirection, Error};
    /// use handcraft::block::HeadParts;
    /// use handcraft::nalgebra::DMatrix;
    ///
    /// handcraft::spaces! {
    ///     space Residual = {q, k, v, o};
    /// }
    ///
    /// let space = |name: &str| Basis::new([BasisDirection::new(name)]);
    /// let parts = HeadParts {
    ///     query: space("q")?,
    ///     key: space("k")?,
    ///     w_qk: DMatrix::from_element(1, 1, 1.0),
    ///     value: space("v")?,
    ///     output: space("w")?,
    ///     w_ov: DMatrix::from_element(1, 1, 1.0),
    ///     causal: false,
    /// };
    /// let error = AttentionHead::<Residual>::from_parts(parts).unwrap_err();
    /// assert_eq!(
    ///     error,
    ///     Error::NotInResidual { role: "output", direction: "w".into(), residual: "Residual".into() },
    /// );
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotInResidual`] naming the first direction of the query, key, value or output
    /// space that `R` lacks; [`Error::MatrixShape`] when `w_qk` or `w_ov` does not match its
    /// spaces; [`Error::NonFiniteWeight`] for a NaN or infinite weight.
    pub fn from_parts(parts: HeadParts) -> Result<Self, Error> {
        check::in_residual::<R>("query", &parts.query)?;
        check::in_residual::<R>("key", &parts.key)?;
        check::in_residual::<R>("value", &parts.value)?;
        check::in_residual::<R>("output", &parts.output)?;
        check::weights(
            "w_qk",
            &parts.w_qk,
            parts.query.directions(),
            parts.key.directions(),
        )?;
        check::weights(
            "w_ov",
            &parts.w_ov,
            parts.value.directions(),
            parts.output.directions(),
        )?;
        Ok(Self::from_checked_parts(parts))
    }

    fn from_checked_parts(parts: HeadParts) -> Self {
        let kernel = HeadKernel::new(&parts, R::basis());
        AttentionHead {
            compiled: Arc::new((parts, kernel)),
            residual: PhantomData,
        }
    }

    /// Returns the head with its spaces erased to labelled bases.
    ///
    /// ```
    /// use handcraft::{AttentionHead, Linear, ScalarBilinear};
    ///
    /// handcraft::spaces! {
    ///     space Query = query: 0..2;
    ///     space Key = key: 0..3;
    ///     space Residual = Query | Key;
    /// }
    ///
    /// let head = AttentionHead::<Residual>::new(
    ///     ScalarBilinear::<Query, Key>::zeros(),
    ///     Linear::<Key, Query>::zeros(),
    ///     true,
    /// );
    /// assert_eq!(head.parts().w_qk.shape(), (2, 3));
    /// assert_eq!(head.parts().output.labels(), ["query:0", "query:1"]);
    /// assert!(head.parts().causal);
    /// ```
    pub fn parts(&self) -> &HeadParts {
        &self.compiled.0
    }

    /// Returns the head's output on `input`, over the whole residual space and non-zero only
    /// along the output space; the input is not added.
    ///
    /// # Errors
    /// [`Error::EmptySequence`], [`Error::NonFiniteInput`] for bad input;
    /// [`Error::Overflow`], [`Error::NonFiniteOutput`] when the weights make a value overflow.
    pub fn apply(&self, input: &Sequence<R>) -> Result<Sequence<R>, Error> {
        Ok(self.evaluate(input)?.output())
    }

    /// Returns the head's output, logits and attention weights on `input`.
    ///
    /// ```
    /// use handcraft::{AttentionHead, Linear, ScalarBilinear, Sequence};
    ///
    /// handcraft::spaces! {
    ///     space X = x;
    /// }
    /// type Residual = X;
    ///
    /// let head = AttentionHead::<Residual>::new(
    ///     ScalarBilinear::<X, X>::zeros(),
    ///     Linear::<X, X>::identity(),
    ///     true,
    /// );
    /// let input = Sequence::<Residual>::from_rows(&[[1.0], [3.0]])?;
    /// let evaluation = head.evaluate(&input)?;
    /// // Causal and uniform: position 1 averages positions 0 and 1.
    /// assert_eq!(evaluation.weights()[(0, 1)], 0.0);
    /// assert_eq!(evaluation.weights()[(1, 0)], 0.5);
    /// assert_eq!(evaluation.logits()[(0, 1)], f64::NEG_INFINITY);
    /// assert_eq!(evaluation.output().matrix()[(1, 0)], 2.0);
    /// # Ok::<(), handcraft::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`AttentionHead::apply`].
    pub fn evaluate(&self, input: &Sequence<R>) -> Result<HeadEvaluation<R>, Error> {
        check::input(input)?;
        let located = |failure| check::located::<R>(0, failure);
        let run = self
            .kernel()
            .run(input.matrix().as_slice(), input.len(), true)
            .map_err(located)?;
        run.output.check().map_err(located)?;
        Ok(HeadEvaluation::from_run(run))
    }

    pub(crate) fn kernel(&self) -> &HeadKernel {
        &self.compiled.1
    }
}

impl<R: Space> Clone for AttentionHead<R> {
    fn clone(&self) -> Self {
        AttentionHead {
            compiled: Arc::clone(&self.compiled),
            residual: PhantomData,
        }
    }
}

impl<R: Space> PartialEq for AttentionHead<R> {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl<R: Space> fmt::Debug for AttentionHead<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttentionHead<{}> ", R::name())?;
        fmt::Debug::fmt(self.parts(), f)
    }
}
