//! Exports `shift_by` (the tokens shifted right by 2), verified:
//! `cargo run --release --example shift_by -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/shift_by.rs"]
mod shift_by;

fn main() -> std::process::ExitCode {
    common::run("shift_by", shift_by::build)
}
