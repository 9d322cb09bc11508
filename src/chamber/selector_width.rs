//! Selector width: the number of keys a selector picks for each query, as an attention head
//! followed by a discretising MLP.

use std::marker::PhantomData;

use nalgebra::DMatrix;

use crate::basis::Basis;
use crate::block::{AttentionHead, Block, HeadParts, IntoBlocks, Mlp, MlpParts, PrivateHidden};
use crate::chamber::attention::CategoricalAttention;
use crate::chamber::discretise::{
    categorical_second_layer, discretise, hidden_layer, numerical_second_layer, Discretisation,
    LargeNumber,
};
use crate::chamber::numerical::numerical_input;
use crate::chamber::Spaces;
use crate::direction::{BasisDirection, Value};
use crate::error::Error;
use crate::space::{Dir, Disjoint, Numerical, Space, Subspace};
use crate::Series;

/// Label of the hidden unit that clears the BOS position, as in the reference.
const CLEAN_BOS_HIDDEN: &str = "_hidden_clean_bos_";

/// A bound above which widths cannot be decoded exactly: separating `1/N` from `1/(N + 1)`
/// needs `L ≥ 4N²`, and `L·x` must stay below `2^52`, so no `N` above `2^25` fits.
const MAX_SEPARABLE_SEQ_LEN: usize = 1 << 25;

/// Builds the two-layer block that computes, at every position, how many keys a selector
/// picks for that position's query (its width `w`), as a number or as a categorical value.
///
/// The type parameters are the query and key spaces the predicate reads, the output space,
/// the intermediate space `AttnOut`, and the BOS and `one` spaces. `AttnOut` is the one
/// direction where the head writes for the MLP to read; the reference labels it
/// `<label>_selector_width_attn_output`. Declaring it as a space lets the compiler check that
/// the residual contains it.
///
/// What it computes:
///
/// 1. an attention head that always attends to BOS and to the selected keys, and reads the
///    `bos` direction: each position gets `1 / (w + 1)` in `AttnOut`;
/// 2. an MLP that decodes `w` from that value by discretisation (see
///    [`crate::chamber::NumericalMlp`]). It is combined in parallel with a one-unit MLP that
///    removes, at the BOS position only, what the two layers wrote there: the attention output,
///    and for a categorical output the one-hot of 0. So the BOS position's output is zero.
///    Its attention output is zero too, up to the weight leaking to unselected keys
///    (`N·e^(-c)`, below rounding at the default coldness).
///
/// Precision, where it differs from the reference: the reference decodes with `L = 100`,
/// which blends neighbouring widths from width 7 (numerical output) and decodes 11 selected
/// keys as 10 (categorical output). Here the block is built for a maximum sequence length `N`
/// (not counting BOS), and every width from 0 to `N` decodes exactly, by construction:
///
/// - by default `L` is the smallest power of two that leaves every attention output
///   `1 / (w + 1)` at least one ramp width away from every threshold, and the thresholds lie
///   on multiples of `1/L`. The hidden activations `L·x - b` are then computed without
///   rounding, the widths are integers, so the decoded width (or one-hot) is bit-exact;
///   the tests check every width up to 64, numerical and categorical;
/// - [`large_number`](SelectorWidth::large_number) builds the reference's weights with the
///   reference's `L` instead (the fixtures' widths 0 to 5 at `L = 100`), and is rejected when
///   it is too small for `N`;
/// - the softmax coldness `c` must be high enough that the weight leaking to unselected keys
///   cannot move an attention output onto a ramp; a lower one is rejected, naming the
///   minimum (about `ln(3N)`). The default 100 is far above it for any practical `N`, and
///   any accepted coldness keeps every width exact.
///
/// The hidden labels are the reference's: `_hidden_{label}_:(k, i)`, `_hidden_{label}_start`
/// and `_hidden_clean_bos_`.
///
/// ```
/// use handcraft::{Dir, Sequence, Series};
/// use handcraft::chamber::SelectorWidth;
///
/// handcraft::spaces! {
///     space Tokens = tokens: {"a", "b"};
///     numerical space Width = width;
///     space AttnOut = width_selector_width_attn_output;
///     space Bos = bos;
///     space One = one;
///     space Residual = Tokens | Width | AttnOut | Bos | One;
/// }
///
/// // For each position, count the positions with the same token.
/// let same_token = SelectorWidth::<Tokens, Tokens, Width, AttnOut, Bos, One>::numerical(
///     |q, k| q == k,
///     8,
/// )
/// .build::<Residual>()?;
///
/// let tokens = ["bos", "tokens:a", "tokens:b", "tokens:a", "tokens:a"];
/// let input = Sequence::<Residual>::from_fn(tokens.len(), |position, d| {
///     let label = d.to_string();
///     let on = label == tokens[position] || label == "one";
///     if on { 1.0 } else { 0.0 }
/// });
/// let output = Series::from(same_token).apply(&input)?.restrict::<Width>();
/// assert_eq!(output.matrix().as_slice(), [0.0, 3.0, 1.0, 3.0, 3.0]);
/// # Ok::<(), handcraft::Error>(())
/// ```
pub struct SelectorWidth<Q, K, Out, AttnOut: Space, Bos, One> {
    attention: CategoricalAttention<Q, K, Bos, AttnOut, Bos, One>,
    softmax_coldness: f64,
    max_seq_len: usize,
    categorical: bool,
    large_number: LargeNumber,
    label: String,
    output: Spaces<Out>,
}

/// The spaces and matrices of a selector width, independent of any residual space.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectorWidthParts {
    /// The attention head.
    pub head: HeadParts,
    /// The decoding MLP, combined with the MLP that clears the BOS position.
    pub mlp: MlpParts,
    /// The large number `L` of the decoding MLP.
    pub large_number: f64,
}

impl<Q, K, Out, AttnOut, Bos, One> SelectorWidth<Q, K, Out, AttnOut, Bos, One>
where
    Q: Space,
    K: Space,
    Out: Space,
    AttnOut: Space,
    Bos: Space,
    One: Space,
{
    /// Starts a selector width with a numerical output, for sequences of up to `max_seq_len`
    /// positions after BOS; the query direction `q` selects key direction `k` when
    /// `attn_fn(q, k)` is true.
    pub fn numerical(attn_fn: impl FnMut(Dir<Q>, Dir<K>) -> bool, max_seq_len: usize) -> Self
    where
        Out: Numerical,
    {
        Self::new(attn_fn, max_seq_len, false)
    }

    /// Starts a selector width with a categorical output, whose directions must carry the
    /// values `0` to `max_seq_len`.
    pub fn categorical(attn_fn: impl FnMut(Dir<Q>, Dir<K>) -> bool, max_seq_len: usize) -> Self {
        Self::new(attn_fn, max_seq_len, true)
    }

    fn new(
        attn_fn: impl FnMut(Dir<Q>, Dir<K>) -> bool,
        max_seq_len: usize,
        categorical: bool,
    ) -> Self {
        SelectorWidth {
            attention: CategoricalAttention::new(attn_fn)
                .always_attend_to_bos(true)
                .use_bos_for_default_output(false),
            softmax_coldness: crate::chamber::DEFAULT_SOFTMAX_COLDNESS,
            max_seq_len,
            categorical,
            large_number: LargeNumber::Chosen,
            label: String::new(),
            output: PhantomData,
        }
    }

    /// Sets whether key positions after the query position are masked out.
    pub fn causal(mut self, causal: bool) -> Self {
        self.attention = self.attention.causal(causal);
        self
    }

    /// Sets the softmax coldness of the attention head (100 by default).
    pub fn softmax_coldness(mut self, coldness: f64) -> Self {
        self.softmax_coldness = coldness;
        self.attention = self.attention.softmax_coldness(coldness);
        self
    }

    /// Sets the large number `L` of the decoding MLP instead of choosing it, which builds the
    /// reference's weights.
    pub fn large_number(mut self, large_number: f64) -> Self {
        self.large_number = LargeNumber::Given(large_number);
        self
    }

    /// Sets the label that names the hidden units, `_hidden_{label}_` (empty by default).
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_owned();
        self
    }

    /// Returns the head's and the MLP's spaces and matrices, independent of any residual
    /// space.
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] for a coldness or large number that is not positive and
    ///   finite.
    /// - [`Error::MissingWidth`] when a categorical output lacks a width.
    /// - [`Error::LargeNumberTooSmall`] for a given `L` that cannot separate two widths.
    /// - [`Error::ColdnessTooLow`] when unselected keys could shift a width onto a ramp.
    /// - [`Error::OverlappingInputs`] when `AttnOut`, `Bos` and `One` are not distinct
    ///   directions.
    /// - [`Error::ValuesTooClose`] when `max_seq_len` is too large for neighbouring widths
    ///   to be separated in floating point (above about `2^25`).
    pub fn parts(&self) -> Result<SelectorWidthParts, Error> {
        const {
            assert!(
                AttnOut::DIM == 1,
                "the attention output space must have exactly one direction"
            )
        };
        let head = self.attention.parts()?;
        let (attn_out, bos) = (
            &AttnOut::basis().directions()[0],
            &Bos::basis().directions()[0],
        );
        if attn_out == bos {
            return Err(Error::OverlappingInputs {
                first: AttnOut::name().to_owned(),
                second: Bos::name().to_owned(),
                direction: bos.to_string(),
            });
        }

        if self.max_seq_len > MAX_SEPARABLE_SEQ_LEN {
            // Rejected before allocating a table of every width.
            let n = self.max_seq_len;
            return Err(Error::ValuesTooClose {
                lower: format!("{} (width {n})", attention_output(n)),
                upper: format!("{} (width {})", attention_output(n - 1), n - 1),
            });
        }

        // Inputs ascending: width N gives the smallest attention output.
        let widths: Vec<usize> = (0..=self.max_seq_len).rev().collect();
        let inputs: Vec<f64> = widths.iter().map(|&w| attention_output(w)).collect();
        let describe = |i: usize| format!("{} (width {})", inputs[i], widths[i]);
        let discretisation = discretise(&inputs, self.large_number, describe)?;
        self.check_coldness(&discretisation, &widths)?;

        let one = &One::basis().directions()[0];
        let layer = hidden_layer(
            &discretisation,
            &numerical_input::<AttnOut, One>()?,
            one,
            &format!("_hidden_{}_", self.label),
        );
        let snd = if self.categorical {
            // Looked up in increasing width, so an error names the smallest missing width.
            let by_width = (0..=self.max_seq_len)
                .map(|w| self.width_direction(w))
                .collect::<Result<Vec<usize>, Error>>()?;
            let outputs: Vec<usize> = widths.iter().map(|&w| by_width[w]).collect();
            categorical_second_layer(&layer.units, &outputs, Out::DIM)
        } else {
            let outputs: Vec<f64> = widths.iter().map(|&w| w as f64).collect();
            numerical_second_layer(&layer.units, &outputs)
        };
        let decode = MlpParts {
            input: layer.input,
            hidden: layer.hidden,
            output: Out::basis().clone(),
            fst: layer.fst,
            snd,
        };

        Ok(SelectorWidthParts {
            head,
            mlp: combine_in_parallel(&decode, &self.clean_bos()?),
            large_number: discretisation.large_number,
        })
    }

    /// Builds the block in residual space `R`, which must contain every space it touches,
    /// `AttnOut` included.
    ///
    /// # Errors
    /// As [`SelectorWidth::parts`].
    pub fn build<R: Space>(&self) -> Result<SelectorWidthBlock<R>, Error>
    where
        Q: Subspace<R>,
        K: Subspace<R>,
        Out: Subspace<R>,
        AttnOut: Subspace<R> + Disjoint<Out> + Disjoint<Bos> + Disjoint<One>,
        Bos: Subspace<R> + Disjoint<One>,
        One: Subspace<R>,
    {
        let parts = self.parts()?;
        Ok(SelectorWidthBlock {
            head: AttentionHead::from_parts(parts.head)?,
            mlp: Mlp::from_parts(parts.mlp)?,
            large_number: parts.large_number,
        })
    }

    /// Returns the index of the output direction whose value is `width`.
    fn width_direction(&self, width: usize) -> Result<usize, Error> {
        Dir::<Out>::with_value(Value::Int(width as i64))
            .map(Dir::index)
            .map_err(|_| Error::MissingWidth {
                width,
                max_seq_len: self.max_seq_len,
                space: Out::name().to_owned(),
                basis: Out::basis().to_string(),
            })
    }

    /// Returns the MLP that subtracts, at the BOS position only, the attention output and (for
    /// a categorical output) the one-hot of width 0.
    fn clean_bos(&self) -> Result<MlpParts, Error> {
        let output = Basis::join([AttnOut::basis(), Out::basis()]);
        let mut cleared = vec![&AttnOut::basis().directions()[0]];
        if self.categorical {
            let zero = self.width_direction(0)?;
            cleared.push(&Out::basis().directions()[zero]);
        }
        let snd = DMatrix::from_fn(1, output.dim(), |_, column| {
            let on = cleared.contains(&&output.directions()[column]);
            -(if on { 1.0 } else { 0.0 })
        });
        Ok(MlpParts {
            input: Bos::basis().clone(),
            hidden: vec![BasisDirection::new(CLEAN_BOS_HIDDEN)],
            output,
            fst: DMatrix::from_element(1, 1, 1.0),
            snd,
        })
    }

    /// Checks that the weight leaking to unselected keys keeps every attention output off the
    /// ramps: with `w` of at most `N` keys selected, the output is at least
    /// `1 / (w + 1 + (N - w)·e^(-c))`, which must not fall below the threshold under `1/(w+1)`.
    fn check_coldness(
        &self,
        discretisation: &Discretisation,
        widths: &[usize],
    ) -> Result<(), Error> {
        let leak_per_key = (-self.softmax_coldness).exp();
        let n = self.max_seq_len;
        let mut minimum: Option<f64> = None;
        // Input `i ≥ 1` (width `widths[i]`) sits just above threshold `i`.
        for (i, &width) in widths.iter().enumerate().skip(1) {
            let ramp_top = discretisation.ramp_tops[i - 1];
            let unselected = (n - width) as f64;
            let lowest = 1.0 / ((width + 1) as f64 + unselected * leak_per_key);
            if lowest < ramp_top {
                // Solve `(w + 1) + unselected·e^(-c) ≤ 1 / ramp_top` for `c`.
                let room = 1.0 / ramp_top - (width + 1) as f64;
                let needed = (unselected / room).ln().ceil();
                minimum = Some(minimum.map_or(needed, |m: f64| m.max(needed)));
            }
        }
        match minimum {
            Some(minimum) => Err(Error::ColdnessTooLow {
                coldness: self.softmax_coldness,
                max_seq_len: n,
                minimum,
            }),
            None => Ok(()),
        }
    }
}

/// Returns the attention output at a position whose query selects `width` keys,
/// `1 / (width + 1)`.
fn attention_output(width: usize) -> f64 {
    1.0 / (width as f64 + 1.0)
}

/// Combines two MLPs in parallel as the reference does for distinct hidden labels: inputs and
/// outputs join, hidden units are sorted by label.
fn combine_in_parallel(first: &MlpParts, second: &MlpParts) -> MlpParts {
    let input = Basis::join([&first.input, &second.input]);
    let output = Basis::join([&first.output, &second.output]);
    let mut units: Vec<(&BasisDirection, &MlpParts, usize)> = Vec::new();
    for part in [first, second] {
        units.extend(
            part.hidden
                .iter()
                .enumerate()
                .map(|(i, label)| (label, part, i)),
        );
    }
    units.sort_by(|a, b| a.0.cmp(b.0));

    let mut fst = DMatrix::zeros(input.dim(), units.len());
    let mut snd = DMatrix::zeros(units.len(), output.dim());
    for (unit, &(_, part, column)) in units.iter().enumerate() {
        for (row, source) in part.input.positions_in(&input).into_iter().enumerate() {
            if let Some(source) = source {
                fst[(row, unit)] = part.fst[(source, column)];
            }
        }
        for (target, source) in part.output.positions_in(&output).into_iter().enumerate() {
            if let Some(source) = source {
                snd[(unit, target)] = part.snd[(column, source)];
            }
        }
    }
    MlpParts {
        input,
        hidden: units.iter().map(|unit| unit.0.clone()).collect(),
        output,
        fst,
        snd,
    }
}

/// A built selector width: an attention head, then an MLP, applied in series.
///
/// It converts into a [`Series`], and [`Series::then`] takes it directly.
#[derive(Debug, Clone)]
pub struct SelectorWidthBlock<R: Space> {
    head: AttentionHead<R>,
    mlp: Mlp<R, PrivateHidden>,
    large_number: f64,
}

impl<R: Space> SelectorWidthBlock<R> {
    /// Returns the attention head.
    pub fn head(&self) -> &AttentionHead<R> {
        &self.head
    }

    /// Returns the decoding MLP, combined with the MLP that clears the BOS position.
    pub fn mlp(&self) -> &Mlp<R, PrivateHidden> {
        &self.mlp
    }

    /// Returns the large number `L` of the decoding MLP.
    pub fn large_number(&self) -> f64 {
        self.large_number
    }

    /// Returns the two-block series: the head, then the MLP.
    pub fn into_series(self) -> Series<R> {
        Series::new().then(self.head).then(self.mlp)
    }
}

impl<R: Space> From<SelectorWidthBlock<R>> for Series<R> {
    fn from(block: SelectorWidthBlock<R>) -> Self {
        block.into_series()
    }
}

impl<R: Space> IntoBlocks<R> for SelectorWidthBlock<R> {
    fn into_blocks(self) -> Vec<Block<R>> {
        vec![self.head.into(), self.mlp.into()]
    }
}
