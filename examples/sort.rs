//! Exports `sort` (the tokens sorted ascending, repeats allowed), verified:
//! `cargo run --release --example sort -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/sort.rs"]
mod sort;

fn main() -> std::process::ExitCode {
    common::run("sort", sort::build)
}
