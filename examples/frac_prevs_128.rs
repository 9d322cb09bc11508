//! Exports `frac_prevs` (the fraction of `x` tokens up to each position) at maximum length
//! 128, verified:
//! `cargo run --release --example frac_prevs_128 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/frac_prevs.rs"]
mod frac_prevs;

fn main() -> std::process::ExitCode {
    common::run("frac_prevs_128", || {
        frac_prevs::build::<frac_prevs::large::Spaces>(false)
    })
}
