//! `handcraft inspect`: configuration, layers and heads, residual labels and verification.

use std::io::Write;
use std::path::Path;

use handcraft::dense::DenseModel;
use handcraft::export::AttentionScaling;

use crate::cli::Failure;

/// Prints a summary of the export in `dir`.
pub(crate) fn print(out: &mut impl Write, dir: &Path, model: &DenseModel) -> Result<(), Failure> {
    let config = model.config();
    writeln!(out, "export: {}", dir.display())?;
    writeln!(
        out,
        "layout: {}, dtype: {:?}, format: {} version {}",
        config.layout.name(),
        config.dtype,
        config.format,
        config.format_version
    )?;
    writeln!(
        out,
        "layers: {}, heads per layer: {}, key size: {}, MLP hidden size: {}, d_model: {}",
        config.num_layers,
        config.num_heads,
        config.key_size,
        config.mlp_hidden_size,
        config.d_model
    )?;
    let convention = match config.attention_scaling {
        AttentionScaling::Exact => "exact: the typed model's unscaled q·k",
        AttentionScaling::Reference => "reference: q·k / sqrt(key_size)",
    };
    writeln!(
        out,
        "attention: {}, logit scale {} ({convention})",
        if config.causal {
            "causal"
        } else {
            "bidirectional"
        },
        config.attention_logit_scale
    )?;
    writeln!(
        out,
        "vocabulary ({}): {}; BOS is `{}`; at most {} tokens after BOS",
        config.vocab.len(),
        config.vocab.join(" "),
        config.bos,
        config.max_seq_len
    )?;
    let kind = if config.output.categorical {
        "categorical"
    } else {
        "numerical"
    };
    writeln!(out, "output ({kind}): {}", config.output.labels.join(" "))?;

    writeln!(out)?;
    writeln!(out, "residual stream ({} directions):", config.d_model)?;
    for (space, members) in group_labels(&config.residual_labels) {
        if members.is_empty() {
            writeln!(out, "  {space}")?;
        } else {
            writeln!(out, "  {space} ({}): {}", members.len(), members.join(" "))?;
        }
    }

    writeln!(out)?;
    print_layers(out, model)?;

    writeln!(out)?;
    match &config.verification {
        None => writeln!(out, "verification: none recorded")?,
        Some(report) => {
            let scope = if report.exhaustive {
                "every input".to_owned()
            } else {
                match report.input_space_size {
                    Some(size) => format!("a sample of the {size} inputs"),
                    None => "a sample of more than 2^64 inputs".to_owned(),
                }
            };
            writeln!(
                out,
                "verification: {} inputs checked ({scope}), outputs agree: {}",
                report.inputs_checked, report.outputs_agree
            )?;
            writeln!(
                out,
                "  max residual error {}, max output error {}, output tolerance {}, {} stored cases",
                scientific(report.max_residual_error),
                scientific(report.max_output_error),
                scientific(report.output_tolerance),
                report.cases.len()
            )?;
        }
    }
    Ok(())
}

fn print_layers(out: &mut impl Write, model: &DenseModel) -> Result<(), Failure> {
    let labels = &model.config().residual_labels;
    let names = |columns: &[usize]| -> String {
        if columns.is_empty() {
            return "nothing".to_owned();
        }
        let texts: Vec<String> = columns.iter().map(|&c| labels[c].clone()).collect();
        let grouped: Vec<String> = group_labels(&texts)
            .into_iter()
            .map(|(space, members)| {
                if members.is_empty() {
                    space
                } else {
                    format!("{space}:{{{}}}", members.join(","))
                }
            })
            .collect();
        grouped.join(" ")
    };

    for (l, layer) in model.usage().iter().enumerate() {
        writeln!(out, "layer {l}:")?;
        let used: Vec<_> = layer
            .heads
            .iter()
            .enumerate()
            .filter(|(_, h)| h.is_used())
            .collect();
        if used.is_empty() {
            writeln!(out, "  attention: empty")?;
        }
        for (h, head) in used {
            writeln!(out, "  head {h}:")?;
            writeln!(out, "    query reads {}", names(&head.query))?;
            writeln!(out, "    key reads   {}", names(&head.key))?;
            writeln!(out, "    value reads {}", names(&head.value))?;
            writeln!(out, "    writes      {}", names(&head.output))?;
        }
        if layer.mlp.hidden_used == 0 {
            writeln!(out, "  mlp: empty")?;
        } else {
            writeln!(
                out,
                "  mlp ({} of {} hidden units used):",
                layer.mlp.hidden_used,
                model.config().mlp_hidden_size
            )?;
            writeln!(out, "    reads  {}", names(&layer.mlp.input))?;
            writeln!(out, "    writes {}", names(&layer.mlp.output))?;
        }
    }
    Ok(())
}

/// Formats a non-negative error or tolerance with three significant digits, and 0 as `0`.
fn scientific(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else {
        format!("{value:.2e}")
    }
}

/// Groups labels `name:value` by name, keeping first-appearance order; a label without a
/// value is a group with no members.
fn group_labels(labels: &[String]) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for label in labels {
        let (name, value) = match label.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (label.as_str(), None),
        };
        match groups.iter_mut().find(|(n, _)| n == name) {
            Some((_, members)) => members.extend(value.map(str::to_owned)),
            None => groups.push((
                name.to_owned(),
                value.map(str::to_owned).into_iter().collect(),
            )),
        }
    }
    groups
}
