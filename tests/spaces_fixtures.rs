//! Directions, order, join, direct sum and projection against the reference's golden numbers.

mod common;

use common::{basis, directions, load, matrix, rows};
use handcraft::{Basis, BasisDirection, Error, Linear, Sequence, Space, Value};

#[test]
fn sorting_matches_every_recorded_order() {
    let fixture = load("craft/sorting_mixed_value_types.json");
    for list in fixture["lists"].as_array().unwrap() {
        let case = list["case"].as_str().unwrap();
        let sorted = Basis::new(directions(&list["input_order"])).unwrap();
        assert_eq!(
            sorted.directions(),
            directions(&list["sorted"]).as_slice(),
            "case {case}: directions"
        );
        let expected_labels: Vec<String> = list["sorted_strings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(sorted.labels(), expected_labels, "case {case}: text forms");
    }
}

#[test]
fn sorting_is_independent_of_input_order() {
    let fixture = load("craft/sorting_mixed_value_types.json");
    for list in fixture["lists"].as_array().unwrap() {
        let input = directions(&list["input_order"]);
        let expected = Basis::new(input.clone()).unwrap();
        // Every rotation and the reversal of the input give the same basis.
        for shift in 0..input.len() {
            let mut rotated = input.clone();
            rotated.rotate_left(shift);
            assert_eq!(Basis::new(rotated).unwrap(), expected);
        }
        let reversed: Vec<_> = input.into_iter().rev().collect();
        assert_eq!(Basis::new(reversed).unwrap(), expected);
    }
}

#[test]
fn vector_in_basis_permutes_magnitudes_along() {
    let fixture = load("craft/sorting_mixed_value_types.json");
    for list in fixture["lists"].as_array().unwrap() {
        let case = list["case"].as_str().unwrap();
        let input = basis(&list["vector_in_basis_order"]);
        let unsorted = directions(&list["input_order"]);
        // Magnitudes 0..n in input order, placed by direction into the sorted basis.
        let mut placed = vec![0.0; unsorted.len()];
        for (magnitude, direction) in unsorted.iter().enumerate() {
            placed[input.index_of(direction).unwrap()] = magnitude as f64;
        }
        let expected: Vec<f64> = list["vector_in_basis_magnitudes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_f64().unwrap())
            .collect();
        assert_eq!(placed, expected, "case {case}");
    }
}

#[test]
fn equal_values_make_one_direction() {
    let fixture = load("craft/sorting_mixed_value_types.json");
    let note = &fixture["equality_note"];
    let equal = directions(&note["directions"]);
    assert!(equal.windows(2).all(|pair| pair[0] == pair[1]));
    // The error names the second of the equal directions in the order given.
    let error = Basis::new(equal).unwrap_err();
    assert_eq!(
        error,
        Error::DuplicateDirection {
            direction: "v:1.0".to_owned()
        }
    );
    assert_eq!(note["set_size"], 1);
}

#[test]
fn join_merges_shared_directions() {
    let fixture = load("craft/join_vector_spaces.json");
    let inputs: Vec<Basis> = fixture["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(basis)
        .collect();
    let joined = Basis::join(&inputs);
    assert_eq!(
        joined.directions(),
        directions(&fixture["expected"]).as_slice()
    );
}

#[test]
fn direct_sum_of_disjoint_spaces_is_sorted() {
    let fixture = load("craft/direct_sum_disjoint.json");
    let inputs: Vec<Basis> = fixture["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(basis)
        .collect();
    let sum = Basis::direct_sum(&inputs).unwrap();
    assert_eq!(
        sum.directions(),
        directions(&fixture["expected"]).as_slice()
    );
}

#[test]
fn direct_sum_of_overlapping_spaces_fails() {
    let fixture = load("craft/direct_sum_overlap_error.json");
    assert_eq!(fixture["expect_error"], "ValueError");
    let inputs: Vec<Basis> = fixture["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(basis)
        .collect();
    assert_eq!(
        Basis::direct_sum(&inputs).unwrap_err(),
        Error::Overlap {
            direction: "c:x".to_owned()
        }
    );
}

#[test]
fn nan_value_is_rejected() {
    let error = Basis::new([BasisDirection::with_value("x", Value::Float(f64::NAN))]).unwrap_err();
    assert_eq!(
        error,
        Error::NanValue {
            direction: "x:nan".to_owned()
        }
    );
}

handcraft::spaces! {
    space NamesAB = {a, b};
    space C12 = c: {1, 2};
    space From = NamesAB | C12;
    space NamesBD = {b, d};
    space C23 = c: {2, 3};
    space To = NamesBD | C23;
}

#[test]
fn projection_matrix_matches_partial_overlap() {
    let fixture = load("craft/project_partial_overlap.json");
    let (from, to, expected) = matrix(&fixture["expected"]);
    assert_eq!(&from, From::basis());
    assert_eq!(&to, To::basis());
    assert_eq!(Linear::<From, To>::project().to_dmatrix(), expected);
    assert_eq!(From::basis().projection_matrix(To::basis()), expected);
}

#[test]
fn projection_of_sequence_pads_and_drops() {
    let fixture = load("craft/project_partial_overlap.json");
    let input = rows(&fixture["input"]["data"]);
    let input_rows: Vec<Vec<f64>> = input
        .row_iter()
        .map(|r| r.iter().copied().collect())
        .collect();
    let sequence = Sequence::<From>::from_rows(&input_rows).unwrap();
    let projected = sequence.project::<To>();
    let expected = rows(&fixture["expected_output"]["data"]);
    for i in 0..expected.nrows() {
        for j in 0..expected.ncols() {
            assert_eq!(
                projected.matrix()[(i, j)],
                expected[(i, j)],
                "entry ({i}, {j})"
            );
        }
    }
}

handcraft::spaces! {
    space AB = {a, b};
    space BC = {b, c};
    space C = {c};
    space XY = {x, y};
    space YZ = {y, z};
    space W = {w};
    space JointIn = AB | BC | C;
    space JointOut = XY | YZ | W;
}

fn linear_from<In: Space, Out: Space>(json: &serde_json::Value) -> Linear<In, Out> {
    let (rows_basis, cols_basis, data) = matrix(json);
    assert_eq!(&rows_basis, In::basis());
    assert_eq!(&cols_basis, Out::basis());
    Linear::from_fn(|i, o| data[(i.index(), o.index())])
}

#[test]
fn linear_combine_in_parallel_adds_shared_entries() {
    let fixture = load("craft/linear_combine_in_parallel.json");
    let parts = fixture["parts"].as_array().unwrap();
    let first = linear_from::<AB, XY>(&parts[0]);
    let second = linear_from::<BC, YZ>(&parts[1]);
    let third = linear_from::<C, W>(&parts[2]);
    let joint =
        Linear::<JointIn, JointOut>::combine_in_parallel(&first, &second).with_parallel(&third);

    let (rows_basis, cols_basis, expected) = matrix(&fixture["expected"]);
    assert_eq!(&rows_basis, JointIn::basis());
    assert_eq!(&cols_basis, JointOut::basis());
    assert_eq!(joint.to_dmatrix(), expected);

    let input = rows(&fixture["input"]["data"]);
    let input_rows: Vec<Vec<f64>> = input
        .row_iter()
        .map(|r| r.iter().copied().collect())
        .collect();
    let output = joint.apply(&Sequence::from_rows(&input_rows).unwrap());
    common::assert_close(
        &common::sequence_matrix(&output),
        &rows(&fixture["expected_output"]["data"]),
        1e-12,
        "combined map output",
    );
}
