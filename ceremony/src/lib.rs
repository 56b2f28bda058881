//! zkfl's trust root: a multi-party Groth16 phase-2 ceremony for the chunk circuit, in
//! snarkjs's file formats so that snarkjs, p0tion and zkfl contributors can take part in the
//! same ceremony and audit each other.
//!
//! - [`r1cs`]: the chunk circuit of a shape as a constraint system and a circom `.r1cs` file;
//! - [`ptau`]: a prepared phase-1 (powers of tau) file;
//! - [`zkey`]: the `.zkey` format, including the contribution chain (section 10);
//! - [`init`]: the initial key, equal to `snarkjs zkey new` byte for byte;
//! - [`contribute`]: a secret contribution and the final beacon;
//! - [`verify`]: the auditor's check of a key against the ptau and the circuit;
//! - [`export`]: the final key as zkfl `pk.bin` / `vk.bin` with its provenance;
//! - [`reduction`]: the odd-coset ("circom") QAP reduction that snarkjs keys need.
//!
//! `docs/CEREMONY.md` explains how to run a ceremony; `docs/PROTOCOL.md` how its keys fit
//! the protocol.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod binfile;
pub mod contribute;
pub mod encoding;
mod error;
pub mod export;
pub mod init;
pub mod jsrng;
pub mod ptau;
pub mod r1cs;
pub mod reduction;
pub mod testing;
pub mod verify;
pub mod zkey;

pub use error::CeremonyError;

use std::path::Path;

use zkfl_circuits::Shape;

/// The auditor's whole check from files: rebuild the [`init::Reference`] of `shape` from the
/// ptau, then [`verify::verify`] the zkey against it.
///
/// # Errors
/// As [`init::Reference::build`] and [`verify::verify`].
pub fn verify_files(
    ptau: &Path,
    shape: &Shape,
    zkey: &Path,
) -> Result<verify::Report, CeremonyError> {
    let r1cs = r1cs::R1cs::for_shape(shape)?;
    let reference = init::Reference::build(&r1cs, &mut ptau::Ptau::open(ptau)?)?;
    verify::verify(zkey, &reference)
}
