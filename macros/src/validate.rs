//! Meaning of a `spaces!` block: every space's directions, and every rule the block breaks.
//!
//! Validation never stops at the first error. It reports each mistake once, spanned on the
//! offending token, and still computes every space's directions as far as the mistakes allow,
//! so that the expansion declares every space and uses of them raise no further errors.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Attribute, Ident, Lit, LitFloat, LitInt, Path, Visibility};

use crate::direction::{Direction, DirectionKey, Name, Value};
use crate::parse::{
    Body, Declaration, NameExpr, Operator, RangeExpr, SignedLit, SpacesInput, ValueExpr,
};

/// The maximum number of directions one integer range may declare.
pub(crate) const MAX_RANGE_LEN: u64 = 1_000_000;

/// The validated block: the spaces to declare and the errors to report with them.
pub(crate) struct Model {
    pub spaces: Vec<SpaceModel>,
    pub errors: Vec<syn::Error>,
}

/// One space to declare.
pub(crate) struct SpaceModel {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub numerical: bool,
    /// The distinct directions in declaration order. When the declaration has errors, these
    /// are the directions that could be read.
    pub directions: Vec<Direction>,
}

/// Validates a parsed block and computes the directions of every space.
pub(crate) fn validate(input: SpacesInput) -> Model {
    let mut errors = input.errors;
    let declarations = drop_duplicate_spaces(input.declarations, &mut errors);
    let index_by_name: HashMap<String, usize> = declarations
        .iter()
        .enumerate()
        .map(|(index, declaration)| (space_name(&declaration.ident), index))
        .collect();

    let mut resolver = Resolver {
        declarations: &declarations,
        index_by_name: &index_by_name,
        resolved: (0..declarations.len()).map(|_| None).collect(),
        in_progress: Vec::new(),
        errors: (0..declarations.len()).map(|_| Vec::new()).collect(),
    };
    for index in 0..declarations.len() {
        resolver.resolve(index);
    }
    let Resolver {
        resolved,
        errors: errors_by_space,
        ..
    } = resolver;

    let mut spaces = Vec::with_capacity(declarations.len());
    for ((declaration, resolved), space_errors) in
        declarations.into_iter().zip(resolved).zip(errors_by_space)
    {
        let resolved = resolved.expect("every space was resolved");
        errors.extend(space_errors);
        errors.extend(check_attributes(&declaration.attrs));
        if let Some(error) = check_numerical(&declaration, &resolved) {
            errors.push(error);
        }

        let attrs = declaration
            .attrs
            .into_iter()
            .filter(|attr| !attr.path().is_ident("cfg"))
            .collect();
        spaces.push(SpaceModel {
            attrs,
            vis: declaration.vis,
            ident: declaration.ident,
            numerical: declaration.numerical.is_some(),
            directions: resolved.directions,
        });
    }

    Model { spaces, errors }
}

/// Returns the name of a space as Rust resolves it, so `r#Foo` and `Foo` are one space.
fn space_name(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// Reports every space declared a second time and drops it.
fn drop_duplicate_spaces(
    declarations: Vec<Declaration>,
    errors: &mut Vec<syn::Error>,
) -> Vec<Declaration> {
    let mut names = HashSet::new();
    let mut unique = Vec::with_capacity(declarations.len());
    for declaration in declarations {
        let name = space_name(&declaration.ident);
        if !names.insert(name.clone()) {
            errors.push(syn::Error::new(
                declaration.ident.span(),
                format!("duplicate space `{name}`, already declared in this block"),
            ));
        } else {
            unique.push(declaration);
        }
    }
    unique
}

/// Rejects `#[cfg]`, which would remove the struct but not the impls that relate it to the
/// other spaces of the block.
fn check_attributes(attrs: &[Attribute]) -> Vec<syn::Error> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .map(|attr| {
            syn::Error::new_spanned(
                attr,
                "`#[cfg]` on a single space is not supported; put `#[cfg]` on the whole \
                 `spaces!` block instead",
            )
        })
        .collect()
}

fn check_numerical(declaration: &Declaration, resolved: &Resolved) -> Option<syn::Error> {
    let keyword = declaration.numerical?;
    let count = resolved.directions.len();
    if resolved.incomplete || count == 1 {
        return None;
    }
    Some(syn::Error::new(
        keyword,
        format!(
            "numerical space `{}` must have exactly one direction, but it has {count}",
            declaration.ident.unraw()
        ),
    ))
}

/// The directions of one space.
struct Resolved {
    directions: Vec<Direction>,
    /// Whether an error removed directions from this space or from one it is built from.
    /// Checks that count directions skip such a space, because its error is already reported.
    incomplete: bool,
}

/// Computes the directions of every space, composites after their operands, reporting each
/// error under the space whose declaration contains it.
struct Resolver<'a> {
    declarations: &'a [Declaration],
    index_by_name: &'a HashMap<String, usize>,
    resolved: Vec<Option<Resolved>>,
    /// The composites being resolved, outermost first, to detect cycles.
    in_progress: Vec<usize>,
    errors: Vec<Vec<syn::Error>>,
}

impl Resolver<'_> {
    fn resolve(&mut self, index: usize) {
        if self.resolved[index].is_some() {
            return;
        }
        let declarations = self.declarations;
        let declaration = &declarations[index];
        let space = declaration.ident.unraw().to_string();
        let mut errors = Vec::new();

        let resolved = match &declaration.body {
            Body::Values {
                name,
                brace,
                values,
            } => {
                let span = brace.span.join();
                resolve_values(&space, name, values, span, &mut errors)
            }
            Body::Range { name, range } => resolve_range(&space, name, range, &mut errors),
            Body::Names { brace, names } => {
                resolve_names(&space, names, brace.span.join(), &mut errors)
            }
            // `space R = A;` with `A` another space of this block declares a copy of `A`: a new
            // type with the same directions. `space x = x;` can only mean the direction `x`.
            Body::Single(NameExpr::Ident(ident))
                if self
                    .index_by_name
                    .get(&space_name(ident))
                    .is_some_and(|&operand| operand != index) =>
            {
                let operand: Path = ident.clone().into();
                self.resolve_composite(index, &[operand], &[])
            }
            Body::Single(name) => match convert_name(name) {
                Ok(name) => Resolved {
                    directions: vec![Direction::named(name)],
                    incomplete: false,
                },
                Err(error) => {
                    errors.push(error);
                    incomplete()
                }
            },
            Body::Composite {
                operands,
                operators,
            } => self.resolve_composite(index, operands, operators),
            Body::Invalid => incomplete(),
        };

        self.errors[index].extend(errors);
        self.resolved[index] = Some(resolved);
    }

    fn resolve_composite(
        &mut self,
        index: usize,
        operands: &[Path],
        operators: &[Operator],
    ) -> Resolved {
        let space = self.declarations[index].ident.unraw().to_string();
        let is_direct_sum = matches!(operators.first(), Some(Operator::DirectSum(_)));
        if let Some(error) = check_operators(&space, operators) {
            self.errors[index].push(error);
        }

        self.in_progress.push(index);
        let mut directions = Vec::new();
        let mut incomplete = false;
        // The operand that contributed each direction, to name it in an overlap error.
        let mut owner_by_key: HashMap<DirectionKey, usize> = HashMap::new();

        for (position, operand) in operands.iter().enumerate() {
            let Some(operand_index) = self.operand_index(index, operand) else {
                incomplete = true;
                continue;
            };
            if self.resolved[operand_index].is_none() {
                self.resolve(operand_index);
            }
            let resolved = self.resolved[operand_index]
                .as_ref()
                .expect("the operand was resolved");
            incomplete |= resolved.incomplete;

            let mut overlap = None;
            for direction in &resolved.directions {
                let key = direction.key();
                match owner_by_key.get(&key) {
                    None => {
                        owner_by_key.insert(key, position);
                        directions.push(direction.clone());
                    }
                    Some(&owner) if is_direct_sum && overlap.is_none() => {
                        overlap = Some((owner, direction.clone()));
                    }
                    Some(_) => {}
                }
            }

            if let Some((owner, direction)) = overlap {
                let error =
                    overlap_error(&space, &operands[owner], operand, &direction, &directions);
                self.errors[index].push(error);
            }
        }
        self.in_progress.pop();

        Resolved {
            directions,
            incomplete,
        }
    }

    /// Returns the index of the space an operand names, or reports why it names none.
    fn operand_index(&mut self, index: usize, operand: &Path) -> Option<usize> {
        let found = operand
            .get_ident()
            .and_then(|ident| self.index_by_name.get(&space_name(ident)))
            .copied();
        let Some(operand_index) = found else {
            let text = path_text(operand);
            self.errors[index].push(syn::Error::new_spanned(
                operand,
                format!("`{text}` is not a space declared in this `spaces!` block"),
            ));
            return None;
        };

        if let Some(start) = self.in_progress.iter().position(|&i| i == operand_index) {
            let error = self.cycle_error(&self.in_progress[start..], operand);
            self.errors[index].push(error);
            return None;
        }
        Some(operand_index)
    }

    /// Reports the operand that closes a cycle. `cycle` lists the composites on the cycle in
    /// the order they were entered, ending with the one whose operand closes it.
    fn cycle_error(&self, cycle: &[usize], operand: &Path) -> syn::Error {
        let name = |index: &usize| format!("`{}`", self.declarations[*index].ident.unraw());
        let (current, rest) = cycle.split_last().expect("a cycle has at least one space");
        if rest.is_empty() {
            return syn::Error::new_spanned(
                operand,
                format!("space {} cannot be built from itself", name(current)),
            );
        }

        // Start at the space whose declaration contains the error: "`B` is built from `A`,
        // which is built from `B`".
        let mut message = format!("cycle between spaces: {} is built from ", name(current));
        let names: Vec<String> = rest
            .iter()
            .chain(std::iter::once(current))
            .map(name)
            .collect();
        message.push_str(&names.join(", which is built from "));
        syn::Error::new_spanned(operand, message)
    }
}

fn incomplete() -> Resolved {
    Resolved {
        directions: Vec::new(),
        incomplete: true,
    }
}

/// Rejects a composite that mixes `|` and `+`, at the first operator that differs.
fn check_operators(space: &str, operators: &[Operator]) -> Option<syn::Error> {
    let first = operators.first()?;
    let mixed = operators
        .iter()
        .find(|operator| std::mem::discriminant(*operator) != std::mem::discriminant(first))?;
    let span = match mixed {
        Operator::Join(span) | Operator::DirectSum(span) => *span,
    };
    Some(syn::Error::new(
        span,
        format!(
            "space `{space}` mixes `|` and `+`; declare the join and the direct sum as \
             separate spaces"
        ),
    ))
}

fn overlap_error(
    space: &str,
    owner: &Path,
    operand: &Path,
    direction: &Direction,
    directions: &[Direction],
) -> syn::Error {
    let key = direction.key();
    let earlier = directions
        .iter()
        .find(|candidate| candidate.key() == key)
        .expect("an overlapping direction was added before");
    let mut shared = format!("`{earlier}`");
    if earlier.to_string() != direction.to_string() {
        write!(
            shared,
            " (written `{direction}` in `{}`)",
            path_text(operand)
        )
        .expect("writing to a String cannot fail");
    }

    let owner = path_text(owner);
    let operand_text = path_text(operand);
    let message = if owner == operand_text {
        format!(
            "`{operand_text}` appears twice in direct sum `{space}`, so the direct sum shares \
             the direction {shared} with itself"
        )
    } else {
        format!(
            "direct sum `{space}` requires disjoint spaces, but `{owner}` and `{operand_text}` \
             share the direction {shared}; use `|` to join spaces that share directions"
        )
    };
    syn::Error::new_spanned(operand, message)
}

fn path_text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// Resolves `name: {values}`.
fn resolve_values(
    space: &str,
    name: &NameExpr,
    values: &[ValueExpr],
    brace: Span,
    errors: &mut Vec<syn::Error>,
) -> Resolved {
    let name = match convert_name(name) {
        Ok(name) => name,
        Err(error) => {
            errors.push(error);
            return incomplete();
        }
    };
    if values.is_empty() {
        errors.push(empty_error(brace, space));
        return incomplete();
    }

    let mut distinct = DistinctDirections::new(space);
    let mut incomplete = false;
    for expr in values {
        match convert_value(expr) {
            Ok(value) => {
                let direction = Direction::with_value(name.clone(), value);
                distinct.insert(direction, expr.to_token_stream(), errors);
            }
            Err(value_errors) => {
                errors.extend(value_errors);
                incomplete = true;
            }
        }
    }
    Resolved {
        directions: distinct.directions,
        incomplete,
    }
}

/// Resolves `{name, name, ...}`.
fn resolve_names(
    space: &str,
    names: &[NameExpr],
    brace: Span,
    errors: &mut Vec<syn::Error>,
) -> Resolved {
    if names.is_empty() {
        errors.push(empty_error(brace, space));
        return incomplete();
    }

    let mut distinct = DistinctDirections::new(space);
    let mut incomplete = false;
    for expr in names {
        match convert_name(expr) {
            Ok(name) => distinct.insert(Direction::named(name), expr.to_token_stream(), errors),
            Err(error) => {
                errors.push(error);
                incomplete = true;
            }
        }
    }
    Resolved {
        directions: distinct.directions,
        incomplete,
    }
}

/// Resolves `name: start..end` and `name: start..=end`.
fn resolve_range(
    space: &str,
    name: &NameExpr,
    range: &RangeExpr,
    errors: &mut Vec<syn::Error>,
) -> Resolved {
    let name = convert_name(name);
    let start = convert_range_bound(&range.start);
    let end = convert_range_bound(&range.end);
    let (name, start, end) = match (name, start, end) {
        (Ok(name), Ok(start), Ok(end)) => (name, start, end),
        (name, start, end) => {
            errors.extend(name.err());
            errors.extend(start.err());
            errors.extend(end.err());
            return incomplete();
        }
    };

    let end_exclusive = i128::from(end) + i128::from(range.inclusive);
    let len = end_exclusive - i128::from(start);
    let operator = if range.inclusive { "..=" } else { ".." };
    if len <= 0 {
        errors.push(syn::Error::new_spanned(
            range,
            format!("space `{space}` has no directions, because the range `{start}{operator}{end}` is empty"),
        ));
        return incomplete();
    }
    if len > i128::from(MAX_RANGE_LEN) {
        errors.push(syn::Error::new_spanned(
            range,
            format!(
                "range `{start}{operator}{end}` declares {len} directions, more than the limit \
                 of {MAX_RANGE_LEN} for one range"
            ),
        ));
        return incomplete();
    }

    let directions = (start..=end_exclusive_to_inclusive(end_exclusive))
        .map(|value| Direction::with_value(name.clone(), Value::Int(value)))
        .collect();
    Resolved {
        directions,
        incomplete: false,
    }
}

/// Returns the last integer of a non-empty range, which always fits in `i64`.
fn end_exclusive_to_inclusive(end_exclusive: i128) -> i64 {
    i64::try_from(end_exclusive - 1).expect("a non-empty range ends inside i64")
}

fn convert_range_bound(bound: &SignedLit) -> syn::Result<i64> {
    match &bound.lit {
        Lit::Int(lit) => convert_int(bound.minus.is_some(), lit),
        _ => Err(syn::Error::new_spanned(
            bound,
            "a range bound must be an integer literal",
        )),
    }
}

fn empty_error(span: Span, space: &str) -> syn::Error {
    syn::Error::new(span, format!("space `{space}` has no directions"))
}

/// Collects directions, reporting each one equal to an earlier one as a duplicate.
struct DistinctDirections<'a> {
    space: &'a str,
    directions: Vec<Direction>,
    index_by_key: HashMap<DirectionKey, usize>,
}

impl<'a> DistinctDirections<'a> {
    fn new(space: &'a str) -> Self {
        DistinctDirections {
            space,
            directions: Vec::new(),
            index_by_key: HashMap::new(),
        }
    }

    /// Adds a direction unless an equal one was added, in which case it reports an error
    /// spanned on `tokens`, the direction's name or value as written.
    fn insert(&mut self, direction: Direction, tokens: TokenStream, errors: &mut Vec<syn::Error>) {
        let key = direction.key();
        let Some(&earlier) = self.index_by_key.get(&key) else {
            self.index_by_key.insert(key, self.directions.len());
            self.directions.push(direction);
            return;
        };

        let earlier = &self.directions[earlier];
        let space = self.space;
        let message = if earlier.to_string() == direction.to_string() {
            format!("duplicate direction `{direction}` in space `{space}`")
        } else {
            format!(
                "duplicate direction `{direction}` in space `{space}`, equal to `{earlier}` \
                 because numbers compare by value (`1 == 1.0 == true`)"
            )
        };
        errors.push(syn::Error::new_spanned(tokens, message));
    }
}

/// Converts a direction name as written.
fn convert_name(expr: &NameExpr) -> syn::Result<Name> {
    match expr {
        NameExpr::Ident(ident) => Ok(Name::Str(ident.unraw().to_string().into())),
        NameExpr::Str(lit) => Ok(Name::Str(lit.value().into())),
        NameExpr::Int(signed) => match &signed.lit {
            Lit::Int(lit) => convert_int(signed.minus.is_some(), lit).map(Name::Int),
            _ => Err(invalid_name(signed.to_token_stream())),
        },
        NameExpr::Other(tokens) => Err(invalid_name(tokens.clone())),
    }
}

fn invalid_name(tokens: TokenStream) -> syn::Error {
    let text = tokens.to_string();
    syn::Error::new_spanned(
        tokens,
        format!(
            "invalid direction name `{text}`; a name is an identifier, a string literal or an \
             integer literal"
        ),
    )
}

/// Converts a value as written, or returns one error for each unsupported part of it.
fn convert_value(expr: &ValueExpr) -> Result<Value, Vec<syn::Error>> {
    match expr {
        ValueExpr::Lit(signed) => convert_literal(signed).map_err(|error| vec![error]),
        ValueExpr::Tuple { elements, .. } => {
            let mut values = Vec::with_capacity(elements.len());
            let mut errors = Vec::new();
            for element in elements {
                match convert_value(element) {
                    Ok(value) => values.push(value),
                    Err(element_errors) => errors.extend(element_errors),
                }
            }
            if errors.is_empty() {
                Ok(Value::Tuple(values))
            } else {
                Err(errors)
            }
        }
        ValueExpr::Parenthesized(_, inner) => {
            let inner = inner.to_token_stream().to_string();
            Err(vec![syn::Error::new_spanned(
                expr,
                format!(
                    "`({inner})` is a parenthesized value, not a tuple; write `({inner},)` for a \
                     tuple of one element, or `{inner}` for the value itself"
                ),
            )])
        }
        ValueExpr::Other(tokens) => Err(vec![unsupported_tokens(tokens)]),
    }
}

const SUPPORTED_VALUES: &str =
    "a value is a string, integer, float or bool literal, or a tuple of these";

fn unsupported_tokens(tokens: &TokenStream) -> syn::Error {
    let is_array = matches!(
        tokens.clone().into_iter().collect::<Vec<_>>().as_slice(),
        [TokenTree::Group(group)] if group.delimiter() == proc_macro2::Delimiter::Bracket
    );
    let message = if is_array {
        "arrays are not supported as values; use a tuple such as `(1, 2)`".to_owned()
    } else {
        format!("unsupported value `{tokens}`; {SUPPORTED_VALUES}")
    };
    syn::Error::new_spanned(tokens, message)
}

fn convert_literal(signed: &SignedLit) -> syn::Result<Value> {
    let negative = signed.minus.is_some();
    let unsupported = |message: &str| Err(syn::Error::new_spanned(signed, message));
    match &signed.lit {
        Lit::Int(lit) => convert_int(negative, lit).map(Value::Int),
        Lit::Float(lit) => convert_float(negative, lit).map(Value::Float),
        Lit::Str(_) | Lit::Bool(_) if negative => {
            unsupported("`-` applies only to integer and float literals")
        }
        Lit::Str(lit) => Ok(Value::Str(lit.value())),
        Lit::Bool(lit) => Ok(Value::Bool(lit.value)),
        Lit::Char(lit) => {
            let suggestion = syn::LitStr::new(&lit.value().to_string(), lit.span());
            unsupported(&format!(
                "character literals are not supported as values; use the string literal `{}`",
                suggestion.to_token_stream()
            ))
        }
        Lit::ByteStr(_) | Lit::CStr(_) => {
            unsupported("byte string literals are not supported as values; use a string literal")
        }
        Lit::Byte(_) => {
            unsupported("byte literals are not supported as values; use an integer literal")
        }
        _ => unsupported(&format!("unsupported literal; {SUPPORTED_VALUES}")),
    }
}

/// Converts an integer literal, applying a leading minus sign. The literal must have no suffix
/// or the suffix `i64`, because the runtime stores every integer as `i64`.
fn convert_int(negative: bool, lit: &LitInt) -> syn::Result<i64> {
    let suffix = lit.suffix();
    if !suffix.is_empty() && suffix != "i64" {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "unsupported integer suffix `{suffix}`; integers are stored as `i64`, so remove \
                 the suffix"
            ),
        ));
    }

    let sign = if negative { "-" } else { "" };
    let digits = lit.base10_digits();
    let magnitude = digits.parse::<u128>().ok();
    let value = magnitude.and_then(|magnitude| {
        let magnitude = i128::try_from(magnitude).ok()?;
        i64::try_from(if negative { -magnitude } else { magnitude }).ok()
    });
    value.ok_or_else(|| {
        syn::Error::new(
            lit.span(),
            format!("integer `{sign}{digits}` does not fit in `i64`"),
        )
    })
}

/// Converts a float literal, applying a leading minus sign. The literal must have no suffix or
/// the suffix `f64`, because the runtime stores every float as `f64`.
fn convert_float(negative: bool, lit: &LitFloat) -> syn::Result<f64> {
    let suffix = lit.suffix();
    if !suffix.is_empty() && suffix != "f64" {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "unsupported float suffix `{suffix}`; floats are stored as `f64`, so remove the \
                 suffix"
            ),
        ));
    }

    let magnitude: f64 = lit.base10_parse()?;
    if !magnitude.is_finite() {
        return Err(syn::Error::new(
            lit.span(),
            format!("float `{}` is out of range for `f64`", lit.base10_digits()),
        ));
    }
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate_source(source: &str) -> Model {
        validate(syn::parse_str(source).expect("the block parses with recovery"))
    }

    fn messages(model: &Model) -> Vec<String> {
        model.errors.iter().map(ToString::to_string).collect()
    }

    /// Returns the text forms of a space's directions, in declaration order.
    fn directions(model: &Model, space: &str) -> Vec<String> {
        let space = model
            .spaces
            .iter()
            .find(|candidate| candidate.ident == space)
            .unwrap_or_else(|| panic!("space {space} is declared"));
        space.directions.iter().map(ToString::to_string).collect()
    }

    fn assert_one_error(source: &str, expected: &str) {
        let model = validate_source(source);
        assert_eq!(messages(&model), [expected], "errors of {source}");
    }

    #[test]
    fn reference_example_is_valid() {
        let model = validate_source(
            r#"
            pub space Tokens = tokens: {"a", "b", "c"};
            pub space Indices = indices: 0..3;
            pub space One = one;
            pub space Bos = tokens: {"BOS"};
            pub numerical space Frac = frac_prevs;
            pub space Names = {a, b, "c d", 3};
            pub space Residual = Tokens | Indices | One | Bos;
            pub space Both = Tokens + Indices;
            "#,
        );
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(model.spaces.len(), 8);
        assert_eq!(directions(&model, "Names"), ["a", "b", "c d", "3"]);
        assert_eq!(
            directions(&model, "Residual"),
            [
                "tokens:a",
                "tokens:b",
                "tokens:c",
                "indices:0",
                "indices:1",
                "indices:2",
                "one",
                "tokens:BOS",
            ]
        );
        assert_eq!(directions(&model, "Both").len(), 6);
    }

    #[test]
    fn spaces_may_refer_forward() {
        let model = validate_source("space R = A | B; space A = a; space B = b;");
        assert!(model.errors.is_empty());
        assert_eq!(directions(&model, "R"), ["a", "b"]);
    }

    #[test]
    fn join_keeps_shared_directions_once() {
        let model = validate_source("space A = v: {1, 2}; space B = v: {2.0, 3}; space J = A | B;");
        assert!(model.errors.is_empty());
        assert_eq!(directions(&model, "J"), ["v:1", "v:2", "v:3"]);
    }

    #[test]
    fn ranges_cover_bounds() {
        let model = validate_source("space A = a: -2..2; space B = b: -2..=2; space C = c: 5..6;");
        assert!(model.errors.is_empty());
        assert_eq!(directions(&model, "A"), ["a:-2", "a:-1", "a:0", "a:1"]);
        assert_eq!(directions(&model, "B").len(), 5);
        assert_eq!(directions(&model, "C"), ["c:5"]);
    }

    #[test]
    fn range_at_limit_is_accepted() {
        let model = validate_source("space I = i: 0..1000000;");
        assert!(model.errors.is_empty());
        assert_eq!(model.spaces[0].directions.len(), 1_000_000);
    }

    #[test]
    fn range_over_limit_is_rejected() {
        assert_one_error(
            "space I = i: 0..=1000000;",
            "range `0..=1000000` declares 1000001 directions, more than the limit of 1000000 \
             for one range",
        );
    }

    #[test]
    fn range_at_i64_edges() {
        let model = validate_source(
            "space A = a: 9223372036854775806..=9223372036854775807;\n\
             space B = b: -9223372036854775808..-9223372036854775807;",
        );
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "A").len(), 2);
        assert_eq!(directions(&model, "B"), ["b:-9223372036854775808"]);
    }

    #[test]
    fn value_types_convert() {
        let model = validate_source(
            r#"space V = v: {"s", 3, -4i64, 0.5, -2.5f64, 1e3, true, (1, "a", (false,)), ()};"#,
        );
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(
            directions(&model, "V"),
            [
                "v:s",
                "v:3",
                "v:-4",
                "v:0.5",
                "v:-2.5",
                "v:1000.0",
                "v:True",
                "v:(1, 'a', (False,))",
                "v:()",
            ]
        );
    }

    #[test]
    fn integer_and_string_names_differ() {
        let model = validate_source(r#"space N = {1, "1"}; space M = 1: {1, "1"};"#);
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "M"), ["1:1", "1:1"]);
    }

    #[test]
    fn duplicate_value_is_rejected() {
        assert_one_error(
            r#"space Tokens = tokens: {"a", "b", "a"};"#,
            "duplicate direction `tokens:a` in space `Tokens`",
        );
    }

    #[test]
    fn equal_numbers_are_duplicates() {
        assert_one_error(
            "space V = v: {1, true};",
            "duplicate direction `v:True` in space `V`, equal to `v:1` because numbers compare \
             by value (`1 == 1.0 == true`)",
        );
        assert_one_error(
            "space V = v: {0, 0.0};",
            "duplicate direction `v:0.0` in space `V`, equal to `v:0` because numbers compare \
             by value (`1 == 1.0 == true`)",
        );
        assert_one_error(
            r#"space V = v: {(1, "a"), (1.0, "a")};"#,
            "duplicate direction `v:(1.0, 'a')` in space `V`, equal to `v:(1, 'a')` because \
             numbers compare by value (`1 == 1.0 == true`)",
        );
    }

    #[test]
    fn duplicate_name_is_rejected() {
        assert_one_error(
            "space N = {a, b, a};",
            "duplicate direction `a` in space `N`",
        );
        assert_one_error(
            r#"space N = {a, "a"};"#,
            "duplicate direction `a` in space `N`",
        );
    }

    #[test]
    fn empty_spaces_are_rejected() {
        assert_one_error("space T = tokens: {};", "space `T` has no directions");
        assert_one_error("space N = {};", "space `N` has no directions");
        assert_one_error(
            "space I = indices: 0..0;",
            "space `I` has no directions, because the range `0..0` is empty",
        );
        assert_one_error(
            "space I = indices: 5..=3;",
            "space `I` has no directions, because the range `5..=3` is empty",
        );
    }

    #[test]
    fn direct_sum_overlap_is_rejected() {
        assert_one_error(
            r#"space Tokens = tokens: {"a", "BOS"}; space Bos = tokens: {"BOS"};
               space Both = Tokens + Bos;"#,
            "direct sum `Both` requires disjoint spaces, but `Tokens` and `Bos` share the \
             direction `tokens:BOS`; use `|` to join spaces that share directions",
        );
    }

    #[test]
    fn direct_sum_overlap_names_written_form() {
        assert_one_error(
            "space A = v: {1}; space B = v: {1.0}; space S = A + B;",
            "direct sum `S` requires disjoint spaces, but `A` and `B` share the direction \
             `v:1` (written `v:1.0` in `B`); use `|` to join spaces that share directions",
        );
    }

    #[test]
    fn direct_sum_repeated_operand_is_rejected() {
        assert_one_error(
            "space A = a; space S = A + A;",
            "`A` appears twice in direct sum `S`, so the direct sum shares the direction `a` \
             with itself",
        );
    }

    #[test]
    fn disjoint_direct_sum_is_accepted() {
        let model = validate_source("space A = a; space B = b; space S = A + B;");
        assert!(model.errors.is_empty());
        assert_eq!(directions(&model, "S"), ["a", "b"]);
    }

    #[test]
    fn unknown_component_is_rejected() {
        let model = validate_source("space A = a; space R = A | Missing;");
        assert_eq!(
            messages(&model),
            ["`Missing` is not a space declared in this `spaces!` block"]
        );
        assert_eq!(directions(&model, "R"), ["a"]);

        assert_one_error(
            "space A = a; space R = A | other::B;",
            "`other::B` is not a space declared in this `spaces!` block",
        );
    }

    #[test]
    fn duplicate_space_is_rejected() {
        let model = validate_source("space A = a; space A = b;");
        assert_eq!(
            messages(&model),
            ["duplicate space `A`, already declared in this block"]
        );
        assert_eq!(model.spaces.len(), 1);
        assert_eq!(directions(&model, "A"), ["a"]);
    }

    #[test]
    fn mixed_operators_are_rejected() {
        assert_one_error(
            "space A = a; space B = b; space C = c; space R = A | B + C;",
            "space `R` mixes `|` and `+`; declare the join and the direct sum as separate spaces",
        );
    }

    #[test]
    fn cycles_are_rejected() {
        assert_one_error(
            "space A = B | X; space B = A | Y; space X = x; space Y = y;",
            "cycle between spaces: `B` is built from `A`, which is built from `B`",
        );
        assert_one_error(
            "space A = A | X; space X = x;",
            "space `A` cannot be built from itself",
        );
        assert_one_error(
            "space A = B | C; space B = C | D; space C = D | A; space D = d;",
            "cycle between spaces: `C` is built from `A`, which is built from `B`, which is \
             built from `C`",
        );
    }

    #[test]
    fn numerical_needs_one_direction() {
        assert_one_error(
            "numerical space F = f: {1, 2};",
            "numerical space `F` must have exactly one direction, but it has 2",
        );
        let model = validate_source("numerical space F = f; numerical space G = g: {0.5};");
        assert!(model.errors.is_empty());
        assert!(model.spaces[0].numerical);
    }

    #[test]
    fn lone_space_name_copies_space() {
        let model = validate_source("space A = a: {1, 2}; space R = A; space D = \"A\";");
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "R"), ["a:1", "a:2"]);
        assert_eq!(directions(&model, "D"), ["A"]);
    }

    #[test]
    fn lone_unknown_name_is_direction() {
        let model = validate_source("space A = a; space R = B;");
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "R"), ["B"]);
    }

    #[test]
    fn unsupported_values_are_rejected() {
        let cases = [
            (
                r#"b"ab""#,
                "byte string literals are not supported as values; use a string literal",
            ),
            (
                "'a'",
                "character literals are not supported as values; use the string literal `\"a\"`",
            ),
            (
                "b'a'",
                "byte literals are not supported as values; use an integer literal",
            ),
            (
                "[1, 2]",
                "arrays are not supported as values; use a tuple such as `(1, 2)`",
            ),
            (
                "x",
                "unsupported value `x`; a value is a string, integer, float or bool literal, or \
                 a tuple of these",
            ),
            (
                "1 + 2",
                "unsupported value `1 + 2`; a value is a string, integer, float or bool \
                 literal, or a tuple of these",
            ),
            ("-true", "`-` applies only to integer and float literals"),
            (
                "5u8",
                "unsupported integer suffix `u8`; integers are stored as `i64`, so remove the \
                 suffix",
            ),
            (
                "0.5f32",
                "unsupported float suffix `f32`; floats are stored as `f64`, so remove the \
                 suffix",
            ),
            (
                "9223372036854775808",
                "integer `9223372036854775808` does not fit in `i64`",
            ),
            ("1e400", "float `1e400` is out of range for `f64`"),
            (
                "(1)",
                "`(1)` is a parenthesized value, not a tuple; write `(1,)` for a tuple of one \
                 element, or `1` for the value itself",
            ),
        ];
        for (value, expected) in cases {
            // The valid value after the bad one shows that one mistake gives one error.
            assert_one_error(&format!("space V = v: {{{value}, 7}};"), expected);
        }
    }

    #[test]
    fn invalid_names_are_rejected() {
        assert_one_error(
            "space N = {a, 1.5};",
            "invalid direction name `1.5`; a name is an identifier, a string literal or an \
             integer literal",
        );
        assert_one_error(
            "space N = 2u8: {1};",
            "unsupported integer suffix `u8`; integers are stored as `i64`, so remove the suffix",
        );
    }

    #[test]
    fn range_bounds_must_be_integers() {
        assert_one_error(
            "space I = i: 0..2.5;",
            "a range bound must be an integer literal",
        );
    }

    #[test]
    fn cfg_attribute_is_rejected() {
        let model = validate_source("#[cfg(test)] space A = a;");
        assert_eq!(
            messages(&model),
            [
                "`#[cfg]` on a single space is not supported; put `#[cfg]` on the whole \
                 `spaces!` block instead"
            ]
        );
        assert!(model.spaces[0].attrs.is_empty());
    }

    #[test]
    fn errors_do_not_cascade() {
        // The bad value empties `F`, which must not also be reported as empty or as a
        // numerical space without one direction, and `R` is built from what remains.
        let model =
            validate_source("numerical space F = f: {'x'}; space R = F | One; space One = one;");
        assert_eq!(messages(&model).len(), 1);
        assert_eq!(directions(&model, "R"), ["one"]);

        let model = validate_source("numerical space F = A | B; space A = a: 0..0; space B = A;");
        assert_eq!(
            messages(&model),
            ["space `A` has no directions, because the range `0..0` is empty"]
        );
    }

    #[test]
    fn copy_cycle_is_rejected() {
        assert_one_error(
            "space A = B; space B = A;",
            "cycle between spaces: `B` is built from `A`, which is built from `B`",
        );
    }

    #[test]
    fn space_named_like_its_direction() {
        let model = validate_source("space x = x; space R = x | x;");
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "R"), ["x"]);
    }

    #[test]
    fn raw_identifiers_name_one_space() {
        let model = validate_source("space r#A = r#type; space R = A | r#A;");
        assert!(model.errors.is_empty(), "{:?}", messages(&model));
        assert_eq!(directions(&model, "R"), ["type"]);
    }
}
