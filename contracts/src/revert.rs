//! Decoding of the custom errors the zkfl contracts revert with.
//!
//! The signature strings here are the single source of the selectors: the verifier template
//! renders its assembly-level selectors from them, and a test compares them with the errors
//! in solc's ABI output.

use std::fmt;

use alloy_primitives::{Address, U256};

use crate::encode::selector;

/// Every custom error of ZkflVerifier and ZkflRoundRegistry, as Solidity signatures.
pub const ERROR_SIGNATURES: &[&str] = &[
    SIG_PROOF_INVALID,
    SIG_NOT_IN_FIELD,
    "EmptyBatch()",
    "BatchLengthMismatch(uint256,uint256)",
    "NotCoordinator(address)",
    "NotOwner(address)",
    "ZeroAddress()",
    "UnexpectedRound(uint256,uint256)",
    "PreviousModelMismatch(bytes32,bytes32)",
    "ArrayLengthMismatch(uint256,uint256,uint256)",
    "WeightOutOfRange(uint256)",
    "TotalWeightOutOfRange(uint256)",
    "InvalidShape()",
    "RoundTooLarge(uint256,uint256)",
    "EmptySlotNotCanonical(uint256,uint256)",
    "BoundOutOfRange(uint256,uint256)",
    "NotPendingOwner(address)",
    "Unsigned(uint256,uint256)",
    "SignedEmptySlot(uint256)",
    "NotEnrolled(uint256,address)",
    "MalformedSignature(uint256)",
    "HighS(uint256)",
    "BadSignature(uint256,address)",
    "DuplicateClient(uint256,uint256,address)",
    "ClientsOutOfOrder(uint256,address,address)",
    "BelowQuorum(uint256,uint256)",
    "AlreadyEnrolled(address)",
    "NotAClient(address)",
    "InvalidMinClients(uint256)",
    "RosterMismatch(bytes32,bytes32)",
    "RosterTooLarge(uint256,uint256)",
];

pub(crate) const SIG_PROOF_INVALID: &str = "ProofInvalid()";
pub(crate) const SIG_NOT_IN_FIELD: &str = "PublicInputNotInField(uint256)";

/// Why a zkfl contract call reverted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevertReason {
    /// A proof failed the pairing check or contains an invalid point.
    ProofInvalid,
    /// Public input `index` is >= r (in a batch: proof * l + input).
    PublicInputNotInField {
        /// Index of the offending input.
        index: U256,
    },
    /// A batch with no proofs.
    EmptyBatch,
    /// Different numbers of proofs and input vectors.
    BatchLengthMismatch {
        /// Proofs.
        proofs: U256,
        /// Input vectors.
        inputs: U256,
    },
    /// The submitter is not the coordinator.
    NotCoordinator {
        /// msg.sender.
        caller: Address,
    },
    /// The caller is not the owner.
    NotOwner {
        /// msg.sender.
        caller: Address,
    },
    /// Zero address given as owner or coordinator.
    ZeroAddress,
    /// Replayed or skipped round.
    UnexpectedRound {
        /// lastRound + 1.
        expected: U256,
        /// Submitted index.
        got: U256,
    },
    /// The previous-model commitment does not match the stored one.
    PreviousModelMismatch {
        /// Stored C_t.
        stored: [u8; 32],
        /// Recomputed from the submitted chunk hashes.
        computed: [u8; 32],
    },
    /// A round array has the wrong length (field: 0 old hashes, 1 new hashes, 2 update
    /// hashes, 3 accumulators, 4 proofs).
    ArrayLengthMismatch {
        /// Which array.
        field: U256,
        /// Expected length.
        expected: U256,
        /// Submitted length.
        got: U256,
    },
    /// A weight >= 2^Wb.
    WeightOutOfRange {
        /// Slot index.
        index: U256,
    },
    /// W = 0 or W >= 2^Wb.
    TotalWeightOutOfRange {
        /// W.
        total: U256,
    },
    /// Bad constructor shape.
    InvalidShape,
    /// A round of `chunks` chunks would never fit a transaction; at most `max` do.
    RoundTooLarge {
        /// K of the shape.
        chunks: U256,
        /// The largest K that fits.
        max: U256,
    },
    /// A weight-0 slot whose chunk hash is not the canonical empty one.
    EmptySlotNotCanonical {
        /// Slot.
        slot: U256,
        /// Chunk.
        chunk: U256,
    },
    /// A bound outside the shape's widths (0: B_inf, 1: B_2^2).
    BoundOutOfRange {
        /// Which bound.
        which: U256,
        /// Its value.
        value: U256,
    },
    /// The caller is not the pending owner.
    NotPendingOwner {
        /// msg.sender.
        caller: Address,
    },
    /// A slot of weight > 0 without a client.
    Unsigned {
        /// Slot.
        slot: U256,
        /// Its weight.
        weight: U256,
    },
    /// An empty slot that names a client or carries signature bytes.
    SignedEmptySlot {
        /// Slot.
        slot: U256,
    },
    /// A slot signed by a client that is not enrolled (never, or revoked).
    NotEnrolled {
        /// Slot.
        slot: U256,
        /// The client.
        client: Address,
    },
    /// A signature that is not r ‖ s ‖ v with v ∈ {27, 28} and 0 < r, s < n.
    MalformedSignature {
        /// Slot.
        slot: U256,
    },
    /// A signature with s > n / 2.
    HighS {
        /// Slot.
        slot: U256,
    },
    /// A signature that does not recover to the slot's client for this round's message under
    /// this registry's domain.
    BadSignature {
        /// Slot.
        slot: U256,
        /// The client named in the slot.
        client: Address,
    },
    /// One client in two slots.
    DuplicateClient {
        /// Earlier slot.
        first: U256,
        /// Later slot.
        second: U256,
        /// The client.
        client: Address,
    },
    /// Signed slots whose clients do not strictly ascend.
    ClientsOutOfOrder {
        /// Slot.
        slot: U256,
        /// Its client.
        client: Address,
        /// The client of the signed slot before it.
        previous: Address,
    },
    /// Fewer signed slots than minClients.
    BelowQuorum {
        /// Signed slots.
        clients: U256,
        /// minClients.
        min_clients: U256,
    },
    /// enroll of an enrolled client.
    AlreadyEnrolled {
        /// The client.
        client: Address,
    },
    /// revoke of an address that is not enrolled.
    NotAClient {
        /// The address.
        client: Address,
    },
    /// minClients outside 1..=n.
    InvalidMinClients {
        /// The value given.
        value: U256,
    },
    /// The round's roster does not hash to the registry's `rosterHash`.
    RosterMismatch {
        /// `rosterHash`.
        stored: [u8; 32],
        /// keccak256 of the round's roster.
        sent: [u8; 32],
    },
    /// Enrolling would leave no room for a round of the registry's K chunks.
    RosterTooLarge {
        /// The roster size that was refused.
        size: U256,
        /// `maxRoster()`.
        max: U256,
    },
    /// A Solidity panic (`Panic(uint256)`), e.g. arithmetic overflow.
    Panic(U256),
    /// Empty revert data (e.g. a failed sha256 precompile call).
    Empty,
    /// Anything else, raw.
    Unknown(Vec<u8>),
}

fn word(data: &[u8], i: usize) -> Option<[u8; 32]> {
    data.get(4 + 32 * i..4 + 32 * (i + 1))?.try_into().ok()
}

fn uint(data: &[u8], i: usize) -> Option<U256> {
    word(data, i).map(U256::from_be_bytes)
}

fn address(data: &[u8], i: usize) -> Option<Address> {
    word(data, i).map(|w| Address::from_slice(&w[12..]))
}

impl RevertReason {
    /// Decodes revert data. Unknown selectors and malformed arguments give [`Self::Unknown`].
    pub fn decode(data: &[u8]) -> Self {
        if data.is_empty() {
            return Self::Empty;
        }
        Self::try_decode(data).unwrap_or_else(|| Self::Unknown(data.to_vec()))
    }

    fn try_decode(d: &[u8]) -> Option<Self> {
        let sel: [u8; 4] = d.get(..4)?.try_into().ok()?;
        let is = |sig: &str| selector(sig) == sel;
        let arity = |n: usize| d.len() == 4 + 32 * n;
        let r = if is(SIG_PROOF_INVALID) && arity(0) {
            Self::ProofInvalid
        } else if is(SIG_NOT_IN_FIELD) && arity(1) {
            Self::PublicInputNotInField { index: uint(d, 0)? }
        } else if is("EmptyBatch()") && arity(0) {
            Self::EmptyBatch
        } else if is("BatchLengthMismatch(uint256,uint256)") && arity(2) {
            Self::BatchLengthMismatch {
                proofs: uint(d, 0)?,
                inputs: uint(d, 1)?,
            }
        } else if is("NotCoordinator(address)") && arity(1) {
            Self::NotCoordinator {
                caller: address(d, 0)?,
            }
        } else if is("NotOwner(address)") && arity(1) {
            Self::NotOwner {
                caller: address(d, 0)?,
            }
        } else if is("ZeroAddress()") && arity(0) {
            Self::ZeroAddress
        } else if is("UnexpectedRound(uint256,uint256)") && arity(2) {
            Self::UnexpectedRound {
                expected: uint(d, 0)?,
                got: uint(d, 1)?,
            }
        } else if is("PreviousModelMismatch(bytes32,bytes32)") && arity(2) {
            Self::PreviousModelMismatch {
                stored: word(d, 0)?,
                computed: word(d, 1)?,
            }
        } else if is("ArrayLengthMismatch(uint256,uint256,uint256)") && arity(3) {
            Self::ArrayLengthMismatch {
                field: uint(d, 0)?,
                expected: uint(d, 1)?,
                got: uint(d, 2)?,
            }
        } else if is("WeightOutOfRange(uint256)") && arity(1) {
            Self::WeightOutOfRange { index: uint(d, 0)? }
        } else if is("TotalWeightOutOfRange(uint256)") && arity(1) {
            Self::TotalWeightOutOfRange { total: uint(d, 0)? }
        } else if is("InvalidShape()") && arity(0) {
            Self::InvalidShape
        } else if is("RoundTooLarge(uint256,uint256)") && arity(2) {
            Self::RoundTooLarge {
                chunks: uint(d, 0)?,
                max: uint(d, 1)?,
            }
        } else if is("EmptySlotNotCanonical(uint256,uint256)") && arity(2) {
            Self::EmptySlotNotCanonical {
                slot: uint(d, 0)?,
                chunk: uint(d, 1)?,
            }
        } else if is("BoundOutOfRange(uint256,uint256)") && arity(2) {
            Self::BoundOutOfRange {
                which: uint(d, 0)?,
                value: uint(d, 1)?,
            }
        } else if is("NotPendingOwner(address)") && arity(1) {
            Self::NotPendingOwner {
                caller: address(d, 0)?,
            }
        } else if is("Unsigned(uint256,uint256)") && arity(2) {
            Self::Unsigned {
                slot: uint(d, 0)?,
                weight: uint(d, 1)?,
            }
        } else if is("SignedEmptySlot(uint256)") && arity(1) {
            Self::SignedEmptySlot { slot: uint(d, 0)? }
        } else if is("NotEnrolled(uint256,address)") && arity(2) {
            Self::NotEnrolled {
                slot: uint(d, 0)?,
                client: address(d, 1)?,
            }
        } else if is("MalformedSignature(uint256)") && arity(1) {
            Self::MalformedSignature { slot: uint(d, 0)? }
        } else if is("HighS(uint256)") && arity(1) {
            Self::HighS { slot: uint(d, 0)? }
        } else if is("BadSignature(uint256,address)") && arity(2) {
            Self::BadSignature {
                slot: uint(d, 0)?,
                client: address(d, 1)?,
            }
        } else if is("DuplicateClient(uint256,uint256,address)") && arity(3) {
            Self::DuplicateClient {
                first: uint(d, 0)?,
                second: uint(d, 1)?,
                client: address(d, 2)?,
            }
        } else if is("ClientsOutOfOrder(uint256,address,address)") && arity(3) {
            Self::ClientsOutOfOrder {
                slot: uint(d, 0)?,
                client: address(d, 1)?,
                previous: address(d, 2)?,
            }
        } else if is("BelowQuorum(uint256,uint256)") && arity(2) {
            Self::BelowQuorum {
                clients: uint(d, 0)?,
                min_clients: uint(d, 1)?,
            }
        } else if is("AlreadyEnrolled(address)") && arity(1) {
            Self::AlreadyEnrolled {
                client: address(d, 0)?,
            }
        } else if is("NotAClient(address)") && arity(1) {
            Self::NotAClient {
                client: address(d, 0)?,
            }
        } else if is("InvalidMinClients(uint256)") && arity(1) {
            Self::InvalidMinClients { value: uint(d, 0)? }
        } else if is("RosterMismatch(bytes32,bytes32)") && arity(2) {
            Self::RosterMismatch {
                stored: word(d, 0)?,
                sent: word(d, 1)?,
            }
        } else if is("RosterTooLarge(uint256,uint256)") && arity(2) {
            Self::RosterTooLarge {
                size: uint(d, 0)?,
                max: uint(d, 1)?,
            }
        } else if is("Panic(uint256)") && arity(1) {
            Self::Panic(uint(d, 0)?)
        } else {
            return None;
        };
        Some(r)
    }
}

impl fmt::Display for RevertReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProofInvalid => write!(f, "ProofInvalid(): a chunk proof does not verify"),
            Self::PublicInputNotInField { index } => {
                write!(f, "PublicInputNotInField({index}): public input is not < r")
            }
            Self::EmptyBatch => write!(f, "EmptyBatch()"),
            Self::BatchLengthMismatch { proofs, inputs } => {
                write!(
                    f,
                    "BatchLengthMismatch({proofs} proofs, {inputs} input vectors)"
                )
            }
            Self::NotCoordinator { caller } => write!(
                f,
                "NotCoordinator({caller}): only the coordinator may submit"
            ),
            Self::NotOwner { caller } => write!(f, "NotOwner({caller})"),
            Self::ZeroAddress => write!(f, "ZeroAddress()"),
            Self::UnexpectedRound { expected, got } => {
                write!(
                    f,
                    "UnexpectedRound(expected {expected}, got {got}): replayed or skipped round"
                )
            }
            Self::PreviousModelMismatch { stored, computed } => write!(
                f,
                "PreviousModelMismatch(stored 0x{}, computed 0x{})",
                hex::encode(stored),
                hex::encode(computed)
            ),
            Self::ArrayLengthMismatch {
                field,
                expected,
                got,
            } => {
                write!(
                    f,
                    "ArrayLengthMismatch(field {field}, expected {expected}, got {got})"
                )
            }
            Self::WeightOutOfRange { index } => write!(f, "WeightOutOfRange(slot {index})"),
            Self::TotalWeightOutOfRange { total } => {
                write!(f, "TotalWeightOutOfRange(W = {total})")
            }
            Self::InvalidShape => write!(f, "InvalidShape()"),
            Self::RoundTooLarge { chunks, max } => write!(
                f,
                "RoundTooLarge({chunks} chunks, at most {max}): a round of this shape would exceed the 2^24 transaction gas cap or 127 KiB of calldata; use a larger chunk size"
            ),
            Self::EmptySlotNotCanonical { slot, chunk } => write!(
                f,
                "EmptySlotNotCanonical(slot {slot}, chunk {chunk}): a weight-0 slot must carry the canonical empty update"
            ),
            Self::BoundOutOfRange { which, value } => write!(
                f,
                "BoundOutOfRange({} = {value}): outside the shape's width",
                if *which == U256::ZERO { "B_inf" } else { "B_2^2" }
            ),
            Self::NotPendingOwner { caller } => write!(f, "NotPendingOwner({caller})"),
            Self::Unsigned { slot, weight } => write!(
                f,
                "Unsigned(slot {slot}, weight {weight}): a slot with weight > 0 needs its client's signature"
            ),
            Self::SignedEmptySlot { slot } => write!(
                f,
                "SignedEmptySlot(slot {slot}): an empty slot carries no client or signature"
            ),
            Self::NotEnrolled { slot, client } => write!(
                f,
                "NotEnrolled(slot {slot}, {client}): the signer is not enrolled in the registry (never, or revoked)"
            ),
            Self::MalformedSignature { slot } => write!(
                f,
                "MalformedSignature(slot {slot}): not r || s || v with v in {{27, 28}} and 0 < r, s < n"
            ),
            Self::HighS { slot } => write!(
                f,
                "HighS(slot {slot}): only the low-s form of a signature is accepted"
            ),
            Self::BadSignature { slot, client } => write!(
                f,
                "BadSignature(slot {slot}, {client}): the signature is not {client}'s for this round, model, update and weight under this registry's domain"
            ),
            Self::DuplicateClient {
                first,
                second,
                client,
            } => write!(
                f,
                "DuplicateClient(slots {first} and {second}, {client}): a client contributes once per round"
            ),
            Self::ClientsOutOfOrder {
                slot,
                client,
                previous,
            } => write!(
                f,
                "ClientsOutOfOrder(slot {slot}, {client} after {previous}): signed slots must be in ascending client order"
            ),
            Self::BelowQuorum {
                clients,
                min_clients,
            } => write!(
                f,
                "BelowQuorum({clients} signed clients, minClients {min_clients})"
            ),
            Self::AlreadyEnrolled { client } => write!(f, "AlreadyEnrolled({client})"),
            Self::NotAClient { client } => write!(f, "NotAClient({client}): not enrolled"),
            Self::InvalidMinClients { value } => write!(
                f,
                "InvalidMinClients({value}): minClients must be between 1 and the slot count"
            ),
            Self::RosterMismatch { stored, sent } => write!(
                f,
                "RosterMismatch(stored 0x{}, sent 0x{}): the registry's roster changed since it was read; read roster() again",
                hex::encode(stored),
                hex::encode(sent)
            ),
            Self::RosterTooLarge { size, max } => write!(
                f,
                "RosterTooLarge({size} clients, at most {max}): a round of this registry's chunks could not carry the roster"
            ),
            Self::Panic(code) => write!(f, "Panic(0x{code:x})"),
            Self::Empty => write!(f, "revert without data"),
            Self::Unknown(d) => write!(f, "unknown revert data 0x{}", hex::encode(d)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_errors_with_arguments() {
        let mut d = selector("UnexpectedRound(uint256,uint256)").to_vec();
        d.extend(U256::from(2).to_be_bytes::<32>());
        d.extend(U256::from(5).to_be_bytes::<32>());
        assert_eq!(
            RevertReason::decode(&d),
            RevertReason::UnexpectedRound {
                expected: U256::from(2),
                got: U256::from(5)
            }
        );
        // A truncated argument list is not silently accepted.
        d.truncate(40);
        assert!(matches!(RevertReason::decode(&d), RevertReason::Unknown(_)));
        assert_eq!(RevertReason::decode(&[]), RevertReason::Empty);
    }
}
