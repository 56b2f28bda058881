//! Verification through [`zkfl_verifier::Verifier`], the library `zkfl-verify` shares its
//! checks with, so that Python, the CLI and a Rust integrator get one verdict and one message.

use std::path::PathBuf;

use pyo3::{
    exceptions::{PyOSError, PyValueError},
    prelude::*,
};
use zkfl_verifier::{describe_error, LoadError, Verifier, VerifierError};

use crate::{
    errors::{self, InsecureKeyError, VerificationError},
    keys::Keys,
};

/// The verifier for `Keys` (its verifying key, as read from `vk.bin` when the keys were
/// loaded or written) or for the path of a `vk.bin`, with the caller's opt-ins.
fn verifier(
    vk: &Bound<'_, PyAny>,
    allow_insecure_keys: bool,
    task: Option<(PathBuf, PathBuf)>,
) -> PyResult<Verifier> {
    let mut v = match vk.cast::<Keys>() {
        Ok(keys) => keys.get().inner.verifier.clone(),
        Err(_) => {
            let path: PathBuf = vk.extract()?;
            Verifier::from_vk_file(&path).map_err(verifier_error)?
        }
    };
    if allow_insecure_keys {
        v = v.allow_insecure_keys();
    }
    if let Some((task, roster)) = task {
        v = v.with_task(task, roster).map_err(verifier_error)?;
    }
    Ok(v)
}

/// `task` and `roster` come together or not at all (as `--task`/`--roster` do).
fn task_pair(
    task: Option<PathBuf>,
    roster: Option<PathBuf>,
) -> PyResult<Option<(PathBuf, PathBuf)>> {
    match (task, roster) {
        (Some(t), Some(r)) => Ok(Some((t, r))),
        (None, None) => Ok(None),
        _ => Err(PyValueError::new_err(
            "give task and roster together: the roster is checked against the digest task.json records",
        )),
    }
}

/// A round that was read and is invalid raises zkfl.VerificationError with the text
/// `zkfl-verify` prints after `INVALID:`; a key without a ceremony raises
/// zkfl.InsecureKeyError; an input that cannot be read raises OSError (missing, unreadable)
/// or ValueError (not what it should be), with the text `zkfl-verify` prints after `error:`.
fn verifier_error(e: VerifierError) -> PyErr {
    if e.is_invalid() {
        return VerificationError::new_err(e.to_string());
    }
    let msg = describe_error(&e);
    match &e {
        VerifierError::InsecureKey { .. } => {
            InsecureKeyError::new_err(format!("{msg} (allow_insecure_keys=True)"))
        }
        VerifierError::Key(k) if errors::key_unreadable(k) => PyOSError::new_err(msg),
        VerifierError::Load(LoadError::Io { .. }) => PyOSError::new_err(msg),
        VerifierError::Load(LoadError::File(f)) if errors::unreadable(f) => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// The report as JSON, with why the key is insecure (`null` for a ceremony key) so that
/// the Python layer can warn.
fn report_json(report: impl serde::Serialize, verifier: &Verifier) -> String {
    serde_json::json!({ "report": report, "insecure_key": verifier.insecurity() }).to_string()
}

/// Verifies one round directory (or `round.json`) against a verifying key (`Keys` or the
/// path of `vk.bin`): structure, bounds, commitments, accumulator chain and every chunk
/// proof, and with `task`/`roster` every client signature. Returns the report as JSON;
/// errors as [`verifier_error`]. The GIL is released while verifying.
#[pyfunction]
#[pyo3(signature = (vk, dir, *, allow_insecure_keys=false, task=None, roster=None))]
pub fn verify_round(
    py: Python<'_>,
    vk: &Bound<'_, PyAny>,
    dir: PathBuf,
    allow_insecure_keys: bool,
    task: Option<PathBuf>,
    roster: Option<PathBuf>,
) -> PyResult<String> {
    let v = verifier(vk, allow_insecure_keys, task_pair(task, roster)?)?;
    let report = py.detach(|| v.round(&dir)).map_err(verifier_error)?;
    Ok(report_json(report, &v))
}

/// Verifies every round under `dir` (one subdirectory with a `round.json` per round) and
/// the model-commitment chain between them. Returns the report as JSON; errors as
/// [`verify_round`].
#[pyfunction]
#[pyo3(signature = (vk, dir, *, allow_insecure_keys=false, task=None, roster=None))]
pub fn verify_history(
    py: Python<'_>,
    vk: &Bound<'_, PyAny>,
    dir: PathBuf,
    allow_insecure_keys: bool,
    task: Option<PathBuf>,
    roster: Option<PathBuf>,
) -> PyResult<String> {
    let v = verifier(vk, allow_insecure_keys, task_pair(task, roster)?)?;
    let report = py.detach(|| v.history(&dir)).map_err(verifier_error)?;
    Ok(report_json(report, &v))
}
