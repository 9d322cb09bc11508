//! Exports `pair_balance` (the running balance of `(` and `)`), verified:
//! `cargo run --release --example pair_balance -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/pair_balance.rs"]
mod pair_balance;

fn main() -> std::process::ExitCode {
    common::run("pair_balance", pair_balance::build)
}
