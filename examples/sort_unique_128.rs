//! Exports `sort_unique` (distinct tokens sorted ascending) at maximum length 128, verified:
//! `cargo run --release --example sort_unique_128 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/sort_unique.rs"]
mod sort_unique;

fn main() -> std::process::ExitCode {
    common::run(
        "sort_unique_128",
        sort_unique::build::<sort_unique::large::Spaces>,
    )
}
