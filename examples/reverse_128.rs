//! Exports `reverse` (the tokens in reverse order) at maximum length 128, verified:
//! `cargo run --release --example reverse_128 -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/reverse.rs"]
mod reverse;

fn main() -> std::process::ExitCode {
    common::run("reverse_128", reverse::build::<reverse::large::Spaces>)
}
