//! `zkfl._native`: the Rust half of the `zkfl` Python package.
//!
//! Tensors cross the boundary as `(name, dtype.str, shape, bytes)` tuples, which the
//! pure-Python layer (`zkfl/__init__.py`) makes from and back into numpy arrays; that keeps
//! this crate free of numpy's C API and lets every tensor go through the same decoder as
//! `.npy` files ([`zkfl_circuits::npy`]), so a bad array gets the CLI's error text.
//! Proving and setup release the GIL. What is proven: `docs/PROTOCOL.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arrays;
mod commit;
mod errors;
mod keys;
mod round;
mod verify;

use pyo3::prelude::*;

/// Native core of the `zkfl` package; use the `zkfl` module, which wraps it for numpy.
#[pymodule]
#[pyo3(name = "_native")]
mod native {
    #[pymodule_export]
    use crate::arrays::read_tensors;
    #[pymodule_export]
    use crate::commit::{
        check_update, commit, commit_model, commit_signed, Commitment, Opening, SignedUpdate,
    };
    #[pymodule_export]
    use crate::errors::{InsecureKeyError, VerificationError};
    #[pymodule_export]
    use crate::keys::{setup, Keys, Params};
    #[pymodule_export]
    use crate::round::{prepare_round, PreparedRound, RoundResult};
    #[pymodule_export]
    use crate::verify::{verify_history, verify_round};
}
