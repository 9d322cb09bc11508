#!/usr/bin/env bash
# Builds everything and runs the whole test suite: unit, integration and doc tests, the
# compile-fail suite in ui-tests/, clippy with warnings as errors, and the format check.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --workspace --all-targets --locked
cargo test --workspace --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo fmt --all --check
