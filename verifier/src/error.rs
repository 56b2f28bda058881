//! Why a round or a history is rejected. Every variant names the round, and the chunk and
//! public input where there is one, so that an auditor knows where to look.

use zkfl_circuits::{field::FieldError, params::Shape, Commitment};
use zkfl_task::Fault;

use crate::batch::BatchError;

/// A round or history that does not verify.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyError {
    /// A bundle of another format version.
    #[error("round {round}: bundle format is '{found}', this verifier reads '{expected}'")]
    Format {
        /// Round index in the bundle.
        round: u64,
        /// Format string found.
        found: String,
        /// Format string supported.
        expected: &'static str,
    },
    /// Client signatures that do not hold under the task (docs/PROTOCOL.md §10), or an
    /// unsigned round where the task requires signatures.
    #[error("round {round}: {reason}")]
    Clients {
        /// Round.
        round: u64,
        /// The rule broken.
        fault: Fault,
        /// What is wrong, naming the slot and client.
        reason: String,
    },
    /// The verifying key and its header disagree (a caller passed mismatched values).
    #[error("verifying key does not match its header: {0}")]
    KeyHeader(String),
    /// The bundle was proven for another circuit shape than the key's.
    #[error("round {round}: bundle shape {bundle:?} differs from the verifying key's shape {key:?}; use the key the round was proven with")]
    ShapeMismatch {
        /// Round.
        round: u64,
        /// Shape in the bundle.
        bundle: Box<Shape>,
        /// Shape in the key header.
        key: Box<Shape>,
    },
    /// The bundle names another verifying key.
    #[error("round {round}: bundle was proven for verifying key {bundle}, but the key given has digest {key}")]
    KeyDigest {
        /// Round.
        round: u64,
        /// Digest in the bundle.
        bundle: String,
        /// Digest of the key.
        key: String,
    },
    /// A list whose length does not fit the shape or d.
    #[error("round {round}: {what}: expected {expected}, got {got}")]
    Length {
        /// Round.
        round: u64,
        /// What was counted.
        what: String,
        /// Expected count.
        expected: usize,
        /// Actual count.
        got: usize,
    },
    /// A bundle with d = 0.
    #[error("round {round}: parameter count d is 0")]
    NoParameters {
        /// Round.
        round: u64,
    },
    /// Bounds that are not the ones their recorded floats give (PROTOCOL.md §5), or outside
    /// the shape's widths (B∞ < 2^(U−1), B₂² < 2^Nb).
    #[error("round {round}: bounds: {reason}")]
    Bounds {
        /// Round.
        round: u64,
        /// What disagrees.
        reason: String,
    },
    /// Total weight W = 0 (the FedAvg step would divide by zero).
    #[error("round {round}: total weight is 0; at least one slot must have a positive weight")]
    ZeroWeight {
        /// Round.
        round: u64,
    },
    /// A public input that is not a canonical field element (e.g. x + r).
    #[error("round {round}, chunk {chunk}, public input #{index} ({field}): {source}")]
    NonCanonical {
        /// Round.
        round: u64,
        /// Chunk.
        chunk: usize,
        /// Index in the public-input vector.
        index: usize,
        /// Name of the input.
        field: String,
        /// Cause.
        source: FieldError,
    },
    /// A proof that is not a valid point encoding.
    #[error("round {round}, chunk {chunk}: proof bytes are not a valid Groth16 proof ({reason})")]
    ProofEncoding {
        /// Round.
        round: u64,
        /// Chunk.
        chunk: usize,
        /// What was wrong.
        reason: String,
    },
    /// A public input that disagrees with the bundle (chunk index, bounds, weights).
    #[error("round {round}, chunk {chunk}, public input #{index} ({field}) is {got}, but the bundle says {expected}")]
    InputMismatch {
        /// Round.
        round: u64,
        /// Chunk.
        chunk: usize,
        /// Index in the public-input vector.
        index: usize,
        /// Name of the input.
        field: String,
        /// Value the bundle implies (decimal).
        expected: String,
        /// Value found (decimal).
        got: String,
    },
    /// Consecutive chunks do not share their norm accumulator.
    #[error("round {round}, chunk {chunk}: acc_out does not equal acc_in of chunk {next}; the L2-norm accumulator chain is broken")]
    AccumulatorChain {
        /// Round.
        round: u64,
        /// Chunk whose acc_out is compared.
        chunk: usize,
        /// The following chunk.
        next: usize,
    },
    /// A top-level commitment that the chunk hashes in the public inputs do not produce.
    #[error("round {round}: {what} in the bundle is {bundle}, but the chunk hashes in the public inputs give {recomputed}{}", located(.chunk))]
    Commitment {
        /// Round.
        round: u64,
        /// The chunk whose proof fails against its (altered) public inputs, if one does.
        chunk: Option<usize>,
        /// Which commitment.
        what: String,
        /// Value in the bundle.
        bundle: Commitment,
        /// Value recomputed.
        recomputed: Commitment,
    },
    /// A weight-0 slot whose update is not the canonical empty commitment.
    #[error("round {round}: slot {slot} has weight 0 but its update commitment {found} is not the canonical empty commitment {expected}")]
    EmptySlot {
        /// Round.
        round: u64,
        /// Slot.
        slot: usize,
        /// Commitment found.
        found: Commitment,
        /// Canonical empty commitment.
        expected: Commitment,
    },
    /// A chunk proof that does not verify against its public inputs.
    #[error(
        "round {round}, chunk {chunk}: Groth16 proof does not verify against its public inputs"
    )]
    Proof {
        /// Round.
        round: u64,
        /// Chunk.
        chunk: usize,
    },
    /// The batch check failed but every proof verified on its own. Never expected; reported
    /// rather than accepted.
    #[error("batched pairing check failed but every single proof verified; refusing to accept (please report this)")]
    BatchInconsistent,
    /// A batch that could not be evaluated.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// An empty history.
    #[error("history is empty: no round bundles given")]
    EmptyHistory,
    /// Round indices that are not consecutive (a skipped or repeated round).
    #[error("round indices are not consecutive: expected round {expected}, found round {found}")]
    RoundIndex {
        /// Index expected.
        expected: u64,
        /// Index found.
        found: u64,
    },
    /// Round t+1 does not start from round t's new model.
    #[error("round {round}: previous-model commitment {found} is not round {prev}'s new-model commitment {expected}; the model chain is broken")]
    ModelChain {
        /// Round.
        round: u64,
        /// Previous round.
        prev: u64,
        /// Round t's new-model commitment.
        expected: Commitment,
        /// Round t+1's model commitment.
        found: Commitment,
    },
    /// A round after the first that claims a fresh (genesis) model.
    #[error("round {round} is marked genesis but is not the first round of the history; a model may only be committed afresh at the start")]
    Genesis {
        /// Round.
        round: u64,
    },
}

fn located(chunk: &Option<usize>) -> String {
    match chunk {
        Some(c) => format!(" (chunk {c}'s proof does not verify against its public inputs: its chunk hashes were altered)"),
        None => String::new(),
    }
}
