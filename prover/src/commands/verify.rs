//! `zkfl verify`: the auditor's check, from the standalone verifier library.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_prover::setup::KeyPaths;
use zkfl_verifier::{load_bundle, load_bundles_dir, verify_history, verify_round};

/// Verify a round directory (or, with --history, a directory of rounds).
#[derive(Args)]
pub struct VerifyCmd {
    /// Key directory from `zkfl setup` (only vk.bin is read).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// A round directory (holding round.json), or with --history a directory of them.
    path: PathBuf,
    /// Verify every round under PATH as one chained history.
    #[arg(long)]
    history: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

impl VerifyCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let vk_path = KeyPaths::in_dir(&self.keys).vk;
        let (header, vk) = read_vk(&vk_path)?;
        if self.history {
            let bundles = load_bundles_dir(&self.path)?;
            let report = verify_history(&vk, &header, &bundles)
                .with_context(|| format!("{} is NOT valid", self.path.display()))?;
            if self.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "VALID history: rounds {}..={} ({} proofs in one batch)\n  from model {}\n  to model   {}",
                    report.first_round, report.last_round, report.proofs, report.initial_model, report.final_model
                );
            }
        } else {
            let bundle = load_bundle(&self.path)?;
            let r = verify_round(&vk, &header, &bundle)
                .with_context(|| format!("{} is NOT valid", self.path.display()))?;
            if self.json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "VALID round {}: {} chunk proofs (one batched check), {} of {} slots, total weight {}\n  \
                     {}\n  model {} → {}",
                    r.round, r.chunks, r.active_slots, r.shape.slots, r.total_weight, r.bounds_line(), r.model_commitment, r.new_model_commitment
                );
            }
        }
        if header.insecure_seed.is_some() {
            eprintln!("WARNING: {} comes from a fixed seed: proofs under it are forgeable (demo/test keys).", vk_path.display());
        }
        Ok(())
    }
}
