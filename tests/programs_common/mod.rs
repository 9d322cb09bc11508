//! The compiled programs of `tests/fixtures/programs/`, rebuilt through the typed API: every
//! space declared with `spaces!`, every head built with `AttentionHead::new` and every MLP
//! with `Mlp::new` from the fixture's matrices.
//!
//! Test files that use this module also declare `mod common;`.

#![allow(dead_code)]

pub mod count_a;
pub mod frac_prevs;
pub mod frac_prevs_causal;
pub mod hist;
pub mod length;
pub mod nary_sequencemap;
pub mod pair_balance;
pub mod reverse;
pub mod shift_by_2;
pub mod sort;
pub mod sort_unique;

use handcraft::{Dir, Linear, ScalarBilinear, Space};
use serde_json::Value as Json;

use crate::common;

/// Declares a module `$module` with one test per program, each calling
/// `$check(name, &fixture, model)` where `model` is the typed model rebuilt from the fixture.
/// `$check` is generic over the residual space. One test per program lets the tests run in
/// parallel and name the failing program.
#[macro_export]
macro_rules! program_tests {
    ($module:ident, $check:path) => {
        $crate::program_tests!(
            $module, $check;
            count_a, frac_prevs, frac_prevs_causal, hist, length, nary_sequencemap,
            pair_balance, reverse, shift_by_2, sort, sort_unique
        );
    };
    ($module:ident, $check:path; $($program:ident),*) => {
        mod $module {
            $(
                #[test]
                fn $program() {
                    let fixture = $crate::common::load(concat!("programs/", stringify!($program), ".json"));
                    let model = $crate::programs_common::$program::model(&fixture);
                    $check(stringify!($program), &fixture, model);
                }
            )*
        }
    };
}

/// Returns head `head` of block `block` of the fixture's `craft_blocks`.
pub fn head_json(fixture: &Json, block: usize, head: usize) -> &Json {
    &fixture["craft_blocks"][block]["heads"][head]
}

/// Returns the MLP of block `block` of the fixture's `craft_blocks`.
pub fn mlp_json(fixture: &Json, block: usize) -> &Json {
    &fixture["craft_blocks"][block]["mlp"]
}

/// Returns whether the rebuilt head is causal: the craft head's own flag, or the compiler's
/// flag, which masks every head of the compiled model.
pub fn causal(fixture: &Json, block: usize, head: usize) -> bool {
    let own = head_json(fixture, block, head)["causal"].as_bool();
    let compiler = fixture["compiler_causal"].as_bool();
    own.expect("a head has a causal flag") || compiler.expect("a program has compiler_causal")
}

/// Returns the BOS token of the fixture as a direction of the token space.
pub fn bos<T: Space>(fixture: &Json) -> Dir<T> {
    let bos = fixture["bos"]
        .as_str()
        .expect("a program names its BOS token");
    Dir::with_value(bos).expect("the token space holds BOS")
}

/// Builds a typed linear map from a fixture matrix, after checking that its row and column
/// labels are the sorted bases of `In` and `Out`.
pub fn linear<In: Space, Out: Space>(matrix: &Json) -> Linear<In, Out> {
    let (rows, columns, data) = common::matrix(matrix);
    assert_eq!(rows.labels(), In::basis().labels(), "rows of a linear map");
    assert_eq!(
        columns.labels(),
        Out::basis().labels(),
        "columns of a linear map"
    );
    Linear::from_fn(|i, o| data[(i.index(), o.index())])
}

/// Builds a typed bilinear form from a fixture head's `w_qk`, after checking its labels.
pub fn bilinear<Q: Space, K: Space>(head: &Json) -> ScalarBilinear<Q, K> {
    let (rows, columns, data) = common::matrix(&head["w_qk"]["matrix"]);
    assert_eq!(rows.labels(), Q::basis().labels(), "query space of a head");
    assert_eq!(columns.labels(), K::basis().labels(), "key space of a head");
    ScalarBilinear::from_fn(|q, k| data[(q.index(), k.index())])
}
