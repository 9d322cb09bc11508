//! Exports `detect_pattern` (where `a b c` ends), verified:
//! `cargo run --release --example detect_pattern -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/detect_pattern.rs"]
mod detect_pattern;

fn main() -> std::process::ExitCode {
    common::run("detect_pattern", detect_pattern::build)
}
