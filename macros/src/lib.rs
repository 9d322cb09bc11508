//! The `spaces!` procedural macro of handcraft, which declares vector spaces as Rust types.
//!
//! Use it through the `handcraft` crate, which re-exports it as `handcraft::spaces!` and
//! provides every item the expansion refers to. The macro is split into phases, one file each:
//! `parse` reads the block into a syntax tree, `validate` computes each space's directions and
//! reports every mistake, `relations` finds which spaces contain or avoid which, and `expand`
//! writes the items.

mod direction;
mod expand;
mod parse;
mod relations;
mod validate;

use proc_macro::TokenStream;

/// Declares vector spaces as types: a unit struct per space, with its basis and its subspace
/// and disjointness relations to every other space of the block.
///
/// A *basis direction* is a name with an optional value, written `name` or `name:value`, such as
/// `one`, `tokens:a` or `indices:3`. A *space* is a set of distinct basis directions, and its
/// *dimension* is their count. Each space declared here becomes a type, so a vector, map or
/// block over one space cannot be used where another space is expected: the mismatch is a
/// compile error.
///
/// # Example
///
/// ```ignore
/// handcraft::spaces! {
///     /// The input tokens.
///     pub space Tokens = tokens: {"a", "b", "c"};
///     pub space Bos = tokens: {"BOS"};
///     pub space Indices = indices: 0..8;
///     pub space One = one;
///     pub numerical space Frac = frac_prevs;
///     pub space Residual = Tokens | Bos | Indices | One | Frac;
///     pub space Input = Tokens + Bos;
/// }
///
/// use handcraft::Space;
/// assert_eq!(Residual::DIM, 3 + 1 + 8 + 1 + 1);
/// ```
///
/// This declares seven unit structs. Among their impls, `Tokens` implements
/// `Subspace<Residual>`, `Subspace<Input>` and `Disjoint<Indices>`, and `Frac` implements
/// `Numerical`.
///
/// # Declarations
///
/// The block is a list of declarations, each ending in `;` (optional after the last one):
///
/// ```text
/// [attributes] [visibility] [numerical] space Name = body;
/// ```
///
/// * `attributes`: outer attributes, doc comments included, which the macro copies onto the
///   generated struct. `#[cfg]` is rejected, because the impls that relate the space to the
///   other spaces would remain. Put `#[cfg]` on the whole `spaces!` invocation instead.
/// * `visibility`: the visibility of the struct: `pub`, `pub(crate)`, `pub(super)`,
///   `pub(in path)`, or nothing for private.
/// * `numerical`: marks a space of exactly one direction whose magnitude is a number, such as
///   a fraction, rather than one category of a one-hot encoding. Such a space implements
///   `Numerical`. Any other number of directions is an error.
/// * `Name`: the name of the struct, unique within the block. A raw identifier such as
///   `r#Type` names the struct `Type`.
/// * `body`: the directions of the space, in one of the forms below.
///
/// # Bodies
///
/// * `name: {value, value, ...}`: one direction `name:value` per value, as for the tokens of a
///   vocabulary. A list may mix value types (`v: {1, "a", 2.5}`).
/// * `name: start..end` or `name: start..=end`: one direction `name:i` per integer `i` of the
///   range, as for the positions of a sequence. The bounds are integer literals, optionally
///   negative. One range may declare at most 1,000,000 directions.
/// * `name`: one direction with a name and no value, such as `one`.
/// * `A`, where `A` is another space of the block: a *copy* of `A`, a new type with the same
///   directions. The two spaces are subspaces of each other, but a vector of one is not a
///   vector of the other. To declare a direction whose name is also a space name, write the
///   name as a string literal: `space D = "A";`.
/// * `{name, name, ...}`: one direction per name, each with no value.
/// * `A | B | ...`: the *join* of spaces `A`, `B`, and so on: every direction of any of them,
///   each once, even when several operands contain it.
/// * `A + B + ...`: the *direct sum* of spaces `A`, `B`, and so on: every direction of any of
///   them, where a direction in two operands is an error.
///
/// The operands of `|` and `+`, and the space a copy is made of, are names of spaces declared
/// in the same block, before or after the declaration that uses them. One composite uses
/// either `|` or `+`. To combine both, declare the inner composite as a space of its own.
///
/// # Names and values
///
/// * A *name* is an identifier (`tokens`), a string literal (`"c d"`), or an integer literal,
///   optionally negative (`3`, `-1`). The integer name `1` and the string name `"1"` are
///   different directions.
/// * A *value* is a string literal, an integer literal, a float literal, `true` or `false`,
///   or a tuple of values such as `(1, "a", (2.5, true))`. Integer and float literals may be
///   negative. A tuple of one element needs a trailing comma, `(1,)`, and `()` is the empty
///   tuple.
/// * An integer must fit in `i64`, and its suffix, if any, must be `i64`. A float must be
///   finite in `f64`, and its suffix, if any, must be `f64`. Byte strings, characters, byte
///   literals, arrays and expressions are rejected.
///
/// Directions compare as in the Python reference library: two directions are equal when their
/// names are equal and their values are equal under Python's `==`. Numbers compare by value
/// across integers, floats and bools, so `1`, `1.0` and `true` are one value, as are `0` and
/// `false`. Strings compare by content and tuples element by element. Two equal values in one
/// space are rejected as a duplicate, so `v: {1, true}` is an error.
///
/// # Generated items
///
/// For every space `Name` of `N` directions, the macro emits:
///
/// * `struct Name;` with the declared attributes and visibility, deriving `Debug`, `Clone`,
///   `Copy`, `PartialEq`, `Eq`, `Hash`, `Default`, `PartialOrd` and `Ord`;
/// * `impl Space for Name`, with `DIM = N`, `Dim = nalgebra::Const<N>`, and a `basis()`
///   built on first use. The runtime sorts the basis, so the order of declaration does not
///   matter;
/// * `impl TypenumDim for Name` with `TDim = typenum::U<N>`, when `N` is at most 1,024;
/// * `impl Numerical for Name`, when the space is declared `numerical`.
///
/// For every ordered pair of spaces `X` and `Y` of the block, it emits:
///
/// * `impl Subspace<Y> for X` when every direction of `X` is in `Y`, including `X == Y`;
/// * `impl Disjoint<Y> for X` when `X` and `Y` are different and share no direction.
///
/// Two spaces with the same directions are subspaces of each other but remain different
/// types.
///
/// # Errors
///
/// Every mistake is a compile error spanned on the token at fault, and each is reported once.
/// After an error the macro still declares every space and its impls from the directions it
/// could read, so code that uses the spaces raises no further errors. The errors are:
///
/// * a direction declared twice in one space, including equal numbers such as `1` and `true`;
/// * a space with no directions (`tokens: {}`, `0..0`);
/// * two operands of a direct sum that share a direction;
/// * an operand that is not a space of the block;
/// * a value or name of an unsupported type or suffix, an integer that does not fit in `i64`,
///   and a float that overflows `f64`;
/// * a space name declared twice;
/// * `|` and `+` in one composite;
/// * a cycle of composites or copies, such as `A = B | C` with `B = A | D`;
/// * a `numerical` space without exactly one direction;
/// * a range of more than 1,000,000 directions.
///
/// ```ignore
/// handcraft::spaces! {
///     pub space Tokens = tokens: {"a", "b", "BOS"};
///     pub space Bos = tokens: {"BOS"};
///     pub space Input = Tokens + Bos;
///     // error: direct sum `Input` requires disjoint spaces, but `Tokens` and `Bos` share
///     // the direction `tokens:BOS`; use `|` to join spaces that share directions
/// }
/// ```
///
/// # Limits
///
/// * Relations exist only between spaces of the same invocation. A space from another
///   `spaces!` block is not an operand, and no `Subspace` impl relates the two blocks.
/// * The expansion refers to the runtime as `::handcraft`, so the calling crate must depend
///   on it under that name.
#[proc_macro]
pub fn spaces(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as parse::SpacesInput);
    let model = validate::validate(input);
    expand::expand(&model).into()
}
