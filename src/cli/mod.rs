//! Command-line parsing and dispatch for the `handcraft` binary.
//!
//! Exit codes: 0 on success (also when the reader of the output closes it early), 1 when
//! `verify` finds a disagreement, 2 for bad input (a usage error, an unreadable or
//! inconsistent export, a token the model does not know).

mod inspect;
mod run;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use handcraft::dense::{DenseError, DenseModel};

/// Inspect, run and verify transformer weights exported by handcraft.
#[derive(Debug, Parser)]
#[command(name = "handcraft", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print an export's configuration, layers and heads, residual labels grouped by space,
    /// and verification report.
    Inspect {
        /// Export directory containing config.json and model.safetensors.
        dir: PathBuf,
    },
    /// Run an export on one input and print the decoded output at each position.
    Run {
        /// Export directory containing config.json and model.safetensors.
        dir: PathBuf,
        /// Input tokens, BOS first (for example: BOS a b); put `--` before them when a token
        /// begins with `-`.
        #[arg(required = true)]
        tokens: Vec<String>,
        /// Print JSON with the decoded output and the final residual stream instead.
        #[arg(long)]
        json: bool,
    },
    /// Re-run the cases stored in config.json against model.safetensors; exit 0 only if every
    /// case agrees, 1 otherwise.
    Verify {
        /// Export directory containing config.json and model.safetensors.
        dir: PathBuf,
    },
}

/// An outcome that ends the program with a non-zero exit code.
pub(crate) enum Failure {
    /// Bad input: exit code 2.
    Input(String),
    /// A stored case disagrees: exit code 1.
    Disagreement,
    /// The reader of the output went away, as `head` does: exit quietly with code 0.
    BrokenPipe,
}

impl From<DenseError> for Failure {
    fn from(error: DenseError) -> Self {
        Failure::Input(error.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::BrokenPipe,
            _ => Failure::Input(format!("cannot write output: {error}")),
        }
    }
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with success, usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Inspect { dir } => {
            load(&dir).and_then(|model| inspect::print(&mut out, &dir, &model))
        }
        Command::Run { dir, tokens, json } => {
            load(&dir).and_then(|model| run::print(&mut out, &model, &tokens, json))
        }
        Command::Verify { dir } => load(&dir).and_then(|model| verify::print(&mut out, &model)),
    };
    let _ = out.flush();
    match result {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Disagreement) => ExitCode::from(1),
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn load(dir: &std::path::Path) -> Result<DenseModel, Failure> {
    Ok(DenseModel::load(dir)?)
}
