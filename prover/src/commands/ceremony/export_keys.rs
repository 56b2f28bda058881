use std::path::PathBuf;

use clap::Args;
use zkfl_ceremony::export::{provenance, proving_key};
use zkfl_circuits::keys::Reduction;
use zkfl_prover::{
    setup::{self, write_keys},
    FullShapeArgs,
};

use super::verify::print_report;

/// Verify the final `.zkey` and write pk.bin, vk.bin and params.json for `zkfl prove`,
/// with the ceremony's provenance in the key headers.
#[derive(Args)]
pub struct ExportKeysCmd {
    /// The final `.zkey` (after the beacon).
    zkey: PathBuf,
    /// The phase-1 file the ceremony used.
    #[arg(long)]
    ptau: PathBuf,
    #[command(flatten)]
    shape: FullShapeArgs,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl ExportKeysCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let shape = self.shape.shape()?;
        let report = zkfl_ceremony::verify_files(&self.ptau, &shape, &self.zkey)?;
        if !report.contributions.iter().any(|c| c.beacon.is_some()) {
            eprintln!("WARNING: {} has no beacon: the last contributor chose the final key alone. Close the ceremony with `zkfl ceremony beacon`.", self.zkey.display());
        }
        let pk = proving_key(&self.zkey)?;
        let provenance = provenance(&self.ptau, &self.zkey, &report)?;
        let params = setup::key_params(shape, &pk, None, Reduction::Circom, Some(provenance));
        write_keys(&self.out, &pk, &params)?;
        if self.json {
            println!("{}", serde_json::to_string(&params)?);
        } else {
            print_report(&report, false);
            println!(
                "keys written to {} (odd-coset reduction), vk sha256 {}",
                self.out.display(),
                params.vk_digest
            );
        }
        Ok(())
    }
}
