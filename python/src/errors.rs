//! Rust errors as Python exceptions: a bad input is a `ValueError`, an unreadable file an
//! `OSError`, a proof or round that does not verify a `zkfl.VerificationError`. The message
//! is the CLI's, causes included.

use pyo3::{
    create_exception,
    exceptions::{PyException, PyOSError, PyRuntimeError, PyValueError},
    PyErr,
};
use zkfl_circuits::{files::FileError, keys::KeyError, tensors::TensorError};
use zkfl_verifier::describe_error;

create_exception!(
    zkfl,
    VerificationError,
    PyException,
    "A round or a history that does not verify: the message names the round, chunk and input."
);

create_exception!(
    zkfl,
    InsecureKeyError,
    VerificationError,
    "A verifying key from a fixed seed or without a ceremony (`zkfl setup`, `zkfl.setup`): whoever made it can forge proofs, so nothing is verified under it unless the caller opts in with allow_insecure_keys=True (tests and demos)."
);

/// Whether an input file could not be opened or read at all (missing, permissions): an
/// `OSError` in Python. Too large or not a regular file is a `ValueError`.
pub fn unreadable(e: &FileError) -> bool {
    matches!(e, FileError::Io { .. })
}

/// A prover-side error (setup, commit, prepare, prove).
pub fn prover(e: zkfl_prover::Error) -> PyErr {
    use zkfl_prover::Error;
    let msg = describe_error(&e);
    match &e {
        Error::Io { .. } => PyOSError::new_err(msg),
        Error::File(f) | Error::Tensor(TensorError::File(f)) if unreadable(f) => {
            PyOSError::new_err(msg)
        }
        Error::Synthesis(_) | Error::Chunk { .. } | Error::SelfCheck { .. } => {
            PyRuntimeError::new_err(msg)
        }
        _ => PyValueError::new_err(msg),
    }
}

/// A tensor that cannot be read or decoded.
pub fn tensor(e: TensorError) -> PyErr {
    let msg = describe_error(&e);
    match &e {
        TensorError::Io { .. } => PyOSError::new_err(msg),
        TensorError::File(f) if unreadable(f) => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// Whether a key file could not be opened or read at all.
pub fn key_unreadable(e: &KeyError) -> bool {
    match e {
        KeyError::Io { .. } => true,
        KeyError::File(f) => unreadable(f),
        _ => false,
    }
}

/// A key file that cannot be used.
pub fn key(e: KeyError) -> PyErr {
    let msg = describe_error(&e);
    if key_unreadable(&e) {
        PyOSError::new_err(msg)
    } else {
        PyValueError::new_err(msg)
    }
}

/// A task.json or roster.json that cannot be used.
pub fn task(e: zkfl_task::TaskError) -> PyErr {
    let msg = describe_error(&e);
    match &e {
        zkfl_task::TaskError::Io { .. } => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// A JSON document (opening, commitment, params) that is not what it should be.
pub fn json(what: &str, e: serde_json::Error) -> PyErr {
    PyValueError::new_err(format!("not a valid {what} ({e})"))
}
