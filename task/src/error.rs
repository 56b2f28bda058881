//! Why a task file, a roster or a signature is refused.

use alloy_primitives::Address;

/// A task file, roster or signed update that cannot be used, or a round whose signatures do
/// not hold. Each names the file or the slot, and says what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// A file that cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A file that is not what it should be.
    #[error("{path}: {reason}")]
    File {
        /// File.
        path: String,
        /// What is wrong, and what to do.
        reason: String,
    },
    /// The roster is not the one the task names.
    #[error(
        "{path} has digest {found}, but the task names roster {expected}; use the task's roster"
    )]
    RosterDigest {
        /// Roster file.
        path: String,
        /// Digest in task.json.
        expected: String,
        /// Digest of the file given.
        found: String,
    },
    /// A signature that is not 65 bytes r ‖ s ‖ v with v ∈ {27, 28} and 0 < r, s.
    #[error("slot {slot}: signature is not a 65-byte r ‖ s ‖ v signature ({reason})")]
    SignatureEncoding {
        /// Slot.
        slot: usize,
        /// What is wrong.
        reason: String,
    },
    /// s above n/2: the high-s twin of a valid signature.
    #[error("slot {slot}: signature has a high s; only the low-s form is accepted (EIP-2)")]
    HighS {
        /// Slot.
        slot: usize,
    },
    /// The signature does not recover to the claimed signer for this message and domain.
    #[error("slot {slot}: the signature by {signer} does not sign this round's message ({what}) under this task's domain")]
    BadSignature {
        /// Slot.
        slot: usize,
        /// Claimed signer.
        signer: Address,
        /// The message it had to sign, for humans.
        what: String,
    },
    /// A signer who is not in the roster.
    #[error("slot {slot}: {signer} is not an enrolled client of this task")]
    NotEnrolled {
        /// Slot.
        slot: usize,
        /// The signer.
        signer: Address,
    },
    /// The same client in two slots.
    #[error("slots {first} and {second} are both signed by {signer}: a client contributes once per round")]
    DuplicateClient {
        /// Earlier slot.
        first: usize,
        /// Later slot.
        second: usize,
        /// The client.
        signer: Address,
    },
    /// A slot with weight > 0 and no signature.
    #[error("slot {slot} has weight {weight} but no client signature")]
    Unsigned {
        /// Slot.
        slot: usize,
        /// Its weight.
        weight: u64,
    },
    /// A signature on an empty slot.
    #[error("slot {slot} is empty (weight 0) but carries a signature")]
    SignedEmptySlot {
        /// Slot.
        slot: usize,
    },
    /// Fewer signed clients than the task's quorum.
    #[error("{clients} signed clients, below the task's quorum of {quorum}")]
    Quorum {
        /// Clients in the round.
        clients: usize,
        /// Minimum.
        quorum: u32,
    },
    /// A signed record for another round, model, update, weight or task.
    #[error("{path}: {reason}")]
    Mismatch {
        /// Signed record.
        path: String,
        /// What differs.
        reason: String,
    },
    /// A client key that cannot be used.
    #[error("client key from {origin}: {reason}")]
    Key {
        /// File or variable.
        origin: String,
        /// What is wrong.
        reason: String,
    },
}
