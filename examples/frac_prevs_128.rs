//! Exports `frac_prevs` (the fraction of `x` tokens up to each position) at maximum length
//! 128, verified:
//! `cargo run --release --example frac_prevs_128 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/frac_prevs.rs"]
mod frac_prevs;

/// Random inputs to verify: there are far too many inputs to check them all, and each long
/// input costs a full dense forward pass, so 100 keep the export near a second.
const SAMPLES: usize = 100;

fn main() -> std::process::ExitCode {
    common::run("frac_prevs_128", SAMPLES, || {
        frac_prevs::build::<frac_prevs::large::Spaces>(false)
    })
}
