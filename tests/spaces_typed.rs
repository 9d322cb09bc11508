//! Spaces declared with `spaces!` get the reference's sorted bases and the relations between
//! them, checked against the golden fixtures.

mod common;

use common::{directions, load};
use handcraft::{Basis, Dir, Space, Subspace, TypenumDim, Value};

handcraft::spaces! {
    space IntsAndStrs = t: {3, "a", 1, "B", 20, "10"};
    space NoneNames = {x, w, y};
    space NoneValues = NoneNames | XValues;
    space XValues = x: {2, 0};
    space BValues = b: {true, false, 2, -1};
    space Bools = BValues | ATrue;
    space ATrue = a: {true};
    space FloatsAndInts = f: {0.5, 1, -2.25, 0, 0.001};
    space TupleMixed = h: {("x", 1, "y", "a"), ("x", 0, "y", "b"), ("x", "s", "y", "a"), ("x", 1, "y", 2)};
    space MixedNames = {2, a, 10, "B", "1"};
    space IntAndStrNames = MixedNames | IntNameWithValue;
    space IntNameWithValue = 1: {"x"};
    space TokenValues = tokens: {"BOS", 1, "a", 0};
    space MixedTokens = TokenValues | TokensName;
    space TokensName = {tokens};
    space MixedIndices = indices: {0, 10, 2};
    space OneName = one;
    space MixedEverything = MixedTokens | MixedIndices | OneName;
}

fn sorted_in_fixture(case: &str) -> Vec<handcraft::BasisDirection> {
    let fixture = load("craft/sorting_mixed_value_types.json");
    let list = fixture["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["case"] == case)
        .unwrap_or_else(|| panic!("no sorting case {case}"))
        .clone();
    directions(&list["sorted"])
}

#[test]
fn declared_spaces_sort_like_the_reference() {
    let cases: [(&str, &Basis); 8] = [
        ("ints_and_strs_same_name", IntsAndStrs::basis()),
        ("none_values", NoneValues::basis()),
        ("bools", Bools::basis()),
        ("floats_and_ints", FloatsAndInts::basis()),
        ("tuple_mixed_types", TupleMixed::basis()),
        ("int_and_str_names", IntAndStrNames::basis()),
        ("mixed_everything", MixedEverything::basis()),
        ("tuple_values", TupleValues::basis()),
    ];
    for (case, basis) in cases {
        assert_eq!(
            basis.directions(),
            sorted_in_fixture(case).as_slice(),
            "case {case}"
        );
    }
}

handcraft::spaces! {
    space HValues = h: {(1, 0), (0, 1), (1, 1), (0, 0)};
    space TupleValues = HValues | HStart | G;
    space HStart = {hstart};
    space G = g: {(2, "a")};
}

#[test]
fn integers_sort_numerically() {
    assert_eq!(
        MixedIndices::basis().labels(),
        ["indices:0", "indices:2", "indices:10"]
    );
}

#[test]
fn dimension_is_a_type_and_a_constant() {
    use handcraft::nalgebra::{Const, DimName};
    use handcraft::typenum::Unsigned;

    assert_eq!(MixedEverything::DIM, 9);
    assert_eq!(<MixedEverything as Space>::Dim::DIM, 9);
    let _: Const<9> = <MixedEverything as Space>::Dim::name();
    assert_eq!(<MixedEverything as TypenumDim>::TDim::USIZE, 9);
}

fn is_subspace<Sub: Subspace<Sup>, Sup: Space>() -> bool {
    Sub::basis().is_subspace_of(Sup::basis())
}

#[test]
fn join_components_are_subspaces() {
    assert!(is_subspace::<MixedTokens, MixedEverything>());
    assert!(is_subspace::<MixedIndices, MixedEverything>());
    assert!(is_subspace::<OneName, MixedEverything>());
    assert!(is_subspace::<TokensName, MixedTokens>());
    assert!(is_subspace::<MixedEverything, MixedEverything>());
}

#[test]
fn typed_direction_reads_mixed_values() {
    let bos = Dir::<MixedTokens>::with_value("BOS").unwrap();
    assert_eq!(bos.to_string(), "tokens:BOS");
    let one = Dir::<MixedTokens>::with_value(1).unwrap();
    assert_eq!(one.value_i64(), Some(1));
    // `true` equals 1, as in the reference.
    assert_eq!(
        Dir::<MixedTokens>::with_value(Value::Bool(true)).unwrap(),
        one
    );
}

handcraft::spaces! {
    space WideIndices = indices: 0..600;
    space WideTokens = tokens: 0..400;
    space WideFlags = flags: 0..30;
    space WideResidual = WideIndices | WideTokens | WideFlags;
    space HugeResidual = WideIndices | WideTokens | WideFlags | Extra;
    space Extra = extra: 0..100;
}

#[test]
fn wide_residual_in_debug_thread() {
    use handcraft::{Linear, Sequence};

    assert_eq!(WideResidual::DIM, 1030);
    assert_eq!(HugeResidual::DIM, 1130);
    // Runs on a libtest thread (2 MiB of stack) in a debug build.
    let tokens = Sequence::<WideTokens>::from_fn(256, |position, d| {
        if d.index() == position % 400 {
            1.0
        } else {
            0.0
        }
    });
    let residual = tokens.embed::<WideResidual>();
    let copy = Linear::<WideResidual, WideResidual>::identity();
    let copied = copy.apply(&residual);
    assert_eq!(copied, residual);
    let restricted = copied.restrict::<WideIndices>();
    assert_eq!(restricted.len(), 256);
    assert_eq!(restricted.matrix().sum(), 0.0);
    let widened = copied.embed::<HugeResidual>();
    assert_eq!(widened.restrict::<WideTokens>(), tokens);
}
