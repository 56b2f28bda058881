use std::path::PathBuf;

use clap::Args;
use zkfl_ceremony::{init::InitialKey, ptau::Ptau, r1cs::R1cs, zkey::file_blake2b};
use zkfl_prover::FullShapeArgs;

use super::format_hash;

/// Build the initial phase-2 key (no contributions yet).
#[derive(Args)]
pub struct InitCmd {
    /// Prepared phase-1 file (e.g. powersOfTau28_hez_final_NN.ptau).
    #[arg(long)]
    ptau: PathBuf,
    #[command(flatten)]
    shape: FullShapeArgs,
    /// Output `.zkey` (contribution 0).
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl InitCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let shape = self.shape.shape()?;
        let r1cs = R1cs::for_shape(&shape)?;
        let mut ptau = Ptau::open(&self.ptau)?;
        let key = InitialKey::build(&r1cs, &mut ptau)?;
        key.write(&self.out)?;
        let ptau_hash = file_blake2b(&self.ptau)?;
        if self.json {
            let summary = serde_json::json!({
                "out": self.out,
                "shape": shape,
                "circuit_hash": hex::encode(key.cs_hash),
                "ptau_blake2b": hex::encode(ptau_hash),
                "domain_size": key.reference.header.domain_size,
            });
            println!("{summary}");
        } else {
            println!(
                "initial key written to {} (no contributions yet: NOT usable until at least one contributor and the beacon)\nCircuit hash:\n{}\nptau {} blake2b:\n{}\nCheck the ptau hash against the one its ceremony published.",
                self.out.display(),
                format_hash(&key.cs_hash),
                self.ptau.display(),
                format_hash(&ptau_hash)
            );
        }
        Ok(())
    }
}
