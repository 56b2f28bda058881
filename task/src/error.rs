//! Why a task file, a roster or a signature is refused.

use alloy_primitives::Address;

/// Which rule a round's signatures break: [`TaskError::fault`], for callers that compare
/// verdicts (the registry's custom errors map onto the same faults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The signature does not sign this slot's message under this task's domain.
    BadSignature,
    /// A high-s signature.
    HighS,
    /// A malformed signature or signer encoding.
    Encoding,
    /// A signer not in the roster (never enrolled, or revoked).
    NotEnrolled,
    /// The same client in two slots.
    DuplicateClient,
    /// Signers out of ascending order.
    SignerOrder,
    /// A weighted slot without a signature.
    UnsignedSlot,
    /// An empty slot with a signature.
    SignedEmptySlot,
    /// Fewer signed clients than the quorum.
    Quorum,
    /// A bundle without signatures (format `zkfl-round/1`).
    UnsignedRound,
    /// A client list that does not fit the bundle.
    BundleClients,
    /// Anything else (files, keys, records).
    Other,
}

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
    /// Signed slots out of ascending signer order.
    #[error("slot {slot}: signer {signer} comes after {prev} of slot {first}: signed slots must be in ascending signer order")]
    SignerOrder {
        /// Earlier slot.
        first: usize,
        /// Its signer.
        prev: Address,
        /// Later slot.
        slot: usize,
        /// Its signer, below `prev`.
        signer: Address,
    },
    /// A signer address that is not `0x` and 40 lowercase hex digits.
    #[error("slot {slot}: signer '{found}' is not 0x and 40 lowercase hex digits")]
    SignerEncoding {
        /// Slot.
        slot: usize,
        /// What the bundle holds.
        found: String,
    },
    /// A round bundle without client signatures where they are required.
    #[error("round {round}: unsigned round (format '{format}'): its updates are not bound to enrolled clients; a signed task needs a `{expected}` bundle from `zkfl prove --task`")]
    UnsignedRound {
        /// Round.
        round: u64,
        /// Its format.
        format: String,
        /// The signed format.
        expected: &'static str,
    },
    /// A signed bundle whose client list does not fit its slots or format.
    #[error("round {round}: {reason}")]
    BundleClients {
        /// Round.
        round: u64,
        /// What is wrong.
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

impl TaskError {
    /// The rule this error reports.
    pub fn fault(&self) -> Fault {
        match self {
            Self::BadSignature { .. } => Fault::BadSignature,
            Self::HighS { .. } => Fault::HighS,
            Self::SignatureEncoding { .. } | Self::SignerEncoding { .. } => Fault::Encoding,
            Self::NotEnrolled { .. } => Fault::NotEnrolled,
            Self::DuplicateClient { .. } => Fault::DuplicateClient,
            Self::SignerOrder { .. } => Fault::SignerOrder,
            Self::Unsigned { .. } => Fault::UnsignedSlot,
            Self::SignedEmptySlot { .. } => Fault::SignedEmptySlot,
            Self::Quorum { .. } => Fault::Quorum,
            Self::UnsignedRound { .. } => Fault::UnsignedRound,
            Self::BundleClients { .. } => Fault::BundleClients,
            Self::Io { .. }
            | Self::File { .. }
            | Self::RosterDigest { .. }
            | Self::Mismatch { .. }
            | Self::Key { .. } => Fault::Other,
        }
    }
}
