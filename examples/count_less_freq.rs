//! Exports `count_less_freq` (how many positions hold a token that occurs at most twice),
//! verified:
//! `cargo run --release --example count_less_freq -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/count_less_freq.rs"]
mod count_less_freq;

fn main() -> std::process::ExitCode {
    common::run("count_less_freq", count_less_freq::build)
}
