//! `zkfl-verify export-snarkjs --vk keys/vk.bin round-T/ --chunk C --out DIR`

use std::path::PathBuf;

use crate::{export_snarkjs, load_bundle};
use clap::Args;

use super::{load_vk, Outcome, TrustArgs};

/// Write one chunk's verifying key, proof and public inputs in snarkjs format.
#[derive(Args)]
pub struct ExportCmd {
    /// Verifying key file (from `zkfl setup`).
    #[arg(long)]
    vk: PathBuf,
    /// Round directory holding round.json (or the bundle file itself).
    round: PathBuf,
    /// Chunk index.
    #[arg(long)]
    chunk: usize,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
}

impl ExportCmd {
    pub fn run(self, json: bool) -> anyhow::Result<Outcome> {
        // Exporting is not vouching: any key may be exported for snarkjs to check.
        let trust = TrustArgs {
            allow_insecure_keys: true,
        };
        let (_, vk) = load_vk(&self.vk, &trust)?;
        let bundle = load_bundle(&self.round)?;
        export_snarkjs(&vk, &bundle, self.chunk, &self.out)?;
        if json {
            let v = serde_json::json!({ "written": self.out.display().to_string() });
            println!("{v}");
        } else {
            println!(
                "wrote verification_key.json, proof.json, public.json to {}; check with \
                 `snarkjs groth16 verify {0}/verification_key.json {0}/public.json {0}/proof.json`",
                self.out.display()
            );
        }
        Ok(Outcome::Valid)
    }
}
