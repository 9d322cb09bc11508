//! Syntax of a `spaces!` block: the typed tree that validation reads.
//!
//! Parsing checks only the shape of each declaration. Whether a literal is an allowed value,
//! whether a component names a declared space, and every other meaning is checked by
//! `validate`. A declaration that does not parse is reported and skipped up to its `;`, and its
//! struct is still declared when its name can be found, so one typo gives one error.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{
    braced, parenthesized, token, Attribute, Ident, Lit, LitBool, LitInt, LitStr, Path, Token,
};

mod keyword {
    syn::custom_keyword!(space);
    syn::custom_keyword!(numerical);
}

/// The whole macro input, with the syntax errors found while reading it.
pub(crate) struct SpacesInput {
    pub declarations: Vec<Declaration>,
    pub errors: Vec<syn::Error>,
}

/// One `[attributes] [visibility] [numerical] space Name = body;` declaration.
pub(crate) struct Declaration {
    pub attrs: Vec<Attribute>,
    pub vis: syn::Visibility,
    /// The `numerical` keyword, when present.
    pub numerical: Option<Span>,
    pub ident: Ident,
    pub body: Body,
}

/// The body of a declaration, after its `=`.
pub(crate) enum Body {
    /// `tokens: {"a", "b"}`: one direction per value.
    Values {
        name: NameExpr,
        brace: token::Brace,
        values: Vec<ValueExpr>,
    },
    /// `indices: 0..8` or `indices: 0..=7`: one direction per integer.
    Range { name: NameExpr, range: RangeExpr },
    /// `one`: one direction with a name and no value. When the name is an identifier that
    /// names another space of the block, validation reads it as a copy of that space.
    Single(NameExpr),
    /// `{a, "b", 3}`: one direction per name, with no values.
    Names {
        brace: token::Brace,
        names: Vec<NameExpr>,
    },
    /// `Tokens | Indices` (join) or `Tokens + Indices` (direct sum).
    Composite {
        operands: Vec<Path>,
        /// The operator before each operand after the first.
        operators: Vec<Operator>,
    },
    /// A body that did not parse. Its error is in [`SpacesInput::errors`].
    Invalid,
}

/// The operator of a composite space.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Operator {
    Join(Span),
    DirectSum(Span),
}

/// A direction name as written.
pub(crate) enum NameExpr {
    Ident(Ident),
    Str(LitStr),
    Int(SignedLit),
    /// Tokens that are no direction name, kept for the error message.
    Other(TokenStream),
}

/// A literal with an optional leading minus sign.
pub(crate) struct SignedLit {
    pub minus: Option<Token![-]>,
    pub lit: Lit,
}

/// A value as written.
pub(crate) enum ValueExpr {
    /// A literal of any kind, possibly negated. Validation rejects the unsupported kinds.
    Lit(SignedLit),
    /// A parenthesized list with a comma, such as `(1, "a")` or `(1,)`, or `()`.
    Tuple {
        paren: token::Paren,
        elements: Vec<ValueExpr>,
    },
    /// A single value in parentheses, such as `(1)`, which is not a tuple.
    Parenthesized(token::Paren, Box<ValueExpr>),
    /// Tokens that are no value, kept for the error message.
    Other(TokenStream),
}

/// The bounds of an integer range.
pub(crate) struct RangeExpr {
    pub start: SignedLit,
    pub inclusive: bool,
    pub end: SignedLit,
}

impl Parse for SpacesInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut declarations = Vec::new();
        let mut errors = Vec::new();

        while !input.is_empty() {
            let fork = input.fork();
            match parse_declaration(&fork, &mut errors) {
                Ok(declaration) => {
                    input.advance_to(&fork);
                    declarations.push(declaration);
                }
                Err(error) => {
                    errors.push(error);
                    let statement = take_statement(input)?;
                    if let Some(declaration) = recover_declaration(statement) {
                        declarations.push(declaration);
                    }
                }
            }
        }

        Ok(SpacesInput {
            declarations,
            errors,
        })
    }
}

/// Parses one declaration. A body that does not parse becomes [`Body::Invalid`] with its error
/// pushed to `errors`. An error in the part before the `=` is returned.
fn parse_declaration(input: ParseStream, errors: &mut Vec<syn::Error>) -> syn::Result<Declaration> {
    let attrs = Attribute::parse_outer(input)?;
    let vis = input.parse()?;
    let numerical = input
        .parse::<Option<keyword::numerical>>()?
        .map(|keyword| keyword.span);
    input.parse::<keyword::space>()?;
    let ident = input.parse::<Ident>()?;
    input.parse::<Token![=]>()?;

    let fork = input.fork();
    let parsed = parse_body(&fork).and_then(|body| end_of_body(&fork, &ident).map(|()| body));
    let body = match parsed {
        Ok(body) => {
            input.advance_to(&fork);
            body
        }
        Err(error) => {
            errors.push(error);
            skip_to_semicolon(input)?;
            Body::Invalid
        }
    };

    // A missing `;` after the last declaration is accepted.
    if !input.is_empty() {
        input.parse::<Token![;]>()?;
    }

    Ok(Declaration {
        attrs,
        vis,
        numerical,
        ident,
        body,
    })
}

/// Checks that the body is followed by `;` or the end of the block.
fn end_of_body(input: ParseStream, space: &Ident) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![;]) {
        Ok(())
    } else {
        let space = space.unraw();
        Err(input.error(format!(
            "expected `;` after the declaration of space `{space}`"
        )))
    }
}

fn parse_body(input: ParseStream) -> syn::Result<Body> {
    if input.peek(token::Brace) {
        let content;
        let brace = braced!(content in input);
        let (names, _) = parse_list(&content, parse_name)?;
        return Ok(Body::Names { brace, names });
    }

    // A composite starts with a path and an operator; anything else starts with a name.
    let lookahead = input.fork();
    if lookahead.call(Path::parse_mod_style).is_ok()
        && (lookahead.peek(Token![|]) || lookahead.peek(Token![+]))
    {
        return parse_composite(input);
    }

    let name = parse_name(input).map_err(|_| {
        input.error(
            "expected a direction name, a `{...}` list of names, or spaces joined by `|` or `+`",
        )
    })?;
    if !input.peek(Token![:]) || input.peek(Token![::]) {
        return Ok(Body::Single(name));
    }

    input.parse::<Token![:]>()?;
    if input.peek(token::Brace) {
        let content;
        let brace = braced!(content in input);
        let (values, _) = parse_list(&content, parse_value)?;
        Ok(Body::Values {
            name,
            brace,
            values,
        })
    } else {
        let range = parse_range(input)?;
        Ok(Body::Range { name, range })
    }
}

fn parse_composite(input: ParseStream) -> syn::Result<Body> {
    let mut operands = vec![input.call(Path::parse_mod_style)?];
    let mut operators = Vec::new();
    loop {
        if input.peek(Token![|]) && !input.peek(Token![||]) {
            operators.push(Operator::Join(input.parse::<Token![|]>()?.span));
        } else if input.peek(Token![+]) {
            operators.push(Operator::DirectSum(input.parse::<Token![+]>()?.span));
        } else if input.is_empty() || input.peek(Token![;]) {
            return Ok(Body::Composite {
                operands,
                operators,
            });
        } else {
            return Err(input.error("expected `|`, `+` or `;` after a space"));
        }
        operands.push(input.call(Path::parse_mod_style).map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the name of a space declared in this block",
            )
        })?);
    }
}

/// The error for a range end that is not an integer literal. A macro sees tokens, not the
/// values of constants, so a bound such as `MAX_SEQ_LEN` cannot be read.
const END_OF_RANGE_MESSAGE: &str =
    "expected the end of the range as an integer literal; a macro cannot read the value of a constant, so write the number itself";

fn parse_range(input: ParseStream) -> syn::Result<RangeExpr> {
    let start = parse_signed_lit(input)
        .map_err(|error| syn::Error::new(error.span(), "expected `{` or an integer range"))?;
    let inclusive = if input.peek(Token![..=]) {
        input.parse::<Token![..=]>()?;
        true
    } else if input.peek(Token![..]) {
        input.parse::<Token![..]>()?;
        false
    } else {
        return Err(input.error("expected `..` or `..=` in an integer range"));
    };
    let end = parse_signed_lit(input)
        .map_err(|error| syn::Error::new(error.span(), END_OF_RANGE_MESSAGE))?;
    Ok(RangeExpr {
        start,
        inclusive,
        end,
    })
}

fn parse_signed_lit(input: ParseStream) -> syn::Result<SignedLit> {
    let minus = input.parse::<Option<Token![-]>>()?;
    let lit = input.parse::<Lit>()?;
    Ok(SignedLit { minus, lit })
}

/// Parses a comma-separated list in which every element that does not parse becomes an
/// `Other` element spanning its tokens, so that the rest of the list still counts. Returns the
/// elements and whether a comma follows the last one.
fn parse_list<T>(
    input: ParseStream,
    parse_element: fn(ParseStream) -> syn::Result<T>,
) -> syn::Result<(Vec<T>, bool)>
where
    T: FromTokens,
{
    let mut elements = Vec::new();
    let mut trailing_comma = false;
    while !input.is_empty() {
        let fork = input.fork();
        let parsed = parse_element(&fork).ok();
        let complete = fork.is_empty() || fork.peek(Token![,]);
        match parsed {
            Some(element) if complete => {
                input.advance_to(&fork);
                elements.push(element);
            }
            // Two elements in a row, such as `{"a" "b"}`, lack a comma.
            Some(_) if parse_element(&fork.fork()).is_ok() => {
                return Err(fork.error("expected `,` between list elements"));
            }
            _ => elements.push(T::from_tokens(take_until_comma(input)?)),
        }
        trailing_comma = input.parse::<Option<Token![,]>>()?.is_some();
    }
    Ok((elements, trailing_comma))
}

/// An element of a list that can stand for tokens that did not parse.
trait FromTokens {
    fn from_tokens(tokens: TokenStream) -> Self;
}

impl FromTokens for NameExpr {
    fn from_tokens(tokens: TokenStream) -> Self {
        NameExpr::Other(tokens)
    }
}

impl FromTokens for ValueExpr {
    fn from_tokens(tokens: TokenStream) -> Self {
        ValueExpr::Other(tokens)
    }
}

fn parse_name(input: ParseStream) -> syn::Result<NameExpr> {
    if input.peek(Ident::peek_any) && !input.peek(LitBool) {
        // `Ident::parse_any` accepts keywords, so `type` is a name, and so is `r#type`.
        return Ok(NameExpr::Ident(input.call(Ident::parse_any)?));
    }
    if input.peek(LitStr) {
        return Ok(NameExpr::Str(input.parse()?));
    }
    if input.peek(LitInt) || (input.peek(Token![-]) && input.peek2(LitInt)) {
        return Ok(NameExpr::Int(parse_signed_lit(input)?));
    }
    Err(input.error("expected a direction name"))
}

fn parse_value(input: ParseStream) -> syn::Result<ValueExpr> {
    if input.peek(token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        let (mut elements, trailing_comma) = parse_list(&content, parse_value)?;
        if elements.len() == 1 && !trailing_comma {
            let single = elements.pop().expect("the list has one element");
            return Ok(ValueExpr::Parenthesized(paren, Box::new(single)));
        }
        return Ok(ValueExpr::Tuple { paren, elements });
    }
    if input.peek(Lit) || (input.peek(Token![-]) && input.peek2(Lit)) {
        return Ok(ValueExpr::Lit(parse_signed_lit(input)?));
    }
    Err(input.error("expected a value"))
}

/// Consumes and returns the tokens up to the next top-level `,`, which stays in the stream.
fn take_until_comma(input: ParseStream) -> syn::Result<TokenStream> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        tokens.extend([input.parse::<TokenTree>()?]);
    }
    Ok(tokens)
}

/// Consumes the tokens up to the next top-level `;`, which stays in the stream.
fn skip_to_semicolon(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![;]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// Consumes and returns the tokens up to and including the next top-level `;`.
fn take_statement(input: ParseStream) -> syn::Result<Vec<TokenTree>> {
    let mut tokens = Vec::new();
    while !input.is_empty() {
        let token = input.parse::<TokenTree>()?;
        let is_semicolon = matches!(&token, TokenTree::Punct(punct) if punct.as_char() == ';');
        tokens.push(token);
        if is_semicolon {
            break;
        }
    }
    Ok(tokens)
}

/// Finds the space name in a declaration whose start did not parse, so that its struct can still
/// be declared and uses of it elsewhere raise no further errors.
///
/// The name is the identifier after the `space` keyword or, when that keyword is misspelt, the
/// identifier just before the first `=`. The recovered declaration is `pub`, so that no use of
/// the struct fails a privacy check, and has an invalid body.
fn recover_declaration(statement: Vec<TokenTree>) -> Option<Declaration> {
    let is_space_keyword =
        |token: &TokenTree| matches!(token, TokenTree::Ident(ident) if ident == "space");
    let after_keyword = statement
        .iter()
        .position(is_space_keyword)
        .and_then(|keyword| statement.get(keyword + 1));
    let before_equals = statement
        .iter()
        .position(|token| matches!(token, TokenTree::Punct(punct) if punct.as_char() == '='))
        .and_then(|equals| statement.get(equals.checked_sub(1)?));

    let ident = [after_keyword, before_equals]
        .into_iter()
        .flatten()
        .find_map(|token| match token {
            TokenTree::Ident(ident) if ident != "space" => {
                syn::parse2::<Ident>(ident.to_token_stream()).ok()
            }
            _ => None,
        })?;
    Some(Declaration {
        attrs: Vec::new(),
        vis: syn::parse_quote!(pub),
        numerical: None,
        ident,
        body: Body::Invalid,
    })
}

impl ToTokens for SignedLit {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.minus.to_tokens(tokens);
        self.lit.to_tokens(tokens);
    }
}

impl ToTokens for NameExpr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            NameExpr::Ident(ident) => ident.to_tokens(tokens),
            NameExpr::Str(lit) => lit.to_tokens(tokens),
            NameExpr::Int(lit) => lit.to_tokens(tokens),
            NameExpr::Other(other) => other.to_tokens(tokens),
        }
    }
}

impl ToTokens for ValueExpr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            ValueExpr::Lit(lit) => lit.to_tokens(tokens),
            ValueExpr::Tuple { paren, elements } => paren.surround(tokens, |inner| {
                for element in elements {
                    element.to_tokens(inner);
                    <Token![,]>::default().to_tokens(inner);
                }
            }),
            ValueExpr::Parenthesized(paren, value) => {
                paren.surround(tokens, |inner| value.to_tokens(inner))
            }
            ValueExpr::Other(other) => other.to_tokens(tokens),
        }
    }
}

impl ToTokens for RangeExpr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.start.to_tokens(tokens);
        if self.inclusive {
            <Token![..=]>::default().to_tokens(tokens);
        } else {
            <Token![..]>::default().to_tokens(tokens);
        }
        self.end.to_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> SpacesInput {
        syn::parse_str(source).expect("the block parses with recovery")
    }

    fn single_body(source: &str) -> Body {
        let mut input = parse(source);
        assert!(input.errors.is_empty(), "unexpected errors in {source}");
        assert_eq!(input.declarations.len(), 1);
        input.declarations.remove(0).body
    }

    fn error_messages(input: &SpacesInput) -> Vec<String> {
        input.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn values_body() {
        let Body::Values { name, values, .. } = single_body(r#"space T = tokens: {"a", "b"};"#)
        else {
            panic!("expected a values body");
        };
        assert!(matches!(name, NameExpr::Ident(ident) if ident == "tokens"));
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn range_bodies() {
        let Body::Range { range, .. } = single_body("space I = indices: 0..8;") else {
            panic!("expected a range body");
        };
        assert!(!range.inclusive);
        assert!(range.start.minus.is_none());

        let Body::Range { range, .. } = single_body("space I = indices: -3..=7;") else {
            panic!("expected a range body");
        };
        assert!(range.inclusive);
        assert!(range.start.minus.is_some());
        assert!(range.end.minus.is_none());
    }

    #[test]
    fn single_name_body() {
        let Body::Single(name) = single_body("space One = one;") else {
            panic!("expected a single direction");
        };
        assert!(matches!(name, NameExpr::Ident(ident) if ident == "one"));
        assert!(matches!(
            single_body("space X = \"x y\";"),
            Body::Single(NameExpr::Str(_))
        ));
        assert!(matches!(
            single_body("space X = -4;"),
            Body::Single(NameExpr::Int(_))
        ));
    }

    #[test]
    fn names_body() {
        let Body::Names { names, .. } = single_body(r#"space N = {a, "c d", 3, r#type};"#) else {
            panic!("expected a names body");
        };
        assert_eq!(names.len(), 4);
        assert!(matches!(names[0], NameExpr::Ident(_)));
        assert!(matches!(names[1], NameExpr::Str(_)));
        assert!(matches!(names[2], NameExpr::Int(_)));
        assert!(matches!(names[3], NameExpr::Ident(_)));
    }

    #[test]
    fn composite_bodies() {
        let Body::Composite {
            operands,
            operators,
        } = single_body("space R = A | B | C;")
        else {
            panic!("expected a composite");
        };
        assert_eq!(operands.len(), 3);
        assert!(operators.iter().all(|op| matches!(op, Operator::Join(_))));

        let Body::Composite { operators, .. } = single_body("space S = A + B;") else {
            panic!("expected a composite");
        };
        assert!(matches!(operators[..], [Operator::DirectSum(_)]));
    }

    #[test]
    fn mixed_operators_parse() {
        let Body::Composite { operators, .. } = single_body("space R = A | B + C;") else {
            panic!("expected a composite");
        };
        assert!(matches!(
            operators[..],
            [Operator::Join(_), Operator::DirectSum(_)]
        ));
    }

    #[test]
    fn composite_operand_may_be_path() {
        let Body::Composite { operands, .. } = single_body("space R = A | other::B;") else {
            panic!("expected a composite");
        };
        assert!(operands[1].get_ident().is_none());
    }

    #[test]
    fn header_parts() {
        let input = parse(
            "/// Docs.\n#[allow(dead_code)] pub(crate) numerical space Frac = frac;\n\
             space Private = p;",
        );
        assert!(input.errors.is_empty());
        let frac = &input.declarations[0];
        assert_eq!(frac.attrs.len(), 2);
        assert!(matches!(frac.vis, syn::Visibility::Restricted(_)));
        assert!(frac.numerical.is_some());
        assert_eq!(frac.ident, "Frac");
        let private = &input.declarations[1];
        assert!(matches!(private.vis, syn::Visibility::Inherited));
        assert!(private.numerical.is_none());
    }

    #[test]
    fn tuples_and_parentheses() {
        let Body::Values { values, .. } = single_body(r#"space T = t: {(1, "a"), (1,), (), (1)};"#)
        else {
            panic!("expected a values body");
        };
        assert!(matches!(&values[0], ValueExpr::Tuple { elements, .. } if elements.len() == 2));
        assert!(matches!(&values[1], ValueExpr::Tuple { elements, .. } if elements.len() == 1));
        assert!(matches!(&values[2], ValueExpr::Tuple { elements, .. } if elements.is_empty()));
        assert!(matches!(&values[3], ValueExpr::Parenthesized(..)));
    }

    #[test]
    fn unparsable_value_keeps_rest_of_list() {
        let Body::Values { values, .. } = single_body("space T = t: {1, [2, 3], 4 + 5, 6};") else {
            panic!("expected a values body");
        };
        assert_eq!(values.len(), 4);
        assert!(matches!(&values[0], ValueExpr::Lit(_)));
        assert!(matches!(&values[1], ValueExpr::Other(tokens) if tokens.to_string() == "[2 , 3]"));
        assert!(matches!(&values[2], ValueExpr::Other(tokens) if tokens.to_string() == "4 + 5"));
        assert!(matches!(&values[3], ValueExpr::Lit(_)));
    }

    #[test]
    fn missing_comma_is_reported() {
        let input = parse(r#"space T = t: {"a" "b"}; space N = {a b};"#);
        assert_eq!(
            error_messages(&input),
            [
                "expected `,` between list elements",
                "expected `,` between list elements",
            ]
        );
        assert!(matches!(input.declarations[0].body, Body::Invalid));
        assert!(matches!(input.declarations[1].body, Body::Invalid));
    }

    #[test]
    fn negative_and_unsupported_literals_parse() {
        let Body::Values { values, .. } =
            single_body(r#"space T = t: {-1, -2.5, 'c', b"x", true};"#)
        else {
            panic!("expected a values body");
        };
        assert_eq!(values.len(), 5);
        assert!(values
            .iter()
            .all(|value| matches!(value, ValueExpr::Lit(_))));
    }

    #[test]
    fn missing_final_semicolon_is_accepted() {
        let input = parse("space A = a; space B = b");
        assert!(input.errors.is_empty());
        assert_eq!(input.declarations.len(), 2);
    }

    #[test]
    fn body_error_keeps_space() {
        let input = parse("space A = a b; space B = b;");
        assert_eq!(
            error_messages(&input),
            ["expected `;` after the declaration of space `A`"]
        );
        assert_eq!(input.declarations.len(), 2);
        assert!(matches!(input.declarations[0].body, Body::Invalid));
        assert!(matches!(input.declarations[1].body, Body::Single(_)));
    }

    #[test]
    fn header_error_recovers_name() {
        let input = parse("pub spce A = a; space B = b;");
        assert_eq!(error_messages(&input), ["expected `space`"]);
        assert_eq!(input.declarations.len(), 2);
        assert_eq!(input.declarations[0].ident, "A");
        assert!(matches!(input.declarations[0].body, Body::Invalid));
        assert_eq!(input.declarations[1].ident, "B");
    }

    #[test]
    fn missing_equals_recovers_name() {
        let input = parse("pub space A a; space B = b;");
        assert_eq!(error_messages(&input), ["expected `=`"]);
        assert_eq!(input.declarations.len(), 2);
        assert_eq!(input.declarations[0].ident, "A");
    }

    #[test]
    fn missing_name_declares_nothing() {
        let input = parse("pub space = a; space B = b;");
        assert_eq!(input.errors.len(), 1);
        assert_eq!(input.declarations.len(), 1);
        assert_eq!(input.declarations[0].ident, "B");
    }

    #[test]
    fn header_error_without_name_skips_statement() {
        let input = parse("pub struct; space B = b;");
        assert_eq!(input.errors.len(), 1);
        assert_eq!(input.declarations.len(), 1);
        assert_eq!(input.declarations[0].ident, "B");
    }

    #[test]
    fn missing_body_is_reported() {
        let input = parse("space A = ; space B = b;");
        assert_eq!(
            error_messages(&input),
            ["expected a direction name, a `{...}` list of names, or spaces joined by `|` or `+`"]
        );
        assert!(matches!(input.declarations[0].body, Body::Invalid));
    }

    #[test]
    fn bad_operand_is_reported() {
        let input = parse(r#"space A = B | "c";"#);
        assert_eq!(
            error_messages(&input),
            ["expected the name of a space declared in this block"]
        );
    }

    #[test]
    fn bad_range_is_reported() {
        let input = parse("space A = a: 0..; space B = b: 3;");
        assert_eq!(
            error_messages(&input),
            [
                END_OF_RANGE_MESSAGE,
                "expected `..` or `..=` in an integer range",
            ]
        );
    }
}
