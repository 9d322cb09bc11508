//! Categorical attention: a head whose pattern is a predicate on query and key directions.

use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::{AttentionHead, HeadParts};
use crate::chamber::Spaces;
use crate::direction::BasisDirection;
use crate::error::Error;
use crate::space::{Dir, Disjoint, Space, Subspace};
use crate::vector::Vector;

/// The reference's default softmax coldness (inverse temperature).
pub const DEFAULT_SOFTMAX_COLDNESS: f64 = 100.0;

/// Builds an attention head for categorical inputs: each query attends to the keys that a
/// predicate selects, and copies their value directions to the output space.
///
/// The type parameters are the query, key, value and output spaces, then the BOS space and the
/// `one` space (one direction each). Every sequence is assumed to have `bos + one` at position
/// 0, and `one` with no `bos` at every other position.
///
/// What the head computes, with coldness `c`:
///
/// - the query space is joined with `bos` and `one`, the key and value spaces with `bos`;
/// - `W_qk[q][k] = c` where `attn_fn(q, k)` is true, and 0 where it is false. `W_qk[one][bos]`
///   is `c / 2`, or `c` with [`always_attend_to_bos`](Self::always_attend_to_bos), and every
///   other entry involving `bos` or `one` is 0. So a query that selects no key attends to BOS
///   alone, and with `always_attend_to_bos` BOS is attended like a selected key;
/// - the value directions are paired with the output directions in sorted order (`bos` is
///   paired too when always attending to it). With
///   [`use_bos_for_default_output`](Self::use_bos_for_default_output), `bos` maps to the
///   default output instead, which is zero unless [`default_output`](Self::default_output) is
///   set.
///
/// Precision: the weights equal the reference's bit for bit. A softmax only approximates a
/// hard choice: next to selected keys (logit `c`), BOS keeps relative weight `e^(-c/2)`
/// (about `2e-22` at the default coldness 100) and each unselected key `e^(-c)`.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::CategoricalAttention;
///
/// handcraft::spaces! {
///     space Query = query: 0..3;
///     space Key = key: 0..3;
///     space Tokens = tokens: {"a", "b"};
///     space Copied = copied: {"a", "b"};
///     space Bos = bos;
///     space One = one;
///     space Residual = Query | Key | Tokens | Copied | Bos | One;
/// }
///
/// // Each query copies the token of the key with the same value.
/// let head = CategoricalAttention::<Query, Key, Tokens, Copied, Bos, One>::new(|q, k| {
///     q.value_i64() == k.value_i64()
/// })
/// .build::<Residual>()?;
///
/// // Position 0 is BOS; position 1 has query 2, key 1, token a; position 2 has query 1,
/// // key 2, token b.
/// let on = |labels: &[&str], d: Dir<Residual>| labels.contains(&d.to_string().as_str());
/// let input = Sequence::<Residual>::from_fn(3, |position, d| {
///     let labels: &[&str] = match position {
///         0 => &["bos", "one"],
///         1 => &["one", "query:2", "key:1", "tokens:a"],
///         _ => &["one", "query:1", "key:2", "tokens:b"],
///     };
///     if on(labels, d) { 1.0 } else { 0.0 }
/// });
/// let output = Series::new().then(head).apply(&input)?.restrict::<Copied>();
/// // Position 1 (query 2) reads position 2's token b; position 2 reads position 1's token a.
/// assert!((output.get(1, Dir::with_value("b")?) - 1.0).abs() < 1e-12);
/// assert!((output.get(2, Dir::with_value("a")?) - 1.0).abs() < 1e-12);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct CategoricalAttention<Q, K, V, O: Space, Bos, One> {
    /// `selected[q * K::DIM + k]`: whether query direction `q` attends to key direction `k`.
    selected: Vec<bool>,
    default_output: Option<Vector<O>>,
    causal: bool,
    always_attend_to_bos: bool,
    use_bos_for_default_output: bool,
    softmax_coldness: f64,
    spaces: Spaces<(Q, K, V, Bos, One)>,
}

impl<Q, K, V, O, Bos, One> CategoricalAttention<Q, K, V, O, Bos, One>
where
    Q: Space,
    K: Space,
    V: Space,
    O: Space,
    Bos: Space,
    One: Space,
{
    /// Starts a head whose query direction `q` attends to key direction `k` when
    /// `attn_fn(q, k)` is true. The predicate is evaluated here, once per pair.
    ///
    /// Defaults, as in the reference: not causal, BOS attended only when no key is selected,
    /// BOS mapped to a zero default output, softmax coldness 100.
    pub fn new(mut attn_fn: impl FnMut(Dir<Q>, Dir<K>) -> bool) -> Self {
        let mut selected = Vec::with_capacity(Q::DIM * K::DIM);
        for query in Dir::<Q>::all() {
            for key in Dir::<K>::all() {
                selected.push(attn_fn(query, key));
            }
        }
        CategoricalAttention {
            selected,
            default_output: None,
            causal: false,
            always_attend_to_bos: false,
            use_bos_for_default_output: true,
            softmax_coldness: DEFAULT_SOFTMAX_COLDNESS,
            spaces: PhantomData,
        }
    }

    /// Sets whether key positions after the query position are masked out.
    pub fn causal(mut self, causal: bool) -> Self {
        self.causal = causal;
        self
    }

    /// Sets whether BOS is attended like a selected key at every position (its logit is `c`
    /// instead of `c / 2`), which also pairs `bos` with an output direction.
    pub fn always_attend_to_bos(mut self, always: bool) -> Self {
        self.always_attend_to_bos = always;
        self
    }

    /// Sets whether the `bos` value direction maps to the default output rather than to the
    /// output direction it is paired with.
    pub fn use_bos_for_default_output(mut self, use_bos: bool) -> Self {
        self.use_bos_for_default_output = use_bos;
        self
    }

    /// Sets the output of a query that selects no key (read from the BOS position); zero when
    /// not set.
    pub fn default_output(mut self, output: Vector<O>) -> Self {
        self.default_output = Some(output);
        self
    }

    /// Sets the softmax coldness `c` (the inverse temperature; 100 by default).
    pub fn softmax_coldness(mut self, coldness: f64) -> Self {
        self.softmax_coldness = coldness;
        self
    }

    /// Returns the head's spaces and matrices, independent of any residual space.
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] for a coldness that is not positive and finite, or a
    ///   default output that is not finite.
    /// - [`Error::ValueOutputMismatch`] when the value directions to pair are more or fewer
    ///   than the output directions.
    /// - [`Error::BosWithoutOutput`] when neither `always_attend_to_bos` nor
    ///   `use_bos_for_default_output` gives `bos` an output.
    /// - [`Error::OverlappingInputs`] when `Bos` and `One` are one direction.
    pub fn parts(&self) -> Result<HeadParts, Error> {
        const {
            assert!(
                Bos::DIM == 1,
                "the BOS space must have exactly one direction"
            )
        };
        const {
            assert!(
                One::DIM == 1,
                "the `one` space must have exactly one direction"
            )
        };
        let coldness = self.softmax_coldness;
        if !(coldness.is_finite() && coldness > 0.0) {
            return Err(Error::InvalidParameter {
                parameter: "softmax coldness",
                value: coldness.to_string(),
                expected: "a positive finite number",
            });
        }
        let bos = &Bos::basis().directions()[0];
        let one = &One::basis().directions()[0];
        if bos == one {
            return Err(Error::OverlappingInputs {
                first: Bos::name().to_owned(),
                second: One::name().to_owned(),
                direction: bos.to_string(),
            });
        }

        let query = Basis::join([Q::basis(), Bos::basis(), One::basis()]);
        let key = Basis::join([K::basis(), Bos::basis()]);
        let w_qk = DMatrix::from_fn(query.dim(), key.dim(), |row, column| {
            let (q, k) = (&query.directions()[row], &key.directions()[column]);
            self.logit_weight(q, k, bos, one)
        });

        let value = Basis::join([V::basis(), Bos::basis()]);
        let w_ov = self.value_to_output(&value, bos)?;

        Ok(HeadParts {
            query,
            key,
            w_qk,
            value,
            output: O::basis().clone(),
            w_ov,
            causal: self.causal,
        })
    }

    /// Builds the head in residual space `R`, which must contain every space the head touches.
    ///
    /// # Errors
    /// As [`CategoricalAttention::parts`].
    pub fn build<R: Space>(&self) -> Result<AttentionHead<R>, Error>
    where
        Q: Subspace<R>,
        K: Subspace<R>,
        V: Subspace<R>,
        O: Subspace<R>,
        Bos: Subspace<R> + Disjoint<One>,
        One: Subspace<R>,
    {
        AttentionHead::from_parts(self.parts()?)
    }

    /// Returns `W_qk[q][k]` for a query direction `q` and key direction `k`.
    fn logit_weight(
        &self,
        q: &BasisDirection,
        k: &BasisDirection,
        bos: &BasisDirection,
        one: &BasisDirection,
    ) -> f64 {
        if k == bos && q == one {
            let share = if self.always_attend_to_bos { 1.0 } else { 0.5 };
            return share * self.softmax_coldness;
        }
        if q == one || q == bos || k == one || k == bos {
            return 0.0;
        }
        // Every other query direction is in `Q`, and every other key direction in `K`.
        match (Q::basis().index_of(q), K::basis().index_of(k)) {
            (Some(q), Some(k)) if self.selected[q * K::DIM + k] => self.softmax_coldness,
            _ => 0.0,
        }
    }

    /// Returns `W_ov`: value directions paired with output directions in sorted order, and
    /// `bos` mapped to the default output when it is used for it.
    fn value_to_output(&self, value: &Basis, bos: &BasisDirection) -> Result<DMatrix<f64>, Error> {
        let paired: Vec<&BasisDirection> = value
            .iter()
            .filter(|d| self.always_attend_to_bos || *d != bos)
            .collect();
        if paired.len() != O::DIM {
            return Err(Error::ValueOutputMismatch {
                values: format_directions(&paired),
                value_count: paired.len(),
                space: O::name().to_owned(),
                outputs: O::basis().to_string(),
                output_count: O::DIM,
            });
        }
        if !self.always_attend_to_bos && !self.use_bos_for_default_output {
            return Err(Error::BosWithoutOutput {
                bos: bos.to_string(),
            });
        }
        let default_output = match &self.default_output {
            Some(output) => output.as_slice().to_vec(),
            None => vec![0.0; O::DIM],
        };
        if let Some(bad) = default_output.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                parameter: "default output entry",
                value: bad.to_string(),
                expected: "a finite number",
            });
        }

        let mut w_ov = DMatrix::zeros(value.dim(), O::DIM);
        for (row, direction) in value.iter().enumerate() {
            if self.use_bos_for_default_output && direction == bos {
                for (column, entry) in default_output.iter().enumerate() {
                    w_ov[(row, column)] = *entry;
                }
            } else if let Some(column) = paired.iter().position(|d| *d == direction) {
                w_ov[(row, column)] = 1.0;
            }
        }
        Ok(w_ov)
    }
}

/// Writes directions as `{a, b}`.
fn format_directions(directions: &[&BasisDirection]) -> String {
    let labels: Vec<String> = directions.iter().map(ToString::to_string).collect();
    format!("{{{}}}", labels.join(", "))
}

impl<Q, K, V, O: Space, Bos, One> Clone for CategoricalAttention<Q, K, V, O, Bos, One> {
    fn clone(&self) -> Self {
        CategoricalAttention {
            selected: self.selected.clone(),
            default_output: self.default_output.clone(),
            causal: self.causal,
            always_attend_to_bos: self.always_attend_to_bos,
            use_bos_for_default_output: self.use_bos_for_default_output,
            softmax_coldness: self.softmax_coldness,
            spaces: PhantomData,
        }
    }
}
