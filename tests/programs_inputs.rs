//! Programs run on inputs at and past their limits: no token after BOS, the maximum length,
//! one token too many, and tokens outside the vocabulary.

#[path = "../examples/common/programs/mod.rs"]
mod programs;

use handcraft::assemble::AssembleError;
use programs::{detect_pattern, length, shuffle_dyck};
use serde_json::Value as Json;

#[test]
fn length_at_maximum_length() {
    let model = length::build().expect("the program builds");
    let input = ["BOS", "a", "b", "c", "a", "b"];
    let decoded = programs::run(&model, &input).expect("the model runs");
    assert_eq!(decoded[1..], vec![Json::from(5); 5]);
}

#[test]
fn length_rejects_one_token_too_many() {
    let model = length::build().expect("the program builds");
    let ids =
        programs::encode(&model, &["BOS", "a", "b", "c", "a", "b", "c"]).expect("known tokens");
    let error = model
        .final_residual(&ids)
        .expect_err("7 positions do not fit");
    assert!(
        matches!(
            error,
            AssembleError::TooLong {
                len: 7,
                max_seq_len: 5
            }
        ),
        "unexpected error: {error}"
    );
}

#[test]
fn length_of_bos_alone_runs() {
    // BOS alone has no output position; the model still runs on it.
    let model = length::build().expect("the program builds");
    let decoded = programs::run(&model, &["BOS"]).expect("the model runs");
    assert_eq!(decoded.len(), 1);
}

#[test]
fn run_rejects_unknown_token() {
    let model = shuffle_dyck::build().expect("the program builds");
    let error = programs::run(&model, &["BOS", "(", "["]).expect_err("`[` is not a token");
    assert_eq!(
        error.to_string(),
        r#"token `[` is not in the vocabulary ["(", ")", "BOS", "{", "}"]"#
    );
}

#[test]
fn detect_pattern_finds_repeated_pattern() {
    let model = detect_pattern::build().expect("the program builds");
    let decoded =
        programs::run(&model, &["BOS", "a", "b", "c", "a", "b", "c"]).expect("the model runs");
    let expected = [true, false, false, true].map(Json::from);
    assert_eq!(decoded[3..], expected);
}
