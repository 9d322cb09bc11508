//! Exports `hist` (how often each position's token occurs), verified:
//! `cargo run --release --example hist -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/hist.rs"]
mod hist;

fn main() -> std::process::ExitCode {
    common::run("hist", hist::build::<hist::small::Spaces>)
}
