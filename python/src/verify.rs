//! Verification, through the one module that calls `zkfl_verifier`: when the verifier
//! grows its `Verifier` object API, only this file changes.

use std::path::PathBuf;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use pyo3::{exceptions::PyOSError, prelude::*};
use zkfl_circuits::keys::{read_vk, KeyHeader};
use zkfl_verifier::{describe_error, load_bundle, load_bundles_dir, LoadError};

use crate::{
    errors::{self, InsecureKeyError, VerificationError},
    keys::Keys,
};

/// The verifying key from `Keys` or from a `vk.bin` path, refused (as `zkfl-verify` does)
/// when it came from a fixed seed or from no ceremony, unless `allow_insecure_keys`.
fn trusted_key(
    vk: &Bound<'_, PyAny>,
    allow_insecure_keys: bool,
) -> PyResult<(KeyHeader, VerifyingKey<Bn254>)> {
    let (header, key) = verifying_key(vk)?;
    if let Some(why) = header.insecurity() {
        if !allow_insecure_keys {
            return Err(InsecureKeyError::new_err(format!(
                "verifying key {}: {why}. Refusing to verify under it; use keys from a ceremony (`zkfl ceremony export-keys`, checked with `zkfl-verify key`), or pass allow_insecure_keys=True for tests and demos",
                header.vk_digest
            )));
        }
    }
    Ok((header, key))
}

/// The report as JSON, with why the key is insecure (`null` for a ceremony key) so that
/// the Python layer can warn.
fn report_json(report: impl serde::Serialize, header: &KeyHeader) -> String {
    serde_json::json!({ "report": report, "insecure_key": header.insecurity() }).to_string()
}

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
/// and input when it does not verify, OSError/ValueError when the bundle is unreadable, and
/// zkfl.InsecureKeyError for a key without a ceremony unless `allow_insecure_keys`.
#[pyfunction]
#[pyo3(signature = (vk, dir, *, allow_insecure_keys=false))]
pub fn verify_round(
    py: Python<'_>,
    vk: &Bound<'_, PyAny>,
    dir: PathBuf,
    allow_insecure_keys: bool,
) -> PyResult<String> {
    let (header, vk) = trusted_key(vk, allow_insecure_keys)?;
    let bundle = load_bundle(&dir).map_err(load_error)?;
    let report = py
        .detach(|| zkfl_verifier::verify_round(&vk, &header, &bundle))
        .map_err(|e| VerificationError::new_err(describe_error(&e)))?;
    Ok(report_json(report, &header))
}

/// Verifies every round under `dir` (one subdirectory with a `round.json` per round) and
/// the model-commitment chain between them. Returns the report as JSON; raises
/// zkfl.VerificationError when the history does not verify (zkfl.InsecureKeyError as
/// [`verify_round`]).
#[pyfunction]
#[pyo3(signature = (vk, dir, *, allow_insecure_keys=false))]
pub fn verify_history(
    py: Python<'_>,
    vk: &Bound<'_, PyAny>,
    dir: PathBuf,
    allow_insecure_keys: bool,
) -> PyResult<String> {
    let (header, vk) = trusted_key(vk, allow_insecure_keys)?;
    let bundles = load_bundles_dir(&dir).map_err(load_error)?;
    let report = py
        .detach(|| zkfl_verifier::verify_history(&vk, &header, &bundles))
        .map_err(|e| VerificationError::new_err(describe_error(&e)))?;
    Ok(report_json(report, &header))
}
