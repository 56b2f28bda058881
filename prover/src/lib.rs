//! zkfl prover: key setup, client commitments and rayon-parallel proving of rounds.
//!
//! The `zkfl` binary in this crate is what trainers run; see the README for the flow and
//! `docs/PROTOCOL.md` for what is proven.
//!
//! Features, all on by default: `cli` (the flag types shared with the benchmarks, and the
//! binary's parser), `chain` (the Ethereum commands) and `signed` (client-signed rounds,
//! with alloy's EIP-712). With `default-features = false` the library needs neither clap
//! nor anything from alloy, tokio or revm.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod groth16;
pub mod inputs;
pub mod memory;
pub mod output;
pub mod plan;
pub mod prove;
pub mod setup;
#[cfg(feature = "cli")]
pub mod shape_args;
#[cfg(feature = "signed")]
pub mod signed;

#[cfg(feature = "cli")]
pub use shape_args::{FullShapeArgs, ShapeArgs};

use std::path::Path;

/// Everything that can go wrong while setting up, committing or proving.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// File system failure.
    #[error("{path}: {source}")]
    Io {
        /// File or directory.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A file that exists but cannot be used.
    #[error("{path}: {reason}")]
    BadFile {
        /// File.
        path: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Invalid arguments or inputs.
    #[error("{0}")]
    Invalid(String),
    /// An input file that is missing, not a regular file, too large or not valid JSON.
    #[error(transparent)]
    File(#[from] zkfl_circuits::files::FileError),
    /// Key file problem.
    #[error(transparent)]
    Key(#[from] zkfl_circuits::keys::KeyError),
    /// Tensor file problem.
    #[error(transparent)]
    Tensor(#[from] zkfl_circuits::tensors::TensorError),
    /// Invalid shape.
    #[error(transparent)]
    Shape(#[from] zkfl_circuits::params::ShapeError),
    /// Constraint synthesis or proving failure.
    #[error("proving failed: {0}")]
    Synthesis(String),
    /// Chunk `chunk` of a round could not be proven.
    #[error("chunk {chunk}: {source}")]
    Chunk {
        /// Chunk index.
        chunk: usize,
        /// Cause.
        source: Box<Error>,
    },
    /// A proof the prover just made does not verify: the witness does not satisfy the
    /// circuit, which is a bug in zkfl (the native checks should have refused the input).
    #[error("{}the proof does not verify, so the witness does not satisfy the circuit (a bug in zkfl: please report it)", match .chunk { Some(c) => format!("chunk {c}: "), None => String::new() })]
    SelfCheck {
        /// The first chunk whose proof fails alone (`None` if only the batch failed).
        chunk: Option<usize>,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
