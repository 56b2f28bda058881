//! On-chain verification for zkfl: the Solidity Groth16 verifier and round registry.
//!
//! This crate turns a chunk-circuit verifying key into `ZkflVerifier.sol` (VK baked in,
//! single and batched verification), ships the shape-independent `ZkflRoundRegistry.sol`
//! that inherits it, encodes calldata from arkworks types (shared with the `zkfl` CLI),
//! compiles with the pinned npm `solc` and runs the result in an in-process EVM (revm).
//!
//! The public-input layout and the commitment format are fixed by `docs/PROTOCOL.md`
//! (sections 2 and 3). On the Rust side they come from `zkfl-circuits` (its `ChunkPublic`,
//! `commit::commitment`, `Shape::num_public_inputs` and `keys::vk_digest`), never from a
//! second copy here; the Solidity is the one independent implementation, and the tests
//! check it against the Rust one.
//!
//! Toolchain: `npm ci` in `contracts/` installs `solc` (and anvil) at the versions pinned in
//! `contracts/package-lock.json`; [`solc::Solc`] fails with that instruction if it is missing.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
pub mod chain;
pub mod encode;
mod error;
pub mod evm;
pub mod export;
pub mod gas;
pub mod render;
pub mod revert;
pub mod round;
pub mod solc;

pub use error::ContractsError;
