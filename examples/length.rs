//! Exports `length` (every position holds the number of tokens), verified:
//! `cargo run --release --example length -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/length.rs"]
mod length;

fn main() -> std::process::ExitCode {
    common::run("length", length::build)
}
