//! `zkfl ceremony`: a multi-party Groth16 phase 2 in snarkjs's formats (docs/CEREMONY.md).
//!
//! The coordinator runs `export-r1cs` / `init`, contributors run `contribute` on the latest
//! `.zkey` (with zkfl, snarkjs or p0tion), the coordinator closes with `beacon`, and anyone
//! runs `verify`; `export-keys` turns the verified key into zkfl's key directory.
//! `contribute` and `beacon` need only the `.zkey` file.

mod beacon;
mod contribute;
mod export_keys;
mod export_r1cs;
mod init;
mod verify;

use clap::Subcommand;

/// The ceremony verbs.
#[derive(Subcommand)]
pub enum CeremonyCmd {
    /// Write the chunk circuit of a shape as a circom `.r1cs` file (for snarkjs and p0tion).
    ExportR1cs(export_r1cs::ExportR1csCmd),
    /// Build the initial `.zkey` from a prepared phase-1 `.ptau` (equal to `snarkjs zkey new`).
    Init(init::InitCmd),
    /// Add one secret contribution to a `.zkey` and print its hash to publish.
    Contribute(contribute::ContributeCmd),
    /// Close the ceremony with a public random beacon (equal to `snarkjs zkey beacon`).
    Beacon(beacon::BeaconCmd),
    /// Check every contribution of a `.zkey` against the ptau and the circuit.
    Verify(verify::VerifyCmd),
    /// Verify a final `.zkey` and write pk.bin, vk.bin and params.json with its provenance.
    ExportKeys(export_keys::ExportKeysCmd),
}

impl CeremonyCmd {
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            CeremonyCmd::ExportR1cs(c) => c.run(),
            CeremonyCmd::Init(c) => c.run(),
            CeremonyCmd::Contribute(c) => c.run(),
            CeremonyCmd::Beacon(c) => c.run(),
            CeremonyCmd::Verify(c) => c.run(),
            CeremonyCmd::ExportKeys(c) => c.run(),
        }
    }
}

/// A 64-byte hash as snarkjs prints it: four lines of four 8-hex-digit groups.
pub fn format_hash(h: &[u8]) -> String {
    h.chunks(16)
        .map(|line| {
            let groups: Vec<String> = line.chunks(4).map(hex::encode).collect();
            format!("\t\t{}", groups.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
