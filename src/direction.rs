//! Basis directions: a name plus an optional value, with the reference's text form and equality.

use std::fmt;
use std::hash::{Hash, Hasher};

/// The name of a basis direction: a string or an integer.
#[derive(Debug, Clone)]
pub enum Name {
    /// A string name such as `tokens`.
    Str(String),
    /// An integer name.
    Int(i64),
}

/// The value of a basis direction.
///
/// Numbers compare and hash by numeric value, so `Int(1)`, `Float(1.0)` and `Bool(true)` are
/// one value, as in the reference. A `Float` must not be NaN: [`crate::Basis`] rejects it.
#[derive(Debug, Clone)]
pub enum Value {
    /// An integer value such as the `3` of `indices:3`.
    Int(i64),
    /// A floating-point value.
    Float(f64),
    /// A boolean value, written `True` or `False`.
    Bool(bool),
    /// A string value such as the `a` of `tokens:a`.
    Str(String),
    /// A tuple of values, written `(1, 'a')`.
    Tuple(Vec<Value>),
}

/// A labelled basis direction `(name, value)`, written `name` or `name:value`.
///
/// ```
/// use handcraft::{BasisDirection, Value};
///
/// let token = BasisDirection::with_value("tokens", "a");
/// assert_eq!(token.to_string(), "tokens:a");
/// assert_eq!(BasisDirection::new("one").to_string(), "one");
/// assert_eq!(
///     BasisDirection::with_value("v", 1),
///     BasisDirection::with_value("v", Value::Bool(true)),
/// );
/// ```
#[derive(Debug, Clone)]
pub struct BasisDirection {
    /// The name, such as `tokens`.
    pub name: Name,
    /// The value, absent for directions such as `one`.
    pub value: Option<Value>,
}

impl BasisDirection {
    /// Creates a direction with a name and no value.
    pub fn new(name: impl Into<Name>) -> Self {
        BasisDirection {
            name: name.into(),
            value: None,
        }
    }

    /// Creates a direction `name:value`.
    pub fn with_value(name: impl Into<Name>, value: impl Into<Value>) -> Self {
        BasisDirection {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// Returns whether this direction's value, or one of its tuple elements, is a NaN float.
    pub fn has_nan(&self) -> bool {
        self.value.as_ref().is_some_and(Value::has_nan)
    }
}

impl Value {
    /// Returns the value as a number when it is an integer, a float or a bool.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Str(_) | Value::Tuple(_) => None,
        }
    }

    /// Returns the value as an integer when it is an integer, a bool, or a float with no
    /// fractional part.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Float(f) => float_as_i64(*f),
            Value::Str(_) | Value::Tuple(_) => None,
        }
    }

    /// Returns the string when the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_) | Value::Bool(_))
    }

    fn has_nan(&self) -> bool {
        match self {
            Value::Float(f) => f.is_nan(),
            Value::Tuple(items) => items.iter().any(Value::has_nan),
            _ => false,
        }
    }
}

/// Converts a float to the integer it equals exactly, if any.
pub(crate) fn float_as_i64(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; every float below it in magnitude with no fraction fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// Compares two numeric values exactly, as Python compares `int`, `float` and `bool`.
pub(crate) fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (a, b) if a.is_number() && b.is_number() => numbers_equal(a, b),
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Str(s) => {
                0u8.hash(state);
                s.hash(state);
            }
            Value::Tuple(items) => {
                1u8.hash(state);
                items.hash(state);
            }
            number => match number.as_i64() {
                // Equal numbers must hash alike, so integral floats and bools hash as integers.
                Some(i) => {
                    2u8.hash(state);
                    i.hash(state);
                }
                None => {
                    3u8.hash(state);
                    number.as_f64().unwrap_or(0.0).to_bits().hash(state);
                }
            },
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Name::Str(a), Name::Str(b)) => a == b,
            (Name::Int(a), Name::Int(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Name::Str(s) => {
                0u8.hash(state);
                s.hash(state);
            }
            Name::Int(i) => {
                1u8.hash(state);
                i.hash(state);
            }
        }
    }
}

impl PartialEq for BasisDirection {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.value == other.value
    }
}

impl Eq for BasisDirection {}

impl Hash for BasisDirection {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.value.hash(state);
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

impl fmt::Display for Value {
    /// Writes the value as Python's `str` does: strings bare, tuple elements in `repr` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            other => write_repr(other, f),
        }
    }
}

impl fmt::Display for BasisDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            None => write!(f, "{}", self.name),
            Some(value) => write!(f, "{}:{}", self.name, value),
        }
    }
}

/// Writes a value as Python's `repr` does.
fn write_repr(value: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match value {
        Value::Int(i) => write!(f, "{i}"),
        Value::Float(x) => f.write_str(&python_float_repr(*x)),
        Value::Bool(true) => f.write_str("True"),
        Value::Bool(false) => f.write_str("False"),
        Value::Str(s) => f.write_str(&python_str_repr(s)),
        Value::Tuple(items) => {
            f.write_str("(")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_repr(item, f)?;
            }
            if items.len() == 1 {
                f.write_str(",")?;
            }
            f.write_str(")")
        }
    }
}

/// Formats a float as Python's `repr`: the shortest round-trip digits, fixed notation for
/// decimal exponents from -4 to 15, scientific notation (`1e-05`, `1e+16`) otherwise.
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }

    // Rust's `{:e}` gives the shortest round-trip digits, such as `1.2345e-5`.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` output always contains an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };

    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let text = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{whole}.{fraction}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{fraction}e{exponent_sign}{:02}",
            exponent.abs()
        )
    }
}

/// Quotes a string as Python's `repr` does.
pub(crate) fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

macro_rules! impl_from {
    ($target:ty { $($source:ty => |$x:ident| $make:expr),* $(,)? }) => {
        $(impl From<$source> for $target {
            fn from($x: $source) -> Self {
                $make
            }
        })*
    };
}

impl_from!(Name {
    &str => |s| Name::Str(s.to_owned()),
    String => |s| Name::Str(s),
    i64 => |i| Name::Int(i),
    i32 => |i| Name::Int(i64::from(i)),
    usize => |i| Name::Int(i as i64),
});

impl_from!(Value {
    &str => |s| Value::Str(s.to_owned()),
    String => |s| Value::Str(s),
    i64 => |i| Value::Int(i),
    i32 => |i| Value::Int(i64::from(i)),
    usize => |i| Value::Int(i as i64),
    f64 => |x| Value::Float(x),
    bool => |b| Value::Bool(b),
    Vec<Value> => |items| Value::Tuple(items),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (0.001, "0.001"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100.0"),
            (1.5e-7, "1.5e-07"),
        ];
        for (x, expected) in cases {
            assert_eq!(python_float_repr(x), expected, "repr of {x}");
        }
    }

    #[test]
    fn tuple_display_quotes_strings() {
        let value = Value::Tuple(vec!["x".into(), 1.into(), "y".into(), Value::Bool(true)]);
        let direction = BasisDirection::with_value("h", value);
        assert_eq!(direction.to_string(), "h:('x', 1, 'y', True)");
        let single = BasisDirection::with_value("h", Value::Tuple(vec![2.into()]));
        assert_eq!(single.to_string(), "h:(2,)");
    }

    #[test]
    fn numbers_equal_across_types() {
        assert_eq!(Value::Int(1), Value::Float(1.0));
        assert_eq!(Value::Int(0), Value::Bool(false));
        assert_ne!(Value::Int(1), Value::Str("1".into()));
        assert_ne!(Value::Float(0.5), Value::Int(0));
    }
}
