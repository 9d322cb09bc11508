//! Exports `count` (the number of `a` tokens, at every position), verified:
//! `cargo run --release --example count -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/count.rs"]
mod count;

fn main() -> std::process::ExitCode {
    common::run("count", count::build)
}
