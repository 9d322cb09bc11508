//! Exports `hist` (how often each position's token occurs) at maximum length 128, verified:
//! `cargo run --release --example hist_128 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/hist.rs"]
mod hist;

fn main() -> std::process::ExitCode {
    common::run("hist_128", hist::build::<hist::large::Spaces>)
}
