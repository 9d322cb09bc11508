//! `handcraft verify`: the stored cases against the tensors.

use std::io::Write;

use handcraft::dense::DenseModel;

use crate::cli::Failure;

/// Re-checks every stored case; fails with [`Failure::Disagreement`] if any differs.
pub(crate) fn print(out: &mut impl Write, model: &DenseModel) -> Result<(), Failure> {
    let outcomes = model.check_stored_cases()?;
    let mut failures = 0;
    for outcome in &outcomes {
        if let Some((position, expected, found)) = &outcome.mismatch {
            failures += 1;
            writeln!(
                out,
                "MISMATCH [{}]: position {position} decodes {found}, stored {expected}",
                outcome.input.join(", ")
            )?;
        }
    }
    writeln!(
        out,
        "{} of {} stored cases agree",
        outcomes.len() - failures,
        outcomes.len()
    )?;
    if failures > 0 {
        return Err(Failure::Disagreement);
    }
    Ok(())
}
