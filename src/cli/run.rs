//! `handcraft run`: one input through the dense forward pass.

use std::io::Write;

use serde_json::json;

use handcraft::dense::DenseModel;

use crate::cli::Failure;

/// Runs `tokens` (BOS first) and prints the decoded output per position, or JSON.
pub(crate) fn print(
    out: &mut impl Write,
    model: &DenseModel,
    tokens: &[String],
    as_json: bool,
) -> Result<(), Failure> {
    let ids = model.encode(tokens)?;
    let output = model.forward(&ids)?;
    let decoded: Vec<serde_json::Value> = (0..ids.len())
        .map(|position| {
            if position == 0 {
                serde_json::Value::Null
            } else {
                model.decoded_json(output.decoded()[position])
            }
        })
        .collect();

    if as_json {
        let residual: Vec<&[f64]> = (0..ids.len()).map(|p| output.residual(p)).collect();
        let document = json!({
            "input": tokens,
            "input_ids": ids,
            "output": decoded,
            "residual_labels": model.config().residual_labels,
            "residual": residual,
        });
        let text = serde_json::to_string_pretty(&document)
            .map_err(|e| Failure::Input(format!("cannot encode JSON: {e}")))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }

    let width = tokens
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("token".len());
    writeln!(out, "{:<8} {:<width$}  output", "position", "token")?;
    for (position, (token, value)) in tokens.iter().zip(&decoded).enumerate() {
        let shown = match value {
            serde_json::Value::Null if position == 0 => "-".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        writeln!(out, "{position:<8} {token:<width$}  {shown}")?;
    }
    Ok(())
}
