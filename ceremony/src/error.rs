//! Why a ceremony step failed.

use std::path::Path;

/// Everything that can go wrong while reading, writing, contributing to or verifying
/// ceremony files. Every message names the file (and, for verification, the contribution)
/// and says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// File system failure.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not a well-formed file of the expected kind.
    #[error("{path} is not a valid {kind} file: {reason}")]
    Format {
        /// File.
        path: String,
        /// `.ptau`, `.zkey` or `.r1cs`.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The phase-1 file has too few powers for the circuit.
    #[error("{path} has 2^{power} powers of tau, but this circuit needs a domain of 2^{needed}: use a ptau of power {needed} or more (for example powersOfTau28_hez_final_{needed}.ptau)")]
    PtauTooSmall {
        /// File.
        path: String,
        /// Power of the file.
        power: u32,
        /// Power the circuit needs.
        needed: u32,
    },
    /// The phase-1 file lacks the Lagrange sections that `prepare phase2` adds.
    #[error("{path} is not prepared for phase 2 (no sections 12-15): run `snarkjs powersoftau prepare phase2` on it, or download a prepared (\"final\") file")]
    PtauNotPrepared {
        /// File.
        path: String,
    },
    /// A contribution does not verify.
    #[error("contribution #{index} ({name}): {reason}")]
    Contribution {
        /// 1-based position in the key's list.
        index: usize,
        /// The name the contributor gave, or `unnamed`.
        name: String,
        /// What failed.
        reason: String,
    },
    /// The key does not match the circuit or the phase-1 file it is checked against.
    #[error("{path}: {reason}")]
    Mismatch {
        /// The key file.
        path: String,
        /// What differs and what it means.
        reason: String,
    },
    /// A bad argument (beacon, name, shape).
    #[error("{0}")]
    Invalid(String),
    /// The circuit could not be synthesised.
    #[error("cannot build the circuit: {0}")]
    Synthesis(String),
}

impl CeremonyError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CeremonyError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// A malformed file.
    pub fn format(path: &Path, kind: &'static str, reason: impl Into<String>) -> Self {
        CeremonyError::Format {
            path: path.display().to_string(),
            kind,
            reason: reason.into(),
        }
    }
}
