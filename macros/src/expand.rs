//! Code generation: a unit struct and its trait impls for each space of a validated block.
//!
//! Every path goes through `::handcraft`, so the expansion compiles in any crate that depends
//! on handcraft under that name. The errors of the block are emitted next to the items, which
//! are complete even when the block has errors, so that uses of the spaces raise no further
//! errors.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned, ToTokens};

use crate::direction::{Direction, Name, Value};
use crate::relations::relations;
use crate::validate::{Model, SpaceModel};

/// The largest dimension for which `typenum::U<N>` exists, so the largest that gets a
/// `TypenumDim` impl.
const MAX_TYPENUM_DIM: usize = 1024;

/// The shortest run of consecutive integer values that is emitted as a range instead of one
/// expression per direction.
const MIN_RANGE_RUN: usize = 8;

/// Expands a validated block into its items and its compile errors.
pub(crate) fn expand(model: &Model) -> TokenStream {
    let mut tokens = TokenStream::new();
    for space in &model.spaces {
        tokens.extend(expand_space(space));
    }

    let direction_lists: Vec<&[Direction]> = model
        .spaces
        .iter()
        .map(|space| space.directions.as_slice())
        .collect();
    let relations = relations(&direction_lists);
    for &(sub, sup) in &relations.subspaces {
        let sub = &model.spaces[sub].ident;
        let sup = &model.spaces[sup].ident;
        tokens.extend(quote_spanned! {sub.span()=>
            impl ::handcraft::Subspace<#sup> for #sub {}
        });
    }
    for &(space, other) in &relations.disjoint {
        let space = &model.spaces[space].ident;
        let other = &model.spaces[other].ident;
        tokens.extend(quote_spanned! {space.span()=>
            impl ::handcraft::Disjoint<#other> for #space {}
        });
    }

    for error in &model.errors {
        tokens.extend(error.to_compile_error());
    }
    tokens
}

fn expand_space(space: &SpaceModel) -> TokenStream {
    let SpaceModel {
        attrs,
        vis,
        ident,
        numerical,
        directions,
    } = space;
    let dim = Literal::usize_unsuffixed(directions.len());
    let basis = basis_expression(directions);

    // The struct and its impls take the span of the space's name, here and in `expand`. A
    // compiler note about them, such as a list of impls that an unmet trait bound could have
    // used, then points at the declaration rather than at the whole block.
    let span = ident.span();
    // A space may be used only as a component of a join or as a type argument, which the
    // dead-code lint does not see as a use, so the lint is off for the generated struct.
    let mut tokens = quote_spanned! {span=>
        #(#attrs)*
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        #vis struct #ident;

        impl ::handcraft::Space for #ident {
            const DIM: usize = #dim;
            type Dim = ::handcraft::__private::nalgebra::Const<#dim>;
            fn basis() -> &'static ::handcraft::Basis {
                static BASIS: ::std::sync::LazyLock<::handcraft::Basis> =
                    ::std::sync::LazyLock::new(|| ::handcraft::Basis::from_declared(#basis));
                &BASIS
            }
        }
    };
    if directions.len() <= MAX_TYPENUM_DIM {
        tokens.extend(quote_spanned! {span=>
            impl ::handcraft::TypenumDim for #ident {
                type TDim = ::handcraft::__private::typenum::U<#dim>;
            }
        });
    }
    if *numerical {
        tokens.extend(quote_spanned! {span=>
            impl ::handcraft::Numerical for #ident {}
        });
    }
    tokens
}

/// A stretch of a space's directions, in declaration order.
enum Segment<'a> {
    One(&'a Direction),
    /// `name:start` to `name:end` with every integer value in between.
    IntegerRun {
        name: &'a Name,
        start: i64,
        end: i64,
    },
}

/// Groups runs of at least [`MIN_RANGE_RUN`] directions with one name and consecutive integer
/// values, such as those of `indices: 0..1024`, so they expand to one range.
fn segments(directions: &[Direction]) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut index = 0;
    while index < directions.len() {
        let first = &directions[index];
        let Some(Value::Int(start)) = first.value else {
            segments.push(Segment::One(first));
            index += 1;
            continue;
        };

        let mut len = 1;
        while let Some(next) = directions.get(index + len) {
            let expected = start.checked_add(len as i64);
            let continues = next.name == first.name
                && matches!(next.value, Some(Value::Int(value)) if Some(value) == expected);
            if !continues {
                break;
            }
            len += 1;
        }

        if len >= MIN_RANGE_RUN {
            let end = start + (len as i64 - 1);
            segments.push(Segment::IntegerRun {
                name: &first.name,
                start,
                end,
            });
        } else {
            segments.extend(directions[index..index + len].iter().map(Segment::One));
        }
        index += len;
    }
    segments
}

/// Builds the expression of type `Vec<BasisDirection>` that lists a space's directions.
fn basis_expression(directions: &[Direction]) -> TokenStream {
    let segments = segments(directions);
    let has_runs = segments
        .iter()
        .any(|segment| matches!(segment, Segment::IntegerRun { .. }));
    if !has_runs {
        let directions = directions.iter().map(direction_expression);
        return quote!(::std::vec![#(#directions),*]);
    }

    let capacity = Literal::usize_unsuffixed(directions.len());
    let steps = segments.iter().map(|segment| match segment {
        Segment::One(direction) => {
            let direction = direction_expression(direction);
            quote!(directions.push(#direction);)
        }
        Segment::IntegerRun { name, start, end } => {
            let name = name_expression(name);
            let start = int_expression(*start);
            let end = int_expression(*end);
            quote! {
                directions.extend((#start..=#end).map(|value| {
                    ::handcraft::BasisDirection::with_value(#name, ::handcraft::Value::Int(value))
                }));
            }
        }
    });
    quote! {{
        let mut directions = ::std::vec::Vec::with_capacity(#capacity);
        #(#steps)*
        directions
    }}
}

fn direction_expression(direction: &Direction) -> TokenStream {
    let name = name_expression(&direction.name);
    match &direction.value {
        None => quote!(::handcraft::BasisDirection::new(#name)),
        // A string value is passed as `&str`, which converts into `Value`.
        Some(Value::Str(s)) => {
            let value = Literal::string(s);
            quote!(::handcraft::BasisDirection::with_value(#name, #value))
        }
        Some(value) => {
            let value = value_expression(value);
            quote!(::handcraft::BasisDirection::with_value(#name, #value))
        }
    }
}

/// Builds an expression of a type that converts into `Name`.
fn name_expression(name: &Name) -> TokenStream {
    match name {
        Name::Str(s) => Literal::string(s).into_token_stream(),
        Name::Int(i) => {
            let i = int_expression(*i);
            quote!(::handcraft::Name::Int(#i))
        }
    }
}

/// Builds an expression of type `Value`.
fn value_expression(value: &Value) -> TokenStream {
    match value {
        Value::Int(i) => {
            let i = int_expression(*i);
            quote!(::handcraft::Value::Int(#i))
        }
        Value::Float(x) => {
            let x = float_expression(*x);
            quote!(::handcraft::Value::Float(#x))
        }
        Value::Bool(b) => quote!(::handcraft::Value::Bool(#b)),
        Value::Str(s) => {
            let s = Literal::string(s);
            quote!(::handcraft::Value::Str(::std::string::String::from(#s)))
        }
        Value::Tuple(items) => {
            let items = items.iter().map(value_expression);
            quote!(::handcraft::Value::Tuple(::std::vec![#(#items),*]))
        }
    }
}

/// Builds an `i64` expression. A negative number is a negated literal, and `i64::MIN` is
/// named, because its magnitude is no `i64` literal.
fn int_expression(i: i64) -> TokenStream {
    if i == i64::MIN {
        quote!(::std::primitive::i64::MIN)
    } else if i < 0 {
        let magnitude = Literal::i64_suffixed(-i);
        quote!((-#magnitude))
    } else {
        Literal::i64_suffixed(i).into_token_stream()
    }
}

/// Builds an `f64` expression for a finite float, negative zero included.
fn float_expression(x: f64) -> TokenStream {
    let magnitude = Literal::f64_suffixed(x.abs());
    if x.is_sign_negative() {
        quote!((-#magnitude))
    } else {
        magnitude.into_token_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expands a block and returns the code as text, with spaces between tokens.
    fn expand_source(source: &str) -> String {
        let input = syn::parse_str(source).expect("the block parses with recovery");
        expand(&crate::validate::validate(input)).to_string()
    }

    #[test]
    fn expansion_follows_contract() {
        let code =
            expand_source("space A = a; space B = b: {1}; space R = A | B; numerical space F = f;");

        assert!(code.contains("struct A ;"));
        assert!(code.contains("impl :: handcraft :: Space for R { const DIM : usize = 2 ;"));
        assert!(code.contains("type Dim = :: handcraft :: __private :: nalgebra :: Const < 2 > ;"));
        assert!(code.contains("type TDim = :: handcraft :: __private :: typenum :: U < 2 > ;"));
        assert!(code.contains(":: handcraft :: Basis :: from_declared (:: std :: vec ! [:: handcraft :: BasisDirection :: new (\"a\")"));
        assert!(code.contains(":: handcraft :: BasisDirection :: with_value (\"b\" , :: handcraft :: Value :: Int (1i64))"));
        assert!(code.contains("impl :: handcraft :: Subspace < R > for A { }"));
        assert!(code.contains("impl :: handcraft :: Subspace < A > for A { }"));
        assert!(!code.contains("impl :: handcraft :: Subspace < A > for R { }"));
        assert!(code.contains("impl :: handcraft :: Disjoint < B > for A { }"));
        assert!(!code.contains("impl :: handcraft :: Disjoint < R > for A { }"));
        assert!(code.contains("impl :: handcraft :: Numerical for F { }"));
        assert!(!code.contains("impl :: handcraft :: Numerical for A { }"));
        assert!(!code.contains("compile_error"));
    }

    #[test]
    fn typenum_dim_stops_at_1024() {
        let code = expand_source("space I = i: 0..1024; space J = j: 0..1025;");
        assert!(code.contains("impl :: handcraft :: TypenumDim for I"));
        assert!(!code.contains("impl :: handcraft :: TypenumDim for J"));
        assert!(code.contains("directions . extend ((0i64 ..= 1024i64) . map"));
    }

    #[test]
    fn errors_expand_with_items() {
        let code = expand_source("space A = a: {1, 1}; space R = A | Missing;");
        assert_eq!(code.matches("compile_error").count(), 2);
        assert!(code.contains("struct A ;"));
        assert!(code.contains("impl :: handcraft :: Space for R"));
        assert!(code.contains("impl :: handcraft :: Subspace < R > for A { }"));
    }

    #[test]
    fn values_expand_to_explicit_constructors() {
        let code = expand_source(r#"space V = 3: {-2, 0.5, true, (1, "a")};"#);
        assert!(code.contains(":: handcraft :: Name :: Int (3i64)"));
        assert!(code.contains(":: handcraft :: Value :: Int ((- 2i64))"));
        assert!(code.contains(":: handcraft :: Value :: Float (0.5f64)"));
        assert!(code.contains(":: handcraft :: Value :: Bool (true)"));
        assert!(code.contains(":: handcraft :: Value :: Tuple (:: std :: vec ! [:: handcraft :: Value :: Int (1i64) , :: handcraft :: Value :: Str (:: std :: string :: String :: from (\"a\"))])"));
    }

    fn int_direction(name: &str, value: i64) -> Direction {
        Direction::with_value(Name::Str(name.into()), Value::Int(value))
    }

    #[test]
    fn short_runs_stay_separate() {
        let directions: Vec<Direction> = (0..MIN_RANGE_RUN as i64 - 1)
            .map(|i| int_direction("indices", i))
            .collect();
        let segments = segments(&directions);
        assert_eq!(segments.len(), directions.len());
    }

    #[test]
    fn long_run_becomes_range() {
        let mut directions = vec![Direction::named(Name::Str("one".into()))];
        directions.extend((-3..1021).map(|i| int_direction("indices", i)));
        directions.push(int_direction("other", 1021));
        let segments = segments(&directions);

        assert_eq!(segments.len(), 3);
        assert!(matches!(segments[0], Segment::One(_)));
        assert!(matches!(
            segments[1],
            Segment::IntegerRun {
                start: -3,
                end: 1020,
                ..
            }
        ));
        assert!(matches!(segments[2], Segment::One(_)));
    }

    #[test]
    fn run_stops_at_gap() {
        let mut directions: Vec<Direction> = (0..10).map(|i| int_direction("v", i)).collect();
        directions.extend((20..30).map(|i| int_direction("v", i)));
        let segments = segments(&directions);

        assert_eq!(segments.len(), 2);
        assert!(matches!(
            segments[1],
            Segment::IntegerRun {
                start: 20,
                end: 29,
                ..
            }
        ));
    }

    #[test]
    fn run_does_not_overflow_at_max() {
        let directions: Vec<Direction> = (i64::MAX - 9..=i64::MAX)
            .map(|i| int_direction("v", i))
            .collect();
        let segments = segments(&directions);
        assert!(matches!(
            segments[0],
            Segment::IntegerRun { end: i64::MAX, .. }
        ));
    }

    #[test]
    fn negative_numbers_are_negated_literals() {
        assert_eq!(int_expression(-5).to_string(), "(- 5i64)");
        assert_eq!(int_expression(7).to_string(), "7i64");
        assert_eq!(
            int_expression(i64::MIN).to_string(),
            ":: std :: primitive :: i64 :: MIN"
        );
        assert_eq!(float_expression(-0.0).to_string(), "(- 0f64)");
        assert_eq!(float_expression(0.5).to_string(), "0.5f64");
    }
}
