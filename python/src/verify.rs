//! Verification, through the one module that calls `zkfl_verifier`: when the verifier
//! grows its `Verifier` object API, only this file changes.

use std::path::PathBuf;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use pyo3::{exceptions::PyOSError, prelude::*};
use zkfl_circuits::keys::{read_vk, KeyHeader};
use zkfl_verifier::{describe_error, load_bundle, load_bundles_dir, LoadError};

use crate::{
    errors::{self, VerificationError},
    keys::Keys,
};

/// The verifying key from `Keys` or from a `vk.bin` path.
fn verifying_key(vk: &Bound<'_, PyAny>) -> PyResult<(KeyHeader, VerifyingKey<Bn254>)> {
    if let Ok(keys) = vk.cast::<Keys>() {
        let k = &keys.get().inner;
        let header = KeyHeader {
            kind: "verifying".into(),
            ..k.header.clone()
        };
        return Ok((header, k.vk().clone()));
    }
    let path: PathBuf = vk.extract()?;
    read_vk(&path).map_err(errors::key)
}

fn load_error(e: LoadError) -> PyErr {
    let msg = describe_error(&e);
    match e {
        LoadError::Io { .. } => PyOSError::new_err(msg),
        _ => pyo3::exceptions::PyValueError::new_err(msg),
    }
}

/// Verifies one round directory (or `round.json`) against a verifying key (`Keys` or the
/// path of `vk.bin`): structure, bounds, commitments, accumulator chain and every chunk
/// proof. Returns the report as JSON; raises zkfl.VerificationError naming the round, chunk
/// and input when it does not verify, OSError/ValueError when the bundle is unreadable.
#[pyfunction]
pub fn verify_round(py: Python<'_>, vk: &Bound<'_, PyAny>, dir: PathBuf) -> PyResult<String> {
    let (header, vk) = verifying_key(vk)?;
    let bundle = load_bundle(&dir).map_err(load_error)?;
    let report = py
        .detach(|| zkfl_verifier::verify_round(&vk, &header, &bundle))
        .map_err(|e| VerificationError::new_err(describe_error(&e)))?;
    Ok(serde_json::to_string(&report).expect("report serialises"))
}

/// Verifies every round under `dir` (one subdirectory with a `round.json` per round) and
/// the model-commitment chain between them. Returns the report as JSON; raises
/// zkfl.VerificationError when the history does not verify.
#[pyfunction]
pub fn verify_history(py: Python<'_>, vk: &Bound<'_, PyAny>, dir: PathBuf) -> PyResult<String> {
    let (header, vk) = verifying_key(vk)?;
    let bundles = load_bundles_dir(&dir).map_err(load_error)?;
    let report = py
        .detach(|| zkfl_verifier::verify_history(&vk, &header, &bundles))
        .map_err(|e| VerificationError::new_err(describe_error(&e)))?;
    Ok(serde_json::to_string(&report).expect("report serialises"))
}
