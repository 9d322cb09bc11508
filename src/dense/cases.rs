//! Re-checking the cases stored in `config.json` against the loaded tensors.

use serde_json::Value as Json;

use crate::dense::error::DenseError;
use crate::dense::model::{Decoded, DenseModel};

/// The outcome of one stored case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    /// The input tokens, BOS first.
    pub input: Vec<String>,
    /// The first position whose decoded output differs from the stored one, with the stored
    /// and the computed value; `None` when every position agrees.
    pub mismatch: Option<(usize, Json, Json)>,
}

impl DenseModel {
    /// Runs the forward pass on every case stored in the verification report and compares the
    /// decoded outputs with the stored ones: categorical outputs exactly, numerical ones within
    /// the report's tolerance. Positions stored as `null` (BOS, ties) are not compared.
    ///
    /// # Errors
    /// [`DenseError::ConfigMismatch`] when the config has no verification report, or when a
    /// case does not have one expected output per input token. The input errors of
    /// [`DenseModel::encode`] for a stored input the model rejects.
    pub fn check_stored_cases(&self) -> Result<Vec<CaseOutcome>, DenseError> {
        let Some(report) = &self.config.verification else {
            return Err(DenseError::ConfigMismatch {
                field: "verification".into(),
                message: "is missing, so there are no stored cases to check".into(),
            });
        };
        let mut outcomes = Vec::with_capacity(report.cases.len());
        for (index, case) in report.cases.iter().enumerate() {
            if case.expected.len() != case.input.len() {
                return Err(DenseError::ConfigMismatch {
                    field: format!("verification.cases[{index}].expected"),
                    message: format!(
                        "has {} outputs for {} input tokens",
                        case.expected.len(),
                        case.input.len()
                    ),
                });
            }
            let ids = self.encode(&case.input)?;
            let output = self.forward(&ids)?;
            // A `null` expected output is a tie, which any decoded category satisfies.
            let mismatch = (1..ids.len()).find_map(|position| {
                let found = self.decoded_json(output.decoded()[position]);
                let expected = &case.expected[position];
                if expected.is_null() {
                    return None;
                }
                (!self.agrees(expected, &found, report.output_tolerance))
                    .then(|| (position, expected.clone(), found))
            });
            outcomes.push(CaseOutcome {
                input: case.input.clone(),
                mismatch,
            });
        }
        Ok(outcomes)
    }

    /// Returns a decoded output as JSON: the output value of a category, or the number.
    pub fn decoded_json(&self, decoded: Decoded) -> Json {
        match decoded {
            Decoded::Category(id) => self
                .config
                .output
                .values
                .as_ref()
                .and_then(|values| values.get(id).cloned())
                .unwrap_or(Json::Null),
            Decoded::Number(x) => serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number),
        }
    }

    fn agrees(&self, expected: &Json, found: &Json, tolerance: f64) -> bool {
        if self.config.output.categorical {
            return expected == found;
        }
        match (expected.as_f64(), found.as_f64()) {
            (Some(e), Some(f)) => (e - f).abs() <= tolerance * e.abs().max(1.0),
            _ => false,
        }
    }
}
