//! The total order of basis directions, matching the reference's sort wherever it is defined.
//!
//! The reference compares `(name, value)` pairs the Python way and, when Python cannot compare
//! two values (an integer against a string, an absent value against a present one), compares
//! the directions' text forms instead. That relation is not transitive: values `9`, `10` and
//! `"5"` under one name give `9 < 10`, `10 < "5"` (text `"10" < "5"`) and `"5" < 9`. handcraft
//! uses a total order that agrees with it on every case the reference sorts consistently in the
//! golden fixtures, built from a sort key per name and per value:
//!
//! 1. Each name or value gets an *anchor* string: a string is its own anchor; an integer or
//!    float in `[0, 10)` is its shortest decimal form (`3`, `0.5`); every negative number
//!    shares the anchor `-`, and every number of at least 10 shares the anchor `9~`; a tuple's
//!    anchor is `(`; an absent value's anchor is the empty string. Anchors compare by code point.
//! 2. Equal anchors are ordered by kind: string, number, tuple. An absent value comes before
//!    any present value.
//! 3. Within one kind, numbers compare numerically (so `indices:2` comes before `indices:10`),
//!    and tuples element by element, where a string element's anchor is its quoted form
//!    (`'a'`), as in the text form the reference falls back to.
//!
//! Directions compare by name first, then by value. Where the reference's relation is not
//! transitive (strings that begin with a digit or `-`, mixed with negative numbers or numbers
//! of at least 10), this order may differ from any one result of the reference's sort, but it is
//! total, consistent with equality, and independent of the order the directions were given in.

use std::cmp::Ordering;

use crate::direction::{python_str_repr, BasisDirection, Name, Value};

/// The kind rank used when two anchors are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Str,
    Number,
    Tuple,
}

impl Ord for BasisDirection {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_names(&self.name, &other.name)
            .then_with(|| compare_optional_values(self.value.as_ref(), other.value.as_ref()))
    }
}

impl PartialOrd for BasisDirection {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn compare_names(a: &Name, b: &Name) -> Ordering {
    match (a, b) {
        (Name::Str(x), Name::Str(y)) => x.cmp(y),
        (Name::Int(x), Name::Int(y)) => x.cmp(y),
        (Name::Str(s), Name::Int(i)) => s
            .as_str()
            .cmp(&number_anchor(&Value::Int(*i)))
            .then(Kind::Str.cmp(&Kind::Number)),
        (Name::Int(i), Name::Str(s)) => number_anchor(&Value::Int(*i))
            .as_str()
            .cmp(s)
            .then(Kind::Number.cmp(&Kind::Str)),
    }
}

fn compare_optional_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare_values(x, y, false),
    }
}

/// Compares two values; `in_tuple` selects the quoted anchor for strings.
fn compare_values(a: &Value, b: &Value, in_tuple: bool) -> Ordering {
    let (anchor_a, kind_a) = anchor(a, in_tuple);
    let (anchor_b, kind_b) = anchor(b, in_tuple);
    anchor_a
        .cmp(&anchor_b)
        .then(kind_a.cmp(&kind_b))
        .then_with(|| match (a, b) {
            (Value::Tuple(x), Value::Tuple(y)) => compare_tuples(x, y),
            (x, y) if x.is_number() && y.is_number() => compare_numbers(x, y),
            // Strings with equal anchors are equal strings.
            _ => Ordering::Equal,
        })
}

fn compare_tuples(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = compare_values(x, y, true);
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn anchor(value: &Value, in_tuple: bool) -> (String, Kind) {
    match value {
        Value::Str(s) if in_tuple => (python_str_repr(s), Kind::Str),
        Value::Str(s) => (s.clone(), Kind::Str),
        Value::Tuple(_) => ("(".to_owned(), Kind::Tuple),
        number => (number_anchor(number), Kind::Number),
    }
}

fn number_anchor(number: &Value) -> String {
    let x = number.as_f64().unwrap_or(0.0);
    if x < 0.0 {
        "-".to_owned()
    } else if x >= 10.0 {
        "9~".to_owned()
    } else if let Some(i) = number.as_i64() {
        i.to_string()
    } else {
        // Rust's `Display` writes the shortest round-trip digits without an exponent.
        format!("{x}")
    }
}

/// Compares numbers exactly, integers against floats included.
fn compare_numbers(a: &Value, b: &Value) -> Ordering {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let x = a.as_f64().unwrap_or(0.0);
            let y = b.as_f64().unwrap_or(0.0);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}
