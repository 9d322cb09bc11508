//! Exports `reverse` (the tokens in reverse order), verified:
//! `cargo run --release --example reverse -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/reverse.rs"]
mod reverse;

fn main() -> std::process::ExitCode {
    common::run("reverse", reverse::build::<reverse::small::Spaces>)
}
