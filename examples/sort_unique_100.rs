//! Exports `sort_unique` (distinct tokens sorted ascending) over the integers 0 to 99 at
//! maximum length 100, verified:
//! `cargo run --release --example sort_unique_100 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/sort_unique.rs"]
mod sort_unique;

fn main() -> std::process::ExitCode {
    common::run(
        "sort_unique_100",
        sort_unique::build::<sort_unique::hundred::Spaces>,
    )
}
