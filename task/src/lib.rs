//! zkfl-task: who may contribute to a federated-learning task, and proof that each update in
//! a round is its client's own, for this round.
//!
//! A round's public inputs commit to n updates, but a commitment alone says nothing about who
//! made it: a coordinator could substitute an update of its own, replay a client's update
//! from an earlier round, or inflate a weight. Here every client is a secp256k1 account
//! enrolled in the task's roster, and signs, with EIP-712, exactly
//! `UpdateCommitment{round, prevModel, commitment, weight}` under the domain
//! `{name "zkfl", version "1", chainId, verifyingContract = registry}`:
//!
//! - [`Task`] (`task.json`): the registry, the chain, the roster's digest and the quorum;
//! - [`Roster`] (`roster.json`): the enrolled client addresses;
//! - [`SignedUpdate`] (`zkfl-signed-update/1`): one client's signed record, made by
//!   `zkfl commit --task` (feature `sign`);
//! - [`check_round`]: the rule every verifier applies to a round's slots, off-chain here
//!   and in Solidity in the registry (docs/PROTOCOL.md §10); [`check_bundle`] applies it to
//!   a `zkfl-round/2` bundle.
//!
//! Signatures are low-s only, on both sides, so that one signature has one encoding.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bundle;
mod error;
mod files;
mod round;
mod signed;
#[cfg(feature = "testing")]
pub mod testing;
mod typed;

pub use alloy_primitives::Address;
pub use bundle::check_bundle;
pub use error::{Fault, TaskError};
pub use files::{Roster, Task, ROSTER_FORMAT, TASK_FORMAT};
pub use round::{check_round, RoundClients, SlotClaim};
pub use signed::{SignedUpdate, SlotSignature, SIGNED_UPDATE_FORMAT};
pub use typed::{domain, signing_hash, UpdateCommitment};
