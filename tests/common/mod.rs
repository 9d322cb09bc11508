//! Readers for the golden fixtures in `tests/fixtures/`, produced by the reference
//! implementation (see `tests/fixtures/README.md` for the format).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use handcraft::nalgebra::DMatrix;
use handcraft::{Basis, BasisDirection, Name, Sequence, Space, Value};
use serde_json::Value as Json;

/// Returns the path of a fixture, relative to `tests/fixtures/`.
pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Reads and parses one fixture file.
pub fn load(relative: &str) -> Json {
    let path = fixture_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("fixture {} is not valid JSON: {e}", path.display()))
}

/// Parses a direction `{"name": ..., "value": ...}`.
pub fn direction(json: &Json) -> BasisDirection {
    let name = match &json["name"] {
        Json::String(s) => Name::Str(s.clone()),
        Json::Number(n) => Name::Int(n.as_i64().expect("integer name")),
        other => panic!("unsupported direction name {other}"),
    };
    let value = match &json["value"] {
        Json::Null => None,
        other => Some(value(other)),
    };
    BasisDirection { name, value }
}

/// Parses a direction value; integers are written without a decimal point, floats with one.
pub fn value(json: &Json) -> Value {
    match json {
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.to_string().contains(['.', 'e', 'E']) => Value::Int(i),
            _ => Value::Float(n.as_f64().expect("finite number")),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::Tuple(items.iter().map(value).collect()),
        Json::Null => panic!("null inside a tuple value"),
        Json::Object(_) => panic!("object as a direction value"),
    }
}

/// Parses a list of directions, keeping the fixture's order.
pub fn directions(json: &Json) -> Vec<BasisDirection> {
    json.as_array()
        .expect("a list of directions")
        .iter()
        .map(direction)
        .collect()
}

/// Parses a space (a list of directions, already sorted in the fixture).
pub fn basis(json: &Json) -> Basis {
    Basis::new(directions(json)).expect("fixture space has distinct directions")
}

/// Parses a number, accepting the strings the fixtures use for non-finite floats.
pub fn number(json: &Json) -> f64 {
    match json {
        Json::Number(n) => n.as_f64().expect("finite number"),
        Json::String(s) if s == "Infinity" => f64::INFINITY,
        Json::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        Json::String(s) if s == "NaN" => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

/// Parses a list of rows of numbers into a matrix.
pub fn rows(json: &Json) -> DMatrix<f64> {
    let rows = json.as_array().expect("a list of rows");
    let columns = rows
        .first()
        .map_or(0, |row| row.as_array().expect("a row").len());
    DMatrix::from_fn(rows.len(), columns, |i, j| number(&rows[i][j]))
}

/// Parses a matrix `{"rows": space, "cols": space, "data": [[...]]}`.
pub fn matrix(json: &Json) -> (Basis, Basis, DMatrix<f64>) {
    (
        basis(&json["rows"]),
        basis(&json["cols"]),
        rows(&json["data"]),
    )
}

/// Asserts that two matrices agree entry by entry within `tolerance`, relative to the larger
/// magnitude when it exceeds 1.
pub fn assert_close(actual: &DMatrix<f64>, expected: &DMatrix<f64>, tolerance: f64, what: &str) {
    assert_eq!(actual.shape(), expected.shape(), "{what}: shape");
    for i in 0..expected.nrows() {
        for j in 0..expected.ncols() {
            let (a, e) = (actual[(i, j)], expected[(i, j)]);
            let scale = a.abs().max(e.abs()).max(1.0);
            assert!(
                (a - e).abs() <= tolerance * scale,
                "{what}: entry ({i}, {j}) is {a}, expected {e}"
            );
        }
    }
}

/// Copies a sequence's matrix into a run-time-shaped matrix.
pub fn sequence_matrix<S: Space>(sequence: &Sequence<S>) -> DMatrix<f64> {
    let matrix = sequence.matrix();
    DMatrix::from_fn(matrix.nrows(), matrix.ncols(), |i, j| matrix[(i, j)])
}
