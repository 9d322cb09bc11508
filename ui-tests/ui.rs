//! Compile-time tests. Every program in `pass/` must build and run, and every program in
//! `fail/` must be rejected with exactly the errors in its `.stderr` snapshot.
//!
//! Both sets are in one `TestCases`, so trybuild builds with `cargo build` rather than
//! `cargo check`, and errors raised during monomorphisation show up as well. To regenerate the
//! snapshots after an intended change, run `TRYBUILD=overwrite cargo test -p handcraft-ui-tests`
//! and read every changed `.stderr`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("pass/*.rs");
    cases.compile_fail("fail/*.rs");
}
