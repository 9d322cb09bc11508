//! Exports `sort_freq` (the tokens sorted by descending frequency), verified:
//! `cargo run --release --example sort_freq -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/sort_freq.rs"]
mod sort_freq;

fn main() -> std::process::ExitCode {
    common::run("sort_freq", sort_freq::build)
}
