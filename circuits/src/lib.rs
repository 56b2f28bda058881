//! zkfl circuits: the statement that a federated-learning round was aggregated honestly.
//!
//! - [`fixed`]: the fixed-point codec (floats ↔ signed integers).
//! - [`commit`]: salted Poseidon chunk hashes and SHA-256 top-level commitments, with their
//!   in-circuit twins in [`commit::constraints`].
//! - [`circuit`]: the chunk circuit ([`ChunkCircuit`]) proving gradient bounds and the
//!   weighted FedAvg step for one model chunk.
//! - [`round`]: the native reference of a whole round, which builds every public input and
//!   witness.
//! - [`statement`]: the public-input layout shared with the verifiers.
//!
//! The protocol is specified in `docs/PROTOCOL.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
pub mod cid;
pub mod circuit;
pub mod commit;
pub mod encoding;
pub mod field;
pub mod files;
pub mod fixed;
pub mod keys;
pub mod npy;
pub mod params;
pub mod poseidon;
pub mod round;
pub mod statement;
pub mod tensors;
#[cfg(feature = "testing")]
pub mod testing;

pub use ark_bn254::{Bn254, Fr};
pub use circuit::ChunkCircuit;
pub use commit::{Commitment, Kind};
pub use params::Shape;
pub use round::{Bounds, ChunkWitness, ClientSlot, Round, RoundError, RoundInput};
pub use statement::ChunkPublic;
