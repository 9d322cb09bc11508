//! The `handcraft` command: inspect, run and verify exported models.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
