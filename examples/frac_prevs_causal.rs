//! Exports `frac_prevs` (the fraction of `x` tokens up to each position) with a causal mask,
//! verified:
//! `cargo run --release --example frac_prevs_causal -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/frac_prevs.rs"]
mod frac_prevs;

fn main() -> std::process::ExitCode {
    common::run("frac_prevs_causal", || {
        frac_prevs::build::<frac_prevs::small::Spaces>(true)
    })
}
