//! Exports `nary_sequencemap` (`x·y + z` of token, index and 2 - token), verified:
//! `cargo run --release --example nary_sequencemap -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/nary_sequencemap.rs"]
mod nary_sequencemap;

fn main() -> std::process::ExitCode {
    common::run("nary_sequencemap", nary_sequencemap::build)
}
