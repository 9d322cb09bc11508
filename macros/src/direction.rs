//! Basis directions inside the macro: their values, their equality and their text form.
//!
//! Equality follows Python, as the reference library does: numbers compare by value across
//! integers, floats and bools (`1 == 1.0 == True`, `0 == False`), strings by content, tuples
//! element by element, and an integer name never equals a string name. The text form is the
//! reference's `name` or `name:value`, used in error messages.

use std::fmt;
use std::rc::Rc;

/// The name of a basis direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Name {
    /// A name written as an identifier or a string literal.
    Str(Rc<str>),
    /// A name written as an integer literal.
    Int(i64),
}

/// The value of a basis direction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    /// A finite float, because validation rejects literals that overflow to infinity.
    Float(f64),
    Bool(bool),
    Str(String),
    Tuple(Vec<Value>),
}

/// A basis direction: a name and an optional value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Direction {
    pub name: Name,
    pub value: Option<Value>,
}

/// The identity of a value under Python equality: equal values have equal keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ValueKey {
    /// Every integer, bool and float with no fractional part that fits in `i64`.
    Integral(i64),
    /// The bits of any other finite float. Such a float equals no integer, and two of them are
    /// equal exactly when their bits are, because `-0.0` is integral and NaN never occurs.
    Fractional(u64),
    Str(String),
    Tuple(Vec<ValueKey>),
}

/// The identity of a direction under Python equality, used to find duplicates and shared
/// directions with hash maps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DirectionKey {
    name: Name,
    value: Option<ValueKey>,
}

impl Direction {
    /// Creates a direction with a name and no value.
    pub fn named(name: Name) -> Self {
        Direction { name, value: None }
    }

    /// Creates a direction `name:value`.
    pub fn with_value(name: Name, value: Value) -> Self {
        Direction {
            name,
            value: Some(value),
        }
    }

    /// Returns the key under which this direction equals every direction Python deems equal.
    pub fn key(&self) -> DirectionKey {
        DirectionKey {
            name: self.name.clone(),
            value: self.value.as_ref().map(Value::key),
        }
    }
}

impl Value {
    fn key(&self) -> ValueKey {
        match self {
            Value::Int(i) => ValueKey::Integral(*i),
            Value::Bool(b) => ValueKey::Integral(i64::from(*b)),
            Value::Float(x) => match integral_float(*x) {
                Some(i) => ValueKey::Integral(i),
                None => ValueKey::Fractional(x.to_bits()),
            },
            Value::Str(s) => ValueKey::Str(s.clone()),
            Value::Tuple(items) => ValueKey::Tuple(items.iter().map(Value::key).collect()),
        }
    }
}

/// Returns the integer a float equals exactly, when that integer fits in `i64`.
fn integral_float(x: f64) -> Option<i64> {
    // 2^63 is a float, and every float of smaller magnitude with no fraction fits in i64.
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    if x.fract() == 0.0 && (-TWO_TO_63..TWO_TO_63).contains(&x) {
        Some(x as i64)
    } else {
        None
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Str(s) => f.write_str(s),
            Name::Int(i) => write!(f, "{i}"),
        }
    }
}

/// Writes a direction as the reference prints it: `name`, or `name:value` with the value as
/// Python's `str` gives it.
impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            None => write!(f, "{}", self.name),
            Some(Value::Str(s)) => write!(f, "{}:{}", self.name, s),
            Some(value) => write!(f, "{}:{}", self.name, python_repr(value)),
        }
    }
}

/// Formats a value as Python's `repr` does.
pub(crate) fn python_repr(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Float(x) => python_float_repr(*x),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Str(s) => python_string_repr(s),
        Value::Tuple(items) => {
            let elements: Vec<String> = items.iter().map(python_repr).collect();
            if elements.len() == 1 {
                format!("({},)", elements[0])
            } else {
                format!("({})", elements.join(", "))
            }
        }
    }
}

/// Formats a finite float as Python's `repr` does: the shortest digits that round-trip, in
/// positional notation when the decimal exponent is from -4 to 15 (`0.0001`, `1e+16`).
fn python_float_repr(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }

    // Rust's `{:e}` writes the shortest round-trip digits as `d.ddde<exponent>`.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
    let digits = mantissa.replace('.', "");
    let sign = if x < 0.0 { "-" } else { "" };

    if !(-4..16).contains(&exponent) {
        let fraction = &digits[1..];
        let dot = if fraction.is_empty() { "" } else { "." };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        let magnitude = exponent.unsigned_abs();
        return format!(
            "{sign}{}{dot}{fraction}e{exponent_sign}{magnitude:02}",
            &digits[..1]
        );
    }

    // Digits before the decimal point: zero or negative when the number is below 1.
    let integer_digits = exponent + 1;
    if integer_digits <= 0 {
        let zeros = "0".repeat(integer_digits.unsigned_abs() as usize);
        format!("{sign}0.{zeros}{digits}")
    } else if integer_digits as usize >= digits.len() {
        let zeros = "0".repeat(integer_digits as usize - digits.len());
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (integer, fraction) = digits.split_at(integer_digits as usize);
        format!("{sign}{integer}.{fraction}")
    }
}

/// Quotes a string as Python's `repr` does for ASCII text.
///
/// NOTE: Python also escapes non-printable characters beyond ASCII, such as `\u200b`. This
/// function writes them as they are, which only affects error messages.
fn python_string_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push(quote);
    for c in s.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c == quote => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_ascii_control() => quoted.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push(quote);
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn str_name(s: &str) -> Name {
        Name::Str(s.into())
    }

    fn direction(name: &str, value: Value) -> Direction {
        Direction::with_value(str_name(name), value)
    }

    #[test]
    fn numbers_equal_across_types() {
        let int_one = direction("v", Value::Int(1)).key();
        assert_eq!(int_one, direction("v", Value::Float(1.0)).key());
        assert_eq!(int_one, direction("v", Value::Bool(true)).key());
        let zero = direction("v", Value::Int(0)).key();
        assert_eq!(zero, direction("v", Value::Bool(false)).key());
        assert_eq!(zero, direction("v", Value::Float(-0.0)).key());
    }

    #[test]
    fn distinct_values_have_distinct_keys() {
        let half = direction("v", Value::Float(0.5)).key();
        assert_ne!(half, direction("v", Value::Int(0)).key());
        assert_ne!(half, direction("v", Value::Float(0.25)).key());
        let int_one = direction("v", Value::Int(1)).key();
        assert_ne!(int_one, direction("v", Value::Str("1".into())).key());
        assert_ne!(int_one, direction("w", Value::Int(1)).key());
        assert_ne!(int_one, Direction::named(str_name("v")).key());
    }

    #[test]
    fn large_integers_compare_exactly() {
        // 2^53 + 1 is no float, and in Python 9007199254740993 != 9007199254740992.0.
        let int = direction("v", Value::Int(9_007_199_254_740_993)).key();
        let float = direction("v", Value::Float(9_007_199_254_740_992.0)).key();
        assert_ne!(int, float);
        let huge = direction("v", Value::Float(1e300)).key();
        assert_ne!(huge, direction("v", Value::Int(i64::MAX)).key());
    }

    #[test]
    fn integer_name_differs_from_string_name() {
        let int_name = Direction::named(Name::Int(1)).key();
        assert_ne!(int_name, Direction::named(str_name("1")).key());
    }

    #[test]
    fn tuples_compare_element_wise() {
        let a = Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]);
        let b = Value::Tuple(vec![Value::Bool(true), Value::Str("a".into())]);
        let c = Value::Tuple(vec![Value::Int(1), Value::Str("b".into())]);
        assert_eq!(direction("t", a.clone()).key(), direction("t", b).key());
        assert_ne!(direction("t", a.clone()).key(), direction("t", c).key());
        let longer = Value::Tuple(vec![Value::Int(1), Value::Str("a".into()), Value::Int(0)]);
        assert_ne!(direction("t", a).key(), direction("t", longer).key());
    }

    #[test]
    fn text_form_matches_python() {
        let cases = [
            (direction("tokens", Value::Str("a".into())), "tokens:a"),
            (direction("indices", Value::Int(-3)), "indices:-3"),
            (direction("v", Value::Float(1.0)), "v:1.0"),
            (direction("v", Value::Bool(true)), "v:True"),
            (direction("v", Value::Bool(false)), "v:False"),
            (Direction::named(str_name("one")), "one"),
            (Direction::named(Name::Int(3)), "3"),
            (
                direction(
                    "t",
                    Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]),
                ),
                "t:(1, 'a')",
            ),
            (direction("t", Value::Tuple(vec![Value::Int(2)])), "t:(2,)"),
            (direction("t", Value::Tuple(vec![])), "t:()"),
            (
                direction("t", Value::Tuple(vec![Value::Str("it's".into())])),
                "t:(\"it's\",)",
            ),
        ];
        for (direction, expected) in cases {
            assert_eq!(direction.to_string(), expected);
        }
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.25e16, "1.25e+16"),
            (123456.789, "123456.789"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e300, "1e+300"),
        ];
        for (x, expected) in cases {
            assert_eq!(python_float_repr(x), expected, "repr of {x:?}");
        }
    }

    #[test]
    fn string_repr_matches_python() {
        assert_eq!(python_string_repr("a"), "'a'");
        assert_eq!(python_string_repr("it's"), "\"it's\"");
        assert_eq!(python_string_repr("'\""), "'\\'\"'");
        assert_eq!(python_string_repr("a\\b\n"), "'a\\\\b\\n'");
        assert_eq!(python_string_repr("\u{1}"), "'\\x01'");
    }
}
