//! The part every example shares: the `--out DIR` command line, the verified export and its
//! one-screen summary.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{CommandFactory, FromArgMatches, Parser};
use handcraft::assemble::{Model, OutputKind};
use handcraft::export::{ExportOptions, ExportReport};
use handcraft::Space;

/// Command-line arguments of an example; `run` sets the program name and description.
#[derive(Debug, Parser)]
struct Args {
    /// Directory to write `model.safetensors` and `config.json` to; created if missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Random inputs to verify the export on; `run` writes the help with the default.
    #[arg(long, value_name = "N", value_parser = parse_samples)]
    samples: Option<usize>,
}

/// Parses `--samples`, which may raise the library's default sample size but not lower it:
/// an export that cannot check every input checks at least that many random inputs.
fn parse_samples(text: &str) -> Result<usize, String> {
    let minimum = ExportOptions::default().sample_size;
    let samples: usize = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if samples < minimum {
        return Err(format!(
            "{samples} is too few: an export that cannot check every input checks at least \
             {minimum} random inputs"
        ));
    }
    Ok(samples)
}

/// How long each step took.
struct Timings {
    build: Duration,
    assemble: Duration,
    export: Duration,
}

/// Parses the command line, builds the model with `build`, exports it verified and prints a
/// summary.
pub fn run<R: Space>(
    name: &'static str,
    build: impl FnOnce() -> Result<Model<R>, Box<dyn Error>>,
) -> ExitCode {
    let about = format!(
        "Builds the `{name}` model, exports it to DIR as model.safetensors and config.json, \
         and verifies the files against the typed model"
    );
    let defaults = ExportOptions::default();
    let samples_help = format!(
        "Random inputs to verify the export on when there are too many to check them all \
         (every input is checked when there are at most {}); at least {} [default: {}]",
        defaults.exhaustive_limit, defaults.sample_size, defaults.sample_size
    );
    let matches = Args::command()
        .name(name)
        .about(about)
        .mut_arg("samples", |arg| arg.help(samples_help))
        .get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(error) => error.exit(),
    };
    let samples = args.samples.unwrap_or(defaults.sample_size);
    match export(build, &args.out, samples) {
        Ok((model, report, timings)) => {
            print_summary(name, &args.out, &model, &report, &timings);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds, assembles and exports the model, timing each step.
fn export<R: Space>(
    build: impl FnOnce() -> Result<Model<R>, Box<dyn Error>>,
    out: &Path,
    samples: usize,
) -> Result<(Model<R>, ExportReport, Timings), Box<dyn Error>> {
    let start = Instant::now();
    let model = build()?;
    let build_time = start.elapsed();

    // `export` assembles again; this separate run only measures assembly alone.
    let start = Instant::now();
    model.assemble()?;
    let assemble_time = start.elapsed();

    let options = ExportOptions::default().sample_size(samples);
    let start = Instant::now();
    let report = model.export(out, &options)?;
    let export_time = start.elapsed();

    let timings = Timings {
        build: build_time,
        assemble: assemble_time,
        export: export_time,
    };
    Ok((model, report, timings))
}

fn print_summary<R: Space>(
    name: &str,
    out: &Path,
    model: &Model<R>,
    report: &ExportReport,
    timings: &Timings,
) {
    let config = report.config();
    let verification = report.verification();
    let spaces = model.spaces();

    let output_kind = match spaces.output_kind() {
        OutputKind::Categorical => "categorical",
        OutputKind::Numerical => "numerical",
    };
    let coverage = if verification.exhaustive {
        "every input".to_owned()
    } else {
        let space = verification
            .input_space_size
            .map_or("more than 2^64".to_owned(), |n| n.to_string());
        format!("a sample of the {space} inputs")
    };
    let result = if verification.outputs_agree {
        "decoded outputs agree"
    } else {
        "decoded outputs disagree"
    };

    println!("{name}: exported to {}", out.display());
    println!(
        "  layers {}, heads {}, residual width {}, key size {}, MLP hidden size {}",
        config.num_layers,
        config.num_heads,
        config.d_model,
        config.key_size,
        config.mlp_hidden_size
    );
    println!(
        "  vocabulary {} tokens ({}), maximum length {}, output {} ({} {})",
        config.vocab.len(),
        abbreviate(&config.vocab, 8),
        config.max_seq_len,
        output_kind,
        config.output.labels.len(),
        if config.output.labels.len() == 1 {
            "direction"
        } else {
            "directions"
        }
    );
    println!(
        "  verified on {} inputs ({coverage}): {result}, largest residual difference {:.1e}",
        verification.inputs_checked, verification.max_residual_error
    );
    println!(
        "  time: build {}, assemble {}, export and verify {}",
        milliseconds(timings.build),
        milliseconds(timings.assemble),
        milliseconds(timings.export)
    );
}

/// Joins at most `shown` items with spaces, marking how many were left out.
fn abbreviate(items: &[String], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    if items.len() > shown {
        text.push_str(&format!(" … {} more", items.len() - shown));
    }
    text
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
