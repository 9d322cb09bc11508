//! Exports `shuffle_dyck` (whether `()` and `{}` are both balanced), verified:
//! `cargo run --release --example shuffle_dyck -- --out DIR`.

mod common;

// The tests also use this module's constants and spaces; this binary only builds the model.
#[allow(dead_code)]
#[path = "common/programs/shuffle_dyck.rs"]
mod shuffle_dyck;

fn main() -> std::process::ExitCode {
    common::run("shuffle_dyck", shuffle_dyck::build)
}
